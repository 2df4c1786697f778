//! Malformed and hostile requests, table-driven: each case names the status code and `Status.reason`
//! kube-apiserver gives, and every answer must be a Kubernetes `Status` JSON body, never a 5xx, with
//! the server still ready afterwards.
//!
//! Requests go through a raw HTTP/1.1 client (hyper over tokio-rustls, both already dependencies:
//! reqwest would add a second TLS stack to build for no gain here), so that bodies, headers and
//! client certificates can be anything.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, pem::PemObject};
use serde_json::{Value, json};

use crate::support::server::{Storage, TestServer};

// ---- a raw HTTPS client ---------------------------------------------------------------------------

/// Who a request claims to be.
#[derive(Debug, Clone, Copy)]
enum Auth {
    /// The admin client certificate from the generated kubeconfig.
    Admin,
    /// No client certificate and no Authorization header.
    Anonymous,
    /// No client certificate, this Authorization header.
    Header(&'static str),
}

/// One answer, read whole.
struct Reply {
    status: u16,
    content_type: String,
    body: Bytes,
}

/// Sends requests over fresh TLS connections, with or without the admin client certificate.
struct RawClient {
    addr: SocketAddr,
    admin: Arc<rustls::ClientConfig>,
    anonymous: Arc<rustls::ClientConfig>,
}

/// Longest a single bad request may take to be answered.
const ANSWER_WITHIN: Duration = Duration::from_secs(10);

fn kubeconfig_pem(kubeconfig: &Value, pointer: &str) -> Vec<u8> {
    let data = kubeconfig
        .pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("the kubeconfig has {pointer}"));
    STANDARD.decode(data).expect("base64 PEM in the kubeconfig")
}

impl RawClient {
    /// A client trusting the kubeconfig's CA, holding its admin certificate for [`Auth::Admin`].
    fn with_admin_cert(kubeconfig: &Path, addr: SocketAddr) -> RawClient {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let text = std::fs::read_to_string(kubeconfig).expect("read the kubeconfig");
        let config: Value = serde_saphyr::from_str(&text).expect("the kubeconfig is YAML");
        let ca = kubeconfig_pem(&config, "/clusters/0/cluster/certificate-authority-data");
        let cert = kubeconfig_pem(&config, "/users/0/user/client-certificate-data");
        let key = kubeconfig_pem(&config, "/users/0/user/client-key-data");
        let mut roots = rustls::RootCertStore::empty();
        for cert in CertificateDer::pem_slice_iter(&ca) {
            roots.add(cert.expect("CA PEM")).expect("a CA certificate");
        }
        let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&cert)
            .collect::<Result<_, _>>()
            .expect("client certificate PEM");
        let key = PrivateKeyDer::from_pem_slice(&key).expect("client key PEM");
        let admin = rustls::ClientConfig::builder()
            .with_root_certificates(roots.clone())
            .with_client_auth_cert(chain, key)
            .expect("a client certificate config");
        let anonymous = rustls::ClientConfig::builder()
            .with_root_certificates(roots)
            .with_no_client_auth();
        RawClient {
            addr,
            admin: Arc::new(admin),
            anonymous: Arc::new(anonymous),
        }
    }

    async fn send(
        &self,
        auth: Auth,
        method: &str,
        path: &str,
        content_type: Option<&str>,
        accept: Option<&str>,
        body: Vec<u8>,
    ) -> Result<Reply, String> {
        let tls = match auth {
            Auth::Admin => &self.admin,
            Auth::Anonymous | Auth::Header(_) => &self.anonymous,
        };
        let tcp = tokio::net::TcpStream::connect(self.addr)
            .await
            .map_err(|e| format!("connect: {e}"))?;
        let stream = tokio_rustls::TlsConnector::from(Arc::clone(tls))
            .connect(ServerName::IpAddress(self.addr.ip().into()), tcp)
            .await
            .map_err(|e| format!("TLS handshake: {e}"))?;
        let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|e| format!("HTTP handshake: {e}"))?;
        tokio::spawn(connection);
        let mut request = http::Request::builder()
            .method(method)
            .uri(path)
            .header(http::header::HOST, self.addr.to_string());
        if let Some(content_type) = content_type {
            request = request.header(http::header::CONTENT_TYPE, content_type);
        }
        if let Some(accept) = accept {
            request = request.header(http::header::ACCEPT, accept);
        }
        if let Auth::Header(value) = auth {
            request = request.header(
                http::header::AUTHORIZATION,
                http::HeaderValue::from_bytes(value.as_bytes()).map_err(|e| e.to_string())?,
            );
        }
        let request = request
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| format!("building the request: {e}"))?;
        let exchange = async {
            let response = sender
                .send_request(request)
                .await
                .map_err(|e| format!("sending: {e}"))?;
            let status = response.status().as_u16();
            let content_type = response
                .headers()
                .get(http::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string();
            let body = response
                .into_body()
                .collect()
                .await
                .map_err(|e| format!("reading the body: {e}"))?
                .to_bytes();
            Ok(Reply {
                status,
                content_type,
                body,
            })
        };
        tokio::time::timeout(ANSWER_WITHIN, exchange)
            .await
            .map_err(|_| format!("no complete answer within {ANSWER_WITHIN:?}"))?
    }
}

// ---- cases ----------------------------------------------------------------------------------------

const NS: &str = "bad";
const CM: &str = "/api/v1/namespaces/bad/configmaps";
const DEPLOY: &str = "/apis/apps/v1/namespaces/bad/deployments";
const WIDGETS: &str = "/apis/example.com/v1/namespaces/bad/widgets";
const CRDS: &str = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";
const JSON: &str = "application/json";
const YAML: &str = "application/yaml";
const MERGE: &str = "application/merge-patch+json";
const JSON_PATCH: &str = "application/json-patch+json";
const STRATEGIC: &str = "application/strategic-merge-patch+json";
const PROTOBUF: &str = "application/vnd.kubernetes.protobuf";
/// kube-apiserver's request body limit.
const MAX_BODY: usize = 3 * 1024 * 1024;

/// One bad request and the answers that are right for it.
struct Case {
    name: String,
    method: &'static str,
    path: String,
    content_type: Option<&'static str>,
    accept: Option<&'static str>,
    body: Vec<u8>,
    auth: Auth,
    /// Acceptable `(code, reason)` answers; one, except where a feature is still being added.
    expect: Vec<(u16, &'static str)>,
    /// Fields `details.causes` must name.
    causes: Vec<&'static str>,
    /// Text the message must contain.
    message: Option<&'static str>,
}

impl Case {
    fn new(name: impl Into<String>, method: &'static str, path: impl Into<String>) -> Case {
        Case {
            name: name.into(),
            method,
            path: path.into(),
            content_type: None,
            accept: None,
            body: Vec::new(),
            auth: Auth::Admin,
            expect: Vec::new(),
            causes: Vec::new(),
            message: None,
        }
    }

    fn get(name: impl Into<String>, path: impl Into<String>) -> Case {
        Case::new(name, "GET", path)
    }

    fn json(mut self, body: Value) -> Case {
        self.content_type = Some(JSON);
        self.body = serde_json::to_vec(&body).expect("JSON");
        self
    }

    fn raw(mut self, content_type: &'static str, body: impl Into<Vec<u8>>) -> Case {
        self.content_type = Some(content_type);
        self.body = body.into();
        self
    }

    fn patch(self, content_type: &'static str, body: Value) -> Case {
        self.raw(content_type, serde_json::to_vec(&body).expect("JSON"))
    }

    fn accept(mut self, accept: &'static str) -> Case {
        self.accept = Some(accept);
        self
    }

    fn auth(mut self, auth: Auth) -> Case {
        self.auth = auth;
        self
    }

    fn expect(mut self, code: u16, reason: &'static str) -> Case {
        self.expect.push((code, reason));
        self
    }

    fn cause(mut self, field: &'static str) -> Case {
        self.causes.push(field);
        self
    }

    fn message(mut self, text: &'static str) -> Case {
        self.message = Some(text);
        self
    }

    fn bad_request(self) -> Case {
        self.expect(400, "BadRequest")
    }

    fn invalid(self, field: &'static str) -> Case {
        self.expect(422, "Invalid").cause(field)
    }

    /// Checks one answer; returns what is wrong with it.
    fn check(&self, reply: &Reply) -> Result<(), String> {
        let text = String::from_utf8_lossy(&reply.body);
        if reply.status >= 500 {
            return Err(format!("a server error {}: {text}", reply.status));
        }
        if !reply.content_type.starts_with("application/json") {
            return Err(format!(
                "Content-Type {:?}, not application/json ({}: {text})",
                reply.content_type, reply.status
            ));
        }
        let status: Value = serde_json::from_slice(&reply.body)
            .map_err(|e| format!("the body is not JSON ({e}): {text}"))?;
        let reason = status["reason"].as_str().unwrap_or_default();
        if !self
            .expect
            .iter()
            .any(|(code, r)| *code == reply.status && *r == reason)
        {
            return Err(format!(
                "got {} {reason:?}, want one of {:?}: {text}",
                reply.status, self.expect
            ));
        }
        let shape = status["kind"] == "Status"
            && status["apiVersion"] == "v1"
            && status["status"] == "Failure"
            && status["code"] == reply.status
            && status["message"].as_str().is_some_and(|m| !m.is_empty());
        if !shape {
            return Err(format!("not a failure Status body: {text}"));
        }
        let causes: Vec<&str> = status
            .pointer("/details/causes")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|c| c["field"].as_str())
            .collect();
        for field in &self.causes {
            if !causes.contains(field) {
                return Err(format!("details.causes lack {field:?}: {text}"));
            }
        }
        if let Some(expected) = self.message
            && !status["message"]
                .as_str()
                .is_some_and(|m| m.contains(expected))
        {
            return Err(format!("the message lacks {expected:?}: {text}"));
        }
        Ok(())
    }
}

fn config_map(name: &str) -> Value {
    json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": {"a": "1"}})
}

fn deployment(name: &str) -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
        "spec": {"replicas": 1, "selector": {"matchLabels": {"app": name}},
                 "template": {"metadata": {"labels": {"app": name}},
                              "spec": {"containers": [{"name": "c", "image": "nginx"}]}}},
    })
}

fn widget(name: &str, spec: Value) -> Value {
    json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": name}, "spec": spec})
}

/// A CRD whose schema the widget cases violate.
fn widgets_crd() -> Value {
    json!({
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.example.com"},
        "spec": {
            "group": "example.com", "scope": "Namespaced",
            "names": {"plural": "widgets", "singular": "widget", "kind": "Widget"},
            "versions": [{
                "name": "v1", "served": true, "storage": true,
                "schema": {"openAPIV3Schema": {"type": "object", "properties": {
                    "spec": {"type": "object", "required": ["size"], "properties": {
                        "size": {"type": "integer", "minimum": 1, "maximum": 10},
                        "color": {"type": "string", "enum": ["red", "blue"]},
                        "tags": {"type": "array", "maxItems": 3, "items": {"type": "string"}},
                        "label": {"type": "string", "maxLength": 5, "pattern": "^[a-z]+$"},
                        "nested": {"type": "object", "properties": {"x": {"type": "integer"}}},
                    }},
                }}},
            }],
        },
    })
}

/// A valid CRD for `gadgets.example.com`, changed by `mutate` into an invalid one.
fn gadgets_crd(mutate: impl FnOnce(&mut Value)) -> Value {
    let mut crd = json!({
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "gadgets.example.com"},
        "spec": {
            "group": "example.com", "scope": "Namespaced",
            "names": {"plural": "gadgets", "kind": "Gadget"},
            "versions": [{"name": "v1", "served": true, "storage": true,
                          "schema": {"openAPIV3Schema": {"type": "object"}}}],
        },
    });
    mutate(&mut crd);
    crd
}

/// A length-delimited protobuf field.
fn pb_field(number: u8, bytes: &[u8]) -> Vec<u8> {
    assert!(bytes.len() < 128, "one-byte lengths only");
    let mut out = vec![(number << 3) | 2, bytes.len() as u8];
    out.extend_from_slice(bytes);
    out
}

/// kube's protobuf envelope: `k8s\0` + runtime.Unknown{typeMeta, raw}.
fn pb_envelope(api_version: &str, kind: &str, raw: &[u8]) -> Vec<u8> {
    let type_meta = [
        pb_field(1, api_version.as_bytes()),
        pb_field(2, kind.as_bytes()),
    ]
    .concat();
    let mut out = b"k8s\0".to_vec();
    out.extend(pb_field(1, &type_meta));
    out.extend(pb_field(2, raw));
    out
}

/// A ConfigMap message with just metadata.name.
fn pb_config_map(name: &str) -> Vec<u8> {
    pb_field(1, &pb_field(1, name.as_bytes()))
}

fn unauthenticated() -> Vec<Case> {
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

fn unknown_paths_and_methods() -> Vec<Case> {
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

fn broken_bodies() -> Vec<Case> {
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

fn wrong_types_and_identity() -> Vec<Case> {
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

fn invalid_names() -> Vec<Case> {
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

fn bad_query_parameters() -> Vec<Case> {
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

fn bad_patches() -> Vec<Case> {
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

fn unsupported_bodies() -> Vec<Case> {
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

fn crd_and_schema_violations() -> Vec<Case> {
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

/// Requests kube-apiserver refuses because it decodes built-in kinds into their Go types (and
/// checks unknown fields against them); this server keeps built-in objects as untyped JSON and
/// accepts them. Run by [`built_in_objects_are_type_checked_like_kube_apiserver`], ignored until
/// built-in kinds are validated against their OpenAPI schemas.
fn built_in_type_gaps() -> Vec<Case> {
    let mut numeric_data = config_map("typed-1");
    numeric_data["data"]["a"] = json!(1);
    let mut bad_replicas = deployment("typed-2");
    bad_replicas["spec"]["replicas"] = json!("x");
    vec![
        Case::new("ConfigMap with a numeric data value", "POST", CM)
            .json(numeric_data)
            .bad_request(),
        Case::new("ConfigMap with a numeric name", "POST", CM)
            .json(json!({"metadata": {"name": 5}}))
            .bad_request(),
        Case::new("Deployment with string replicas", "POST", DEPLOY)
            .json(bad_replicas)
            .bad_request(),
        Case::new(
            "strategic merge patch with containers as a map",
            "PATCH",
            format!("{DEPLOY}/web"),
        )
        .patch(
            STRATEGIC,
            json!({"spec": {"template": {"spec": {"containers": {"name": "c"}}}}}),
        )
        .expect(422, "Invalid"),
        Case::get(
            "fieldSelector on a field ConfigMaps do not index",
            format!("{CM}?fieldSelector=spec.foo%3Dbar"),
        )
        .bad_request(),
    ]
}

fn all_cases() -> Vec<Case> {
    [
        unauthenticated(),
        unknown_paths_and_methods(),
        broken_bodies(),
        wrong_types_and_identity(),
        invalid_names(),
        bad_query_parameters(),
        bad_patches(),
        unsupported_bodies(),
        crd_and_schema_violations(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

// ---- running them ---------------------------------------------------------------------------------

/// Creates what the cases refer to: namespace `bad` with ConfigMap `cm`, Deployment `web`, and the
/// Widget CRD with Widget `w1`.
async fn create_fixtures(client: &RawClient) {
    let create = |path: &'static str, body: Value| async move {
        let reply = client
            .send(
                Auth::Admin,
                "POST",
                path,
                Some(JSON),
                None,
                serde_json::to_vec(&body).unwrap(),
            )
            .await
            .unwrap_or_else(|e| panic!("creating a fixture at {path}: {e}"));
        assert_eq!(
            reply.status,
            201,
            "creating a fixture at {path}: {}",
            String::from_utf8_lossy(&reply.body)
        );
    };
    create("/api/v1/namespaces", json!({"metadata": {"name": NS}})).await;
    let mut cm = config_map("cm");
    cm["metadata"]["finalizers"] = json!(["example.com/keep"]);
    create(CM, cm).await;
    create(DEPLOY, deployment("web")).await;
    create(CRDS, widgets_crd()).await;
    create(WIDGETS, widget("w1", json!({"size": 1}))).await;
}

async fn run(storage: Storage, select: impl Fn(usize) -> bool) {
    run_cases(storage, all_cases(), select).await;
}

async fn run_cases(storage: Storage, cases: Vec<Case>, select: impl Fn(usize) -> bool) {
    let tokens = tempfile::tempdir().expect("temp dir");
    let token_file = tokens.path().join("tokens.csv");
    std::fs::write(&token_file, "good-token,alice,uid-alice,\"team\"\n").expect("token file");
    let token_arg = token_file.display().to_string();
    let Some(server) = TestServer::start(storage, &["--token-auth-file", &token_arg]).await else {
        return;
    };
    let client = RawClient::with_admin_cert(&server.kubeconfig, server.addr);
    create_fixtures(&client).await;

    let cases: Vec<Case> = cases
        .into_iter()
        .enumerate()
        .filter(|(i, _)| select(*i))
        .map(|(_, case)| case)
        .collect();
    let mut failures = Vec::new();
    for case in &cases {
        assert!(!case.expect.is_empty(), "{}: no expectation", case.name);
        let result = client
            .send(
                case.auth,
                case.method,
                &case.path,
                case.content_type,
                case.accept,
                case.body.clone(),
            )
            .await;
        let outcome = result.and_then(|reply| case.check(&reply));
        if let Err(problem) = outcome {
            eprintln!(
                "FAILED case {:?} ({} {}): {problem}",
                case.name,
                case.method,
                shorten(&case.path)
            );
            failures.push(case.name.clone());
        }
    }

    let ready = client
        .send(Auth::Anonymous, "GET", "/readyz", None, None, Vec::new())
        .await
        .expect("readyz answers after every bad request");
    assert_eq!((ready.status, ready.body.as_ref()), (200, b"ok".as_ref()));
    // The fixtures are intact: no bad request changed them.
    let cm = client
        .send(
            Auth::Admin,
            "GET",
            &format!("{CM}/cm"),
            None,
            None,
            Vec::new(),
        )
        .await
        .expect("get cm");
    let cm: Value = serde_json::from_slice(&cm.body).expect("JSON");
    assert_eq!(cm["data"], json!({"a": "1"}), "no bad request changed cm");

    assert!(
        failures.is_empty(),
        "{} of {} bad requests were not answered as expected: {failures:#?}",
        failures.len(),
        cases.len()
    );
    server.stop().await;
}

fn shorten(path: &str) -> String {
    if path.len() > 120 {
        format!("{}…", &path[..120])
    } else {
        path.to_string()
    }
}

#[test]
fn the_table_has_at_least_200_distinct_cases() {
    let cases = all_cases();
    assert!(cases.len() >= 200, "only {} cases", cases.len());
    let mut seen = std::collections::HashSet::new();
    let repeated: Vec<&str> = cases
        .iter()
        .map(|c| c.name.as_str())
        .filter(|name| !seen.insert(*name))
        .collect();
    assert!(repeated.is_empty(), "case names are unique: {repeated:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_get_status_answers_on_the_embedded_store() {
    run(Storage::Embedded, |_| true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_get_status_answers_on_etcd() {
    // Every fifth case: each group is represented, at a fraction of the time.
    run(Storage::Etcd, |i| i % 5 == 0).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "built-in kinds are stored as untyped JSON: no type or unknown-field checks yet"]
async fn built_in_objects_are_type_checked_like_kube_apiserver() {
    run_cases(Storage::Embedded, built_in_type_gaps(), |_| true).await;
}
