//! A baseline JPEG encoder for prepared photos: 4:2:0 chroma averaged over each 2×2 block,
//! libjpeg's quantisation tables, and Huffman tables computed for each photo.
//!
//! Why our own: the encoder we used before (jpeg-encoder 0.6) point-sampled chroma (one pixel of
//! four, so colour edges alias into noise that costs bits), and offered per-photo Huffman tables
//! only as one scan per component, a legal layout that zune-jpeg (the `image` crate's decoder)
//! misdecodes. Per-photo tables in one interleaved scan are what `cjpeg -optimize` writes: every
//! decoder reads them, and they save about a tenth of the bytes, which buys a higher quality for
//! fewer bytes than a gallery app's q80 (the prepare bench compares).
//!
//! Memory: the three planes (1.5 bytes a pixel) and every quantised block (3 bytes a pixel) are
//! held at once, as the tables are made from the whole photo before the first bit is written:
//! about 11 MB for a 1600 × 1600 photo.

mod bits;
mod dct;
mod huffman;
mod planes;

use bits::BitWriter;
use huffman::{Frequencies, HuffmanTable, Symbol};
use planes::Planes;

/// Positions of the 64 coefficients in the order a JPEG stores them (zigzag).
const ZIGZAG: [usize; 64] = [
    0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21,
    28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54,
    47, 55, 62, 63,
];

/// The example tables of the JPEG standard (Annex K), in natural order: at quality 50 they are
/// used as they are; libjpeg scales them for other qualities, and so do we, so "q80" means what
/// it means to every other program.
const LUMA_BASE: [u16; 64] = [
    16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51,
    87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101,
    72, 92, 95, 98, 112, 100, 103, 99,
];
const CHROMA_BASE: [u16; 64] = [
    17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99, 24, 26, 56, 99, 99, 99, 99, 99, 47, 66, 99, 99, 99,
    99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99,
    99, 99, 99, 99, 99, 99,
];

/// A base table scaled for `quality` (1–100) as libjpeg does, each step kept within 1–255 so the
/// file stays baseline.
fn scaled_table(base: &[u16; 64], quality: u8) -> [u16; 64] {
    let q = u32::from(quality.clamp(1, 100));
    let scale = if q < 50 { 5000 / q } else { 200 - 2 * q };
    base.map(|b| ((u32::from(b) * scale + 50) / 100).clamp(1, 255) as u16)
}

/// The component of each block of a 16×16 pixel MCU, in the order they are written: four luma
/// blocks (left to right, top to bottom), then Cb, then Cr.
const MCU: [usize; 6] = [0, 0, 0, 0, 1, 2];

/// Quantised blocks of one photo in the order they are written ([`MCU`] after [`MCU`]).
/// Coefficients are in zigzag order.
struct Coded {
    blocks: Vec<[i16; 64]>,
    luma: Frequencies,
    chroma: Frequencies,
}

/// Encodes `rgb` (3 bytes a pixel, rows top to bottom) as a baseline JPEG at `quality` (libjpeg's
/// scale; 0 is taken as 1, above 100 as 100). `None` when the size is empty, does not fit a JPEG
/// (65,535 px a side) or does not match the pixels.
pub fn encode_rgb(rgb: &[u8], width: u32, height: u32, quality: u8) -> Option<Vec<u8>> {
    let (w16, h16) = (u16::try_from(width).ok()?, u16::try_from(height).ok()?);
    let pixels = usize::from(w16).checked_mul(usize::from(h16))?;
    if pixels == 0 || rgb.len() != pixels.checked_mul(3)? {
        return None;
    }
    // Every block must be addressable too (a concern only on 32 bits, for a huge photo).
    let mcus = usize::from(w16).div_ceil(16).checked_mul(usize::from(h16).div_ceil(16))?;
    mcus.checked_mul(MCU.len() * std::mem::size_of::<[i16; 64]>())?;
    let tables = [scaled_table(&LUMA_BASE, quality), scaled_table(&CHROMA_BASE, quality)];
    let planes = Planes::from_rgb(rgb, usize::from(w16), usize::from(h16));
    let coded = quantise(&planes, &tables);
    let luma = [HuffmanTable::optimal(&coded.luma.dc), HuffmanTable::optimal(&coded.luma.ac)];
    let chroma = [HuffmanTable::optimal(&coded.chroma.dc), HuffmanTable::optimal(&coded.chroma.ac)];

    let mut out = Vec::with_capacity(coded.blocks.len() * 16 + 1024);
    write_headers(&mut out, w16, h16, &tables, &luma, &chroma);
    let mut bits = BitWriter::new(out);
    let mut previous_dc = [0i16; 3];
    for (block, &component) in coded.blocks.iter().zip(MCU.iter().cycle()) {
        let [dc, ac] = if component == 0 { &luma } else { &chroma };
        huffman::for_each_symbol(block, previous_dc[component], |symbol| match symbol {
            Symbol::Dc { size, diff } => {
                bits.write(dc.code(size));
                bits.write_value(diff, size);
            }
            Symbol::Ac { symbol, size, value } => {
                bits.write(ac.code(symbol));
                bits.write_value(value, size);
            }
        });
        previous_dc[component] = block[0];
    }
    let mut out = bits.finish();
    out.extend_from_slice(&[0xFF, 0xD9]);
    Some(out)
}

/// Transforms and quantises every block, counting the symbols each table will have to code.
fn quantise(planes: &Planes, tables: &[[u16; 64]; 2]) -> Coded {
    let divisors = tables.map(|t| dct::divisors(&t));
    let (mcu_cols, mcu_rows) = (planes.luma.width / 16, planes.luma.height / 16);
    let mut coded = Coded {
        blocks: Vec::with_capacity(mcu_cols * mcu_rows * 6),
        luma: Frequencies::default(),
        chroma: Frequencies::default(),
    };
    let mut previous_dc = [0i16; 3];
    for my in 0..mcu_rows {
        for mx in 0..mcu_cols {
            let luma = |i: usize| (&planes.luma, 2 * mx + i % 2, 2 * my + i / 2);
            let sources = [luma(0), luma(1), luma(2), luma(3), (&planes.cb, mx, my), (&planes.cr, mx, my)];
            for ((plane, bx, by), component) in sources.into_iter().zip(MCU) {
                let table = usize::from(component > 0);
                let block = dct::quantised_block(&plane.block(bx, by), &divisors[table]);
                let zigzag = ZIGZAG.map(|natural| block[natural]);
                let counts = if table == 0 { &mut coded.luma } else { &mut coded.chroma };
                counts.count_block(&zigzag, previous_dc[component]);
                previous_dc[component] = zigzag[0];
                coded.blocks.push(zigzag);
            }
        }
    }
    coded
}

fn segment(out: &mut Vec<u8>, marker: u8, body: &[u8]) {
    out.extend_from_slice(&[0xFF, marker]);
    // Every segment here is far below 64 KiB: two tables of 65 bytes, four Huffman tables of at
    // most 17 + 256 bytes each.
    out.extend_from_slice(&((body.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(body);
}

fn write_headers(
    out: &mut Vec<u8>,
    width: u16,
    height: u16,
    tables: &[[u16; 64]; 2],
    luma: &[HuffmanTable; 2],
    chroma: &[HuffmanTable; 2],
) {
    out.extend_from_slice(&[0xFF, 0xD8]);
    // JFIF 1.01, pixel aspect ratio 1:1, no thumbnail: the colour space is then YCbCr by
    // definition.
    segment(out, 0xE0, b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0");
    let mut dqt = Vec::with_capacity(130);
    for (id, table) in tables.iter().enumerate() {
        dqt.push(id as u8);
        dqt.extend(ZIGZAG.iter().map(|&natural| table[natural] as u8));
    }
    segment(out, 0xDB, &dqt);
    let [w, h] = [width.to_be_bytes(), height.to_be_bytes()];
    segment(out, 0xC0, &[8, h[0], h[1], w[0], w[1], 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
    let mut dht = Vec::new();
    for (class_id, table) in [(0x00, &luma[0]), (0x10, &luma[1]), (0x01, &chroma[0]), (0x11, &chroma[1])] {
        dht.push(class_id);
        table.write_definition(&mut dht);
    }
    segment(out, 0xC4, &dht);
    segment(out, 0xDA, &[3, 1, 0x00, 2, 0x11, 3, 0x11, 0, 63, 0]);
}

#[cfg(test)]
mod tests;
