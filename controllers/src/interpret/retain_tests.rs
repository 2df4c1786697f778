use super::*;
use serde_json::json;

fn object(api_version: &str, kind: &str, metadata: Value, body: Value) -> Value {
    let mut object = json!({"apiVersion": api_version, "kind": kind, "metadata": metadata});
    if let (Some(map), Some(extra)) = (object.as_object_mut(), body.as_object()) {
        map.extend(extra.clone());
    }
    object
}

fn retained(desired: Value, observed: &Value) -> Value {
    let mut desired = desired;
    retain(&mut desired, observed);
    desired
}

#[test]
fn resource_version_finalizers_and_owners_come_from_the_member() {
    let desired = object(
        "v1",
        "ConfigMap",
        json!({"name": "c", "resourceVersion": "stale", "finalizers": ["from-template"]}),
        json!({"data": {"k": "v"}}),
    );
    let observed = object(
        "v1",
        "ConfigMap",
        json!({"name": "c", "resourceVersion": "42", "finalizers": ["member.io/protect"],
               "ownerReferences": [{"kind": "X", "name": "o", "uid": "u", "apiVersion": "v1"}]}),
        json!({"data": {"k": "old"}}),
    );
    let result = retained(desired, &observed);
    assert_eq!(result["metadata"]["resourceVersion"], json!("42"));
    assert_eq!(
        result["metadata"]["finalizers"],
        json!(["member.io/protect"])
    );
    assert_eq!(result["metadata"]["ownerReferences"][0]["name"], json!("o"));
    assert_eq!(
        result["data"],
        json!({"k": "v"}),
        "the manifest wins outside retained fields"
    );

    let bare_member = object("v1", "ConfigMap", json!({"name": "c"}), json!({}));
    let result = retained(
        object(
            "v1",
            "ConfigMap",
            json!({"name": "c", "resourceVersion": "1", "finalizers": ["f"]}),
            json!({}),
        ),
        &bare_member,
    );
    assert_eq!(
        result["metadata"],
        json!({"name": "c"}),
        "nothing the member lacks is kept"
    );
}

#[test]
fn member_labels_and_annotations_are_merged_with_the_manifest_winning() {
    let desired = object(
        "v1",
        "ConfigMap",
        json!({"name": "c",
               "labels": {"app": "new", "kept": "yes"},
               "annotations": {"note": "template", MANAGED_ANNOTATIONS_ANNOTATION: "note", MANAGED_LABELS_ANNOTATION: "app,kept"}}),
        json!({}),
    );
    let observed = object(
        "v1",
        "ConfigMap",
        json!({"name": "c",
               "labels": {"app": "old", "removed-from-template": "x", "member-added": "m"},
               "annotations": {"note": "member", "dropped": "d", "controller.io/hint": "h",
                               MANAGED_ANNOTATIONS_ANNOTATION: "dropped,note",
                               MANAGED_LABELS_ANNOTATION: "app,removed-from-template"}}),
        json!({}),
    );
    let result = retained(desired, &observed);
    assert_eq!(
        result["metadata"]["labels"],
        json!({"app": "new", "kept": "yes", "member-added": "m"})
    );
    assert_eq!(
        result["metadata"]["annotations"],
        json!({"note": "template", "controller.io/hint": "h",
               MANAGED_ANNOTATIONS_ANNOTATION: "note", MANAGED_LABELS_ANNOTATION: "app,kept"})
    );
}

#[test]
fn replicas_stay_as_the_member_has_them_only_when_retention_is_asked_for() {
    let member = |labels: Value| {
        object(
            "apps/v1",
            "Deployment",
            json!({"name": "d", "labels": labels}),
            json!({"spec": {"replicas": 7}}),
        )
    };
    let manifest = |labels: Value| {
        object(
            "apps/v1",
            "Deployment",
            json!({"name": "d", "labels": labels}),
            json!({"spec": {"replicas": 2}}),
        )
    };
    let on = json!({RETAIN_REPLICAS_LABEL: "true"});
    let cases = [
        (
            "label on the manifest",
            manifest(on.clone()),
            member(json!({})),
            7,
        ),
        (
            "label only on the member",
            manifest(json!({})),
            member(on.clone()),
            7,
        ),
        (
            "label with another value",
            manifest(json!({RETAIN_REPLICAS_LABEL: "false"})),
            member(json!({})),
            2,
        ),
        ("no label", manifest(json!({})), member(json!({})), 2),
    ];
    for (name, desired, observed, expected) in cases {
        assert_eq!(
            retained(desired, &observed)["spec"]["replicas"],
            json!(expected),
            "{name}"
        );
    }
    let mut removed_from_template = member(on.clone());
    removed_from_template["metadata"]["annotations"] =
        json!({MANAGED_LABELS_ANNOTATION: RETAIN_REPLICAS_LABEL});
    assert_eq!(
        retained(manifest(json!({})), &removed_from_template)["spec"]["replicas"],
        json!(2),
        "a label the template dropped no longer retains"
    );
    for kind in ["StatefulSet", "ReplicaSet"] {
        let desired = object(
            "apps/v1",
            kind,
            json!({"labels": on.clone()}),
            json!({"spec": {"replicas": 1}}),
        );
        let observed = object("apps/v1", kind, json!({}), json!({"spec": {"replicas": 4}}));
        assert_eq!(
            retained(desired, &observed)["spec"]["replicas"],
            json!(4),
            "{kind}"
        );
    }
    let job = object(
        "batch/v1",
        "Job",
        json!({"labels": on}),
        json!({"spec": {"parallelism": 1}}),
    );
    let member_job = object(
        "batch/v1",
        "Job",
        json!({}),
        json!({"spec": {"parallelism": 3, "replicas": 4}}),
    );
    assert_eq!(
        retained(job, &member_job)["spec"].get("replicas"),
        None,
        "Jobs have no replicas to keep"
    );
}

#[test]
fn pods_keep_what_the_member_assigned() {
    let desired = object(
        "v1",
        "Pod",
        json!({"name": "p"}),
        json!({"spec": {
            "volumes": [{"name": "data", "emptyDir": {}}],
            "initContainers": [{"name": "init", "image": "busybox:2"}],
            "containers": [
                {"name": "app", "image": "nginx:2", "volumeMounts": [{"name": "data", "mountPath": "/d"}]},
                {"name": "new", "image": "x", "volumeMounts": [{"name": "data", "mountPath": "/n"}]}
            ]
        }}),
    );
    let token_mount = json!({"name": "kube-api-access", "mountPath": "/var/run/secrets"});
    let observed = object(
        "v1",
        "Pod",
        json!({"name": "p"}),
        json!({"spec": {
            "nodeName": "node-1",
            "serviceAccountName": "default",
            "volumes": [{"name": "data", "emptyDir": {}}, {"name": "kube-api-access", "projected": {}}],
            "initContainers": [{"name": "init", "volumeMounts": [token_mount.clone()]}],
            "containers": [{"name": "app", "image": "nginx:1",
                            "volumeMounts": [{"name": "data", "mountPath": "/d"}, token_mount.clone()]}]
        }}),
    );
    let spec = retained(desired, &observed)["spec"].clone();
    assert_eq!(spec["nodeName"], json!("node-1"));
    assert_eq!(spec["serviceAccountName"], json!("default"));
    assert_eq!(spec["volumes"].as_array().unwrap().len(), 2);
    assert_eq!(
        spec["initContainers"][0]["volumeMounts"],
        json!([token_mount.clone()])
    );
    assert_eq!(
        spec["containers"][0]["image"],
        json!("nginx:2"),
        "the manifest's image wins"
    );
    assert_eq!(spec["containers"][0]["volumeMounts"][1], token_mount);
    assert_eq!(
        spec["containers"][1]["volumeMounts"],
        json!([{"name": "data", "mountPath": "/n"}]),
        "a container the member lacks keeps its own mounts"
    );
}

fn service(spec: Value) -> Value {
    object("v1", "Service", json!({"name": "s"}), json!({"spec": spec}))
}

#[test]
fn services_keep_allocated_addresses_and_ports_the_manifest_leaves_unset() {
    let member = service(json!({
        "type": "LoadBalancer", "clusterIP": "10.96.0.10", "clusterIPs": ["10.96.0.10"],
        "healthCheckNodePort": 31000, "externalTrafficPolicy": "Local",
        "ports": [{"name": "http", "port": 80, "protocol": "TCP", "nodePort": 30080},
                  {"name": "dns", "port": 53, "protocol": "UDP", "nodePort": 30053}]
    }));
    let desired = service(json!({
        "type": "LoadBalancer", "externalTrafficPolicy": "Local",
        "ports": [{"name": "http", "port": 80}, {"name": "dns", "port": 53, "protocol": "UDP", "nodePort": 32000},
                  {"name": "new", "port": 8080}]
    }));
    let spec = retained(desired, &member)["spec"].clone();
    assert_eq!(spec["clusterIP"], json!("10.96.0.10"));
    assert_eq!(spec["clusterIPs"], json!(["10.96.0.10"]));
    assert_eq!(spec["healthCheckNodePort"], json!(31000));
    assert_eq!(
        spec["ports"][0]["nodePort"],
        json!(30080),
        "TCP is the default protocol"
    );
    assert_eq!(
        spec["ports"][1]["nodePort"],
        json!(32000),
        "the manifest's nodePort wins"
    );
    assert_eq!(
        spec["ports"][2].get("nodePort"),
        None,
        "a new port gets a new allocation"
    );
}

#[test]
fn services_only_keep_what_their_new_type_allows() {
    let member = service(json!({
        "type": "NodePort", "clusterIP": "10.96.0.10", "healthCheckNodePort": 31000,
        "ports": [{"port": 80, "nodePort": 30080}]
    }));
    let cases = [
        (
            "becoming ClusterIP keeps the address but drops node ports",
            json!({"type": "ClusterIP", "ports": [{"port": 80}]}),
            json!({"type": "ClusterIP", "ports": [{"port": 80}], "clusterIP": "10.96.0.10"}),
        ),
        (
            "no type means ClusterIP",
            json!({"ports": [{"port": 80}]}),
            json!({"ports": [{"port": 80}], "clusterIP": "10.96.0.10"}),
        ),
        (
            "becoming ExternalName keeps no address",
            json!({"type": "ExternalName", "externalName": "example.com"}),
            json!({"type": "ExternalName", "externalName": "example.com"}),
        ),
        (
            "a health check port needs a Local load balancer",
            json!({"type": "LoadBalancer", "ports": [{"port": 80}]}),
            json!({"type": "LoadBalancer", "ports": [{"port": 80, "nodePort": 30080}], "clusterIP": "10.96.0.10"}),
        ),
        (
            "an explicit clusterIP in the manifest wins",
            json!({"type": "NodePort", "clusterIP": "None", "ports": [{"port": 80}]}),
            json!({"type": "NodePort", "clusterIP": "None", "ports": [{"port": 80, "nodePort": 30080}]}),
        ),
    ];
    for (name, desired, expected) in cases {
        assert_eq!(
            retained(service(desired), &member)["spec"],
            expected,
            "{name}"
        );
    }
}

#[test]
fn service_accounts_keep_the_member_s_secrets_after_the_manifest_s() {
    let desired = object(
        "v1",
        "ServiceAccount",
        json!({"name": "sa"}),
        json!({"secrets": [{"name": "mine"}], "imagePullSecrets": [{"name": "registry"}]}),
    );
    let observed = object(
        "v1",
        "ServiceAccount",
        json!({"name": "sa"}),
        json!({"secrets": [{"name": "sa-token-abc"}, {"name": "mine"}], "imagePullSecrets": [{"name": "sa-dockercfg"}]}),
    );
    let result = retained(desired, &observed);
    assert_eq!(
        result["secrets"],
        json!([{"name": "mine"}, {"name": "sa-token-abc"}])
    );
    assert_eq!(
        result["imagePullSecrets"],
        json!([{"name": "registry"}, {"name": "sa-dockercfg"}])
    );

    let plain = retained(
        object("v1", "ServiceAccount", json!({"name": "sa"}), json!({})),
        &object("v1", "ServiceAccount", json!({"name": "sa"}), json!({})),
    );
    assert_eq!(plain.get("secrets"), None, "no empty lists are invented");
}

#[test]
fn volumes_jobs_and_token_secrets_keep_member_generated_fields() {
    let cases = [
        (
            "a bound claim keeps its volume",
            object(
                "v1",
                "PersistentVolumeClaim",
                json!({}),
                json!({"spec": {"resources": {}}}),
            ),
            object(
                "v1",
                "PersistentVolumeClaim",
                json!({}),
                json!({"spec": {"volumeName": "pv-1"}}),
            ),
            json!({"spec": {"resources": {}, "volumeName": "pv-1"}}),
        ),
        (
            "an unbound claim has no volume to keep",
            object(
                "v1",
                "PersistentVolumeClaim",
                json!({}),
                json!({"spec": {}}),
            ),
            object(
                "v1",
                "PersistentVolumeClaim",
                json!({}),
                json!({"spec": {"volumeName": ""}}),
            ),
            json!({"spec": {}}),
        ),
        (
            "a volume keeps its claim",
            object(
                "v1",
                "PersistentVolume",
                json!({}),
                json!({"spec": {"capacity": {}}}),
            ),
            object(
                "v1",
                "PersistentVolume",
                json!({}),
                json!({"spec": {"claimRef": {"name": "c"}}}),
            ),
            json!({"spec": {"capacity": {}, "claimRef": {"name": "c"}}}),
        ),
        (
            "a job keeps its generated selector and template labels",
            object(
                "batch/v1",
                "Job",
                json!({}),
                json!({"spec": {"template": {"metadata": {"labels": {"app": "a"}}}}}),
            ),
            object(
                "batch/v1",
                "Job",
                json!({}),
                json!({"spec": {
                "selector": {"matchLabels": {"controller-uid": "u"}},
                "template": {"metadata": {"labels": {"app": "a", "controller-uid": "u"}}}}}),
            ),
            json!({"spec": {
                "selector": {"matchLabels": {"controller-uid": "u"}},
                "template": {"metadata": {"labels": {"app": "a", "controller-uid": "u"}}}}}),
        ),
        (
            "a service account token keeps its data",
            object(
                "v1",
                "Secret",
                json!({}),
                json!({"type": "kubernetes.io/service-account-token"}),
            ),
            object(
                "v1",
                "Secret",
                json!({}),
                json!({"type": "kubernetes.io/service-account-token", "data": {"token": "dA=="}}),
            ),
            json!({"type": "kubernetes.io/service-account-token", "data": {"token": "dA=="}}),
        ),
        (
            "other secrets take the manifest's data",
            object(
                "v1",
                "Secret",
                json!({}),
                json!({"type": "Opaque", "data": {"k": "bmV3"}}),
            ),
            object(
                "v1",
                "Secret",
                json!({}),
                json!({"type": "Opaque", "data": {"k": "b2xk"}}),
            ),
            json!({"type": "Opaque", "data": {"k": "bmV3"}}),
        ),
    ];
    for (name, desired, observed, expected) in cases {
        let mut result = retained(desired, &observed);
        let map = result.as_object_mut().unwrap();
        map.remove("apiVersion");
        map.remove("kind");
        map.remove("metadata");
        assert_eq!(result, expected, "{name}");
    }
}

#[test]
fn pod_fields_the_member_lacks_are_removed_rather_than_kept() {
    let desired = object(
        "v1",
        "Pod",
        json!({"name": "p"}),
        json!({"spec": {
            "nodeName": "pinned", "volumes": [{"name": "v"}],
            "containers": [{"name": "app", "volumeMounts": [{"name": "v", "mountPath": "/v"}]}]
        }}),
    );
    let observed = object(
        "v1",
        "Pod",
        json!({"name": "p"}),
        json!({"spec": {"serviceAccountName": "sa", "containers": [{"name": "app"}]}}),
    );
    assert_eq!(
        retained(desired, &observed)["spec"],
        json!({"serviceAccountName": "sa", "containers": [{"name": "app"}]}),
        "a pod's spec is fixed once created, so the member's copy is the truth"
    );
}
