//! Photos: decoded, turned upright, resized to a long side of 1600 px, re-encoded as JPEG q82
//! (by [`super::jpeg`]). The encoder writes no metadata at all, so EXIF — GPS position, camera serials, maker notes —
//! cannot survive; the location travels as a field of the report instead.

use std::io::Cursor;

use fast_image_resize::images::Image;
use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};
use image::metadata::Orientation;
use image::{DynamicImage, GrayImage, ImageFormat, RgbImage};

use crate::error::{CoreError, CoreResult};

/// Longest side of a prepared photo, in pixels.
pub const LONG_SIDE: u32 = 1600;
/// JPEG quality of a prepared photo, on libjpeg's scale. Not the usual 80: our encoder computes
/// Huffman tables for each photo, which makes q82 smaller than a gallery app's q80 with the
/// standard's tables, and better (the prepare bench measures both against libvips).
pub const QUALITY: u8 = 82;
/// Bytes a prepared photo should not exceed; above it the quality steps down.
pub const BYTE_BUDGET: usize = 350 * 1024;

#[derive(Debug, Clone)]
pub struct PreparedPhoto {
    pub jpeg: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

/// HEIC/HEIF (iPhone default) — recognised so the resident gets a clear message, not "unreadable".
fn is_heif(data: &[u8]) -> bool {
    data.len() >= 12
        && &data[4..8] == b"ftyp"
        && [b"heic", b"heix", b"mif1", b"msf1", b"hevc"].contains(&&data[8..12].try_into().unwrap_or([0u8; 4]))
}

/// EXIF orientation (1–8) of the original, 1 when absent.
fn orientation(data: &[u8]) -> u8 {
    exif::Reader::new()
        .read_from_container(&mut Cursor::new(data))
        .ok()
        .and_then(|e| e.get_field(exif::Tag::Orientation, exif::In::PRIMARY).and_then(|f| f.value.get_uint(0)))
        .and_then(|o| u8::try_from(o).ok())
        .unwrap_or(1)
}

/// Target size keeping the aspect ratio, never enlarging.
pub fn fit(width: u32, height: u32, long_side: u32) -> (u32, u32) {
    let long = width.max(height);
    if long <= long_side {
        return (width, height);
    }
    let scale = long_side as f64 / long as f64;
    (((width as f64 * scale).round() as u32).max(1), ((height as f64 * scale).round() as u32).max(1))
}

/// Prepares a photo for upload: [`QUALITY`] first; a photo so full of fine detail that it would cost more
/// than [`BYTE_BUDGET`] on a rural mobile connection is encoded again a step lower.
pub fn prepare(data: &[u8]) -> CoreResult<PreparedPhoto> {
    prepare_at(data, &[QUALITY, 70, 60])
}

/// Prepares a photo at the first of `qualities` whose output fits the budget (the last one
/// whatever its size). The prepare bench also runs a single q80, the other programs' setting.
pub fn prepare_at(data: &[u8], qualities: &[u8]) -> CoreResult<PreparedPhoto> {
    if is_heif(data) {
        return Err(CoreError::Media(
            "HEIC photos cannot be read yet: choose JPEG in the camera settings (\"Most compatible\")".into(),
        ));
    }
    let format =
        image::guess_format(data).map_err(|_| CoreError::Media("this file is not a photo we can read".into()))?;
    let scaled = (format == ImageFormat::Jpeg).then(|| decode_jpeg_scaled(data)).flatten();
    let mut img = match scaled {
        Some(rgb) => DynamicImage::ImageRgb8(rgb),
        None => image::load_from_memory_with_format(data, format)
            .map_err(|e| CoreError::Media(format!("the photo cannot be read: {e}")))?,
    };
    if let Some(o) = Orientation::from_exif(orientation(data)) {
        img.apply_orientation(o);
    }
    let rgb = img.into_rgb8();
    let (w, h) = rgb.dimensions();
    let (tw, th) = fit(w, h, LONG_SIDE);
    let pixels = if (tw, th) == (w, h) {
        rgb.into_raw()
    } else {
        let src = Image::from_vec_u8(w, h, rgb.into_raw(), PixelType::U8x3)
            .map_err(|e| CoreError::Media(format!("resize: {e}")))?;
        let mut dst = Image::new(tw, th, PixelType::U8x3);
        let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3));
        Resizer::new().resize(&src, &mut dst, &options).map_err(|e| CoreError::Media(format!("resize: {e}")))?;
        dst.into_vec()
    };
    let (Ok(ew), Ok(eh)) = (u16::try_from(tw), u16::try_from(th)) else {
        return Err(CoreError::Media("the photo is too large".into()));
    };
    let mut jpeg = Vec::new();
    for &quality in qualities {
        jpeg = encode(&pixels, ew, eh, quality)?;
        if jpeg.len() <= BYTE_BUDGET {
            break;
        }
    }
    Ok(PreparedPhoto { jpeg, width: tw, height: th })
}

/// Most bytes the scaled decoder may hold for a photo. It keeps every component at full
/// resolution while it decodes (twice that for a progressive JPEG, whose coefficients stay until
/// the last scan), so the check is on the full frame, before anything is allocated: a photo above
/// it (a 108 MP camera's, or a crafted header of a few bytes claiming 65535×65535) goes to the
/// general decoder, which reads it within its own limits or refuses it with a clear message.
const MAX_DECODED_BYTES: u64 = 256 * 1024 * 1024;

/// Decodes a JPEG at the smallest scale of 1/8, 1/4, 1/2 or 1 that still covers the prepared size
/// (the inverse DCT computes fewer samples per block, as libjpeg's and libvips' shrink-on-load
/// do): for a 12 MP photo the inverse transform, colour conversion and resize then work on a
/// quarter of the pixels, which is most of the time a photo takes. `None` when this decoder cannot
/// (or should not) take the file: the general decoder then reads it, or explains why not.
fn decode_jpeg_scaled(data: &[u8]) -> Option<RgbImage> {
    let mut decoder = jpeg_decoder::Decoder::new(data);
    decoder.read_info().ok()?;
    let info = decoder.info()?;
    let components = match info.pixel_format {
        jpeg_decoder::PixelFormat::RGB24 => 3,
        jpeg_decoder::PixelFormat::L8 => 1,
        // CMYK and 16-bit greyscale are not what a phone's camera writes: the general decoder.
        _ => return None,
    };
    let passes = if info.coding_process == jpeg_decoder::CodingProcess::DctProgressive { 2 } else { 1 };
    if u64::from(info.width) * u64::from(info.height) * components * passes > MAX_DECODED_BYTES {
        return None;
    }
    let (tw, th) = fit(u32::from(info.width), u32::from(info.height), LONG_SIDE);
    let (w, h) = decoder.scale(u16::try_from(tw).ok()?, u16::try_from(th).ok()?).ok()?;
    let (w, h) = (u32::from(w), u32::from(h));
    decoder.set_max_decoding_buffer_size(usize::try_from(MAX_DECODED_BYTES).ok()?);
    let pixels = decoder.decode().ok()?;
    if components == 3 {
        RgbImage::from_raw(w, h, pixels)
    } else {
        GrayImage::from_raw(w, h, pixels).map(|g| DynamicImage::ImageLuma8(g).into_rgb8())
    }
}

fn encode(pixels: &[u8], width: u16, height: u16, quality: u8) -> CoreResult<Vec<u8>> {
    super::jpeg::encode_rgb(pixels, u32::from(width), u32::from(height), quality)
        .ok_or_else(|| CoreError::Media("encode: the size does not match the pixels".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_keeps_aspect_and_never_enlarges() {
        assert_eq!(fit(4000, 3000, 1600), (1600, 1200));
        assert_eq!(fit(3000, 4000, 1600), (1200, 1600));
        assert_eq!(fit(800, 600, 1600), (800, 600));
    }

    #[test]
    fn text_and_heic_are_refused_clearly() {
        let e = prepare(b"hello, not an image").unwrap_err().to_string();
        assert!(e.contains("not a photo"), "{e}");
        let heic = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic";
        let e = prepare(heic).unwrap_err().to_string();
        assert!(e.contains("HEIC"), "{e}");
    }
}
