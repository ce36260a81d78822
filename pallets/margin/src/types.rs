//! Domain types of the margin engine: the governed per-market parameters, with the design brief's
//! defaults and hard bounds that governance cannot leave; accounts, positions and market state;
//! the views of the runtime API.

use alloc::vec::Vec;
use bulwark_primitives::{
	currency::BUSD, Balance, BlockNumber, MarketId, MarketStatus, Price, RoundIndex, SignedSize,
};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{pallet_prelude::Get, BoundedVec};
use scale_info::TypeInfo;
use sp_arithmetic::{traits::Zero, FixedI128, FixedU128, Perbill};

/// `n / 10^18` as a `FixedU128` constant.
const fn fixed(inner: u128) -> FixedU128 {
	FixedU128::from_inner(inner)
}

/// 10^18: one, as a `FixedU128` inner value.
const ONE: u128 = 1_000_000_000_000_000_000;

/// Risk parameters of one market, set by the risk origin within hard bounds
/// ([`MarginParams::validate`]). Margin follows volatility and utilization through
/// coefficients (`vol_coeff`, `oi_coeff`) and bounds (`base_imf`, `max_imf`): the council votes
/// on how margin moves, not on its value at any moment.
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
pub struct MarginParams {
	/// Initial margin fraction at zero volatility and utilization; also its floor.
	pub base_imf: FixedU128,
	/// Ceiling of the initial margin fraction.
	pub max_imf: FixedU128,
	/// Initial margin added per unit of annualized volatility.
	pub vol_coeff: FixedU128,
	/// Initial margin added per unit of utilization (open interest over vault capacity).
	pub oi_coeff: FixedU128,
	/// Maintenance margin as a share of the initial margin.
	pub maintenance_fraction: Perbill,
	/// Most the effective maintenance fraction rises per hour (it falls at once).
	pub mmf_ramp_per_hour: FixedU128,
	/// Skew (base units) at which the fill premium reaches 100%; larger is deeper.
	pub skew_scale: FixedU128,
	/// Fee on the part of a trade that shrinks |skew|.
	pub maker_fee: Perbill,
	/// Fee on the part of a trade that grows |skew|.
	pub taker_fee: Perbill,
	/// Share of fees paid to the market's insurance fund; the vault gets the rest.
	pub fee_insurance_share: Perbill,
	/// Daily funding rate per unit of `skew / skew_scale`.
	pub funding_coeff: FixedU128,
	/// Largest daily funding rate, either way.
	pub max_funding_rate: FixedU128,
	/// Liquidation penalty as a share of the notional closed (never more than the equity left).
	pub liquidation_penalty: Perbill,
	/// The keeper's part of the penalty, as a share of the notional closed.
	pub keeper_reward: Perbill,
	/// Cap of the keeper's reward per liquidation, in bUSD units.
	pub max_keeper_reward: Balance,
	/// Below this share of the maintenance requirement an account is closed in full.
	pub critical_fraction: Perbill,
	/// Auto-deleveraging starts when traders' unrealized profit exceeds this share of the
	/// vault's payable cash...
	pub adl_trigger: Perbill,
	/// ...and stops once it is back under this share.
	pub adl_target: Perbill,
	/// A partial liquidation closes the smallest share that restores the maintenance
	/// requirement times (1 + this buffer) on what remains: never the initial margin, which
	/// volatility and a monitor restriction raise (Synthetix perps v2's liquidation buffer).
	pub liquidation_buffer: Perbill,
	/// Smallest notional (bUSD units, at the fill) a position may be left at by a trade: no dust
	/// legs that cost keepers more to close than they hold. Liquidation and ADL close a leg in
	/// full rather than leave it below.
	pub min_position_notional: Balance,
	/// Most a partial liquidation closes in the market per `liquidation_window`, as a share of
	/// `skew_scale` (Synthetix v3's liquidation limit): a burst of liquidations cannot walk the
	/// skew. A full close (an account below `critical_fraction` or bankrupt) is never delayed,
	/// and counts.
	pub liquidation_cap: Perbill,
	/// The window of `liquidation_cap`, in blocks.
	pub liquidation_window: BlockNumber,
}

impl Default for MarginParams {
	/// The design brief's defaults (section 11): imf 5% to 50%, mmf 60% of imf (3%), vol_coeff
	/// 0.1, ramp 1 point an hour, taker 0.06%, maker 0.02%, 20% of fees to insurance,
	/// penalty 1.5%, keeper 0.3% up to 100 bUSD, critical 50% of MMR, ADL 90% / 80%, a partial
	/// liquidation restores MMR x 1.5. Not in the brief, chosen here: positions of at least 10
	/// bUSD, partial liquidations of at most 10% of the skew scale per 10 blocks, oi_coeff 0.05 (5 points of margin at full utilization), skew scale
	/// 10,000 units (a 100-unit skew moves the fill 0.5%), funding 1% a day per skew scale,
	/// capped at 0.3% a day (about 0.1% per 8 hours, the high end of CEX funding).
	fn default() -> Self {
		Self {
			base_imf: fixed(ONE / 20),
			max_imf: fixed(ONE / 2),
			vol_coeff: fixed(ONE / 10),
			oi_coeff: fixed(ONE / 20),
			maintenance_fraction: Perbill::from_percent(60),
			mmf_ramp_per_hour: fixed(ONE / 100),
			skew_scale: fixed(10_000 * ONE),
			maker_fee: Perbill::from_parts(200_000),
			taker_fee: Perbill::from_parts(600_000),
			fee_insurance_share: Perbill::from_percent(20),
			funding_coeff: fixed(ONE / 100),
			max_funding_rate: fixed(3 * ONE / 1_000),
			liquidation_penalty: Perbill::from_parts(15_000_000),
			keeper_reward: Perbill::from_parts(3_000_000),
			max_keeper_reward: 100 * BUSD,
			critical_fraction: Perbill::from_percent(50),
			adl_trigger: Perbill::from_percent(90),
			adl_target: Perbill::from_percent(80),
			liquidation_buffer: Perbill::from_percent(50),
			min_position_notional: 10 * BUSD,
			liquidation_cap: Perbill::from_percent(10),
			liquidation_window: 10,
		}
	}
}

/// Hard bounds of [`MarginParams`]; governance cannot leave them.
pub mod bounds {
	use super::*;

	/// `base_imf`: 0.5% (200x) to 50% (2x).
	pub const BASE_IMF: (FixedU128, FixedU128) = (fixed(ONE / 200), fixed(ONE / 2));
	/// `max_imf` at most 100% (no leverage).
	pub const MAX_IMF: FixedU128 = fixed(ONE);
	/// `vol_coeff` at most 2.
	pub const VOL_COEFF: FixedU128 = fixed(2 * ONE);
	/// `oi_coeff` at most 1.
	pub const OI_COEFF: FixedU128 = fixed(ONE);
	/// `maintenance_fraction`: 10% to 90% of the initial margin.
	pub const MAINTENANCE_FRACTION: (Perbill, Perbill) =
		(Perbill::from_percent(10), Perbill::from_percent(90));
	/// `mmf_ramp_per_hour`: 0.1 to 10 points an hour.
	pub const MMF_RAMP: (FixedU128, FixedU128) = (fixed(ONE / 1_000), fixed(ONE / 10));
	/// `skew_scale`: 1 to 10^12 base units.
	pub const SKEW_SCALE: (FixedU128, FixedU128) = (fixed(ONE), fixed(1_000_000_000_000 * ONE));
	/// Fees at most 1%.
	pub const MAX_FEE: Perbill = Perbill::from_percent(1);
	/// `funding_coeff` at most 1 (100% a day per skew scale).
	pub const FUNDING_COEFF: FixedU128 = fixed(ONE);
	/// `max_funding_rate` at most 5% a day.
	pub const MAX_FUNDING_RATE: FixedU128 = fixed(ONE / 20);
	/// `liquidation_penalty`: 0.1% to 10%.
	pub const LIQUIDATION_PENALTY: (Perbill, Perbill) =
		(Perbill::from_parts(1_000_000), Perbill::from_percent(10));
	/// `max_keeper_reward` at most 10,000 bUSD.
	pub const MAX_KEEPER_REWARD: Balance = 10_000 * BUSD;
	/// `critical_fraction`: 10% to 100% of the maintenance requirement.
	pub const CRITICAL_FRACTION: (Perbill, Perbill) =
		(Perbill::from_percent(10), Perbill::from_percent(100));
	/// `min_position_notional` at most 100,000 bUSD.
	pub const MIN_POSITION_NOTIONAL: Balance = 100_000 * BUSD;
	/// `liquidation_cap`: 0.1% to 100% of the skew scale.
	pub const LIQUIDATION_CAP: (Perbill, Perbill) =
		(Perbill::from_perthousand(1), Perbill::from_percent(100));
	/// `liquidation_window`: 1 to 1,000 blocks.
	pub const LIQUIDATION_WINDOW: (BlockNumber, BlockNumber) = (1, 1_000);
}

impl MarginParams {
	/// Whether every field is within its hard bound and the fields agree with each other:
	/// `base_imf <= max_imf`, `maker_fee <= taker_fee`, `keeper_reward <= liquidation_penalty`
	/// (the keeper is paid out of the penalty) and `adl_target < adl_trigger`.
	pub fn validate(&self) -> bool {
		fn within<T: PartialOrd>(v: T, (lo, hi): (T, T)) -> bool {
			lo <= v && v <= hi
		}
		within(self.base_imf, bounds::BASE_IMF)
			&& self.base_imf <= self.max_imf
			&& self.max_imf <= bounds::MAX_IMF
			&& self.vol_coeff <= bounds::VOL_COEFF
			&& self.oi_coeff <= bounds::OI_COEFF
			&& within(self.maintenance_fraction, bounds::MAINTENANCE_FRACTION)
			&& within(self.mmf_ramp_per_hour, bounds::MMF_RAMP)
			&& within(self.skew_scale, bounds::SKEW_SCALE)
			&& self.maker_fee <= self.taker_fee
			&& self.taker_fee <= bounds::MAX_FEE
			&& self.funding_coeff <= bounds::FUNDING_COEFF
			&& self.max_funding_rate <= bounds::MAX_FUNDING_RATE
			&& within(self.liquidation_penalty, bounds::LIQUIDATION_PENALTY)
			&& self.keeper_reward <= self.liquidation_penalty
			&& self.max_keeper_reward <= bounds::MAX_KEEPER_REWARD
			&& within(self.critical_fraction, bounds::CRITICAL_FRACTION)
			&& self.adl_target < self.adl_trigger
			&& self.min_position_notional <= bounds::MIN_POSITION_NOTIONAL
			&& within(self.liquidation_cap, bounds::LIQUIDATION_CAP)
			&& within(self.liquidation_window, bounds::LIQUIDATION_WINDOW)
	}
}

/// O(1) aggregates of a market's open positions, kept on every position change, so that open
/// interest, skew, traders' unrealized PnL and the funding they owe never need a pass over
/// accounts (see [`crate::math::aggregate_add`] and the functions after it).
///
/// Sizes are `FixedI128` inner values (10^18 per base unit); the two sums are in bUSD units,
/// each position contributing `size x entry price` and `size x funding index at entry`, rounded
/// by the same function on the way in and out so that removing a position removes exactly what
/// adding it added.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Default,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
)]
pub struct MarketAggregates {
	/// Sum of long sizes.
	pub long_size: u128,
	/// Sum of |short sizes|.
	pub short_size: u128,
	/// Sum over positions of `size x entry price`, bUSD units.
	pub sum_size_entry: i128,
	/// Sum over positions of `size x funding index at entry`, bUSD units.
	pub sum_size_index: i128,
	/// Number of open positions.
	pub positions: u32,
}

/// One open position of a margin account.
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
pub struct Position {
	/// The market.
	pub market: MarketId,
	/// Signed size in base units: positive long, negative short. Never zero while stored.
	pub size: SignedSize,
	/// Average entry (fill) price.
	pub entry_price: Price,
	/// The market's cumulative funding index when the position's funding was last settled.
	pub entry_index: FixedI128,
	/// The maintenance fraction fixed when its exposure was added (the size-weighted mean over
	/// additions of the market's effective fraction then). The position is held to the lower of
	/// it (never under the governed base, `base_imf x maintenance_fraction`) and the market's
	/// effective fraction: volatility raises the maintenance of exposure added after it, so
	/// volatility alone never liquidates a position.
	pub mmf: FixedU128,
	/// The market's auto-deleveraging episode ([`MarketInfo::adl_episode`]) in which the
	/// position was last deleveraged (0: never): once per episode, so that nobody grinds one
	/// trader's position down while the others keep theirs.
	pub adl_episode: u32,
}

/// What an order does when it executes.
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
pub enum OrderAction {
	/// Trade this signed size (positive buys, negative sells).
	Trade(SignedSize),
	/// Close the whole position, whatever its size at execution (a liquidation or ADL may have
	/// reduced it meanwhile).
	Close,
}

/// A pending order: placed in oracle round `round`, filled at the first median aggregated from
/// the submissions of a later round. One per market, inside the trader's account item.
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
pub struct PendingOrder {
	/// The market.
	pub market: MarketId,
	/// What it does.
	pub action: OrderAction,
	/// The worst fill accepted: the most a buy pays, the least a sell receives.
	pub limit_price: Price,
	/// The oracle round of the block it was placed in.
	pub round: RoundIndex,
	/// The block whose hook tries it next (two rounds after placement, then a round later each
	/// time the oracle had no new median).
	pub due_block: BlockNumber,
	/// The last round whose median may fill it; after that it expires.
	pub expires_round: RoundIndex,
	/// Initial margin held back for it (at the limit price), bUSD units: a withdrawal must
	/// leave it.
	pub reserved: Balance,
}

/// A trader's margin account: collateral, at most `MaxPositions` positions and at most one
/// pending order per market (`MaxPositions` in all), one storage item, so that a trade reads
/// and writes it once.
#[derive(
	frame_support::CloneNoBound,
	frame_support::PartialEqNoBound,
	frame_support::EqNoBound,
	frame_support::DebugNoBound,
	frame_support::DefaultNoBound,
	Encode,
	Decode,
	MaxEncodedLen,
	TypeInfo,
)]
#[scale_info(skip_type_params(MaxPositions))]
pub struct MarginAccount<MaxPositions: Get<u32>> {
	/// bUSD units credited to the trader, backed 1:1 on the custody account.
	pub collateral: Balance,
	/// Open positions, at most one per market.
	pub positions: BoundedVec<Position, MaxPositions>,
	/// Pending orders, at most one per market.
	pub orders: BoundedVec<PendingOrder, MaxPositions>,
}

impl<MaxPositions: Get<u32>> MarginAccount<MaxPositions> {
	/// Margin reserved by the pending orders.
	pub fn reserved(&self) -> Balance {
		self.orders.iter().fold(0, |sum, order| sum.saturating_add(order.reserved))
	}

	/// The pending order in `market`, if any.
	pub fn order(&self, market: MarketId) -> Option<&PendingOrder> {
		self.orders.iter().find(|order| order.market == market)
	}

	/// Removes and returns the pending order in `market`.
	pub fn take_order(&mut self, market: MarketId) -> Option<PendingOrder> {
		let index = self.orders.iter().position(|order| order.market == market)?;
		Some(self.orders.remove(index))
	}

	/// The signed size of the position in `market` (zero without one).
	pub fn size_in(&self, market: MarketId) -> SignedSize {
		self.positions.iter().find(|p| p.market == market).map_or(SignedSize::zero(), |p| p.size)
	}

	/// Whether nothing is left in it: no collateral, no position, no order.
	pub fn is_empty(&self) -> bool {
		self.collateral.is_zero() && self.positions.is_empty() && self.orders.is_empty()
	}
}

/// A market enabled for trading: its governed parameters and its running state.
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
pub struct MarketInfo {
	/// Risk parameters, set by the risk origin within hard bounds.
	pub params: MarginParams,
	/// O(1) aggregates of the open positions.
	pub aggregates: MarketAggregates,
	/// Cumulative funding index (bUSD per unit of size) as of `funding_updated_at`.
	pub funding_index: FixedI128,
	/// Block of the last funding accrual.
	pub funding_updated_at: BlockNumber,
	/// The maintenance fraction liquidations use, ramping towards its target.
	pub effective_mmf: FixedU128,
	/// Block `effective_mmf` was last brought towards its target.
	pub mmf_updated_at: BlockNumber,
	/// The initial margin fraction as of `mmf_updated_at` (the block's refresh): what a
	/// liquidation in that block restores, without valuing the vault again per position.
	pub initial_fraction: FixedU128,
	/// What custody owes the vault (trader losses, funding paid, the vault's share of fees), or
	/// with a negative sign what the vault owes custody (realized trader profit), not yet settled.
	pub vault_balance: i128,
	/// The insurance fund's share of fees held in custody, not yet settled.
	pub insurance_balance: Balance,
	/// The auto-deleveraging episode (from 1): it ends, and the next begins, at the first
	/// block refresh that finds traders' profit back under `adl_trigger` after a deleveraging.
	pub adl_episode: u32,
	/// Whether a position was deleveraged in the current episode.
	pub adl_in_progress: bool,
	/// First block of the current liquidation window.
	pub liquidation_window_start: BlockNumber,
	/// Size (`FixedI128` inner, absolute) closed by liquidations in the current window.
	pub liquidated_in_window: u128,
}

impl MarketInfo {
	/// A newly enabled market at block `now`: no positions, index zero, mmf at its base target.
	pub fn new(params: MarginParams, now: BlockNumber) -> Self {
		Self {
			params,
			aggregates: MarketAggregates::default(),
			funding_index: FixedI128::zero(),
			funding_updated_at: now,
			effective_mmf: crate::math::target_maintenance_fraction(
				params.base_imf,
				params.maintenance_fraction,
			),
			mmf_updated_at: now,
			initial_fraction: params.base_imf,
			vault_balance: 0,
			insurance_balance: 0,
			adl_episode: 1,
			adl_in_progress: false,
			liquidation_window_start: now,
			liquidated_in_window: 0,
		}
	}

	/// What custody holds for this market beyond the collateral: the vault and insurance
	/// balances not yet settled (negative when the vault owes more than insurance is owed).
	pub fn unsettled_total(&self) -> i128 {
		self.vault_balance
			.saturating_add(i128::try_from(self.insurance_balance).unwrap_or(i128::MAX))
	}

	/// Whether anything is left to settle with the vault or insurance.
	pub fn unsettled(&self) -> bool {
		self.vault_balance != 0 || self.insurance_balance != 0
	}
}

/// One position as the runtime API reports it.
#[derive(Clone, PartialEq, Eq, Encode, Decode, TypeInfo, Debug)]
pub struct PositionView {
	/// The market.
	pub market: MarketId,
	/// Signed size (not `size`: polkadot.js structs are maps, whose `size` is their field
	/// count).
	pub signed_size: SignedSize,
	/// Average entry price.
	pub entry_price: Price,
	/// Unrealized PnL at the oracle price, bUSD units.
	pub unrealized_pnl: i128,
	/// Funding owed since the entry index (positive: the trader pays), bUSD units.
	pub funding_owed: i128,
	/// Price at which the account reaches its maintenance requirement, other things equal.
	pub liquidation_price: Option<Price>,
	/// The maintenance fraction the position is held to now: its own, fixed when its exposure
	/// was added (at least the governed base), or the market's effective one if lower.
	pub maintenance_fraction: FixedU128,
}

/// A margin account's health as the runtime API reports it.
#[derive(Clone, PartialEq, Eq, Encode, Decode, TypeInfo, Debug)]
pub struct AccountView {
	/// Collateral, bUSD units.
	pub collateral: Balance,
	/// `collateral + unrealized PnL - funding owed`, bUSD units (a leg whose market is not
	/// `Active` at the price worse for the trader of its median and EMA).
	pub equity: i128,
	/// Initial margin requirement.
	pub initial_margin: Balance,
	/// Maintenance margin requirement (at the effective, ramped maintenance fractions).
	pub maintenance_margin: Balance,
	/// `equity / maintenance_margin`; `None` without positions.
	pub margin_ratio: Option<FixedU128>,
	/// Whether equity is below the maintenance requirement.
	pub below_maintenance: bool,
	/// Whether `liquidate` would accept the account now (a dry run of it, rolled back): below
	/// maintenance, legs whose market is not `Active` valued at the price worse for the trader
	/// (a stale leg stays open, and an account that would end below zero with one waits for its
	/// price), and within its markets' liquidation caps.
	pub liquidatable: bool,
	/// The open positions.
	pub positions: Vec<PositionView>,
	/// Margin the pending orders reserve, bUSD units.
	pub reserved_margin: Balance,
	/// The pending orders.
	pub orders: Vec<OrderView>,
}

/// A pending order as the runtime API reports it.
#[derive(Clone, PartialEq, Eq, Encode, Decode, TypeInfo, Debug)]
pub struct OrderView {
	/// The market.
	pub market: MarketId,
	/// What it does.
	pub action: OrderAction,
	/// The worst fill accepted.
	pub limit_price: Price,
	/// The round it was placed in: it fills at a median of a later round's submissions.
	pub round: RoundIndex,
	/// The round in whose first blocks the hook tries it (the median of the round before is
	/// then the newest).
	pub due_round: RoundIndex,
	/// The block the hook tries it in.
	pub due_block: BlockNumber,
	/// The last round whose median may fill it.
	pub expires_round: RoundIndex,
	/// Initial margin reserved for it.
	pub reserved: Balance,
}

/// A market as the runtime API reports it.
#[derive(Clone, PartialEq, Eq, Encode, Decode, TypeInfo, Debug)]
pub struct MarketView {
	/// Long open interest, bUSD notional at the oracle price.
	pub long_open_interest: Balance,
	/// Short open interest, bUSD notional at the oracle price.
	pub short_open_interest: Balance,
	/// Traders' net size.
	pub skew: SignedSize,
	/// Current daily funding rate (positive: longs pay).
	pub funding_rate: FixedI128,
	/// Cumulative funding index now.
	pub funding_index: FixedI128,
	/// Initial margin fraction now.
	pub initial_margin_fraction: FixedU128,
	/// Maintenance fraction liquidations use now.
	pub effective_mmf: FixedU128,
	/// Maintenance fraction the effective one ramps towards.
	pub target_mmf: FixedU128,
	/// The oracle's status of the market (`None`: never priced).
	pub status: Option<MarketStatus>,
	/// Whether the security monitor restricted the market to reducing trades.
	pub restricted: bool,
	/// Open-interest notional the vault may back.
	pub capacity: Balance,
	/// What custody owes the vault unsettled (negative: the vault owes).
	pub vault_balance: i128,
	/// Traders' unrealized profit in the market (negative: a loss), net of funding.
	pub trader_unrealized_pnl: i128,
	/// Cash the vault can pay traders.
	pub payable_cash: Balance,
	/// Whether `deleverage` may run now: the price is usable and traders' profit exceeds
	/// `adl_trigger` of the vault's payable cash (what keepers check before deleveraging).
	pub deleverage_needed: bool,
	/// The governed parameters.
	pub params: MarginParams,
}

/// A liquidatable account, for keepers.
#[derive(Clone, PartialEq, Eq, Encode, Decode, TypeInfo, Debug)]
pub struct LiquidatableView<AccountId> {
	/// The account.
	pub who: AccountId,
	/// Its equity.
	pub equity: i128,
	/// Its maintenance requirement.
	pub maintenance_margin: Balance,
}

/// An account auto-deleveraging may reduce, for the runtime API.
#[derive(Clone, PartialEq, Eq, Encode, Decode, TypeInfo, Debug)]
pub struct DeleverageCandidate<AccountId> {
	/// The account.
	pub who: AccountId,
	/// Its unrealized profit in the market, net of funding.
	pub profit: i128,
	/// Profit x leverage: the ranking (highest first).
	pub score: FixedU128,
}

/// A trade quote: what the trade would do at the current median. Orders fill at a later one, so
/// it is an estimate.
#[derive(Clone, PartialEq, Eq, Encode, Decode, TypeInfo, Debug)]
pub struct QuoteView {
	/// The fill price.
	pub fill_price: Price,
	/// The fee, bUSD units.
	pub fee: Balance,
	/// PnL the trade realizes (net of the position's funding), bUSD units.
	pub realized_pnl: i128,
	/// Equity after the trade.
	pub equity_after: i128,
	/// Initial margin requirement after the trade.
	pub initial_margin_after: Balance,
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn the_defaults_are_the_design_briefs_and_within_bounds() {
		let params = MarginParams::default();
		assert!(params.validate());
		// 5% initial margin, 60% of it maintenance: 3%.
		assert_eq!(params.base_imf, FixedU128::from_rational(5, 100));
		assert_eq!(
			crate::math::target_maintenance_fraction(params.base_imf, params.maintenance_fraction),
			FixedU128::from_rational(3, 100)
		);
		// 0.06% taker, 0.02% maker, 1.5% penalty, 0.3% keeper up to 100 bUSD.
		assert_eq!(params.taker_fee, Perbill::from_rational(6u32, 10_000u32));
		assert_eq!(params.maker_fee, Perbill::from_rational(2u32, 10_000u32));
		assert_eq!(params.liquidation_penalty, Perbill::from_rational(15u32, 1_000u32));
		assert_eq!(params.keeper_reward, Perbill::from_rational(3u32, 1_000u32));
		assert_eq!(params.max_keeper_reward, 100_000_000);
	}

	#[test]
	fn parameters_outside_their_bounds_or_disagreeing_are_refused() {
		let base = MarginParams::default();
		let bad = [
			MarginParams { base_imf: FixedU128::from_rational(1, 1_000), ..base },
			MarginParams { max_imf: FixedU128::from_rational(4, 100), ..base },
			MarginParams { max_imf: FixedU128::from_rational(11, 10), ..base },
			MarginParams { vol_coeff: FixedU128::from_rational(21, 10), ..base },
			MarginParams { oi_coeff: FixedU128::from_rational(11, 10), ..base },
			MarginParams { maintenance_fraction: Perbill::from_percent(95), ..base },
			MarginParams { mmf_ramp_per_hour: FixedU128::from_rational(1, 10_000), ..base },
			MarginParams { skew_scale: FixedU128::from_rational(1, 2), ..base },
			MarginParams { maker_fee: Perbill::from_percent(1), ..base },
			MarginParams {
				taker_fee: Perbill::from_percent(2),
				maker_fee: Perbill::zero(),
				..base
			},
			MarginParams { max_funding_rate: FixedU128::from_rational(6, 100), ..base },
			MarginParams { liquidation_penalty: Perbill::from_percent(11), ..base },
			MarginParams { keeper_reward: Perbill::from_percent(2), ..base },
			MarginParams { max_keeper_reward: 10_001 * BUSD, ..base },
			MarginParams { critical_fraction: Perbill::from_percent(5), ..base },
			MarginParams { adl_target: Perbill::from_percent(90), ..base },
			MarginParams { min_position_notional: 100_001 * BUSD, ..base },
			MarginParams { liquidation_cap: Perbill::zero(), ..base },
			MarginParams { liquidation_window: 0, ..base },
			MarginParams { liquidation_window: 1_001, ..base },
		];
		for params in bad {
			assert!(!params.validate(), "{params:?}");
		}
	}
}
