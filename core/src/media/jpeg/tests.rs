use super::huffman::HuffmanTable;
use super::*;

/// A photo-like test image: gradients, a texture and a little noise, of any size.
fn picture(width: u32, height: u32) -> Vec<u8> {
    let mut seed = 0x9E37_79B9u32;
    let mut rgb = Vec::with_capacity((width * height * 3) as usize);
    for y in 0..height {
        for x in 0..width {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            let noise = (seed & 7) as u8;
            let texture = if ((x / 3) ^ (y / 2)) % 3 == 0 { 30 } else { 0 };
            rgb.push(((x * 255 / width.max(1)) as u8).saturating_add(noise));
            rgb.push(((y * 200 / height.max(1)) as u8).saturating_add(texture));
            rgb.push((((x + y) * 4) & 0xFF) as u8);
        }
    }
    rgb
}

/// The luma of each RGB pixel (what 4:2:0 keeps at full resolution).
fn luma(rgb: &[u8]) -> Vec<u8> {
    rgb.chunks_exact(3)
        .map(|p| (0.299 * f64::from(p[0]) + 0.587 * f64::from(p[1]) + 0.114 * f64::from(p[2])).round() as u8)
        .collect()
}

fn psnr(a: &[u8], b: &[u8]) -> f64 {
    let mse = a.iter().zip(b).map(|(&x, &y)| (f64::from(x) - f64::from(y)).powi(2)).sum::<f64>() / a.len() as f64;
    10.0 * (255.0f64 * 255.0 / mse.max(1e-9)).log10()
}

/// The file read back by both decoders the app and its tools meet in Rust (jpeg-decoder, and
/// zune-jpeg through `image`), which must agree on its size and pixels.
fn decode_both(jpeg: &[u8]) -> (u32, u32, Vec<u8>) {
    let mut decoder = jpeg_decoder::Decoder::new(jpeg);
    let pixels = decoder.decode().expect("jpeg-decoder reads it");
    let info = decoder.info().unwrap();
    let other =
        image::load_from_memory_with_format(jpeg, image::ImageFormat::Jpeg).expect("image reads it").into_rgb8();
    assert_eq!(other.dimensions(), (u32::from(info.width), u32::from(info.height)));
    assert!(psnr(&pixels, other.as_raw()) > 40.0, "the two decoders disagree");
    (u32::from(info.width), u32::from(info.height), pixels)
}

#[test]
fn photos_of_any_size_read_back_close_to_the_original() {
    for (w, h) in [(1, 1), (16, 16), (17, 1), (37, 23), (161, 97), (320, 240)] {
        let rgb = picture(w, h);
        let jpeg = encode_rgb(&rgb, w, h, 90).unwrap();
        let (dw, dh, pixels) = decode_both(&jpeg);
        assert_eq!((dw, dh), (w, h));
        let quality = psnr(&luma(&rgb), &luma(&pixels));
        eprintln!("{w}x{h}: {quality:.1} dB {} B", jpeg.len());
        assert!(quality > 36.0, "{w}x{h}: luma PSNR {quality:.1} dB");
    }
}

#[test]
fn quality_runs_from_the_smallest_file_to_the_most_faithful() {
    let (w, h) = (160, 120);
    let rgb = picture(w, h);
    let mut previous: Option<(usize, f64)> = None;
    for q in [1, 30, 60, 80, 95, 100] {
        let jpeg = encode_rgb(&rgb, w, h, q).unwrap();
        let fidelity = psnr(&rgb, &decode_both(&jpeg).2);
        if let Some((bytes, p)) = previous {
            assert!(jpeg.len() > bytes, "q{q}: {} bytes, not more than {bytes}", jpeg.len());
            assert!(fidelity > p, "q{q}: {fidelity:.1} dB, not more than {p:.1}");
        }
        previous = Some((jpeg.len(), fidelity));
    }
}

#[test]
fn colour_is_averaged_over_each_two_by_two_block() {
    // One-pixel red and green stripes, across and then down: a decoder upsampling the chroma must
    // see their mean, a yellowish brown, not the colour of whichever pixel was sampled.
    let (w, h) = (64u32, 64u32);
    for across in [true, false] {
        let rgb: Vec<u8> = (0..w * h)
            .flat_map(|i| {
                let line = if across { i % w } else { i / w };
                if line % 2 == 0 { [200u8, 0, 0] } else { [0, 200, 0] }
            })
            .collect();
        let (_, _, pixels) = decode_both(&encode_rgb(&rgb, w, h, 95).unwrap());
        let mean = |c: usize| pixels.chunks_exact(3).map(|p| f64::from(p[c])).sum::<f64>() / f64::from(w * h);
        let (r, g) = (mean(0), mean(1));
        assert!((r - g).abs() < 25.0, "stripes across: {across}: red {r:.0} and green {g:.0} should come out alike");
    }
}

#[test]
fn smooth_colours_survive_at_sizes_that_are_not_whole_blocks() {
    // Smooth chroma loses little to 4:2:0, so a wrong chroma stride, a shifted block or padding
    // that is not the edge repeated shows in every channel, above all at the right and bottom edges.
    for (w, h) in [(1u32, 1u32), (17, 9), (37, 23), (161, 97)] {
        let rgb: Vec<u8> = (0..h)
            .flat_map(|y| (0..w).flat_map(move |x| [(40 + x * 150 / w) as u8, (200 - y * 150 / h) as u8, 90]))
            .collect();
        let (_, _, pixels) = decode_both(&encode_rgb(&rgb, w, h, 90).unwrap());
        let worst = rgb.iter().zip(&pixels).map(|(&a, &b)| a.abs_diff(b)).max().unwrap();
        assert!(worst <= 12, "{w}x{h}: a sample is off by {worst}");
        assert!(psnr(&rgb, &pixels) > 38.0, "{w}x{h}: PSNR {:.1} dB", psnr(&rgb, &pixels));
        // A flat colour is flat in every block when the padding repeats the edge, so even a
        // coarse quality gives it back; padding of any other value would ring into the picture.
        let flat: Vec<u8> = (0..w * h).flat_map(|_| [180u8, 120, 60]).collect();
        let (_, _, pixels) = decode_both(&encode_rgb(&flat, w, h, 20).unwrap());
        let worst = flat.iter().zip(&pixels).map(|(&a, &b)| a.abs_diff(b)).max().unwrap();
        assert!(worst <= 8, "{w}x{h} flat: a sample is off by {worst}");
    }
}

#[test]
fn nonsense_sizes_are_refused() {
    assert!(encode_rgb(&[], 0, 0, 80).is_none());
    assert!(encode_rgb(&[0; 3], 1, 0, 80).is_none());
    assert!(encode_rgb(&[0; 5], 1, 2, 80).is_none(), "fewer bytes than pixels");
    assert!(encode_rgb(&[0; 3 * 70_000], 70_000, 1, 80).is_none(), "wider than a JPEG can be");
}

/// Walks a table's codes: lengths within 16, no code a prefix of another, the all-ones code of
/// the longest length unused, and more frequent symbols never on longer codes.
fn check_table(frequencies: &[u32; 256]) {
    let table = HuffmanTable::optimal(frequencies);
    let used: Vec<(u8, u16, u8)> = (0..=255u8)
        .filter(|&s| frequencies[usize::from(s)] > 0)
        .map(|s| {
            let (code, length) = table.code(s);
            (s, code, length)
        })
        .collect();
    for &(s, code, length) in &used {
        assert!((1..=16).contains(&length), "symbol {s}: length {length}");
        assert_ne!(u32::from(code), (1u32 << length) - 1, "symbol {s} has the all-ones code");
        for &(t, other, other_length) in &used {
            if s != t && other_length >= length {
                assert_ne!(other >> (other_length - length), code, "{s}'s code is a prefix of {t}'s");
            }
            if frequencies[usize::from(s)] > frequencies[usize::from(t)] {
                assert!(length <= other_length, "{s} is more frequent than {t} but longer");
            }
        }
    }
    let kraft: f64 = used.iter().map(|&(_, _, l)| 0.5f64.powi(i32::from(l))).sum();
    let longest = used.iter().map(|&(_, _, l)| l).max().unwrap();
    assert_eq!(kraft, 1.0 - 0.5f64.powi(i32::from(longest)), "exactly the all-ones code is left over");
    // What a decoder rebuilds from the DHT segment (Annex C) is the code the encoder writes.
    let mut definition = Vec::new();
    table.write_definition(&mut definition);
    let (counts, symbols) = definition.split_at(16);
    let (mut code, mut next) = (0u16, symbols.iter());
    for (length, &count) in (1u8..).zip(counts) {
        for _ in 0..count {
            let &symbol = next.next().expect("as many symbols as counted");
            assert_eq!(table.code(symbol), (code, length), "symbol {symbol}");
            code += 1;
        }
        code <<= 1;
    }
    assert!(next.next().is_none());
}

#[test]
fn huffman_tables_stay_within_sixteen_bits_and_never_use_all_ones() {
    // Fibonacci frequencies make a plain Huffman code as deep as it can be: limiting is needed.
    let mut fibonacci = [0u32; 256];
    let (mut a, mut b) = (1u32, 1u32);
    for f in fibonacci.iter_mut().take(40) {
        *f = a;
        (a, b) = (b, a.saturating_add(b));
    }
    check_table(&fibonacci);
    let mut one = [0u32; 256];
    one[0] = 5;
    check_table(&one);
    let mut flat = [1u32; 256];
    flat[7] = 1000;
    check_table(&flat);
}
