//! tbd
use karmada_api::work::v1alpha2::AggregatedStatusItem;
use serde_json::Value;
pub fn reflect_status(_object: &Value) -> Option<Value> { None }
pub fn aggregate_status(_template: &Value, _items: &[AggregatedStatusItem]) -> Option<Value> { None }
