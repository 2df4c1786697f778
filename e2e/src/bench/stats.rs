//! Pure helpers of the propagation benchmark: percentiles, `/proc/<pid>/status` and Prometheus
//! text parsing, the controller-manager's "serving" log line. No I/O.

use std::collections::BTreeMap;
use std::time::Duration;

/// Percentiles of a set of latencies (nearest rank over the sorted samples).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    pub count: usize,
    pub p50: Duration,
    pub p99: Duration,
    pub max: Duration,
}

/// The nearest-rank `q`-quantile (0 < q ≤ 1) of `sorted`; `None` when it is empty.
pub fn nearest_rank(sorted: &[Duration], q: f64) -> Option<Duration> {
    if sorted.is_empty() {
        return None;
    }
    // rank = ceil(q * n), 1-based; clamp so that q ≈ 0 picks the first sample.
    let n = sorted.len();
    let rank = ((q * n as f64).ceil() as usize).clamp(1, n);
    sorted.get(rank - 1).copied()
}

/// p50, p99 and max of `samples` (in any order); `None` when there are none.
pub fn summarize(samples: &[Duration]) -> Option<Summary> {
    let mut sorted = samples.to_vec();
    sorted.sort_unstable();
    Some(Summary {
        count: sorted.len(),
        p50: nearest_rank(&sorted, 0.50)?,
        p99: nearest_rank(&sorted, 0.99)?,
        max: *sorted.last()?,
    })
}

/// A `kB` field (`VmRSS`, `VmHWM`) of `/proc/<pid>/status`, in bytes.
pub fn proc_status_bytes(status: &str, field: &str) -> Option<u64> {
    status.lines().find_map(|line| {
        let rest = line.strip_prefix(field)?.strip_prefix(':')?;
        let mut parts = rest.split_whitespace();
        let value: u64 = parts.next()?.parse().ok()?;
        match parts.next() {
            Some("kB") => value.checked_mul(1024),
            _ => None,
        }
    })
}

/// `karmada_controller_reconcile_total` by controller (successes and errors added up).
pub fn reconcile_totals(metrics: &str) -> BTreeMap<String, u64> {
    let mut totals = BTreeMap::new();
    for line in metrics.lines() {
        let Some(rest) = line.strip_prefix("karmada_controller_reconcile_total{") else {
            continue;
        };
        let Some((labels, value)) = rest.split_once('}') else {
            continue;
        };
        let Some(controller) = label(labels, "controller") else {
            continue;
        };
        let Ok(value) = value.trim().parse::<f64>() else {
            continue;
        };
        *totals.entry(controller.to_string()).or_insert(0) += value as u64;
    }
    totals
}

fn label<'a>(labels: &'a str, name: &str) -> Option<&'a str> {
    labels.split(',').find_map(|pair| {
        let (key, value) = pair.split_once('=')?;
        (key.trim() == name).then(|| value.trim().trim_matches('"'))
    })
}

/// The metrics address in the controller-manager's `karmada-controller-manager serving` line
/// (`metrics=127.0.0.1:PORT`), ANSI colours allowed around the field.
pub fn metrics_addr_in_log(line: &str) -> Option<std::net::SocketAddr> {
    if !line.contains("karmada-controller-manager serving") {
        return None;
    }
    let plain = strip_ansi(line);
    let start = plain.find("metrics=")? + "metrics=".len();
    plain[start..].split_whitespace().next()?.parse().ok()
}

/// `text` without ANSI escape sequences.
pub fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // Skip `ESC [ ... <letter>`.
            for next in chars.by_ref() {
                if next.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Bytes as MiB with one decimal.
pub fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

/// A duration in milliseconds with one decimal.
pub fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn millis(values: &[u64]) -> Vec<Duration> {
        values.iter().map(|v| Duration::from_millis(*v)).collect()
    }

    #[test]
    fn nearest_rank_picks_the_sample_at_ceil_q_n() {
        let cases: &[(&[u64], f64, Option<u64>)] = &[
            (&[], 0.5, None),
            (&[7], 0.5, Some(7)),
            (&[7], 0.99, Some(7)),
            (&[1, 2, 3, 4], 0.5, Some(2)),
            (&[1, 2, 3, 4], 0.51, Some(3)),
            (&[1, 2, 3, 4], 0.0, Some(1)),
            (&[1, 2, 3, 4], 1.0, Some(4)),
        ];
        for (samples, q, want) in cases {
            let got = nearest_rank(&millis(samples), *q);
            assert_eq!(got, want.map(Duration::from_millis), "{samples:?} q={q}");
        }
    }

    #[test]
    fn p99_of_a_hundred_samples_is_the_ninety_ninth() {
        let samples: Vec<Duration> = (1..=100).rev().map(Duration::from_millis).collect();
        let summary = summarize(&samples).expect("samples");
        assert_eq!(summary.count, 100);
        assert_eq!(summary.p50, Duration::from_millis(50));
        assert_eq!(summary.p99, Duration::from_millis(99));
        assert_eq!(summary.max, Duration::from_millis(100));
    }

    #[test]
    fn summary_of_no_samples_is_none() {
        assert_eq!(summarize(&[]), None);
    }

    #[test]
    fn proc_status_fields_are_read_in_bytes() {
        let status = "Name:\tkarmada\nVmHWM:\t  204800 kB\nVmRSS:\t  102400 kB\nThreads:\t4\n";
        let cases = [
            ("VmRSS", Some(100 * 1024 * 1024)),
            ("VmHWM", Some(200 * 1024 * 1024)),
            ("Threads", None),
            ("VmSwap", None),
            ("Vm", None),
        ];
        for (field, want) in cases {
            assert_eq!(proc_status_bytes(status, field), want, "{field}");
        }
    }

    #[test]
    fn reconcile_totals_add_results_per_controller() {
        let metrics = "# HELP karmada_controller_reconcile Reconciles by result\n\
            # TYPE karmada_controller_reconcile counter\n\
            karmada_controller_reconcile_total{controller=\"detector\",result=\"success\"} 10\n\
            karmada_controller_reconcile_total{controller=\"detector\",result=\"error\"} 2\n\
            karmada_controller_reconcile_total{result=\"success\",controller=\"binding\"} 5\n\
            karmada_controller_queue_depth{controller=\"binding\"} 3\n\
            karmada_controller_reconcile_total{result=\"success\"} 9\n";
        let totals = reconcile_totals(metrics);
        assert_eq!(totals.get("detector"), Some(&12));
        assert_eq!(totals.get("binding"), Some(&5));
        assert_eq!(totals.len(), 2, "{totals:?}");
    }

    #[test]
    fn metrics_address_is_found_in_the_serving_line_only() {
        let cases = [
            (
                "2026-11-22T08:00:00Z  INFO karmada_controllers::manager: karmada-controller-manager serving metrics=127.0.0.1:41234",
                Some("127.0.0.1:41234"),
            ),
            (
                "\u{1b}[2m2026\u{1b}[0m \u{1b}[32m INFO\u{1b}[0m karmada-controller-manager serving \u{1b}[3mmetrics\u{1b}[0m\u{1b}[2m=\u{1b}[0m127.0.0.1:9 x",
                Some("127.0.0.1:9"),
            ),
            ("INFO became leader metrics=127.0.0.1:1", None),
            ("karmada-controller-manager serving metrics=nonsense", None),
        ];
        for (line, want) in cases {
            let want = want.map(|a| a.parse().expect("an address"));
            assert_eq!(metrics_addr_in_log(line), want, "{line}");
        }
    }

    #[test]
    fn sizes_and_durations_print_with_one_decimal() {
        assert_eq!(mib(3 * 1024 * 1024 / 2), "1.5 MiB");
        assert_eq!(ms(Duration::from_micros(12_345)), "12.3 ms");
    }
}
