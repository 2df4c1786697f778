fn main() {
    for crd in karmada_api::crds::all() {
        println!("{}", serde_json::to_string_pretty(&crd).unwrap());
    }
}
