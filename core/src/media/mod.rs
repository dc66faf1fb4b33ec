//! The phone's media: preparation (what leaves the phone is never the original file) and the
//! record of each file (`files`).

pub mod files;
pub mod jpeg;
pub mod photo;
pub mod video;
