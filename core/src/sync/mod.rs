//! Talking to the server: the HTTP client, and the engine that pushes the outbox, uploads media
//! and pulls changes.

pub mod api;
pub mod engine;
mod rights;
mod session;

pub use engine::{SyncEngine, SyncEvent, SyncHandle, SyncSummary, apply_page};
pub use qala_protocol::NetworkKind;
pub use session::adopt_unbound_session;
