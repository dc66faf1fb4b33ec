//! The forward DCT of an 8×8 block and its quantisation.
//!
//! The transform is the Arai–Agui–Nakajima factorisation in floating point: 5 multiplications
//! per row instead of 64, because its outputs come out scaled by known constants, and those are
//! folded into the quantisation divisors, so the scaling costs nothing.

use std::f32::consts::FRAC_1_SQRT_2;

/// `cos(k·π/16)·√2` for k = 1…7 (1 for k = 0): the scale of AAN's k-th output in one dimension.
fn aan_scale(k: usize) -> f32 {
    if k == 0 { 1.0 } else { (k as f32 * std::f32::consts::PI / 16.0).cos() * std::f32::consts::SQRT_2 }
}

/// What each AAN output is divided by to give the quantised coefficient: the table's step times
/// the transform's scale (and the 8 of the DCT's normalisation). Stored inverted: a multiply per
/// coefficient instead of a division.
pub fn divisors(table: &[u16; 64]) -> [f32; 64] {
    std::array::from_fn(|i| 1.0 / (f32::from(table[i]) * aan_scale(i / 8) * aan_scale(i % 8) * 8.0))
}

/// One-dimensional AAN DCT over 8 values `stride` apart in `d`, in place.
#[inline(always)]
fn transform(d: &mut [f32; 64], start: usize, stride: usize) {
    let at = |k: usize| start + k * stride;
    let (s07, d07) = (d[at(0)] + d[at(7)], d[at(0)] - d[at(7)]);
    let (s16, d16) = (d[at(1)] + d[at(6)], d[at(1)] - d[at(6)]);
    let (s25, d25) = (d[at(2)] + d[at(5)], d[at(2)] - d[at(5)]);
    let (s34, d34) = (d[at(3)] + d[at(4)], d[at(3)] - d[at(4)]);

    // Even half: the sums.
    let (a0, a3) = (s07 + s34, s07 - s34);
    let (a1, a2) = (s16 + s25, s16 - s25);
    d[at(0)] = a0 + a1;
    d[at(4)] = a0 - a1;
    let rotated = (a2 + a3) * FRAC_1_SQRT_2;
    d[at(2)] = a3 + rotated;
    d[at(6)] = a3 - rotated;

    // Odd half: the differences, through one shared rotation.
    let (b0, b1, b2) = (d34 + d25, d25 + d16, d16 + d07);
    let shared = (b0 - b2) * 0.382_683_43;
    let r0 = 0.541_196_1 * b0 + shared;
    let r2 = 1.306_563 * b2 + shared;
    let r1 = b1 * FRAC_1_SQRT_2;
    let (p, m) = (d07 + r1, d07 - r1);
    d[at(5)] = m + r0;
    d[at(3)] = m - r0;
    d[at(1)] = p + r2;
    d[at(7)] = p - r2;
}

/// The block's quantised coefficients in natural (row-major) order, rounded to nearest and kept
/// within ±1023 so every DC difference fits the 11 bits baseline allows. Only the DC of a black
/// block at q96–100 (−1024) is ever clamped, by an eighth of a grey level; AC values reach at
/// most 1,020, within their 10 bits.
pub fn quantised_block(samples: &[f32; 64], divisors: &[f32; 64]) -> [i16; 64] {
    let mut d = *samples;
    for row in 0..8 {
        transform(&mut d, row * 8, 1);
    }
    for column in 0..8 {
        transform(&mut d, column, 8);
    }
    std::array::from_fn(|i| (d[i] * divisors[i]).round().clamp(-1023.0, 1023.0) as i16)
}
