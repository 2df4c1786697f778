//! The applied-overrides annotations, byte for byte as Karmada's Go JSON encoding writes them:
//! struct field order, Go's `omitempty` rules (empty lists and strings left out, a missing
//! plaintext or field-patch value written as `null`) and Go's HTML-safe escaping.

use karmada_api::policy::v1alpha1::{
    CommandArgsOperator, CommandArgsOverrider, FieldOverrider, FieldPatchOperation, ImageComponent,
    ImageOverrider, ImagePredicate, LabelAnnotationOverrider, OverriderOperator, Overriders,
    PlaintextOverrider,
};
use serde::Serialize;
use serde_json::Value;

use super::OverridePolicyShadow;

/// The annotation value for `shadows`: a JSON list sorted by policy name (stable, so rules of
/// one policy keep their order), or `None` when the list is empty.
pub(super) fn annotation(shadows: &[OverridePolicyShadow]) -> Option<String> {
    if shadows.is_empty() {
        return None;
    }
    let mut sorted: Vec<&OverridePolicyShadow> = shadows.iter().collect();
    sorted.sort_by(|a, b| a.policy_name.cmp(&b.policy_name));
    let items: Vec<GoShadow<'_>> = sorted.into_iter().map(GoShadow::from).collect();
    // Serialising plain structs with string keys into a String cannot fail.
    serde_json::to_string(&items)
        .ok()
        .map(|json| go_escape(&json))
}

/// Go's `encoding/json` escapes `<`, `>`, `&`, U+2028 and U+2029 inside strings. These never
/// occur outside strings in JSON text, so escaping the whole text is exact.
fn go_escape(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct GoShadow<'a> {
    policy_name: &'a str,
    overriders: GoOverriders<'a>,
}

impl<'a> From<&'a OverridePolicyShadow> for GoShadow<'a> {
    fn from(shadow: &'a OverridePolicyShadow) -> Self {
        GoShadow {
            policy_name: &shadow.policy_name,
            overriders: GoOverriders::from(&shadow.overriders),
        }
    }
}

fn list<T>(items: &Option<Vec<T>>) -> &[T] {
    items.as_deref().unwrap_or_default()
}

/// `Overriders` in Go's field order.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct GoOverriders<'a> {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    plaintext: Vec<GoPatch<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    image_overrider: Vec<GoImage<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    command_overrider: Vec<GoCommandArgs<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    args_overrider: Vec<GoCommandArgs<'a>>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    labels_overrider: &'a [LabelAnnotationOverrider],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    annotations_overrider: &'a [LabelAnnotationOverrider],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    field_overrider: Vec<GoField<'a>>,
}

impl<'a> From<&'a Overriders> for GoOverriders<'a> {
    fn from(o: &'a Overriders) -> Self {
        let command_args = |items: &'a Option<Vec<CommandArgsOverrider>>| {
            list(items).iter().map(GoCommandArgs::from).collect()
        };
        GoOverriders {
            plaintext: list(&o.plaintext).iter().map(GoPatch::from).collect(),
            image_overrider: list(&o.image_overrider).iter().map(GoImage::from).collect(),
            command_overrider: command_args(&o.command_overrider),
            args_overrider: command_args(&o.args_overrider),
            labels_overrider: list(&o.labels_overrider),
            annotations_overrider: list(&o.annotations_overrider),
            field_overrider: list(&o.field_overrider).iter().map(GoField::from).collect(),
        }
    }
}

/// A plaintext overrider (`path`) or a field patch operation (`subPath`): the value is an
/// `apiextensionsv1.JSON`, which Go writes as `null` when empty despite `omitempty`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct GoPatch<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    path: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sub_path: Option<&'a str>,
    operator: OverriderOperator,
    value: &'a Value,
}

const NULL: Value = Value::Null;

impl<'a> From<&'a PlaintextOverrider> for GoPatch<'a> {
    fn from(o: &'a PlaintextOverrider) -> Self {
        GoPatch {
            path: Some(&o.path),
            sub_path: None,
            operator: o.operator,
            value: o.value.as_ref().unwrap_or(&NULL),
        }
    }
}

impl<'a> From<&'a FieldPatchOperation> for GoPatch<'a> {
    fn from(o: &'a FieldPatchOperation) -> Self {
        GoPatch {
            path: None,
            sub_path: Some(&o.sub_path),
            operator: o.operator,
            value: o.value.as_ref().unwrap_or(&NULL),
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct GoImage<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    predicate: Option<&'a ImagePredicate>,
    component: ImageComponent,
    operator: OverriderOperator,
    #[serde(skip_serializing_if = "str::is_empty")]
    value: &'a str,
}

impl<'a> From<&'a ImageOverrider> for GoImage<'a> {
    fn from(o: &'a ImageOverrider) -> Self {
        GoImage {
            predicate: o.predicate.as_ref(),
            component: o.component,
            operator: o.operator,
            value: o.value.as_deref().unwrap_or_default(),
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct GoCommandArgs<'a> {
    container_name: &'a str,
    operator: CommandArgsOperator,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    value: &'a [String],
}

impl<'a> From<&'a CommandArgsOverrider> for GoCommandArgs<'a> {
    fn from(o: &'a CommandArgsOverrider) -> Self {
        GoCommandArgs {
            container_name: &o.container_name,
            operator: o.operator,
            value: list(&o.value),
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct GoField<'a> {
    field_path: &'a str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    json: Vec<GoPatch<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    yaml: Vec<GoPatch<'a>>,
}

impl<'a> From<&'a FieldOverrider> for GoField<'a> {
    fn from(o: &'a FieldOverrider) -> Self {
        GoField {
            field_path: &o.field_path,
            json: list(&o.json).iter().map(GoPatch::from).collect(),
            yaml: list(&o.yaml).iter().map(GoPatch::from).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn shadow(name: &str, overriders: Value) -> OverridePolicyShadow {
        OverridePolicyShadow {
            policy_name: name.into(),
            overriders: serde_json::from_value(overriders).expect("overriders"),
        }
    }

    #[test]
    fn nothing_applied_means_no_annotation() {
        assert_eq!(annotation(&[]), None);
    }

    #[test]
    fn the_annotation_is_sorted_by_policy_name_and_keeps_rule_order() {
        let shadows = [
            shadow(
                "b",
                json!({"labelsOverrider": [{"operator": "add", "value": {"rule": "1"}}]}),
            ),
            shadow("a", json!({})),
            shadow(
                "b",
                json!({"labelsOverrider": [{"operator": "add", "value": {"rule": "2"}}]}),
            ),
        ];
        assert_eq!(
            annotation(&shadows).as_deref(),
            Some(concat!(
                r#"[{"policyName":"a","overriders":{}},"#,
                r#"{"policyName":"b","overriders":{"labelsOverrider":[{"operator":"add","value":{"rule":"1"}}]}},"#,
                r#"{"policyName":"b","overriders":{"labelsOverrider":[{"operator":"add","value":{"rule":"2"}}]}}]"#,
            ))
        );
    }

    #[test]
    fn every_overrider_is_written_in_go_field_order_with_go_omitempty() {
        let overriders = json!({
            "fieldOverrider": [{"fieldPath": "/data/c.yaml", "yaml": [{"subPath": "/a", "operator": "remove"}], "json": []}],
            "annotationsOverrider": [{"operator": "remove", "value": {}}],
            "labelsOverrider": [{"operator": "replace", "value": {"b": "2", "a": "1"}}],
            "argsOverrider": [{"containerName": "c", "operator": "add", "value": ["--v=2"]}],
            "commandOverrider": [{"containerName": "c", "operator": "remove", "value": []}],
            "imageOverrider": [
                {"component": "Tag", "operator": "remove", "value": ""},
                {"predicate": {"path": "/spec/image"}, "component": "Registry", "operator": "replace", "value": "r.io"}
            ],
            "plaintext": [
                {"path": "/spec/x", "operator": "remove"},
                {"path": "/spec/y", "operator": "add", "value": {"k": [1, "<&>"]}}
            ],
        });
        let want = concat!(
            r#"[{"policyName":"p","overriders":{"#,
            r#""plaintext":[{"path":"/spec/x","operator":"remove","value":null},"#,
            r#"{"path":"/spec/y","operator":"add","value":{"k":[1,"\u003c\u0026\u003e"]}}],"#,
            r#""imageOverrider":[{"component":"Tag","operator":"remove"},"#,
            r#"{"predicate":{"path":"/spec/image"},"component":"Registry","operator":"replace","value":"r.io"}],"#,
            r#""commandOverrider":[{"containerName":"c","operator":"remove"}],"#,
            r#""argsOverrider":[{"containerName":"c","operator":"add","value":["--v=2"]}],"#,
            r#""labelsOverrider":[{"operator":"replace","value":{"a":"1","b":"2"}}],"#,
            r#""annotationsOverrider":[{"operator":"remove","value":{}}],"#,
            r#""fieldOverrider":[{"fieldPath":"/data/c.yaml","yaml":[{"subPath":"/a","operator":"remove","value":null}]}]"#,
            r#"}}]"#,
        );
        assert_eq!(
            annotation(&[shadow("p", overriders)]).as_deref(),
            Some(want)
        );
    }

    #[test]
    fn go_escapes_html_and_line_separators() {
        assert_eq!(
            go_escape("{\"a\":\"<b> & \u{2028}\u{2029}\"}"),
            r#"{"a":"\u003cb\u003e \u0026 \u2028\u2029"}"#
        );
    }
}
