//! The service layer: what Qala does, written once for every front end. The JSON API
//! (`crate::http`), the operator console (`crate::console`) and the coming Telegram bot are thin
//! adapters: they read their own input format, call a function here, and present its result.
//!
//! Each function takes the state, a typed principal from [`access`] (an [`access::Admin`] can only
//! be had by checking the role, so a forgotten check does not compile), and typed input; it checks
//! the input, runs the rule through the store, and answers with domain values or a
//! [`ServiceError`]. Nothing here knows about status codes or HTML.

pub mod access;
pub mod catalog;
pub mod comments;
mod error;
pub mod holidays;
pub mod news;
pub mod privacy;
pub mod projects;
pub mod public;
pub mod reports;
pub mod staff;

pub use error::{ServiceError, ServiceResult};
