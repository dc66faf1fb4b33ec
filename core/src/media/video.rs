//! Videos: checked against the phone's caps (30 s, 25 MB; the duration read from the container)
//! and stripped of location and other user metadata without re-encoding (see `qala_media::mp4`).

use qala_media::mp4;

use crate::error::{CoreError, CoreResult};

pub const MAX_SECONDS: f64 = 30.0;
pub const MAX_BYTES: u64 = 25 * 1024 * 1024;

/// Checks the caps and returns the video without its metadata boxes.
pub fn prepare(mut data: Vec<u8>) -> CoreResult<Vec<u8>> {
    if data.len() as u64 > MAX_BYTES {
        return Err(CoreError::Media(format!(
            "the video is over {} MB; record a shorter one",
            MAX_BYTES / (1024 * 1024)
        )));
    }
    let seconds = mp4::duration_seconds(&data).map_err(|e| CoreError::Media(e.to_string()))?;
    if seconds > MAX_SECONDS {
        return Err(CoreError::Media(format!("the video is {seconds:.0} s long; at most {MAX_SECONDS:.0} s")));
    }
    mp4::strip(&mut data).map_err(|e| CoreError::Media(e.to_string()))?;
    Ok(data)
}
