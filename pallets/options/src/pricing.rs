//! Pricing (pure, fixed point): what a trader pays for an option or receives for one sold back,
//! the fee, the vault's caps, what a settled contract pays, and the value of the vault's book.
//!
//! ## The quote
//!
//! The vault marks options at the model: Black-Scholes at the oracle's price with the base
//! volatility `max(oracle estimate, vol_floor)`. It sells at a skewed volatility
//!
//! ```text
//! iv(u) = base x (1 + skew_coeff x u^2),   u = max(|delta| x price / (NAV x max_delta_ratio),
//!                                                  |vega| / (NAV x max_vega_ratio))  in [0, 1]
//! ```
//!
//! `u` is how much of its delta and vega caps the vault's book uses. A buy pays per contract the
//! largest of the model value and the prices at `iv(u before)` and `iv(u after)`; a sale back
//! receives the smallest. Along a trade the book's use moves monotonically, so the price at one
//! end bounds the price over the trade: buying in pieces and selling back in pieces at one price
//! never returns more than it cost (a property test). Amounts round against the trader.

use crate::{
	math::{self, Greeks, OptionKind, ONE},
	types::{Exposure, Moment, OptionsParams},
};
use bulwark_primitives::Balance;
use sp_arithmetic::{helpers_128bit::multiply_by_rational_with_rounding, Perbill, Rounding};

/// A year of 365 days, in milliseconds (the oracle annualizes volatility over the same year).
pub const YEAR_MS: u128 = 365 * 86_400_000;
/// Fixed-point inner units per smallest bUSD unit (10^18 / 10^6).
pub const FIXED_PER_UNIT: i128 = 1_000_000_000_000;
/// A size's inner value times a per-contract fixed-point value, divided by this, is bUSD's
/// smallest unit (10^18 x 10^18 / 10^6).
const TO_UNITS: u128 = 1_000_000_000_000_000_000_000_000_000_000;

/// Years from `now` to `expiry`, fixed point; zero once expired.
pub fn years_to(now: Moment, expiry: Moment) -> i128 {
	let left = u128::from(expiry.saturating_sub(now));
	multiply_by_rational_with_rounding(left, ONE.unsigned_abs(), YEAR_MS, Rounding::Down)
		.and_then(|y| i128::try_from(y).ok())
		.unwrap_or(0)
}

/// `size` contracts (inner value) at `per_contract` (fixed point, not negative), in bUSD's
/// smallest unit.
pub fn amount(size: u128, per_contract: i128, rounding: Rounding) -> Option<Balance> {
	let per_contract = u128::try_from(per_contract).ok()?;
	multiply_by_rational_with_rounding(size, per_contract, TO_UNITS, rounding)
}

/// A balance as a fixed-point bUSD value.
pub fn fixed_of(balance: Balance) -> Option<i128> {
	i128::try_from(balance).ok()?.checked_mul(FIXED_PER_UNIT)
}

/// What one contract's notional is: the price for calls and puts, the 1 bUSD payout for
/// binaries.
pub fn contract_notional(kind: OptionKind, spot: i128) -> i128 {
	if kind.is_binary() {
		ONE
	} else {
		spot
	}
}

/// `ratio x value` (fixed point).
fn of(ratio: Perbill, value: i128) -> Option<i128> {
	math::mul(value, i128::from(ratio.deconstruct()).checked_mul(1_000_000_000)?)
}

/// `u`: the larger share of its delta and of its vega cap the vault's book uses, in [0, 1]; 1
/// with no NAV.
pub fn usage(params: &OptionsParams, spot: i128, nav: Balance, book: Exposure) -> Option<i128> {
	let nav = fixed_of(nav)?;
	let delta_cap = of(params.max_delta_ratio, nav)?;
	let vega_cap = of(params.max_vega_ratio, nav)?;
	if delta_cap <= 0 || vega_cap <= 0 {
		return Some(ONE);
	}
	let delta = math::div(math::mul(book.delta.checked_abs()?, spot)?, delta_cap)?;
	let vega = math::div(book.vega.checked_abs()?, vega_cap)?;
	Some(delta.max(vega).min(ONE))
}

/// The volatility the vault sells at when its book uses `usage` of its caps.
pub fn implied_vol(params: &OptionsParams, base: i128, usage: i128) -> Option<i128> {
	let skew_coeff = i128::try_from(params.skew_coeff.into_inner()).ok()?;
	let skew = math::mul(skew_coeff, math::mul(usage, usage)?)?;
	math::mul(base, ONE.checked_add(skew)?)
}

/// The base volatility: the oracle's estimate, at least the floor.
pub fn base_vol(params: &OptionsParams, oracle: i128) -> Option<i128> {
	Some(oracle.max(i128::try_from(params.vol_floor.into_inner()).ok()?))
}

/// One option contract at one moment: what pricing it needs.
#[derive(Clone, Copy, Debug)]
pub struct Contract {
	/// Call, put or binary.
	pub kind: OptionKind,
	/// The oracle's price, fixed point.
	pub spot: i128,
	/// The strike, fixed point.
	pub strike: i128,
	/// Years to expiry, fixed point.
	pub years: i128,
	/// The base volatility, fixed point.
	pub vol: i128,
}

impl Contract {
	/// Black-Scholes at the base volatility: the model the vault marks at.
	pub fn model(&self) -> Option<Greeks> {
		math::black_scholes(self.kind, self.spot, self.strike, self.vol, self.years)
	}

	/// The model value at `vol`.
	pub fn value_at_vol(&self, vol: i128) -> Option<i128> {
		math::black_scholes_price(self.kind, self.spot, self.strike, vol, self.years)
	}

	/// The model value with the price moved by `shock` either way, the worse for the vault
	/// (and never below the value now).
	pub fn stressed(&self, shock: Perbill, now: i128) -> Option<i128> {
		let moved = of(shock, self.spot)?;
		let up_spot = self.spot.checked_add(moved)?;
		let up = math::black_scholes_price(self.kind, up_spot, self.strike, self.vol, self.years)?;
		let down_spot = self.spot.checked_sub(moved)?.max(1);
		let down =
			math::black_scholes_price(self.kind, down_spot, self.strike, self.vol, self.years)?;
		Some(up.max(down).max(now))
	}
}

/// A fill worked out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quote {
	/// Per contract (fixed point): paid by a buyer, received by a seller.
	pub premium: i128,
	/// The model's value and greeks per contract.
	pub model: Greeks,
	/// `|size| x premium`: rounded up for a buy, down for a sale.
	pub amount: Balance,
	/// The fee, rounded up.
	pub fee: Balance,
	/// The insurance fund's share of the fee, rounded down.
	pub fee_to_insurance: Balance,
	/// The notional traded, rounded up.
	pub notional: Balance,
	/// The vault's book after the fill.
	pub book_after: Exposure,
}

/// The fill of `size` contracts (inner value; positive buys, negative sells back) of `contract`
/// against a vault of `nav` whose book is `book`.
pub fn quote(
	params: &OptionsParams,
	contract: &Contract,
	nav: Balance,
	book: Exposure,
	size: i128,
) -> Option<Quote> {
	let model = contract.model()?;
	let contracts = size.checked_abs()?.unsigned_abs();
	// The vault takes the other side.
	let book_after = Exposure {
		delta: book.delta.checked_sub(math::mul(size, model.delta)?)?,
		vega: book.vega.checked_sub(math::mul(size, model.vega)?)?,
	};
	let before = usage(params, contract.spot, nav, book)?;
	let after = usage(params, contract.spot, nav, book_after)?;
	let (at_before, at_after) = if before == 0 && after == 0 {
		(model.price, model.price)
	} else {
		(
			contract.value_at_vol(implied_vol(params, contract.vol, before)?)?,
			contract.value_at_vol(implied_vol(params, contract.vol, after)?)?,
		)
	};
	let buy = size > 0;
	let (premium, rounding) = if buy {
		(model.price.max(at_before).max(at_after), Rounding::Up)
	} else {
		(model.price.min(at_before).min(at_after), Rounding::Down)
	};
	let amount = amount(contracts, premium, rounding)?;
	let notional = amount_of_notional(contracts, contract_notional(contract.kind, contract.spot))?;
	let fee = params.fee_rate.mul_ceil(notional).min(params.fee_cap.mul_ceil(amount));
	let fee_to_insurance = params.fee_insurance_share.mul_floor(fee);
	Some(Quote { premium, model, amount, fee, fee_to_insurance, notional, book_after })
}

fn amount_of_notional(contracts: u128, per_contract: i128) -> Option<Balance> {
	amount(contracts, per_contract, Rounding::Up)
}

/// Which cap a buy would break.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cap {
	/// The series' open notional.
	Series,
	/// The market's open notional.
	Market,
	/// The vault's net delta.
	Delta,
	/// The vault's net vega.
	Vega,
}

/// Checks a buy's result against the caps: the series' and the market's open notional, and the
/// vault's net delta and vega, each a fraction of `nav`.
pub fn check_caps(
	params: &OptionsParams,
	spot: i128,
	nav: Balance,
	series_notional: Balance,
	market_notional: Balance,
	book: Exposure,
) -> Result<(), Cap> {
	if series_notional > params.max_series_ratio.mul_floor(nav) {
		return Err(Cap::Series);
	}
	if market_notional > params.max_options_ratio.mul_floor(nav) {
		return Err(Cap::Market);
	}
	let nav_fixed = fixed_of(nav).ok_or(Cap::Market)?;
	let delta = book.delta.checked_abs().and_then(|d| math::mul(d, spot)).ok_or(Cap::Delta)?;
	if delta > of(params.max_delta_ratio, nav_fixed).ok_or(Cap::Delta)? {
		return Err(Cap::Delta);
	}
	if book.vega.checked_abs().ok_or(Cap::Vega)?
		> of(params.max_vega_ratio, nav_fixed).ok_or(Cap::Vega)?
	{
		return Err(Cap::Vega);
	}
	Ok(())
}

/// What `size` contracts (inner value) of `kind` at `strike` pay when settled at `price`
/// (fixed point), rounded down.
pub fn payout(kind: OptionKind, strike: i128, price: i128, size: u128) -> Option<Balance> {
	amount(size, math::intrinsic(kind, price, strike)?, Rounding::Down)
}
