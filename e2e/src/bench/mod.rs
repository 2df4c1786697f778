//! `karmada-propagation-bench`: distribution latency, scheduler throughput, controller-manager
//! cold start and memory, against a federation of simulated members (see BENCHMARKS.md §3).

pub mod fed;
pub mod latency;
pub mod objects;
pub mod report;
pub mod scale;
pub mod sched;
pub mod stats;
pub mod watch;

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context as _;

use fed::{FedOptions, Federation};
use watch::Recorder;

/// Command-line options.
#[derive(clap::Parser, Debug, Clone)]
#[command(name = "karmada-propagation-bench")]
pub struct Options {
    /// Tiny sizes, seconds in total (CI).
    #[arg(long)]
    pub smoke: bool,
    /// Federations to measure latency in, by member count (the largest also runs the scale part).
    #[arg(long, value_delimiter = ',', default_value = "10,100")]
    pub members: Vec<usize>,
    /// Workloads propagated before latency is measured.
    #[arg(long, default_value_t = 1000)]
    pub background: usize,
    /// Latency samples per federation.
    #[arg(long, default_value_t = 100)]
    pub samples: usize,
    /// Templates in the largest federation for memory and cold start (0: skip).
    #[arg(long, default_value_t = 10_000)]
    pub scale: usize,
    /// Bindings for the pure scheduler.
    #[arg(long, default_value_t = 20_000)]
    pub sched_bindings: usize,
    /// Clusters for the pure scheduler.
    #[arg(long, default_value_t = 100)]
    pub sched_clusters: usize,
    /// Bindings through the scheduler controller, in the largest federation (0: skip).
    #[arg(long, default_value_t = 2000)]
    pub controller_bindings: usize,
    /// Seconds without writes or reconciles that count as steady state.
    #[arg(long, default_value_t = 10)]
    pub quiet_secs: u64,
    /// Longest wait for steady state per manager start: this many seconds plus 10 ms per template.
    #[arg(long, default_value_t = 120)]
    pub settle_secs: u64,
    /// The controller-manager's --cluster-status-update-frequency.
    #[arg(long, default_value_t = 10)]
    pub status_frequency: u64,
    /// Parent of the throwaway data directories.
    #[arg(long, default_value = "/dev/shm")]
    pub dir: PathBuf,
    /// The controller-manager binary (default: next to this one).
    #[arg(long)]
    pub manager_bin: Option<PathBuf>,
}

impl Options {
    /// `--smoke` replaces every size with a tiny one.
    pub fn effective(&self) -> Options {
        if !self.smoke {
            return self.clone();
        }
        Options {
            members: vec![3],
            background: 10,
            samples: 3,
            // One scale point: the templates already there.
            scale: 13,
            sched_bindings: 500,
            sched_clusters: 100,
            controller_bindings: 20,
            quiet_secs: 1,
            settle_secs: 3,
            status_frequency: 2,
            ..self.clone()
        }
    }
}

/// Everything measured.
#[derive(Debug, Default)]
pub struct Results {
    pub pure: Option<sched::PureResult>,
    pub controller: Option<sched::ControllerResult>,
    pub latency: Vec<LatencyRun>,
    pub scale: Vec<scale::Point>,
    pub bench_rss: Option<u64>,
    /// Workloads added for the scale part that never reached a member.
    pub scale_missing: usize,
}

/// Latency in one federation.
#[derive(Debug, Clone)]
pub struct LatencyRun {
    pub members: usize,
    pub background: usize,
    pub background_elapsed: Duration,
    /// Background workloads that never reached a member.
    pub missing: usize,
    pub samples: Vec<latency::Sample>,
}

/// Runs every part.
pub async fn run(options: &Options) -> anyhow::Result<Results> {
    let manager_bin = fed::manager_binary(options.manager_bin.as_deref())?;
    let mut results = Results {
        pure: Some(sched::pure(options.sched_clusters, options.sched_bindings)?),
        ..Results::default()
    };
    let largest = options.members.iter().copied().max().unwrap_or(0);
    let mut sizes = options.members.clone();
    sizes.sort_unstable();
    sizes.dedup();
    for members in sizes {
        let fed_options = FedOptions {
            members,
            dir: options.dir.clone(),
            manager_bin: manager_bin.clone(),
            status_frequency: options.status_frequency,
        };
        tracing::info!(members, "starting a federation");
        let mut federation = Federation::start(&fed_options).await?;
        let outcome =
            run_federation(options, &mut federation, members == largest, &mut results).await;
        results.bench_rss = results.bench_rss.max(own_rss());
        federation.stop().await;
        outcome?;
    }
    Ok(results)
}

fn own_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    stats::proc_status_bytes(&status, "VmRSS")
}

async fn run_federation(
    options: &Options,
    federation: &mut Federation,
    largest: bool,
    results: &mut Results,
) -> anyhow::Result<()> {
    let members = federation.members.len();
    let ready_timeout = Duration::from_secs(60 + members as u64);
    if largest && options.controller_bindings > 0 {
        federation
            .start_manager("scheduler,cluster,clusterStatus")
            .await?;
        federation.wait_clusters_ready(ready_timeout).await?;
        tracing::info!(members, "scheduler controller throughput");
        let timeout = Duration::from_secs(30)
            + Duration::from_millis(10) * options.controller_bindings as u32;
        results.controller = Some(
            sched::through_controller(federation, options.controller_bindings, timeout).await?,
        );
        federation.kill_manager().await;
    }

    let member_writes = Recorder::new();
    let _member_watches = latency::watch_members(federation, &member_writes);
    let federation_writes = Recorder::new();
    let _federation_watches = latency::watch_federation(federation, &federation_writes);
    federation.start_manager("*").await?;
    federation.wait_clusters_ready(ready_timeout).await?;

    tracing::info!(
        members,
        background = options.background,
        "propagating background workloads"
    );
    let (background_elapsed, missing) =
        latency::propagate_background(federation, &member_writes, 0, options.background).await?;
    tracing::info!(
        members,
        samples = options.samples,
        "measuring distribution latency"
    );
    let samples = latency::measure(
        federation,
        &member_writes,
        &federation_writes,
        0,
        options.samples,
    )
    .await?;
    results.latency.push(LatencyRun {
        members,
        background: options.background,
        background_elapsed,
        missing,
        samples,
    });

    if !largest || options.scale == 0 {
        return Ok(());
    }
    let quiet = Duration::from_secs(options.quiet_secs);
    let recorders = [&member_writes, &federation_writes];
    let mut templates = options.background + options.samples;
    let steps = [templates, options.scale.max(templates)];
    for (i, target) in steps.into_iter().enumerate() {
        if i > 0 && target == templates {
            break;
        }
        if target > templates {
            tracing::info!(
                members,
                from = templates,
                to = target,
                "propagating more workloads"
            );
            let extra = target - templates;
            let (_, missing) = latency::propagate_background(
                federation,
                &member_writes,
                options.background,
                options.background + extra,
            )
            .await?;
            results.scale_missing += missing;
            templates = target;
        }
        tracing::info!(members, templates, "memory and cold start");
        let timeout =
            Duration::from_secs(options.settle_secs) + Duration::from_millis(10) * templates as u32;
        let point = scale::measure(federation, &recorders, templates, quiet, timeout)
            .await
            .with_context(|| format!("scale point of {templates} templates"))?;
        results.scale.push(point);
    }
    Ok(())
}
