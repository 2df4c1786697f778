//! Running behind an aggregating kube-apiserver: requests from a front proxy (a client certificate
//! issued by the request-header CA, with an allowed CN) carry the user in `X-Remote-User` /
//! `X-Remote-Group`; nobody else can assert an identity that way.

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose,
};
use serde_json::Value;

use crate::support::https::Https;
use crate::support::server::{Storage, TestServer};

/// A CA and a way to issue client certificates from it.
struct Ca {
    issuer: Issuer<'static, KeyPair>,
    pem: String,
}

impl Ca {
    fn new(cn: &str) -> Ca {
        let mut params = CertificateParams::default();
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CommonName, cn);
        params.distinguished_name = dn;
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let key = KeyPair::generate().unwrap();
        let pem = params.self_signed(&key).unwrap().pem();
        Ca {
            issuer: Issuer::new(params, key),
            pem,
        }
    }

    /// A client certificate for `cn` (PEM chain, PEM key).
    fn client(&self, cn: &str) -> (Vec<u8>, Vec<u8>) {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CommonName, cn);
        params.distinguished_name = dn;
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        let key = KeyPair::generate().unwrap();
        let cert = params.signed_by(&key, &self.issuer).unwrap();
        (cert.pem().into_bytes(), key.serialize_pem().into_bytes())
    }
}

/// Who the server takes the caller to be (`kubectl auth whoami`), or the HTTP status on refusal.
async fn whoami(client: &Https, headers: &[(&str, &str)]) -> Result<(String, Vec<String>), u16> {
    let response = client
        .request(
            "POST",
            "/apis/authentication.k8s.io/v1/selfsubjectreviews",
            headers,
            Some((
                "application/json",
                br#"{"apiVersion":"authentication.k8s.io/v1","kind":"SelfSubjectReview"}"#,
            )),
        )
        .await;
    let status = response.status;
    let body: Value = serde_json::from_str(&response.text().await).unwrap();
    if status != 201 {
        assert_eq!(body["kind"], "Status", "refusals are Status objects");
        return Err(status);
    }
    let user = &body["status"]["userInfo"];
    Ok((
        user["username"].as_str().unwrap().to_string(),
        user["groups"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g.as_str().unwrap().to_string())
            .collect(),
    ))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn identities_come_from_headers_only_through_an_allowed_front_proxy() {
    let front_proxy_ca = Ca::new("front-proxy-ca");
    let scratch = tempfile::tempdir().unwrap();
    let ca_file = scratch.path().join("front-proxy-ca.crt");
    std::fs::write(&ca_file, &front_proxy_ca.pem).unwrap();
    let ca_path = ca_file.display().to_string();
    let server = TestServer::start(
        Storage::Embedded,
        &[
            "--requestheader-client-ca-file",
            &ca_path,
            "--requestheader-allowed-names",
            "aggregator",
        ],
    )
    .await
    .unwrap();
    let alice = [("X-Remote-User", "alice"), ("X-Remote-Group", "devs")];

    // The aggregator's certificate: the headers decide who the user is.
    let (chain, key) = front_proxy_ca.client("aggregator");
    let proxy = Https::with_identity(&server, Some((&chain, &key)));
    let (name, groups) = whoami(&proxy, &alice).await.unwrap();
    assert_eq!(name, "alice");
    assert!(groups.contains(&"devs".to_string()), "{groups:?}");
    // Without a user header the proxy itself is nobody.
    assert_eq!(whoami(&proxy, &[]).await, Err(401));

    // Same CA, CN not allowed: refused, headers or not.
    let (chain, key) = front_proxy_ca.client("intruder");
    let intruder = Https::with_identity(&server, Some((&chain, &key)));
    assert_eq!(whoami(&intruder, &alice).await, Err(401));

    // A regular client may not impersonate through the headers.
    let admin = Https::new(&server);
    let (name, _) = whoami(&admin, &alice).await.unwrap();
    assert_eq!(name, "karmada-admin");

    // No certificate and no token: anonymous, refused.
    let anonymous = Https::with_identity(&server, None);
    assert_eq!(whoami(&anonymous, &alice).await, Err(401));
    server.stop().await;
}
