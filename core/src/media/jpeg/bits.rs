//! The entropy-coded segment: bits packed most significant first, a zero byte stuffed after
//! every 0xFF (so no marker can appear inside), the last byte padded with ones.

pub struct BitWriter {
    out: Vec<u8>,
    /// Pending bits, the oldest highest; fewer than 8 between calls.
    pending: u64,
    count: u32,
}

impl BitWriter {
    pub fn new(out: Vec<u8>) -> Self {
        BitWriter { out, pending: 0, count: 0 }
    }

    /// Appends a Huffman code: `(bits, length)`.
    #[inline]
    pub fn write(&mut self, (bits, length): (u16, u8)) {
        self.put(u32::from(bits), u32::from(length));
    }

    /// Appends the `size` low bits that follow a symbol: the value itself when positive, its
    /// ones' complement when negative (JPEG's way of signing a magnitude).
    #[inline]
    pub fn write_value(&mut self, v: i16, size: u8) {
        let v = i32::from(v);
        let bits = if v < 0 { v - 1 } else { v };
        self.put((bits as u32) & ((1u32 << size) - 1), u32::from(size));
    }

    #[inline]
    fn put(&mut self, bits: u32, length: u32) {
        self.pending = (self.pending << length) | u64::from(bits);
        self.count += length;
        while self.count >= 8 {
            self.count -= 8;
            let byte = (self.pending >> self.count) as u8;
            self.out.push(byte);
            if byte == 0xFF {
                self.out.push(0);
            }
        }
        self.pending &= (1u64 << self.count) - 1;
    }

    /// Pads the last byte with ones and returns the bytes.
    pub fn finish(mut self) -> Vec<u8> {
        if self.count > 0 {
            let pad = 8 - self.count;
            self.put((1 << pad) - 1, pad);
        }
        self.out
    }
}
