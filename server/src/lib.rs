//! qala-server: the sync server of Qala — idempotent push, cursor pull, resumable media upload,
//! routing with working-day deadlines, the operators' and administrators' API.

pub mod app;
pub mod auth;
pub mod cache;
pub mod config;
pub mod console;
pub mod demo;
pub mod domain;
pub mod edge;
pub mod error;
pub mod http;
pub mod limits;
pub mod media;
pub mod push_queue;
pub mod service;
pub mod store;
#[cfg(feature = "test-support")]
pub mod testing;
