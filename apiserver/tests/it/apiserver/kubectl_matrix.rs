//! kubectl 1.27 … 1.33 × both storage backends: the command list of the kubectl contract (§12), each
//! line checked by what kubectl prints and by the object it leaves behind, not only by its exit code.
//!
//! Each test has its own server and namespace. The lines run in the contract's order and share state
//! (the Deployment `web`, the ConfigMap `cm1`, the custom resource `w1`); a failing line is recorded
//! and the run goes on, so one failure lists every line that fails for that version and backend.
//! The custom-resource lines use a small `widgets.example.com` CRD defined here, in place of the
//! contract's PropagationPolicy.
//!
//! The wire-level checks of §12 (discovery negotiation, watch expiry, bookmarks) are in [`wire`].

mod wire;

use std::fmt;
use std::process::{Output, Stdio};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
use tokio::time::Instant;

use crate::support::server::{KUBECTL_VERSIONS, Storage, TestServer, kubectl_path};

/// How long a condition (a CRD being served, a watch row) may take to appear.
const WAIT: Duration = Duration::from_secs(10);

const DEPLOY: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: a
        image: nginx:1.27
      - name: b
        image: busybox:1
";

const DEPLOY_CHANGED: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: a
        image: nginx:1.27
      - name: b
        image: busybox:1
";

/// Container `b` removed: client-side apply sends `{"$patch":"delete","name":"b"}`.
const DEPLOY_REMOVED_CONTAINER: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: a
        image: nginx:1.27
";

const CONFIG_MAP: &str = "\
apiVersion: v1
kind: ConfigMap
metadata:
  name: cm1
data:
  a: b
";

const WIDGET_CRD: &str = "\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  scope: Namespaced
  names:
    kind: Widget
    listKind: WidgetList
    plural: widgets
    singular: widget
    shortNames: [wd]
  versions:
  - name: v1
    served: true
    storage: true
    additionalPrinterColumns:
    - name: Priority
      type: integer
      jsonPath: .spec.priority
    - name: Age
      type: date
      jsonPath: .metadata.creationTimestamp
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            description: What the widget wants.
            properties:
              priority:
                type: integer
                description: Higher goes first.
              color:
                type: string
              clusters:
                type: array
                items:
                  type: string
";

const WIDGET: &str = "\
apiVersion: example.com/v1
kind: Widget
metadata:
  name: w1
spec:
  priority: 1
  color: red
  clusters: [m1, m2]
";

/// `color` removed and the list replaced: client-side apply sends a JSON merge patch with
/// `"color":null` and the whole list.
const WIDGET_CHANGED: &str = "\
apiVersion: example.com/v1
kind: Widget
metadata:
  name: w1
spec:
  priority: 5
  clusters: [m1, m3]
";

/// A manifest with `spec.bogusField`, which strict field validation rejects.
fn with_unknown_field(manifest: &str, name: &str) -> String {
    manifest
        .replacen("name: web\n", &format!("name: {name}\n"), 1)
        .replacen("name: w1\n", &format!("name: {name}\n"), 1)
        .replacen("spec:\n", "spec:\n  bogusField: x\n", 1)
}

/// What one kubectl run did.
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl From<Output> for Run {
    fn from(output: Output) -> Run {
        Run {
            code: output.status.code(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

impl Run {
    fn ok(&self) -> bool {
        self.code == Some(0)
    }

    /// Succeeded and printed exactly `expected` (one line).
    fn prints(&self, expected: &str) -> bool {
        self.ok() && self.stdout.trim_end() == expected
    }

    /// Failed and said `message` on stderr.
    fn fails_with(&self, message: &str) -> bool {
        !self.ok() && self.stderr.contains(message)
    }

    /// Stdout split into rows of whitespace-separated cells.
    fn rows(&self) -> Vec<Vec<&str>> {
        self.stdout
            .lines()
            .map(|line| line.split_whitespace().collect())
            .collect()
    }

    fn has_row(&self, cells: &[&str]) -> bool {
        self.rows().iter().any(|row| row == cells)
    }

    fn json(&self) -> Option<Value> {
        serde_json::from_str(&self.stdout).ok()
    }
}

impl fmt::Display for Run {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let indent = |text: &str| text.trim_end().replace('\n', "\n      ");
        write!(
            f,
            "exit {:?}\n    stdout: {}\n    stderr: {}",
            self.code,
            indent(&self.stdout),
            indent(&self.stderr)
        )
    }
}

/// One kubectl version against one server, collecting the lines that fail.
struct Matrix<'a> {
    server: &'a TestServer,
    version: &'static str,
    ns: String,
    failures: Vec<String>,
}

impl Matrix<'_> {
    fn kubectl(&self, args: &[&str]) -> Run {
        self.kubectl_with(args, None, &[])
    }

    fn kubectl_stdin(&self, args: &[&str], stdin: &str) -> Run {
        self.kubectl_with(args, Some(stdin), &[])
    }

    fn kubectl_with(&self, args: &[&str], stdin: Option<&str>, env: &[(&str, &str)]) -> Run {
        let mut full = vec!["--namespace", self.ns.as_str()];
        full.extend_from_slice(args);
        self.server
            .kubectl_with_env(self.version, &full, stdin, env)
            .into()
    }

    /// `kubectl get <what> -o jsonpath=<path>`'s output.
    fn jsonpath(&self, what: &[&str], path: &str) -> Run {
        let output = format!("jsonpath={path}");
        let mut args = vec!["get"];
        args.extend_from_slice(what);
        args.extend(["-o", output.as_str()]);
        self.kubectl(&args)
    }

    /// Records `line` (the command, as in the contract) as failing unless `ok`.
    fn check(&mut self, line: &str, expected: &str, run: &Run, ok: bool) {
        if !ok {
            self.failures.push(format!(
                "kubectl {line}\n  expected: {expected}\n  got: {run}"
            ));
        }
    }

    /// Polls `kubectl <args>` until `done` holds or [`WAIT`] passes; returns the last run.
    async fn poll(&self, args: &[&str], done: impl Fn(&Run) -> bool) -> Run {
        let deadline = Instant::now() + WAIT;
        loop {
            let run = self.kubectl(args);
            if done(&run) || Instant::now() > deadline {
                return run;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    fn create_namespace(&self) {
        let manifest = format!(
            "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {}\n",
            self.ns
        );
        // `create -f` sends JSON on every version (`create namespace` is protobuf from 1.32 on).
        let run = self.kubectl_stdin(&["create", "-f", "-"], &manifest);
        assert!(
            run.prints(&format!("namespace/{} created", self.ns)),
            "kubectl {}: creating the test namespace: {run}",
            self.version
        );
    }

    fn discovery(&mut self) {
        let run = self.kubectl(&["api-resources"]);
        self.check(
            "api-resources",
            "rows `deployments deploy apps/v1 true Deployment` and `configmaps cm v1 true ConfigMap`",
            &run,
            run.ok()
                && run.has_row(&["deployments", "deploy", "apps/v1", "true", "Deployment"])
                && run.has_row(&["configmaps", "cm", "v1", "true", "ConfigMap"]),
        );
    }

    fn apply_deployment(&mut self) {
        let ns = self.ns.clone();
        let run = self.kubectl_stdin(&["apply", "-f", "-"], DEPLOY);
        self.check(
            "apply -f deploy.yaml",
            "deployment.apps/web created",
            &run,
            run.prints("deployment.apps/web created"),
        );

        let run = self.kubectl(&["get", "deploy", "-A"]);
        let rows = run.rows();
        let header = [
            "NAMESPACE",
            "NAME",
            "READY",
            "UP-TO-DATE",
            "AVAILABLE",
            "AGE",
        ];
        self.check(
            "get deploy -A",
            &format!("the Table header {header:?} and a row `{ns} web 0/2 0 0 <age>`"),
            &run,
            run.ok()
                && rows.first().is_some_and(|row| row == &header)
                && rows
                    .iter()
                    .any(|row| row.len() == 6 && row[..5] == [ns.as_str(), "web", "0/2", "0", "0"]),
        );

        let run = self.kubectl_stdin(&["apply", "-f", "-"], DEPLOY_CHANGED);
        self.check(
            "apply -f deploy-changed.yaml",
            "deployment.apps/web configured",
            &run,
            run.prints("deployment.apps/web configured"),
        );
        let run = self.jsonpath(
            &["deploy", "web"],
            r"{.spec.replicas} {.metadata.annotations.kubectl\.kubernetes\.io/last-applied-configuration}",
        );
        let applied: Value = serde_saphyr::from_str(DEPLOY_CHANGED).expect("a YAML manifest");
        let last_applied = run
            .stdout
            .split_once(' ')
            .and_then(|(replicas, annotation)| {
                Some((replicas, serde_json::from_str::<Value>(annotation).ok()?))
            });
        self.check(
            r"get deploy web -o jsonpath='{.spec.replicas} {.metadata.annotations.kubectl\.kubernetes\.io/last-applied-configuration}'",
            "3, then the applied manifest as JSON",
            &run,
            run.ok()
                && last_applied.is_some_and(|(replicas, annotation)| {
                    replicas == "3"
                        && annotation["kind"] == "Deployment"
                        && annotation["metadata"]["name"] == "web"
                        && annotation["spec"] == applied["spec"]
                }),
        );

        let run = self.kubectl_stdin(&["apply", "-f", "-"], DEPLOY_REMOVED_CONTAINER);
        self.check(
            "apply -f deploy-removed-container.yaml",
            "deployment.apps/web configured",
            &run,
            run.prints("deployment.apps/web configured"),
        );
        let run = self.jsonpath(
            &["deploy", "web"],
            "{.spec.template.spec.containers[*].name} {.spec.template.spec.containers[*].image}",
        );
        self.check(
            "get deploy web -o jsonpath='{.spec.template.spec.containers[*].name}' (SMP $patch: delete)",
            "a nginx:1.27 (container b deleted, a kept)",
            &run,
            run.prints("a nginx:1.27"),
        );
    }

    fn config_map(&mut self) {
        let run = self.kubectl(&["create", "configmap", "cm1", "--from-literal=a=b"]);
        let created = run.prints("configmap/cm1 created");
        let protobuf = if self.version >= "1.32" {
            " (a protobuf request body)"
        } else {
            ""
        };
        self.check(
            &format!("create configmap cm1 --from-literal=a=b{protobuf}"),
            "configmap/cm1 created",
            &run,
            created,
        );
        if !created {
            // Still test `edit`, on a ConfigMap created with a JSON body.
            let run = self.kubectl_stdin(&["create", "-f", "-"], CONFIG_MAP);
            self.check(
                "create -f cm1.yaml (in place of the failed `create configmap`)",
                "configmap/cm1 created",
                &run,
                run.prints("configmap/cm1 created"),
            );
        }

        let run = self.kubectl_with(
            &["edit", "cm", "cm1"],
            None,
            &[("KUBE_EDITOR", r"sed -i s/a:\ b/a:\ edited/")],
        );
        self.check(
            r"edit cm cm1 (KUBE_EDITOR='sed -i s/a:\ b/a:\ edited/')",
            "configmap/cm1 edited",
            &run,
            run.prints("configmap/cm1 edited"),
        );
        let run = self.jsonpath(&["cm", "cm1"], "{.data.a}");
        self.check(
            "get cm cm1 -o jsonpath='{.data.a}'",
            "edited",
            &run,
            run.prints("edited"),
        );
    }

    fn patch_label_scale(&mut self) {
        let run = self.kubectl(&[
            "patch",
            "deploy",
            "web",
            "--type=merge",
            "-p",
            r#"{"spec":{"replicas":4}}"#,
        ]);
        self.check(
            r#"patch deploy web --type=merge -p '{"spec":{"replicas":4}}'"#,
            "deployment.apps/web patched",
            &run,
            run.prints("deployment.apps/web patched"),
        );
        let run = self.jsonpath(&["deploy", "web"], "{.spec.replicas}");
        self.check(
            "get deploy web -o jsonpath='{.spec.replicas}' (after the merge patch)",
            "4",
            &run,
            run.prints("4"),
        );

        let run = self.kubectl(&[
            "patch",
            "deploy",
            "web",
            "--type=json",
            "-p",
            r#"[{"op":"replace","path":"/spec/template/spec/containers/0/image","value":"nginx:1.28"}]"#,
        ]);
        self.check(
            r#"patch deploy web --type=json -p '[{"op":"replace","path":"/spec/template/spec/containers/0/image","value":"nginx:1.28"}]'"#,
            "deployment.apps/web patched",
            &run,
            run.prints("deployment.apps/web patched"),
        );

        let run = self.kubectl(&[
            "patch",
            "deploy",
            "web",
            "-p",
            r#"{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","image":"busybox:2"}]}}}}"#,
        ]);
        self.check(
            r#"patch deploy web -p '{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","image":"busybox:2"}]}}}}'"#,
            "deployment.apps/web patched",
            &run,
            run.prints("deployment.apps/web patched"),
        );
        let run = self.jsonpath(
            &["deploy", "web"],
            "{.spec.template.spec.containers[*].name} {.spec.template.spec.containers[*].image}",
        );
        self.check(
            "get deploy web -o jsonpath='{.spec.template.spec.containers[*].name} {…image}' (after the JSON and strategic patches)",
            "a sidecar nginx:1.28 busybox:2 (the JSON patch's image; sidecar merged in by name)",
            &run,
            run.prints("a sidecar nginx:1.28 busybox:2"),
        );

        let run = self.kubectl(&["label", "deploy", "web", "tier=fe"]);
        self.check(
            "label deploy web tier=fe",
            "deployment.apps/web labeled",
            &run,
            run.prints("deployment.apps/web labeled"),
        );
        let run = self.kubectl(&["get", "deploy", "-l", "tier=fe", "-o", "name"]);
        self.check(
            "get deploy -l tier=fe -o name",
            "deployment.apps/web",
            &run,
            run.prints("deployment.apps/web"),
        );
        let run = self.kubectl(&["get", "deploy", "-l", "tier=be"]);
        let none = format!("No resources found in {} namespace.", self.ns);
        self.check(
            "get deploy -l tier=be",
            &none,
            &run,
            run.prints("") && run.stderr.trim_end() == none,
        );

        let run = self.kubectl(&["scale", "deploy", "web", "--replicas=5"]);
        self.check(
            "scale deploy web --replicas=5",
            "deployment.apps/web scaled",
            &run,
            run.prints("deployment.apps/web scaled"),
        );
        let run = self.jsonpath(&["deploy", "web"], "{.spec.replicas}");
        self.check(
            "get deploy web -o jsonpath='{.spec.replicas}' (after scale)",
            "5",
            &run,
            run.prints("5"),
        );
    }

    async fn custom_resources(&mut self) {
        let run = self.kubectl_stdin(&["apply", "-f", "-"], WIDGET_CRD);
        self.check(
            "apply -f widget-crd.yaml",
            "customresourcedefinition.apiextensions.k8s.io/widgets.example.com created",
            &run,
            run.prints("customresourcedefinition.apiextensions.k8s.io/widgets.example.com created"),
        );
        let row = ["widgets", "wd", "example.com/v1", "true", "Widget"];
        let run = self
            .poll(&["api-resources"], |run| run.ok() && run.has_row(&row))
            .await;
        self.check(
            "api-resources (after the CRD)",
            &format!("a row {row:?} within {WAIT:?}"),
            &run,
            run.ok() && run.has_row(&row),
        );

        let run = self.kubectl_stdin(&["apply", "-f", "-"], WIDGET);
        self.check(
            "apply -f widget.yaml",
            "widget.example.com/w1 created",
            &run,
            run.prints("widget.example.com/w1 created"),
        );
        let run = self.kubectl_stdin(&["apply", "-f", "-"], WIDGET_CHANGED);
        self.check(
            "apply -f widget-changed.yaml (a JSON merge patch)",
            "widget.example.com/w1 configured",
            &run,
            run.prints("widget.example.com/w1 configured"),
        );
        let run = self.jsonpath(&["wd", "w1"], "{.spec}");
        self.check(
            "get wd w1 -o jsonpath='{.spec}'",
            r#"{"clusters":["m1","m3"],"priority":5} (color deleted, the list replaced)"#,
            &run,
            run.ok() && run.json() == Some(json!({"clusters": ["m1", "m3"], "priority": 5})),
        );
        let run = self.kubectl(&["get", "wd"]);
        let rows = run.rows();
        self.check(
            "get wd",
            "the header `NAME PRIORITY AGE` (printer columns) and a row `w1 5 <age>`",
            &run,
            run.ok()
                && rows
                    .first()
                    .is_some_and(|row| row == &["NAME", "PRIORITY", "AGE"])
                && rows
                    .iter()
                    .any(|row| row.len() == 3 && row[..2] == ["w1", "5"]),
        );

        let run = self.kubectl(&["patch", "wd", "w1", "-p", r#"{"spec":{"priority":7}}"#]);
        self.check(
            r#"patch wd w1 -p '{"spec":{"priority":7}}' (strategic merge patch on a custom kind)"#,
            "error: application/strategic-merge-patch+json is not supported by example.com/v1, Kind=Widget: …",
            &run,
            run.fails_with(
                "error: application/strategic-merge-patch+json is not supported by example.com/v1, Kind=Widget: ",
            ),
        );
        let run = self.kubectl(&[
            "patch",
            "wd",
            "w1",
            "--type=merge",
            "-p",
            r#"{"spec":{"priority":7}}"#,
        ]);
        self.check(
            r#"patch wd w1 --type=merge -p '{"spec":{"priority":7}}'"#,
            "widget.example.com/w1 patched",
            &run,
            run.prints("widget.example.com/w1 patched"),
        );
        let run = self.jsonpath(&["wd", "w1"], "{.spec.priority}");
        self.check(
            "get wd w1 -o jsonpath='{.spec.priority}'",
            "7",
            &run,
            run.prints("7"),
        );
    }

    fn explain(&mut self) {
        let run = self.kubectl(&["explain", "deployment.spec.replicas"]);
        self.check(
            "explain deployment.spec.replicas",
            "FIELD: replicas <integer> and its description",
            &run,
            run.ok()
                && run.stdout.contains("FIELD: replicas <integer>")
                && run.stdout.contains("Number of desired pods."),
        );
        let run = self.kubectl(&["explain", "widget.spec.priority"]);
        self.check(
            "explain widget.spec.priority (the CRD's schema in /openapi/v3)",
            "FIELD: priority <integer> and its description",
            &run,
            run.ok()
                && run.stdout.contains("FIELD: priority <integer>")
                && run.stdout.contains("Higher goes first."),
        );
    }

    fn diff(&mut self) {
        let state = "{.spec.replicas} {.metadata.generation} {.metadata.resourceVersion}";
        let before = self.jsonpath(&["deploy", "web"], state);
        let run = self.kubectl_stdin(&["diff", "-f", "-"], DEPLOY);
        self.check(
            "diff -f deploy.yaml",
            "exit 1 and a diff from replicas 5 to 2",
            &run,
            run.code == Some(1)
                && run.stdout.contains("\n-  replicas: 5\n")
                && run.stdout.contains("\n+  replicas: 2\n"),
        );
        let after = self.jsonpath(&["deploy", "web"], state);
        self.check(
            "get deploy web (after diff: dryRun=All persisted nothing)",
            &format!(
                "replicas, generation and resourceVersion unchanged: {}",
                before.stdout
            ),
            &after,
            before.ok() && after.ok() && after.stdout == before.stdout,
        );
    }

    /// `get deploy -w` in the background must print a second row after a label change.
    async fn watch(&mut self) {
        let cache = tempfile::tempdir_in(self.server.dir.path()).expect("cache dir");
        let mut child = tokio::process::Command::new(kubectl_path(self.version))
            .arg("--kubeconfig")
            .arg(&self.server.kubeconfig)
            .arg("--cache-dir")
            .arg(cache.path())
            .args(["--namespace", &self.ns, "get", "deploy", "-w"])
            .env("HOME", self.server.dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("kubectl get -w starts");
        let mut stdout = BufReader::new(child.stdout.take().expect("piped stdout")).lines();
        let mut printed = Vec::new();
        let web_rows = |printed: &[String]| {
            printed
                .iter()
                .filter(|line| line.split_whitespace().next() == Some("web"))
                .count()
        };
        let deadline = Instant::now() + WAIT;
        let mut read_until = async |rows: usize, printed: &mut Vec<String>| {
            while web_rows(printed) < rows {
                match tokio::time::timeout_at(deadline, stdout.next_line()).await {
                    Ok(Ok(Some(line))) => printed.push(line),
                    _ => return,
                }
            }
        };
        // The first row is printed from the list; the watch starts at the list's resourceVersion,
        // so the change below is seen even if it happens before the watch request arrives.
        read_until(1, &mut printed).await;
        let run = self.kubectl(&["label", "deploy", "web", "w=1"]);
        self.check(
            "label deploy web w=1",
            "deployment.apps/web labeled",
            &run,
            run.prints("deployment.apps/web labeled"),
        );
        read_until(2, &mut printed).await;
        child.kill().await.expect("kubectl get -w is stopped");
        let mut stderr = String::new();
        if let Some(mut pipe) = child.stderr.take() {
            let _ = pipe.read_to_string(&mut stderr).await;
        }
        let run = Run {
            code: None,
            stdout: printed.join("\n"),
            stderr,
        };
        self.check(
            "get deploy -w (in the background, then `label deploy web w=1`)",
            &format!("a second `web` row within {WAIT:?}"),
            &run,
            web_rows(&printed) >= 2,
        );
    }

    fn replace_conflict(&mut self) {
        let stale = self.kubectl(&["get", "deploy", "web", "-o", "yaml"]);
        self.check(
            "get deploy web -o yaml > stale.yaml",
            "the Deployment as YAML",
            &stale,
            stale.ok(),
        );
        let run = self.kubectl(&["label", "deploy", "web", "bump=1"]);
        self.check(
            "label deploy web bump=1",
            "deployment.apps/web labeled",
            &run,
            run.prints("deployment.apps/web labeled"),
        );
        let run = self.kubectl_stdin(&["replace", "-f", "-"], &stale.stdout);
        let conflict = "Error from server (Conflict): error when replacing \"STDIN\": Operation cannot \
            be fulfilled on deployments.apps \"web\": the object has been modified; please apply your \
            changes to the latest version and try again";
        self.check(
            "replace -f stale.yaml",
            conflict,
            &run,
            run.fails_with(conflict),
        );
    }

    fn not_found(&mut self) {
        let run = self.kubectl(&["get", "deploy", "nothere"]);
        let message = r#"Error from server (NotFound): deployments.apps "nothere" not found"#;
        self.check("get deploy nothere", message, &run, run.fails_with(message));
        let run = self.kubectl(&["get", "wd", "nothere"]);
        let message = r#"Error from server (NotFound): widgets.example.com "nothere" not found"#;
        self.check("get wd nothere", message, &run, run.fails_with(message));
    }

    fn unknown_fields(&mut self) {
        self.unknown_field_lines("deploy", "deployment.apps", "deployments.apps", DEPLOY);
        self.unknown_field_lines("wd", "widget.example.com", "widgets.example.com", WIDGET);
    }

    /// Strict field validation (the default) rejects an unknown field; `--validate=warn` creates
    /// the object without it and passes the server's warning on.
    fn unknown_field_lines(&mut self, short: &str, printed: &str, qualified: &str, manifest: &str) {
        let rejected = format!("{short}-unknown");
        let run = self.kubectl_stdin(
            &["apply", "-f", "-"],
            &with_unknown_field(manifest, &rejected),
        );
        let message = r#"Error from server (BadRequest): error when creating "STDIN": strict decoding error: unknown field "spec.bogusField""#;
        self.check(
            &format!("apply -f {short}-with-unknown-field.yaml"),
            message,
            &run,
            run.fails_with(message),
        );
        let run = self.kubectl(&["get", short, &rejected]);
        let message =
            format!(r#"Error from server (NotFound): {qualified} "{rejected}" not found"#);
        self.check(
            &format!("get {short} {rejected} (after the rejected apply)"),
            &message,
            &run,
            run.fails_with(&message),
        );

        let warned = format!("{short}-warned");
        let run = self.kubectl_stdin(
            &["create", "--validate=warn", "-f", "-"],
            &with_unknown_field(manifest, &warned),
        );
        let created = format!("{printed}/{warned} created");
        self.check(
            &format!("create --validate=warn -f {short}-with-unknown-field2.yaml"),
            &format!("{created}, and `Warning: unknown field \"spec.bogusField\"` on stderr"),
            &run,
            run.prints(&created)
                && run
                    .stderr
                    .lines()
                    .any(|line| line.starts_with(r#"Warning: unknown field "spec.bogusField""#)),
        );
        let run = self.kubectl(&["get", short, &warned, "-o", "json"]);
        self.check(
            &format!("get {short} {warned} -o json"),
            "the object without spec.bogusField",
            &run,
            run.json().is_some_and(|object| {
                object["spec"].is_object() && object["spec"].get("bogusField").is_none()
            }),
        );
    }

    fn delete(&mut self) {
        let run = self.kubectl(&["delete", "deploy", "web", "--timeout=30s"]);
        self.check(
            "delete deploy web",
            r#"deployment.apps "web" deleted"#,
            &run,
            run.ok() && run.stdout.contains(r#"deployment.apps "web" deleted"#),
        );
        let run = self.kubectl(&["get", "deploy", "web"]);
        self.check(
            "get deploy web (after delete)",
            "NotFound",
            &run,
            run.fails_with(r#"Error from server (NotFound): deployments.apps "web" not found"#),
        );
        let run = self.kubectl(&["delete", "wd", "w1", "--timeout=30s"]);
        self.check(
            "delete wd w1",
            r#"widget.example.com "w1" deleted"#,
            &run,
            run.ok() && run.stdout.contains(r#"widget.example.com "w1" deleted"#),
        );
        let run = self.kubectl(&["get", "wd", "w1"]);
        self.check(
            "get wd w1 (after delete)",
            "NotFound",
            &run,
            run.fails_with(r#"Error from server (NotFound): widgets.example.com "w1" not found"#),
        );
    }

    fn raw(&mut self) {
        let run = self.kubectl(&["get", "--raw", "/api"]);
        self.check(
            "get --raw /api",
            r#"the legacy APIVersions list with versions ["v1"]"#,
            &run,
            run.ok()
                && run.json().is_some_and(|api| {
                    api["kind"] == "APIVersions" && api["versions"] == json!(["v1"])
                }),
        );
        let run = self.kubectl(&["get", "--raw", "/openapi/v3"]);
        self.check(
            "get --raw /openapi/v3",
            "an index with api/v1 and apis/apps/v1",
            &run,
            run.ok()
                && run.json().is_some_and(|index| {
                    ["api/v1", "apis/apps/v1"].iter().all(|path| {
                        index["paths"][path]["serverRelativeURL"]
                            .as_str()
                            .is_some_and(|url| {
                                url.starts_with(&format!("/openapi/v3/{path}?hash="))
                            })
                    })
                }),
        );
        let run = self.kubectl(&["get", "--raw", "/openapi/v2"]);
        self.check("get --raw /openapi/v2", "exit 0", &run, run.ok());
    }
}

async fn run_matrix(version: &'static str, storage: Storage) {
    let Some(server) = TestServer::start(storage, &[]).await else {
        return;
    };
    let mut matrix = Matrix {
        server: &server,
        version,
        ns: format!("matrix-{}", version.replace('.', "-")),
        failures: Vec::new(),
    };
    matrix.create_namespace();
    matrix.discovery();
    matrix.apply_deployment();
    matrix.config_map();
    matrix.patch_label_scale();
    matrix.custom_resources().await;
    matrix.explain();
    matrix.diff();
    matrix.server_side_apply();
    matrix.watch().await;
    matrix.replace_conflict();
    matrix.not_found();
    matrix.unknown_fields();
    matrix.delete();
    matrix.raw();
    let failures = std::mem::take(&mut matrix.failures);
    server.stop().await;
    assert!(
        failures.is_empty(),
        "kubectl {version} on {storage:?}: {} failing line(s):\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

const DEPLOY_SSA: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web-ssa
spec:
  replicas: 2
  selector:
    matchLabels: {app: ssa}
  template:
    metadata:
      labels: {app: ssa}
    spec:
      containers:
      - {name: a, image: \"nginx:1\"}
      - {name: b, image: \"busybox:1\"}
";

impl Matrix<'_> {
    /// `apply --server-side` twice, a conflict with another manager, `--force-conflicts`, removing a
    /// container from the intent, and `diff --server-side`.
    fn server_side_apply(&mut self) {
        for attempt in ["first", "second"] {
            let run = self.kubectl_stdin(&["apply", "--server-side", "-f", "-"], DEPLOY_SSA);
            self.check(
                &format!("apply --server-side -f deploy-ssa.yaml ({attempt})"),
                "deployment.apps/web-ssa serverside-applied",
                &run,
                run.prints("deployment.apps/web-ssa serverside-applied"),
            );
        }
        let run = self.kubectl(&["scale", "deploy", "web-ssa", "--replicas=4"]);
        self.check(
            "scale deploy web-ssa --replicas=4",
            "scaled",
            &run,
            run.ok(),
        );
        let run = self.kubectl_stdin(&["apply", "--server-side", "-f", "-"], DEPLOY_SSA);
        self.check(
            "apply --server-side -f deploy-ssa.yaml (after another manager changed replicas)",
            "a conflict on .spec.replicas",
            &run,
            run.fails_with("Apply failed with 1 conflict") && run.stderr.contains(".spec.replicas"),
        );
        let run = self.kubectl_stdin(
            &["apply", "--server-side", "--force-conflicts", "-f", "-"],
            DEPLOY_SSA,
        );
        self.check(
            "apply --server-side --force-conflicts -f deploy-ssa.yaml",
            "serverside-applied",
            &run,
            run.prints("deployment.apps/web-ssa serverside-applied"),
        );
        let run = self.jsonpath(&["deploy", "web-ssa"], "{.spec.replicas}");
        self.check("get deploy web-ssa (replicas)", "2", &run, run.prints("2"));
        let without_b = DEPLOY_SSA.replace("      - {name: b, image: \"busybox:1\"}\n", "");
        let run = self.kubectl_stdin(&["apply", "--server-side", "-f", "-"], &without_b);
        self.check(
            "apply --server-side (container b dropped)",
            "serverside-applied",
            &run,
            run.ok(),
        );
        let run = self.jsonpath(
            &["deploy", "web-ssa"],
            "{.spec.template.spec.containers[*].name}",
        );
        self.check(
            "get deploy web-ssa (containers)",
            "a",
            &run,
            run.prints("a"),
        );
        let changed = without_b.replace("replicas: 2", "replicas: 3");
        let run = self.kubectl_stdin(&["diff", "--server-side", "-f", "-"], &changed);
        self.check(
            "diff --server-side -f deploy-ssa.yaml",
            "exit 1 with a replicas diff",
            &run,
            run.code == Some(1) && run.stdout.contains("replicas: 3"),
        );
        let run = self.jsonpath(&["deploy", "web-ssa"], "{.spec.replicas}");
        self.check(
            "get deploy web-ssa (unchanged by diff)",
            "2",
            &run,
            run.prints("2"),
        );
    }
}

/// One test per kubectl version and backend; nextest runs the `…_on_etcd` ones one at a time.
macro_rules! matrix {
    ($($version:literal => $embedded:ident, $etcd:ident;)*) => {
        const COVERED: &[&str] = &[$($version),*];
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $embedded() {
                run_matrix($version, Storage::Embedded).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $etcd() {
                run_matrix($version, Storage::Etcd).await;
            }
        )*
    };
}

matrix! {
    "1.27" => kubectl_1_27_on_the_embedded_store, kubectl_1_27_on_etcd;
    "1.28" => kubectl_1_28_on_the_embedded_store, kubectl_1_28_on_etcd;
    "1.29" => kubectl_1_29_on_the_embedded_store, kubectl_1_29_on_etcd;
    "1.30" => kubectl_1_30_on_the_embedded_store, kubectl_1_30_on_etcd;
    "1.31" => kubectl_1_31_on_the_embedded_store, kubectl_1_31_on_etcd;
    "1.32" => kubectl_1_32_on_the_embedded_store, kubectl_1_32_on_etcd;
    "1.33" => kubectl_1_33_on_the_embedded_store, kubectl_1_33_on_etcd;
}

#[test]
fn kubectl_matrix_covers_every_installed_version() {
    assert_eq!(COVERED, KUBECTL_VERSIONS);
}
