//! tbd
use serde_json::Value;
pub fn retain(_desired: &mut Value, _observed: &Value) {}
