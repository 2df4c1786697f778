#[test]
fn dump() {
    for crd in karmada_api::policy::crds() {
        let v = serde_json::to_string_pretty(&crd).unwrap();
        std::fs::write(format!("/tmp/pol/ours_{}.json", crd.spec.names.plural), v).unwrap();
    }
}
