//! SplitMix64: a small, fast, seedable generator; a run depends on nothing but its seed.

/// The generator.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
	/// A generator seeded with `seed`.
	pub fn new(seed: u64) -> Self {
		Self(seed)
	}

	/// The next 64 random bits.
	pub fn next_u64(&mut self) -> u64 {
		self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
		let mut z = self.0;
		z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
		z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
		z ^ (z >> 31)
	}

	/// Uniform in `0..n` (`0` when `n` is `0`).
	pub fn below(&mut self, n: u64) -> u64 {
		if n == 0 {
			return 0;
		}
		self.next_u64() % n
	}

	/// Uniform in `lo..=hi`.
	pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
		let span = hi.saturating_sub(lo).unsigned_abs().saturating_add(1);
		lo.saturating_add(self.below(span) as i64)
	}

	/// `true` with probability `percent / 100`.
	pub fn chance(&mut self, percent: u64) -> bool {
		self.below(100) < percent
	}

	/// One of `items`, uniformly.
	pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
		&items[self.below(items.len() as u64) as usize]
	}

	/// An index into `weights`, drawn in proportion to them.
	pub fn weighted(&mut self, weights: &[u64]) -> usize {
		let total: u64 = weights.iter().sum();
		let mut draw = self.below(total);
		for (i, w) in weights.iter().enumerate() {
			if draw < *w {
				return i;
			}
			draw -= w;
		}
		weights.len().saturating_sub(1)
	}
}
