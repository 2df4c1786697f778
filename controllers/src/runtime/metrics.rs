//! Prometheus metrics of the controllers: queue depth, reconcile latency and errors per controller.

use std::sync::Mutex;
use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ControllerLabel {
    controller: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ResultLabel {
    controller: String,
    result: String,
}

/// The metrics registry of one controller-manager.
pub struct Metrics {
    registry: Mutex<Registry>,
    queue_depth: Family<ControllerLabel, Gauge>,
    reconciles: Family<ResultLabel, Counter>,
    latency: Family<ControllerLabel, Histogram>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("karmada_controller");
        let queue_depth = Family::<ControllerLabel, Gauge>::default();
        let reconciles = Family::<ResultLabel, Counter>::default();
        let latency = Family::<ControllerLabel, Histogram>::new_with_constructor(|| {
            Histogram::new(exponential_buckets(0.0005, 2.0, 16))
        });
        registry.register(
            "queue_depth",
            "Keys waiting in the work queue",
            queue_depth.clone(),
        );
        registry.register(
            "reconcile",
            "Reconciles by result (success or error)",
            reconciles.clone(),
        );
        registry.register(
            "reconcile_duration_seconds",
            "Reconcile latency",
            latency.clone(),
        );
        Metrics {
            registry: Mutex::new(registry),
            queue_depth,
            reconciles,
            latency,
        }
    }

    pub fn observe_reconcile(&self, controller: &str, elapsed: Duration, ok: bool) {
        let label = ControllerLabel {
            controller: controller.to_string(),
        };
        self.latency
            .get_or_create(&label)
            .observe(elapsed.as_secs_f64());
        self.reconciles
            .get_or_create(&ResultLabel {
                controller: controller.to_string(),
                result: if ok { "success" } else { "error" }.to_string(),
            })
            .inc();
    }

    pub fn set_queue_depth(&self, controller: &str, depth: usize) {
        self.queue_depth
            .get_or_create(&ControllerLabel {
                controller: controller.to_string(),
            })
            .set(i64::try_from(depth).unwrap_or(i64::MAX));
    }

    /// The text exposition format.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        let registry = self.registry.lock().unwrap_or_else(|p| p.into_inner());
        let _ = prometheus_client::encoding::text::encode(&mut out, &registry);
        out
    }
}
