//! Integration tests of karmada-apiserver (one test binary; see build notes in the README).

mod apiserver;
mod storage;
mod support;
