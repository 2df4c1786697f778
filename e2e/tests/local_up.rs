//! What the README promises: `karmadactl local-up` (started by `hack/run-local.sh`) runs a
//! federation that real kubectl drives with `kubectl apply -f examples/nginx/`; Ctrl-C stops it
//! cleanly and starting it again resumes the same federation.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use karmada_e2e::federation::binary;
use karmada_e2e::wait_for;
use tokio::process::Child;

fn kubectl(kubeconfig: &Path, args: &[&str]) -> Output {
    Command::new("kubectl")
        .arg("--kubeconfig")
        .arg(kubeconfig)
        .args(args)
        .env("KUBECACHEDIR", kubeconfig.with_extension("cache"))
        .output()
        .expect("kubectl runs")
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn start(dir: &Path) -> Child {
    let _ = std::fs::remove_file(dir.join("admin.kubeconfig"));
    tokio::process::Command::new(binary("karmadactl"))
        .args(["local-up", "--members", "2", "--port", "0", "--data-dir"])
        .arg(dir)
        .stdout(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("karmadactl local-up starts")
}

async fn stop(mut child: Child) {
    let pid = child.id().expect("a pid") as i32;
    // Ctrl-C.
    let _ = Command::new("kill")
        .args(["-INT", &pid.to_string()])
        .status();
    let status = tokio::time::timeout(Duration::from_secs(30), child.wait())
        .await
        .expect("local-up stops within 30 s of Ctrl-C")
        .expect("exit status");
    assert!(status.success(), "local-up exited with {status}");
}

async fn ready(kubeconfig: &Path) {
    wait_for("both members Ready", Duration::from_secs(60), || async {
        if !kubeconfig.exists() {
            return Err("no kubeconfig yet".to_string());
        }
        let out = kubectl(kubeconfig, &["get", "clusters", "--no-headers"]);
        let t = text(&out);
        (out.status.success() && t.lines().filter(|l| l.contains(" True ")).count() == 2)
            .then_some(())
            .ok_or(t)
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn local_up_runs_the_nginx_example_with_real_kubectl() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let data = dir.path().join("karmada-data");
    let kubeconfig = data.join("admin.kubeconfig");
    let member1 = data.join("members/member1.kubeconfig");
    let member2 = data.join("members/member2.kubeconfig");
    let examples = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/nginx");

    let child = start(&data);
    ready(&kubeconfig).await;
    let out = kubectl(
        &kubeconfig,
        &["apply", "-f", &examples.display().to_string()],
    );
    assert!(out.status.success(), "{}", text(&out));

    // Static weights 1:2 over three replicas; member1 gets the image override.
    wait_for("nginx in both members", Duration::from_secs(60), || async {
        let one = text(&kubectl(
            &member1,
            &[
                "get",
                "deploy",
                "nginx",
                "-o",
                "jsonpath={.spec.replicas} {.spec.template.spec.containers[0].image}",
            ],
        ));
        let two = text(&kubectl(
            &member2,
            &[
                "get",
                "deploy",
                "nginx",
                "-o",
                "jsonpath={.spec.replicas} {.spec.template.spec.containers[0].image}",
            ],
        ));
        (one == "1 registry.k8s.io/nginx" && two == "2 nginx")
            .then_some(())
            .ok_or(format!("member1 {one:?}, member2 {two:?}"))
    })
    .await;
    // The federation's READY column sums the members.
    wait_for(
        "READY 3/3 on the federation",
        Duration::from_secs(60),
        || async {
            let out = text(&kubectl(
                &kubeconfig,
                &["get", "deploy", "nginx", "--no-headers"],
            ));
            out.contains(" 3/3 ").then_some(()).ok_or(out)
        },
    )
    .await;
    stop(child).await;

    // Started again on the same data directory: the same federation, still serving.
    let child = start(&data);
    ready(&kubeconfig).await;
    let out = text(&kubectl(
        &kubeconfig,
        &["get", "deploy", "nginx", "-o", "jsonpath={.spec.replicas}"],
    ));
    assert_eq!(out, "3");
    kubectl(
        &kubeconfig,
        &["scale", "deploy", "nginx", "--replicas", "6"],
    );
    wait_for(
        "the resumed federation propagates a scale",
        Duration::from_secs(60),
        || async {
            let two = text(&kubectl(
                &member2,
                &["get", "deploy", "nginx", "-o", "jsonpath={.spec.replicas}"],
            ));
            (two == "4").then_some(()).ok_or(two)
        },
    )
    .await;
    stop(child).await;
}
