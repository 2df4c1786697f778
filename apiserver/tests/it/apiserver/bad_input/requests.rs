//! Bad requests of every verb: credentials, paths and methods, bodies, types and identity, names,
//! query parameters.

use base64::Engine;
use serde_json::{Value, json};

use super::fixtures::*;
use super::*;

pub(super) fn unauthenticated() -> Vec<Case> {
    let mut cases = Vec::new();
    for (what, auth) in [
        ("no credentials", Auth::Anonymous),
        (
            "an unknown bearer token",
            Auth::Header("Bearer not-a-token"),
        ),
        ("an empty bearer token", Auth::Header("Bearer ")),
        ("basic auth", Auth::Header("Basic YWRtaW46YWRtaW4=")),
        ("a token without a scheme", Auth::Header("good-token")),
        (
            "a token with a bad scheme",
            Auth::Header("Token good-token"),
        ),
        ("a non-ASCII token", Auth::Header("Bearer gööd")),
        ("a token with a suffix", Auth::Header("Bearer good-token-x")),
    ] {
        for (method, path) in [
            ("GET", "/api/v1/namespaces"),
            ("POST", CM),
            ("GET", "/apis"),
        ] {
            let mut case = Case::new(format!("{what}: {method} {path}"), method, path)
                .auth(auth)
                .expect(401, "Unauthorized");
            if method == "POST" {
                case = case.json(config_map("x"));
            }
            cases.push(case);
        }
    }
    for path in [
        "/version",
        "/openapi/v2",
        "/openapi/v3",
        "/api",
        "/api/v1/namespaces/bad/configmaps?watch=true",
        "/apis/apps/v1/namespaces/bad/deployments/web",
    ] {
        cases.push(
            Case::get(format!("anonymous GET {path}"), path)
                .auth(Auth::Anonymous)
                .expect(401, "Unauthorized"),
        );
    }
    cases.push(
        Case::new("anonymous DELETE", "DELETE", format!("{CM}/cm"))
            .auth(Auth::Anonymous)
            .expect(401, "Unauthorized"),
    );
    cases
}

pub(super) fn unknown_paths_and_methods() -> Vec<Case> {
    let not_found = |name: &str, path: &str| Case::get(name, path).expect(404, "NotFound");
    let mut cases = vec![
        not_found("a path outside the API", "/foo"),
        not_found("an unknown core version", "/api/v2"),
        not_found("an unknown core version's resources", "/api/v2/namespaces"),
        not_found("an unknown group", "/apis/nothere.example.com"),
        not_found("an unknown group version", "/apis/nothere.example.com/v1"),
        not_found("an unknown version of apps", "/apis/apps/v9"),
        not_found("an unknown core resource", "/api/v1/foos"),
        not_found(
            "an unknown namespaced resource",
            "/api/v1/namespaces/bad/foos",
        ),
        not_found(
            "an unknown apps resource",
            "/apis/apps/v1/namespaces/bad/foos",
        ),
        not_found("an unknown subresource", &format!("{CM}/cm/bogus")),
        not_found("a subresource ConfigMaps lack", &format!("{CM}/cm/status")),
        not_found("a scale of a ConfigMap", &format!("{CM}/cm/scale")),
        not_found("too many path segments", &format!("{CM}/cm/status/extra")),
        not_found(
            "too many segments after scale",
            &format!("{DEPLOY}/web/scale/x"),
        ),
        not_found("an empty path segment", "/api/v1//configmaps"),
        not_found(
            "a cluster-scoped resource in a namespace",
            "/api/v1/namespaces/bad/namespaces",
        ),
        not_found(
            "a namespaced object without namespace",
            "/api/v1/configmaps/cm",
        ),
        not_found(
            "a deployment without namespace",
            "/apis/apps/v1/deployments/web",
        ),
        not_found("an upper-case API prefix", "/API/v1"),
        not_found("a missing object", &format!("{CM}/nothere")),
        not_found(
            "a missing deployment's scale",
            &format!("{DEPLOY}/nothere/scale"),
        ),
        not_found("a missing namespace", "/api/v1/namespaces/nothere"),
        not_found("a missing custom object", &format!("{WIDGETS}/nothere")),
        not_found(
            "an unserved CRD version",
            "/apis/example.com/v2/namespaces/bad/widgets",
        ),
        not_found(
            "a custom object without namespace",
            "/apis/example.com/v1/widgets/w1",
        ),
        not_found("an encoded slash in a name", &format!("{CM}/a%2Fb")),
        not_found("a NUL in a name", &format!("{CM}/a%00b")),
        not_found("a very long name", &format!("{CM}/{}", "a".repeat(5000))),
        Case::new("PUT of a missing object", "PUT", format!("{CM}/nothere"))
            .json(config_map("nothere"))
            .expect(404, "NotFound"),
        Case::new(
            "PATCH of a missing object",
            "PATCH",
            format!("{CM}/nothere"),
        )
        .patch(MERGE, json!({"data": {"a": "2"}}))
        .expect(404, "NotFound"),
        Case::new(
            "DELETE of a missing object",
            "DELETE",
            format!("{CM}/nothere"),
        )
        .expect(404, "NotFound"),
        Case::new(
            "create in a missing namespace",
            "POST",
            "/api/v1/namespaces/nothere/configmaps",
        )
        .json(config_map("x"))
        .expect(404, "NotFound")
        .message("namespaces \"nothere\" not found"),
    ];
    let method_not_allowed = |method: &'static str, path: &str| {
        Case::new(format!("{method} {path}"), method, path).expect(405, "MethodNotAllowed")
    };
    cases.extend([
        method_not_allowed("POST", "/api"),
        method_not_allowed("PUT", "/apis"),
        method_not_allowed("DELETE", "/api/v1"),
        method_not_allowed("POST", "/apis/apps"),
        method_not_allowed("PATCH", "/apis/apps/v1"),
        method_not_allowed("POST", &format!("{CM}/cm")),
        method_not_allowed("PUT", CM),
        method_not_allowed("PATCH", CM),
        method_not_allowed("OPTIONS", CM),
        method_not_allowed("DELETE", &format!("{DEPLOY}/web/status")),
        method_not_allowed("DELETE", &format!("{DEPLOY}/web/scale")),
        method_not_allowed("POST", &format!("{DEPLOY}/web/scale")),
        method_not_allowed("POST", "/api/v1/configmaps"),
        method_not_allowed("POST", "/version"),
        method_not_allowed("DELETE", "/openapi/v2"),
        method_not_allowed("PUT", "/openapi/v3"),
    ]);
    cases
}

pub(super) fn broken_bodies() -> Vec<Case> {
    let mut cases = Vec::new();
    let broken_json: &[(&str, &[u8])] = &[
        ("an empty body", b""),
        ("whitespace", b"  \n"),
        ("an open brace", b"{"),
        ("a cut-off key", br#"{"apiVersion":"#),
        ("plain text", b"not json"),
        ("a trailing comma", br#"{"metadata": {"name": "x"},}"#),
        ("trailing garbage", br#"{"metadata": {"name": "x"}} x"#),
        ("an extra closing brace", br#"{"a": 1}}"#),
        ("single quotes", b"{'metadata': {'name': 'x'}}"),
        ("a comment", b"// c\n{}"),
        ("NaN", br#"{"data": NaN}"#),
        ("invalid UTF-8", b"{\"data\": {\"a\": \"\xff\xfe\"}}"),
        ("a lone surrogate escape", br#"{"data": {"a": "\ud800"}}"#),
        ("an unterminated string", br#"{"metadata": {"name": "x}}"#),
        ("a bad escape", br#"{"data": {"a": "\q"}}"#),
        ("an array", b"[]"),
        ("an array of objects", br#"[{"metadata": {"name": "x"}}]"#),
        ("a string", br#""configmap""#),
        ("a number", b"42"),
        ("null", b"null"),
        ("true", b"true"),
        ("a NUL byte", b"\0"),
    ];
    for (what, body) in broken_json {
        cases.push(
            Case::new(format!("create with {what}"), "POST", CM)
                .raw(JSON, *body)
                .bad_request(),
        );
        cases.push(
            Case::new(format!("replace with {what}"), "PUT", format!("{CM}/cm"))
                .raw(JSON, *body)
                .bad_request(),
        );
    }
    // (An empty DELETE body is fine: it means default options.)
    for (what, body) in &broken_json[2..8] {
        cases.push(
            Case::new(format!("deployment create with {what}"), "POST", DEPLOY)
                .raw(JSON, *body)
                .bad_request(),
        );
        cases.push(
            Case::new(format!("widget create with {what}"), "POST", WIDGETS)
                .raw(JSON, *body)
                .bad_request(),
        );
        cases.push(
            Case::new(
                format!("delete with options {what}"),
                "DELETE",
                format!("{CM}/cm"),
            )
            .raw(JSON, *body)
            .bad_request(),
        );
    }
    // Nesting deep enough to overflow a naive recursive parser.
    let deep = format!(
        "{{\"data\": {}{}}}",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    cases.push(
        Case::new("create with 100k nested arrays", "POST", CM)
            .raw(JSON, deep.clone())
            .bad_request(),
    );
    cases.push(
        Case::new(
            "merge patch with 100k nested arrays",
            "PATCH",
            format!("{CM}/cm"),
        )
        .raw(MERGE, deep)
        .bad_request(),
    );
    let deep_yaml = format!("data: {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
    cases.push(
        Case::new("YAML create with 100k nested flow sequences", "POST", CM)
            .raw(YAML, deep_yaml)
            .bad_request(),
    );

    let broken_yaml: &[(&str, &[u8])] = &[
        ("colons only", b": : :"),
        ("an unclosed flow sequence", b"metadata: [unclosed"),
        ("an unclosed flow mapping", b"metadata: {name: x"),
        ("tab indentation", b"metadata:\n\tname: x"),
        ("a bad indentation", b"metadata:\n  name: x\n bad: y"),
        ("a sequence", b"- a\n- b"),
        ("a scalar", b"just a string"),
        ("invalid UTF-8", b"metadata:\n  name: \xff\xfe"),
        ("an undefined alias", b"metadata: *nothere"),
        ("an unterminated quote", b"metadata:\n  name: \"x"),
    ];
    for (what, body) in broken_yaml {
        cases.push(
            Case::new(format!("YAML create with {what}"), "POST", CM)
                .raw(YAML, *body)
                .bad_request(),
        );
    }
    // A "billion laughs" alias bomb must be refused, not expanded.
    let mut bomb = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    for level in b'b'..=b'j' {
        let prev = (level - 1) as char;
        let level = level as char;
        bomb.push_str(&format!(
            "{level}: &{level} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"
        ));
    }
    bomb.push_str("metadata:\n  name: bomb\ndata: *j\n");
    cases.push(
        Case::new("YAML create with an alias bomb", "POST", CM)
            .raw(YAML, bomb)
            .bad_request(),
    );

    // The body's shape is right but a part of it is not.
    for (what, body) in [
        ("metadata as a string", json!({"metadata": "x"})),
        ("metadata as a list", json!({"metadata": ["x"]})),
        ("metadata as a number", json!({"metadata": 5})),
    ] {
        cases.push(
            Case::new(format!("create with {what}"), "POST", CM)
                .json(body.clone())
                .bad_request(),
        );
        cases.push(
            Case::new(format!("replace with {what}"), "PUT", format!("{CM}/cm"))
                .json(body)
                .bad_request(),
        );
    }
    cases
}

pub(super) fn wrong_types_and_identity() -> Vec<Case> {
    let mut cases = Vec::new();
    let with = |mut object: Value, pointer: &str, value: Value| {
        *object.pointer_mut(pointer).expect("field exists") = value;
        object
    };
    for (what, body) in [
        (
            "apiVersion v2",
            with(config_map("x"), "/apiVersion", json!("v2")),
        ),
        (
            "apiVersion apps/v1",
            with(config_map("x"), "/apiVersion", json!("apps/v1")),
        ),
        (
            "a numeric apiVersion",
            with(config_map("x"), "/apiVersion", json!(1)),
        ),
        (
            "kind Secret",
            with(config_map("x"), "/kind", json!("Secret")),
        ),
        (
            "a lower-case kind",
            with(config_map("x"), "/kind", json!("configmap")),
        ),
        (
            "a list kind",
            with(config_map("x"), "/kind", json!("ConfigMapList")),
        ),
        (
            "a kind object",
            with(config_map("x"), "/kind", json!({"k": "ConfigMap"})),
        ),
    ] {
        cases.push(
            Case::new(format!("ConfigMap create with {what}"), "POST", CM)
                .json(body.clone())
                .bad_request(),
        );
        let body = with(body, "/metadata/name", json!("cm"));
        cases.push(
            Case::new(
                format!("ConfigMap replace with {what}"),
                "PUT",
                format!("{CM}/cm"),
            )
            .json(body)
            .bad_request(),
        );
    }
    for (what, body) in [
        (
            "extensions/v1beta1",
            with(deployment("x"), "/apiVersion", json!("extensions/v1beta1")),
        ),
        (
            "apps/v1beta1",
            with(deployment("x"), "/apiVersion", json!("apps/v1beta1")),
        ),
        (
            "kind ReplicaSet",
            with(deployment("x"), "/kind", json!("ReplicaSet")),
        ),
    ] {
        cases.push(
            Case::new(format!("Deployment create with {what}"), "POST", DEPLOY)
                .json(body)
                .bad_request(),
        );
    }
    for (what, body) in [
        (
            "version v2",
            with(
                widget("x", json!({"size": 1})),
                "/apiVersion",
                json!("example.com/v2"),
            ),
        ),
        (
            "another group",
            with(
                widget("x", json!({"size": 1})),
                "/apiVersion",
                json!("other.com/v1"),
            ),
        ),
        (
            "kind Gadget",
            with(widget("x", json!({"size": 1})), "/kind", json!("Gadget")),
        ),
    ] {
        cases.push(
            Case::new(format!("Widget create with {what}"), "POST", WIDGETS)
                .json(body)
                .bad_request(),
        );
    }
    for (what, patch) in [
        ("changes kind", json!({"kind": "Secret"})),
        ("changes apiVersion", json!({"apiVersion": "v2"})),
        ("changes the name", json!({"metadata": {"name": "other"}})),
        (
            "changes the namespace",
            json!({"metadata": {"namespace": "default"}}),
        ),
        ("makes metadata a string", json!({"metadata": "x"})),
    ] {
        cases.push(
            Case::new(
                format!("merge patch that {what}"),
                "PATCH",
                format!("{CM}/cm"),
            )
            .patch(MERGE, patch)
            .bad_request(),
        );
    }
    for (what, op) in [
        (
            "replaces kind",
            json!({"op": "replace", "path": "/kind", "value": "Secret"}),
        ),
        (
            "replaces the name",
            json!({"op": "replace", "path": "/metadata/name", "value": "other"}),
        ),
        (
            "replaces the namespace",
            json!({"op": "replace", "path": "/metadata/namespace", "value": "default"}),
        ),
        (
            "replaces metadata with a list",
            json!({"op": "replace", "path": "/metadata", "value": []}),
        ),
        (
            "replaces the whole object with a number",
            json!({"op": "replace", "path": "", "value": 5}),
        ),
    ] {
        cases.push(
            Case::new(
                format!("JSON patch that {what}"),
                "PATCH",
                format!("{CM}/cm"),
            )
            .patch(JSON_PATCH, json!([op]))
            .bad_request(),
        );
    }
    // Name in the body differs from the URL's.
    for (what, path, body) in [
        ("ConfigMap", format!("{CM}/cm"), config_map("other")),
        ("Deployment", format!("{DEPLOY}/web"), deployment("other")),
        (
            "Widget",
            format!("{WIDGETS}/w1"),
            widget("other", json!({"size": 1})),
        ),
        (
            "Namespace",
            "/api/v1/namespaces/bad".to_string(),
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "other"}}),
        ),
        (
            "CRD",
            format!("{CRDS}/widgets.example.com"),
            with(widgets_crd(), "/metadata/name", json!("other.example.com")),
        ),
    ] {
        cases.push(
            Case::new(
                format!("{what} replace with another name in the body"),
                "PUT",
                path,
            )
            .json(body)
            .bad_request()
            .message("does not match"),
        );
    }
    cases.push(
        Case::new(
            "status replace with another name",
            "PUT",
            format!("{DEPLOY}/web/status"),
        )
        .json(deployment("other"))
        .bad_request(),
    );
    // Namespace in the body differs from the URL's.
    let in_namespace = |mut object: Value, ns: &str| {
        object["metadata"]["namespace"] = ns.into();
        object
    };
    for (what, method, path, body) in [
        (
            "ConfigMap create",
            "POST",
            CM.to_string(),
            in_namespace(config_map("x"), "default"),
        ),
        (
            "ConfigMap replace",
            "PUT",
            format!("{CM}/cm"),
            in_namespace(config_map("cm"), "default"),
        ),
        (
            "Deployment create",
            "POST",
            DEPLOY.to_string(),
            in_namespace(deployment("x"), "kube-system"),
        ),
        (
            "Widget create",
            "POST",
            WIDGETS.to_string(),
            in_namespace(widget("x", json!({"size": 1})), "default"),
        ),
        (
            "Widget replace",
            "PUT",
            format!("{WIDGETS}/w1"),
            in_namespace(widget("w1", json!({"size": 1})), "other"),
        ),
    ] {
        cases.push(
            Case::new(
                format!("{what} with another namespace in the body"),
                method,
                path,
            )
            .json(body)
            .bad_request()
            .message("does not match the namespace"),
        );
    }
    cases
}

pub(super) fn invalid_names() -> Vec<Case> {
    let mut cases = Vec::new();
    let long = "a".repeat(254);
    for name in [
        "MyConfig",
        long.as_str(),
        "a/b",
        "a%b",
        "-a",
        "a-",
        "a.",
        ".a",
        "a..b",
        "a_b",
        "a b",
        "café",
        ".",
        "..",
        "a\u{0}b",
    ] {
        let shown: String = name.chars().take(20).collect();
        cases.push(
            Case::new(format!("ConfigMap named {shown:?}"), "POST", CM)
                .json(config_map(name))
                .invalid("metadata.name"),
        );
    }
    cases.push(
        Case::new("ConfigMap without name or generateName", "POST", CM)
            .json(json!({"metadata": {}, "data": {}}))
            .invalid("metadata.name"),
    );
    cases.push(
        Case::new("ConfigMap with an empty name", "POST", CM)
            .json(config_map(""))
            .invalid("metadata.name"),
    );
    cases.push(
        Case::new("ConfigMap with an upper-case generateName", "POST", CM)
            .json(json!({"metadata": {"generateName": "Upper-"}}))
            .invalid("metadata.name"),
    );
    for name in ["Upper", "has.dot", &"n".repeat(64), "under_score"] {
        let shown: String = name.chars().take(20).collect();
        cases.push(
            Case::new(
                format!("Namespace named {shown:?}"),
                "POST",
                "/api/v1/namespaces",
            )
            .json(json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}))
            .invalid("metadata.name"),
        );
    }
    cases.push(
        Case::new("Deployment named UPPER", "POST", DEPLOY)
            .json(deployment("UPPER"))
            .invalid("metadata.name"),
    );
    cases.push(
        Case::new("Widget named Bad_Name", "POST", WIDGETS)
            .json(widget("Bad_Name", json!({"size": 1})))
            .invalid("metadata.name"),
    );
    cases
}

pub(super) fn bad_query_parameters() -> Vec<Case> {
    let mut cases = Vec::new();
    let encode = |s: &str| -> String {
        serde_urlencoded::to_string([("v", s)]).expect("encodes")[2..].to_string()
    };
    for selector in [
        "a in (b",
        "a in ()",
        "a notin ( )",
        "a in b",
        "a notin b",
        "=b",
        "a=b=c",
        "!",
        "a,",
        ",",
        "a)",
        "a=(b)",
        "prefix/",
        "/name",
        "a=b c",
        "!a=b",
        "-a=b",
        "a b=c",
        &format!("{}=x", "k".repeat(64)),
        &format!("a={}", "v".repeat(64)),
    ] {
        cases.push(
            Case::get(
                format!("labelSelector {selector:?}"),
                format!("{CM}?labelSelector={}", encode(selector)),
            )
            .bad_request(),
        );
    }
    for selector in ["a in (b", "=b", "a=b=c"] {
        cases.push(
            Case::get(
                format!("watch with labelSelector {selector:?}"),
                format!("{CM}?watch=true&labelSelector={}", encode(selector)),
            )
            .bad_request(),
        );
    }
    for selector in [
        "metadata.name",
        "=x",
        "metadata.name in (a)",
        "metadata/name=x",
        "metadata.name=a,",
        "meta data.name=x",
        "spec.foo=bar",
        "status.phase=Running",
        "data.a=b",
    ] {
        cases.push(
            Case::get(
                format!("fieldSelector {selector:?}"),
                format!("{CM}?fieldSelector={}", encode(selector)),
            )
            .bad_request(),
        );
    }
    for limit in ["abc", "1.5", "99999999999999999999", "0x10", "1e3", "%20"] {
        cases
            .push(Case::get(format!("limit={limit}"), format!("{CM}?limit={limit}")).bad_request());
    }
    for rv in ["abc", "-5", "1.0", "0x10", "99999999999999999999999"] {
        cases.push(
            Case::get(
                format!("list at resourceVersion={rv}"),
                format!("{CM}?resourceVersion={rv}"),
            )
            .bad_request(),
        );
        cases.push(
            Case::get(
                format!("watch at resourceVersion={rv}"),
                format!("{CM}?watch=true&resourceVersion={rv}"),
            )
            .bad_request(),
        );
    }
    cases.extend([
        Case::get(
            "resourceVersionMatch without resourceVersion",
            format!("{CM}?resourceVersionMatch=NotOlderThan"),
        )
        .bad_request(),
        Case::get(
            "an unknown resourceVersionMatch",
            format!("{CM}?resourceVersion=1&resourceVersionMatch=Newest"),
        )
        .bad_request(),
        Case::get(
            "Exact at resourceVersion 0",
            format!("{CM}?resourceVersion=0&resourceVersionMatch=Exact"),
        )
        .bad_request(),
    ]);
    for timeout in ["abc", "-1"] {
        cases.push(
            Case::get(
                format!("list with timeoutSeconds={timeout}"),
                format!("{CM}?timeoutSeconds={timeout}"),
            )
            .bad_request(),
        );
    }
    for timeout in ["abc", "-1", "1.5", "99999999999999999999"] {
        cases.push(
            Case::get(
                format!("watch with timeoutSeconds={timeout}"),
                format!("{CM}?watch=true&timeoutSeconds={timeout}"),
            )
            .bad_request(),
        );
    }
    for (param, value) in [
        ("watch", "yes"),
        ("watch", "2"),
        ("watch", "maybe"),
        ("allowWatchBookmarks", "perhaps"),
        ("sendInitialEvents", "x"),
    ] {
        let query = if param == "watch" {
            format!("{param}={value}")
        } else {
            format!("watch=true&{param}={value}")
        };
        cases.push(Case::get(format!("{param}={value}"), format!("{CM}?{query}")).bad_request());
    }
    let b64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
    for (what, token) in [
        ("garbage", "!!!notbase64".to_string()),
        ("base64 of text", b64("hello")),
        ("base64 of a JSON list", b64("[1,2]")),
        (
            "another token version",
            b64(r#"{"v":2,"rv":1,"start":"a"}"#),
        ),
        ("a zero revision", b64(r#"{"v":1,"rv":0,"start":"a"}"#)),
        ("a negative revision", b64(r#"{"v":1,"rv":-3,"start":"a"}"#)),
        ("no start key", b64(r#"{"v":1,"rv":1,"start":""}"#)),
        ("a string revision", b64(r#"{"v":1,"rv":"1","start":"a"}"#)),
    ] {
        cases.push(
            Case::get(
                format!("continue token: {what}"),
                format!("{CM}?limit=1&continue={}", encode(&token)),
            )
            .bad_request(),
        );
    }
    cases.extend([
        Case::new(
            "dryRun=Bogus on create",
            "POST",
            format!("{CM}?dryRun=Bogus"),
        )
        .json(config_map("dry"))
        .bad_request(),
        Case::new(
            "fieldValidation=Bogus on a widget",
            "POST",
            format!("{WIDGETS}?fieldValidation=Bogus"),
        )
        .json(widget("fv", json!({"size": 1, "bogus": true})))
        .bad_request(),
        Case::get("discovery with an unacceptable Accept", "/apis")
            .accept("application/xml")
            .expect(406, "NotAcceptable"),
    ]);
    cases
}
