//! Each overrider kind and operator, applied through a single ClusterOverridePolicy.

use serde_json::{Value, json};

use super::*;

#[test]
fn image_overrider_operators_edit_one_component() {
    let cases = [
        ("nginx:1.25", "Registry", "add", "r.io", "r.io/nginx:1.25"),
        (
            "a.io/nginx:1.25",
            "Registry",
            "add",
            "-mirror",
            "a.io-mirror/nginx:1.25",
        ),
        (
            "a.io/nginx:1.25",
            "Registry",
            "replace",
            "b.io:5000",
            "b.io:5000/nginx:1.25",
        ),
        ("a.io/nginx:1.25", "Registry", "remove", "", "nginx:1.25"),
        (
            "a.io/lib/nginx",
            "Repository",
            "add",
            "-debug",
            "a.io/lib/nginx-debug",
        ),
        (
            "a.io/lib/nginx:1",
            "Repository",
            "replace",
            "x/httpd",
            "a.io/x/httpd:1",
        ),
        ("a.io/nginx:1", "Repository", "remove", "", "a.io/:1"),
        ("nginx:1.25", "Tag", "add", "-alpine", "nginx:1.25-alpine"),
        ("nginx", "Tag", "add", "v1", "nginx:v1"),
        ("nginx:1.25", "Tag", "replace", "1.26", "nginx:1.26"),
        ("nginx:1.25", "Tag", "replace", SHA, &format!("nginx@{SHA}")),
        ("nginx:1.25", "Tag", "remove", "", "nginx"),
        (&format!("nginx@{SHA}"), "Tag", "remove", "", "nginx"),
        (
            &format!("nginx:1@{SHA}"),
            "Registry",
            "replace",
            "r.io",
            &format!("r.io/nginx:1@{SHA}"),
        ),
    ];
    for (image, component, operator, value, want) in cases {
        let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
            "spec": {"containers": [{"name": "c", "image": image}]}});
        let got = overridden(
            pod,
            json!({"imageOverrider": [{"component": component, "operator": operator, "value": value}]}),
        );
        assert_eq!(
            image_at("/spec/containers/0/image")(&got),
            want,
            "{component} {operator} {value:?} on {image}"
        );
    }
}

#[test]
fn image_overrider_without_predicate_rewrites_every_container_of_known_workloads() {
    let pod_spec = json!({
        "initContainers": [{"name": "i", "image": "busybox"}],
        "containers": [{"name": "a", "image": "nginx"}, {"name": "b", "image": "x.io/app:v1"}],
    });
    let template = json!({"template": {"spec": pod_spec.clone()}});
    let cases = [
        ("v1", "Pod", pod_spec.clone(), "/spec"),
        (
            "apps/v1",
            "Deployment",
            template.clone(),
            "/spec/template/spec",
        ),
        (
            "apps/v1",
            "ReplicaSet",
            template.clone(),
            "/spec/template/spec",
        ),
        (
            "apps/v1",
            "DaemonSet",
            template.clone(),
            "/spec/template/spec",
        ),
        (
            "apps/v1",
            "StatefulSet",
            template.clone(),
            "/spec/template/spec",
        ),
        ("batch/v1", "Job", template.clone(), "/spec/template/spec"),
        (
            "batch/v1",
            "CronJob",
            json!({"jobTemplate": {"spec": template.clone()}}),
            "/spec/jobTemplate/spec/template/spec",
        ),
    ];
    let overriders = json!({"imageOverrider": [{"component": "Registry", "operator": "replace", "value": "m.io"}]});
    for (api_version, kind, spec, pod) in cases {
        let manifest = json!({"apiVersion": api_version, "kind": kind, "metadata": {"name": "w"}, "spec": spec});
        let got = overridden(manifest, overriders.clone());
        let image = |p: &str| image_at(p)(&got).to_string();
        assert_eq!(
            image(&format!("{pod}/containers/0/image")),
            "m.io/nginx",
            "{kind}"
        );
        assert_eq!(
            image(&format!("{pod}/containers/1/image")),
            "m.io/app:v1",
            "{kind}"
        );
        assert_eq!(
            image(&format!("{pod}/initContainers/0/image")),
            "m.io/busybox",
            "{kind}"
        );
    }
    let custom = json!({"apiVersion": "x.io/v1", "kind": "Custom", "metadata": {"name": "w"},
        "spec": {"template": {"spec": pod_spec}}});
    assert_eq!(
        overridden(custom.clone(), overriders),
        custom,
        "unknown kinds are untouched"
    );
}

#[test]
fn image_overrider_with_predicate_rewrites_only_that_path() {
    let got = overridden(
        deployment(),
        json!({"imageOverrider": [{
            "predicate": {"path": "/spec/template/spec/containers/1/image"},
            "component": "Tag", "operator": "replace", "value": "3.10",
        }]}),
    );
    let mut want = deployment();
    want["spec"]["template"]["spec"]["containers"][1]["image"] =
        json!("registry.k8s.io/pause:3.10");
    assert_eq!(got, want);
}

#[test]
fn image_overriders_run_in_order_each_on_the_previous_result() {
    let got = overridden(
        deployment(),
        json!({"imageOverrider": [
            {"component": "Registry", "operator": "replace", "value": "m.io"},
            {"component": "Registry", "operator": "add", "value": ":5000"},
            {"component": "Tag", "operator": "replace", "value": "stable"},
        ]}),
    );
    let image = image_at("/spec/template/spec/containers/0/image");
    assert_eq!(image(&got), "m.io:5000/nginx:stable");
}

#[test]
fn image_overrider_failures_name_the_cause() {
    let pod = |container: Value| {
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
            "spec": {"containers": [container]}})
    };
    let registry = |predicate: Option<&str>| {
        let mut o = json!({"component": "Registry", "operator": "replace", "value": "r.io"});
        if let Some(path) = predicate {
            o["predicate"] = json!({"path": path});
        }
        json!({"imageOverrider": [o]})
    };
    let cases = [
        (
            pod(json!({"name": "c", "image": "nginx"})),
            registry(Some("/spec/containers/3/image")),
            r#"path "/spec/containers/3/image" not found"#,
        ),
        (
            pod(json!({"name": "c", "image": "nginx"})),
            registry(Some("/spec/containers/0")),
            r#"the value at "/spec/containers/0" is not a string"#,
        ),
        (
            pod(json!({"name": "c", "image": "nginx"})),
            registry(Some("spec/containers/0/image")),
            r#""spec/containers/0/image" is not a JSON pointer"#,
        ),
        (
            pod(json!({"name": "c", "image": "Nginx"})),
            registry(None),
            r#"invalid image "Nginx" at "/spec/containers/0/image": repository name must be lowercase"#,
        ),
        (
            pod(json!({"name": "c"})),
            registry(None),
            r#"invalid image "" at "/spec/containers/0/image": repository name must have at least one component"#,
        ),
        (
            pod(json!({"name": "c", "image": "nginx:1"})),
            json!({"imageOverrider": [{"component": "Tag", "operator": "replace", "value": "not valid"}]}),
            r#""not valid" is neither an image tag nor a digest"#,
        ),
        (
            pod(json!({"name": "c", "image": format!("nginx@{SHA}")})),
            json!({"imageOverrider": [{"component": "Tag", "operator": "add", "value": "-x"}]}),
            "is neither an image tag nor a digest",
        ),
    ];
    for (manifest, overriders, want) in cases {
        let error = failure(manifest, overriders).to_string();
        assert!(error.contains(want), "{error}\n  should contain {want}");
    }
}

#[test]
fn command_and_args_overriders_edit_the_named_container() {
    let containers = "/spec/template/spec/containers";
    let cases = [
        (
            "add appends to the command",
            json!({"commandOverrider": [{"containerName": "nginx", "operator": "add", "value": ["-c", "/etc/n.conf"]}]}),
            "0/command",
            json!(["nginx", "-c", "/etc/n.conf"]),
        ),
        (
            "remove deletes every matching arg",
            json!({"argsOverrider": [{"containerName": "nginx", "operator": "remove", "value": ["-g", "absent"]}]}),
            "0/args",
            json!(["daemon off;"]),
        ),
        (
            "add creates a missing list",
            json!({"argsOverrider": [{"containerName": "sidecar", "operator": "add", "value": ["--v=2"]}]}),
            "1/args",
            json!(["--v=2"]),
        ),
        (
            "remove leaves a missing list absent",
            json!({"commandOverrider": [{"containerName": "sidecar", "operator": "remove", "value": ["x"]}]}),
            "1/command",
            Value::Null,
        ),
        (
            "add without values leaves a missing list absent",
            json!({"commandOverrider": [{"containerName": "sidecar", "operator": "add"}]}),
            "1/command",
            Value::Null,
        ),
        (
            "command and args are separate lists",
            json!({"argsOverrider": [{"containerName": "nginx", "operator": "add", "value": ["x"]}]}),
            "0/command",
            json!(["nginx"]),
        ),
        (
            "another container's name changes nothing",
            json!({"commandOverrider": [{"containerName": "other", "operator": "add", "value": ["x"]}]}),
            "0/command",
            json!(["nginx"]),
        ),
        (
            "init containers are not command targets",
            json!({"commandOverrider": [{"containerName": "init", "operator": "add", "value": ["x"]}]}),
            "/spec/template/spec/initContainers/0/command",
            Value::Null,
        ),
    ];
    for (name, overriders, at, want) in cases {
        let got = overridden(deployment(), overriders);
        let pointer = if at.starts_with('/') {
            at.to_string()
        } else {
            format!("{containers}/{at}")
        };
        assert_eq!(
            got.pointer(&pointer).cloned().unwrap_or(Value::Null),
            want,
            "{name}"
        );
    }
}

#[test]
fn command_overrider_rejects_a_command_that_is_not_a_list_of_strings() {
    let mut manifest = deployment();
    manifest["spec"]["template"]["spec"]["containers"][0]["command"] = json!(["nginx", 1]);
    let error = failure(
        manifest,
        json!({"commandOverrider": [{"containerName": "nginx", "operator": "add", "value": ["x"]}]}),
    );
    assert!(
        matches!(*error.reason, OverriderError::NotAStringList { .. }),
        "{error}"
    );
}

#[test]
fn labels_and_annotations_overriders_edit_metadata() {
    let got = overridden(
        deployment(),
        json!({
            "labelsOverrider": [{"operator": "add", "value": {"cluster": "member1"}}, {"operator": "remove", "value": {"app": ""}}],
            "annotationsOverrider": [{"operator": "add", "value": {"note": "x"}}],
        }),
    );
    assert_eq!(got["metadata"]["labels"], json!({"cluster": "member1"}));
    assert_eq!(got["metadata"]["annotations"], json!({"note": "x"}));
}

#[test]
fn json_field_overrider_patches_the_embedded_document() {
    let manifest =
        config_map(json!({"cfg.json": r#"{"db": {"host": "a", "port": 1}, "debug": true}"#}));
    let got = overridden(
        manifest,
        json!({"fieldOverrider": [{"fieldPath": "/data/cfg.json", "json": [
            {"subPath": "/db/host", "operator": "replace", "value": "b"},
            {"subPath": "/db/pool", "operator": "add", "value": {"size": 5}},
            {"subPath": "/debug", "operator": "remove"},
        ]}]}),
    );
    assert_eq!(
        got["data"]["cfg.json"],
        r#"{"db":{"host":"b","pool":{"size":5},"port":1}}"#
    );
}

#[test]
fn yaml_field_overrider_patches_the_embedded_document() {
    let text = "db:\n  host: a\n  ports:\n    - 1\n    - 2\nname: app\nversion: '1.0'\n";
    let manifest = config_map(json!({"cfg.yaml": text}));
    let got = overridden(
        manifest,
        json!({"fieldOverrider": [{"fieldPath": "/data/cfg.yaml", "yaml": [
            {"subPath": "/db/host", "operator": "replace", "value": "b"},
            {"subPath": "/db/ports/-", "operator": "add", "value": 3},
            {"subPath": "/name", "operator": "remove"},
        ]}]}),
    );
    let rendered = got["data"]["cfg.yaml"].as_str().expect("a string");
    let parsed: Value = serde_saphyr::from_str(rendered).expect("valid YAML");
    assert_eq!(
        parsed,
        json!({"db": {"host": "b", "ports": [1, 2, 3]}, "version": "1.0"}),
        "strings that look like numbers stay strings"
    );
    assert!(
        rendered.starts_with("db:\n  host: b\n  ports:\n  - 1\n  - 2\n  - 3\n"),
        "block style with sorted keys, like Karmada's YAML: {rendered}"
    );
}

#[test]
fn field_overrider_on_an_escaped_key() {
    let manifest = config_map(json!({"a/b.json": r#"{"x": 1}"#}));
    let got = overridden(
        manifest,
        json!({"fieldOverrider": [{"fieldPath": "/data/a~1b.json", "json": [
            {"subPath": "/x", "operator": "replace", "value": 2},
        ]}]}),
    );
    assert_eq!(got["data"]["a/b.json"], r#"{"x":2}"#);
}

#[test]
fn field_overrider_failures_name_the_cause() {
    let manifest = config_map(json!({"cfg.json": r#"{"x": 1}"#, "cfg.yaml": "x: [", "n": 1}));
    let op = json!([{"subPath": "/x", "operator": "replace", "value": 2}]);
    let cases = [
        (
            json!({"fieldPath": "/data/cfg.json", "json": op, "yaml": op}),
            "a field overrider must set exactly one of json and yaml",
        ),
        (
            json!({"fieldPath": "/data/cfg.json"}),
            "a field overrider must set exactly one of json and yaml",
        ),
        (
            json!({"fieldPath": "/data/missing", "json": op}),
            r#"path "/data/missing" not found"#,
        ),
        (
            json!({"fieldPath": "data/cfg.json", "json": op}),
            r#""data/cfg.json" is not a JSON pointer"#,
        ),
        (
            json!({"fieldPath": "/data/n", "json": op}),
            r#"the value at "/data/n" is not a string"#,
        ),
        (
            json!({"fieldPath": "/data/cfg.yaml", "yaml": op}),
            r#"the value at "/data/cfg.yaml" is not a YAML document"#,
        ),
        (
            json!({"fieldPath": "/data/cfg.yaml", "json": op}),
            r#"the value at "/data/cfg.yaml" is not a JSON document"#,
        ),
        (
            json!({"fieldPath": "/data/cfg.json", "json": [{"subPath": "/y", "operator": "remove"}]}),
            "JSON patch failed",
        ),
    ];
    for (field, want) in cases {
        let error = failure(manifest.clone(), json!({"fieldOverrider": [field]})).to_string();
        assert!(error.contains(want), "{error}\n  should contain {want}");
    }
}

#[test]
fn plaintext_operators_follow_rfc_6902() {
    let got = overridden(
        deployment(),
        json!({"plaintext": [
            {"path": "/spec/replicas", "operator": "replace", "value": 5},
            {"path": "/spec/paused", "operator": "add", "value": true},
            {"path": "/spec/template/spec/containers/0/args", "operator": "remove"},
            {"path": "/spec/template/spec/containers/-", "operator": "add", "value": {"name": "new"}},
            {"path": "/metadata/annotations", "operator": "add"},
        ]}),
    );
    assert_eq!(got["spec"]["replicas"], 5);
    assert_eq!(got["spec"]["paused"], true);
    let containers = &got["spec"]["template"]["spec"]["containers"];
    assert_eq!(containers[0].get("args"), None);
    assert_eq!(containers[2], json!({"name": "new"}));
    assert_eq!(
        got["metadata"]["annotations"],
        Value::Null,
        "a missing value is null"
    );
}

#[test]
fn plaintext_is_all_or_nothing_and_reports_the_failing_operation() {
    let error = failure(
        deployment(),
        json!({"plaintext": [
            {"path": "/spec/replicas", "operator": "replace", "value": 5},
            {"path": "/spec/missing", "operator": "replace", "value": 1},
        ]}),
    );
    assert_eq!(
        error.at,
        OverriderPath {
            rule: Some(0),
            kind: OverriderKind::Plaintext,
            index: 1
        }
    );
    let remove_missing = failure(
        deployment(),
        json!({"plaintext": [{"path": "/spec/missing", "operator": "remove"}]}),
    );
    assert!(matches!(*remove_missing.reason, OverriderError::Patch(_)));
    let bad_pointer = failure(
        deployment(),
        json!({"plaintext": [{"path": "spec", "operator": "remove"}]}),
    );
    assert!(matches!(
        *bad_pointer.reason,
        OverriderError::InvalidPath { .. }
    ));
}

#[test]
fn overriders_of_a_rule_run_in_karmadas_fixed_order() {
    // Image before plaintext: the plaintext value wins.
    let got = overridden(
        deployment(),
        json!({
            "plaintext": [{"path": "/spec/template/spec/containers/0/image", "operator": "replace", "value": "httpd:2"}],
            "imageOverrider": [{"component": "Tag", "operator": "replace", "value": "9"}],
        }),
    );
    assert_eq!(
        got["spec"]["template"]["spec"]["containers"][0]["image"],
        "httpd:2"
    );
    // Labels before plaintext: a replace of the added label finds it.
    let got = overridden(
        deployment(),
        json!({
            "plaintext": [{"path": "/metadata/labels/new", "operator": "replace", "value": "p"}],
            "labelsOverrider": [{"operator": "add", "value": {"new": "l"}}],
        }),
    );
    assert_eq!(got["metadata"]["labels"]["new"], "p");
    // Field before plaintext: a field added by plaintext is not there yet for the field overrider.
    let error = failure(
        config_map(json!({})),
        json!({
            "plaintext": [{"path": "/data/c.json", "operator": "add", "value": "{}"}],
            "fieldOverrider": [{"fieldPath": "/data/c.json", "json": [{"subPath": "/a", "operator": "add", "value": 1}]}],
        }),
    );
    assert_eq!(error.at.kind, OverriderKind::Field);
    // Image before field: the image overrider fails before the field overrider could.
    let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
        "spec": {"containers": [{"name": "c", "image": "a"}]}});
    let error = failure(
        pod,
        json!({
            "fieldOverrider": [{"fieldPath": "/spec/containers/0/image", "json": [{"subPath": "/x", "operator": "add", "value": 1}]}],
            "imageOverrider": [{"component": "Tag", "operator": "replace", "value": "{}"}],
        }),
    );
    assert_eq!(
        error.at.kind,
        OverriderKind::Image,
        "the image overrider runs (and fails) before the field overrider"
    );
}
