//! Talking to the server: the HTTP client, and the engine that pushes the outbox, uploads media
//! and pulls changes.

pub mod api;
pub mod engine;

pub use engine::{Network, SyncEngine, SyncEvent, SyncHandle, SyncSummary};
