//! The checked-in CRD YAML (`api/crds/`) and OpenAPI v3 documents (`api/openapi/`) are generated
//! from the Rust types. This test fails when they are stale; regenerate with
//! `KARMADA_UPDATE_GENERATED=1 cargo test -p karmada-api --test generated`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

/// `policy.karmada.io` → `io.karmada.policy`.
fn reverse_domain(group: &str) -> String {
    group.split('.').rev().collect::<Vec<_>>().join(".")
}

/// Every generated file: relative path → contents.
fn generated() -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    let mut documents: BTreeMap<(String, String), serde_json::Map<String, Value>> = BTreeMap::new();
    for crd in karmada_api::crds::all() {
        let value = serde_json::to_value(&crd).expect("a CRD serializes");
        let group = crd.spec.group.clone();
        let plural = crd.spec.names.plural.clone();
        let yaml = serde_saphyr::to_string(&value).expect("a CRD renders as YAML");
        files.insert(
            format!("crds/{group}_{plural}.yaml"),
            format!("# Generated from the karmada-api Rust types; do not edit.\n---\n{yaml}"),
        );
        for version in &crd.spec.versions {
            let Some(schema) = version
                .schema
                .as_ref()
                .and_then(|s| s.open_api_v3_schema.as_ref())
            else {
                continue;
            };
            let mut schema = serde_json::to_value(schema).expect("a schema serializes");
            schema["x-kubernetes-group-version-kind"] =
                json!([{"group": group, "version": version.name, "kind": crd.spec.names.kind}]);
            documents
                .entry((group.clone(), version.name.clone()))
                .or_default()
                .insert(
                    format!(
                        "{}.{}.{}",
                        reverse_domain(&group),
                        version.name,
                        crd.spec.names.kind
                    ),
                    schema,
                );
        }
    }
    for ((group, version), schemas) in documents {
        let doc = json!({
            "openapi": "3.0.0",
            "info": {"title": "karmada-rs", "version": version},
            "paths": {},
            "components": {"schemas": schemas},
        });
        files.insert(
            format!("openapi/{group}_{version}.json"),
            format!("{}\n", serde_json::to_string_pretty(&doc).expect("JSON")),
        );
    }
    files
}

fn checked_in(dir: &str) -> Vec<String> {
    let path = root().join(dir);
    let Ok(entries) = std::fs::read_dir(&path) else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .map(|e| format!("{dir}/{}", e.file_name().to_string_lossy()))
        .filter(|name| name.ends_with(".yaml") || name.ends_with(".json"))
        .collect()
}

#[test]
fn checked_in_crds_and_openapi_documents_are_up_to_date() {
    let files = generated();
    let update = std::env::var_os("KARMADA_UPDATE_GENERATED").is_some();
    let mut stale = Vec::new();
    for (name, contents) in &files {
        let path = root().join(name);
        if update {
            std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
            std::fs::write(&path, contents).expect("write");
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(contents.as_str()) {
            stale.push(name.clone());
        }
    }
    for name in checked_in("crds").into_iter().chain(checked_in("openapi")) {
        if !files.contains_key(&name) {
            if update {
                std::fs::remove_file(root().join(&name)).expect("remove");
            } else {
                stale.push(format!("{name} (no longer generated)"));
            }
        }
    }
    assert!(
        stale.is_empty(),
        "stale generated files: {stale:?}; regenerate with \
         `KARMADA_UPDATE_GENERATED=1 cargo test -p karmada-api --test generated`"
    );
}
