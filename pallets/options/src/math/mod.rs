//! Options math in 18-decimal fixed point, without floats: `exp`, `ln`, the standard normal
//! density and distribution, and Black-Scholes prices and greeks of European calls and puts and
//! cash-or-nothing binaries (paying 1 per contract), with a zero interest rate (bUSD earns none on
//! chain). Every value is the inner `i128` of a `FixedI128` (1.0 = 10^18).
//!
//! Accuracy, checked against mpmath at 60 digits (`reference.rs`, written by
//! `reference/generate.py`): `exp` and `ln` to about 1e-17 relative, the normal CDF to 1e-12
//! absolute, option prices to 1e-9 of the underlying from one 6 s block to a year and from a
//! strike of half the spot to twice it.
//!
//! Methods: `exp` reduces its argument by multiples of ln 2 and sums Taylor's series on
//! |r| <= ln 2 / 2; `ln` scales into [1, 2) by powers of two and sums the series of
//! 2 atanh((m - 1) / (m + 1)); the CDF sums N(x) = 1/2 + phi(x) (x + x^3/3 + x^5/15 + ...) for
//! |x| <= 5 and the continued fraction of Mills' ratio (40 levels) beyond.

use sp_arithmetic::{helpers_128bit::multiply_by_rational_with_rounding, Rounding};

#[cfg(test)]
mod reference;
#[cfg(test)]
mod tests;

/// 1.0 in fixed point.
pub const ONE: i128 = 1_000_000_000_000_000_000;
/// ln 2 at 36 decimals (0.693147180559945309417232121458176568...).
const LN_2_36: i128 = 693_147_180_559_945_309_417_232_121_458_176_568;
/// ln 2 in fixed point.
const LN_2: i128 = 693_147_180_559_945_309;
/// 1 / sqrt(2 pi) (0.398942280401432677939946...).
const INV_SQRT_2PI: i128 = 398_942_280_401_432_678;
/// Below this exp is under the fixed-point resolution (e^-42 = 5.7e-19).
const EXP_FLOOR: i128 = -42 * ONE;
/// Above this exp overflows the fixed-point range (e^46.6 = 1.7e20).
const EXP_CEILING: i128 = 46 * ONE;
/// Where the CDF switches from the series to the continued fraction.
const CDF_SERIES_LIMIT: i128 = 5 * ONE;
/// Levels of the continued fraction (relative error below 1e-22 from 5 on).
const CDF_FRACTION_DEPTH: i128 = 40;

/// What an option pays at expiry per contract: calls and puts the price's distance past the
/// strike, binaries 1 if the price ends beyond the strike (strictly), else nothing.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	codec::Encode,
	codec::Decode,
	codec::DecodeWithMemTracking,
	codec::MaxEncodedLen,
	scale_info::TypeInfo,
)]
pub enum OptionKind {
	/// Pays `max(price - strike, 0)` per contract.
	Call,
	/// Pays `max(strike - price, 0)` per contract.
	Put,
	/// Pays 1 bUSD per contract if the price ends above the strike.
	BinaryCall,
	/// Pays 1 bUSD per contract if the price ends below the strike.
	BinaryPut,
}

impl OptionKind {
	/// Whether the option pays a fixed 1 per contract.
	pub fn is_binary(self) -> bool {
		matches!(self, Self::BinaryCall | Self::BinaryPut)
	}
}

/// A Black-Scholes value and its sensitivities, all fixed point: `delta` per unit of the spot,
/// `gamma` per unit of the spot squared, `vega` per 1.00 of volatility, `theta` per year as time
/// passes (so a long vanilla option's theta is negative).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct Greeks {
	pub price: i128,
	pub delta: i128,
	pub gamma: i128,
	pub vega: i128,
	pub theta: i128,
}

/// `a * b` in fixed point, rounded to the nearest; `None` on overflow.
pub fn mul(a: i128, b: i128) -> Option<i128> {
	let magnitude = multiply_by_rational_with_rounding(
		a.unsigned_abs(),
		b.unsigned_abs(),
		ONE.unsigned_abs(),
		Rounding::NearestPrefDown,
	)?;
	signed(magnitude, (a < 0) != (b < 0))
}

/// `a / b` in fixed point, rounded to the nearest; `None` on overflow or a zero divisor.
pub fn div(a: i128, b: i128) -> Option<i128> {
	if b == 0 {
		return None;
	}
	let magnitude = multiply_by_rational_with_rounding(
		a.unsigned_abs(),
		ONE.unsigned_abs(),
		b.unsigned_abs(),
		Rounding::NearestPrefDown,
	)?;
	signed(magnitude, (a < 0) != (b < 0))
}

fn signed(magnitude: u128, negative: bool) -> Option<i128> {
	let value = i128::try_from(magnitude).ok()?;
	Some(if negative { -value } else { value })
}

/// `n / d` for integers, rounded half away from zero.
fn div_round(n: i128, d: i128) -> Option<i128> {
	let half = d.checked_div(2)?;
	let shifted = if (n < 0) == (d < 0) { n.checked_add(half)? } else { n.checked_sub(half)? };
	shifted.checked_div(d)
}

/// e^x; 0 below e^-42 (under the resolution), `None` above e^46 (over the range).
pub fn exp(x: i128) -> Option<i128> {
	if x < EXP_FLOOR {
		return Some(0);
	}
	if x > EXP_CEILING {
		return None;
	}
	// x = k ln 2 + r with |r| <= ln 2 / 2.
	let k = div_round(x, LN_2)?;
	let r = x.checked_sub(div_round(k.checked_mul(LN_2_36)?, ONE)?)?;
	let mut sum = ONE;
	let mut term = ONE;
	for n in 1..=40 {
		term = mul(term, r)?.checked_div(n)?;
		if term == 0 {
			break;
		}
		sum = sum.checked_add(term)?;
	}
	let shift = u32::try_from(k.unsigned_abs()).ok()?;
	if k >= 0 {
		sum.checked_mul(1i128.checked_shl(shift)?)
	} else if shift >= 127 {
		Some(0)
	} else {
		let divisor = 1i128.checked_shl(shift)?;
		div_round(sum, divisor)
	}
}

/// ln x for x > 0; `None` otherwise.
pub fn ln(x: i128) -> Option<i128> {
	if x <= 0 {
		return None;
	}
	// x = m 2^k with m in [1, 2).
	let mut m = x;
	let mut k: i128 = 0;
	while m >= 2 * ONE {
		m = div_round(m, 2)?;
		k = k.checked_add(1)?;
	}
	while m < ONE {
		m = m.checked_mul(2)?;
		k = k.checked_sub(1)?;
	}
	// ln m = 2 atanh(z), z = (m - 1) / (m + 1) in [0, 1/3).
	let z = div(m.checked_sub(ONE)?, m.checked_add(ONE)?)?;
	let z2 = mul(z, z)?;
	let mut power = z;
	let mut series: i128 = 0;
	for n in 0..60 {
		if power == 0 {
			break;
		}
		series = series.checked_add(power.checked_div(2 * n + 1)?)?;
		power = mul(power, z2)?;
	}
	div_round(k.checked_mul(LN_2_36)?, ONE)?.checked_add(series.checked_mul(2)?)
}

/// sqrt x for x >= 0 (exact to the last digit below 340; the inputs here are years and
/// variances); `None` for a negative x.
pub fn sqrt(x: i128) -> Option<i128> {
	sp_arithmetic::FixedI128::from_inner(x).checked_sqrt().map(|r| r.into_inner())
}

/// The standard normal density phi(x).
pub fn normal_pdf(x: i128) -> Option<i128> {
	let half_square = mul(x, x)?.checked_div(2)?;
	mul(INV_SQRT_2PI, exp(half_square.checked_neg()?)?)
}

/// The standard normal distribution N(x).
pub fn normal_cdf(x: i128) -> Option<i128> {
	let a = x.checked_abs()?;
	let density = normal_pdf(a)?;
	// The mass beyond |x| on one side, in [0, 1/2].
	let tail = if a <= CDF_SERIES_LIMIT {
		// N(a) - 1/2 = phi(a) (a + a^3/3 + a^5/(3 5) + ...), every term positive.
		let a2 = mul(a, a)?;
		let mut term = a;
		let mut sum: i128 = 0;
		let mut odd: i128 = 1;
		while term != 0 {
			sum = sum.checked_add(term)?;
			odd = odd.checked_add(2)?;
			if odd > 1_000 {
				break;
			}
			term = mul(term, a2)?.checked_div(odd)?;
		}
		(ONE / 2).checked_sub(mul(density, sum)?)?
	} else {
		// Mills' ratio: Q(a) = phi(a) / (a + 1/(a + 2/(a + 3/(a + ...)))).
		let mut fraction = a;
		for level in (1..=CDF_FRACTION_DEPTH).rev() {
			fraction = a.checked_add(div(level.checked_mul(ONE)?, fraction)?)?;
		}
		div(density, fraction)?
	};
	if x >= 0 {
		ONE.checked_sub(tail)
	} else {
		Some(tail)
	}
}

/// What the option pays if it expired now, at `spot`.
pub fn intrinsic(kind: OptionKind, spot: i128, strike: i128) -> Option<i128> {
	Some(match kind {
		OptionKind::Call => spot.checked_sub(strike)?.max(0),
		OptionKind::Put => strike.checked_sub(spot)?.max(0),
		OptionKind::BinaryCall => {
			if spot > strike {
				ONE
			} else {
				0
			}
		},
		OptionKind::BinaryPut => {
			if spot < strike {
				ONE
			} else {
				0
			}
		},
	})
}

/// Black-Scholes' `d1`, `d2`, `sigma x sqrt(T)` and `sqrt(T)`.
struct Terms {
	d1: i128,
	d2: i128,
	spread: i128,
	root_years: i128,
}

/// The [`Terms`] of a valuation; `Some(None)` when `sigma x sqrt(T)` is zero (at expiry, or with
/// no volatility: the payoff), `None` for a spot or strike not above zero, a negative volatility
/// or time, or a value out of range.
fn terms(spot: i128, strike: i128, volatility: i128, years: i128) -> Option<Option<Terms>> {
	if spot <= 0 || strike <= 0 || volatility < 0 || years < 0 {
		return None;
	}
	let root_years = sqrt(years)?;
	let spread = mul(volatility, root_years)?;
	if spread == 0 {
		return Some(None);
	}
	let variance_half = mul(mul(volatility, volatility)?, years)?.checked_div(2)?;
	let d1 = div(ln(div(spot, strike)?)?.checked_add(variance_half)?, spread)?;
	let d2 = d1.checked_sub(spread)?;
	Some(Some(Terms { d1, d2, spread, root_years }))
}

/// The Black-Scholes value alone of `kind` (as [`black_scholes`]'s `price`, computed the same
/// way, without the greeks): for valuations that need no sensitivity (a skewed quote, a stressed
/// book), at about half the cost.
pub fn black_scholes_price(
	kind: OptionKind,
	spot: i128,
	strike: i128,
	volatility: i128,
	years: i128,
) -> Option<i128> {
	let Some(Terms { d1, d2, .. }) = terms(spot, strike, volatility, years)? else {
		return intrinsic(kind, spot, strike);
	};
	match kind {
		OptionKind::Call => {
			Some(mul(spot, normal_cdf(d1)?)?.checked_sub(mul(strike, normal_cdf(d2)?)?)?.max(0))
		},
		OptionKind::Put => Some(
			mul(strike, normal_cdf(d2.checked_neg()?)?)?
				.checked_sub(mul(spot, normal_cdf(d1.checked_neg()?)?)?)?
				.max(0),
		),
		OptionKind::BinaryCall => normal_cdf(d2),
		OptionKind::BinaryPut => normal_cdf(d2.checked_neg()?),
	}
}

/// Black-Scholes value and greeks of `kind` at `spot`, `strike`, annual `volatility` and `years`
/// to expiry (all fixed point, zero interest rate). At expiry, or with no volatility, the value is
/// the intrinsic one and the greeks those of the payoff (a vanilla delta of 0 or +-1, the rest 0).
/// `None` for a spot or strike not above zero, a negative volatility or time, or a value out of
/// range.
pub fn black_scholes(
	kind: OptionKind,
	spot: i128,
	strike: i128,
	volatility: i128,
	years: i128,
) -> Option<Greeks> {
	let Some(Terms { d1, d2, spread, root_years }) = terms(spot, strike, volatility, years)? else {
		let delta = match kind {
			OptionKind::Call if spot > strike => ONE,
			OptionKind::Put if spot < strike => -ONE,
			_ => 0,
		};
		return Some(Greeks { price: intrinsic(kind, spot, strike)?, delta, ..Greeks::default() });
	};
	match kind {
		OptionKind::Call | OptionKind::Put => {
			let density = normal_pdf(d1)?;
			let gamma = div(density, mul(spot, spread)?)?;
			let vega = mul(mul(spot, density)?, root_years)?;
			let theta = div(mul(mul(spot, density)?, volatility)?, root_years.checked_mul(2)?)?
				.checked_neg()?;
			let (price, delta) = if kind == OptionKind::Call {
				let price =
					mul(spot, normal_cdf(d1)?)?.checked_sub(mul(strike, normal_cdf(d2)?)?)?;
				(price, normal_cdf(d1)?)
			} else {
				let price = mul(strike, normal_cdf(d2.checked_neg()?)?)?
					.checked_sub(mul(spot, normal_cdf(d1.checked_neg()?)?)?)?;
				(price, normal_cdf(d1)?.checked_sub(ONE)?)
			};
			Some(Greeks { price: price.max(0), delta, gamma, vega, theta })
		},
		OptionKind::BinaryCall | OptionKind::BinaryPut => {
			let call = kind == OptionKind::BinaryCall;
			let density = normal_pdf(d2)?;
			let price = normal_cdf(if call { d2 } else { d2.checked_neg()? })?;
			// The call's sensitivities; the put's are their negatives (the two sum to 1).
			let delta = div(density, mul(spot, spread)?)?;
			let spot_variance = mul(mul(spot, spot)?, mul(spread, spread)?)?;
			let gamma = div(mul(density, d1)?, spot_variance)?.checked_neg()?;
			let vega = div(mul(density, d1)?, volatility)?.checked_neg()?;
			let theta = div(mul(density, d1)?, years.checked_mul(2)?)?;
			let sign = if call { 1 } else { -1 };
			Some(Greeks {
				price,
				delta: delta.checked_mul(sign)?,
				gamma: gamma.checked_mul(sign)?,
				vega: vega.checked_mul(sign)?,
				theta: theta.checked_mul(sign)?,
			})
		},
	}
}
