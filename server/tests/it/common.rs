//! Test harness: the real `qala-server` binary on 127.0.0.1 with a temporary data folder and a small
//! client. It is shared with the other crates' tests, so it lives in qala-journeys (`tests/src`).
#![allow(dead_code)]

pub use qala_journeys::server::*;
