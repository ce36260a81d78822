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
	/// A median farther than this from the EMA trips the circuit breaker.
	pub max_price_jump: Perbill,
	/// Blocks a tripped market stays `Halted`.
	pub breaker_cooldown: BlockNumber,
	/// Quorum by count: at least this many operators submitted for the market.
	pub min_submissions: u32,
	/// Quorum by weight: the submitters hold at least this share of the total active bond.
	pub min_bond_share: Perbill,
	/// Weight of a new median in the EMA.
	pub ema_alpha: Perbill,
	/// Decay of the EWMA variance of log returns (RiskMetrics uses 94%).
	pub volatility_decay: Perbill,
}

impl Default for OracleParams {
	/// The design brief's defaults: max age 10 rounds, deviation 3%, jump 10%.
	fn default() -> Self {
		Self {
			max_price_age: 10,
			deviation_threshold: Perbill::from_percent(3),
			max_price_jump: Perbill::from_percent(10),
			breaker_cooldown: 20,
			min_submissions: 1,
			min_bond_share: Perbill::from_percent(50),
			ema_alpha: Perbill::from_percent(10),
			volatility_decay: Perbill::from_percent(94),
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
	/// `max_price_jump` range: 1% to 100%.
	pub const MAX_PRICE_JUMP: (Perbill, Perbill) =
		(Perbill::from_percent(1), Perbill::from_percent(100));
	/// `breaker_cooldown` range, in blocks.
	pub const BREAKER_COOLDOWN: (BlockNumber, BlockNumber) = (1, 100_000);
	/// `min_bond_share` range: 1% to 100%.
	pub const MIN_BOND_SHARE: (Perbill, Perbill) =
		(Perbill::from_percent(1), Perbill::from_percent(100));
	/// `ema_alpha` range: 0.1% to 100%.
	pub const EMA_ALPHA: (Perbill, Perbill) =
		(Perbill::from_parts(1_000_000), Perbill::from_percent(100));
	/// `volatility_decay` range: 50% to 99.9%.
	pub const VOLATILITY_DECAY: (Perbill, Perbill) =
		(Perbill::from_percent(50), Perbill::from_parts(999_000_000));
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
			&& within(self.min_submissions, (1, max_operators))
			&& within(self.min_bond_share, bounds::MIN_BOND_SHARE)
			&& within(self.ema_alpha, bounds::EMA_ALPHA)
			&& within(self.volatility_decay, bounds::VOLATILITY_DECAY)
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
	/// First round for which the operator is expected to submit.
	pub active_since: RoundIndex,
	/// Last round in which the operator submitted.
	pub last_submitted: Option<RoundIndex>,
	/// Rounds missed in a row since the last submission or the last liveness report.
	pub missed_rounds: u32,
}

impl OperatorInfo {
	/// Whether the operator is active.
	pub fn is_active(&self) -> bool {
		self.status == OperatorStatus::Active
	}
}

/// Aggregated price state of a market.
#[derive(Clone, Copy, PartialEq, Eq, Encode, Decode, MaxEncodedLen, TypeInfo, Debug)]
pub struct PriceState {
	/// Last bond-weighted median with a quorum.
	pub price: Price,
	/// EMA of the median (frozen while the breaker holds the market).
	pub ema_price: Price,
	/// EWMA variance of per-round log returns.
	pub variance: FixedU128,
	/// Square root of `variance`.
	pub volatility: FixedU128,
	/// Block at which `price` was aggregated.
	pub updated_at: BlockNumber,
	/// Round of `price`.
	pub round: RoundIndex,
	/// While set and in the future, the market is `Halted`.
	pub halted_until: Option<BlockNumber>,
}

impl PriceState {
	/// The market's status at block `now`, in round `current_round`.
	///
	/// `Halted` while the breaker holds; otherwise `Stale` once the price is older than
	/// `max_price_age` rounds, so a stale price is never served as fresh, even between
	/// aggregations.
	pub fn status(
		&self,
		now: BlockNumber,
		current_round: RoundIndex,
		max_price_age: RoundIndex,
	) -> MarketStatus {
		if self.halted_until.is_some_and(|until| now < until) {
			MarketStatus::Halted
		} else if current_round.saturating_sub(self.round) > max_price_age {
			MarketStatus::Stale
		} else {
			MarketStatus::Active
		}
	}

	/// The view served through [`bulwark_primitives::PriceFeed`] and the runtime API.
	pub fn info(&self, status: MarketStatus) -> PriceInfo {
		PriceInfo {
			price: self.price,
			ema_price: self.ema_price,
			volatility: self.volatility,
			updated_at: self.updated_at,
			status,
		}
	}
}
