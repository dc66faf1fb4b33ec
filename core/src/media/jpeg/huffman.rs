//! Huffman tables made for one photo's symbols (JPEG Annex K.2): two passes over the quantised
//! blocks, one to count, one to write.

/// How often each symbol occurs, for the DC and AC tables of one kind of component.
pub struct Frequencies {
    pub dc: [u32; 256],
    pub ac: [u32; 256],
}

impl Default for Frequencies {
    fn default() -> Self {
        Frequencies { dc: [0; 256], ac: [0; 256] }
    }
}

/// Bits needed for `|v|`: the JPEG "category" of a coefficient or a DC difference.
#[inline]
pub fn category(v: i16) -> u8 {
    (16 - v.unsigned_abs().leading_zeros()) as u8
}

/// One coded unit of a block: a symbol of the DC or the AC table, and the `size` bits of `value`
/// that follow it (none for the end-of-block and sixteen-zeros symbols).
pub enum Symbol {
    Dc { size: u8, diff: i16 },
    Ac { symbol: u8, size: u8, value: i16 },
}

/// Every symbol of one block (zigzag order) in the order a JPEG stores them: the DC difference
/// from the previous block of the same component, then runs of zeros and values. The counting
/// pass and the writing pass both walk blocks with this, so they cannot disagree.
#[inline(always)]
pub fn for_each_symbol(block: &[i16; 64], previous_dc: i16, mut emit: impl FnMut(Symbol)) {
    let diff = block[0] - previous_dc;
    emit(Symbol::Dc { size: category(diff), diff });
    let mut run = 0u8;
    for &value in &block[1..] {
        if value == 0 {
            run += 1;
            continue;
        }
        while run > 15 {
            emit(Symbol::Ac { symbol: 0xF0, size: 0, value: 0 });
            run -= 16;
        }
        let size = category(value);
        emit(Symbol::Ac { symbol: (run << 4) | size, size, value });
        run = 0;
    }
    if run > 0 {
        emit(Symbol::Ac { symbol: 0x00, size: 0, value: 0 });
    }
}

impl Frequencies {
    /// Counts the symbols of one block.
    pub fn count_block(&mut self, block: &[i16; 64], previous_dc: i16) {
        for_each_symbol(block, previous_dc, |symbol| match symbol {
            Symbol::Dc { size, .. } => self.dc[usize::from(size)] += 1,
            Symbol::Ac { symbol, .. } => self.ac[usize::from(symbol)] += 1,
        });
    }
}

/// Longest code JPEG allows.
const MAX_LENGTH: usize = 16;

pub struct HuffmanTable {
    /// Number of codes of each length 1–16 (BITS).
    counts: [u8; MAX_LENGTH],
    /// Symbols in code order (HUFFVAL).
    symbols: Vec<u8>,
    /// Code and length of each symbol; length 0 for a symbol that never occurs.
    codes: [(u16, u8); 256],
}

impl HuffmanTable {
    /// Huffman's code for `frequencies`, limited to 16 bits as Annex K.3 does (close to the
    /// fewest bits, not always exactly), and never the all-ones code (which a decoder could confuse with padding): a reserved symbol
    /// of the lowest frequency takes it and is then left out, as Annex K.2 does.
    pub fn optimal(frequencies: &[u32; 256]) -> HuffmanTable {
        // The symbols that occur, most frequent first; the reserved one (256) last of all.
        let mut order: Vec<(u32, u16)> = (0..256u16)
            .filter(|&s| frequencies[usize::from(s)] > 0)
            .map(|s| (frequencies[usize::from(s)], s))
            .collect();
        order.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        order.push((1, 256));

        let lengths = limited_length_counts(&order.iter().map(|&(f, _)| u64::from(f)).collect::<Vec<_>>());
        // Shortest codes to the most frequent symbols; the reserved symbol gets the very last code.
        let mut counts = [0u8; MAX_LENGTH];
        let mut symbols = Vec::with_capacity(order.len());
        let mut code_lengths = Vec::with_capacity(order.len());
        let mut next = order.iter();
        for (length, &count) in lengths.iter().enumerate().skip(1) {
            for _ in 0..count {
                let &(_, symbol) = next.next().expect("as many lengths as symbols");
                if let Ok(symbol) = u8::try_from(symbol) {
                    counts[length - 1] += 1;
                    symbols.push(symbol);
                    code_lengths.push(length as u8);
                }
            }
        }
        // Canonical codes (Annex C): consecutive within a length, doubling to the next length.
        let mut codes = [(0u16, 0u8); 256];
        let mut code = 0u32;
        let mut length = 1u8;
        for (&symbol, &l) in symbols.iter().zip(&code_lengths) {
            while length < l {
                code <<= 1;
                length += 1;
            }
            codes[usize::from(symbol)] = (code as u16, l);
            code += 1;
        }
        HuffmanTable { counts, symbols, codes }
    }

    /// The code and length of `symbol`.
    #[inline]
    pub fn code(&self, symbol: u8) -> (u16, u8) {
        let c = self.codes[usize::from(symbol)];
        // A symbol the counting pass did not see would be written as nothing: a corrupt file.
        assert!(c.1 > 0, "symbol {symbol:#x} was not counted");
        c
    }

    /// The table as a DHT segment carries it, after the class and id byte.
    pub fn write_definition(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.counts);
        out.extend_from_slice(&self.symbols);
    }
}

/// How many codes of each length (index 1–16) an optimal prefix code for `frequencies` has once no
/// code is longer than 16 bits. Huffman's merging gives the lengths; the limit then moves pairs of
/// the longest codes up, as Annex K.3 does, which keeps the code complete.
fn limited_length_counts(frequencies: &[u64]) -> [u32; MAX_LENGTH + 1] {
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;

    let n = frequencies.len();
    // Nodes 0..n are the symbols; merged nodes follow. parent[i] is the node i was merged into.
    let mut parent = vec![usize::MAX; 2 * n];
    let mut heap: BinaryHeap<Reverse<(u64, usize)>> =
        frequencies.iter().enumerate().map(|(i, &f)| Reverse((f, i))).collect();
    let mut next = n;
    while heap.len() > 1 {
        let Reverse((fa, a)) = heap.pop().expect("two nodes");
        let Reverse((fb, b)) = heap.pop().expect("two nodes");
        parent[a] = next;
        parent[b] = next;
        heap.push(Reverse((fa + fb, next)));
        next += 1;
    }
    // Depths top-down: a merged node's parent always has a larger index.
    let mut depth = vec![0usize; next];
    for node in (0..next.saturating_sub(1)).rev() {
        depth[node] = depth[parent[node]] + 1;
    }
    let mut counts = vec![0u32; n.max(MAX_LENGTH) + 2];
    for &d in &depth[..n] {
        counts[d.max(1)] += 1;
    }
    let mut longest = counts.len() - 1;
    while longest > MAX_LENGTH {
        while counts[longest] > 0 {
            // Two codes of the longest length become one a bit shorter, and a shorter code splits
            // into two to take the other: the code stays complete, and its average length grows
            // a little.
            let mut shorter = longest - 2;
            while counts[shorter] == 0 {
                shorter -= 1;
            }
            counts[longest] -= 2;
            counts[longest - 1] += 1;
            counts[shorter + 1] += 2;
            counts[shorter] -= 1;
        }
        longest -= 1;
    }
    let mut limited = [0u32; MAX_LENGTH + 1];
    limited.copy_from_slice(&counts[..=MAX_LENGTH]);
    limited
}
