//! The options runtime API: series with their model price, implied volatility and greeks, a
//! quote, an account's options and a vault's written book. Every type is in the metadata, so
//! polkadot.js needs no custom types.

use crate::{Moment, OptionKind, PendingOrder, SeriesId, SeriesStatus};
use alloc::vec::Vec;
use bulwark_primitives::{Balance, MarketId, Price, SignedSize};
use codec::{Codec, Decode, Encode};
use scale_info::TypeInfo;
use sp_arithmetic::{FixedI128, FixedU128};
use sp_runtime::DispatchError;

/// A listed series now.
#[derive(Clone, PartialEq, Eq, Encode, Decode, TypeInfo, Debug)]
pub struct SeriesView {
	/// Its identifier.
	pub series: SeriesId,
	/// The oracle market.
	pub market: MarketId,
	/// Expiry, milliseconds since the Unix epoch.
	pub expiry: Moment,
	/// The strike.
	pub strike: Price,
	/// Call, put or binary.
	pub kind: OptionKind,
	/// Contracts held.
	pub open: FixedU128,
	/// Trading or settled.
	pub status: SeriesStatus,
	/// Whether orders are taken (not settled, settlement window not open).
	pub trading: bool,
	/// The model value per contract (the vault's mark): Black-Scholes at the base volatility.
	pub model_price: Price,
	/// The base volatility: the oracle's estimate, at least the floor.
	pub base_vol: FixedU128,
	/// The volatility a buy of one contract would pay now (the skew included).
	pub implied_vol: FixedU128,
	/// Greeks per contract: delta per unit of price, gamma, vega per 1.00 of volatility,
	/// theta per year.
	pub delta: FixedI128,
	/// Gamma per contract.
	pub gamma: FixedI128,
	/// Vega per contract.
	pub vega: FixedI128,
	/// Theta per contract.
	pub theta: FixedI128,
}

/// What an order of a size would fill at now (the real fill is at the next median).
#[derive(Clone, PartialEq, Eq, Encode, Decode, TypeInfo, Debug)]
pub struct QuoteView {
	/// Per contract: paid by a buy, received by a sale.
	pub premium: Price,
	/// `|size| x premium`.
	pub amount: Balance,
	/// The fee on top (buy) or deducted (sale).
	pub fee: Balance,
	/// The model value per contract.
	pub model_price: Price,
	/// What a buy would escrow at this premium as its limit.
	pub escrow_at_premium: Balance,
}

/// A trader's contracts in one series.
#[derive(Clone, PartialEq, Eq, Encode, Decode, TypeInfo, Debug)]
pub struct HoldingView {
	/// The series.
	pub series: SeriesId,
	/// Contracts held.
	pub contracts: FixedU128,
	/// Their model value now (their payout once settled).
	pub value: Balance,
	/// Their delta (base units).
	pub delta: FixedI128,
	/// Their vega (bUSD per 1.00 of volatility).
	pub vega: FixedI128,
	/// The pending order, if any.
	pub order: Option<PendingOrder>,
}

/// A vault's written options.
#[derive(Clone, PartialEq, Eq, Encode, Decode, TypeInfo, Debug)]
pub struct ExposureView {
	/// What the options are worth to their holders (subtracted from NAV).
	pub written_value: Balance,
	/// The same under the reserve shock (its excess is held back from withdrawals).
	pub stressed_value: Balance,
	/// The vault's net delta (base units).
	pub net_delta: FixedI128,
	/// The vault's net vega (bUSD per 1.00 of volatility).
	pub net_vega: FixedI128,
	/// Notional open in all series.
	pub open_notional: Balance,
	/// The vault's NAV.
	pub nav: Balance,
	/// Series listed.
	pub series: u32,
}

sp_api::decl_runtime_apis! {
	/// Options views.
	pub trait OptionsApi<AccountId> where AccountId: Codec {
		/// Listed series of `market` (every market's with `None`), valued now.
		fn series(market: Option<MarketId>) -> Vec<SeriesView>;

		/// What `size` contracts of `series` (negative: a sale back) would fill at now.
		fn quote(series: SeriesId, size: SignedSize) -> Result<QuoteView, DispatchError>;

		/// `who`'s options, valued now.
		fn account(who: AccountId) -> Vec<HoldingView>;

		/// The options `market`'s vault wrote.
		fn vault_exposure(market: MarketId) -> Option<ExposureView>;
	}
}
