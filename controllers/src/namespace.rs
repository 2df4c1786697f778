//! Namespace auto-propagation: every namespace of the federation, except Karmada's reserved ones,
//! `kube-*`, `default` and those labelled `namespace.karmada.io/skip-auto-propagation=true`, is
//! created in every member through a Work, so that namespaced templates have somewhere to land.

use std::collections::BTreeMap;

use karmada_api::names;
use karmada_api::work::v1alpha1::{RawObject, Work, WorkSpec, WorkloadTemplate};
use kube::ResourceExt;
use kube::api::{Api, DeleteParams, ObjectMeta, PostParams};
use serde_json::{Value, json};

use crate::context::{Context, Key};
use crate::runtime::{self, Action, Queue};

/// Errors of the namespace controller.
#[derive(Debug, thiserror::Error)]
#[error("failed to propagate namespace {0}: {1}")]
pub struct Error(String, kube::Error);

/// Whether namespace `name` (with `labels`) is propagated.
pub fn propagated(name: &str, labels: &BTreeMap<String, String>) -> bool {
    !(names::is_reserved_namespace(name)
        || name.starts_with("kube-")
        || name == "default"
        || labels
            .get(names::SKIP_AUTO_PROPAGATION_LABEL)
            .map(String::as_str)
            == Some("true"))
}

pub async fn start(ctx: Context, workers: usize) {
    let queue: Queue<Key> = Queue::new();
    {
        let queue = queue.clone();
        ctx.templates.on_change(move |kind, object, _| {
            if kind.resource.kind == "Namespace" && kind.resource.group.is_empty() {
                queue.add(Key::cluster(&object.name_any()));
            }
        });
    }
    {
        // A new cluster gets every namespace.
        let (queue, templates) = (queue.clone(), ctx.templates.clone());
        ctx.informers.clusters.on_change(move |_, _| {
            if let Some(kind) = templates.get("v1", "Namespace") {
                for ns in kind.informer.store().state() {
                    queue.add(Key::cluster(&ns.name_any()));
                }
            }
        });
    }
    runtime::run(
        "namespace",
        queue,
        workers,
        ctx.metrics.clone(),
        ctx.shutdown.clone(),
        move |key| reconcile(ctx.clone(), key),
    )
    .await;
}

async fn reconcile(ctx: Context, key: Key) -> Result<Action, Error> {
    let namespace = ctx.templates.object("v1", "Namespace", "", &key.name);
    let work_name = crate::naming::work_name("Namespace", "", &key.name);
    let wanted = namespace.as_ref().is_some_and(|ns| {
        ns.metadata.deletion_timestamp.is_none() && propagated(&key.name, ns.labels())
    });
    let fail = |e| Error(key.name.clone(), e);
    for cluster in ctx.informers.clusters.store().state() {
        let es = names::execution_namespace(&cluster.name_any());
        let api: Api<Work> = Api::namespaced(ctx.client.clone(), &es);
        let existing = ctx
            .informers
            .works
            .store()
            .get(&Key::namespaced(&es, &work_name).object_ref());
        if !wanted || cluster.metadata.deletion_timestamp.is_some() {
            if existing.is_some_and(|w| w.metadata.deletion_timestamp.is_none()) {
                match api.delete(&work_name, &DeleteParams::default()).await {
                    Ok(_) => {}
                    Err(kube::Error::Api(s)) if s.code == 404 => {}
                    Err(e) => return Err(fail(e)),
                }
            }
            continue;
        }
        if existing.is_some() {
            continue;
        }
        let Some(ns) = namespace.as_ref() else {
            continue;
        };
        let mut labels: BTreeMap<String, Value> = ns
            .labels()
            .iter()
            .map(|(k, v)| (k.clone(), json!(v)))
            .collect();
        labels.insert(names::MANAGED_LABEL.to_string(), json!("true"));
        let manifest = json!({
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {
                "name": key.name,
                "labels": labels,
                "annotations": {
                    names::WORK_NAMESPACE_ANNOTATION: es,
                    names::WORK_NAME_ANNOTATION: work_name,
                },
            },
        });
        let Value::Object(manifest) = manifest else {
            continue;
        };
        let work = Work {
            metadata: ObjectMeta {
                name: Some(work_name.clone()),
                namespace: Some(es.clone()),
                finalizers: Some(vec![names::EXECUTION_CONTROLLER_FINALIZER.to_string()]),
                ..ObjectMeta::default()
            },
            spec: WorkSpec {
                workload: Some(WorkloadTemplate {
                    manifests: Some(vec![RawObject(manifest)]),
                }),
                ..WorkSpec::default()
            },
            status: None,
        };
        match api.create(&PostParams::default(), &work).await {
            Ok(_) => {}
            Err(kube::Error::Api(s)) if s.code == 409 => {}
            // The execution namespace is not there yet: the cluster controller makes it.
            Err(kube::Error::Api(s)) if s.code == 404 => {
                return Ok(Action::RequeueAfter(std::time::Duration::from_secs(1)));
            }
            Err(e) => return Err(fail(e)),
        }
    }
    Ok(Action::Done)
}
