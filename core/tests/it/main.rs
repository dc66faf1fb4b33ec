//! qala-core's integration tests, in one binary (one link instead of one per file): photo
//! preparation on real images (`photo`), and TLS with the roots a phone bundles (`tls`).

mod photo;
mod tls;
