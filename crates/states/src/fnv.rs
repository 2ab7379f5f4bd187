//! FNV-1a hashing for the engine's own lookup tables keyed by texts from the
//! definition (state names, path texts), looked up on every transition.
//!
//! std's SipHash resists collision floods from hostile keys but costs more
//! than the rest of such a lookup. The keys here come from the definition,
//! and the tables are either as large as the definition or capped (the
//! parsed-path memo), which bounds any flood. A few lines here rather than
//! a new dependency.

use std::hash::{BuildHasherDefault, Hasher};

/// The FNV-1a 64-bit hasher.
pub(crate) struct Fnv(u64);

/// Builds [`Fnv`] hashers, for `HashMap::default()`.
pub(crate) type FnvBuild = BuildHasherDefault<Fnv>;

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 = (self.0 ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// A hasher for one machine word (the run loop finds the next state by
/// the address of its interned name, [`crate::definition::States`]): one
/// multiplication by 2^64 / φ, folded so that both the bucket's low bits
/// and the tag's high bits depend on every bit of the word, instead of
/// FNV's eight rounds. Other writes fall back to FNV-1a.
#[derive(Default)]
pub(crate) struct WordHash(Fnv);

/// Builds [`WordHash`] hashers.
pub(crate) type WordHashBuild = BuildHasherDefault<WordHash>;

impl Hasher for WordHash {
    fn finish(&self) -> u64 {
        self.0.finish()
    }

    fn write(&mut self, bytes: &[u8]) {
        self.0.write(bytes);
    }

    fn write_usize(&mut self, word: usize) {
        let product = (word as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        self.0 = Fnv(product ^ product.rotate_left(32));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_published_fnv1a_vectors() {
        let hash = |bytes: &[u8]| {
            let mut h = Fnv::default();
            h.write(bytes);
            h.finish()
        };
        assert_eq!(hash(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(hash(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(hash(b"foobar"), 0x8594_4171_f739_67e8);
    }
}
