//! Leader election with a `coordination.k8s.io` Lease, so that two controller-manager replicas
//! never reconcile at once: the holder renews the Lease; others take it over once it has not been
//! renewed for its duration.

use std::time::Duration;

use k8s_openapi::api::coordination::v1::{Lease, LeaseSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::MicroTime;
use kube::Client;
use kube::api::{Api, ObjectMeta, PostParams};

/// Settings of the election.
#[derive(Clone, Debug)]
pub struct Config {
    pub namespace: String,
    pub name: String,
    pub identity: String,
    pub lease_duration: Duration,
    pub retry_period: Duration,
}

fn now() -> MicroTime {
    MicroTime(jiff::Timestamp::now())
}

/// Tries once to hold the lease; `Ok(true)` when this process holds it now.
pub async fn try_acquire(client: &Client, config: &Config) -> Result<bool, kube::Error> {
    let api: Api<Lease> = Api::namespaced(client.clone(), &config.namespace);
    let seconds = i32::try_from(config.lease_duration.as_secs()).unwrap_or(15);
    let Some(mut lease) = api.get_opt(&config.name).await? else {
        let lease = Lease {
            metadata: ObjectMeta {
                name: Some(config.name.clone()),
                namespace: Some(config.namespace.clone()),
                ..ObjectMeta::default()
            },
            spec: Some(LeaseSpec {
                holder_identity: Some(config.identity.clone()),
                lease_duration_seconds: Some(seconds),
                acquire_time: Some(now()),
                renew_time: Some(now()),
                lease_transitions: Some(0),
                ..LeaseSpec::default()
            }),
        };
        return match api.create(&PostParams::default(), &lease).await {
            Ok(_) => Ok(true),
            Err(kube::Error::Api(s)) if s.code == 409 => Ok(false),
            Err(e) => Err(e),
        };
    };
    let spec = lease.spec.get_or_insert_with(LeaseSpec::default);
    let holder = spec.holder_identity.clone().unwrap_or_default();
    let mine = holder == config.identity;
    let expired = match (&spec.renew_time, spec.lease_duration_seconds) {
        (Some(renewed), Some(duration)) => {
            let age = jiff::Timestamp::now().duration_since(renewed.0);
            age.as_secs() >= i64::from(duration)
        }
        _ => true,
    };
    if !mine && !holder.is_empty() && !expired {
        return Ok(false);
    }
    if !mine {
        spec.acquire_time = Some(now());
        spec.lease_transitions = Some(spec.lease_transitions.unwrap_or(0) + 1);
    }
    spec.holder_identity = Some(config.identity.clone());
    spec.lease_duration_seconds = Some(seconds);
    spec.renew_time = Some(now());
    match api
        .replace(&config.name, &PostParams::default(), &lease)
        .await
    {
        Ok(_) => Ok(true),
        Err(kube::Error::Api(s)) if s.code == 409 => Ok(false),
        Err(e) => Err(e),
    }
}

/// Gives the lease up (on clean shutdown), so a successor need not wait for it to expire.
pub async fn release(client: &Client, config: &Config) {
    let api: Api<Lease> = Api::namespaced(client.clone(), &config.namespace);
    if let Ok(Some(mut lease)) = api.get_opt(&config.name).await
        && let Some(spec) = lease.spec.as_mut()
        && spec.holder_identity.as_deref() == Some(config.identity.as_str())
    {
        spec.holder_identity = None;
        spec.renew_time = None;
        let _ = api
            .replace(&config.name, &PostParams::default(), &lease)
            .await;
    }
}
