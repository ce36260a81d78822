//! # Options pallet
//!
//! European calls and puts and cash-or-nothing binaries on the oracle's markets, written by
//! each market's staking vault and bought by traders, who pay the premium in full from their
//! margin collateral (design brief section 12, part 1; traders writing options with portfolio
//! margin is part 2).
//!
//! ## Series
//!
//! The risk origin opens a market to options ([`Call::enable_market`], with its strike tick)
//! and lists series ([`Call::list_series`]): (market, expiry, strike, kind), the expiry on a
//! governed grid (by default every day at 08:00 UTC, so weekly and monthly series share the
//! daily grid) within `max_expiry`, the strike a multiple of the tick within
//! `max_strike_distance` of the price; at most `MaxSeriesPerMarket` per market.
//!
//! ## Buying and selling back
//!
//! [`Call::place_order`] buys contracts (or sells back held ones) as a margin order does: it is
//! filled by the hook two oracle rounds later at the median of the submissions made after it was
//! placed ([`orders`]), so nobody trades against a price already public. A buy escrows the
//! premium at its limit and the largest fee from the trader's margin collateral, by a
//! withdrawal's rules; a pending order cannot be cancelled. The fill prices the option by
//! Black-Scholes at the oracle's price and a skewed volatility ([`pricing`]): the buyer pays the
//! premium plus a fee (`fee_rate` of the notional, at most `fee_cap` of the premium), split
//! between the vault and the market's insurance fund; a seller receives the model's bid less
//! the fee. A buy is refused over the caps: the series' and the market's open notional, the
//! vault's net delta and net vega, each a governed fraction of the vault's NAV. Trading in a
//! series stops when its settlement window opens: a trader who knew part of the average would
//! hold a free option on the rest.
//!
//! | oracle / monitor | buy | sell back |
//! |---|---|---|
//! | `Active` | within the caps | at the bid |
//! | restricted by the monitor | refused (`ReduceOnly`) | at the bid |
//! | `Halted` | refused (`ReduceOnly`) | at the lower of the bids at the median and the EMA |
//! | `Stale` | refused (`PriceStale`) | refused (`PriceStale`) |
//!
//! ## The vault as writer
//!
//! The vault is every buyer's counterparty. Its book per market ([`OptionMarket`]): what the
//! written options are worth to their holders at the model price, the same under the governed
//! `reserve_shock` either way, its net delta and vega, and the open notional, revalued in the
//! hook whenever the oracle aggregates a new median and moved by every fill, so that the vaults
//! read it in O(1) ([`WrittenOptions`]): NAV subtracts the value (stakers leaving take their
//! share of the liability with them, unbonding or not) and the shock's excess is held back from
//! withdrawals. No bUSD moves per trade: premiums, fees and payouts are ledgers of the margin
//! engine's custody ([`CollateralLedger`]), which it settles with the vault and the insurance
//! fund every block.
//!
//! ## Settlement
//!
//! The series of a market sharing an expiry settle at the mean of the medians aggregated in the
//! `settlement_window` before it (Derive: a 30-minute TWAP). A `Stale` or `Halted` price in the
//! window restarts it, and the series settle once a full window of `Active` medians has passed
//! (`SettlementDelayed` when that is after expiry). Once `settlement_timeout` has passed after
//! expiry without a price, the risk origin may set one ([`Call::set_settlement_price`]).
//! Holders are then paid into their margin collateral, owed by the vault, at most
//! `MaxPayoutsPerBlock` a block; a series whose holders are all paid is removed.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub mod math;
pub mod orders;
pub mod pricing;
pub mod runtime_api;
mod settlement;
pub mod types;
mod views;
pub mod weights;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

pub use math::OptionKind;
pub use pallet::*;
pub use types::*;
pub use weights::WeightInfo;

use bulwark_primitives::{
	Balance, BlockNumber, CollateralLedger, MarketId, MarketRestriction, MarketStatus, Price,
	PriceFeed, RoundIndex, SignedSize, VaultSettlement, WrittenOptions,
};
use frame_support::{
	pallet_prelude::*,
	traits::{Get, UnixTime},
};
use frame_system::pallet_prelude::*;
use sp_arithmetic::{traits::Zero, FixedPointNumber, FixedU128};
use sp_runtime::traits::SaturatedConversion;

const LOG_TARGET: &str = "runtime::options";

/// What the runtime provides for the benchmarks.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<AccountId> {
	/// Lists `market` with an `Active` price of `price`, a margin market and a vault deep
	/// enough for the benchmark's trades.
	fn setup_market(market: MarketId, price: Price);

	/// Makes `market`'s price `price`, fresh and `Active`, from the current round (in an
	/// order's due block: a round after the order's).
	fn set_price(market: MarketId, price: Price);

	/// Gives `who` `amount` of margin collateral and `positions` perpetual positions (each in
	/// its own market, marked by the escrow's margin check).
	fn fund(who: &AccountId, amount: Balance, positions: u32);

	/// Sets the wall clock to `time` (milliseconds since the Unix epoch).
	fn set_time(time: Moment);
}

/// The bound of the series being paid out: every series of every market.
pub struct MaxSettling<T>(core::marker::PhantomData<T>);
impl<T: Config> Get<u32> for MaxSettling<T> {
	fn get() -> u32 {
		T::MaxMarkets::get().saturating_mul(T::MaxSeriesPerMarket::get())
	}
}

#[frame_support::pallet]
pub mod pallet {
	use super::*;

	#[pallet::pallet]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// Oracle prices, volatility and status.
		type Prices: PriceFeed;

		/// The markets' vaults: their NAV, which the caps are fractions of.
		type Vaults: VaultSettlement<Self::AccountId>;

		/// Margin collateral: premiums escrowed and paid, payouts credited.
		type Collateral: CollateralLedger<Self::AccountId>;

		/// Markets the security monitor restricted to reducing trades: no buys there.
		type Restriction: MarketRestriction;

		/// Wall-clock time (`pallet-timestamp`): expiries are times.
		type Time: UnixTime;

		/// The risk council: opens markets, lists series, sets parameters and late settlement
		/// prices.
		type RiskOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// Most markets open to options.
		#[pallet::constant]
		type MaxMarkets: Get<u32>;

		/// Most series listed per market, live or being paid out.
		#[pallet::constant]
		type MaxSeriesPerMarket: Get<u32>;

		/// Blocks in an oracle round: an order placed in block `b` is due in `b + 2 x` this.
		#[pallet::constant]
		type OracleRoundLength: Get<BlockNumber>;

		/// Most orders due in one block.
		#[pallet::constant]
		type MaxOrdersPerBlock: Get<u32>;

		/// Most rounds an order may wait for its fill.
		#[pallet::constant]
		type MaxOrderRounds: Get<RoundIndex>;

		/// Most holders paid per block.
		#[pallet::constant]
		type MaxPayoutsPerBlock: Get<u32>;

		/// Most positions a margin account holds: a buy's escrow marks each for the initial
		/// margin, so the order is charged for that many.
		#[pallet::constant]
		type MaxMarginPositions: Get<u32>;

		/// Weights of the calls and the hook.
		type WeightInfo: WeightInfo;

		/// Benchmark setup.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper<Self::AccountId>;
	}

	/// The governed parameters.
	#[pallet::storage]
	pub type Params<T: Config> = StorageValue<_, OptionsParams, ValueQuery>;

	/// Markets open to options: strike tick, series and the vault's book.
	#[pallet::storage]
	pub type OptionMarkets<T: Config> =
		StorageMap<_, Twox64Concat, MarketId, OptionMarket<T::MaxSeriesPerMarket>, OptionQuery>;

	/// The markets open to options, which the hook values and settles.
	#[pallet::storage]
	pub type EnabledMarkets<T: Config> =
		StorageValue<_, BoundedVec<MarketId, T::MaxMarkets>, ValueQuery>;

	/// Listed series.
	#[pallet::storage]
	pub type Series<T: Config> = StorageMap<_, Twox64Concat, SeriesId, SeriesInfo, OptionQuery>;

	/// The next series' identifier.
	#[pallet::storage]
	pub type NextSeriesId<T: Config> = StorageValue<_, SeriesId, ValueQuery>;

	/// Traders' contracts and pending orders, per series.
	#[pallet::storage]
	pub type Holdings<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		SeriesId,
		Blake2_128Concat,
		T::AccountId,
		Holding,
		OptionQuery,
	>;

	/// Orders due per block, in the order they were placed.
	#[pallet::storage]
	pub type OrderQueue<T: Config> = StorageMap<
		_,
		Twox64Concat,
		BlockNumber,
		BoundedVec<(T::AccountId, SeriesId), T::MaxOrdersPerBlock>,
		ValueQuery,
	>;

	/// Per market and expiry: the settlement window's samples, then the price.
	#[pallet::storage]
	pub type Expiries<T: Config> =
		StorageDoubleMap<_, Twox64Concat, MarketId, Twox64Concat, Moment, ExpiryState, OptionQuery>;

	/// Settled series whose holders are being paid, oldest first.
	#[pallet::storage]
	pub type SettlingSeries<T: Config> =
		StorageValue<_, BoundedVec<SeriesId, MaxSettling<T>>, ValueQuery>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A market was opened to options.
		MarketEnabled { market: MarketId, strike_tick: Price },
		/// The parameters changed.
		ParamsSet { params: OptionsParams },
		/// A series was listed.
		SeriesListed {
			series: SeriesId,
			market: MarketId,
			expiry: Moment,
			strike: Price,
			kind: OptionKind,
		},
		/// An order was placed (or replaced the order of the same round): tried in `due_block`
		/// at the median of a round after `round`.
		OrderPlaced {
			who: T::AccountId,
			series: SeriesId,
			contracts: SignedSize,
			limit: Price,
			round: RoundIndex,
			due_block: BlockNumber,
			escrowed: Balance,
			replaced: bool,
		},
		/// An order was removed without a fill (`reason`: the check it failed); its escrow went
		/// back to the trader's collateral.
		OrderCancelled { who: T::AccountId, series: SeriesId, reason: DispatchError },
		/// An order filled: `contracts` (negative: sold back) at `premium` each, `amount`
		/// in all, plus (buy) or less (sale) `fee`.
		Traded {
			who: T::AccountId,
			series: SeriesId,
			contracts: SignedSize,
			premium: Price,
			amount: Balance,
			fee: Balance,
			order_round: RoundIndex,
			price_round: RoundIndex,
		},
		/// A stale or halted price restarted the settlement window of an expiry: it settles a
		/// full window of `Active` medians after `window_start`.
		SettlementWindowRestarted { market: MarketId, expiry: Moment, window_start: Moment },
		/// An expiry passed without a full window of `Active` medians: its series settle once
		/// there is one, or at the price the risk origin sets after the timeout.
		SettlementDelayed { market: MarketId, expiry: Moment },
		/// The series of an expiry settled at `price`, the mean of `samples` medians (0: set by
		/// the risk origin).
		ExpirySettled { market: MarketId, expiry: Moment, price: Price, samples: u32 },
		/// A holder was paid `payout` for `contracts` of a settled series (0 for an
		/// option expired worthless).
		PaidOut { who: T::AccountId, series: SeriesId, contracts: FixedU128, payout: Balance },
		/// A payout failed and waits for the next block.
		PayoutFailed { who: T::AccountId, series: SeriesId, error: DispatchError },
		/// A settled series whose holders were all paid was removed.
		SeriesRemoved { series: SeriesId },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The oracle does not know the market.
		UnknownMarket,
		/// The market is not open to options.
		MarketNotEnabled,
		/// The market is already open to options.
		MarketAlreadyEnabled,
		/// `MaxMarkets` markets are open to options.
		TooManyMarkets,
		/// Parameters outside their hard bounds.
		InvalidParams,
		/// The strike is not a positive multiple of the tick, or too far from the price.
		InvalidStrike,
		/// The expiry is off the grid, too close (inside the settlement window) or too far.
		InvalidExpiry,
		/// The same series is listed already.
		SeriesExists,
		/// The market lists `MaxSeriesPerMarket` series.
		TooManySeries,
		/// No such series.
		UnknownSeries,
		/// The market never had a price.
		NoPrice,
		/// The market's price is stale: nothing trades.
		PriceStale,
		/// The market is halted or restricted: only sales back.
		ReduceOnly,
		/// The series' settlement window has opened (or it settled): no more trading.
		TradingClosed,
		/// The size is zero.
		ZeroSize,
		/// The order's notional is below `min_order_notional` (a sale of the whole holding is
		/// always allowed).
		OrderTooSmall,
		/// A sale of more contracts than held.
		InsufficientHolding,
		/// A pending order from an earlier round: it fills or expires first.
		OrderPending,
		/// The block the order would be due in is full.
		OrderQueueFull,
		/// `expires_in_rounds` is zero or above `MaxOrderRounds`.
		InvalidOrderExpiry,
		/// The order waited `expires_in_rounds` rounds without a new median (a reason of
		/// `OrderCancelled`).
		OrderExpired,
		/// The premium is worse than the limit.
		LimitPriceExceeded,
		/// The series' open notional would exceed its cap.
		SeriesCapExceeded,
		/// The market's open option notional would exceed its cap.
		MarketCapExceeded,
		/// The vault's net delta would exceed its cap.
		DeltaCapExceeded,
		/// The vault's net vega would exceed its cap.
		VegaCapExceeded,
		/// The option could not be priced (absurd inputs).
		PricingFailed,
		/// The expiry is not listed in the market.
		UnknownExpiry,
		/// The expiry is settled already.
		AlreadySettled,
		/// The settlement timeout after expiry has not passed: the oracle's window settles it.
		SettlementTimeoutNotReached,
		/// Arithmetic overflow.
		Overflow,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		/// Fills the orders due in this block (the oracle, earlier in the runtime, aggregated
		/// the round that just ended), then per market samples settlement windows, settles
		/// expiries and revalues the vault's book when the median is new, then pays holders of
		/// settled series, at most `MaxPayoutsPerBlock`.
		fn on_initialize(_: BlockNumberFor<T>) -> Weight {
			let now = Self::now();
			let markets = EnabledMarkets::<T>::get();
			if markets.is_empty() {
				// Nothing listed, so nothing queued or settling.
				return T::DbWeight::get().reads(1);
			}
			// The clock of the block before (the timestamp inherent runs after this hook).
			let time = Self::time();
			let mut weight = Self::execute_due_orders(now, time);
			for market in markets {
				weight = weight.saturating_add(Self::refresh_market(market, time));
			}
			weight.saturating_add(Self::pay_out())
		}

		fn integrity_test() {
			assert!(T::OracleRoundLength::get() > 0, "a round has blocks");
			assert!(T::MaxOrdersPerBlock::get() > 0, "a block may execute an order");
			assert!(T::MaxOrderRounds::get() > 0, "an order may wait for a round");
			assert!(T::MaxPayoutsPerBlock::get() > 0, "a block may pay a holder");
			assert!(OptionsParams::default().validate(), "the default parameters are valid");
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Open `market` to options, strikes on multiples of `strike_tick`.
		///
		/// Origin: `RiskOrigin`. Errors: `UnknownMarket`, `MarketAlreadyEnabled`,
		/// `TooManyMarkets`, `InvalidParams` (a zero tick). Event: `MarketEnabled`.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::enable_market())]
		pub fn enable_market(
			origin: OriginFor<T>,
			market: MarketId,
			strike_tick: Price,
		) -> DispatchResult {
			T::RiskOrigin::ensure_origin(origin)?;
			ensure!(!strike_tick.is_zero(), Error::<T>::InvalidParams);
			ensure!(T::Prices::price_info(market).is_some(), Error::<T>::UnknownMarket);
			ensure!(!OptionMarkets::<T>::contains_key(market), Error::<T>::MarketAlreadyEnabled);
			EnabledMarkets::<T>::try_append(market).map_err(|_| Error::<T>::TooManyMarkets)?;
			OptionMarkets::<T>::insert(
				market,
				OptionMarket {
					strike_tick,
					series: BoundedVec::new(),
					written_value: 0,
					stressed_value: 0,
					exposure: Exposure::default(),
					open_notional: 0,
					valued_round: 0,
				},
			);
			Self::deposit_event(Event::MarketEnabled { market, strike_tick });
			Ok(())
		}

		/// Set the parameters, within [`OptionsParams::validate`]. Listed series keep their
		/// expiries; the caps and prices apply from the next fill.
		///
		/// Origin: `RiskOrigin`. Errors: `InvalidParams`. Event: `ParamsSet`.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::set_params())]
		pub fn set_params(origin: OriginFor<T>, params: OptionsParams) -> DispatchResult {
			T::RiskOrigin::ensure_origin(origin)?;
			ensure!(params.validate(), Error::<T>::InvalidParams);
			Params::<T>::put(params);
			Self::deposit_event(Event::ParamsSet { params });
			Ok(())
		}

		/// List a series of `market`: `kind` options struck at `strike`, expiring at `expiry`
		/// (milliseconds since the Unix epoch, on the grid, after the settlement window from now
		/// and within `max_expiry`), the strike a multiple of the market's tick within
		/// `max_strike_distance` of the price.
		///
		/// Origin: `RiskOrigin`. Errors: `MarketNotEnabled`, `NoPrice`, `PriceStale`,
		/// `InvalidExpiry`, `InvalidStrike`, `SeriesExists`, `TooManySeries`, `Overflow`.
		/// Event: `SeriesListed`.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::list_series(T::MaxSeriesPerMarket::get()))]
		pub fn list_series(
			origin: OriginFor<T>,
			market: MarketId,
			#[pallet::compact] expiry: Moment,
			strike: Price,
			kind: OptionKind,
		) -> DispatchResultWithPostInfo {
			T::RiskOrigin::ensure_origin(origin)?;
			Self::do_list_series(market, expiry, strike, kind)
		}

		/// Buy `size` contracts of `series` (negative: sell back held ones), at a premium per
		/// contract no worse than `limit` (the most a buy pays, the least a sale receives). The
		/// order is filled by the hook two oracle rounds later at the median of the round after
		/// this one, waiting a round at a time while there is none, `expires_in_rounds` rounds
		/// at most (see the pallet doc for the price and the checks at the fill). A buy escrows
		/// `size x limit` and the largest fee from the margin collateral by a withdrawal's rules
		/// and needs a notional of `min_order_notional`. A pending order cannot be cancelled; a
		/// new order in the series replaces it only within the round it was placed in.
		///
		/// Errors: `ZeroSize`, `InvalidOrderExpiry`, `UnknownSeries`, `TradingClosed`, `NoPrice`,
		/// `PriceStale`, `ReduceOnly`, `OrderTooSmall`, `InsufficientHolding`, `OrderPending`,
		/// `OrderQueueFull`, `Overflow`, or the escrow's (margin's `NoAccount`, `MarginTooLow`,
		/// ...). Event: `OrderPlaced`; later `Traded` or `OrderCancelled`.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::place_order(T::MaxMarginPositions::get()))]
		pub fn place_order(
			origin: OriginFor<T>,
			series: SeriesId,
			size: SignedSize,
			limit: Price,
			expires_in_rounds: RoundIndex,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_place_order(who, series, size, limit, expires_in_rounds)
		}

		/// Set the settlement price of `market`'s series expiring at `expiry`, which the oracle
		/// could not give: only once `settlement_timeout` has passed after expiry.
		///
		/// Origin: `RiskOrigin`. Errors: `UnknownExpiry`, `AlreadySettled`,
		/// `SettlementTimeoutNotReached`, `InvalidParams` (a zero price). Event: `ExpirySettled`
		/// with no samples.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::set_settlement_price(T::MaxSeriesPerMarket::get()))]
		pub fn set_settlement_price(
			origin: OriginFor<T>,
			market: MarketId,
			#[pallet::compact] expiry: Moment,
			price: Price,
		) -> DispatchResult {
			T::RiskOrigin::ensure_origin(origin)?;
			ensure!(!price.is_zero(), Error::<T>::InvalidParams);
			let state = Expiries::<T>::get(market, expiry).ok_or(Error::<T>::UnknownExpiry)?;
			ensure!(state.price.is_none(), Error::<T>::AlreadySettled);
			let params = Params::<T>::get();
			ensure!(
				Self::time() >= expiry.saturating_add(params.settlement_timeout),
				Error::<T>::SettlementTimeoutNotReached
			);
			Self::settle_expiry(market, expiry, state, price, 0);
			Ok(())
		}
	}
}

impl<T: Config> Pallet<T> {
	pub(crate) fn now() -> BlockNumber {
		frame_system::Pallet::<T>::block_number().saturated_into()
	}

	/// Milliseconds since the Unix epoch.
	pub(crate) fn time() -> Moment {
		T::Time::now().as_millis().saturated_into()
	}

	pub(crate) fn do_list_series(
		market: MarketId,
		expiry: Moment,
		strike: Price,
		kind: OptionKind,
	) -> DispatchResultWithPostInfo {
		let mut info = OptionMarkets::<T>::get(market).ok_or(Error::<T>::MarketNotEnabled)?;
		let params = Params::<T>::get();
		let now = Self::time();
		ensure!(
			params.on_grid(expiry)
				&& expiry > now.saturating_add(params.settlement_window)
				&& expiry <= now.saturating_add(params.max_expiry),
			Error::<T>::InvalidExpiry
		);
		let price = T::Prices::price_info(market).ok_or(Error::<T>::NoPrice)?;
		ensure!(price.status != MarketStatus::Stale, Error::<T>::PriceStale);
		let tick = info.strike_tick.into_inner();
		let distance = params.max_strike_distance.mul_floor(price.price.into_inner());
		ensure!(
			!strike.is_zero()
				&& strike.into_inner().checked_rem(tick) == Some(0)
				&& strike.into_inner().abs_diff(price.price.into_inner()) <= distance,
			Error::<T>::InvalidStrike
		);
		let listed = info.series.len().saturated_into::<u32>();
		for id in info.series.iter() {
			let same = Series::<T>::get(id)
				.is_some_and(|s| s.expiry == expiry && s.strike == strike && s.kind == kind);
			ensure!(!same, Error::<T>::SeriesExists);
		}
		let id = NextSeriesId::<T>::get();
		info.series.try_push(id).map_err(|_| Error::<T>::TooManySeries)?;
		NextSeriesId::<T>::put(id.checked_add(1).ok_or(Error::<T>::Overflow)?);
		let mut state = Expiries::<T>::get(market, expiry).unwrap_or(ExpiryState {
			window_start: expiry.saturating_sub(params.settlement_window),
			..Default::default()
		});
		state.series = state.series.saturating_add(1);
		Expiries::<T>::insert(market, expiry, state);
		Series::<T>::insert(
			id,
			SeriesInfo {
				market,
				expiry,
				strike,
				kind,
				open: FixedU128::zero(),
				status: SeriesStatus::Trading,
			},
		);
		OptionMarkets::<T>::insert(market, info);
		Self::deposit_event(Event::SeriesListed { series: id, market, expiry, strike, kind });
		Ok(Some(T::WeightInfo::list_series(listed)).into())
	}
}

impl<T: Config> WrittenOptions for Pallet<T> {
	fn written_value(market: MarketId) -> Balance {
		OptionMarkets::<T>::get(market).map_or(0, |m| m.written_value)
	}

	fn stressed_value(market: MarketId) -> Balance {
		OptionMarkets::<T>::get(market).map_or(0, |m| m.stressed_value)
	}

	fn value_at(market: MarketId, price: Price) -> Balance {
		let (Some(book), Some(info)) =
			(OptionMarkets::<T>::get(market), T::Prices::price_info(market))
		else {
			return 0;
		};
		Self::book_value_at(&book, price, &info, &Params::<T>::get(), Self::time())
	}

	/// A revaluation of the most series (three valuations a series; this is one) for each market
	/// that can have a book, and two reads (its book, its price) for each market.
	fn value_at_weight(markets: u32) -> Weight {
		let books = markets.min(T::MaxMarkets::get());
		T::WeightInfo::revalue(T::MaxSeriesPerMarket::get())
			.saturating_mul(u64::from(books))
			.saturating_add(T::DbWeight::get().reads(u64::from(markets).saturating_mul(2)))
	}
}
