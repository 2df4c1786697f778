//! A first pass over the basics with the newest and the oldest kubectl.

use crate::support::server::{Storage, TestServer, text};

async fn basics(storage: Storage) {
    let Some(server) = TestServer::start(storage, &[]).await else {
        return;
    };
    for version in ["1.27", "1.33"] {
        let ns = format!("smoke-{}", version.replace('.', "-"));
        let out = server.kubectl(version, &["create", "namespace", &ns], None);
        assert!(out.status.success(), "{version}: {}", text(&out));
        let manifest = format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm1\n  namespace: {ns}\n  labels: {{app: web}}\ndata:\n  a: b\n"
        );
        let out = server.kubectl(version, &["apply", "-f", "-"], Some(&manifest));
        assert!(
            text(&out).contains("configmap/cm1 created"),
            "{version}: {}",
            text(&out)
        );
        let out = server.kubectl(
            version,
            &["-n", &ns, "get", "cm", "-l", "app=web", "-o", "name"],
            None,
        );
        assert_eq!(
            String::from_utf8_lossy(&out.stdout).trim(),
            "configmap/cm1",
            "{version}: {}",
            text(&out)
        );
        let out = server.kubectl(version, &["-n", &ns, "get", "cm", "nothere"], None);
        assert!(
            text(&out).contains(r#"Error from server (NotFound): configmaps "nothere" not found"#),
            "{version}: {}",
            text(&out)
        );
        let out = server.kubectl(version, &["auth", "can-i", "create", "deployments"], None);
        assert_eq!(
            String::from_utf8_lossy(&out.stdout).trim(),
            "yes",
            "{version}: {}",
            text(&out)
        );
        let out = server.kubectl(
            version,
            &[
                "auth",
                "whoami",
                "-o",
                "jsonpath={.status.userInfo.username}",
            ],
            None,
        );
        assert_eq!(
            String::from_utf8_lossy(&out.stdout).trim(),
            "karmada-admin",
            "{version}: {}",
            text(&out)
        );
        let out = server.kubectl(version, &["delete", "namespace", &ns], None);
        assert!(out.status.success(), "{version}: {}", text(&out));
        let out = server.kubectl(version, &["get", "namespace", &ns], None);
        assert!(
            text(&out).contains("NotFound"),
            "{version}: the namespace is gone: {}",
            text(&out)
        );
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_basics_on_the_embedded_store() {
    basics(Storage::Embedded).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_basics_on_etcd() {
    basics(Storage::Etcd).await;
}
