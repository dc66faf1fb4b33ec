//! qala-media: what a media file really is, and removing what it must not carry — EXIF/GPS from
//! photos, location boxes from videos — without re-encoding. Used by the phone (before upload) and
//! by the server (again, for clients that did not).

pub mod mp4;
pub mod photo;
pub mod sniff;

/// The file is not well-formed enough to be read or cleaned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Malformed(pub String);

impl Malformed {
    pub(crate) fn new(m: impl Into<String>) -> Self {
        Malformed(m.into())
    }
}
