//! Bad writes: patches, bodies the server cannot decode or keep, CRDs and custom objects that break
//! their rules, and protected namespaces.

use serde_json::{Value, json};

use super::fixtures::*;
use super::*;

pub(super) fn bad_patches() -> Vec<Case> {
    let mut cases = Vec::new();
    let cm = format!("{CM}/cm");
    for (what, patch) in [
        ("an object", json!({"op": "add"})),
        (
            "an unknown op",
            json!([{"op": "frobnicate", "path": "/data/a"}]),
        ),
        ("no op", json!([{"path": "/data/a", "value": "x"}])),
        ("no path", json!([{"op": "add", "value": "x"}])),
        (
            "add without value",
            json!([{"op": "add", "path": "/data/b"}]),
        ),
        (
            "a relative path",
            json!([{"op": "add", "path": "data/b", "value": "x"}]),
        ),
        ("a numeric op", json!([{"op": 5, "path": "/data/a"}])),
        (
            "move without from",
            json!([{"op": "move", "path": "/data/b"}]),
        ),
        ("a list of strings", json!(["add", "/data/a"])),
        (
            "a bad escape",
            json!([{"op": "add", "path": "/metadata/labels/a~2b", "value": "x"}]),
        ),
    ] {
        cases.push(
            Case::new(format!("JSON patch that is {what}"), "PATCH", cm.clone())
                .patch(JSON_PATCH, patch)
                .bad_request()
                .expect(422, "Invalid"),
        );
    }
    for (what, op) in [
        (
            "removes a missing key",
            json!({"op": "remove", "path": "/data/nothere"}),
        ),
        (
            "replaces a missing key",
            json!({"op": "replace", "path": "/data/nothere", "value": "x"}),
        ),
        (
            "moves from a missing key",
            json!({"op": "move", "from": "/data/nothere", "path": "/data/b"}),
        ),
        (
            "copies from a missing key",
            json!({"op": "copy", "from": "/data/nothere", "path": "/data/b"}),
        ),
        (
            "fails a test",
            json!({"op": "test", "path": "/data/a", "value": "wrong"}),
        ),
        (
            "adds under a missing parent",
            json!({"op": "add", "path": "/nothere/deeper", "value": 1}),
        ),
        (
            "adds past the end of a list",
            json!({"op": "add", "path": "/metadata/finalizers/5", "value": "x"}),
        ),
        (
            "removes the list end marker",
            json!({"op": "remove", "path": "/metadata/finalizers/-"}),
        ),
        (
            "indexes a map with a number",
            json!({"op": "replace", "path": "/data/0/x", "value": 1}),
        ),
    ] {
        cases.push(
            Case::new(format!("JSON patch that {what}"), "PATCH", cm.clone())
                .patch(JSON_PATCH, json!([op]))
                .expect(422, "Invalid"),
        );
    }
    for (what, patch) in [
        ("a list", json!([])),
        ("a list of objects", json!([{"data": {"a": "2"}}])),
        ("a string", json!("x")),
        ("a number", json!(5)),
        ("null", json!(null)),
        ("true", json!(true)),
    ] {
        cases.push(
            Case::new(format!("merge patch that is {what}"), "PATCH", cm.clone())
                .patch(MERGE, patch.clone())
                .bad_request(),
        );
        cases.push(
            Case::new(
                format!("strategic merge patch that is {what}"),
                "PATCH",
                format!("{DEPLOY}/web"),
            )
            .patch(STRATEGIC, patch)
            .bad_request()
            .expect(422, "Invalid"),
        );
    }
    for body in [&b"{"[..], b"not json", b"", b"{\"data\": }"] {
        let shown = String::from_utf8_lossy(body).into_owned();
        for content_type in [MERGE, JSON_PATCH, STRATEGIC] {
            cases.push(
                Case::new(
                    format!("{content_type} body {shown:?}"),
                    "PATCH",
                    cm.clone(),
                )
                .raw(content_type, body)
                .bad_request(),
            );
        }
    }
    for (what, patch) in [
        (
            "a bogus $patch directive",
            json!({"spec": {"template": {"spec": {"containers": [{"name": "c", "$patch": "bogus"}]}}}}),
        ),
        (
            "a merge-list item without its key",
            json!({"spec": {"template": {"spec": {"containers": [{"image": "x"}]}}}}),
        ),
        (
            "a non-list $setElementOrder",
            json!({"spec": {"template": {"spec": {"$setElementOrder/containers": "c"}}}}),
        ),
        (
            "a non-list $retainKeys",
            json!({"spec": {"strategy": {"$retainKeys": "type"}}}),
        ),
    ] {
        cases.push(
            Case::new(
                format!("strategic merge patch with {what}"),
                "PATCH",
                format!("{DEPLOY}/web"),
            )
            .patch(STRATEGIC, patch)
            .bad_request()
            .expect(422, "Invalid"),
        );
    }
    cases.push(
        Case::new(
            "strategic merge patch on a custom object",
            "PATCH",
            format!("{WIDGETS}/w1"),
        )
        .patch(STRATEGIC, json!({"spec": {"size": 2}}))
        .expect(415, "UnsupportedMediaType"),
    );
    for content_type in [
        "application/json",
        "text/plain",
        "application/xml",
        "application/json-patch+json+extra",
        "multipart/form-data",
        "application/strategic-merge-patch+yaml",
        "application/x-www-form-urlencoded",
    ] {
        cases.push(
            Case::new(format!("patch as {content_type}"), "PATCH", cm.clone())
                .raw(content_type, br#"{"data": {"a": "2"}}"#.to_vec())
                .expect(415, "UnsupportedMediaType"),
        );
    }
    cases.push(
        Case::new("patch without a Content-Type", "PATCH", cm.clone())
            .raw(JSON, br#"{"data": {"a": "2"}}"#.to_vec())
            .expect(415, "UnsupportedMediaType"),
    );
    cases.last_mut().expect("just pushed").content_type = None;
    for (what, patch, code, reason) in [
        (
            "an unparsable resourceVersion",
            json!({"metadata": {"resourceVersion": "abc"}}),
            400,
            "BadRequest",
        ),
        (
            "a stale resourceVersion",
            json!({"metadata": {"resourceVersion": "1"}}),
            409,
            "Conflict",
        ),
    ] {
        cases.push(
            Case::new(format!("merge patch with {what}"), "PATCH", cm.clone())
                .patch(MERGE, patch)
                .expect(code, reason),
        );
    }
    cases.extend([
        Case::new("scale patch with negative replicas", "PATCH", format!("{DEPLOY}/web/scale"))
            .patch(MERGE, json!({"spec": {"replicas": -1}}))
            .invalid("spec.replicas"),
        Case::new("scale replace with string replicas", "PUT", format!("{DEPLOY}/web/scale"))
            .json(json!({"apiVersion": "autoscaling/v1", "kind": "Scale", "metadata": {"name": "web"}, "spec": {"replicas": "x"}}))
            .invalid("spec.replicas"),
        Case::new("scale replace with broken JSON", "PUT", format!("{DEPLOY}/web/scale"))
            .raw(JSON, b"{".to_vec())
            .bad_request(),
        Case::new("replace with a stale resourceVersion", "PUT", format!("{CM}/cm"))
            .json(json!({"metadata": {"name": "cm", "resourceVersion": "1"}}))
            .expect(409, "Conflict"),
        Case::new("replace with an unparsable resourceVersion", "PUT", format!("{CM}/cm"))
            .json(json!({"metadata": {"name": "cm", "resourceVersion": "x1"}}))
            .bad_request(),
        Case::new("delete with a wrong uid precondition", "DELETE", format!("{CM}/cm"))
            .json(json!({"preconditions": {"uid": "not-the-uid"}}))
            .expect(409, "Conflict"),
        Case::new("delete with an unparsable resourceVersion precondition", "DELETE", format!("{CM}/cm"))
            .json(json!({"preconditions": {"resourceVersion": "x"}}))
            .bad_request(),
    ]);
    cases
}

pub(super) fn unsupported_bodies() -> Vec<Case> {
    let mut cases = Vec::new();
    for content_type in [
        "text/plain",
        "application/xml",
        "application/x-www-form-urlencoded",
        "application/cbor",
        "image/png",
    ] {
        cases.push(
            Case::new(format!("create as {content_type}"), "POST", CM)
                .raw(content_type, serde_json::to_vec(&config_map("x")).unwrap())
                .expect(415, "UnsupportedMediaType"),
        );
        cases.push(
            Case::new(
                format!("replace as {content_type}"),
                "PUT",
                format!("{CM}/cm"),
            )
            .raw(content_type, serde_json::to_vec(&config_map("cm")).unwrap())
            .expect(415, "UnsupportedMediaType"),
        );
    }
    // Protobuf decoding is being added: until then 415, afterwards 400 for these broken messages.
    let valid = pb_envelope("v1", "ConfigMap", &pb_config_map("pb"));
    let mut huge_length = b"k8s\0\x0a\xff\xff\xff\xff\x0f".to_vec();
    huge_length.extend_from_slice(b"abc");
    let protobufs: Vec<(&str, Vec<u8>)> = vec![
        ("an empty body", Vec::new()),
        ("only the magic", b"k8s\0".to_vec()),
        ("a cut-off tag", b"k8s\0\x0a".to_vec()),
        ("a 4 GiB length prefix", huge_length),
        ("a wrong magic", [b"k9s\0".as_slice(), &valid[4..]].concat()),
        ("random bytes", (0u8..=255).rev().collect()),
        ("a truncated message", valid[..valid.len() - 3].to_vec()),
        (
            "an unterminated varint",
            b"k8s\0\x0a\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80".to_vec(),
        ),
        ("JSON", serde_json::to_vec(&config_map("x")).unwrap()),
        (
            "a Secret for a ConfigMap",
            pb_envelope("v1", "Secret", &pb_config_map("pb")),
        ),
        (
            "apps/v1 for a ConfigMap",
            pb_envelope("apps/v1", "ConfigMap", &pb_config_map("pb")),
        ),
        (
            "a name that is not UTF-8",
            pb_envelope("v1", "ConfigMap", &pb_field(1, &pb_field(1, b"\xff\xfe"))),
        ),
    ];
    for (what, body) in protobufs {
        let mut case = Case::new(format!("protobuf create with {what}"), "POST", CM)
            .raw(PROTOBUF, body.clone())
            .bad_request()
            .expect(415, "UnsupportedMediaType");
        if what.contains("UTF-8") {
            // Like Go's protobuf decoding, the bytes may come through and fail name validation.
            case = case.expect(422, "Invalid");
        }
        cases.push(case);
    }
    for (what, body) in [
        ("a cut-off tag", b"k8s\0\x0a".to_vec()),
        ("a truncated message", valid[..valid.len() - 3].to_vec()),
    ] {
        cases.push(
            Case::new(
                format!("protobuf replace with {what}"),
                "PUT",
                format!("{CM}/cm"),
            )
            .raw(PROTOBUF, body.clone())
            .bad_request()
            .expect(415, "UnsupportedMediaType"),
        );
        cases.push(
            Case::new(
                format!("protobuf deployment create with {what}"),
                "POST",
                DEPLOY,
            )
            .raw(PROTOBUF, body)
            .bad_request()
            .expect(415, "UnsupportedMediaType"),
        );
    }
    // Bodies over the 3 MiB limit.
    let oversized = |name: &str| {
        let mut object = config_map(name);
        object["data"]["big"] = "x".repeat(MAX_BODY + 1).into();
        serde_json::to_vec(&object).unwrap()
    };
    for (method, path) in [
        ("POST", CM.to_string()),
        ("PUT", format!("{CM}/cm")),
        ("PATCH", format!("{CM}/cm")),
        ("POST", WIDGETS.to_string()),
        ("POST", CRDS.to_string()),
    ] {
        let content_type = if method == "PATCH" { MERGE } else { JSON };
        cases.push(
            Case::new(
                format!("{method} {path} with a body over 3 MiB"),
                method,
                path,
            )
            .raw(content_type, oversized("cm"))
            .expect(413, "RequestEntityTooLarge"),
        );
    }
    // Under the request limit but over what storage keeps (etcd's 1.5 MiB).
    let mut large = config_map("large");
    large["data"]["big"] = "x".repeat(2 * 1024 * 1024).into();
    cases.push(
        Case::new("create of a 2 MiB ConfigMap", "POST", CM)
            .json(large)
            .expect(413, "RequestEntityTooLarge")
            .expect(422, "Invalid"),
    );
    cases
}

pub(super) fn crd_and_schema_violations() -> Vec<Case> {
    let mut cases = Vec::new();
    let set = |pointer: &'static str, value: Value| {
        move |crd: &mut Value| *crd.pointer_mut(pointer).expect("field exists") = value
    };
    let remove = |parent: &'static str, key: &'static str| {
        move |crd: &mut Value| {
            crd.pointer_mut(parent)
                .and_then(Value::as_object_mut)
                .expect("parent exists")
                .remove(key);
        }
    };
    let invalid_crds: Vec<(&str, Value, &str)> = vec![
        (
            "without a group",
            gadgets_crd(remove("/spec", "group")),
            "spec.group",
        ),
        (
            "with a group without a dot",
            gadgets_crd(set("/spec/group", json!("nodot"))),
            "spec.group",
        ),
        (
            "with an empty plural",
            gadgets_crd(set("/spec/names/plural", json!(""))),
            "spec.names.plural",
        ),
        (
            "with an upper-case plural",
            gadgets_crd(set("/spec/names/plural", json!("Gadgets"))),
            "spec.names.plural",
        ),
        (
            "without a kind",
            gadgets_crd(remove("/spec/names", "kind")),
            "spec.names.kind",
        ),
        (
            "named unlike plural.group",
            gadgets_crd(set("/metadata/name", json!("wrong.example.com"))),
            "metadata.name",
        ),
        (
            "with scope Global",
            gadgets_crd(set("/spec/scope", json!("Global"))),
            "spec.scope",
        ),
        (
            "without a scope",
            gadgets_crd(remove("/spec", "scope")),
            "spec.scope",
        ),
        (
            "without versions",
            gadgets_crd(set("/spec/versions", json!([]))),
            "spec.versions",
        ),
        (
            "with two storage versions",
            gadgets_crd(|crd| {
                let mut v2 = crd["spec"]["versions"][0].clone();
                v2["name"] = "v2".into();
                crd["spec"]["versions"].as_array_mut().unwrap().push(v2);
            }),
            "spec.versions",
        ),
        (
            "without a storage version",
            gadgets_crd(set("/spec/versions/0/storage", json!(false))),
            "spec.versions",
        ),
        (
            "with an upper-case version",
            gadgets_crd(set("/spec/versions/0/name", json!("V1"))),
            "spec.versions[0].name",
        ),
        (
            "with an empty version name",
            gadgets_crd(set("/spec/versions/0/name", json!(""))),
            "spec.versions[0].name",
        ),
        (
            "without a schema",
            gadgets_crd(remove("/spec/versions/0", "schema")),
            "spec.versions[0].schema.openAPIV3Schema",
        ),
        (
            "with a string root schema",
            gadgets_crd(set(
                "/spec/versions/0/schema/openAPIV3Schema/type",
                json!("string"),
            )),
            "spec.versions[0].schema.openAPIV3Schema.type",
        ),
        (
            "with a broken printer column",
            gadgets_crd(set(
                "/spec/versions/0",
                json!({"name": "v1", "served": true, "storage": true,
                       "schema": {"openAPIV3Schema": {"type": "object"}},
                       "additionalPrinterColumns": [{"name": "X", "type": "string", "jsonPath": "{{bad"}]}),
            )),
            "spec.versions[0].additionalPrinterColumns[0].jsonPath",
        ),
    ];
    for (what, crd, field) in invalid_crds {
        cases.push(
            Case::new(format!("CRD {what}"), "POST", CRDS)
                .json(crd)
                .invalid(field),
        );
    }
    let mut bad_update = widgets_crd();
    bad_update["spec"]["scope"] = "Bogus".into();
    cases.push(
        Case::new(
            "CRD replace with scope Bogus",
            "PUT",
            format!("{CRDS}/widgets.example.com"),
        )
        .json(bad_update)
        .invalid("spec.scope"),
    );

    for (what, spec, field) in [
        ("a string size", json!({"size": "big"}), "spec.size"),
        ("a fractional size", json!({"size": 2.5}), "spec.size"),
        ("a size below the minimum", json!({"size": 0}), "spec.size"),
        ("a size above the maximum", json!({"size": 11}), "spec.size"),
        ("no size", json!({"color": "red"}), "spec.size"),
        (
            "a color outside the enum",
            json!({"size": 1, "color": "green"}),
            "spec.color",
        ),
        (
            "too many tags",
            json!({"size": 1, "tags": ["a", "b", "c", "d"]}),
            "spec.tags",
        ),
        (
            "a numeric tag",
            json!({"size": 1, "tags": [1]}),
            "spec.tags[0]",
        ),
        (
            "a label against the pattern",
            json!({"size": 1, "label": "ABC"}),
            "spec.label",
        ),
        (
            "a label over maxLength",
            json!({"size": 1, "label": "abcdef"}),
            "spec.label",
        ),
        (
            "a nested string for an integer",
            json!({"size": 1, "nested": {"x": "y"}}),
            "spec.nested.x",
        ),
        ("spec as a string", json!("big"), "spec"),
    ] {
        cases.push(
            Case::new(format!("Widget with {what}"), "POST", WIDGETS)
                .json(widget("bad", spec))
                .invalid(field),
        );
    }
    cases.extend([
        Case::new("Widget replace with size 0", "PUT", format!("{WIDGETS}/w1"))
            .json(widget("w1", json!({"size": 0})))
            .invalid("spec.size"),
        Case::new(
            "Widget merge patch to size 0",
            "PATCH",
            format!("{WIDGETS}/w1"),
        )
        .patch(MERGE, json!({"spec": {"size": 0}}))
        .invalid("spec.size"),
        Case::new(
            "Widget merge patch removing size",
            "PATCH",
            format!("{WIDGETS}/w1"),
        )
        .patch(MERGE, json!({"spec": {"size": null}}))
        .invalid("spec.size"),
        Case::new(
            "Widget JSON patch to a string size",
            "PATCH",
            format!("{WIDGETS}/w1"),
        )
        .patch(
            JSON_PATCH,
            json!([{"op": "replace", "path": "/spec/size", "value": "x"}]),
        )
        .invalid("spec.size"),
    ]);
    let strict =
        |what: &str, method: &'static str, path: String, body: Value, field: &'static str| {
            Case::new(
                format!("{what} with an unknown field under Strict"),
                method,
                path,
            )
            .raw(
                if method == "PATCH" { MERGE } else { JSON },
                serde_json::to_vec(&body).unwrap(),
            )
            .bad_request()
            .message(field)
        };
    cases.extend([
        strict(
            "Widget create",
            "POST",
            format!("{WIDGETS}?fieldValidation=Strict"),
            widget("s1", json!({"size": 1, "bogus": true})),
            "unknown field \"spec.bogus\"",
        ),
        strict(
            "Widget create (top level)",
            "POST",
            format!("{WIDGETS}?fieldValidation=Strict"),
            json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "s2"},
                      "spec": {"size": 1}, "extra": 1}),
            "unknown field \"extra\"",
        ),
        strict(
            "Widget create (nested)",
            "POST",
            format!("{WIDGETS}?fieldValidation=Strict"),
            widget("s3", json!({"size": 1, "nested": {"x": 1, "y": 2}})),
            "unknown field \"spec.nested.y\"",
        ),
        strict(
            "Widget replace",
            "PUT",
            format!("{WIDGETS}/w1?fieldValidation=Strict"),
            widget("w1", json!({"size": 1, "bogus": true})),
            "unknown field \"spec.bogus\"",
        ),
        strict(
            "Widget merge patch",
            "PATCH",
            format!("{WIDGETS}/w1?fieldValidation=Strict"),
            json!({"spec": {"bogus": true}}),
            "unknown field \"spec.bogus\"",
        ),
    ]);
    let mut unknown = config_map("strict-cm");
    unknown["bogus"] = json!(1);
    let mut unknown_spec = deployment("strict-deploy");
    unknown_spec["spec"]["bogus"] = json!(1);
    cases.extend([
        strict(
            "ConfigMap create",
            "POST",
            format!("{CM}?fieldValidation=Strict"),
            unknown,
            "unknown field \"bogus\"",
        ),
        strict(
            "Deployment create",
            "POST",
            format!("{DEPLOY}?fieldValidation=Strict"),
            unknown_spec,
            "unknown field \"spec.bogus\"",
        ),
    ]);
    for ns in ["default", "kube-system", "kube-public"] {
        cases.push(
            Case::new(
                format!("deleting namespace {ns}"),
                "DELETE",
                format!("/api/v1/namespaces/{ns}"),
            )
            .expect(403, "Forbidden"),
        );
    }
    cases
}

/// Values of the wrong JSON type for built-in kinds: kube-apiserver cannot decode them into the Go
/// types and answers 400; so must we (and store nothing).
pub(super) fn wrongly_typed_built_ins() -> Vec<Case> {
    let mut numeric_data = config_map("typed-1");
    numeric_data["data"]["a"] = json!(1);
    let mut string_replicas = deployment("typed-2");
    string_replicas["spec"]["replicas"] = json!("x");
    let mut object_image = deployment("typed-3");
    object_image["spec"]["template"]["spec"]["containers"][0]["image"] = json!({"name": "nginx"});
    let mut fractional_port = deployment("typed-4");
    fractional_port["spec"]["template"]["spec"]["containers"][0]["ports"] =
        json!([{"containerPort": 80.5}]);
    let mut list_labels = config_map("typed-5");
    list_labels["metadata"]["labels"] = json!(["a", "b"]);
    vec![
        Case::new("ConfigMap with a numeric data value", "POST", CM)
            .json(numeric_data)
            .bad_request(),
        Case::new("Deployment with string replicas", "POST", DEPLOY)
            .json(string_replicas)
            .bad_request(),
        Case::new("Deployment with an object as image", "POST", DEPLOY)
            .json(object_image)
            .bad_request(),
        Case::new("Deployment with a fractional containerPort", "POST", DEPLOY)
            .json(fractional_port)
            .bad_request(),
        Case::new("ConfigMap with labels as a list", "POST", CM)
            .json(list_labels)
            .bad_request(),
    ]
}
