//! Media files: recognising what a file really is, removing what it must not carry, keeping it.

pub mod access;
pub mod ingest;
pub mod serve;
pub mod storage;
