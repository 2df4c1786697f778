//! Tests for the protobuf decoder: bodies recorded from kubectl 1.33.1, bodies assembled by hand for
//! what kubectl does not send, and malformed input.

use serde_json::{Value, json};

use super::schema::{Message, Shape, Ty};
use super::{KINDS, decode};

/// Request bodies kubectl 1.33.1 sent (`-v=10` hex dumps) for `create configmap c --from-literal=a=b
/// --from-file=bin=<00 01 fe ff>`, `create secret generic s --from-literal=k=v --from-file=bin=<78 ff
/// 79>`, `create deployment d --image=nginx --replicas=2 --port=80`, `create namespace n`, `create
/// service clusterip s --tcp=80:8080 --tcp=443:https`, `create serviceaccount sa1`, `create job j
/// --image=busybox -- echo hi`, `auth can-i create pods` and `create quota q
/// --hard=cpu=1,memory=1Gi,pods=2`.
mod recorded {
    pub const CONFIG_MAP: &str = concat!(
        "6b3873000a0f0a0276311209436f6e6669674d617012280a110a016312001a0022002a003200380042001206",
        "0a01611201621a0b0a0362696e12040001feff1a002200",
    );
    pub const SECRET: &str = concat!(
        "6b3873000a0c0a027631120653656372657412290a110a017312001a0022002a00320038004200120a0a0362",
        "696e120378ff7912060a016b1201761a001a002200",
    );
    pub const DEPLOYMENT: &str = concat!(
        "6b3873000a150a07617070732f7631120a4465706c6f796d656e7412b0010a1b0a016412001a0022002a0032",
        "00380042005a080a036170701201641282010802120a0a080a036170701201641a6a0a1a0a0012001a002200",
        "2a003200380042005a080a03617070120164124c122e0a056e67696e7812056e67696e782a00320a0a001000",
        "185022002a0042006a007200800100880100900100a201001a00320042004a0052005800600068008201008a",
        "01009a0100c2010022020a00280038001a0c0800100018002000280038001a002200",
    );
    pub const NAMESPACE: &str = concat!(
        "6b3873000a0f0a02763112094e616d65737061636512190a110a016e12001a0022002a003200380042001200",
        "1a020a001a002200",
    );
    pub const SERVICE: &str = concat!(
        "6b3873000a0d0a0276311207536572766963651287010a1b0a017312001a0022002a003200380042005a080a",
        "0361707012017312640a1b0a0738302d38303830120354435018502207080010903f1a0028000a220a093434",
        "332d6874747073120354435018bb03220b080110001a056874747073280012080a036170701201731a002209",
        "436c757374657249503a00420052005a00600068001a020a001a002200",
    );
    pub const SERVICE_ACCOUNT: &str = concat!(
        "6b3873000a140a027631120e536572766963654163636f756e7412150a130a0373613112001a0022002a0032",
        "00380042001a002200",
    );
    pub const JOB: &str = concat!(
        "6b3873000a0f0a0862617463682f763112034a6f621282010a110a016a12001a0022002a0032003800420012",
        "6332610a100a0012001a0022002a00320038004200124d122a0a016a120762757379626f781a046563686f1a",
        "0268692a0042006a007200800100880100900100a201001a054e65766572320042004a005200580060006800",
        "8201008a01009a0100c201001a082000280030003a001a002200",
    );
    pub const SELF_SUBJECT_ACCESS_REVIEW: &str = concat!(
        "6b3873000a320a17617574686f72697a6174696f6e2e6b38732e696f2f7631121753656c665375626a656374",
        "416363657373526576696577123f0a100a0012001a0022002a0032003800420012210a1f0a0764656661756c",
        "7412066372656174651a0022002a04706f647332003a001a08080012001a0020001a002200",
    );
    pub const RESOURCE_QUOTA: &str = concat!(
        "6b3873000a130a027631120d5265736f7572636551756f746112410a110a017112001a0022002a0032003800",
        "4200122a0a0a0a0363707512030a01310a0f0a066d656d6f727912050a033147690a0b0a04706f647312030a",
        "01321a001a002200",
    );
}

/// The JSON bodies kubectl 1.31.x sent for the same commands.
mod json_1_31 {
    pub const CONFIG_MAP: &str = r#"{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"c","creationTimestamp":null},"data":{"a":"b"},"binaryData":{"bin":"AAH+/w=="}}"#;
    pub const SECRET: &str = r#"{"kind":"Secret","apiVersion":"v1","metadata":{"name":"s","creationTimestamp":null},"data":{"bin":"eP95","k":"dg=="}}"#;
    pub const DEPLOYMENT: &str = r#"{"kind":"Deployment","apiVersion":"apps/v1","metadata":{"name":"d","creationTimestamp":null,"labels":{"app":"d"}},"spec":{"replicas":2,"selector":{"matchLabels":{"app":"d"}},"template":{"metadata":{"creationTimestamp":null,"labels":{"app":"d"}},"spec":{"containers":[{"name":"nginx","image":"nginx","ports":[{"containerPort":80}],"resources":{}}]}},"strategy":{}},"status":{}}"#;
    pub const NAMESPACE: &str = r#"{"kind":"Namespace","apiVersion":"v1","metadata":{"name":"n","creationTimestamp":null},"spec":{},"status":{}}"#;
    pub const SERVICE: &str = r#"{"kind":"Service","apiVersion":"v1","metadata":{"name":"s","creationTimestamp":null,"labels":{"app":"s"}},"spec":{"ports":[{"name":"80-8080","protocol":"TCP","port":80,"targetPort":8080},{"name":"443-https","protocol":"TCP","port":443,"targetPort":"https"}],"selector":{"app":"s"},"type":"ClusterIP"},"status":{"loadBalancer":{}}}"#;
    pub const SERVICE_ACCOUNT: &str = r#"{"kind":"ServiceAccount","apiVersion":"v1","metadata":{"name":"sa1","creationTimestamp":null}}"#;
    pub const JOB: &str = r#"{"kind":"Job","apiVersion":"batch/v1","metadata":{"name":"j","creationTimestamp":null},"spec":{"template":{"metadata":{"creationTimestamp":null},"spec":{"containers":[{"name":"j","image":"busybox","command":["echo","hi"],"resources":{}}],"restartPolicy":"Never"}}},"status":{}}"#;
    pub const SELF_SUBJECT_ACCESS_REVIEW: &str = r#"{"kind":"SelfSubjectAccessReview","apiVersion":"authorization.k8s.io/v1","metadata":{"creationTimestamp":null},"spec":{"resourceAttributes":{"namespace":"default","verb":"create","resource":"pods"}},"status":{"allowed":false}}"#;
    pub const RESOURCE_QUOTA: &str = r#"{"kind":"ResourceQuota","apiVersion":"v1","metadata":{"name":"q","creationTimestamp":null},"spec":{"hard":{"cpu":"1","memory":"1Gi","pods":"2"}},"status":{}}"#;
}

const ALL_RECORDED: [(&str, &str); 9] = [
    (recorded::CONFIG_MAP, json_1_31::CONFIG_MAP),
    (recorded::SECRET, json_1_31::SECRET),
    (recorded::DEPLOYMENT, json_1_31::DEPLOYMENT),
    (recorded::NAMESPACE, json_1_31::NAMESPACE),
    (recorded::SERVICE, json_1_31::SERVICE),
    (recorded::SERVICE_ACCOUNT, json_1_31::SERVICE_ACCOUNT),
    (recorded::JOB, json_1_31::JOB),
    (
        recorded::SELF_SUBJECT_ACCESS_REVIEW,
        json_1_31::SELF_SUBJECT_ACCESS_REVIEW,
    ),
    (recorded::RESOURCE_QUOTA, json_1_31::RESOURCE_QUOTA),
];

fn hex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

fn decoded(body: &[u8]) -> Value {
    match decode(body) {
        Ok(object) => Value::Object(object),
        Err(e) => panic!("decode failed: {} {}", e.code, e.message),
    }
}

/// The status code and message of a failed decode.
fn rejected(body: &[u8]) -> (u16, String) {
    match decode(body) {
        Ok(object) => panic!("decoded {}", Value::Object(object)),
        Err(e) => (e.code.as_u16(), e.message),
    }
}

/// A protobuf message written by hand, for what kubectl does not send.
#[derive(Clone, Default)]
struct Pb(Vec<u8>);

impl Pb {
    fn new() -> Self {
        Pb::default()
    }

    fn tag(mut self, number: u32, wire_type: u8) -> Self {
        self.0
            .extend(varint(u64::from(number) << 3 | u64::from(wire_type)));
        self
    }

    fn varint(self, number: u32, value: u64) -> Self {
        let mut pb = self.tag(number, 0);
        pb.0.extend(varint(value));
        pb
    }

    fn bytes(self, number: u32, value: &[u8]) -> Self {
        let mut pb = self.tag(number, 2);
        pb.0.extend(varint(value.len() as u64));
        pb.0.extend_from_slice(value);
        pb
    }

    fn str(self, number: u32, value: &str) -> Self {
        self.bytes(number, value.as_bytes())
    }

    fn msg(self, number: u32, value: Pb) -> Self {
        self.bytes(number, &value.0)
    }

    /// A `map<string, string>` entry.
    fn entry(self, number: u32, key: &str, value: &str) -> Self {
        self.msg(number, Pb::new().str(1, key).str(2, value))
    }

    /// A `map<string, Quantity>` entry.
    fn quantity(self, number: u32, key: &str, value: &str) -> Self {
        self.msg(
            number,
            Pb::new().str(1, key).msg(2, Pb::new().str(1, value)),
        )
    }
}

fn varint(mut value: u64) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return out;
        }
        out.push(byte | 0x80);
    }
}

/// `k8s\0` + `runtime.Unknown{typeMeta, raw}` around `object`.
fn body(api_version: &str, kind: &str, object: Pb) -> Vec<u8> {
    let type_meta = Pb::new().str(1, api_version).str(2, kind);
    let mut out = b"k8s\0".to_vec();
    out.extend(Pb::new().msg(1, type_meta).msg(2, object).0);
    out
}

fn int_or_string_int(value: u64) -> Pb {
    Pb::new().varint(1, 0).varint(2, value).str(3, "")
}

fn int_or_string_str(value: &str) -> Pb {
    Pb::new().varint(1, 1).varint(2, 0).str(3, value)
}

#[test]
fn kubectl_protobuf_bodies_decode_to_kubectl_json_bodies() {
    for (protobuf, json) in ALL_RECORDED {
        let want: Value = serde_json::from_str(json).unwrap();
        assert_eq!(decoded(&hex(protobuf)), want);
    }
}

#[test]
fn configmap_binary_data_and_secret_data_are_base64() {
    let configmap = decoded(&hex(recorded::CONFIG_MAP));
    assert_eq!(configmap["data"], json!({"a": "b"}));
    assert_eq!(configmap["binaryData"], json!({"bin": "AAH+/w=="}));
    let secret = decoded(&hex(recorded::SECRET));
    assert_eq!(secret["data"], json!({"k": "dg==", "bin": "eP95"}));
}

#[test]
fn service_target_ports_are_numbers_or_names() {
    let service = decoded(&hex(recorded::SERVICE));
    assert_eq!(service["spec"]["ports"][0]["targetPort"], json!(8080));
    assert_eq!(service["spec"]["ports"][1]["targetPort"], json!("https"));
}

#[test]
fn deployment_with_resources_probes_and_volumes_decodes() {
    let container = Pb::new()
        .str(1, "web")
        .str(2, "nginx:1.27")
        .msg(
            6,
            Pb::new()
                .str(1, "http")
                .varint(2, 0)
                .varint(3, 8080)
                .str(4, "TCP")
                .str(5, ""),
        )
        .msg(
            7,
            Pb::new().str(1, "LEVEL").str(2, "").msg(
                3,
                Pb::new().msg(1, Pb::new().str(1, "v1").str(2, "metadata.namespace")),
            ),
        )
        .msg(
            8,
            Pb::new()
                .quantity(1, "cpu", "500m")
                .quantity(1, "memory", "128Mi")
                .quantity(2, "cpu", "250m"),
        )
        .msg(9, Pb::new().str(1, "cache").varint(2, 0).str(3, "/cache"))
        // readinessProbe: the handler (field 1) is inlined into the probe.
        .msg(
            11,
            Pb::new()
                .msg(
                    1,
                    Pb::new().msg(
                        2,
                        Pb::new()
                            .str(1, "/healthz")
                            .msg(2, int_or_string_str("http")),
                    ),
                )
                .varint(2, 5)
                .varint(3, 0),
        )
        .msg(15, Pb::new().varint(5, 0).varint(4, 1000));
    let volume = Pb::new()
        .str(1, "cache")
        // emptyDir, inlined from VolumeSource.
        .msg(
            2,
            Pb::new().msg(
                2,
                Pb::new().str(1, "Memory").msg(2, Pb::new().str(1, "1Gi")),
            ),
        );
    let spec = Pb::new()
        .varint(1, 0)
        .msg(
            2,
            Pb::new().entry(1, "app", "web").msg(
                2,
                Pb::new()
                    .str(1, "tier")
                    .str(2, "In")
                    .str(3, "fe")
                    .str(3, "be"),
            ),
        )
        .msg(
            3,
            Pb::new()
                .msg(1, Pb::new().entry(11, "app", "web"))
                .msg(2, Pb::new().msg(1, volume).msg(2, container)),
        )
        .msg(
            4,
            Pb::new().str(1, "RollingUpdate").msg(
                2,
                Pb::new()
                    .msg(1, int_or_string_int(0))
                    .msg(2, int_or_string_str("25%")),
            ),
        )
        .varint(7, 0);
    let deployment = Pb::new()
        .msg(1, Pb::new().str(1, "web").str(3, "prod"))
        .msg(2, spec);

    assert_eq!(
        decoded(&body("apps/v1", "Deployment", deployment)),
        json!({
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "prod", "creationTimestamp": null},
            "spec": {
                // A pointer: zero replicas stay.
                "replicas": 0,
                "selector": {
                    "matchLabels": {"app": "web"},
                    "matchExpressions": [{"key": "tier", "operator": "In", "values": ["fe", "be"]}],
                },
                "template": {
                    "metadata": {"labels": {"app": "web"}, "creationTimestamp": null},
                    "spec": {
                        "volumes": [{"name": "cache", "emptyDir": {"medium": "Memory", "sizeLimit": "1Gi"}}],
                        "containers": [{
                            "name": "web",
                            "image": "nginx:1.27",
                            "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"}],
                            "env": [{
                                "name": "LEVEL",
                                "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}},
                            }],
                            "resources": {
                                "limits": {"cpu": "500m", "memory": "128Mi"},
                                "requests": {"cpu": "250m"},
                            },
                            "volumeMounts": [{"name": "cache", "mountPath": "/cache"}],
                            "readinessProbe": {
                                "httpGet": {"path": "/healthz", "port": "http"},
                                "initialDelaySeconds": 5,
                            },
                            "securityContext": {"runAsNonRoot": false, "runAsUser": 1000},
                        }],
                    },
                },
                "strategy": {
                    "type": "RollingUpdate",
                    "rollingUpdate": {"maxUnavailable": 0, "maxSurge": "25%"},
                },
            },
            "status": {},
        })
    );
}

#[test]
fn absent_fields_are_written_as_go_writes_the_zero_value() {
    // An empty DeploymentSpec: `selector` is a pointer without omitempty, `template` a struct,
    // `containers` a slice without omitempty, `strategy` a struct with omitempty (kept).
    let deployment = Pb::new().msg(1, Pb::new().str(1, "d")).msg(2, Pb::new());
    assert_eq!(
        decoded(&body("apps/v1", "Deployment", deployment))["spec"],
        json!({
            "selector": null,
            "template": {"metadata": {"creationTimestamp": null}, "spec": {"containers": null}},
            "strategy": {},
        })
    );
    // A ContainerPort with nothing set: containerPort has no omitempty.
    let pod = Pb::new().msg(2, Pb::new().msg(2, Pb::new().str(1, "c").msg(6, Pb::new())));
    assert_eq!(
        decoded(&body("v1", "Pod", pod))["spec"]["containers"][0]["ports"],
        json!([{"containerPort": 0}])
    );
}

#[test]
fn empty_optional_strings_on_the_wire_are_dropped() {
    // Go writes every non-pointer string, empty or not.
    let configmap = Pb::new().msg(
        1,
        Pb::new()
            .str(1, "c")
            .str(2, "")
            .str(3, "")
            .str(4, "")
            .str(5, "")
            .str(6, "")
            .varint(7, 0),
    );
    assert_eq!(
        decoded(&body("v1", "ConfigMap", configmap)),
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "creationTimestamp": null}})
    );
}

#[test]
fn timestamps_are_rfc3339_in_utc() {
    let lease = Pb::new()
        .msg(
            1,
            Pb::new()
                .str(1, "l")
                .msg(8, Pb::new().varint(1, 1_700_000_000))
                // metav1.Time drops nanoseconds.
                .msg(9, Pb::new().varint(1, 1_700_000_001).varint(2, 999_999_999)),
        )
        .msg(
            2,
            Pb::new()
                .str(1, "holder")
                .msg(4, Pb::new().varint(1, 1_700_000_002).varint(2, 123_456_789)),
        );
    let lease = decoded(&body("coordination.k8s.io/v1", "Lease", lease));
    assert_eq!(
        lease["metadata"]["creationTimestamp"],
        json!("2023-11-14T22:13:20Z")
    );
    assert_eq!(
        lease["metadata"]["deletionTimestamp"],
        json!("2023-11-14T22:13:21Z")
    );
    assert_eq!(
        lease["spec"],
        json!({"holderIdentity": "holder", "renewTime": "2023-11-14T22:13:22.123456Z"})
    );
}

#[test]
fn packed_and_unpacked_repeated_numbers_decode_alike() {
    let unpacked = Pb::new().varint(4, 1).varint(4, 2);
    let packed = Pb::new().bytes(4, &[1, 2]);
    for security_context in [unpacked, packed] {
        let pod = Pb::new().msg(2, Pb::new().msg(14, security_context));
        assert_eq!(
            decoded(&body("v1", "Pod", pod))["spec"]["securityContext"],
            json!({"supplementalGroups": [1, 2]})
        );
    }
}

#[test]
fn negative_int32_values_survive_sign_extension() {
    let pod = Pb::new().msg(2, Pb::new().varint(25, (-5i64) as u64));
    assert_eq!(
        decoded(&body("v1", "Pod", pod))["spec"]["priority"],
        json!(-5)
    );
}

#[test]
fn a_message_field_sent_twice_is_merged() {
    let configmap = Pb::new()
        .msg(1, Pb::new().str(1, "c"))
        .msg(1, Pb::new().entry(11, "a", "b"));
    assert_eq!(
        decoded(&body("v1", "ConfigMap", configmap))["metadata"],
        json!({"name": "c", "labels": {"a": "b"}, "creationTimestamp": null})
    );
}

#[test]
fn managed_fields_keep_their_raw_json() {
    let entry = Pb::new()
        .str(1, "kubectl")
        .str(2, "Update")
        .str(6, "FieldsV1")
        .msg(7, Pb::new().str(1, r#"{"f:data":{".":{}}}"#));
    let configmap = Pb::new().msg(1, Pb::new().str(1, "c").msg(17, entry));
    assert_eq!(
        decoded(&body("v1", "ConfigMap", configmap))["metadata"]["managedFields"],
        json!([{
            "manager": "kubectl",
            "operation": "Update",
            "fieldsType": "FieldsV1",
            "fieldsV1": {"f:data": {".": {}}},
        }])
    );
}

#[test]
fn self_subject_access_review_decodes() {
    let review = decoded(&hex(recorded::SELF_SUBJECT_ACCESS_REVIEW));
    assert_eq!(
        review["spec"],
        json!({"resourceAttributes": {"namespace": "default", "verb": "create", "resource": "pods"}})
    );
}

#[test]
fn delete_options_decode_under_any_group_version() {
    let options = Pb::new().varint(1, 0).str(4, "Background");
    assert_eq!(
        decoded(&body("apps/v1", "DeleteOptions", options)),
        json!({"apiVersion": "apps/v1", "kind": "DeleteOptions", "gracePeriodSeconds": 0, "propagationPolicy": "Background"})
    );
}

#[test]
fn invalid_utf8_becomes_replacement_characters_as_in_go() {
    let configmap = Pb::new().msg(2, Pb::new().str(1, "a").bytes(2, b"x\xffy"));
    assert_eq!(
        decoded(&body("v1", "ConfigMap", configmap))["data"],
        json!({"a": "x\u{fffd}y"})
    );
}

#[test]
fn a_map_entry_without_a_value_gets_the_zero_value() {
    let configmap = Pb::new().msg(2, Pb::new().str(1, "a"));
    assert_eq!(
        decoded(&body("v1", "ConfigMap", configmap))["data"],
        json!({"a": ""})
    );
}

#[test]
fn unknown_fields_holding_zero_values_are_skipped() {
    let configmap = Pb::new()
        .msg(1, Pb::new().str(1, "c").str(99, ""))
        .varint(98, 0);
    assert_eq!(
        decoded(&body("v1", "ConfigMap", configmap))["metadata"]["name"],
        json!("c")
    );
}

#[test]
fn unknown_fields_with_values_are_unsupported() {
    let configmap = Pb::new().msg(1, Pb::new().str(1, "c").str(99, "surprise"));
    let (code, message) = rejected(&body("v1", "ConfigMap", configmap));
    assert_eq!(code, 415);
    assert!(message.contains("meta/v1 ObjectMeta field 99"), "{message}");
}

#[test]
fn an_unknown_kind_is_unsupported_and_named() {
    let (code, message) = rejected(&body("v1", "PodTemplate", Pb::new()));
    assert_eq!(code, 415);
    assert!(message.contains("v1, Kind=PodTemplate"), "{message}");
}

#[test]
fn encoded_or_foreign_content_is_unsupported() {
    let type_meta = Pb::new().str(1, "v1").str(2, "ConfigMap");
    let gzip = Pb::new().msg(1, type_meta.clone()).str(3, "gzip");
    let json = Pb::new().msg(1, type_meta).str(4, "application/json");
    for envelope in [gzip, json] {
        let mut body = b"k8s\0".to_vec();
        body.extend(envelope.0);
        assert_eq!(rejected(&body).0, 415);
    }
}

#[test]
fn a_body_without_the_prefix_is_a_bad_request() {
    assert_eq!(rejected(b"{\"kind\":\"ConfigMap\"}").0, 400);
    assert_eq!(rejected(b"k8s").0, 400);
    assert_eq!(rejected(b"").0, 400);
}

#[test]
fn an_envelope_without_type_meta_is_a_bad_request() {
    assert_eq!(rejected(b"k8s\0").0, 400);
}

#[test]
fn a_wrong_wire_type_is_a_bad_request() {
    // metadata (a message) sent as a varint.
    let (code, message) = rejected(&body("v1", "ConfigMap", Pb::new().varint(1, 7)));
    assert_eq!(code, 400);
    assert!(message.contains("core/v1 ConfigMap"), "{message}");
    // immutable (a bool) sent as bytes.
    assert_eq!(
        rejected(&body("v1", "ConfigMap", Pb::new().str(4, "yes"))).0,
        400
    );
    // A fixed64 where a string belongs.
    let mut object = Pb::new().tag(1, 1);
    object.0.extend([0; 8]);
    assert_eq!(rejected(&body("v1", "ServiceAccount", object)).0, 400);
}

#[test]
fn an_impossible_int_or_string_type_is_a_bad_request() {
    let port = Pb::new().varint(3, 80).msg(4, Pb::new().varint(1, 2));
    let service = Pb::new().msg(2, Pb::new().msg(1, port));
    assert_eq!(rejected(&body("v1", "Service", service)).0, 400);
}

#[test]
fn fields_v1_that_is_not_json_is_a_bad_request() {
    let entry = Pb::new().msg(7, Pb::new().str(1, "{not json"));
    let configmap = Pb::new().msg(1, Pb::new().msg(17, entry));
    assert_eq!(rejected(&body("v1", "ConfigMap", configmap)).0, 400);
}

#[test]
fn a_time_past_year_9999_is_a_bad_request() {
    let configmap = Pb::new().msg(1, Pb::new().msg(9, Pb::new().varint(1, 253_402_300_800)));
    assert_eq!(rejected(&body("v1", "ConfigMap", configmap)).0, 400);
}

#[test]
fn every_truncation_of_a_recorded_body_fails_cleanly() {
    for (protobuf, _) in ALL_RECORDED {
        let full = hex(protobuf);
        for len in 0..full.len() {
            if let Err(e) = decode(&full[..len]) {
                assert!(e.code.is_client_error(), "{}: {}", e.code, e.message);
            }
        }
    }
}

#[test]
fn corrupted_bodies_never_panic() {
    // A fixed xorshift sequence: deterministic, no dependency.
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for (protobuf, _) in ALL_RECORDED {
        let original = hex(protobuf);
        for _ in 0..2000 {
            let mut body = original.clone();
            for _ in 0..1 + next() % 4 {
                let at = 4 + (next() as usize) % (body.len() - 4);
                body[at] = next() as u8;
            }
            if let Err(e) = decode(&body) {
                assert!(e.code.is_client_error(), "{}: {}", e.code, e.message);
            }
        }
    }
}

#[test]
fn field_tables_are_ordered_and_acyclic() {
    fn check(message: &'static Message, path: &mut Vec<&'static str>) {
        assert!(
            !path.contains(&message.name),
            "cycle: {path:?} -> {}",
            message.name
        );
        path.push(message.name);
        for pair in message.fields.windows(2) {
            assert!(
                pair[0].number < pair[1].number,
                "{}: fields {} and {} out of order",
                message.name,
                pair[0].number,
                pair[1].number
            );
        }
        for field in message.fields {
            assert_eq!(
                field.json.is_empty(),
                field.shape == Shape::Inline,
                "{} field {}",
                message.name,
                field.number
            );
            if let Ty::Msg(inner) = field.ty {
                check(inner, path);
            } else {
                assert!(
                    field.shape != Shape::Inline,
                    "{}: only structs inline",
                    message.name
                );
            }
        }
        path.pop();
    }
    for (_, _, message) in KINDS {
        check(message, &mut Vec::new());
    }
    check(&super::meta_v1::DELETE_OPTIONS, &mut Vec::new());
}
