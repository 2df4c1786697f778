//! Schema fragments for embedded Kubernetes types whose k8s-openapi schema is looser than the one
//! Karmada's CRDs carry for them (controller-gen adds `metav1.Condition`'s validation markers).

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde_json::json;

/// A list of `metav1.Condition`, with the limits kube-apiserver's CRDs give each field.
pub(crate) fn conditions(generator: &mut SchemaGenerator) -> Schema {
    let mut condition = Condition::json_schema(generator);
    for (pointer, limits) in [
        (
            "/properties/status",
            json!({"enum": ["True", "False", "Unknown"]}),
        ),
        ("/properties/message", json!({"maxLength": 32768})),
        ("/properties/observedGeneration", json!({"minimum": 0})),
        (
            "/properties/reason",
            json!({"maxLength": 1024, "minLength": 1, "pattern": "^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$"}),
        ),
        (
            "/properties/type",
            json!({
                "maxLength": 316,
                "pattern": "^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$",
            }),
        ),
    ] {
        if let (Some(serde_json::Value::Object(field)), serde_json::Value::Object(limits)) =
            (condition.pointer_mut(pointer), limits)
        {
            field.extend(limits);
        }
    }
    let mut list = Schema::default();
    list.insert("type".into(), json!("array"));
    list.insert("items".into(), condition.to_value());
    list
}

#[cfg(test)]
mod tests {
    use schemars::generate::SchemaSettings;

    use super::*;

    #[test]
    fn condition_status_is_enumerated() {
        let mut generator = SchemaSettings::openapi3().into_generator();
        let schema = conditions(&mut generator).to_value();
        assert_eq!(schema["type"], "array");
        assert_eq!(
            schema["items"]["properties"]["status"]["enum"],
            json!(["True", "False", "Unknown"])
        );
        assert_eq!(schema["items"]["properties"]["reason"]["minLength"], 1);
    }
}
