//! Media preparation against ImageMagick on the same 12 MP input, in one run, and the bytes a report
//! costs on the wire without its media.
//!
//! `cargo bench -p qala-core --bench prepare`. ImageMagick (`convert`, Debian package imagemagick)
//! runs `convert IN -auto-orient -resize 1600x1600 -quality 80 -strip OUT`.

use std::io::Cursor;
use std::process::Command;
use std::time::{Duration, Instant};

use chrono::Utc;
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

fn main() {
    let input = detailed_jpeg();
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("in.jpg");
    let dst = dir.path().join("out.jpg");
    std::fs::write(&src, &input).unwrap();
    println!("input: 4000x3000 JPEG, {} KB", input.len() / 1024);

    let mut ours = Vec::new();
    let mut out_bytes = 0;
    for _ in 0..RUNS {
        let t = Instant::now();
        let p = photo::prepare(&input).unwrap();
        ours.push(t.elapsed());
        out_bytes = p.jpeg.len();
    }
    let ours = median(ours);
    println!("qala-core prepare   median {:>7.1} ms  output {:>4} KB", ours.as_secs_f64() * 1e3, out_bytes / 1024);

    let convert = if std::path::Path::new("/usr/bin/convert").exists() { "/usr/bin/convert" } else { "convert" };
    let mut theirs = Vec::new();
    let mut their_bytes = 0;
    for _ in 0..RUNS {
        let t = Instant::now();
        let status = Command::new(convert)
            .arg(&src)
            .args(["-auto-orient", "-resize", "1600x1600", "-quality", "80", "-strip"])
            .arg(&dst)
            .status();
        match status {
            Ok(s) if s.success() => theirs.push(t.elapsed()),
            _ => {
                println!("ImageMagick is not installed (apt-get install imagemagick): no comparison");
                break;
            }
        }
        their_bytes = std::fs::metadata(&dst).map(|m| m.len() as usize).unwrap_or(0);
    }
    if !theirs.is_empty() {
        let theirs = median(theirs);
        println!(
            "ImageMagick convert median {:>7.1} ms  output {:>4} KB",
            theirs.as_secs_f64() * 1e3,
            their_bytes / 1024
        );
        println!(
            "ratio: {:.2}x faster, {:.2}x the bytes",
            theirs.as_secs_f64() / ours.as_secs_f64(),
            out_bytes as f64 / their_bytes as f64
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
