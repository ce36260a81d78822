//! Pure math of the margin engine: fill price from skew, maker and taker fees, funding, the
//! volatility-scaled margin fractions with the maintenance ramp, margin requirements, PnL, equity
//! and liquidation prices. No storage, no externalities; every function is total (it returns
//! `None` on overflow or a meaningless input instead of panicking).
//!
//! Units (design brief section 2): prices are [`Price`] (`FixedU128`, bUSD per unit of base
//! asset), sizes [`SignedSize`] (`FixedI128` base units, positive long), money is [`Balance`] or
//! `i128` in bUSD's smallest unit ([`BUSD`] per bUSD). Rounding always goes against the trader:
//! fills, fees, requirements and funding owed round up what the trader pays and down what the
//! trader gets.

#[cfg(test)]
mod tests;

use crate::types::MarketAggregates;
use bulwark_primitives::{currency::BUSD, Balance, Price, SignedSize};
use sp_arithmetic::{
	helpers_128bit::multiply_by_rational_with_rounding,
	traits::{CheckedDiv, CheckedMul, CheckedSub, One, Saturating, Zero},
	FixedI128, FixedPointNumber, FixedU128, Perbill, Rounding,
};

/// The fixed-point scale of `FixedU128` / `FixedI128`: 10^18.
pub const SCALE: u128 = 1_000_000_000_000_000_000;

/// `size x price` (two 10^18-scaled numbers) to bUSD units: divide by 10^36 / BUSD.
const TO_UNITS: u128 = SCALE / BUSD * SCALE;

/// `a x b / c` with the given rounding; `None` on division by zero or overflow.
pub fn mul_div(a: u128, b: u128, c: u128, rounding: Rounding) -> Option<u128> {
	if c == 0 {
		return None;
	}
	multiply_by_rational_with_rounding(a, b, c, rounding)
}

fn abs_size(size: SignedSize) -> u128 {
	size.into_inner().unsigned_abs()
}

/// `|size| x price` in bUSD units, rounded as asked.
pub fn notional(size: SignedSize, price: Price, rounding: Rounding) -> Option<Balance> {
	mul_div(abs_size(size), price.into_inner(), TO_UNITS, rounding)
}

/// The fill price of a trade of `size_delta` against the vault when traders' net position (the
/// skew) is `skew_before` (Synthetix perps v3):
///
/// ```text
/// fill = oracle x (1 + (skew_before + skew_after) / (2 x skew_scale))
/// ```
///
/// the oracle price plus the average premium over the skew the trade moves through: a trade
/// that grows the skew pays a premium, one that shrinks it gets a discount. Rounded against the
/// trader (up for a buy, down for a sell). The premium is clamped to [`MAX_PREMIUM`] either way,
/// so that a position can always close: exposure-increasing trades cannot take |skew| past half
/// the skew scale, where the premium reaches it. `None` if `skew_scale` is zero.
pub fn fill_price(
	oracle: Price,
	skew_before: SignedSize,
	size_delta: SignedSize,
	skew_scale: FixedU128,
) -> Option<Price> {
	let buy = size_delta.into_inner() > 0;
	// skew_before + skew_after = 2 x skew_before + size_delta.
	let sum = skew_before.into_inner().checked_mul(2)?.checked_add(size_delta.into_inner())?;
	let premium_rounding = if (sum >= 0) == buy { Rounding::Up } else { Rounding::Down };
	let factor = premium_factor(sum, skew_scale, premium_rounding)?;
	let rounding = if buy { Rounding::Up } else { Rounding::Down };
	mul_div(oracle.into_inner(), factor, SCALE, rounding).map(FixedU128::from_inner)
}

/// Largest fill premium or discount: 50%.
pub const MAX_PREMIUM: u128 = SCALE / 2;

/// `1 + sum / (2 x skew_scale)` at 10^18, the premium clamped to [`MAX_PREMIUM`] either way.
fn premium_factor(sum: i128, skew_scale: FixedU128, rounding: Rounding) -> Option<u128> {
	let premium =
		mul_div(sum.unsigned_abs(), SCALE, skew_scale.into_inner().checked_mul(2)?, rounding)?
			.min(MAX_PREMIUM);
	if sum >= 0 {
		SCALE.checked_add(premium)
	} else {
		SCALE.checked_sub(premium)
	}
}

/// The price the vault marks traders' aggregate position at: the average fill of closing the
/// whole skew, `oracle x (1 + skew / (2 x skew_scale))` (Synthetix v3 market debt). Marking at
/// the oracle alone would let a trader move the vault's NAV by opening a position (the premium
/// it paid shows as the vault's gain until it closes) and sandwich stakers. Rounded so that
/// traders' PnL rounds down. `None` if `skew_scale` is zero.
pub fn skew_marked_price(oracle: Price, skew: SignedSize, skew_scale: FixedU128) -> Option<Price> {
	let sum = skew.into_inner();
	// Traders long (sum > 0) gain from a higher mark: round it down; short, up.
	let rounding = if sum >= 0 { Rounding::Down } else { Rounding::Up };
	let factor = premium_factor(sum, skew_scale, rounding)?;
	mul_div(oracle.into_inner(), factor, SCALE, rounding).map(FixedU128::from_inner)
}

/// The parts of a trade that shrink and grow |skew|: `(maker, taker)` sizes, unsigned. A trade
/// against the skew is maker up to the skew's size; the rest (and any trade with it) is taker.
pub fn maker_taker_split(skew_before: SignedSize, size_delta: SignedSize) -> (u128, u128) {
	let delta = size_delta.into_inner();
	let skew = skew_before.into_inner();
	let opposite = (delta > 0 && skew < 0) || (delta < 0 && skew > 0);
	let magnitude = delta.unsigned_abs();
	if !opposite {
		return (0, magnitude);
	}
	let maker = magnitude.min(skew.unsigned_abs());
	(maker, magnitude.saturating_sub(maker))
}

/// The fee of a trade: `maker_fee` on the notional of the part that shrinks |skew|, `taker_fee`
/// on the part that grows it, each at the fill price and rounded up.
pub fn trade_fee(
	skew_before: SignedSize,
	size_delta: SignedSize,
	fill: Price,
	maker_fee: Perbill,
	taker_fee: Perbill,
) -> Option<Balance> {
	let (maker, taker) = maker_taker_split(skew_before, size_delta);
	let part = |size: u128, rate: Perbill| -> Option<Balance> {
		let notional = mul_div(size, fill.into_inner(), TO_UNITS, Rounding::Up)?;
		Some(rate.mul_ceil(notional))
	};
	part(maker, maker_fee)?.checked_add(part(taker, taker_fee)?)
}

/// The daily funding rate, a signed fraction of notional: `clamp(funding_coeff x skew /
/// skew_scale, -max_rate, +max_rate)`. Positive when traders are net long: longs pay.
pub fn funding_rate(
	skew: SignedSize,
	skew_scale: FixedU128,
	funding_coeff: FixedU128,
	max_rate: FixedU128,
) -> Option<FixedI128> {
	let raw = mul_div(
		skew.into_inner().unsigned_abs(),
		funding_coeff.into_inner(),
		skew_scale.into_inner(),
		Rounding::Down,
	)?;
	let magnitude = i128::try_from(raw.min(max_rate.into_inner())).ok()?;
	Some(FixedI128::from_inner(if skew.into_inner() < 0 { -magnitude } else { magnitude }))
}

/// The cumulative funding index after `elapsed` out of a `day` (in any one time unit) at
/// `rate_per_day` and `price`: `index + rate x price x elapsed / day`, in bUSD per unit of size.
/// The index only moves by whole 10^-18 steps towards what longs owe (rounded up for a positive
/// rate, down for a negative one), so rounding never lets the paying side pay less.
pub fn accrue_index(
	index: FixedI128,
	rate_per_day: FixedI128,
	price: Price,
	elapsed: u64,
	day: u64,
) -> Option<FixedI128> {
	let per_unit =
		mul_div(rate_per_day.into_inner().unsigned_abs(), price.into_inner(), SCALE, Rounding::Up)?;
	let step = mul_div(per_unit, u128::from(elapsed), u128::from(day), Rounding::Up)?;
	let step = i128::try_from(step).ok()?;
	let delta = if rate_per_day.into_inner() < 0 { -step } else { step };
	index.into_inner().checked_add(delta).map(FixedI128::from_inner)
}

/// Funding a position of `size` owes since it entered at `entry_index`: `size x (index -
/// entry_index)` in bUSD units, positive when the trader pays; rounded up (the trader pays at
/// least what it owes and receives at most what it is owed).
pub fn funding_owed(size: SignedSize, entry_index: FixedI128, index: FixedI128) -> Option<i128> {
	let diff = index.into_inner().checked_sub(entry_index.into_inner())?;
	signed_product(size.into_inner(), diff, Rounding::Up)
}

/// Unrealized PnL of `size` entered at `entry`, marked at `price`: `size x (price - entry)` in
/// bUSD units, rounded down (gains down, losses up).
pub fn unrealized_pnl(size: SignedSize, entry: Price, price: Price) -> Option<i128> {
	let diff = i128::try_from(price.into_inner())
		.ok()?
		.checked_sub(i128::try_from(entry.into_inner()).ok()?)?;
	signed_product(size.into_inner(), diff, Rounding::Down)
}

/// `a x b / 10^36 x BUSD` for two signed 10^18-scaled numbers, rounded towards +infinity
/// (`Up`) or -infinity (`Down`).
fn signed_product(a: i128, b: i128, rounding: Rounding) -> Option<i128> {
	let negative = (a < 0) != (b < 0);
	// The magnitude of a negative result rounds the other way.
	let magnitude_rounding = match (negative, rounding) {
		(false, r) => r,
		(true, Rounding::Up) => Rounding::Down,
		(true, _) => Rounding::Up,
	};
	let magnitude = mul_div(a.unsigned_abs(), b.unsigned_abs(), TO_UNITS, magnitude_rounding)?;
	let magnitude = i128::try_from(magnitude).ok()?;
	Some(if negative { -magnitude } else { magnitude })
}

/// The initial margin fraction of a market: `clamp(base_imf + vol_coeff x volatility + oi_coeff
/// x utilization, base_imf, max_imf)`. `volatility` is the oracle's annualized estimate,
/// `utilization` open interest over the vault's capacity.
pub fn initial_margin_fraction(
	base_imf: FixedU128,
	vol_coeff: FixedU128,
	volatility: FixedU128,
	oi_coeff: FixedU128,
	utilization: FixedU128,
	max_imf: FixedU128,
) -> FixedU128 {
	let raw = base_imf
		.saturating_add(vol_coeff.saturating_mul(volatility))
		.saturating_add(oi_coeff.saturating_mul(utilization));
	raw.max(base_imf).min(max_imf.max(base_imf))
}

/// A restricted market's initial margin fraction: `min(imf x multiplier, 1)` (at most no
/// leverage). Above the market's `max_imf` on purpose: restriction must bite at the ceiling too.
pub fn restricted_margin_fraction(imf: FixedU128, multiplier: FixedU128) -> FixedU128 {
	imf.saturating_mul(multiplier).min(FixedU128::one())
}

/// The maintenance fraction a market aims at: `imf x maintenance_fraction`.
pub fn target_maintenance_fraction(imf: FixedU128, maintenance_fraction: Perbill) -> FixedU128 {
	FixedU128::from_inner(maintenance_fraction.mul_ceil(imf.into_inner()))
}

/// The effective maintenance fraction after `elapsed` of an `hour` (in any one time unit): it
/// falls to `target` at once, and rises towards it by at most `ramp_per_hour` per hour, so that a
/// volatility spike alone never liquidates a position the price did not move against.
pub fn ramped_maintenance_fraction(
	effective_before: FixedU128,
	target: FixedU128,
	ramp_per_hour: FixedU128,
	elapsed: u64,
	hour: u64,
) -> FixedU128 {
	if target <= effective_before {
		return target;
	}
	let step =
		mul_div(ramp_per_hour.into_inner(), u128::from(elapsed), u128::from(hour), Rounding::Down)
			.unwrap_or(u128::MAX);
	FixedU128::from_inner(effective_before.into_inner().saturating_add(step)).min(target)
}

/// The maintenance fraction a position is held to: the lower of its own (fixed when its exposure
/// was added, raised to the governed `floor`) and the market's `effective` one. Volatility
/// raises `effective` but not a position's own, so it never liquidates a position by itself;
/// governance (the floor) applies to every position, ramped like the market's.
pub fn position_maintenance_fraction(
	own: FixedU128,
	floor: FixedU128,
	effective: FixedU128,
) -> FixedU128 {
	own.max(floor).min(effective)
}

/// A position's own maintenance fraction after a fill that moved it from `old_size` (held to
/// `old_fraction`) to `new_size`, with the market's effective fraction `now`: an addition of
/// exposure is held to `now` (the size-weighted mean, rounded up), a reduction keeps the
/// position's fraction, and a new or flipped position takes `now`.
pub fn added_exposure_fraction(
	old_size: SignedSize,
	old_fraction: FixedU128,
	new_size: SignedSize,
	now: FixedU128,
) -> Option<FixedU128> {
	let (old, new) = (old_size.into_inner(), new_size.into_inner());
	if old == 0 || (old > 0) != (new > 0) {
		return Some(now);
	}
	let (old, new) = (old.unsigned_abs(), new.unsigned_abs());
	if new <= old {
		return Some(old_fraction);
	}
	let added = new - old;
	let weighted = mul_div(old, old_fraction.into_inner(), SCALE, Rounding::Up)?
		.checked_add(mul_div(added, now.into_inner(), SCALE, Rounding::Up)?)?;
	Some(FixedU128::from_inner(mul_div(weighted, SCALE, new, Rounding::Up)?))
}

/// Whether trading `delta` on a position of `size` adds exposure: anything but a reduction
/// towards zero on the same side (opening, adding, or flipping to the other side does).
pub fn adds_exposure(size: SignedSize, delta: SignedSize) -> bool {
	let (size, delta) = (size.into_inner(), delta.into_inner());
	if size == 0 || delta == 0 {
		return delta != 0;
	}
	// A reduction goes against the position and by no more than it.
	(size > 0) == (delta > 0) || delta.unsigned_abs() > size.unsigned_abs()
}

/// A margin requirement: `|size| x price x fraction` in bUSD units, rounded up.
pub fn margin_requirement(size: SignedSize, price: Price, fraction: FixedU128) -> Option<Balance> {
	let notional = notional(size, price, Rounding::Up)?;
	mul_div(notional, fraction.into_inner(), SCALE, Rounding::Up)
}

/// Equity: `collateral + unrealized PnL - funding owed`, in bUSD units (negative: bad debt).
pub fn equity(collateral: Balance, unrealized_pnl: i128, funding_owed: i128) -> Option<i128> {
	i128::try_from(collateral).ok()?.checked_add(unrealized_pnl)?.checked_sub(funding_owed)
}

/// The price at which a position of `size` entered at `entry` brings its account to its
/// maintenance requirement, everything else equal. `rest` is the account's equity without this
/// position's unrealized PnL, less the other positions' maintenance requirements (bUSD units);
/// `mmf` this market's maintenance fraction. Solves `rest + size x (p - entry) = |size| x p x mmf`:
///
/// ```text
/// p = (size x entry - rest) / (size - |size| x mmf)
/// ```
///
/// `None` when no positive price liquidates it (a long whose `rest` covers its whole entry
/// notional), for a zero size, or with `mmf` of 100% or more on a long.
pub fn liquidation_price(
	size: SignedSize,
	entry: Price,
	rest: i128,
	mmf: FixedU128,
) -> Option<Price> {
	let s = size.into_inner();
	if s == 0 {
		return None;
	}
	let entry = i128::try_from(entry.into_inner()).ok()?;
	let mmf = i128::try_from(mmf.into_inner()).ok()?;
	let unit = i128::try_from(BUSD).ok()?;
	// In bUSD at 10^18: size x entry and rest.
	let notional = FixedI128::from_inner(s).checked_mul(&FixedI128::from_inner(entry))?;
	let rest = FixedI128::checked_from_rational(rest, unit)?;
	let numerator = notional.checked_sub(&rest)?;
	let requirement =
		FixedI128::from_inner(s.checked_abs()?).checked_mul(&FixedI128::from_inner(mmf))?;
	let denominator = FixedI128::from_inner(s).checked_sub(&requirement)?;
	if denominator.into_inner() == 0 {
		return None;
	}
	let price = numerator.checked_div(&denominator)?;
	(price.into_inner() > 0)
		.then(|| u128::try_from(price.into_inner()).ok())
		.flatten()
		.map(FixedU128::from_inner)
}

/// A position's contribution `size x value` (value: a price or a funding index, both at 10^18)
/// to an aggregate sum, in bUSD units, rounded towards -infinity. Adding and removing a position
/// use this same function, so an aggregate is always exactly the sum of its positions'
/// contributions.
pub fn contribution(size: SignedSize, value: i128) -> Option<i128> {
	signed_product(size.into_inner(), value, Rounding::Down)
}

/// The aggregates after a position of `size` entered at `entry` with funding index `index`
/// opens (or grows by that much, at that entry).
pub fn aggregate_add(
	aggregates: MarketAggregates,
	size: SignedSize,
	entry: Price,
	index: FixedI128,
) -> Option<MarketAggregates> {
	aggregate_change(aggregates, size, entry, index, true)
}

/// The aggregates after that position closes.
pub fn aggregate_remove(
	aggregates: MarketAggregates,
	size: SignedSize,
	entry: Price,
	index: FixedI128,
) -> Option<MarketAggregates> {
	aggregate_change(aggregates, size, entry, index, false)
}

fn aggregate_change(
	mut aggregates: MarketAggregates,
	size: SignedSize,
	entry: Price,
	index: FixedI128,
	add: bool,
) -> Option<MarketAggregates> {
	let s = size.into_inner();
	if s == 0 {
		return Some(aggregates);
	}
	let by_entry = contribution(size, i128::try_from(entry.into_inner()).ok()?)?;
	let by_index = contribution(size, index.into_inner())?;
	let magnitude = s.unsigned_abs();
	let side = if s > 0 { &mut aggregates.long_size } else { &mut aggregates.short_size };
	if add {
		*side = side.checked_add(magnitude)?;
		aggregates.sum_size_entry = aggregates.sum_size_entry.checked_add(by_entry)?;
		aggregates.sum_size_index = aggregates.sum_size_index.checked_add(by_index)?;
		aggregates.positions = aggregates.positions.checked_add(1)?;
	} else {
		*side = side.checked_sub(magnitude)?;
		aggregates.sum_size_entry = aggregates.sum_size_entry.checked_sub(by_entry)?;
		aggregates.sum_size_index = aggregates.sum_size_index.checked_sub(by_index)?;
		aggregates.positions = aggregates.positions.checked_sub(1)?;
	}
	Some(aggregates)
}

/// Traders' net size (longs minus shorts): the skew.
pub fn net_size(aggregates: &MarketAggregates) -> Option<SignedSize> {
	let long = i128::try_from(aggregates.long_size).ok()?;
	let short = i128::try_from(aggregates.short_size).ok()?;
	long.checked_sub(short).map(FixedI128::from_inner)
}

/// Open interest `(longs + shorts) x price` in bUSD units, rounded up.
pub fn aggregate_open_interest(aggregates: &MarketAggregates, price: Price) -> Option<Balance> {
	let total = aggregates.long_size.checked_add(aggregates.short_size)?;
	mul_div(total, price.into_inner(), TO_UNITS, Rounding::Up)
}

/// The larger side's notional `max(longs, shorts) x price` in bUSD units, rounded up: what one
/// price move can win from the market's positions.
pub fn largest_side_open_interest(aggregates: &MarketAggregates, price: Price) -> Option<Balance> {
	let side = aggregates.long_size.max(aggregates.short_size);
	mul_div(side, price.into_inner(), TO_UNITS, Rounding::Up)
}

/// Traders' unrealized PnL at `price` from the aggregates, O(1): `net size x price - sum(size x
/// entry)`, in bUSD units. Equal to the sum of the positions' PnL up to one unit per position.
/// The vault marks at [`skew_marked_price`].
pub fn aggregate_unrealized_pnl(aggregates: &MarketAggregates, price: Price) -> Option<i128> {
	let marked = contribution(net_size(aggregates)?, i128::try_from(price.into_inner()).ok()?)?;
	marked.checked_sub(aggregates.sum_size_entry)
}

/// Funding traders owe at cumulative index `index` from the aggregates, O(1): `net size x index
/// - sum(size x index at entry)`, in bUSD units (positive: traders owe the vault).
pub fn aggregate_funding_owed(aggregates: &MarketAggregates, index: FixedI128) -> Option<i128> {
	let marked = contribution(net_size(aggregates)?, index.into_inner())?;
	marked.checked_sub(aggregates.sum_size_index)
}

/// The average entry price of a position of `size` entered at `entry` that grows by `delta`
/// (same sign) at `fill`: `(|size| x entry + |delta| x fill) / (|size| + |delta|)`, rounded
/// against the trader (up for a long, whose PnL it lowers, down for a short).
pub fn average_entry(
	size: SignedSize,
	entry: Price,
	delta: SignedSize,
	fill: Price,
) -> Option<Price> {
	let old = abs_size(size);
	let added = abs_size(delta);
	let total = old.checked_add(added)?;
	let rounding = if delta.into_inner() > 0 { Rounding::Up } else { Rounding::Down };
	// Each part rounds the same way, so the sum errs by at most 2 units of 10^-18 against the
	// trader.
	let old_part = mul_div(old, entry.into_inner(), total, rounding)?;
	let new_part = mul_div(added, fill.into_inner(), total, rounding)?;
	old_part.checked_add(new_part).map(FixedU128::from_inner)
}

/// The fill of a close the trader did not choose (liquidation, ADL) of `size_delta` at `oracle`
/// when the skew is `skew_before`: the worse for the trader of the oracle and the skew fill, so
/// that such a close is never better than closing by trading.
pub fn forced_fill(
	oracle: Price,
	skew_before: SignedSize,
	size_delta: SignedSize,
	skew_scale: FixedU128,
) -> Option<Price> {
	let fill = fill_price(oracle, skew_before, size_delta, skew_scale)?;
	Some(if size_delta.into_inner() > 0 { fill.max(oracle) } else { fill.min(oracle) })
}

/// The price a reducing trade or liquidation starts from while the market is Halted: the worse
/// of the median and its EMA for the trader (the lower for a sell, the higher for a buy), so
/// that a manipulated print cannot pay out (the fill is then no better than the skew fill at
/// it, [`forced_fill`]).
pub fn conservative_price(price: Price, ema: Price, buy: bool) -> Price {
	if buy {
		price.max(ema)
	} else {
		price.min(ema)
	}
}

/// Utilization of a vault: open interest over the open interest it may back, 100% when it may
/// back none and some is open, 0 when nothing is open.
pub fn utilization(open_interest: Balance, capacity: Balance) -> FixedU128 {
	if open_interest == 0 {
		return FixedU128::zero();
	}
	if capacity == 0 {
		return FixedU128::one();
	}
	FixedU128::checked_from_rational(open_interest, capacity).unwrap_or(FixedU128::one())
}

/// Whether a trade of `delta` on a position of `size` adds exposure: it opens, grows, or flips
/// the position. Only trades that shrink a position towards zero (or close it) do not.
pub fn increases_exposure(size: SignedSize, delta: SignedSize) -> bool {
	let (old, delta) = (size.into_inner(), delta.into_inner());
	old == 0 || (old > 0) == (delta > 0) || delta.unsigned_abs() > old.unsigned_abs()
}

/// A position after a fill: its new size and entry price, and the PnL realized on the part
/// closed.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Filled {
	/// Size after the fill (zero: closed).
	pub size: SignedSize,
	/// Entry price after the fill.
	pub entry: Price,
	/// PnL realized on the part closed, bUSD units (rounded down).
	pub realized_pnl: i128,
}

/// A position of `size` entered at `entry` after `delta` fills at `fill`: growing averages the
/// entry ([`average_entry`]); shrinking realizes PnL on the part closed and keeps the entry;
/// flipping closes the whole position and opens the rest at the fill.
pub fn apply_fill(
	size: SignedSize,
	entry: Price,
	delta: SignedSize,
	fill: Price,
) -> Option<Filled> {
	let (old, change) = (size.into_inner(), delta.into_inner());
	let after = old.checked_add(change)?;
	if old == 0 {
		return Some(Filled { size: delta, entry: fill, realized_pnl: 0 });
	}
	if (old > 0) == (change > 0) {
		let entry = average_entry(size, entry, delta, fill)?;
		return Some(Filled { size: FixedI128::from_inner(after), entry, realized_pnl: 0 });
	}
	let closed_magnitude = i128::try_from(change.unsigned_abs().min(old.unsigned_abs())).ok()?;
	let closed = if old > 0 { closed_magnitude } else { -closed_magnitude };
	let realized_pnl = unrealized_pnl(FixedI128::from_inner(closed), entry, fill)?;
	let flipped = after != 0 && (after > 0) != (old > 0);
	Some(Filled {
		size: FixedI128::from_inner(after),
		entry: if flipped { fill } else { entry },
		realized_pnl,
	})
}

/// The share of every position a liquidation closes, at 10^18 (`SCALE` is all of it), for an
/// account of `equity` that a partial close should bring back to `target` (the maintenance
/// requirement times 1 + the liquidation buffer), with maintenance requirement `maintenance`,
/// whose penalty (and fill premium) on closing everything would be `penalty_all`:
///
/// - all of it when equity is below `critical` x the maintenance requirement;
/// - otherwise the smallest `f` with `equity - f x penalty_all >= (1 - f) x target` (the
///   penalty and the requirement scale with `f`): `f = (target - equity) / (target -
///   penalty_all)`, rounded up, and all of it when the penalty outweighs the requirement it
///   frees.
///
/// Zero when equity covers the target (nothing to close).
pub fn liquidation_fraction(
	equity: i128,
	target: Balance,
	maintenance: Balance,
	penalty_all: Balance,
	critical: Perbill,
) -> Option<u128> {
	let critical_level = i128::try_from(critical.mul_floor(maintenance)).ok()?;
	if equity < critical_level || equity <= 0 {
		return Some(SCALE);
	}
	let equity = equity.unsigned_abs();
	if equity >= target {
		return Some(0);
	}
	if penalty_all >= target {
		return Some(SCALE);
	}
	let fraction = mul_div(target - equity, SCALE, target - penalty_all, Rounding::Up)?;
	Some(fraction.min(SCALE))
}

/// `fraction` (at 10^18) of `size`, rounded away from zero and never more than `size`: what a
/// liquidation closes of one position.
pub fn closed_part(size: SignedSize, fraction: u128) -> Option<SignedSize> {
	let magnitude = mul_div(abs_size(size), fraction, SCALE, Rounding::Up)?.min(abs_size(size));
	let magnitude = i128::try_from(magnitude).ok()?;
	Some(FixedI128::from_inner(if size.into_inner() < 0 { -magnitude } else { magnitude }))
}

/// [`closed_part`] of `size`, or all of it when what would be left is worth less than
/// `min_notional` at `price`: a forced close (liquidation, ADL) never leaves dust, which costs
/// keepers more than it holds.
pub fn closed_part_without_dust(
	size: SignedSize,
	fraction: u128,
	price: Price,
	min_notional: Balance,
) -> Option<SignedSize> {
	let part = closed_part(size, fraction)?;
	let left = FixedI128::from_inner(size.into_inner().checked_sub(part.into_inner())?);
	if !left.is_zero() && notional(left, price, Rounding::Down)? < min_notional {
		return Some(size);
	}
	Some(part)
}
