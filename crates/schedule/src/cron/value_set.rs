//! A small bit set of field values, with "next value at or after" in O(1) per word.

/// Values `base..base + 256` of one cron field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ValueSet {
    base: u32,
    bits: [u64; 4],
}

impl ValueSet {
    /// An empty set for values starting at `base`.
    pub(crate) fn new(base: u32) -> Self {
        Self { base, bits: [0; 4] }
    }

    /// Adds `value`; values outside `base..base + 256` are ignored.
    pub(crate) fn insert(&mut self, value: u32) {
        if let Some(i) = self.index(value) {
            self.bits[i / 64] |= 1 << (i % 64);
        }
    }

    /// Whether `value` is in the set.
    pub(crate) fn contains(&self, value: u32) -> bool {
        self.index(value)
            .is_some_and(|i| self.bits[i / 64] & (1 << (i % 64)) != 0)
    }

    /// The smallest member `>= value`.
    pub(crate) fn next_from(&self, value: u32) -> Option<u32> {
        let start = value.saturating_sub(self.base) as usize;
        let mut word = start / 64;
        if word >= self.bits.len() {
            return None;
        }
        let mut masked = self.bits[word] & (u64::MAX << (start % 64));
        loop {
            if masked != 0 {
                let i = word * 64 + masked.trailing_zeros() as usize;
                return u32::try_from(i).ok().map(|i| i + self.base);
            }
            word += 1;
            masked = *self.bits.get(word)?;
        }
    }

    fn index(&self, value: u32) -> Option<usize> {
        let i = value.checked_sub(self.base)? as usize;
        (i < 256).then_some(i)
    }
}

#[cfg(test)]
mod tests {
    use super::ValueSet;

    #[test]
    fn next_from_finds_members_across_words_and_stops_at_the_end() {
        let mut set = ValueSet::new(1970);
        for year in [1970, 2033, 2100, 2199] {
            set.insert(year);
        }
        let cases = [
            (0, Some(1970)),
            (1970, Some(1970)),
            (1971, Some(2033)),
            (2034, Some(2100)),
            (2101, Some(2199)),
            (2200, None),
            (u32::MAX, None),
        ];
        for (from, want) in cases {
            assert_eq!(set.next_from(from), want, "next_from({from})");
        }
        assert!(set.contains(2100) && !set.contains(2101) && !set.contains(5));
    }
}
