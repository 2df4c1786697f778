//! Starting and stopping the API server: storage, certificates, the TLS listener and the HTTP
//! service, one shutdown signal for all of them.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use rustls::RootCertStore;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, pem::PemObject};
use rustls::server::WebPkiClientVerifier;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt;

use crate::auth::{Authenticator, FrontProxyConfig, identify_peer, subjects};
use crate::http::{AppState, router};
use crate::pki;
use crate::storage::embedded::{EmbeddedConfig, EmbeddedStore};
use crate::storage::etcd::{EtcdConfig, EtcdStore};
use crate::storage::{Store, compactor};

/// Command-line options of `karmada-apiserver` (kube-apiserver's names where they exist).
#[derive(clap::Parser, Debug, Clone)]
#[command(name = "karmada-apiserver", version = karmada_api::names::VERSION)]
pub struct Options {
    /// Where the embedded store, generated certificates and the admin kubeconfig live.
    #[arg(long, env = "KARMADA_DATA_DIR", default_value = "karmada-data")]
    pub data_dir: PathBuf,
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind_address: IpAddr,
    /// The HTTPS port (0: any free port; the chosen one is logged and written to the kubeconfig).
    #[arg(long, default_value_t = 6443)]
    pub secure_port: u16,
    /// etcd endpoints (comma-separated). Without them the embedded store in --data-dir is used.
    #[arg(long, value_delimiter = ',')]
    pub etcd_servers: Vec<String>,
    /// The key prefix for everything this server keeps in etcd.
    #[arg(long, default_value = karmada_api::names::DEFAULT_STORAGE_PREFIX)]
    pub etcd_prefix: String,
    /// Serving certificate (PEM). Without it one is generated under --data-dir/pki.
    #[arg(long, requires = "tls_private_key_file")]
    pub tls_cert_file: Option<PathBuf>,
    /// Serving key (PEM).
    #[arg(long, requires = "tls_cert_file")]
    pub tls_private_key_file: Option<PathBuf>,
    /// CA bundle that client certificates are verified against (default: the generated CA).
    #[arg(long)]
    pub client_ca_file: Option<PathBuf>,
    /// Static bearer tokens, kube-apiserver's `token,user,uid,"group1,group2"` CSV format.
    #[arg(long)]
    pub token_auth_file: Option<PathBuf>,
    /// Extra subject alternative names (IPs or DNS names) for the generated serving certificate.
    #[arg(long, value_delimiter = ',')]
    pub cert_sans: Vec<String>,
    /// Where to write the admin kubeconfig (default: --data-dir/admin.kubeconfig).
    #[arg(long)]
    pub kubeconfig_out: Option<PathBuf>,
    /// CA bundle of front-proxy client certificates whose requests carry the user in headers
    /// (running behind an aggregating kube-apiserver).
    #[arg(long)]
    pub requestheader_client_ca_file: Option<PathBuf>,
    /// Front-proxy certificate CNs allowed to assert identities (empty: any from that CA).
    #[arg(long, value_delimiter = ',')]
    pub requestheader_allowed_names: Vec<String>,
    /// Headers carrying the user name, first non-empty wins.
    #[arg(long, value_delimiter = ',', default_value = "X-Remote-User")]
    pub requestheader_username_headers: Vec<String>,
    /// Headers carrying the groups.
    #[arg(long, value_delimiter = ',', default_value = "X-Remote-Group")]
    pub requestheader_group_headers: Vec<String>,
    /// Most non-watch requests served at once; more are answered 429.
    #[arg(long, default_value_t = crate::http::MAX_IN_FLIGHT)]
    pub max_requests_inflight: usize,
    /// How often storage history is compacted (seconds).
    #[arg(long, default_value_t = 300)]
    pub compaction_interval_seconds: u64,
}

/// A running API server.
pub struct Server {
    /// The address it listens on.
    pub addr: SocketAddr,
    /// The admin kubeconfig it wrote (when it generated its certificates).
    pub kubeconfig: Option<PathBuf>,
    draining: Arc<std::sync::atomic::AtomicBool>,
    shutdown: watch::Sender<bool>,
    task: JoinHandle<()>,
    /// Background workers (compactor, CRD controller), stopped by the same signal.
    workers: Vec<JoinHandle<()>>,
}

impl Server {
    /// Stops accepting, lets open requests finish for a short while, then returns.
    pub async fn shutdown(self) {
        let _ = self.shutdown.send(true);
        let _ = self.task.await;
        for worker in self.workers {
            let _ = worker.await;
        }
    }

    /// Waits until the server stops (it stops only through [`Server::shutdown`] or a fatal error).
    pub async fn wait(self) {
        let _ = self.task.await;
    }

    /// Marks the server as draining (or not): `/readyz` fails while it drains, before a planned
    /// shutdown, so that probes and load balancers stop sending it requests.
    pub fn set_draining(&self, draining: bool) {
        self.draining
            .store(draining, std::sync::atomic::Ordering::Relaxed);
    }

    /// The draining flag itself, for a supervisor that decides when the server drains.
    pub fn draining_handle(&self) -> Arc<std::sync::atomic::AtomicBool> {
        Arc::clone(&self.draining)
    }

    /// A handle that stops the server when `true` is sent.
    pub fn shutdown_handle(&self) -> watch::Sender<bool> {
        self.shutdown.clone()
    }
}

async fn open_store(options: &Options) -> anyhow::Result<Arc<dyn Store>> {
    if options.etcd_servers.is_empty() {
        let dir = options.data_dir.join("storage");
        let store = EmbeddedStore::open(EmbeddedConfig::new(&dir))
            .with_context(|| format!("failed to open the embedded store in {}", dir.display()))?;
        Ok(Arc::new(store))
    } else {
        let mut config = EtcdConfig::new(options.etcd_servers.clone());
        config.namespace = options.etcd_prefix.trim_end_matches('/').to_string();
        let store = EtcdStore::connect(config)
            .await
            .with_context(|| format!("failed to connect to etcd at {:?}", options.etcd_servers))?;
        Ok(Arc::new(store))
    }
}

fn read_pem_file(path: &PathBuf) -> anyhow::Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("failed to read {}", path.display()))
}

fn certs(pem: &str) -> anyhow::Result<Vec<CertificateDer<'static>>> {
    let certs = CertificateDer::pem_slice_iter(pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .context("invalid certificate PEM")?;
    anyhow::ensure!(!certs.is_empty(), "no certificate in PEM");
    Ok(certs)
}

/// Starts the server and returns once it is listening.
pub async fn start(options: Options) -> anyhow::Result<Server> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let store = open_store(&options).await?;

    let listener = TcpListener::bind(SocketAddr::new(options.bind_address, options.secure_port))
        .await
        .with_context(|| {
            format!(
                "failed to listen on {}:{}",
                options.bind_address, options.secure_port
            )
        })?;
    let addr = listener.local_addr()?;

    // Certificates: given, or generated once and reused.
    let mut kubeconfig = None;
    let (serving_cert, serving_key, mut client_ca) =
        match (&options.tls_cert_file, &options.tls_private_key_file) {
            (Some(cert), Some(key)) => (read_pem_file(cert)?, read_pem_file(key)?, None),
            _ => {
                let mut sans = vec!["127.0.0.1".to_string(), "::1".into(), "localhost".into()];
                if !options.bind_address.is_unspecified() {
                    sans.push(options.bind_address.to_string());
                }
                sans.extend(options.cert_sans.iter().cloned());
                let material = pki::load_or_create(&options.data_dir.join("pki"), &sans)?;
                let host = if addr.ip().is_unspecified() {
                    IpAddr::V4(Ipv4Addr::LOCALHOST)
                } else {
                    addr.ip()
                };
                let url = format!("https://{}", SocketAddr::new(host, addr.port()));
                let path = options
                    .kubeconfig_out
                    .clone()
                    .unwrap_or_else(|| options.data_dir.join("admin.kubeconfig"));
                pki::write_private(
                    &path,
                    &pki::kubeconfig(
                        &url,
                        &material.ca_cert_pem,
                        &material.admin_cert_pem,
                        &material.admin_key_pem,
                        "karmada-apiserver",
                    ),
                )?;
                kubeconfig = Some(path);
                (
                    material.serving_cert_pem,
                    material.serving_key_pem,
                    Some(material.ca_cert_pem),
                )
            }
        };
    if let Some(path) = &options.client_ca_file {
        client_ca = Some(read_pem_file(path)?);
    }

    let client_ca_certs = match &client_ca {
        Some(pem) => certs(pem)?,
        None => Vec::new(),
    };
    let front_proxy_certs = match &options.requestheader_client_ca_file {
        Some(path) => certs(&read_pem_file(path)?)?,
        None => Vec::new(),
    };
    let client_ca_subjects = Arc::new(subjects(&client_ca_certs));
    let front_proxy_subjects = Arc::new(subjects(&front_proxy_certs));
    let mut tls = {
        let cert_chain = certs(&serving_cert)?;
        let key = PrivateKeyDer::from_pem_slice(serving_key.as_bytes())
            .context("invalid serving key PEM")?;
        let builder = rustls::ServerConfig::builder();
        let all_client_cas: Vec<_> = client_ca_certs
            .iter()
            .chain(&front_proxy_certs)
            .cloned()
            .collect();
        let builder = match all_client_cas.is_empty() {
            false => {
                let mut roots = RootCertStore::empty();
                for cert in all_client_cas {
                    roots.add(cert).context("invalid client CA certificate")?;
                }
                let verifier = WebPkiClientVerifier::builder(Arc::new(roots))
                    .allow_unauthenticated()
                    .build()
                    .context("failed to build the client certificate verifier")?;
                builder.with_client_cert_verifier(verifier)
            }
            true => builder.with_no_client_auth(),
        };
        builder
            .with_single_cert(cert_chain, key)
            .context("invalid serving certificate or key")?
    };
    tls.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];

    let mut authenticator = Authenticator::new();
    if !front_proxy_certs.is_empty() {
        authenticator.set_front_proxy(FrontProxyConfig {
            allowed_names: options.requestheader_allowed_names.clone(),
            username_headers: options.requestheader_username_headers.clone(),
            group_headers: options.requestheader_group_headers.clone(),
        });
    }
    if let Some(path) = &options.token_auth_file {
        authenticator.load_token_file(path)?;
    }
    let state = Arc::new(
        AppState::new(Arc::clone(&store), authenticator)
            .with_max_in_flight(options.max_requests_inflight),
    );
    bootstrap_namespaces(&state).await?;
    let karmada_crds: Vec<serde_json::Value> = karmada_api::crds::all()
        .iter()
        .map(serde_json::to_value)
        .collect::<Result<_, _>>()
        .context("failed to encode Karmada's CRDs")?;
    crate::crd::install_builtin(&state, &karmada_crds)
        .await
        .context("failed to install Karmada's CRDs")?;
    let app = router(Arc::clone(&state));

    let (shutdown, shutdown_rx) = watch::channel(false);
    let compactor = tokio::spawn(compactor::run(
        Arc::clone(&store),
        Duration::from_secs(options.compaction_interval_seconds.max(1)),
        shutdown_rx.clone(),
    ));
    let crd_controller = tokio::spawn(crate::crd::run(Arc::clone(&state), shutdown_rx.clone()));
    let lifecycle_controller =
        tokio::spawn(crate::gc::run(Arc::clone(&state), shutdown_rx.clone()));
    let acceptor = TlsAcceptor::from(Arc::new(tls));
    let identities = Identities {
        client_ca: client_ca_subjects,
        front_proxy_ca: front_proxy_subjects,
    };
    let task = tokio::spawn(serve(listener, acceptor, app, identities, shutdown_rx));
    tracing::info!(%addr, kubeconfig = ?kubeconfig, "karmada-apiserver listening");
    Ok(Server {
        addr,
        kubeconfig,
        draining: Arc::clone(&state.draining),
        shutdown,
        task,
        workers: vec![compactor, crd_controller, lifecycle_controller],
    })
}

/// How long open connections get to finish after shutdown is requested.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);
/// A TLS handshake that takes longer than this is dropped.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Which CAs a peer certificate may come from, by subject.
#[derive(Clone)]
struct Identities {
    client_ca: Arc<Vec<Vec<u8>>>,
    front_proxy_ca: Arc<Vec<Vec<u8>>>,
}

async fn serve(
    listener: TcpListener,
    acceptor: TlsAcceptor,
    app: axum::Router,
    identities: Identities,
    mut shutdown: watch::Receiver<bool>,
) {
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    loop {
        let (tcp, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    tracing::warn!(%error, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = shutdown.changed() => break,
        };
        let _ = tcp.set_nodelay(true);
        let acceptor = acceptor.clone();
        let app = app.clone();
        let identities = identities.clone();
        let watcher = graceful.watcher();
        tokio::spawn(async move {
            let tls = match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(tcp)).await {
                Ok(Ok(tls)) => tls,
                Ok(Err(error)) => {
                    tracing::debug!(%remote, %error, "TLS handshake failed");
                    return;
                }
                Err(_) => {
                    tracing::debug!(%remote, "TLS handshake timed out");
                    return;
                }
            };
            let peer = tls
                .get_ref()
                .1
                .peer_certificates()
                .and_then(|chain| chain.first())
                .map(|leaf| identify_peer(leaf, &identities.client_ca, &identities.front_proxy_ca))
                .unwrap_or_default();
            let service = hyper::service::service_fn(
                move |mut request: hyper::Request<hyper::body::Incoming>| {
                    request.extensions_mut().insert(peer.clone());
                    request.extensions_mut().insert(RemoteAddr(remote));
                    app.clone().oneshot(request.map(axum::body::Body::new))
                },
            );
            let builder = auto::Builder::new(TokioExecutor::new());
            let connection = builder.serve_connection_with_upgrades(TokioIo::new(tls), service);
            if let Err(error) = watcher.watch(connection.into_owned()).await {
                tracing::debug!(%remote, %error, "connection ended with an error");
            }
        });
    }
    drop(listener);
    if tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("connections still open after the shutdown grace period");
    }
}

/// The client's address, attached to every request.
#[derive(Debug, Clone, Copy)]
pub struct RemoteAddr(pub SocketAddr);

/// The namespaces every Kubernetes API server has.
const SYSTEM_NAMESPACES: &[&str] = &["default", "kube-system", "kube-public", "kube-node-lease"];

/// Creates the system namespaces that do not exist yet.
async fn bootstrap_namespaces(state: &AppState) -> anyhow::Result<()> {
    let info = state
        .registry
        .get("", "v1", "namespaces")
        .context("namespaces are not registered")?;
    for name in SYSTEM_NAMESPACES {
        let mut object = serde_json::json!({
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {"name": name},
            "spec": {"finalizers": ["kubernetes"]},
            "status": {"phase": "Active"},
        });
        let map = object.as_object_mut().context("namespace is an object")?;
        crate::http::object::initialize(&info, map);
        // `initialize` drops status for kinds with a status subresource; a namespace starts Active.
        object["status"] = serde_json::json!({"phase": "Active"});
        match state
            .store
            .create(
                &info.key(None, name),
                crate::http::object::to_storage(&object),
            )
            .await
        {
            Ok(_) | Err(crate::storage::StorageError::AlreadyExists { .. }) => {}
            Err(e) => return Err(e).with_context(|| format!("failed to create namespace {name}")),
        }
    }
    Ok(())
}
