//! Pure fixed-point math of the oracle: lower bond-weighted median, relative deviation, EMA,
//! natural logarithm and the annualized EWMA volatility of log returns. No storage, no externalities.
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

/// Lower bond-weighted median of `(price, weight)` pairs: the lowest price at which the
/// cumulative weight, in ascending price order, reaches half the total.
///
/// The result is always one of the submitted prices with a non-zero weight: an even split
/// (100 and 107 with equal weights) gives 100, never 103.5, a price nobody submitted and that
/// would put every honest submitter 3.4% off.
///
/// Returns `None` if the total weight is zero.
///
/// Robustness: if prices carrying more than half the total weight lie in `[lo, hi]`, the result
/// lies in `[lo, hi]`, whatever the other prices are: the weight below `lo` is under half, so the
/// cumulative weight reaches half no earlier than `lo`, and it reaches half by `hi`.
pub fn weighted_median(entries: &mut [(Price, Balance)]) -> Option<Price> {
	let total = entries.iter().fold(0u128, |acc, (_, w)| acc.saturating_add(*w));
	if total.is_zero() {
		return None;
	}
	entries.sort_by_key(|(price, _)| *price);
	let mut cumulative: u128 = 0;
	for (price, weight) in entries.iter().filter(|(_, w)| !w.is_zero()) {
		cumulative = cumulative.saturating_add(*weight);
		// cumulative >= total / 2, without rounding: cumulative >= total - cumulative.
		if cumulative >= total.saturating_sub(cumulative) {
			return Some(*price);
		}
	}
	// Unreachable with a non-zero total; answer the highest weighted price rather than panic.
	entries.iter().rev().find(|(_, w)| !w.is_zero()).map(|(p, _)| *p)
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

/// The annualized variance sample of one observed log return `r` that spans `rounds` rounds:
/// `r^2 / rounds x rounds_per_year`.
///
/// Scaling by `1 / rounds` treats a return across `k` rounds without a price as `k` rounds of a
/// random walk (its per-round standard deviation is `|r| / sqrt(k)`), instead of one round's
/// move. Saturates at the largest `FixedU128`; `rounds` of 0 counts as 1.
pub fn annualized_sample(r: FixedI128, rounds: u32, rounds_per_year: u32) -> FixedU128 {
	let magnitude = FixedU128::from_inner(r.into_inner().unsigned_abs());
	let squared = magnitude.saturating_mul(magnitude);
	let per_round = squared.into_inner() / u128::from(rounds.max(1));
	FixedU128::from_inner(per_round.saturating_mul(u128::from(rounds_per_year)))
}

/// One step of the EWMA (RiskMetrics) variance: `decay * prev_variance + (1 - decay) * sample`.
/// Saturates at the largest `FixedU128`.
pub fn ewma_variance(prev_variance: FixedU128, sample: FixedU128, decay: Perbill) -> FixedU128 {
	let kept = FixedU128::from_inner(decay.mul_floor(prev_variance.into_inner()));
	let fresh = FixedU128::from_inner(decay.left_from_one().mul_floor(sample.into_inner()));
	kept.saturating_add(fresh)
}

/// Volatility (standard deviation) from a variance; `None` only on internal overflow.
pub fn volatility(variance: FixedU128) -> Option<FixedU128> {
	variance.checked_sqrt()
}

#[cfg(test)]
mod tests;
