//! Clients of member clusters. Controllers that touch members (execution, work status, cluster
//! status) get clients through [`MemberClients`], so the same controllers run in the
//! controller-manager (push: credentials from the Cluster's Secret in `karmada-cluster`) and in the
//! pull-mode agent (its own cluster's in-cluster credentials).

use std::collections::HashMap;
use std::sync::Mutex;

use k8s_openapi::api::core::v1::Secret;
use karmada_api::cluster::v1alpha1::{Cluster, ClusterSyncMode};
use kube::Client;
use kube::api::Api;
use kube::config::{AuthInfo, Config};
use kube::runtime::reflector::{ObjectRef, Store};
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

/// Why a member client could not be had.
#[derive(Debug, thiserror::Error)]
pub enum MemberError {
    #[error("cluster {0} is not known")]
    UnknownCluster(String),
    #[error("cluster {0} is not in push mode")]
    NotPush(String),
    #[error("cluster {cluster} has no {what}")]
    Incomplete { cluster: String, what: &'static str },
    #[error("failed to read the credentials of cluster {cluster}: {source}")]
    Credentials {
        cluster: String,
        source: kube::Error,
    },
    #[error("invalid credentials of cluster {cluster}: {message}")]
    InvalidCredentials { cluster: String, message: String },
}

/// Hands out a client per member cluster.
#[async_trait::async_trait]
pub trait MemberClients: Send + Sync {
    /// A client of `cluster`, or why there is none.
    async fn client(&self, cluster: &str) -> Result<Client, MemberError>;
    /// Whether this process drives `cluster` (push clusters for the controller-manager; only its
    /// own cluster for an agent).
    fn serves(&self, cluster: &Cluster) -> bool;
}

/// Push mode: clients built from each Cluster's `apiEndpoint` and the `token` / `caBundle` of its
/// `secretRef` Secret, cached until the Cluster or the Secret changes.
pub struct PushClients {
    federation: Client,
    clusters: Store<Cluster>,
    cache: Mutex<HashMap<String, (String, Client)>>,
}

impl PushClients {
    pub fn new(federation: Client, clusters: Store<Cluster>) -> PushClients {
        PushClients {
            federation,
            clusters,
            cache: Mutex::default(),
        }
    }
}

#[async_trait::async_trait]
impl MemberClients for PushClients {
    async fn client(&self, name: &str) -> Result<Client, MemberError> {
        let cluster = self
            .clusters
            .get(&ObjectRef::new(name))
            .ok_or_else(|| MemberError::UnknownCluster(name.to_string()))?;
        if cluster.spec.sync_mode != ClusterSyncMode::Push {
            return Err(MemberError::NotPush(name.to_string()));
        }
        let endpoint = cluster
            .spec
            .api_endpoint
            .clone()
            .filter(|e| !e.is_empty())
            .ok_or_else(|| MemberError::Incomplete {
                cluster: name.to_string(),
                what: "apiEndpoint",
            })?;
        let secret_ref =
            cluster
                .spec
                .secret_ref
                .clone()
                .ok_or_else(|| MemberError::Incomplete {
                    cluster: name.to_string(),
                    what: "secretRef",
                })?;
        let secret = Api::<Secret>::namespaced(self.federation.clone(), &secret_ref.namespace)
            .get(&secret_ref.name)
            .await
            .map_err(|source| MemberError::Credentials {
                cluster: name.to_string(),
                source,
            })?;
        // The cache key: whatever the client is built from.
        let version = format!(
            "{endpoint}|{}|{}|{:?}|{:?}",
            secret
                .metadata
                .resource_version
                .as_deref()
                .unwrap_or_default(),
            secret.metadata.uid.as_deref().unwrap_or_default(),
            cluster.spec.insecure_skip_tls_verification,
            cluster.spec.proxy_url,
        );
        if let Some((cached_version, client)) = self.lock().get(name)
            && *cached_version == version
        {
            return Ok(client.clone());
        }
        let data = secret.data.unwrap_or_default();
        let token = data
            .get("token")
            .map(|b| String::from_utf8_lossy(&b.0).trim().to_string())
            .filter(|t| !t.is_empty())
            .ok_or_else(|| MemberError::Incomplete {
                cluster: name.to_string(),
                what: "token in its secret",
            })?;
        let ca = data.get("caBundle").map(|b| b.0.clone());
        let client = build_client(
            name,
            &endpoint,
            &token,
            ca.as_deref(),
            cluster.spec.insecure_skip_tls_verification.unwrap_or(false),
            cluster.spec.proxy_url.as_deref(),
        )?;
        self.lock()
            .insert(name.to_string(), (version, client.clone()));
        Ok(client)
    }

    fn serves(&self, cluster: &Cluster) -> bool {
        cluster.spec.sync_mode == ClusterSyncMode::Push
    }
}

impl PushClients {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (String, Client)>> {
        self.cache.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A client of a member API server from its endpoint, bearer token and CA bundle (PEM).
pub fn build_client(
    cluster: &str,
    endpoint: &str,
    token: &str,
    ca_pem: Option<&[u8]>,
    insecure: bool,
    proxy_url: Option<&str>,
) -> Result<Client, MemberError> {
    let invalid = |message: String| MemberError::InvalidCredentials {
        cluster: cluster.to_string(),
        message,
    };
    let url = endpoint
        .parse::<http::Uri>()
        .map_err(|e| invalid(format!("apiEndpoint {endpoint:?}: {e}")))?;
    let mut config = Config::new(url);
    // No transparent retries of 429/503: a member's health probe must see a failing /readyz at
    // once, and the controllers' queues already back off per object.
    config.default_retry = false;
    config.accept_invalid_certs = insecure;
    if let Some(pem) = ca_pem.filter(|p| !p.is_empty()) {
        let certs = CertificateDer::pem_slice_iter(pem)
            .map(|c| c.map(|c| c.to_vec()))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| invalid(format!("caBundle: {e}")))?;
        if certs.is_empty() {
            return Err(invalid("caBundle holds no certificate".into()));
        }
        config.root_cert = Some(certs);
    }
    if let Some(proxy) = proxy_url.filter(|p| !p.is_empty()) {
        config.proxy_url = Some(
            proxy
                .parse()
                .map_err(|e| invalid(format!("proxyURL {proxy:?}: {e}")))?,
        );
    }
    config.auth_info = AuthInfo {
        token: Some(token.to_string().into()),
        ..AuthInfo::default()
    };
    Client::try_from(config).map_err(|e| invalid(e.to_string()))
}
