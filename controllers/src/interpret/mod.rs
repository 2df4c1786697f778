//! (in progress: the resource interpreter arrives from its own branch)

use karmada_api::work::v1alpha2::ReplicaRequirements;
use serde_json::Value;

pub fn replicas(object: &Value) -> Option<(i32, Option<ReplicaRequirements>)> {
    match object.get("kind")?.as_str()? {
        "Deployment" | "StatefulSet" | "ReplicaSet" => Some((
            object
                .pointer("/spec/replicas")
                .and_then(Value::as_i64)
                .unwrap_or(1) as i32,
            None,
        )),
        _ => None,
    }
}

pub fn revise_replicas(object: &mut Value, replicas: i32) {
    if let Some(spec) = object.get_mut("spec").and_then(Value::as_object_mut) {
        spec.insert("replicas".into(), replicas.into());
    }
}

pub fn reflect_status(object: &Value) -> Option<Value> {
    object.get("status").cloned()
}

pub fn health(_object: &Value) -> karmada_api::work::v1alpha1::ResourceHealth {
    karmada_api::work::v1alpha1::ResourceHealth::Healthy
}

pub fn retain(_desired: &mut Value, _observed: &Value) {}

pub fn aggregate_status(
    _template: &Value,
    _items: &[karmada_api::work::v1alpha2::AggregatedStatusItem],
) -> Option<Value> {
    None
}
