//! Malformed and hostile requests, table-driven: each case names the status code and `Status.reason`
//! kube-apiserver gives, and every answer must be a Kubernetes `Status` JSON body, never a 5xx, with
//! the server still ready afterwards.
//!
//! The cases are in `requests` (credentials, paths, methods, bodies, names, query parameters) and
//! `writes` (patches, undecodable or oversized bodies, CRDs and custom objects). They go through a
//! raw HTTP/1.1 client, so that bodies, headers and client certificates can be anything: hyper's
//! client over tokio-rustls, both already in the dependency tree (reqwest would be a new one).

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

mod fixtures;
mod requests;
mod writes;

use fixtures::{config_map, deployment, widget, widgets_crd};

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

fn all_cases() -> Vec<Case> {
    [
        requests::unauthenticated(),
        requests::unknown_paths_and_methods(),
        requests::broken_bodies(),
        requests::wrong_types_and_identity(),
        requests::invalid_names(),
        requests::bad_query_parameters(),
        writes::bad_patches(),
        writes::unsupported_bodies(),
        writes::crd_and_schema_violations(),
        writes::wrongly_typed_built_ins(),
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

    eprintln!(
        "{} of {} bad requests answered as expected",
        cases.len() - failures.len(),
        cases.len()
    );
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
