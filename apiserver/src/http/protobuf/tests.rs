//! Tests for the protobuf decoder: bodies recorded from kubectl 1.33.1, bodies assembled by hand for
//! what kubectl does not send, and malformed input.

use serde_json::{Value, json};

use super::decode;

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

fn hex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

fn decoded(body: &[u8]) -> Value {
    Value::Object(decode(body).unwrap_or_else(|e| panic!("decode failed: {}", e.message)))
}

#[test]
fn print_recorded() {
    for (name, body) in [
        ("cm", recorded::CONFIG_MAP),
        ("secret", recorded::SECRET),
        ("deploy", recorded::DEPLOYMENT),
        ("ns", recorded::NAMESPACE),
        ("svc", recorded::SERVICE),
        ("sa", recorded::SERVICE_ACCOUNT),
        ("job", recorded::JOB),
        ("ssar", recorded::SELF_SUBJECT_ACCESS_REVIEW),
        ("quota", recorded::RESOURCE_QUOTA),
    ] {
        println!("{name}: {}", decoded(&hex(body)));
    }
}
