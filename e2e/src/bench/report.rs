//! The benchmark's report: Markdown tables with each goal and whether it was met.

use std::fmt::Write as _;
use std::time::Duration;

use super::latency::Sample;
use super::scale::linear_fit;
use super::stats::{mib, ms, summarize};
use super::{Options, Results};

/// Goals from the task.
pub const LATENCY_P99_GOAL: Duration = Duration::from_millis(300);
pub const SCHEDULE_RATE_GOAL: f64 = 2000.0;
pub const COLD_START_GOAL: Duration = Duration::from_secs(30);
pub const COLD_START_GOAL_TEMPLATES: usize = 30_000;
pub const RSS_GOAL: u64 = 300 * 1024 * 1024;
pub const RSS_GOAL_TEMPLATES: usize = 10_000;

fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "**not met**" }
}

fn secs(d: Option<Duration>) -> String {
    d.map_or("not reached".to_string(), |d| {
        format!("{:.2} s", d.as_secs_f64())
    })
}

/// Renders `results` as Markdown.
pub fn render(options: &Options, results: &Results) -> String {
    let mut out = String::new();
    let mode = if options.smoke { "smoke" } else { "full" };
    let _ = writeln!(out, "# karmada-propagation-bench ({mode})\n");

    if let Some(pure) = &results.pure {
        let rate = pure.per_second();
        let _ = writeln!(out, "## Scheduler throughput\n");
        let _ = writeln!(
            out,
            "| path | clusters | bindings | time | bindings/s | goal ≥ {SCHEDULE_RATE_GOAL:.0}/s |"
        );
        let _ = writeln!(out, "|---|---:|---:|---:|---:|---|");
        let _ = writeln!(
            out,
            "| pure `schedule()` (Divided, dynamic weight) | {} | {} ({} placed, {:.1} targets each) | {} | {:.0} | {} |",
            pure.clusters,
            pure.bindings,
            pure.placed,
            pure.targets as f64 / pure.bindings.max(1) as f64,
            ms(pure.elapsed),
            rate,
            verdict(rate >= SCHEDULE_RATE_GOAL)
        );
        if let Some(c) = &results.controller {
            let rate = c.per_second();
            let _ = writeln!(
                out,
                "| scheduler controller (create → `Scheduled=True`; creates alone {}) | {} | {} ({} scheduled) | {} | {:.0} | {} |",
                ms(c.create_elapsed),
                c.clusters,
                c.bindings,
                c.scheduled,
                ms(c.elapsed),
                rate,
                verdict(rate >= SCHEDULE_RATE_GOAL)
            );
        }
        let _ = writeln!(out);
    }

    if !results.latency.is_empty() {
        let _ = writeln!(
            out,
            "## Distribution latency (policy + template create → Deployment in the member)\n"
        );
        let _ = writeln!(
            out,
            "| members | background workloads (propagated in) | samples | p50 | p99 | max | goal p99 ≤ {} | p50 / p99 to the binding | p50 / p99 to the Work |",
            ms(LATENCY_P99_GOAL)
        );
        let _ = writeln!(out, "|---:|---:|---:|---:|---:|---:|---|---:|---:|");
        for run in &results.latency {
            let member: Vec<Duration> = run.samples.iter().map(|s| s.member).collect();
            let Some(summary) = summarize(&member) else {
                continue;
            };
            let stage = |pick: fn(&Sample) -> Option<Duration>| {
                let values: Vec<Duration> = run.samples.iter().filter_map(pick).collect();
                summarize(&values).map_or("—".to_string(), |s| {
                    format!("{} / {}", ms(s.p50), ms(s.p99))
                })
            };
            let _ = writeln!(
                out,
                "| {} | {} ({:.1} s{}) | {} | {} | {} | {} | {} | {} | {} |",
                run.members,
                run.background,
                run.background_elapsed.as_secs_f64(),
                if run.missing > 0 {
                    format!(", **{} never arrived**", run.missing)
                } else {
                    String::new()
                },
                summary.count,
                ms(summary.p50),
                ms(summary.p99),
                ms(summary.max),
                verdict(summary.p99 <= LATENCY_P99_GOAL),
                stage(|s| s.binding),
                stage(|s| s.work)
            );
        }
        let _ = writeln!(out);
    }

    if !results.scale.is_empty() {
        let _ = writeln!(out, "## Controller-manager memory and cold start\n");
        let _ = writeln!(
            out,
            "| templates | members | manager RSS (peak) | restart: first pass | restart: steady state | writes during restart wait | writes/s at end of wait | RSS after restart (peak) |"
        );
        let _ = writeln!(out, "|---:|---:|---:|---:|---:|---:|---:|---:|");
        for p in &results.scale {
            let _ = writeln!(
                out,
                "| {} | {} | {} ({}) | {} | {} | {} | {:.1} | {} ({}) |",
                p.templates,
                p.members,
                mib(p.rss),
                mib(p.hwm),
                secs(p.cold.first_pass),
                secs(p.cold.steady),
                p.cold.writes,
                p.cold.tail_rate,
                mib(p.cold_rss),
                mib(p.cold_hwm)
            );
        }
        if results
            .scale
            .iter()
            .any(|p| p.cold.steady.is_none() || p.warm.steady.is_none())
        {
            let _ = writeln!(
                out,
                "\n\"not reached\": writes to templates, bindings, Works or member Deployments never stopped for the quiet window; the manager RSS was then read at the end of the wait."
            );
        }
        let _ = writeln!(out);
        let cold: Vec<(f64, f64)> = results
            .scale
            .iter()
            .filter_map(|p| {
                Some((
                    p.templates as f64,
                    p.cold.steady.or(p.cold.first_pass)?.as_secs_f64(),
                ))
            })
            .collect();
        let rss: Vec<(f64, f64)> = results
            .scale
            .iter()
            .map(|p| (p.templates as f64, p.rss.max(p.cold_rss) as f64))
            .collect();
        if let Some(largest) = results.scale.iter().max_by_key(|p| p.templates) {
            let rss_at = largest.rss.max(largest.cold_rss);
            if largest.templates >= RSS_GOAL_TEMPLATES {
                let _ = writeln!(
                    out,
                    "RSS at {} templates: {} (goal ≤ {} at {RSS_GOAL_TEMPLATES}: {}).",
                    largest.templates,
                    mib(rss_at),
                    mib(RSS_GOAL),
                    verdict(rss_at <= RSS_GOAL)
                );
            }
            if largest.templates >= COLD_START_GOAL_TEMPLATES {
                let met = largest.cold.steady.is_some_and(|d| d <= COLD_START_GOAL);
                let _ = writeln!(
                    out,
                    "Cold start at {} templates: {} (goal ≤ 30 s: {}).",
                    largest.templates,
                    secs(largest.cold.steady),
                    verdict(met)
                );
            }
        }
        let x = COLD_START_GOAL_TEMPLATES as f64;
        if let (Some((a, b)), Some((ra, rb))) = (linear_fit(&cold), linear_fit(&rss)) {
            let cold_at = a + b * x;
            let all_steady = results.scale.iter().all(|p| p.cold.steady.is_some());
            let (what, met) = if all_steady {
                ("steady state", cold_at <= COLD_START_GOAL.as_secs_f64())
            } else {
                // A first pass is a lower bound; with no steady state the goal is not met.
                ("first pass only (steady state never reached)", false)
            };
            let _ = writeln!(
                out,
                "EXTRAPOLATED (linear through the points above, not measured): cold start to {what} at {COLD_START_GOAL_TEMPLATES} templates ≈ {cold_at:.1} s (goal ≤ 30 s: {}); RSS ≈ {}.",
                verdict(met),
                mib((ra + rb * x).max(0.0) as u64)
            );
        }
        let _ = writeln!(out);
    }
    if results.scale_missing > 0 {
        let _ = writeln!(
            out,
            "**{} workloads added for the scale part never reached a member.**\n",
            results.scale_missing
        );
    }
    if let Some(rss) = results.bench_rss {
        let _ = writeln!(
            out,
            "Bench process (API server + members) RSS: {}.",
            mib(rss)
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bench::sched::PureResult;

    #[test]
    fn a_slow_pure_scheduler_is_reported_as_not_met() {
        let options = Options {
            smoke: true,
            ..<Options as clap::Parser>::parse_from(["bench"])
        };
        let results = Results {
            pure: Some(PureResult {
                clusters: 100,
                bindings: 100,
                elapsed: Duration::from_secs(1),
                placed: 100,
                targets: 300,
            }),
            ..Results::default()
        };
        let text = render(&options, &results);
        assert!(text.contains("| 100 | **not met** |"), "{text}");
        assert!(text.contains("3.0 targets each"), "{text}");
    }

    #[test]
    fn latency_rows_show_percentiles_and_the_goal() {
        let options = <Options as clap::Parser>::parse_from(["bench"]);
        let results = Results {
            latency: vec![crate::bench::LatencyRun {
                members: 10,
                background: 1000,
                background_elapsed: Duration::from_secs(3),
                missing: 0,
                samples: (1..=100)
                    .map(|i| crate::bench::latency::Sample {
                        binding: Some(Duration::from_millis(i / 2)),
                        work: None,
                        member: Duration::from_millis(i),
                    })
                    .collect(),
            }],
            ..Results::default()
        };
        let text = render(&options, &results);
        assert!(
            text.contains("| 10 | 1000 (3.0 s) | 100 | 50.0 ms | 99.0 ms | 100.0 ms | met | 25.0 ms / 49.0 ms | — |"),
            "{text}"
        );
    }
}
