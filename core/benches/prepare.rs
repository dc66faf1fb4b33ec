//! Media preparation against ImageMagick and libvips on the same 12 MP input, in one run, and the bytes a report
//! costs on the wire without its media.
//!
//! `cargo bench -p qala-core --bench prepare`. ImageMagick (`convert`, Debian package imagemagick)
//! runs `convert IN -auto-orient -resize 1600x1600 -quality 80 -strip OUT`; libvips (Debian package
//! libvips-tools) runs `vipsthumbnail IN -s 1600 -o OUT[Q=80,strip]`. Each output's quality is the
//! SSIM of its luma against an uncompressed full-resolution Lanczos3 resize of the input.

use std::io::Cursor;
use std::process::Command;
use std::time::{Duration, Instant};

use chrono::Utc;
use fast_image_resize::images::Image;
use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};
use image::{ImageEncoder, Rgb, RgbImage};
use qala_core::media::photo;
use qala_protocol::*;
use uuid::Uuid;

const RUNS: usize = 7;

/// A detailed 12 MP photo-like image: gradients, fine texture, sensor-like noise.
fn detailed_jpeg() -> Vec<u8> {
    let (w, h) = (4000u32, 3000u32);
    let mut seed: u32 = 0x2545_F491;
    let img = RgbImage::from_fn(w, h, |x, y| {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        let noise = (seed & 0x07) as u8;
        let texture = if ((x / 5) ^ (y / 3)) % 3 == 0 { 40 } else { 0 };
        Rgb([
            ((x * 255 / w) as u8).saturating_add(noise),
            ((y * 255 / h) as u8).saturating_add(texture),
            ((((x + y) / 16) & 0xFF) as u8).saturating_add(noise),
        ])
    });
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(Cursor::new(&mut jpeg), 92)
        .write_image(img.as_raw(), w, h, image::ExtendedColorType::Rgb8)
        .unwrap();
    jpeg
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// Mean SSIM of the luma of `output` against the input decoded at full resolution and resized
/// with Lanczos3 to the output's size, uncompressed: how close a prepared photo stays to the best
/// it could be (1.0 is identical). 8×8 windows, the usual constants. The reference is resized with
/// the same library as qala-core (fast_image_resize), which if anything favours our output.
fn ssim_to_reference(input: &[u8], output: &[u8]) -> f64 {
    let out = image::load_from_memory(output).unwrap().into_rgb8();
    let (w, h) = out.dimensions();
    let full = image::load_from_memory(input).unwrap().into_rgb8();
    let (fw, fh) = full.dimensions();
    let src = Image::from_vec_u8(fw, fh, full.into_raw(), PixelType::U8x3).unwrap();
    let mut reference = Image::new(w, h, PixelType::U8x3);
    let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3));
    Resizer::new().resize(&src, &mut reference, &options).unwrap();
    let luma = |p: &[u8]| 0.299 * f64::from(p[0]) + 0.587 * f64::from(p[1]) + 0.114 * f64::from(p[2]);
    let (a, b) = (reference.buffer(), out.as_raw());
    let (c1, c2) = ((0.01f64 * 255.0).powi(2), (0.03f64 * 255.0).powi(2));
    let (mut total, mut windows) = (0.0, 0u64);
    for wy in (0..h.saturating_sub(7)).step_by(8) {
        for wx in (0..w.saturating_sub(7)).step_by(8) {
            let (mut sa, mut sb, mut saa, mut sbb, mut sab) = (0.0, 0.0, 0.0, 0.0, 0.0);
            for y in wy..wy + 8 {
                for x in wx..wx + 8 {
                    let i = ((y * w + x) * 3) as usize;
                    let (la, lb) = (luma(&a[i..i + 3]), luma(&b[i..i + 3]));
                    sa += la;
                    sb += lb;
                    saa += la * la;
                    sbb += lb * lb;
                    sab += la * lb;
                }
            }
            let n = 64.0;
            let (ma, mb) = (sa / n, sb / n);
            let (va, vb, cov) = (saa / n - ma * ma, sbb / n - mb * mb, sab / n - ma * mb);
            total += ((2.0 * ma * mb + c1) * (2.0 * cov + c2)) / ((ma * ma + mb * mb + c1) * (va + vb + c2));
            windows += 1;
        }
    }
    total / windows as f64
}

fn main() {
    let input = detailed_jpeg();
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("in.jpg");
    let dst = dir.path().join("out.jpg");
    std::fs::write(&src, &input).unwrap();
    println!("input: 4000x3000 JPEG, {} KB", input.len() / 1024);

    // What the app does (its quality, stepping down only above the byte budget), and the peers'
    // nominal q80 with our encoder, like for like.
    let time = |qualities: &[u8]| {
        let mut times = Vec::new();
        let mut output = Vec::new();
        for _ in 0..RUNS {
            let t = Instant::now();
            output = photo::prepare_at(&input, qualities).unwrap().jpeg;
            times.push(t.elapsed());
        }
        (median(times), output)
    };
    let (ours, ours_output) = time(&[photo::QUALITY, 70, 60]);
    let ours_ssim = ssim_to_reference(&input, &ours_output);
    println!(
        "qala-core prepare   median {:>7.1} ms  output {:>4} KB  SSIM {ours_ssim:.4}  (q{}, byte budget {} KB)",
        ours.as_secs_f64() * 1e3,
        ours_output.len() / 1024,
        photo::QUALITY,
        photo::BYTE_BUDGET / 1024
    );
    let (at80, at80_output) = time(&[80]);
    println!(
        "qala-core q80       median {:>7.1} ms  output {:>4} KB  SSIM {:.4}",
        at80.as_secs_f64() * 1e3,
        at80_output.len() / 1024,
        ssim_to_reference(&input, &at80_output)
    );
    println!("(SSIM of the luma against an uncompressed full-resolution Lanczos3 resize; 1 is identical)");

    // The peers, on the same input, each a separate program as a phone's gallery app would be.
    let peers: [(&str, &str, Vec<String>); 2] = [
        (
            "ImageMagick convert",
            "convert",
            vec![
                src.display().to_string(),
                "-auto-orient".into(),
                "-resize".into(),
                "1600x1600".into(),
                "-quality".into(),
                "80".into(),
                "-strip".into(),
                dst.display().to_string(),
            ],
        ),
        (
            "vipsthumbnail",
            "vipsthumbnail",
            vec![
                src.display().to_string(),
                "-s".into(),
                "1600".into(),
                "-o".into(),
                format!("{}[Q=80,strip]", dst.display()),
            ],
        ),
    ];
    for (name, program, args) in peers {
        let mut theirs = Vec::new();
        for _ in 0..RUNS {
            let t = Instant::now();
            match Command::new(program).args(&args).status() {
                Ok(s) if s.success() => theirs.push(t.elapsed()),
                _ => break,
            }
        }
        if theirs.is_empty() {
            println!("{name} is not installed (apt-get install imagemagick libvips-tools): no comparison");
            continue;
        }
        let output = std::fs::read(&dst).unwrap();
        let theirs = median(theirs);
        let their_ssim = ssim_to_reference(&input, &output);
        println!(
            "{name:<19} median {:>7.1} ms  output {:>4} KB  SSIM {their_ssim:.4}",
            theirs.as_secs_f64() * 1e3,
            output.len() / 1024,
        );
        println!(
            "  the app's photo against {name}: {:.2}x faster, {:.2}x the bytes, SSIM {:+.4}",
            theirs.as_secs_f64() / ours.as_secs_f64(),
            ours_output.len() as f64 / output.len() as f64,
            ours_ssim - their_ssim
        );
    }

    // A typical report without media, as pushed: alone, and as one of a batch of 100.
    let report = || NewReport {
        id: Uuid::now_v7(),
        category: "road_repair".into(),
        description: "Глубокая яма на проезжей части у остановки, машины объезжают по встречной".into(),
        location: Location {
            lat: 43.238949,
            lon: 76.889709,
            accuracy_m: Some(8.5),
            source: LocationSource::Gps,
            fixed_at: Utc::now(),
        },
        address: Some("пр. Абая, 10".into()),
        media: vec![DeclaredMedia { id: Uuid::now_v7(), kind: MediaKind::Photo }],
        created_at: Utc::now(),
    };
    let one =
        serde_json::to_vec(&PushRequest { ops: vec![Op { id: Uuid::now_v7(), op: OpBody::CreateReport(report()) }] })
            .unwrap();
    let hundred = serde_json::to_vec(&PushRequest {
        ops: (0..100).map(|_| Op { id: Uuid::now_v7(), op: OpBody::CreateReport(report()) }).collect(),
    })
    .unwrap();
    println!("push body per report: {} B alone, {} B in a batch of 100", one.len(), hundred.len() / 100);
}
