//! # Margin pallet
//!
//! The margin engine: margin accounts, perpetual trades against each market's vault, funding,
//! margin that follows volatility, keeper liquidations with the bad-debt waterfall, and
//! auto-deleveraging.
//!
//! ## Accounts
//!
//! One storage item per trader ([`Accounts`]) holds its collateral, at most
//! [`Config::MaxPositions`] positions (market, signed size, entry price, funding index at entry)
//! and at most one pending order per market: a trade reads and writes it once. Collateral is a
//! ledger backed 1:1 by bUSD on the custody account ([`Pallet::custody_account`]), opened at
//! genesis with one existential deposit that never leaves. [`Call::deposit`] moves bUSD in;
//! [`Call::withdraw`] pays it back while equity after the withdrawal covers the initial margin
//! and the margin pending orders reserve, and every market the trader is in has an `Active`
//! price.
//!
//! ## Orders and trades
//!
//! Every trader-chosen fill is an order ([`orders`]): [`Call::place_order`] and
//! [`Call::place_close_order`] write it into the account item, and the hook fills it two oracle
//! rounds later at the first median aggregated from submissions made after it was placed, so
//! nobody trades against a median already public. A pending order cannot be cancelled; an
//! exposure-increasing one reserves its initial margin.
//!
//! An order fills against the market's vault at `fill = oracle x (1 + (skew_before +
//! skew_after) / (2 x skew_scale))`, refused if worse than the trader's limit price. The taker
//! fee is charged on the part that grows |skew|, the maker fee on the part that shrinks it; fees
//! are split between the vault and the market's insurance fund by `fee_insurance_share`.
//! Reducing realizes PnL against the vault, and touching a position settles its funding. A
//! close order closes the whole position by the same rules.
//!
//! ## When trading is allowed
//!
//! At execution (and, for the first three rows, already at placement):
//!
//! | oracle / monitor | exposure-increasing trade (open, grow, flip) | reducing trade |
//! |---|---|---|
//! | `Active` | allowed within the caps and the initial margin | allowed at the fill price |
//! | restricted by the monitor | refused (`ReduceOnly`) | allowed at the fill price |
//! | `Halted` | refused (`ReduceOnly`) | at the worse of median and EMA for the trader, and of the skew fill at it |
//! | `Stale` | refused (`PriceStale`) | refused (`PriceStale`): positions are frozen |
//!
//! An exposure-increasing trade also needs: open interest (longs plus shorts notional) after
//! the trade within the vault's `max_open_interest` when it grows it, |skew| within the vault's
//! `max_skew` notional and within half the skew scale when it grows it, every other market the
//! trader is in `Active`, and equity after the trade at least the initial margin requirement
//! (IMR). Reducing trades never need the IMR. A trade that realizes a profit is refused if the
//! vault could not pay it (`VaultCannotPay`). A trade whose realized loss and funding exceed the
//! collateral is refused (`LossExceedsCollateral`): a trader whose collateral is gone does not
//! care at what price it closes, and through the skew premium that price could be pushed so
//! that insurance and the vault pay for a loss a second account collects; such accounts wait for
//! liquidation (issue 12). Only the fee of closing the last position may be cut to what is left.
//! Fills carry at most a 50% premium either way, so a position can always close.
//!
//! ## Margin that follows volatility
//!
//! Per market `imf = clamp(base_imf + vol_coeff x volatility + oi_coeff x utilization,
//! base_imf, max_imf)`, with the oracle's annualized volatility and utilization = open interest
//! / vault capacity; the target maintenance fraction is `imf x maintenance_fraction`. The IMR
//! follows `imf` at once (no new exposure into a volatility spike). The **effective** maintenance
//! fraction ([`MarketInfo::effective_mmf`]) is brought towards its target every block by
//! `on_initialize`: it falls at once and rises by at most `mmf_ramp_per_hour` per hour. Each
//! position keeps the fraction of when its exposure was added ([`Position::mmf`], a size-weighted
//! mean over additions) and is held to the lower of it (never under the governed base) and the
//! market's: a volatility spike raises the maintenance of exposure added after it only, so
//! volatility alone never makes liquidatable a position the price did not move against. IMR and
//! MMR sum `|size| x price x fraction` over positions; equity is `collateral + unrealized PnL -
//! funding owed`. Dust is refused: a trade leaves a position of at least
//! `min_position_notional`, and an account holds at least [`MinCollateral`] (or nothing).
//!
//! ## Funding
//!
//! Per market the daily rate is `clamp(funding_coeff x skew / skew_scale, +-max_funding_rate)`
//! and a cumulative index accrues `rate x price x elapsed / day` every block (and on every
//! trade). The heavy side pays; the vault, holding the net opposite position, receives the net.
//! A position's funding is `size x (index - index at entry)`, settled when it is traded.
//!
//! ## O(1) aggregates and settlement
//!
//! Per market [`MarketAggregates`] keep long and short size and the sums of `size x entry` and
//! `size x funding index at entry`, so that the [`OpenInterest`] and [`UnrealizedPnl`] this
//! pallet serves to the vaults and insurance are O(1). The vault marks traders at the price of
//! closing the whole skew (oracle plus the average premium), so that opening a position moves
//! its NAV by the fee only and nobody can lift NAV to sell vault shares into it. Funding accrues
//! at the median while the market is `Active` and at the EMA otherwise. Trades move no bUSD: what custody owes
//! the vault and the insurance fund, or the vault owes custody, accrues per market
//! ([`MarketInfo::vault_balance`], [`MarketInfo::insurance_balance`]) and `on_initialize` settles
//! it through [`VaultSettlement`] and [`InsuranceFund`] every block ([`Call::settle`] does it on
//! demand). Invariant (`try_state`): custody's balance = its existential deposit + the sum of
//! collateral + the unsettled balances (more only if someone sent bUSD to custody directly).
//!
//! ## Liquidation
//!
//! [`Call::liquidate`]: anyone may liquidate an account whose equity is below its maintenance
//! requirement, legs whose market is not `Active` valued at the price worse for the trader of
//! median and EMA (no halted or stale leg shields an account). It closes the smallest share of
//! every closeable position that restores the maintenance requirement times (1 +
//! `liquidation_buffer`) on what remains ([`math::liquidation_fraction`]; never the initial
//! margin, which volatility and a restriction raise), or everything below `critical_fraction`
//! of the requirement: every leg at the worse for the trader of its mark (the oracle, or a
//! `Halted` market's conservative mark) and the skew fill at it; `Stale` legs stay open; a leg
//! that would be left below the minimum notional closes in full. Partial liquidations close at
//! most `liquidation_cap` of a market's skew scale per `liquidation_window`. The penalty
//! (`liquidation_penalty` of the notional closed, rounded up, never more than the equity left)
//! pays the keeper `keeper_reward` of the notional, up to `max_keeper_reward`, into its margin
//! account, and the rest to each market's insurance fund. A loss beyond the collateral is bad
//! debt, pro rata over the losing markets, with the keeper's flat `BankruptcyKeeperFee`:
//! insurance covers it into the vault, the vault absorbs the rest
//! ([`VaultSettlement::absorb_bad_debt`]), with an event per market. The runtime API pages
//! liquidatable accounts for keepers, bounded by the accounts it reads.
//!
//! [`Call::deleverage`]: while traders' unrealized profit in a market (as the vault marks it)
//! exceeds `adl_trigger` of the vault's payable cash, anyone may reduce a profitable position
//! there (not the caller's own) at the worse of the oracle and the skew fill for its owner, with
//! no fee, pro rata: by the share of every winner's position that brings the ratio back to
//! `adl_target` (GMX v2's PnL factor), once per position per episode, never realizing more than
//! the vault can pay. The caller picks the order, not who loses how much. The runtime API ranks
//! candidates by profit x leverage (Hyperliquid), a page of accounts at a time.
//!
//! ## Governance
//!
//! [`Call::enable_market`], [`Call::set_market_params`] and [`Call::set_min_collateral`] are the
//! risk origin's: parameters within the hard bounds of [`MarginParams::validate`] (and
//! `MaxMinCollateral`), with an event.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

mod invariants;
mod ledger;
mod liquidation;
mod market;
pub mod math;
pub mod migrations;
pub mod orders;
mod positions;
pub mod runtime_api;
pub mod types;
mod views;
pub mod weights;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

pub use pallet::*;
pub use types::*;
pub use weights::WeightInfo;

use alloc::{collections::btree_map::BTreeMap, vec::Vec};
use bulwark_primitives::{
	Balance, BlockNumber, InsuranceFund, MarginTotals, MarketId, MarketRegistry, MarketRestriction,
	MarketShock, MarketStatus, OpenInterest, Price, PriceFeed, PriceInfo, RoundIndex, ShockReport,
	SignedSize, UnrealizedPnl, VaultSettlement,
};
use frame_support::{
	pallet_prelude::*,
	traits::{
		fungible::{Inspect, Mutate},
		tokens::{Fortitude, Preservation},
	},
	PalletId,
};
use frame_system::pallet_prelude::*;
use sp_arithmetic::{traits::Zero, FixedI128, FixedPointNumber, FixedU128, Rounding};
use sp_runtime::traits::{AccountIdConversion, SaturatedConversion};

const LOG_TARGET: &str = "runtime::margin";

/// What the runtime provides for the benchmarks.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper {
	/// Lists `market` with an `Active` price of `price` and a vault deep enough to back the
	/// benchmark's trades.
	fn setup_market(market: MarketId, price: Price);

	/// Makes `market`'s price `price`, fresh and `Active`, at the current block.
	fn set_price(market: MarketId, price: Price);
}

/// One market of an account as a health check sees it.
#[derive(Clone, Copy, Debug)]
pub struct Mark {
	/// The oracle's price info.
	pub price: PriceInfo,
	/// The funding index now.
	pub index: FixedI128,
	/// Initial margin fraction.
	pub imf: FixedU128,
	/// The market's effective maintenance fraction.
	pub mmf: FixedU128,
	/// The governed floor of a position's own maintenance fraction: `base_imf x
	/// maintenance_fraction`.
	pub mmf_floor: FixedU128,
}

impl Mark {
	/// The maintenance fraction `position` is held to in this market (see
	/// [`math::position_maintenance_fraction`]).
	pub fn maintenance_fraction(&self, position: &Position) -> FixedU128 {
		math::position_maintenance_fraction(position.mmf, self.mmf_floor, self.mmf)
	}
}

/// Equity and margin requirements of an account.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Health {
	/// `collateral + unrealized PnL - funding owed`.
	pub equity: i128,
	/// Initial margin requirement.
	pub initial: Balance,
	/// Maintenance margin requirement.
	pub maintenance: Balance,
}

/// A trade worked out without writing anything: what an executing order stores and the runtime
/// API's quote reports.
pub struct TradePlan<T: Config> {
	/// The trader's account after the trade.
	pub account: MarginAccount<T::MaxPositions>,
	/// The market after the trade.
	pub info: MarketInfo,
	/// Fill price.
	pub fill: Price,
	/// The oracle round whose median the fill is based on.
	pub price_round: RoundIndex,
	/// Fee charged.
	pub fee: Balance,
	/// PnL realized net of the position's funding (positive: paid to the trader).
	pub realized: i128,
	/// Size after the trade.
	pub size_after: SignedSize,
	/// The account's health after the trade, if worked out (exposure-increasing trades and
	/// quotes).
	pub health: Option<Health>,
}

#[frame_support::pallet]
pub mod pallet {
	use super::*;

	/// 1: pending orders in the account item ([`migrations::v1`]).
	pub const STORAGE_VERSION: StorageVersion = StorageVersion::new(1);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// bUSD.
		type Currency: Mutate<Self::AccountId, Balance = Balance>;

		/// Oracle prices, EMA, volatility and status.
		type Prices: PriceFeed;

		/// Listed markets.
		type Markets: MarketRegistry;

		/// Each market's vault: the counterparty, settled in batches.
		type Vaults: VaultSettlement<Self::AccountId>;

		/// Each market's insurance fund: its share of fees.
		type Insurance: InsuranceFund<Self::AccountId>;

		/// Markets the security monitor restricted to reducing trades.
		type Restriction: MarketRestriction;

		/// The risk council: enables markets and sets their parameters.
		type RiskOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// Derives the custody account.
		#[pallet::constant]
		type PalletId: Get<PalletId>;

		/// Most positions one account holds (Drift: 8).
		#[pallet::constant]
		type MaxPositions: Get<u32>;

		/// Most markets enabled for trading.
		#[pallet::constant]
		type MaxMarkets: Get<u32>;

		/// Blocks in an hour: the time unit of the maintenance ramp (a day, 24 of them, is the
		/// funding rate's).
		#[pallet::constant]
		type BlocksPerHour: Get<BlockNumber>;

		/// Blocks in an oracle round (the oracle's `RoundLength`): an order placed in block `b`
		/// is due in block `b + 2 x OracleRoundLength`, when the median of the round after its
		/// own is the newest.
		#[pallet::constant]
		type OracleRoundLength: Get<BlockNumber>;

		/// Most orders due in one block: the hook executes them all before any extrinsic, and
		/// an order that would be due in a full block is refused (`OrderQueueFull`).
		#[pallet::constant]
		type MaxOrdersPerBlock: Get<u32>;

		/// Most rounds an order may wait for its fill (`expires_in_rounds`).
		#[pallet::constant]
		type MaxOrderRounds: Get<RoundIndex>;

		/// Whether order placement is paused (the runtime's emergency brake on `place_order`):
		/// an order placed before the pause that would add to its position is then cancelled
		/// when due (`OrderPlacementPaused`), so that nobody front-runs a visible pause motion
		/// with queued orders; orders that only reduce a position still fill. Read once a block.
		type OrderPlacementPaused: Get<bool>;

		/// The minimum collateral of an account (`MinCollateral`) until the risk origin sets
		/// one: what opening an account locks, so that accounts keepers must read are not free.
		#[pallet::constant]
		type DefaultMinCollateral: Get<Balance>;

		/// Most `set_min_collateral` may set.
		#[pallet::constant]
		type MaxMinCollateral: Get<Balance>;

		/// The flat fee a keeper earns for liquidating an account with bad debt (whose equity
		/// leaves no penalty to pay it from), charged with the bad debt: to insurance, then the
		/// vault. Without it nobody is paid to realize a loss the vault's mark still counts.
		#[pallet::constant]
		type BankruptcyKeeperFee: Get<Balance>;

		/// Weights of the calls and the hook.
		type WeightInfo: WeightInfo;

		/// Benchmark setup.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper;
	}

	/// Margin accounts: collateral and positions.
	#[pallet::storage]
	pub type Accounts<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, MarginAccount<T::MaxPositions>, OptionQuery>;

	/// Markets enabled for trading: parameters, aggregates, funding, maintenance ramp and
	/// unsettled balances.
	#[pallet::storage]
	pub type Markets<T: Config> = StorageMap<_, Twox64Concat, MarketId, MarketInfo, OptionQuery>;

	/// Orders due per block: `(trader, market)` in the order they were placed. The hook of that
	/// block takes the list and executes each (or moves it a round later while the oracle has
	/// no newer median).
	#[pallet::storage]
	pub type OrderQueue<T: Config> = StorageMap<
		_,
		Twox64Concat,
		BlockNumber,
		BoundedVec<(T::AccountId, MarketId), T::MaxOrdersPerBlock>,
		ValueQuery,
	>;

	/// The default of [`MinCollateral`].
	#[pallet::type_value]
	pub fn DefaultMinCollateral<T: Config>() -> Balance {
		T::DefaultMinCollateral::get()
	}

	/// The least collateral an account holds (an existential deposit for margin accounts): a
	/// deposit must leave at least this much, and a withdrawal this much or nothing. An
	/// account a liquidation or a loss leaves below it may only withdraw everything. Set by
	/// the risk origin (`set_min_collateral`), at least bUSD's existential deposit.
	#[pallet::storage]
	pub type MinCollateral<T: Config> =
		StorageValue<_, Balance, ValueQuery, DefaultMinCollateral<T>>;

	/// Collateral moved into escrow for another pallet's pending orders
	/// ([`bulwark_primitives::CollateralLedger`]): held by custody, owed back to traders or, once
	/// an order fills, to a vault and an insurance fund.
	#[pallet::storage]
	pub type Escrowed<T: Config> = StorageValue<_, Balance, ValueQuery>;

	/// The enabled markets, which `on_initialize` refreshes and settles.
	#[pallet::storage]
	pub type EnabledMarkets<T: Config> =
		StorageValue<_, BoundedVec<MarketId, T::MaxMarkets>, ValueQuery>;

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// Markets enabled at genesis, with the default parameters.
		pub markets: Vec<MarketId>,
		#[serde(skip)]
		pub _config: core::marker::PhantomData<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			assert!(Pallet::<T>::open_custody().is_ok(), "the custody account opens");
			for market in &self.markets {
				assert!(
					Pallet::<T>::do_enable_market(*market, MarginParams::default()).is_ok(),
					"a genesis market must be listed and enabled once"
				);
			}
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// bUSD moved into custody and credited as collateral.
		Deposited { who: T::AccountId, amount: Balance },
		/// Collateral paid back.
		Withdrawn { who: T::AccountId, amount: Balance },
		/// An order was placed (or replaced the order of the same round in that market): the
		/// hook tries it in `due_block`, at the median of a round after `round`.
		OrderPlaced {
			who: T::AccountId,
			market: MarketId,
			action: OrderAction,
			limit_price: Price,
			round: RoundIndex,
			due_block: BlockNumber,
			expires_round: RoundIndex,
			reserved: Balance,
			replaced: bool,
		},
		/// An order was removed without a fill: `reason` is the check it failed at execution
		/// (`OrderExpired` when no new median came in time, `OrderQueueFull` when it could not
		/// wait a round longer). Nothing else moved.
		OrderCancelled {
			who: T::AccountId,
			market: MarketId,
			round: RoundIndex,
			reason: DispatchError,
		},
		/// An order filled against the vault, at the median of `price_round` (always after
		/// `order_round`, the round it was placed in).
		Traded {
			who: T::AccountId,
			market: MarketId,
			size_delta: SignedSize,
			fill_price: Price,
			fee: Balance,
			/// PnL realized net of the position's funding (positive: paid to the trader).
			realized_pnl: i128,
			size_after: SignedSize,
			order_round: RoundIndex,
			price_round: RoundIndex,
		},
		/// An account was liquidated: `closed` of every position (10^18 = all), `penalty`
		/// charged, of which `keeper_reward` to the keeper and the rest to insurance.
		Liquidated {
			who: T::AccountId,
			keeper: T::AccountId,
			closed: FixedU128,
			penalty: Balance,
			keeper_reward: Balance,
		},
		/// A liquidated account's loss beyond its collateral in `market` (with its share of the
		/// keeper's flat `BankruptcyKeeperFee`): insurance covered some into the vault, the vault
		/// absorbed the rest.
		BadDebt {
			who: T::AccountId,
			market: MarketId,
			shortfall: Balance,
			covered: Balance,
			absorbed: Balance,
		},
		/// Auto-deleveraging reduced a profitable position by `closed` at the oracle price,
		/// realizing `realized_pnl` (net of its funding).
		Deleveraged { who: T::AccountId, market: MarketId, closed: SignedSize, realized_pnl: i128 },
		/// A market was enabled for trading.
		MarketEnabled { market: MarketId, params: MarginParams },
		/// A market's parameters changed.
		MarketParamsSet { market: MarketId, params: MarginParams },
		/// The minimum collateral of an account changed.
		MinCollateralSet { amount: Balance },
		/// Unsettled balances moved: `vault` from custody to the vault (negative: from the vault
		/// to custody), `insurance` from custody to the insurance fund.
		Settled { market: MarketId, vault: i128, insurance: Balance },
		/// A settlement failed and stays pending (the vault could not pay or take it yet).
		SettlementFailed { market: MarketId, error: DispatchError },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// Amount is zero.
		ZeroAmount,
		/// Size is zero.
		ZeroSize,
		/// The deposit would leave collateral below `MinCollateral`.
		DepositTooSmall,
		/// The custody account is not open (it is opened at genesis).
		CustodyNotOpen,
		/// No margin account: deposit first.
		NoAccount,
		/// More than the collateral.
		InsufficientCollateral,
		/// The market is not enabled for trading.
		MarketNotEnabled,
		/// The market is already enabled.
		MarketAlreadyEnabled,
		/// The market is not listed.
		UnknownMarket,
		/// Too many markets enabled.
		TooManyMarkets,
		/// Parameters outside their hard bounds or disagreeing with each other.
		InvalidParams,
		/// The market never had a price.
		NoPrice,
		/// The market's price is stale: nothing trades until a fresh price.
		PriceStale,
		/// The market is halted or restricted: only reducing trades.
		ReduceOnly,
		/// A market the account is in has no `Active` price.
		PriceNotUsable,
		/// The fill is worse than the limit price.
		LimitPriceExceeded,
		/// The account holds `MaxPositions` positions.
		TooManyPositions,
		/// No position in this market.
		NoPosition,
		/// Equity after would be below the initial margin requirement.
		MarginTooLow,
		/// Open interest after would exceed what the vault may back.
		OpenInterestCapExceeded,
		/// The market's larger side after would exceed what its oracle's security allows: an
		/// attack on its price would win more than it costs (the monitor's oracle ACR floor).
		SecurityCapExceeded,
		/// |Skew| after would exceed what the vault may back, or half the skew scale.
		SkewCapExceeded,
		/// The vault could not pay the profit the trade realizes.
		VaultCannotPay,
		/// The realized loss and funding exceed the collateral: the account waits for
		/// liquidation.
		LossExceedsCollateral,
		/// Custody cannot pay this now: profits the vaults owe are settled within a block.
		SettlementPending,
		/// The account's equity covers its maintenance requirement.
		NotLiquidatable,
		/// Traders' unrealized profit in the market is within `adl_trigger` of the vault's
		/// payable cash: no auto-deleveraging.
		DeleverageNotNeeded,
		/// The position is not in profit: auto-deleveraging reduces winners only.
		NotInProfit,
		/// An account may not deleverage itself.
		SelfDeleverage,
		/// The market has a pending order that can still execute: it fills or expires first (only
		/// an order placed in the same round may be replaced).
		OrderPending,
		/// The block the order would be due in already holds `MaxOrdersPerBlock` orders.
		OrderQueueFull,
		/// `expires_in_rounds` is zero or above `MaxOrderRounds`.
		InvalidExpiry,
		/// The order waited `expires_in_rounds` rounds without a new median (a reason of
		/// `OrderCancelled`, never a call's error).
		OrderExpired,
		/// Arithmetic overflow (absurd sizes or prices).
		Overflow,
		/// The withdrawal would leave the wallet below bUSD's existential deposit (it holds
		/// less): the amount stays collateral.
		BelowExistentialDeposit,
		/// The trade would leave a position below the market's `min_position_notional`: trade
		/// more, or close it in full.
		PositionTooSmall,
		/// The withdrawal would leave collateral below `MinCollateral` (withdraw all of it
		/// instead, once nothing is open).
		BelowMinimumCollateral,
		/// The position was already deleveraged in this auto-deleveraging episode.
		AlreadyDeleveraged,
		/// A market of the account reached its `liquidation_cap` for the window: the partial
		/// liquidation waits for the next.
		LiquidationCapReached,
		/// Order placement is paused and the order would have added to its position (a reason
		/// of `OrderCancelled`, never a call's error).
		OrderPlacementPaused,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		/// Accrues funding, ramps the effective maintenance fraction and settles every enabled
		/// market, then executes the orders due in this block (the oracle, earlier in the
		/// runtime, has aggregated the round that just ended). Each order is charged here, at
		/// its benchmarked weight for the positions of its account.
		fn on_initialize(_: BlockNumberFor<T>) -> Weight {
			let markets = EnabledMarkets::<T>::get();
			let now = Self::now();
			for market in markets.iter() {
				Self::refresh_market(*market, now);
			}
			T::WeightInfo::on_initialize(markets.len().saturated_into())
				.saturating_add(Self::execute_due_orders(now))
		}

		fn integrity_test() {
			assert!(T::BlocksPerHour::get() > 0, "an hour has blocks");
			assert!(T::MaxPositions::get() > 0, "an account may hold a position");
			assert!(T::OracleRoundLength::get() > 0, "a round has blocks");
			assert!(T::MaxOrdersPerBlock::get() > 0, "a block may execute an order");
			assert!(T::MaxOrderRounds::get() > 0, "an order may wait for a round");
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Move `amount` bUSD into custody and credit it as collateral. The collateral after
		/// is at least `MinCollateral`.
		///
		/// Errors: `ZeroAmount`, `DepositTooSmall`, `CustodyNotOpen`, `Overflow`, or the
		/// transfer's. Event: `Deposited`.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::deposit())]
		pub fn deposit(origin: OriginFor<T>, #[pallet::compact] amount: Balance) -> DispatchResult {
			let who = ensure_signed(origin)?;
			ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
			let custody = Self::custody_account();
			ensure!(
				T::Currency::balance(&custody) >= T::Currency::minimum_balance(),
				Error::<T>::CustodyNotOpen
			);
			Accounts::<T>::try_mutate(&who, |maybe| -> DispatchResult {
				let account = maybe.get_or_insert_with(MarginAccount::default);
				account.collateral =
					account.collateral.checked_add(amount).ok_or(Error::<T>::Overflow)?;
				ensure!(account.collateral >= Self::min_collateral(), Error::<T>::DepositTooSmall);
				T::Currency::transfer(&who, &custody, amount, Preservation::Preserve)?;
				Ok(())
			})?;
			Self::deposit_event(Event::Deposited { who, amount });
			Ok(())
		}

		/// Pay `amount` of collateral back. Equity after must cover the margin the pending
		/// orders reserve and, with positions open, the initial margin, and every market of the
		/// account must then have an `Active` price. A wallet must end at bUSD's existential
		/// deposit or more: collateral below it cannot be paid to an empty wallet
		/// (`BelowExistentialDeposit`) and stays the trader's collateral, to withdraw once the
		/// wallet holds the rest of a deposit (or with a later deposit). The collateral after is
		/// at least `MinCollateral`, or zero with nothing open (the account is removed).
		///
		/// Errors: `ZeroAmount`, `NoAccount`, `InsufficientCollateral`, `BelowMinimumCollateral`,
		/// `PriceNotUsable`, `MarginTooLow`, `SettlementPending`, `BelowExistentialDeposit`,
		/// `Overflow`, or the transfer's. Event: `Withdrawn`.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::withdraw(T::MaxPositions::get()))]
		pub fn withdraw(
			origin: OriginFor<T>,
			#[pallet::compact] amount: Balance,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
			let mut account = Accounts::<T>::get(&who).ok_or(Error::<T>::NoAccount)?;
			account.collateral =
				account.collateral.checked_sub(amount).ok_or(Error::<T>::InsufficientCollateral)?;
			ensure!(
				account.collateral >= Self::min_collateral() || account.is_empty(),
				Error::<T>::BelowMinimumCollateral
			);
			let positions = account.positions.len().saturated_into();
			Self::ensure_margin_left(&account)?;
			let custody = Self::custody_account();
			ensure!(
				T::Currency::reducible_balance(&custody, Preservation::Preserve, Fortitude::Polite)
					>= amount,
				Error::<T>::SettlementPending
			);
			ensure!(
				T::Currency::balance(&who).saturating_add(amount) >= T::Currency::minimum_balance(),
				Error::<T>::BelowExistentialDeposit
			);
			T::Currency::transfer(&custody, &who, amount, Preservation::Preserve)?;
			Self::store_account(&who, account);
			Self::deposit_event(Event::Withdrawn { who, amount });
			Ok(Some(T::WeightInfo::withdraw(positions)).into())
		}

		/// Enable a listed `market` for trading, with `params` or the defaults.
		///
		/// Origin: `RiskOrigin`. Errors: `UnknownMarket`, `MarketAlreadyEnabled`,
		/// `TooManyMarkets`, `InvalidParams`. Event: `MarketEnabled`.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::enable_market())]
		pub fn enable_market(
			origin: OriginFor<T>,
			market: MarketId,
			params: Option<MarginParams>,
		) -> DispatchResult {
			T::RiskOrigin::ensure_origin(origin)?;
			Self::do_enable_market(market, params.unwrap_or_default())
		}

		/// Set `market`'s risk parameters within their hard bounds. Funding accrues to now at
		/// the old parameters first.
		///
		/// Origin: `RiskOrigin`. Errors: `MarketNotEnabled`, `InvalidParams`, `Overflow`.
		/// Event: `MarketParamsSet`.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::set_market_params())]
		pub fn set_market_params(
			origin: OriginFor<T>,
			market: MarketId,
			params: MarginParams,
		) -> DispatchResult {
			T::RiskOrigin::ensure_origin(origin)?;
			ensure!(params.validate(), Error::<T>::InvalidParams);
			let mut info = Markets::<T>::get(market).ok_or(Error::<T>::MarketNotEnabled)?;
			let now = Self::now();
			let price = T::Prices::price_info(market);
			if let Some(price) = price {
				info.funding_index = Self::accrued_index(&info, Self::funding_price(&price), now)?;
				info.funding_updated_at = now;
			}
			info.params = params;
			// Liquidations in this block read the fractions the new parameters give.
			if let Some(price) = price {
				let mark = Self::mark(market, &info, price, now)?;
				Self::store_fractions(&mut info, &mark, now);
			}
			Markets::<T>::insert(market, info);
			Self::deposit_event(Event::MarketParamsSet { market, params });
			Ok(())
		}

		/// Set the minimum collateral of an account, `amount`: from bUSD's existential deposit
		/// to `MaxMinCollateral`. Accounts already below it keep what they hold.
		///
		/// Origin: `RiskOrigin`. Errors: `InvalidParams`. Event: `MinCollateralSet`.
		#[pallet::call_index(11)]
		#[pallet::weight(T::WeightInfo::set_min_collateral())]
		pub fn set_min_collateral(
			origin: OriginFor<T>,
			#[pallet::compact] amount: Balance,
		) -> DispatchResult {
			T::RiskOrigin::ensure_origin(origin)?;
			ensure!(
				(T::Currency::minimum_balance()..=T::MaxMinCollateral::get()).contains(&amount),
				Error::<T>::InvalidParams
			);
			MinCollateral::<T>::put(amount);
			Self::deposit_event(Event::MinCollateralSet { amount });
			Ok(())
		}

		/// Liquidate `who`, whose equity is below its maintenance requirement (at the effective,
		/// ramped maintenance fractions; legs whose market is not `Active` at the worse of
		/// median and EMA for the trader). Anyone may call it. Closes the smallest share of every
		/// closeable position that restores the maintenance requirement times (1 +
		/// `liquidation_buffer`) on what remains, or everything below `critical_fraction` of the
		/// maintenance requirement (or when a partial close would leave the collateral negative):
		/// `Active` legs at the worse of oracle and skew fill for the trader, `Halted` legs at
		/// their conservative mark; `Stale` legs stay open (an account of stale legs only, or one
		/// that would end below zero with one, waits: `PriceNotUsable`). A penalty of
		/// `liquidation_penalty` of the notional closed (rounded up), never more than the equity
		/// left, pays the caller `keeper_reward` of the notional (at most `max_keeper_reward`,
		/// credited to the caller's margin account) and the rest to each market's insurance fund.
		/// A loss beyond the collateral is bad debt, pro rata over the losing markets: each
		/// market's insurance covers it into the vault and the vault absorbs the rest; with it
		/// the caller earns the flat `BankruptcyKeeperFee` (charged the same way). A call
		/// refused before any close is worked out (`NoAccount`, `NotLiquidatable`, every leg
		/// stale, `LiquidationCapReached`) is charged its benchmarked weight,
		/// `liquidate_refused`. A partial liquidation closes no more of a market than its
		/// `liquidation_cap` has left in the window; a full close is never delayed and counts.
		///
		/// Errors: `NoAccount`, `NotLiquidatable`, `MarketNotEnabled`, `NoPrice`,
		/// `PriceNotUsable`, `LiquidationCapReached`, `Overflow`. Events: `Liquidated`, and
		/// `BadDebt` per market.
		#[pallet::call_index(7)]
		#[pallet::weight(Pallet::<T>::liquidate_weight(T::MaxPositions::get(), T::MaxPositions::get()))]
		pub fn liquidate(origin: OriginFor<T>, who: T::AccountId) -> DispatchResultWithPostInfo {
			let keeper = ensure_signed(origin)?;
			Self::do_liquidate(keeper, who)
		}

		/// Auto-deleverage `who`'s profitable position in `market`, while traders' unrealized
		/// profit there exceeds `adl_trigger` of the vault's payable cash. Pro rata: the position
		/// is reduced by the share of every winner's position that brings the ratio back to
		/// `adl_target` (the profit to realize over traders' net profit), at most once per
		/// episode (an episode ends at the first block whose refresh finds the profit back
		/// under the trigger); what would be left below the minimum notional closes too. The
		/// caller (anyone but `who`; keepers read candidates from the runtime API) picks the
		/// order, never how much one trader loses. The reduction fills at the worse of the
		/// oracle and the skew fill for the trader, with no fee, and never realizes more profit
		/// than the vault's payable cash.
		///
		/// Errors: `SelfDeleverage`, `MarketNotEnabled`, `NoPrice`, `PriceNotUsable`,
		/// `DeleverageNotNeeded`, `NoAccount`, `NoPosition`, `AlreadyDeleveraged`,
		/// `NotInProfit`, `VaultCannotPay`, `Overflow`. Event: `Deleveraged`.
		#[pallet::call_index(8)]
		#[pallet::weight(T::WeightInfo::deleverage(T::MaxPositions::get()))]
		pub fn deleverage(
			origin: OriginFor<T>,
			market: MarketId,
			who: T::AccountId,
		) -> DispatchResultWithPostInfo {
			let caller = ensure_signed(origin)?;
			Self::do_deleverage(caller, market, who)
		}

		/// Place an order to trade `size_delta` (positive buys, negative sells) in `market`
		/// against its vault, at a fill no worse than `limit_price`. It is written into the
		/// account and filled by the hook of the block two oracle rounds later, at the median
		/// of the submissions of the round after this block's (a price nobody knew when the
		/// order was placed), with the checks and the fill of the pallet doc (skew fill, fees,
		/// limit, IMR at the fill, caps, market status at execution). While the oracle has no
		/// newer median it waits a round at a time, `expires_in_rounds` rounds at most. An
		/// exposure-increasing order reserves its initial margin at the limit price. A pending
		/// order cannot be cancelled; a new order in the same market replaces it only in the
		/// round it was placed in.
		///
		/// Errors: `ZeroSize`, `NoAccount`, `MarketNotEnabled`, `NoPrice`, `PriceStale`,
		/// `ReduceOnly`, `InvalidExpiry`, `OrderPending`, `TooManyPositions`, `MarginTooLow`,
		/// `OrderQueueFull`, `Overflow`. Event: `OrderPlaced`; later `Traded` or
		/// `OrderCancelled` (with the reason).
		#[pallet::call_index(9)]
		#[pallet::weight(T::WeightInfo::place_order(T::MaxPositions::get()))]
		pub fn place_order(
			origin: OriginFor<T>,
			market: MarketId,
			size_delta: SignedSize,
			limit_price: Price,
			expires_in_rounds: RoundIndex,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			ensure!(!size_delta.is_zero(), Error::<T>::ZeroSize);
			Self::do_place_order(
				who,
				market,
				OrderAction::Trade(size_delta),
				limit_price,
				expires_in_rounds,
			)
		}

		/// Place an order to close the whole position in `market` (its size at execution), at
		/// a fill no worse than `limit_price`, by the rules of [`Call::place_order`]. The limit
		/// is not optional: a close without one could be sandwiched through the skew.
		///
		/// Errors: `NoPosition` and those of [`Call::place_order`]. Events: those of
		/// [`Call::place_order`].
		#[pallet::call_index(10)]
		#[pallet::weight(T::WeightInfo::place_order(T::MaxPositions::get()))]
		pub fn place_close_order(
			origin: OriginFor<T>,
			market: MarketId,
			limit_price: Price,
			expires_in_rounds: RoundIndex,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			Self::do_place_order(who, market, OrderAction::Close, limit_price, expires_in_rounds)
		}

		/// Settle `market`'s unsettled balances with its vault and insurance fund now (the
		/// hook does it every block). Anyone may call it, for example before a vault
		/// withdrawal. It leaves the maintenance fraction alone: only the hook moves it, once a
		/// block, so nobody can store a momentarily low target.
		///
		/// Errors: `MarketNotEnabled`. Events: `Settled`, or `SettlementFailed`.
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::settle())]
		pub fn settle(origin: OriginFor<T>, market: MarketId) -> DispatchResult {
			ensure_signed(origin)?;
			let mut info = Markets::<T>::get(market).ok_or(Error::<T>::MarketNotEnabled)?;
			Self::settle_balances(market, &mut info);
			Markets::<T>::insert(market, info);
			Ok(())
		}
	}
}

impl<T: Config> Pallet<T> {
	pub(crate) fn now() -> BlockNumber {
		frame_system::Pallet::<T>::block_number().saturated_into()
	}

	pub(crate) fn hour() -> u64 {
		u64::from(T::BlocksPerHour::get())
	}

	pub(crate) fn day() -> u64 {
		Self::hour().saturating_mul(24)
	}

	/// The least collateral an account holds: `MinCollateral`, never under bUSD's existential
	/// deposit (what a wallet must hold to receive it).
	pub fn min_collateral() -> Balance {
		MinCollateral::<T>::get().max(T::Currency::minimum_balance())
	}

	pub(crate) fn signed(amount: Balance) -> Result<i128, DispatchError> {
		i128::try_from(amount).map_err(|_| Error::<T>::Overflow.into())
	}

	/// The keyless account holding all collateral and unsettled balances.
	pub fn custody_account() -> T::AccountId {
		T::PalletId::get().into_account_truncating()
	}

	/// Opens the custody account with one existential deposit (at genesis), so that paying out
	/// never reaps it and leaves dust.
	pub fn open_custody() -> DispatchResult {
		let custody = Self::custody_account();
		let missing = T::Currency::minimum_balance().saturating_sub(T::Currency::balance(&custody));
		if !missing.is_zero() {
			T::Currency::mint_into(&custody, missing)?;
		}
		Ok(())
	}

	/// Whether `account`, after collateral left it, still covers the initial margin of its
	/// positions and the margin its pending orders reserve, every market it is in having an
	/// `Active` price (a withdrawal's rule).
	pub(crate) fn ensure_margin_left(account: &MarginAccount<T::MaxPositions>) -> DispatchResult {
		let reserved = Self::signed(account.reserved())?;
		if !account.positions.is_empty() {
			let health = Self::health(account, None, true)?;
			let required =
				Self::signed(health.initial)?.checked_add(reserved).ok_or(Error::<T>::Overflow)?;
			ensure!(health.equity >= required, Error::<T>::MarginTooLow);
		} else {
			ensure!(Self::signed(account.collateral)? >= reserved, Error::<T>::MarginTooLow);
		}
		Ok(())
	}

	/// Stores `account`, or removes it once it holds nothing.
	pub(crate) fn store_account(who: &T::AccountId, account: MarginAccount<T::MaxPositions>) {
		if account.is_empty() {
			Accounts::<T>::remove(who);
		} else {
			Accounts::<T>::insert(who, account);
		}
	}
}
