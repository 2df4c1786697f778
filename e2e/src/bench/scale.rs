//! Cold start and memory: with N templates propagated, the controller-manager's RSS at steady
//! state; then it is killed and started again, and the time until steady state (no more writes
//! to templates, bindings, Works or member Deployments, and no more reconciles) is measured.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use anyhow::Context as _;

use super::fed::Federation;
use super::watch::Recorder;

/// Controllers whose reconciles never stop (periodic cluster health), left out of "steady".
const PERIODIC: &[&str] = &["cluster", "clusterStatus"];

/// How a manager's start went.
#[derive(Debug, Clone)]
pub struct Steady {
    /// From the spawn until the detector and the binding controller had each reconciled at least
    /// once per template (`None`: not within the timeout).
    pub first_pass: Option<Duration>,
    /// From the spawn to its last write or reconcile before a quiet window (`None`: writes never
    /// stopped within the timeout).
    pub steady: Option<Duration>,
    /// From the spawn to the last write seen.
    pub last_write: Option<Duration>,
    /// Writes seen from the spawn to the end of the wait.
    pub writes: u64,
    /// Writes per second over the last `quiet` window of the wait.
    pub tail_rate: f64,
    /// Reconciles by controller at the end of the wait.
    pub reconciles: BTreeMap<String, u64>,
}

/// One scale point.
#[derive(Debug, Clone)]
pub struct Point {
    pub templates: usize,
    pub members: usize,
    /// The manager that propagated everything, after its own wait for steady state.
    pub warm: Steady,
    /// RSS / peak RSS of that manager.
    pub rss: u64,
    pub hwm: u64,
    /// The restarted manager.
    pub cold: Steady,
    pub cold_rss: u64,
    pub cold_hwm: u64,
}

fn settled_total(reconciles: &BTreeMap<String, u64>) -> u64 {
    reconciles
        .iter()
        .filter(|(name, _)| !PERIODIC.contains(&name.as_str()))
        .map(|(_, n)| *n)
        .sum()
}

fn total_writes(recorders: &[&Recorder]) -> u64 {
    recorders.iter().map(|r| r.writes().0).sum()
}

/// Waits (at most `timeout` from the manager's spawn) until no write was seen by `recorders`
/// and no non-periodic reconcile ran for `quiet`, after the detector and the binding controller
/// reconciled at least `templates` times each (so a manager still listing is never taken for a
/// quiet one). Never fails on a timeout: the result says what was reached.
pub async fn wait_steady(
    federation: &Federation,
    recorders: &[&Recorder],
    templates: usize,
    quiet: Duration,
    timeout: Duration,
) -> anyhow::Result<Steady> {
    let manager = federation
        .manager
        .as_ref()
        .context("no controller-manager")?;
    let started = manager.started;
    let writes_before = total_writes(recorders);
    let mut history: Vec<(Instant, u64)> = Vec::new();
    let mut last_total = None;
    let mut last_change = started;
    let mut first_pass = None;
    loop {
        let reconciles = manager.reconciles().await.unwrap_or_default();
        let total = settled_total(&reconciles);
        let now = Instant::now();
        if last_total != Some(total) {
            last_total = Some(total);
            last_change = now;
        }
        let writes = total_writes(recorders);
        history.push((now, writes));
        let last_write = recorders
            .iter()
            .filter_map(|r| r.writes().1)
            .filter(|at| *at >= started)
            .max();
        let last_activity = last_write.map_or(last_change, |w| w.max(last_change));
        let passes = ["detector", "binding"]
            .iter()
            .all(|c| reconciles.get(*c).copied().unwrap_or(0) as usize >= templates);
        if passes && first_pass.is_none() {
            first_pass = Some(now.duration_since(started));
        }
        let quiet_now = passes && now.duration_since(last_activity) >= quiet;
        let timed_out = now.duration_since(started) > timeout;
        tracing::debug!(writes, ?reconciles, "waiting for steady state");
        if quiet_now || timed_out {
            let window_start = now.checked_sub(quiet).unwrap_or(started);
            let before = history
                .iter()
                .find(|(at, _)| *at >= window_start)
                .map_or(writes, |(_, w)| *w);
            let span = now
                .duration_since(
                    history
                        .iter()
                        .find(|(at, _)| *at >= window_start)
                        .map_or(now, |h| h.0),
                )
                .as_secs_f64();
            return Ok(Steady {
                first_pass,
                steady: quiet_now.then(|| last_activity.saturating_duration_since(started)),
                last_write: last_write.map(|w| w.saturating_duration_since(started)),
                writes: writes - writes_before,
                tail_rate: if span > 0.0 {
                    (writes - before) as f64 / span
                } else {
                    0.0
                },
                reconciles,
            });
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Measures one point: RSS of the running manager (after it settled, or `timeout`), then a cold
/// start.
pub async fn measure(
    federation: &mut Federation,
    recorders: &[&Recorder],
    templates: usize,
    quiet: Duration,
    timeout: Duration,
) -> anyhow::Result<Point> {
    let warm = wait_steady(federation, recorders, 0, quiet, timeout).await?;
    let (rss, hwm) = federation
        .manager
        .as_ref()
        .context("no controller-manager")?
        .rss()?;
    federation.kill_manager().await;
    federation.start_manager("*").await?;
    let cold = wait_steady(federation, recorders, templates, quiet, timeout).await?;
    let (cold_rss, cold_hwm) = federation
        .manager
        .as_ref()
        .context("no controller-manager")?
        .rss()?;
    Ok(Point {
        templates,
        members: federation.members.len(),
        warm,
        rss,
        hwm,
        cold,
        cold_rss,
        cold_hwm,
    })
}

/// A least-squares line `y = a + b·x` through `points`; `None` with fewer than two distinct x.
pub fn linear_fit(points: &[(f64, f64)]) -> Option<(f64, f64)> {
    let n = points.len() as f64;
    if points.len() < 2 {
        return None;
    }
    let mean_x = points.iter().map(|p| p.0).sum::<f64>() / n;
    let mean_y = points.iter().map(|p| p.1).sum::<f64>() / n;
    let sxx: f64 = points.iter().map(|p| (p.0 - mean_x).powi(2)).sum();
    if sxx == 0.0 {
        return None;
    }
    let sxy: f64 = points.iter().map(|p| (p.0 - mean_x) * (p.1 - mean_y)).sum();
    let b = sxy / sxx;
    Some((mean_y - b * mean_x, b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periodic_controllers_do_not_count_towards_steady_state() {
        let reconciles: BTreeMap<String, u64> = [
            ("detector", 10),
            ("binding", 5),
            ("cluster", 100),
            ("clusterStatus", 1000),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        assert_eq!(settled_total(&reconciles), 15);
    }

    #[test]
    fn a_line_through_two_points_extrapolates_linearly() {
        let (a, b) = linear_fit(&[(1000.0, 2.0), (10000.0, 11.0)]).expect("a line");
        assert!(
            (a - 1.0).abs() < 1e-9 && (b - 0.001).abs() < 1e-12,
            "{a} {b}"
        );
        assert!((a + b * 30000.0 - 31.0).abs() < 1e-9);
    }

    #[test]
    fn no_line_through_fewer_than_two_distinct_points() {
        assert_eq!(linear_fit(&[]), None);
        assert_eq!(linear_fit(&[(1.0, 2.0)]), None);
        assert_eq!(linear_fit(&[(1.0, 2.0), (1.0, 3.0)]), None);
    }
}
