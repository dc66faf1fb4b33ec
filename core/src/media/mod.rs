//! Media preparation: what leaves the phone is never the original file.

pub mod photo;
pub mod video;
