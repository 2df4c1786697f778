//! The API server's own certificates when none are given: a CA, a serving certificate for the
//! addresses the server is reached at, an admin client certificate (`CN=karmada-admin`,
//! `O=system:masters`) and an admin kubeconfig that uses them.
//!
//! Generated once in `<data-dir>/pki/` and reused on later starts, so kubeconfigs handed out stay
//! valid across restarts.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, SanType,
};

/// The user name of the generated admin certificate.
pub const ADMIN_USER: &str = "karmada-admin";
/// The group of the generated admin certificate (all permissions, as in Kubernetes).
pub const ADMIN_GROUP: &str = "system:masters";

#[derive(Debug, thiserror::Error)]
pub enum PkiError {
    #[error("failed to {action} {path}: {source}")]
    Io {
        action: &'static str,
        path: PathBuf,
        source: io::Error,
    },
    #[error("failed to generate {what}: {source}")]
    Generate {
        what: &'static str,
        source: rcgen::Error,
    },
}

/// PEM material for serving and for the admin kubeconfig.
#[derive(Clone)]
pub struct Pki {
    pub ca_cert_pem: String,
    pub serving_cert_pem: String,
    pub serving_key_pem: String,
    pub admin_cert_pem: String,
    pub admin_key_pem: String,
}

fn read(path: &Path) -> Result<Option<String>, PkiError> {
    match fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(PkiError::Io {
            action: "read",
            path: path.to_path_buf(),
            source,
        }),
    }
}

fn write(path: &Path, contents: &str, private: bool) -> Result<(), PkiError> {
    let io = |source| PkiError::Io {
        action: "write",
        path: path.to_path_buf(),
        source,
    };
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(io)?;
    }
    fs::write(path, contents).map_err(io)?;
    if private {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(path, fs::Permissions::from_mode(0o600)).map_err(io)?;
    }
    Ok(())
}

fn ca_params() -> CertificateParams {
    let mut params = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, "karmada-rs-ca");
    params.distinguished_name = dn;
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    params.not_before = rcgen::date_time_ymd(2024, 1, 1);
    params.not_after = rcgen::date_time_ymd(2124, 1, 1);
    params
}

fn generate(what: &'static str) -> impl Fn(rcgen::Error) -> PkiError {
    move |source| PkiError::Generate { what, source }
}

/// The CA that signs the server's certificates; kept to sign more (agents, members) later.
pub struct CertificateAuthority {
    issuer: Issuer<'static, KeyPair>,
    cert_pem: String,
}

impl CertificateAuthority {
    fn load_or_create(dir: &Path) -> Result<Self, PkiError> {
        let (cert_path, key_path) = (dir.join("ca.crt"), dir.join("ca.key"));
        if let (Some(cert_pem), Some(key_pem)) = (read(&cert_path)?, read(&key_path)?) {
            let key = KeyPair::from_pem(&key_pem).map_err(generate("the CA key (parse)"))?;
            let issuer = Issuer::new(ca_params(), key);
            return Ok(CertificateAuthority { issuer, cert_pem });
        }
        let key = KeyPair::generate().map_err(generate("the CA key"))?;
        let cert = ca_params()
            .self_signed(&key)
            .map_err(generate("the CA certificate"))?;
        let cert_pem = cert.pem();
        write(&key_path, &key.serialize_pem(), true)?;
        write(&cert_path, &cert_pem, false)?;
        let issuer = Issuer::new(ca_params(), key);
        Ok(CertificateAuthority { issuer, cert_pem })
    }

    /// Issues a certificate; returns `(cert_pem, key_pem)`.
    pub fn issue(
        &self,
        common_name: &str,
        organizations: &[&str],
        sans: &[String],
        usage: ExtendedKeyUsagePurpose,
    ) -> Result<(String, String), PkiError> {
        let mut params =
            CertificateParams::new(Vec::<String>::new()).map_err(generate("certificate params"))?;
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CommonName, common_name);
        for org in organizations {
            dn.push(DnType::OrganizationName, *org);
        }
        params.distinguished_name = dn;
        params.subject_alt_names = sans
            .iter()
            .map(|san| match san.parse::<std::net::IpAddr>() {
                Ok(ip) => Ok(SanType::IpAddress(ip)),
                Err(_) => san
                    .as_str()
                    .try_into()
                    .map(SanType::DnsName)
                    .map_err(generate("a DNS name")),
            })
            .collect::<Result<_, _>>()?;
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
        ];
        params.extended_key_usages = vec![usage];
        params.not_before = rcgen::date_time_ymd(2024, 1, 1);
        params.not_after = rcgen::date_time_ymd(2124, 1, 1);
        let key = KeyPair::generate().map_err(generate("a key"))?;
        let cert = params
            .signed_by(&key, &self.issuer)
            .map_err(generate("a certificate"))?;
        Ok((cert.pem(), key.serialize_pem()))
    }

    pub fn cert_pem(&self) -> &str {
        &self.cert_pem
    }
}

/// Loads the PKI from `dir`, generating whatever is missing. `sans` are the serving certificate's
/// subject alternative names (IP addresses or DNS names).
pub fn load_or_create(dir: &Path, sans: &[String]) -> Result<Pki, PkiError> {
    let ca = CertificateAuthority::load_or_create(dir)?;
    let pair = |name: &str,
                make: &dyn Fn() -> Result<(String, String), PkiError>|
     -> Result<(String, String), PkiError> {
        let (cert_path, key_path) = (
            dir.join(format!("{name}.crt")),
            dir.join(format!("{name}.key")),
        );
        if let (Some(cert), Some(key)) = (read(&cert_path)?, read(&key_path)?) {
            return Ok((cert, key));
        }
        let (cert, key) = make()?;
        write(&key_path, &key, true)?;
        write(&cert_path, &cert, false)?;
        Ok((cert, key))
    };
    let (serving_cert_pem, serving_key_pem) = pair("apiserver", &|| {
        ca.issue(
            "karmada-apiserver",
            &[],
            sans,
            ExtendedKeyUsagePurpose::ServerAuth,
        )
    })?;
    let (admin_cert_pem, admin_key_pem) = pair("admin", &|| {
        ca.issue(
            ADMIN_USER,
            &[ADMIN_GROUP],
            &[],
            ExtendedKeyUsagePurpose::ClientAuth,
        )
    })?;
    Ok(Pki {
        ca_cert_pem: ca.cert_pem().to_string(),
        serving_cert_pem,
        serving_key_pem,
        admin_cert_pem,
        admin_key_pem,
    })
}

/// A kubeconfig for `server` (an `https://` URL) that authenticates with a client certificate.
pub fn kubeconfig(server: &str, ca_pem: &str, cert_pem: &str, key_pem: &str, name: &str) -> String {
    let b64 = |s: &str| STANDARD.encode(s.as_bytes());
    format!(
        "apiVersion: v1
kind: Config
clusters:
- name: {name}
  cluster:
    server: {server}
    certificate-authority-data: {ca}
users:
- name: {name}-admin
  user:
    client-certificate-data: {cert}
    client-key-data: {key}
contexts:
- name: {name}
  context:
    cluster: {name}
    user: {name}-admin
current-context: {name}
",
        ca = b64(ca_pem),
        cert = b64(cert_pem),
        key = b64(key_pem),
    )
}

/// Writes `contents` to `path` readable only by its owner.
pub fn write_private(path: &Path, contents: &str) -> Result<(), PkiError> {
    write(path, contents, true)
}
