//! Wire types of Qala: everything that crosses the network between the phone (UI and core) and the
//! sync server lives here, and only here.
//!
//! The crate is deliberately plain — serde, uuid and chrono — so that the wasm UI, the phone core and
//! the server agree on one definition and one set of validation rules. The `openapi` feature adds
//! schema derives for the server's OpenAPI document and is off for every other consumer.

pub mod auth;
pub mod catalog;
pub mod civic;
pub mod commands;
pub mod common;
pub mod districts;
pub mod error;
pub mod media;
pub mod open311;
pub mod operator;
pub mod privacy;
pub mod report;
pub mod scope;
pub mod sync;
pub mod tus;
pub mod validate;
pub mod view;

pub use auth::*;
pub use catalog::*;
pub use civic::*;
pub use common::*;
pub use error::*;
pub use media::*;
pub use operator::*;
pub use privacy::*;
pub use report::*;
pub use sync::*;
pub use validate::FieldError;
pub use view::*;

/// The version prefix every route is served under.
pub const API_PREFIX: &str = "/api/v1";
