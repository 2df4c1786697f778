//! End-to-end test support (process spawning, member-cluster stand-ins). Tests arrive with the
//! propagation tranche; the storage conformance suite lives in `apiserver/tests`.
