//! Storage types of the options pallet and the governed parameters with their hard bounds.

use crate::math::OptionKind;
use bulwark_primitives::{Balance, MarketId, Price, RoundIndex, SignedSize};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{pallet_prelude::Get, BoundedVec};
use scale_info::TypeInfo;
use sp_arithmetic::{traits::Zero, FixedU128, Perbill};

/// Identifier of a listed series.
pub type SeriesId = u32;

/// A time in milliseconds since the Unix epoch.
pub type Moment = u64;

/// One day in milliseconds.
pub const DAY_MS: Moment = 86_400_000;

/// Governed parameters of options trading, one set for every market (the risk origin's
/// `set_params`, within [`OptionsParams::validate`]).
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
pub struct OptionsParams {
	/// The least annualized volatility an option is priced at, whatever the oracle's estimate
	/// (a calm oracle must not sell cheap insurance).
	pub vol_floor: FixedU128,
	/// `k` of the skew: the implied volatility is `max(oracle vol, floor) x (1 + k x u^2)`,
	/// `u` the vault's use of its delta and vega caps.
	pub skew_coeff: FixedU128,
	/// Fee as a fraction of the notional (the contracts times the price; a binary's notional is
	/// its payout)...
	pub fee_rate: Perbill,
	/// ...at most this fraction of the premium (a cheap option's fee does not exceed its value).
	pub fee_cap: Perbill,
	/// The insurance fund's share of each fee; the vault keeps the rest.
	pub fee_insurance_share: Perbill,
	/// Most notional open in one series, as a fraction of the vault's NAV.
	pub max_series_ratio: Perbill,
	/// Most notional open in all of a market's series, as a fraction of the vault's NAV.
	pub max_options_ratio: Perbill,
	/// Most |net delta| x price of the vault's written options, as a fraction of its NAV.
	pub max_delta_ratio: Perbill,
	/// Most |net vega| (bUSD per 1.00 of volatility) of the vault's written options, as a
	/// fraction of its NAV.
	pub max_vega_ratio: Perbill,
	/// The price move either way at which written options are stressed: the vault holds back
	/// from withdrawals what it would add to their value.
	pub reserve_shock: Perbill,
	/// The least notional of an order, so that settlement does not pay dust holders.
	pub min_order_notional: Balance,
	/// Expiries lie on a grid: `expiry % expiry_grid == expiry_offset` (defaults: every day at
	/// 08:00 UTC, so weekly and monthly series share the daily grid).
	pub expiry_grid: Moment,
	/// The grid's offset from midnight UTC.
	pub expiry_offset: Moment,
	/// The latest expiry a series may be listed with, from now.
	pub max_expiry: Moment,
	/// How far from the price a strike may be listed, either way.
	pub max_strike_distance: Perbill,
	/// The settlement price is the mean of the medians aggregated in this window before expiry
	/// (trading in a series stops when it opens).
	pub settlement_window: Moment,
	/// How long after expiry the risk origin may set a settlement price the oracle could not
	/// give (the window kept being disrupted).
	pub settlement_timeout: Moment,
}

impl Default for OptionsParams {
	fn default() -> Self {
		Self {
			vol_floor: FixedU128::from_rational(3, 10),
			skew_coeff: FixedU128::from_rational(1, 2),
			fee_rate: Perbill::from_parts(300_000),
			fee_cap: Perbill::from_parts(125_000_000),
			fee_insurance_share: Perbill::from_percent(20),
			max_series_ratio: Perbill::from_percent(20),
			max_options_ratio: Perbill::from_percent(100),
			max_delta_ratio: Perbill::from_percent(50),
			max_vega_ratio: Perbill::from_percent(10),
			reserve_shock: Perbill::from_percent(20),
			min_order_notional: 10_000_000,
			expiry_grid: DAY_MS,
			expiry_offset: 8 * 3_600_000,
			max_expiry: 92 * DAY_MS,
			max_strike_distance: Perbill::from_percent(50),
			settlement_window: 1_800_000,
			settlement_timeout: DAY_MS,
		}
	}
}

impl OptionsParams {
	/// The hard bounds: a volatility floor of 1% to 500%, a skew coefficient up to 10, fees up
	/// to 1% of the notional and half the premium, caps of at most the NAV, a shock of at most
	/// 90%, an expiry grid of a minute to a week with the offset inside it, expiries up to 400
	/// days (Derive's longest) and at least one grid step, a settlement window of at least a
	/// second and shorter than the grid, a timeout of at least the window.
	pub fn validate(&self) -> bool {
		let vol =
			(FixedU128::from_rational(1, 100)..=FixedU128::from_u32(5)).contains(&self.vol_floor);
		vol && self.skew_coeff <= FixedU128::from_u32(10)
			&& self.fee_rate <= Perbill::from_percent(1)
			&& self.fee_cap <= Perbill::from_percent(50)
			&& self.reserve_shock <= Perbill::from_percent(90)
			&& !self.reserve_shock.is_zero()
			&& !self.max_series_ratio.is_zero()
			&& !self.max_options_ratio.is_zero()
			&& !self.max_delta_ratio.is_zero()
			&& !self.max_vega_ratio.is_zero()
			&& (60_000..=7 * DAY_MS).contains(&self.expiry_grid)
			&& self.expiry_offset < self.expiry_grid
			&& (self.expiry_grid..=400 * DAY_MS).contains(&self.max_expiry)
			&& (1_000..self.expiry_grid).contains(&self.settlement_window)
			&& self.settlement_timeout >= self.settlement_window
			&& self.settlement_timeout <= 30 * DAY_MS
	}

	/// Whether `expiry` lies on the grid.
	pub fn on_grid(&self, expiry: Moment) -> bool {
		expiry.checked_rem(self.expiry_grid) == Some(self.expiry_offset)
	}
}

/// The vault's net exposure to its written options (its own side: short options have negative
/// delta for calls and negative vega), fixed point (10^18 = 1).
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
pub struct Exposure {
	/// Base units: what the vault's book gains per 1 bUSD rise of the price.
	pub delta: i128,
	/// bUSD: what the vault's book gains per 1.00 rise of the volatility.
	pub vega: i128,
}

/// A market open to options: its strike grid, its live series and the vault's book, valued
/// every oracle round and moved by every fill.
#[derive(
	frame_support::CloneNoBound,
	frame_support::PartialEqNoBound,
	frame_support::EqNoBound,
	frame_support::DebugNoBound,
	Encode,
	Decode,
	MaxEncodedLen,
	TypeInfo,
)]
#[scale_info(skip_type_params(MaxSeries))]
pub struct OptionMarket<MaxSeries: Get<u32>> {
	/// Strikes are multiples of it.
	pub strike_tick: Price,
	/// Listed series, live or settling.
	pub series: BoundedVec<SeriesId, MaxSeries>,
	/// What the written options are worth to their holders (the vault's liability).
	pub written_value: Balance,
	/// The same at the worse of the reserve shock's prices.
	pub stressed_value: Balance,
	/// The vault's net delta and vega.
	pub exposure: Exposure,
	/// Notional open in all series.
	pub open_notional: Balance,
	/// The oracle round of the price the book was last valued at.
	pub valued_round: RoundIndex,
}

/// Where a series is in its life.
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
pub enum SeriesStatus {
	/// Orders fill until the settlement window opens.
	Trading,
	/// Settled at `price`: holders are being paid.
	Settled {
		/// The settlement price.
		price: Price,
	},
}

/// A listed series: options of one kind, strike and expiry on one market.
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
pub struct SeriesInfo {
	/// The oracle market.
	pub market: MarketId,
	/// When it expires (on the grid).
	pub expiry: Moment,
	/// The strike, a multiple of the market's tick.
	pub strike: Price,
	/// Call, put or binary.
	pub kind: OptionKind,
	/// Contracts held (each on one unit of the base asset; a binary's pays 1 bUSD).
	pub open: FixedU128,
	/// Trading or settled.
	pub status: SeriesStatus,
}

/// An order waiting for its fill: to buy (`size > 0`) or sell back contracts.
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
	/// Contracts: positive buys, negative sells back.
	pub contracts: SignedSize,
	/// The most a buy pays, the least a sale receives, per contract.
	pub limit: Price,
	/// The round it was placed in: it fills at the median of a later one.
	pub round: RoundIndex,
	/// The block it is tried in.
	pub due_block: u32,
	/// The last round whose median may fill it.
	pub expires_round: RoundIndex,
	/// Collateral held in escrow for a buy: the premium at the limit and the largest fee.
	pub escrowed: Balance,
}

/// A trader's contracts in one series and its pending order there: one storage item, which an
/// order and a settlement read and write once.
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
pub struct Holding {
	/// Contracts held.
	pub contracts: FixedU128,
	/// The pending order, if any.
	pub order: Option<PendingOrder>,
}

impl Holding {
	/// Whether it holds nothing and can be removed.
	pub fn is_empty(&self) -> bool {
		self.contracts.is_zero() && self.order.is_none()
	}
}

/// The settlement of the series of one market sharing an expiry: the medians sampled in the
/// window, then the price.
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
pub struct ExpiryState {
	/// Series listed with this expiry.
	pub series: u32,
	/// When the current window opened: `expiry - settlement_window` at listing, later if a
	/// stale or halted price restarted it.
	pub window_start: Moment,
	/// Sum of the sampled medians (fixed-point inner values).
	pub sum: u128,
	/// Medians sampled.
	pub samples: u32,
	/// The round of the last sampled median.
	pub last_round: RoundIndex,
	/// Whether `SettlementDelayed` was said (once, in the first block after expiry without a
	/// price).
	pub delayed: bool,
	/// The settlement price, once known.
	pub price: Option<Price>,
}
