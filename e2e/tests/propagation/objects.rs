//! Plain objects: duplication, drift and hand edits, cluster-scoped kinds, conflicts, namespaces, CRDs.

use super::common::*;

pub(crate) async fn duplicated_configmap_drift_and_hand_edits(f: &Federation) {
    let ns = "e2e-dup";
    apply(f, &ns_yaml(ns));
    namespace_everywhere(f, ns).await;
    apply(
        f,
        &format!(
            r#"
apiVersion: v1
kind: ConfigMap
metadata: {{name: settings, namespace: {ns}}}
data: {{mode: blue}}
---
apiVersion: policy.karmada.io/v1alpha1
kind: PropagationPolicy
metadata: {{name: settings, namespace: {ns}}}
spec:
  resourceSelectors: [{{apiVersion: v1, kind: ConfigMap, name: settings}}]
  placement: {{clusterAffinity: {{clusterNames: [member1, member2, member3]}}}}
"#
        ),
    );
    let data_in = |member: &'static str| async move {
        get_ns::<ConfigMap>(&f.member(member), ns, "settings")
            .await?
            .and_then(|c| c.data)
            .and_then(|d| d.get("mode").cloned())
            .ok_or(format!("no settings in {member}"))
    };
    for member in ["member1", "member2", "member3"] {
        wait_for(&format!("settings in {member}"), WAIT, || async {
            (data_in(member).await? == "blue")
                .then_some(())
                .ok_or("wrong data".to_string())
        })
        .await;
    }
    // Drift in a member is corrected.
    let cms: Api<ConfigMap> = Api::namespaced(f.member("member2"), ns);
    cms.patch(
        "settings",
        &PatchParams::default(),
        &Patch::Merge(json!({"data": {"mode": "red"}})),
    )
    .await
    .unwrap();
    wait_for("drift corrected in member2", WAIT, || async {
        let mode = data_in("member2").await?;
        (mode == "blue").then_some(()).ok_or(mode)
    })
    .await;
    // A member copy deleted by hand comes back.
    Api::<ConfigMap>::namespaced(f.member("member3"), ns)
        .delete("settings", &DeleteParams::default())
        .await
        .unwrap();
    wait_for("settings back in member3", WAIT, || async {
        data_in("member3").await.map(|_| ())
    })
    .await;
    // A Work deleted by hand comes back.
    let works: Api<Work> = Api::namespaced(f.client.clone(), "karmada-es-member1");
    let name = works
        .list(&ListParams::default())
        .await
        .unwrap()
        .items
        .into_iter()
        .find(|w| {
            w.metadata
                .annotations
                .as_ref()
                .and_then(|a| a.get("resourcebinding.karmada.io/name"))
                .map(String::as_str)
                == Some("settings-configmap")
        })
        .and_then(|w| w.metadata.name)
        .expect("the Work of settings");
    works.delete(&name, &DeleteParams::default()).await.unwrap();
    wait_for("the Work recreated", WAIT, || async {
        let w = works
            .get_opt(&name)
            .await
            .map_err(|e| e.to_string())?
            .ok_or("absent")?;
        w.metadata
            .deletion_timestamp
            .is_none()
            .then_some(())
            .ok_or("still deleting".to_string())
    })
    .await;
    // A binding deleted by hand comes back.
    let bindings: Api<ResourceBinding> = Api::namespaced(f.client.clone(), ns);
    let old_uid = bindings
        .get("settings-configmap")
        .await
        .unwrap()
        .metadata
        .uid;
    bindings
        .delete("settings-configmap", &DeleteParams::default())
        .await
        .unwrap();
    wait_for("the binding recreated", WAIT, || async {
        let b = bindings
            .get_opt("settings-configmap")
            .await
            .map_err(|e| e.to_string())?
            .ok_or("absent")?;
        let scheduled = b
            .status
            .as_ref()
            .and_then(|s| s.condition("Scheduled"))
            .is_some_and(|c| c.status == "True");
        (b.metadata.uid != old_uid && scheduled)
            .then_some(())
            .ok_or("not yet replaced".to_string())
    })
    .await;
    // A template update reaches every member.
    apply(
        f,
        &format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: settings, namespace: {ns}}}\ndata: {{mode: green}}\n"
        ),
    );
    for member in ["member1", "member2", "member3"] {
        wait_for(&format!("green in {member}"), WAIT, || async {
            let mode = data_in(member).await?;
            (mode == "green").then_some(()).ok_or(mode)
        })
        .await;
    }
}

pub(crate) async fn cluster_policy_for_cluster_scoped_kind_and_policy_deletion(f: &Federation) {
    apply(
        f,
        r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: e2e-reader}
rules: [{apiGroups: [""], resources: [pods], verbs: [get, list]}]
---
apiVersion: policy.karmada.io/v1alpha1
kind: ClusterPropagationPolicy
metadata: {name: e2e-reader}
spec:
  resourceSelectors: [{apiVersion: rbac.authorization.k8s.io/v1, kind: ClusterRole, name: e2e-reader}]
"#,
    );
    for member in ["member1", "member2", "member3"] {
        let client = f.member(member);
        wait_for(&format!("e2e-reader in {member}"), WAIT, || async {
            get_cluster::<ClusterRole>(&client, "e2e-reader")
                .await?
                .map(|_| ())
                .ok_or("absent".to_string())
        })
        .await;
    }
    // Deleting the policy releases the claim and keeps what was propagated.
    kubectl(f, &["delete", "cpp", "e2e-reader", "--wait=false"]);
    wait_for("the policy gone (not stuck terminating)", WAIT, || async {
        match get_cluster::<ClusterPropagationPolicy>(&f.client, "e2e-reader").await? {
            None => Ok(()),
            Some(p) => Err(format!("finalizers {:?}", p.metadata.finalizers)),
        }
    })
    .await;
    wait_for("the claim released", WAIT, || async {
        let role = get_cluster::<ClusterRole>(&f.client, "e2e-reader")
            .await?
            .ok_or("template gone")?;
        let claimed = role
            .metadata
            .labels
            .unwrap_or_default()
            .contains_key("clusterpropagationpolicy.karmada.io/permanent-id");
        (!claimed).then_some(()).ok_or("still claimed".to_string())
    })
    .await;
    assert!(
        get_cluster::<ClusterRole>(&f.member("member1"), "e2e-reader")
            .await
            .unwrap()
            .is_some(),
        "the member copy stays"
    );
}

pub(crate) async fn conflict_resolution(f: &Federation) {
    let ns = "e2e-conflict";
    apply(f, &ns_yaml(ns));
    namespace_everywhere(f, ns).await;
    let member: Api<ConfigMap> = Api::namespaced(f.member("member3"), ns);
    member
        .create(
            &Default::default(),
            &serde_json::from_value(json!({
        "metadata": {"name": "legacy", "namespace": ns}, "data": {"owner": "member"}}))
            .unwrap(),
        )
        .await
        .unwrap();
    apply(
        f,
        &format!(
            r#"
apiVersion: v1
kind: ConfigMap
metadata: {{name: legacy, namespace: {ns}}}
data: {{owner: federation}}
---
apiVersion: policy.karmada.io/v1alpha1
kind: PropagationPolicy
metadata: {{name: legacy, namespace: {ns}}}
spec:
  resourceSelectors: [{{apiVersion: v1, kind: ConfigMap, name: legacy}}]
  placement: {{clusterAffinity: {{clusterNames: [member3]}}}}
"#
        ),
    );
    let works: Api<Work> = Api::namespaced(f.client.clone(), "karmada-es-member3");
    let applied = || async {
        let work = works
            .list(&ListParams::default())
            .await
            .map_err(|e| e.to_string())?
            .items
            .into_iter()
            .find(|w| {
                w.metadata
                    .annotations
                    .as_ref()
                    .and_then(|a| a.get("resourcebinding.karmada.io/name"))
                    .map(String::as_str)
                    == Some("legacy-configmap")
            })
            .ok_or("no work")?;
        let condition = work
            .status
            .and_then(|s| s.conditions)
            .unwrap_or_default()
            .into_iter()
            .find(|c| c.type_ == "Applied")
            .ok_or("no Applied condition")?;
        Ok::<_, String>((condition.status, condition.reason))
    };
    wait_for(
        "Applied=False with ConflictResolutionAbort",
        WAIT,
        || async {
            let (status, reason) = applied().await?;
            (status == "False" && reason == "ConflictResolutionAbort")
                .then_some(())
                .ok_or(format!("{status} {reason}"))
        },
    )
    .await;
    let owner = member.get("legacy").await.unwrap().data.unwrap()["owner"].clone();
    assert_eq!(owner, "member", "Abort leaves the member's object alone");
    apply(
        f,
        &format!(
            r#"
apiVersion: policy.karmada.io/v1alpha1
kind: PropagationPolicy
metadata: {{name: legacy, namespace: {ns}}}
spec:
  conflictResolution: Overwrite
  resourceSelectors: [{{apiVersion: v1, kind: ConfigMap, name: legacy}}]
  placement: {{clusterAffinity: {{clusterNames: [member3]}}}}
"#
        ),
    );
    wait_for("Overwrite takes the object over", WAIT, || async {
        let cm = member.get("legacy").await.map_err(|e| e.to_string())?;
        let owner = cm
            .data
            .unwrap_or_default()
            .get("owner")
            .cloned()
            .unwrap_or_default();
        (owner == "federation").then_some(()).ok_or(owner)
    })
    .await;
}

pub(crate) async fn namespaces_are_propagated_unless_skipped(f: &Federation) {
    apply(f, &ns_yaml("e2e-ns-auto"));
    namespace_everywhere(f, "e2e-ns-auto").await;
    apply(
        f,
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: e2e-ns-skip\n  labels: {namespace.karmada.io/skip-auto-propagation: \"true\"}\n",
    );
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(
        get_cluster::<Namespace>(&f.member("member1"), "e2e-ns-skip")
            .await
            .unwrap()
            .is_none()
    );
    kubectl(f, &["delete", "ns", "e2e-ns-auto", "--wait=false"]);
    wait_for("e2e-ns-auto removed from members", WAIT, || async {
        match get_cluster::<Namespace>(&f.member("member2"), "e2e-ns-auto").await? {
            None => Ok(()),
            Some(ns) if ns.metadata.deletion_timestamp.is_some() => Ok(()),
            Some(_) => Err("still there".into()),
        }
    })
    .await;
}

pub(crate) async fn crd_and_custom_resource(f: &Federation) {
    let ns = "e2e-crd";
    apply(f, &ns_yaml(ns));
    namespace_everywhere(f, ns).await;
    apply(
        f,
        r#"
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.e2e.example.com}
spec:
  group: e2e.example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec: {type: object, properties: {size: {type: integer}}}
---
apiVersion: policy.karmada.io/v1alpha1
kind: ClusterPropagationPolicy
metadata: {name: e2e-widgets-crd}
spec:
  resourceSelectors: [{apiVersion: apiextensions.k8s.io/v1, kind: CustomResourceDefinition, name: widgets.e2e.example.com}]
"#,
    );
    for member in ["member1", "member2", "member3"] {
        let client = f.member(member);
        wait_for(&format!("the CRD in {member}"), WAIT, || async {
            get_cluster::<k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition>(&client, "widgets.e2e.example.com")
                .await?.map(|_| ()).ok_or("absent".to_string())
        })
        .await;
    }
    // The federation serves the new kind; wait until kubectl can apply it.
    wait_for("the Widget kind served", WAIT, || async {
        let out = f.kubectl(&["get", "widgets", "-n", ns], None);
        out.status
            .success()
            .then_some(())
            .ok_or(String::from_utf8_lossy(&out.stderr).into_owned())
    })
    .await;
    apply(
        f,
        &format!(
            r#"
apiVersion: e2e.example.com/v1
kind: Widget
metadata: {{name: w1, namespace: {ns}}}
spec: {{size: 3}}
---
apiVersion: policy.karmada.io/v1alpha1
kind: PropagationPolicy
metadata: {{name: widgets, namespace: {ns}}}
spec:
  resourceSelectors: [{{apiVersion: e2e.example.com/v1, kind: Widget}}]
  placement: {{clusterAffinity: {{clusterNames: [member2]}}}}
"#
        ),
    );
    let resource = ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk("e2e.example.com", "v1", "Widget"),
        "widgets",
    );
    let widgets: Api<DynamicObject> = Api::namespaced_with(f.member("member2"), ns, &resource);
    wait_for("w1 in member2", WAIT, || async {
        let w = widgets
            .get_opt("w1")
            .await
            .map_err(|e| e.to_string())?
            .ok_or("absent")?;
        (w.data["spec"]["size"] == 3)
            .then_some(())
            .ok_or(format!("{:?}", w.data))
    })
    .await;
}

pub(crate) async fn field_overrider_rewrites_embedded_yaml_and_json(f: &Federation) {
    let ns = "e2e-field";
    apply(f, &ns_yaml(ns));
    namespace_everywhere(f, ns).await;
    apply(
        f,
        &format!(
            r#"
apiVersion: v1
kind: ConfigMap
metadata: {{name: app-config, namespace: {ns}}}
data:
  config.yaml: |
    mode: blue
    size: 1
  config.json: '{{"mode":"blue","size":1}}'
---
apiVersion: policy.karmada.io/v1alpha1
kind: PropagationPolicy
metadata: {{name: app-config, namespace: {ns}}}
spec:
  resourceSelectors: [{{apiVersion: v1, kind: ConfigMap, name: app-config}}]
  placement: {{clusterAffinity: {{clusterNames: [member1, member2]}}}}
---
apiVersion: policy.karmada.io/v1alpha1
kind: OverridePolicy
metadata: {{name: app-config, namespace: {ns}}}
spec:
  resourceSelectors: [{{apiVersion: v1, kind: ConfigMap, name: app-config}}]
  overrideRules:
  - targetCluster: {{clusterNames: [member1]}}
    overriders:
      fieldOverrider:
      - fieldPath: /data/config.yaml
        yaml: [{{subPath: /mode, operator: replace, value: green}}]
      - fieldPath: /data/config.json
        json: [{{subPath: /size, operator: replace, value: 3}}]
"#
        ),
    );
    let data = |member: &'static str| async move {
        let cm = get_ns::<ConfigMap>(&f.member(member), ns, "app-config")
            .await?
            .ok_or(format!("absent in {member}"))?;
        Ok::<_, String>(cm.data.unwrap_or_default())
    };
    wait_for(
        "the embedded documents overridden in member1 only",
        WAIT,
        || async {
            let (one, two) = (data("member1").await?, data("member2").await?);
            let yaml_ok = one
                .get("config.yaml")
                .is_some_and(|y| y.contains("mode: green") && y.contains("size: 1"));
            let json: serde_json::Value =
                serde_json::from_str(one.get("config.json").map(String::as_str).unwrap_or("null"))
                    .map_err(|e| e.to_string())?;
            let untouched = two
                .get("config.yaml")
                .is_some_and(|y| y.contains("mode: blue"));
            (yaml_ok && json == json!({"mode": "blue", "size": 3}) && untouched)
                .then_some(())
                .ok_or(format!("member1 {one:?}, member2 {two:?}"))
        },
    )
    .await;
}
