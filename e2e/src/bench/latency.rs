//! Distribution latency: from creating a PropagationPolicy and its Deployment template in the
//! federation to the Deployment appearing in the member (seen by a watch on the member), with
//! background workloads already propagated.

use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use futures::StreamExt;
use kube::Client;
use kube::api::{Api, DynamicObject, PostParams};

use super::fed::Federation;
use super::objects;
use super::watch::{Recorder, resource};

/// The policy propagating every background workload.
pub const BACKGROUND_POLICY: &str = "bench-background";
/// Name prefix of background workloads.
pub const BACKGROUND_PREFIX: &str = "bg-";
/// Name prefix of latency samples.
pub const SAMPLE_PREFIX: &str = "lat-";

fn deployments(client: &Client) -> Api<DynamicObject> {
    let ar = resource("apps", "v1", "Deployment", "deployments");
    Api::namespaced_with(client.clone(), objects::NAMESPACE, &ar)
}

fn policies(client: &Client) -> Api<DynamicObject> {
    let ar = resource(
        "policy.karmada.io",
        "v1alpha1",
        "PropagationPolicy",
        "propagationpolicies",
    );
    Api::namespaced_with(client.clone(), objects::NAMESPACE, &ar)
}

async fn create(api: &Api<DynamicObject>, value: serde_json::Value) -> anyhow::Result<()> {
    let object: DynamicObject = serde_json::from_value(value)?;
    let name = object.metadata.name.clone().unwrap_or_default();
    match api.create(&PostParams::default(), &object).await {
        Ok(_) => Ok(()),
        Err(kube::Error::Api(status)) if status.code == 409 => Ok(()),
        Err(error) => Err(error).with_context(|| format!("failed to create {name}")),
    }
}

/// Creates the background policy (once) and background workloads `from..to`, 16 at a time, then
/// waits until each is present in a member. Returns how long that took and how many never
/// arrived.
pub async fn propagate_background(
    federation: &Federation,
    members: &Recorder,
    from: usize,
    to: usize,
) -> anyhow::Result<(Duration, usize)> {
    let started = Instant::now();
    create(
        &policies(&federation.client),
        objects::role_policy(
            BACKGROUND_POLICY,
            "background",
            objects::dynamic_weight_placement(),
        ),
    )
    .await?;
    let api = deployments(&federation.client);
    let created: Vec<anyhow::Result<()>> = futures::stream::iter(from..to)
        .map(|i| {
            let api = api.clone();
            async move {
                let name = format!("{BACKGROUND_PREFIX}{i}");
                create(&api, objects::deployment(&name, "background")).await
            }
        })
        .buffer_unordered(16)
        .collect()
        .await;
    created.into_iter().collect::<anyhow::Result<Vec<()>>>()?;
    let timeout = Duration::from_secs(60) + Duration::from_millis(30) * (to - from) as u32;
    if !members.wait_count(BACKGROUND_PREFIX, to, timeout).await {
        let missing: Vec<String> = (0..to)
            .map(|i| format!("{BACKGROUND_PREFIX}{i}"))
            .filter(|name| members.first_seen(name).is_none())
            .collect();
        let diagnosis = diagnose(federation, missing.iter().take(3)).await;
        // Reported, not fatal: the rest of the run still measures something useful.
        tracing::error!(
            "only {}/{to} background workloads reached a member after {timeout:?}; missing {} (first: {diagnosis})",
            members.count_prefix(BACKGROUND_PREFIX),
            missing.len()
        );
        return Ok((started.elapsed(), missing.len()));
    }
    Ok((started.elapsed(), 0))
}

/// What the federation shows of templates that never arrived: their binding's target clusters
/// and conditions.
async fn diagnose<'a>(federation: &Federation, names: impl Iterator<Item = &'a String>) -> String {
    let ar = resource(
        "work.karmada.io",
        "v1alpha2",
        "ResourceBinding",
        "resourcebindings",
    );
    let bindings: Api<DynamicObject> =
        Api::namespaced_with(federation.client.clone(), objects::NAMESPACE, &ar);
    let mut out = Vec::new();
    for name in names {
        let binding = format!("{name}-deployment");
        let text = match bindings.get_opt(&binding).await {
            Ok(Some(b)) => format!(
                "{binding}: clusters={} conditions={}",
                b.data["spec"]["clusters"], b.data["status"]["conditions"]
            ),
            Ok(None) => format!("{binding}: no binding"),
            Err(error) => format!("{binding}: {error}"),
        };
        out.push(text);
    }
    out.join("; ")
}

/// One distribution, from just before the policy's create.
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    /// Until the ResourceBinding appeared in the federation's watch.
    pub binding: Option<Duration>,
    /// Until the Work appeared.
    pub work: Option<Duration>,
    /// Until the Deployment appeared in the member.
    pub member: Duration,
}

/// Measures `samples` distributions one at a time, round-robin over the members; sample `i`
/// is named `lat-<offset + i>`. `federation_seen` watches the federation's bindings and Works.
pub async fn measure(
    federation: &Federation,
    members: &Recorder,
    federation_seen: &Recorder,
    offset: usize,
    samples: usize,
) -> anyhow::Result<Vec<Sample>> {
    let templates = deployments(&federation.client);
    let policies = policies(&federation.client);
    let mut latencies = Vec::with_capacity(samples);
    for i in offset..offset + samples {
        let name = format!("{SAMPLE_PREFIX}{i}");
        let cluster = format!("member{}", i % federation.members.len() + 1);
        let started = Instant::now();
        create(&policies, objects::single_policy(&name, &cluster)).await?;
        create(&templates, objects::deployment(&name, "latency")).await?;
        let Some(seen) = members.wait_seen(&name, Duration::from_secs(30)).await else {
            bail!("{name} did not reach {cluster} within 30s");
        };
        let binding = federation_seen
            .first_seen(&format!("{name}-deployment"))
            .map(|at| at.saturating_duration_since(started));
        let work = federation_seen
            .first_seen_prefix(&format!("{name}-"), "-deployment")
            .map(|at| at.saturating_duration_since(started));
        latencies.push(Sample {
            binding,
            work,
            member: seen.saturating_duration_since(started),
        });
    }
    Ok(latencies)
}

/// Starts watches on every member's Deployments into `recorder`.
pub fn watch_members(federation: &Federation, recorder: &Recorder) -> super::watch::Watches {
    let mut watches = super::watch::Watches::default();
    for client in &federation.member_clients {
        watches.push(recorder.watch(deployments(client)));
    }
    watches
}

/// Starts watches on the federation's templates, bindings and Works into `recorder`.
pub fn watch_federation(federation: &Federation, recorder: &Recorder) -> super::watch::Watches {
    let mut watches = super::watch::Watches::default();
    let client = &federation.client;
    watches.push(recorder.watch(deployments(client)));
    let bindings = resource(
        "work.karmada.io",
        "v1alpha2",
        "ResourceBinding",
        "resourcebindings",
    );
    watches.push(recorder.watch(Api::namespaced_with(
        client.clone(),
        objects::NAMESPACE,
        &bindings,
    )));
    let works = resource("work.karmada.io", "v1alpha1", "Work", "works");
    watches.push(recorder.watch(Api::all_with(client.clone(), &works)));
    watches
}
