//! The server's integration tests, in one binary. Each test binary links the whole server, which on
//! two cores costs far more than running the tests; one binary with a module per subject links once.
//! Run one subject with `cargo test -p qala-server --test it hostile::`.

// The store suite is a macro: it must be read before the two backends that expand it.
#[macro_use]
mod store_suite;

mod common;
mod upgrade;

mod admin_api;
mod authz;
mod authz_matrix;
mod bad_input;
mod config;
mod console;
mod console_admin;
mod hostile;
mod idempotency;
mod journey;
mod open311;
mod openapi;
mod otp;
mod overload;
mod postgres_server;
mod public_reports;
mod pull_paging;
mod quotas;
mod rights;
mod scale_out;
mod shutdown;
mod sign_in;
mod stats;
mod store_postgres;
mod store_sqlite;
mod uploads;
