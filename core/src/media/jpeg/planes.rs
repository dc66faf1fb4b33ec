//! RGB to the three planes a 4:2:0 JPEG codes: full-resolution luma, and chroma averaged over
//! each 2×2 block of pixels (what libjpeg does; taking one pixel of four aliases colour edges into
//! noise that costs bits and looks like fringes). Planes are padded to whole 16×16 MCUs by
//! repeating the last row and column, so padding adds no edges to code.

/// One plane of 8-bit samples.
pub struct Plane {
    pub width: usize,
    pub height: usize,
    data: Vec<u8>,
}

impl Plane {
    /// The 8×8 block at block column `bx`, block row `by`, centred on zero as the DCT wants.
    pub fn block(&self, bx: usize, by: usize) -> [f32; 64] {
        let mut block = [0f32; 64];
        for (y, row) in block.chunks_exact_mut(8).enumerate() {
            let start = (by * 8 + y) * self.width + bx * 8;
            for (out, &sample) in row.iter_mut().zip(&self.data[start..start + 8]) {
                *out = f32::from(sample) - 128.0;
            }
        }
        block
    }
}

pub struct Planes {
    pub luma: Plane,
    pub cb: Plane,
    pub cr: Plane,
}

/// JFIF's BT.601 full-range coefficients in 16-bit fixed point. Luma's sum to 65,536, so it stays
/// within 0–255; chroma's sum to zero, but saturated blue or red rounds to 256, hence its clamp.
const Y: [i32; 3] = [19_595, 38_470, 7_471];
const CB: [i32; 3] = [-11_059, -21_709, 32_768];
const CR: [i32; 3] = [32_768, -27_439, -5_329];

impl Planes {
    /// `rgb` holds `width × height` pixels (checked by the caller).
    pub fn from_rgb(rgb: &[u8], width: usize, height: usize) -> Planes {
        let (padded_w, padded_h) = (width.div_ceil(16) * 16, height.div_ceil(16) * 16);
        let pixel = |x: usize, y: usize| {
            let i = (y.min(height - 1) * width + x.min(width - 1)) * 3;
            [i32::from(rgb[i]), i32::from(rgb[i + 1]), i32::from(rgb[i + 2])]
        };
        let dot = |k: &[i32; 3], p: [i32; 3]| k[0] * p[0] + k[1] * p[1] + k[2] * p[2];

        let mut luma = Vec::with_capacity(padded_w * padded_h);
        for y in 0..padded_h {
            let row = &rgb[y.min(height - 1) * width * 3..][..width * 3];
            luma.extend(
                row.chunks_exact(3)
                    .map(|p| ((dot(&Y, [i32::from(p[0]), i32::from(p[1]), i32::from(p[2])]) + 32_768) >> 16) as u8),
            );
            let last = luma[luma.len() - 1];
            luma.resize(luma.len() + padded_w - width, last);
        }

        let (chroma_w, chroma_h) = (padded_w / 2, padded_h / 2);
        let mut cb = Vec::with_capacity(chroma_w * chroma_h);
        let mut cr = Vec::with_capacity(chroma_w * chroma_h);
        for cy in 0..chroma_h {
            for cx in 0..chroma_w {
                let (x, y) = (cx * 2, cy * 2);
                let quad = [pixel(x, y), pixel(x + 1, y), pixel(x, y + 1), pixel(x + 1, y + 1)];
                let sum = [0, 1, 2].map(|c| quad.iter().map(|p| p[c]).sum::<i32>());
                // The sum of four pixels is four times their mean: shift two more bits, and round.
                let chroma = |k: &[i32; 3]| (((dot(k, sum) + (1 << 17)) >> 18) + 128).clamp(0, 255) as u8;
                cb.push(chroma(&CB));
                cr.push(chroma(&CR));
            }
        }
        Planes {
            luma: Plane { width: padded_w, height: padded_h, data: luma },
            cb: Plane { width: chroma_w, height: chroma_h, data: cb },
            cr: Plane { width: chroma_w, height: chroma_h, data: cr },
        }
    }
}
