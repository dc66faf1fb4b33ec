//! Photo preparation: EXIF and GPS gone, orientation applied, size and quality as promised.

use std::io::Cursor;

use image::{ImageEncoder, Rgb, RgbImage};
use little_exif::exif_tag::ExifTag;
use little_exif::filetype::FileExtension;
use little_exif::metadata::Metadata;
use little_exif::rational::uR64;
use qala_core::media::photo;

/// A detailed test photo: gradients, a sharp pattern and noise, so that the encoder has work to do.
/// The left quarter is red so that rotation can be checked.
fn detailed(width: u32, height: u32) -> RgbImage {
    let mut seed: u32 = 0x9E37_79B9;
    RgbImage::from_fn(width, height, |x, y| {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        // Sensor-like noise of a few levels; fine detail comes from the checker pattern.
        let noise = (seed & 0x07) as u8;
        if x < width / 4 {
            return Rgb([230, noise, noise]);
        }
        let checker = if ((x / 7) + (y / 7)) % 2 == 0 { 60 } else { 0 };
        Rgb([
            ((x * 255 / width) as u8).saturating_add(noise),
            ((y * 255 / height) as u8).saturating_add(checker),
            (((x ^ y) & 0xFF) as u8).saturating_add(noise / 2),
        ])
    })
}

fn jpeg_with_exif(img: &RgbImage, orientation: u16) -> Vec<u8> {
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(Cursor::new(&mut jpeg), 92)
        .write_image(img.as_raw(), img.width(), img.height(), image::ExtendedColorType::Rgb8)
        .unwrap();
    let mut meta = Metadata::new();
    meta.set_tag(ExifTag::Orientation(vec![orientation]));
    meta.set_tag(ExifTag::Make("SecretPhone".into()));
    meta.set_tag(ExifTag::Model("Model X-42 serial 123456".into()));
    meta.set_tag(ExifTag::GPSLatitudeRef("N".into()));
    meta.set_tag(ExifTag::GPSLatitude(vec![
        uR64 { nominator: 43, denominator: 1 },
        uR64 { nominator: 14, denominator: 1 },
        uR64 { nominator: 2000, denominator: 100 },
    ]));
    meta.write_to_vec(&mut jpeg, FileExtension::JPEG).unwrap();
    jpeg
}

fn exif_fields(data: &[u8]) -> usize {
    exif::Reader::new().read_from_container(&mut Cursor::new(data)).map(|e| e.fields().count()).unwrap_or(0)
}

#[test]
fn exif_and_gps_are_gone_and_orientation_is_applied() {
    let original = jpeg_with_exif(&detailed(2400, 1800), 6);
    // The test image really carries the tags we want to see removed.
    assert!(exif_fields(&original) >= 4);
    assert!(original.windows(11).any(|w| w == b"SecretPhone"));

    let prepared = photo::prepare(&original).unwrap();
    assert_eq!(exif_fields(&prepared.jpeg), 0, "no EXIF field remains");
    assert!(!prepared.jpeg.windows(11).any(|w| w == b"SecretPhone"));
    assert!(!prepared.jpeg.windows(4).any(|w| w == b"Exif"));
    // Orientation 6 = rotate 90° clockwise: 2400×1800 landscape becomes 1200×1600 portrait.
    assert_eq!((prepared.width, prepared.height), (1200, 1600));
    let out = image::load_from_memory(&prepared.jpeg).unwrap().to_rgb8();
    assert_eq!(out.dimensions(), (1200, 1600));
    // The red left edge of the original is now the top edge.
    let top = out.get_pixel(600, 20);
    let bottom = out.get_pixel(600, 1580);
    assert!(top[0] > 180 && top[1] < 90, "top is red: {top:?}");
    assert!(!(bottom[0] > 180 && bottom[1] < 90), "bottom is not red: {bottom:?}");
}

#[test]
fn small_photos_are_not_enlarged_and_stay_small() {
    let original = jpeg_with_exif(&detailed(1024, 768), 1);
    let prepared = photo::prepare(&original).unwrap();
    assert_eq!((prepared.width, prepared.height), (1024, 768));
    assert_eq!(exif_fields(&prepared.jpeg), 0);
}

#[test]
fn a_12_megapixel_photo_comes_out_under_350_kb() {
    let original = jpeg_with_exif(&detailed(4000, 3000), 1);
    let prepared = photo::prepare(&original).unwrap();
    assert_eq!((prepared.width, prepared.height), (1600, 1200));
    assert!(prepared.jpeg.len() < 350 * 1024, "{} bytes", prepared.jpeg.len());
}

#[test]
fn png_input_works_too() {
    let mut png = Vec::new();
    let img = detailed(2000, 500);
    image::codecs::png::PngEncoder::new(&mut png)
        .write_image(img.as_raw(), img.width(), img.height(), image::ExtendedColorType::Rgb8)
        .unwrap();
    let prepared = photo::prepare(&png).unwrap();
    assert_eq!((prepared.width, prepared.height), (1600, 400));
    assert!(prepared.jpeg.starts_with(&[0xFF, 0xD8]));
}

/// Photos twice the prepared size and more are decoded at a reduced scale: the picture, its
/// orientation and a greyscale camera's output must come out as from a full decode.
#[test]
fn photos_decoded_at_a_reduced_scale_keep_orientation_and_greyscale() {
    let original = jpeg_with_exif(&detailed(4000, 3000), 6);
    let prepared = photo::prepare(&original).unwrap();
    assert_eq!((prepared.width, prepared.height), (1200, 1600));
    let out = image::load_from_memory(&prepared.jpeg).unwrap().to_rgb8();
    let (top, bottom) = (out.get_pixel(600, 20), out.get_pixel(600, 1580));
    assert!(top[0] > 180 && top[1] < 90, "top is red: {top:?}");
    assert!(!(bottom[0] > 180 && bottom[1] < 90), "bottom is not red: {bottom:?}");

    let grey = image::GrayImage::from_fn(3200, 2400, |x, _| image::Luma([(x * 255 / 3200) as u8]));
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(Cursor::new(&mut jpeg), 90)
        .write_image(grey.as_raw(), 3200, 2400, image::ExtendedColorType::L8)
        .unwrap();
    let prepared = photo::prepare(&jpeg).unwrap();
    assert_eq!((prepared.width, prepared.height), (1600, 1200));
    let out = image::load_from_memory(&prepared.jpeg).unwrap().to_rgb8();
    let (left, right) = (out.get_pixel(10, 600), out.get_pixel(1590, 600));
    assert!(left[0] < 20 && right[0] > 235, "the gradient survives: {left:?} … {right:?}");
    assert!(right[0].abs_diff(right[1]) < 6 && right[1].abs_diff(right[2]) < 6, "still grey: {right:?}");
}

/// A few hundred bytes claiming a 65535×65535 progressive photo: a decoder that believed the
/// header would reserve tens of GB and abort the app. It must end in a clear refusal.
#[test]
fn a_header_claiming_a_giant_photo_is_refused_without_allocating_it() {
    let segment = |marker: u8, body: &[u8]| {
        let mut s = vec![0xFF, marker];
        s.extend_from_slice(&u16::try_from(body.len() + 2).unwrap().to_be_bytes());
        s.extend_from_slice(body);
        s
    };
    let mut jpeg = vec![0xFF, 0xD8];
    jpeg.extend(segment(0xDB, &[[0u8].as_slice(), &[1u8; 64]].concat()));
    // SOF2 (progressive): 8 bits, 65535 × 65535, three components sampled 1×1 with table 0.
    jpeg.extend(segment(0xC2, &[8, 0xFF, 0xFF, 0xFF, 0xFF, 3, 1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0]));
    // One DC Huffman table with a single one-bit code, then the first (DC) scan of all three.
    jpeg.extend(segment(0xC4, &[[0x00u8, 1].as_slice(), &[0u8; 15], &[0]].concat()));
    jpeg.extend(segment(0xDA, &[3, 1, 0x00, 2, 0x00, 3, 0x00, 0, 0, 0]));
    jpeg.extend_from_slice(&[0u8; 256]);
    jpeg.extend_from_slice(&[0xFF, 0xD9]);
    let e = photo::prepare(&jpeg).unwrap_err().to_string();
    assert!(e.contains("cannot be read"), "{e}");
}
