//! Pure fixed-point math of the oracle: bond-weighted median, relative deviation, EMA, natural
//! logarithm and the EWMA volatility of log returns. No storage, no externalities.
//!
//! Prices are `FixedU128` (18 decimals). All functions are total: they return `None` (or
//! saturate, where documented) instead of panicking.

use bulwark_primitives::{Balance, Price};
use sp_arithmetic::{
	traits::{CheckedSub, Saturating, Zero},
	FixedI128, FixedU128, PerThing, Perbill,
};

/// The fixed-point scale of `FixedU128` / `FixedI128`: 10^18.
const SCALE: u128 = 1_000_000_000_000_000_000;
/// ln(2) at 18 decimals (0.693147180559945309417...), truncated.
const LN_2: i128 = 693_147_180_559_945_309;

/// Bond-weighted median of `(price, weight)` pairs.
///
/// Sorts by price and returns the first price at which the cumulative weight reaches half the
/// total. If the cumulative weight is exactly half there (an even split, as with an even number of
/// equal weights), returns the mean of that price and the next, like the textbook median.
///
/// Returns `None` if the total weight is zero.
///
/// Robustness: if prices carrying more than half the total weight lie in `[lo, hi]`, the result
/// lies in `[lo, hi]`, whatever the other prices are. A coalition under half the weight cannot
/// move the median outside the range of the honest prices.
pub fn weighted_median(entries: &mut [(Price, Balance)]) -> Option<Price> {
	let total = entries.iter().fold(0u128, |acc, (_, w)| acc.saturating_add(*w));
	if total.is_zero() {
		return None;
	}
	entries.sort_by_key(|(price, _)| *price);
	let mut cumulative: u128 = 0;
	let mut iter = entries.iter().filter(|(_, w)| !w.is_zero()).peekable();
	while let Some((price, weight)) = iter.next() {
		cumulative = cumulative.saturating_add(*weight);
		let rest = total.saturating_sub(cumulative);
		if cumulative > rest {
			return Some(*price);
		}
		if cumulative == rest {
			// Exactly half below and half above: average with the next price.
			return match iter.peek() {
				Some((next, _)) => Some(mean(*price, *next)),
				None => Some(*price),
			};
		}
	}
	// Unreachable with a non-zero total; answer the highest price rather than panic.
	entries.last().map(|(p, _)| *p)
}

/// The mean of two prices, rounded down, without overflow.
pub fn mean(a: Price, b: Price) -> Price {
	let (x, y) = (a.into_inner(), b.into_inner());
	// x/2 + y/2 + carry of the two halves.
	FixedU128::from_inner(x / 2 + y / 2 + (x % 2 + y % 2) / 2)
}

/// |value - reference| / reference, saturating at 100%. A zero reference gives 100% unless the
/// value is zero too.
pub fn relative_deviation(value: Price, reference: Price) -> Perbill {
	let (v, r) = (value.into_inner(), reference.into_inner());
	if r.is_zero() {
		return if v.is_zero() { Perbill::zero() } else { Perbill::one() };
	}
	let diff = v.abs_diff(r);
	if diff >= r {
		return Perbill::one();
	}
	Perbill::from_rational(diff, r)
}

/// One step of an exponential moving average: `prev + alpha * (value - prev)`.
///
/// `alpha` is the weight of the new value. Rounding is biased towards `prev`.
pub fn ema(prev: Price, value: Price, alpha: Perbill) -> Price {
	let (p, v) = (prev.into_inner(), value.into_inner());
	if v >= p {
		FixedU128::from_inner(p.saturating_add(alpha.mul_floor(v - p)))
	} else {
		FixedU128::from_inner(p.saturating_sub(alpha.mul_floor(p - v)))
	}
}

/// Natural logarithm of a positive fixed-point number, `None` for zero.
///
/// Range reduction `x = m * 2^k` with `m` in `[1, 2)`, then
/// `ln m = 2 atanh(z) = 2 (z + z^3/3 + z^5/5 + ...)` with `z = (m - 1) / (m + 1)` in `[0, 1/3)`,
/// summed until the terms vanish at 18 decimals. Absolute error below 1e-16 over the whole
/// `FixedU128` range (checked against `f64::ln` in the tests).
pub fn ln(x: FixedU128) -> Option<FixedI128> {
	let mut m = x.into_inner();
	if m.is_zero() {
		return None;
	}
	let mut k: i128 = 0;
	while m >= 2 * SCALE {
		m >>= 1;
		k += 1;
	}
	while m < SCALE {
		// m < 10^18, so m << 1 cannot overflow.
		m <<= 1;
		k -= 1;
	}
	// z = (m - 1) / (m + 1) at 18 decimals; m < 2e18 so (m - SCALE) * SCALE < 1e36 fits u128.
	let z = (m - SCALE).checked_mul(SCALE)? / (m + SCALE);
	let z2 = z.checked_mul(z)? / SCALE;
	let mut term = z;
	let mut sum: u128 = 0;
	let mut n: u128 = 0;
	while !term.is_zero() && n < 64 {
		sum = sum.saturating_add(term / (2 * n + 1));
		term = term.checked_mul(z2)? / SCALE;
		n += 1;
	}
	let ln_m = i128::try_from(sum.checked_mul(2)?).ok()?;
	Some(FixedI128::from_inner(k.checked_mul(LN_2)?.checked_add(ln_m)?))
}

/// Log return `ln(new / old)`, `None` if either price is zero.
pub fn log_return(old: Price, new: Price) -> Option<FixedI128> {
	let ln_new = ln(new)?;
	let ln_old = ln(old)?;
	ln_new.checked_sub(&ln_old)
}

/// One step of the EWMA (RiskMetrics) variance of returns:
/// `decay * prev_variance + (1 - decay) * r^2`. Saturates at the largest `FixedU128`.
pub fn ewma_variance(prev_variance: FixedU128, log_return: FixedI128, decay: Perbill) -> FixedU128 {
	let r = FixedU128::from_inner(log_return.into_inner().unsigned_abs());
	let r_squared = r.saturating_mul(r);
	let kept = FixedU128::from_inner(decay.mul_floor(prev_variance.into_inner()));
	let fresh = FixedU128::from_inner(decay.left_from_one().mul_floor(r_squared.into_inner()));
	kept.saturating_add(fresh)
}

/// Volatility (standard deviation) from a variance; `None` only on internal overflow.
pub fn volatility(variance: FixedU128) -> Option<FixedU128> {
	variance.checked_sqrt()
}

#[cfg(test)]
mod tests;
