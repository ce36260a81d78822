//! Domain types of the oracle: markets and their parameters, operators, aggregated prices.

use bulwark_primitives::{Balance, BlockNumber, MarketStatus, Price, PriceInfo, RoundIndex};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{pallet_prelude::Get, BoundedVec};
use scale_info::TypeInfo;
use sp_arithmetic::{FixedU128, Perbill};

/// Oracle parameters of one market, set by the risk origin within hard bounds
/// ([`OracleParams::validate`]).
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
)]
pub struct OracleParams {
	/// Rounds without a quorum after which the market is `Stale`.
	pub max_price_age: RoundIndex,
	/// A submission farther than this from the round's median is an `OracleDeviation` offence.
	pub deviation_threshold: Perbill,
	/// A median farther than this from the EMA trips the circuit breaker; a halted market resumes
	/// at once on a median within this of the pre-halt EMA.
	pub max_price_jump: Perbill,
	/// Blocks a tripped market stays `Halted` at least.
	pub breaker_cooldown: BlockNumber,
	/// After the cooldown, a halted market at a new level resumes once this many consecutive
	/// quorum rounds agree on it (each median within `deviation_threshold` of the first).
	pub confirm_rounds: u32,
	/// Quorum by count: at least this many operators submitted for the market.
	pub min_submissions: u32,
	/// Quorum by weight: the submitters hold at least this share of the bond expected for the
	/// market (active operators serving it, from the round they are expected to submit in).
	pub min_bond_share: Perbill,
	/// Weight of a new median in the EMA.
	pub ema_alpha: Perbill,
	/// Decay of the EWMA variance of log returns (RiskMetrics uses 94%).
	pub volatility_decay: Perbill,
	/// Annualized volatility a market starts with at its first price (1.0 = 100% a year), so a
	/// new market is not margined as if it never moved.
	pub initial_volatility: FixedU128,
}

impl Default for OracleParams {
	/// The design brief's defaults: max age 10 rounds, deviation 3%, jump 10%, 3 confirming
	/// rounds, a quorum of 3 submitters holding two thirds of the expected bond, and an initial
	/// volatility of 80% a year (a liquid crypto asset).
	fn default() -> Self {
		Self {
			max_price_age: 10,
			deviation_threshold: Perbill::from_percent(3),
			max_price_jump: Perbill::from_percent(10),
			breaker_cooldown: 20,
			confirm_rounds: 3,
			min_submissions: 3,
			min_bond_share: Perbill::from_parts(666_666_667),
			ema_alpha: Perbill::from_percent(10),
			volatility_decay: Perbill::from_percent(94),
			initial_volatility: FixedU128::from_inner(800_000_000_000_000_000),
		}
	}
}

/// Hard bounds of [`OracleParams`]; governance cannot leave them.
pub mod bounds {
	use super::*;

	/// `max_price_age` range, in rounds.
	pub const MAX_PRICE_AGE: (RoundIndex, RoundIndex) = (1, 1_000);
	/// `deviation_threshold` range: 0.1% to 50%.
	pub const DEVIATION_THRESHOLD: (Perbill, Perbill) =
		(Perbill::from_parts(1_000_000), Perbill::from_percent(50));
	/// `max_price_jump` range: 1% to 50%. Below 100%, because a deviation saturates at 100%:
	/// a 100% limit would never trip.
	pub const MAX_PRICE_JUMP: (Perbill, Perbill) =
		(Perbill::from_percent(1), Perbill::from_percent(50));
	/// `breaker_cooldown` range, in blocks.
	pub const BREAKER_COOLDOWN: (BlockNumber, BlockNumber) = (1, 100_000);
	/// `confirm_rounds` range.
	pub const CONFIRM_ROUNDS: (u32, u32) = (1, 100);
	/// `min_bond_share` range: 50% to 100%. Below half, two disjoint sets of submitters could
	/// each form a quorum.
	pub const MIN_BOND_SHARE: (Perbill, Perbill) =
		(Perbill::from_percent(50), Perbill::from_percent(100));
	/// `ema_alpha` range: 0.1% to 100%.
	pub const EMA_ALPHA: (Perbill, Perbill) =
		(Perbill::from_parts(1_000_000), Perbill::from_percent(100));
	/// `volatility_decay` range: 50% to 99.9%.
	pub const VOLATILITY_DECAY: (Perbill, Perbill) =
		(Perbill::from_percent(50), Perbill::from_parts(999_000_000));
	/// `initial_volatility` range: 1% to 1,000% a year.
	pub const INITIAL_VOLATILITY: (FixedU128, FixedU128) =
		(FixedU128::from_inner(10_000_000_000_000_000), FixedU128::from_inner(10 * FIXED_ONE));
	/// `OperatorParams::max_missed_rounds` range.
	pub const MAX_MISSED_ROUNDS: (u32, u32) = (1, 1_000);

	const FIXED_ONE: u128 = 1_000_000_000_000_000_000;
}

impl OracleParams {
	/// Whether every field is within its hard bound; `min_submissions` must be in
	/// `1..=max_operators`.
	pub fn validate(&self, max_operators: u32) -> bool {
		fn within<T: PartialOrd>(v: T, (lo, hi): (T, T)) -> bool {
			lo <= v && v <= hi
		}
		within(self.max_price_age, bounds::MAX_PRICE_AGE)
			&& within(self.deviation_threshold, bounds::DEVIATION_THRESHOLD)
			&& within(self.max_price_jump, bounds::MAX_PRICE_JUMP)
			&& within(self.breaker_cooldown, bounds::BREAKER_COOLDOWN)
			&& within(self.confirm_rounds, bounds::CONFIRM_ROUNDS)
			&& within(self.min_submissions, (1, max_operators))
			&& within(self.min_bond_share, bounds::MIN_BOND_SHARE)
			&& within(self.ema_alpha, bounds::EMA_ALPHA)
			&& within(self.volatility_decay, bounds::VOLATILITY_DECAY)
			&& within(self.initial_volatility, bounds::INITIAL_VOLATILITY)
	}
}

/// Parameters of the operator set, set by the risk origin within hard bounds
/// ([`OperatorParams::validate`]).
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
)]
pub struct OperatorParams {
	/// Smallest bond of an active operator. Registration needs it; an operator slashed below it
	/// is deactivated; an operator below it (after governance raised it) neither submits nor
	/// counts until it tops up.
	pub min_bond: Balance,
	/// Rounds an active operator may miss in a row before an `OracleLiveness` offence. A round
	/// counts as missed unless the operator submitted a price for every market it serves.
	pub max_missed_rounds: u32,
}

impl OperatorParams {
	/// Whether both fields are within their hard bounds; `min_bond` must be at least
	/// `min_balance` (the existential deposit), so a bond is never dust.
	pub fn validate(&self, min_balance: Balance) -> bool {
		self.min_bond >= min_balance.max(1)
			&& bounds::MAX_MISSED_ROUNDS.0 <= self.max_missed_rounds
			&& self.max_missed_rounds <= bounds::MAX_MISSED_ROUNDS.1
	}
}

/// A market as the oracle knows it.
#[derive(Clone, PartialEq, Eq, Encode, Decode, MaxEncodedLen, TypeInfo, Debug)]
#[scale_info(skip_type_params(MaxSymbolLen))]
pub struct MarketInfo<MaxSymbolLen: Get<u32>> {
	/// Ticker, e.g. `BTC-USD`.
	pub symbol: BoundedVec<u8, MaxSymbolLen>,
	/// Display decimals of the base asset.
	pub decimals: u8,
	/// Oracle parameters.
	pub params: OracleParams,
}

/// Whether an operator feeds prices or is leaving.
#[derive(Clone, Copy, PartialEq, Eq, Encode, Decode, MaxEncodedLen, TypeInfo, Debug)]
pub enum OperatorStatus {
	/// Submits prices; its bond counts towards quorums and medians.
	Active,
	/// Left the operator set; the bond stays held (and slashable) until `unlocks_at`.
	Unbonding {
		/// First block at which `withdraw_bond` succeeds.
		unlocks_at: BlockNumber,
	},
}

/// A registered oracle operator.
#[derive(Clone, PartialEq, Eq, Encode, Decode, MaxEncodedLen, TypeInfo, Debug)]
pub struct OperatorInfo {
	/// bUSD held as bond: always equal to the balance on hold for `HoldReason::OperatorBond`.
	pub bond: Balance,
	/// Active or unbonding.
	pub status: OperatorStatus,
	/// First round for which the operator is expected to submit; its bond counts towards
	/// quorums from this round.
	pub active_since: RoundIndex,
	/// Last round in which the operator submitted.
	pub last_submitted: Option<RoundIndex>,
	/// Last round in which the operator submitted a price for every market it serves.
	pub last_complete: Option<RoundIndex>,
	/// Rounds missed in a row since the last complete submission or the last liveness report.
	pub missed_rounds: u32,
}

impl OperatorInfo {
	/// Whether the operator is active.
	pub fn is_active(&self) -> bool {
		self.status == OperatorStatus::Active
	}

	/// Whether the operator's bond weighs in `round`'s quorums and medians: active, expected in
	/// that round, and bonded at least `min_bond`.
	pub fn counts_in(&self, round: RoundIndex, min_bond: Balance) -> bool {
		self.is_active() && self.active_since <= round && self.bond >= min_bond && self.bond > 0
	}
}

/// A tripped circuit breaker: the market is `Halted` until a price is validated.
#[derive(Clone, Copy, PartialEq, Eq, Encode, Decode, MaxEncodedLen, TypeInfo, Debug)]
pub struct Halt {
	/// No price is validated before this block.
	pub cooldown_until: BlockNumber,
	/// After the cooldown: the first median of the current run of quorum rounds at a new level,
	/// and how many consecutive quorum rounds confirmed it (itself included).
	pub candidate: Option<(Price, u32)>,
}

/// Aggregated price state of a market.
#[derive(Clone, Copy, PartialEq, Eq, Encode, Decode, MaxEncodedLen, TypeInfo, Debug)]
pub struct PriceState {
	/// Last bond-weighted median with a quorum (while halted: not validated).
	pub price: Price,
	/// EMA of validated medians; frozen at its pre-halt value while the market is halted.
	pub ema_price: Price,
	/// EWMA variance of log returns, annualized (see [`PriceInfo::volatility`]).
	pub variance: FixedU128,
	/// Square root of `variance`: annualized volatility.
	pub volatility: FixedU128,
	/// Block at which `price` was aggregated.
	pub updated_at: BlockNumber,
	/// Round of `price`.
	pub round: RoundIndex,
	/// Set while the circuit breaker holds the market.
	pub halt: Option<Halt>,
	/// The market's `max_price_age`, kept here so that a reader of the price needs no second
	/// read of the market's parameters.
	pub max_price_age: RoundIndex,
}

impl PriceState {
	/// The market's status in round `current_round`.
	///
	/// `Stale` once the price is older than `max_price_age` rounds (a stale price is never
	/// served as fresh, even between aggregations, and a halted market's last median is no
	/// better); otherwise `Halted` while the breaker holds, until a price is validated;
	/// otherwise `Active`.
	pub fn status(&self, current_round: RoundIndex, max_price_age: RoundIndex) -> MarketStatus {
		if current_round.saturating_sub(self.round) > max_price_age {
			MarketStatus::Stale
		} else if self.halt.is_some() {
			MarketStatus::Halted
		} else {
			MarketStatus::Active
		}
	}

	/// While halted at a new level that `confirm_rounds` consecutive quorum rounds confirmed:
	/// the confirmations so far. Only the risk origin resumes such a market (`resume_market`).
	pub fn awaits_risk_origin(&self, confirm_rounds: u32) -> Option<u32> {
		let (_, confirmations) = self.halt?.candidate?;
		(confirmations >= confirm_rounds).then_some(confirmations)
	}

	/// The view served through [`bulwark_primitives::PriceFeed`] and the runtime API.
	pub fn info(&self, status: MarketStatus) -> PriceInfo {
		PriceInfo {
			price: self.price,
			ema_price: self.ema_price,
			volatility: self.volatility,
			updated_at: self.updated_at,
			round: self.round,
			status,
		}
	}
}
