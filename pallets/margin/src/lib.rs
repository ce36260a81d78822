//! # Margin pallet
//!
//! The margin engine: margin accounts, perpetual trades against each market's vault, funding,
//! margin that follows volatility, keeper liquidations with the bad-debt waterfall, and
//! auto-deleveraging.
//!
//! ## Accounts
//!
//! One storage item per trader ([`Accounts`]) holds its collateral and at most
//! [`Config::MaxPositions`] positions (market, signed size, entry price, funding index at entry):
//! a trade reads and writes it once. Collateral is a ledger backed 1:1 by bUSD on the custody
//! account ([`Pallet::custody_account`]), opened at genesis with one existential deposit that
//! never leaves. [`Call::deposit`] moves bUSD in; [`Call::withdraw`] pays it back while equity
//! after the withdrawal covers the initial margin and every market the trader is in has an
//! `Active` price.
//!
//! ## Trades
//!
//! [`Call::trade`] fills against the market's vault at `fill = oracle x (1 + (skew_before +
//! skew_after) / (2 x skew_scale))`, refused if worse than the trader's limit price. The taker
//! fee is charged on the part that grows |skew|, the maker fee on the part that shrinks it; fees
//! are split between the vault and the market's insurance fund by `fee_insurance_share`.
//! Reducing realizes PnL against the vault, and touching a position settles its funding.
//! [`Call::close`] closes a whole position by the same rules.
//!
//! ## When trading is allowed
//!
//! | oracle / monitor | exposure-increasing trade (open, grow, flip) | reducing trade |
//! |---|---|---|
//! | `Active` | allowed within the caps and the initial margin | allowed at the fill price |
//! | restricted by the monitor | refused (`ReduceOnly`) | allowed at the fill price |
//! | `Halted` | refused (`ReduceOnly`) | at the worse of median and EMA for the trader, no premium |
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
//! `on_initialize`: it falls at once and rises by at most `mmf_ramp_per_hour` per hour, so a
//! volatility spike alone never makes liquidatable a position the price did not move against.
//! IMR and MMR sum `|size| x price x fraction` over positions; equity is `collateral + unrealized
//! PnL - funding owed`.
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
//! requirement, while every market it is in has an `Active` price. It closes at the oracle
//! price, with no premium, the smallest share of every position that restores the initial
//! margin on what remains ([`math::liquidation_fraction`]), or everything below
//! `critical_fraction` of the requirement. The penalty (`liquidation_penalty` of the notional
//! closed, never more than the equity left) pays the keeper `keeper_reward` of the notional, up
//! to `max_keeper_reward`, into its margin account, and the rest to the market's insurance
//! fund. A loss beyond the collateral is bad debt: insurance covers it into the vault, the vault
//! absorbs the rest ([`VaultSettlement::absorb_bad_debt`]), with an event per market. The
//! runtime API pages liquidatable accounts for keepers.
//!
//! [`Call::deleverage`]: while traders' unrealized profit in a market (as the vault marks it)
//! exceeds `adl_trigger` of the vault's payable cash, anyone may reduce a profitable position
//! there (not the caller's own) at the worse of the oracle and the skew fill for its owner, with
//! no fee, by what brings the ratio back to `adl_target` (GMX v2's PnL factor), never realizing
//! more than the vault can pay. The runtime API ranks candidates by profit x leverage
//! (Hyperliquid).
//!
//! ## Governance
//!
//! [`Call::enable_market`] and [`Call::set_market_params`] are the risk origin's: parameters
//! within the hard bounds of [`MarginParams::validate`], with an event.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub mod math;
pub mod runtime_api;
pub mod types;
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
	MarketShock, MarketStatus, OpenInterest, Price, PriceFeed, PriceInfo, ShockReport, SignedSize,
	UnrealizedPnl, VaultSettlement,
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
	/// Effective maintenance fraction.
	pub mmf: FixedU128,
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

/// A trade worked out without writing anything: what [`Call::trade`] stores and the runtime
/// API's quote reports.
pub struct TradePlan<T: Config> {
	/// The trader's account after the trade.
	pub account: MarginAccount<T::MaxPositions>,
	/// The market after the trade.
	pub info: MarketInfo,
	/// Fill price.
	pub fill: Price,
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

	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

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
		/// A trade filled against the vault.
		Traded {
			who: T::AccountId,
			market: MarketId,
			size_delta: SignedSize,
			fill_price: Price,
			fee: Balance,
			/// PnL realized net of the position's funding (positive: paid to the trader).
			realized_pnl: i128,
			size_after: SignedSize,
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
		/// A liquidated account's loss beyond its collateral in `market`: insurance covered
		/// some into the vault, the vault absorbed the rest.
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
		/// A new account's first deposit is below bUSD's existential deposit.
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
		/// Arithmetic overflow (absurd sizes or prices).
		Overflow,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		/// Accrues funding, ramps the effective maintenance fraction and settles every enabled
		/// market.
		fn on_initialize(_: BlockNumberFor<T>) -> Weight {
			let markets = EnabledMarkets::<T>::get();
			let now = Self::now();
			for market in markets.iter() {
				Self::refresh_market(*market, now);
			}
			T::WeightInfo::on_initialize(markets.len().saturated_into())
		}

		fn integrity_test() {
			assert!(T::BlocksPerHour::get() > 0, "an hour has blocks");
			assert!(T::MaxPositions::get() > 0, "an account may hold a position");
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Move `amount` bUSD into custody and credit it as collateral. A new account's first
		/// deposit is at least bUSD's existential deposit.
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
				let account = match maybe {
					Some(account) => account,
					None => {
						ensure!(
							amount >= T::Currency::minimum_balance(),
							Error::<T>::DepositTooSmall
						);
						maybe.insert(MarginAccount::default())
					},
				};
				account.collateral =
					account.collateral.checked_add(amount).ok_or(Error::<T>::Overflow)?;
				T::Currency::transfer(&who, &custody, amount, Preservation::Preserve)?;
				Ok(())
			})?;
			Self::deposit_event(Event::Deposited { who, amount });
			Ok(())
		}

		/// Pay `amount` of collateral back. With positions open, equity after must cover the
		/// initial margin and every market of the account must have an `Active` price.
		///
		/// Errors: `ZeroAmount`, `NoAccount`, `InsufficientCollateral`, `PriceNotUsable`,
		/// `MarginTooLow`, `SettlementPending`, `Overflow`, or the transfer's. Event:
		/// `Withdrawn`.
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
			let positions = account.positions.len().saturated_into();
			if !account.positions.is_empty() {
				let health = Self::health(&account, None, true)?;
				ensure!(health.equity >= Self::signed(health.initial)?, Error::<T>::MarginTooLow);
			}
			let custody = Self::custody_account();
			ensure!(
				T::Currency::reducible_balance(&custody, Preservation::Preserve, Fortitude::Polite)
					>= amount,
				Error::<T>::SettlementPending
			);
			T::Currency::transfer(&custody, &who, amount, Preservation::Preserve)?;
			Self::store_account(&who, account);
			Self::deposit_event(Event::Withdrawn { who, amount });
			Ok(Some(T::WeightInfo::withdraw(positions)).into())
		}

		/// Trade `size_delta` (positive buys, negative sells) in `market` against its vault,
		/// at a fill no worse than `limit_price`. See the pallet doc for when trades are
		/// allowed and how they fill.
		///
		/// Errors: `ZeroSize`, `NoAccount`, `MarketNotEnabled`, `NoPrice`, `PriceStale`,
		/// `ReduceOnly`, `PriceNotUsable`, `LimitPriceExceeded`, `TooManyPositions`,
		/// `OpenInterestCapExceeded`, `SkewCapExceeded`, `MarginTooLow`, `VaultCannotPay`,
		/// `LossExceedsCollateral`, `Overflow`. Events: `Traded`, and `BadDebt` when closing
		/// the last position leaves a loss the collateral cannot pay.
		#[pallet::call_index(2)]
		#[pallet::weight(Pallet::<T>::trade_weight_bound())]
		pub fn trade(
			origin: OriginFor<T>,
			market: MarketId,
			size_delta: SignedSize,
			limit_price: Price,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			Self::do_trade(who, market, size_delta, Some(limit_price))
		}

		/// Close the whole position in `market`, at a fill no worse than `limit_price`, by the
		/// rules of [`Call::trade`]. The limit is not optional: a close without one could be
		/// sandwiched through the skew.
		///
		/// Errors: `NoPosition` and those of [`Call::trade`]. Events: those of
		/// [`Call::trade`].
		#[pallet::call_index(3)]
		#[pallet::weight(Pallet::<T>::trade_weight_bound())]
		pub fn close(
			origin: OriginFor<T>,
			market: MarketId,
			limit_price: Price,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			let account = Accounts::<T>::get(&who).ok_or(Error::<T>::NoAccount)?;
			let size = account
				.positions
				.iter()
				.find(|p| p.market == market)
				.map(|p| p.size)
				.ok_or(Error::<T>::NoPosition)?;
			let delta = size.into_inner().checked_neg().ok_or(Error::<T>::Overflow)?;
			Self::do_trade(who, market, FixedI128::from_inner(delta), Some(limit_price))
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

		/// Liquidate `who`, whose equity is below its maintenance requirement (at the effective,
		/// ramped maintenance fractions). Anyone may call it; every market of the account must
		/// have an `Active` price (a stale or jumped price liquidates nobody: those accounts
		/// wait). Closes at the oracle price, with no premium, the smallest share of every
		/// position that restores the initial margin on what remains, or everything below
		/// `critical_fraction` of the maintenance requirement (or when a partial close would leave
		/// the collateral negative). A penalty of `liquidation_penalty` of the notional closed,
		/// never more than the equity left, pays the caller `keeper_reward` of the notional (at
		/// most `max_keeper_reward`, credited to the caller's margin account) and the rest to the
		/// market's insurance fund. A loss beyond the collateral is bad debt: the market's
		/// insurance covers it into the vault and the vault absorbs the rest.
		///
		/// Errors: `NoAccount`, `NotLiquidatable`, `MarketNotEnabled`, `NoPrice`,
		/// `PriceNotUsable`, `Overflow`. Events: `Liquidated`, and `BadDebt` per market.
		#[pallet::call_index(7)]
		#[pallet::weight(Pallet::<T>::liquidate_weight(T::MaxPositions::get(), T::MaxPositions::get()))]
		pub fn liquidate(origin: OriginFor<T>, who: T::AccountId) -> DispatchResultWithPostInfo {
			let keeper = ensure_signed(origin)?;
			Self::do_liquidate(keeper, who)
		}

		/// Auto-deleverage `who`'s profitable position in `market`, while traders' unrealized
		/// profit there exceeds `adl_trigger` of the vault's payable cash: the position is
		/// reduced at the oracle price, with no premium and no fee, until the ratio is back
		/// under `adl_target` (or closed). Anyone may call it; the runtime API ranks candidates
		/// by profit x leverage.
		///
		/// The reduction fills at the worse of the oracle and the skew fill for the trader, and
		/// never realizes more profit than the vault's payable cash.
		///
		/// Errors: `SelfDeleverage`, `MarketNotEnabled`, `NoPrice`, `PriceNotUsable`,
		/// `DeleverageNotNeeded`, `NoAccount`, `NoPosition`, `NotInProfit`, `VaultCannotPay`,
		/// `Overflow`. Event: `Deleveraged`.
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
	fn now() -> BlockNumber {
		frame_system::Pallet::<T>::block_number().saturated_into()
	}

	fn hour() -> u64 {
		u64::from(T::BlocksPerHour::get())
	}

	fn day() -> u64 {
		Self::hour().saturating_mul(24)
	}

	fn signed(amount: Balance) -> Result<i128, DispatchError> {
		i128::try_from(amount).map_err(|_| Error::<T>::Overflow.into())
	}

	/// Pre-dispatch weight of a trade: the most positions.
	pub fn trade_weight_bound() -> Weight {
		T::WeightInfo::trade(T::MaxPositions::get())
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

	pub(crate) fn do_enable_market(market: MarketId, params: MarginParams) -> DispatchResult {
		ensure!(T::Markets::market_exists(market), Error::<T>::UnknownMarket);
		ensure!(!Markets::<T>::contains_key(market), Error::<T>::MarketAlreadyEnabled);
		ensure!(params.validate(), Error::<T>::InvalidParams);
		EnabledMarkets::<T>::try_append(market).map_err(|_| Error::<T>::TooManyMarkets)?;
		Markets::<T>::insert(market, MarketInfo::new(params, Self::now()));
		Self::deposit_event(Event::MarketEnabled { market, params });
		Ok(())
	}

	/// The funding index of `info` accrued to `now` at `price`, with the rate of its current
	/// skew.
	pub fn accrued_index(
		info: &MarketInfo,
		price: Price,
		now: BlockNumber,
	) -> Result<FixedI128, DispatchError> {
		let elapsed = now.saturating_sub(info.funding_updated_at);
		if elapsed == 0 {
			return Ok(info.funding_index);
		}
		let rate = Self::funding_rate(info)?;
		math::accrue_index(info.funding_index, rate, price, u64::from(elapsed), Self::day())
			.ok_or(Error::<T>::Overflow.into())
	}

	/// The price funding accrues at: the median while `Active`, the EMA otherwise (a jumped or
	/// stale print must not set what the paying side owes).
	pub fn funding_price(price: &PriceInfo) -> Price {
		if price.status == MarketStatus::Active {
			price.price
		} else {
			price.ema_price
		}
	}

	/// The daily funding rate of `info`'s skew.
	pub fn funding_rate(info: &MarketInfo) -> Result<FixedI128, DispatchError> {
		let params = &info.params;
		let skew = math::net_size(&info.aggregates).ok_or(Error::<T>::Overflow)?;
		math::funding_rate(skew, params.skew_scale, params.funding_coeff, params.max_funding_rate)
			.ok_or(Error::<T>::Overflow.into())
	}

	/// The initial margin fraction of `market` at `volatility` with `open_interest` open.
	fn initial_fraction(
		market: MarketId,
		params: &MarginParams,
		volatility: FixedU128,
		open_interest: Balance,
	) -> FixedU128 {
		let utilization = math::utilization(open_interest, T::Vaults::max_open_interest(market));
		math::initial_margin_fraction(
			params.base_imf,
			params.vol_coeff,
			volatility,
			params.oi_coeff,
			utilization,
			params.max_imf,
		)
	}

	/// `market` marked now: its price, funding index, imf and effective mmf.
	pub fn mark(
		market: MarketId,
		info: &MarketInfo,
		price: PriceInfo,
		now: BlockNumber,
	) -> Result<Mark, DispatchError> {
		let open_interest = math::aggregate_open_interest(&info.aggregates, price.price)
			.ok_or(Error::<T>::Overflow)?;
		let unrestricted =
			Self::initial_fraction(market, &info.params, price.volatility, open_interest);
		// A restriction multiplies the initial margin only (see `plan_trade`).
		let imf =
			math::restricted_margin_fraction(unrestricted, T::Restriction::imf_multiplier(market));
		let target =
			math::target_maintenance_fraction(unrestricted, info.params.maintenance_fraction);
		Ok(Mark {
			price,
			index: Self::accrued_index(info, Self::funding_price(&price), now)?,
			imf,
			mmf: Self::effective_mmf(info, target, now),
		})
	}

	/// Keeps `mark`'s margin fractions as the block's: liquidations read them from here.
	fn store_fractions(info: &mut MarketInfo, mark: &Mark, now: BlockNumber) {
		info.effective_mmf = mark.mmf;
		info.initial_fraction = mark.imf;
		info.mmf_updated_at = now;
	}

	/// `market` marked for a liquidation: with the margin fractions of the block's refresh
	/// when there was one (every enabled market is refreshed as the block opens), so that a
	/// liquidation does not value the vault again per position; otherwise as [`Self::mark`].
	fn liquidation_mark(
		market: MarketId,
		info: &MarketInfo,
		price: PriceInfo,
		now: BlockNumber,
	) -> Result<Mark, DispatchError> {
		if info.mmf_updated_at != now {
			return Self::mark(market, info, price, now);
		}
		Ok(Mark {
			price,
			index: Self::accrued_index(info, Self::funding_price(&price), now)?,
			imf: info.initial_fraction,
			mmf: info.effective_mmf,
		})
	}

	/// The effective maintenance fraction at `now`, ramping from the stored one to `target`.
	fn effective_mmf(info: &MarketInfo, target: FixedU128, now: BlockNumber) -> FixedU128 {
		if info.aggregates.positions == 0 {
			return target;
		}
		math::ramped_maintenance_fraction(
			info.effective_mmf,
			target,
			info.params.mmf_ramp_per_hour,
			u64::from(now.saturating_sub(info.mmf_updated_at)),
			Self::hour(),
		)
	}

	/// Equity and margin requirements of `account`. `traded` overrides one market's state and
	/// mark (a trade's, before it is stored). With `require_active`, every market must have an
	/// `Active` price.
	pub fn health(
		account: &MarginAccount<T::MaxPositions>,
		traded: Option<(MarketId, &Mark)>,
		require_active: bool,
	) -> Result<Health, DispatchError> {
		let now = Self::now();
		let mut health = Health { equity: Self::signed(account.collateral)?, ..Health::default() };
		for position in account.positions.iter() {
			let mark = match traded {
				Some((market, mark)) if market == position.market => *mark,
				_ => {
					let info =
						Markets::<T>::get(position.market).ok_or(Error::<T>::MarketNotEnabled)?;
					let price =
						T::Prices::price_info(position.market).ok_or(Error::<T>::NoPrice)?;
					Self::mark(position.market, &info, price, now)?
				},
			};
			ensure!(
				!require_active || mark.price.status == MarketStatus::Active,
				Error::<T>::PriceNotUsable
			);
			Self::add_position(&mut health, position, &mark)?;
		}
		Ok(health)
	}

	fn add_position(
		health: &mut Health,
		position: &Position,
		mark: &Mark,
	) -> Result<(i128, i128), DispatchError> {
		let price = mark.price.price;
		let pnl = math::unrealized_pnl(position.size, position.entry_price, price)
			.ok_or(Error::<T>::Overflow)?;
		let funding = math::funding_owed(position.size, position.entry_index, mark.index)
			.ok_or(Error::<T>::Overflow)?;
		let initial =
			math::margin_requirement(position.size, price, mark.imf).ok_or(Error::<T>::Overflow)?;
		let maintenance =
			math::margin_requirement(position.size, price, mark.mmf).ok_or(Error::<T>::Overflow)?;
		health.equity = health
			.equity
			.checked_add(pnl)
			.and_then(|e| e.checked_sub(funding))
			.ok_or(Error::<T>::Overflow)?;
		health.initial = health.initial.checked_add(initial).ok_or(Error::<T>::Overflow)?;
		health.maintenance =
			health.maintenance.checked_add(maintenance).ok_or(Error::<T>::Overflow)?;
		Ok((pnl, funding))
	}

	/// Works out a trade of `delta` in `market` by `account` without writing anything. The
	/// account's health after it is worked out for exposure-increasing trades (which need the
	/// initial margin) and when `with_health` asks.
	pub fn plan_trade(
		mut account: MarginAccount<T::MaxPositions>,
		market: MarketId,
		delta: SignedSize,
		limit_price: Option<Price>,
		with_health: bool,
	) -> Result<TradePlan<T>, DispatchError> {
		ensure!(!delta.is_zero(), Error::<T>::ZeroSize);
		let now = Self::now();
		let mut info = Markets::<T>::get(market).ok_or(Error::<T>::MarketNotEnabled)?;
		let price_info = T::Prices::price_info(market).ok_or(Error::<T>::NoPrice)?;
		ensure!(price_info.status != MarketStatus::Stale, Error::<T>::PriceStale);
		let params = info.params;
		let price = price_info.price;
		let index = Self::accrued_index(&info, Self::funding_price(&price_info), now)?;
		info.funding_index = index;
		info.funding_updated_at = now;

		let slot = account.positions.iter().position(|p| p.market == market);
		let old = slot.and_then(|i| account.positions.get(i).copied());
		let old_size = old.map_or(FixedI128::zero(), |p| p.size);
		let increasing = math::increases_exposure(old_size, delta);
		if increasing {
			ensure!(
				price_info.status == MarketStatus::Active && !T::Restriction::is_restricted(market),
				Error::<T>::ReduceOnly
			);
		}

		// The fill.
		let overflow = || DispatchError::from(Error::<T>::Overflow);
		let skew_before = math::net_size(&info.aggregates).ok_or_else(overflow)?;
		let buy = delta.into_inner() > 0;
		let fill = if price_info.status == MarketStatus::Halted {
			math::conservative_price(price, price_info.ema_price, buy)
		} else {
			math::fill_price(price, skew_before, delta, params.skew_scale).ok_or_else(overflow)?
		};
		if let Some(limit) = limit_price {
			ensure!(
				if buy { fill <= limit } else { fill >= limit },
				Error::<T>::LimitPriceExceeded
			);
		}
		let fee = math::trade_fee(skew_before, delta, fill, params.maker_fee, params.taker_fee)
			.ok_or_else(overflow)?;

		// The position: its funding settles, the fill changes it.
		let funding = match old {
			Some(p) => math::funding_owed(p.size, p.entry_index, index).ok_or_else(overflow)?,
			None => 0,
		};
		let entry = old.map_or(fill, |p| p.entry_price);
		let filled = math::apply_fill(old_size, entry, delta, fill).ok_or_else(overflow)?;

		let mut aggregates = info.aggregates;
		if let Some(p) = old {
			aggregates = math::aggregate_remove(aggregates, p.size, p.entry_price, p.entry_index)
				.ok_or_else(overflow)?;
		}
		aggregates = math::aggregate_add(aggregates, filled.size, filled.entry, index)
			.ok_or_else(overflow)?;
		let oi_before =
			math::aggregate_open_interest(&info.aggregates, price).ok_or_else(overflow)?;
		let oi_after = math::aggregate_open_interest(&aggregates, price).ok_or_else(overflow)?;
		let skew_after = math::net_size(&aggregates).ok_or_else(overflow)?;
		info.aggregates = aggregates;

		let position =
			Position { market, size: filled.size, entry_price: filled.entry, entry_index: index };
		match (slot, filled.size.is_zero()) {
			(Some(i), true) => {
				account.positions.remove(i);
			},
			(Some(i), false) => {
				if let Some(p) = account.positions.get_mut(i) {
					*p = position;
				}
			},
			(None, false) => {
				account.positions.try_push(position).map_err(|_| Error::<T>::TooManyPositions)?;
			},
			// A non-zero trade of no position leaves a position.
			(None, true) => return Err(overflow()),
		}

		// Money: PnL and funding against the vault, fees to the vault and insurance.
		let realized = filled.realized_pnl.checked_sub(funding).ok_or_else(overflow)?;
		if realized > 0 {
			ensure!(
				realized.unsigned_abs() <= T::Vaults::payable_cash(market),
				Error::<T>::VaultCannotPay
			);
		}
		let collateral = Self::signed(account.collateral)?;
		let before_fee = collateral.checked_add(realized).ok_or_else(overflow)?;
		let fee_signed = Self::signed(fee)?;
		// A trader never leaves a loss it cannot pay by trading: a fill it does not care about
		// (its collateral is gone either way) could be pushed to any price through the skew,
		// and insurance and the vault would pay the difference. Such accounts wait for
		// liquidation. Only the fee of closing the last position may be cut to what is left.
		ensure!(before_fee >= 0, Error::<T>::LossExceedsCollateral);
		let charged = if before_fee >= fee_signed {
			fee
		} else {
			ensure!(!increasing, Error::<T>::MarginTooLow);
			ensure!(account.positions.is_empty(), Error::<T>::LossExceedsCollateral);
			before_fee.unsigned_abs()
		};
		account.collateral =
			before_fee.checked_sub(Self::signed(charged)?).ok_or_else(overflow)?.unsigned_abs();
		info.vault_balance = info.vault_balance.checked_sub(realized).ok_or_else(overflow)?;
		let insurance_fee = params.fee_insurance_share.mul_floor(charged);
		info.insurance_balance =
			info.insurance_balance.checked_add(insurance_fee).ok_or_else(overflow)?;
		info.vault_balance = info
			.vault_balance
			.checked_add(Self::signed(charged.saturating_sub(insurance_fee))?)
			.ok_or_else(overflow)?;

		// Caps and margin for exposure-increasing trades.
		let capacity = T::Vaults::max_open_interest(market);
		if increasing {
			if oi_after > oi_before {
				ensure!(oi_after <= capacity, Error::<T>::OpenInterestCapExceeded);
			}
			let magnitude = skew_after.into_inner().unsigned_abs();
			if magnitude > skew_before.into_inner().unsigned_abs() {
				let skew = math::notional(skew_after, price, Rounding::Up).ok_or_else(overflow)?;
				ensure!(skew <= T::Vaults::max_skew(market), Error::<T>::SkewCapExceeded);
				// Past half the scale fills would reach the premium clamp.
				ensure!(
					magnitude <= params.skew_scale.into_inner() / 2,
					Error::<T>::SkewCapExceeded
				);
			}
		}
		let unrestricted = math::initial_margin_fraction(
			params.base_imf,
			params.vol_coeff,
			price_info.volatility,
			params.oi_coeff,
			math::utilization(oi_after, capacity),
			params.max_imf,
		);
		// A restriction multiplies the initial margin only: the maintenance target follows the
		// market, not the restriction (which anyone can push a market into).
		let imf =
			math::restricted_margin_fraction(unrestricted, T::Restriction::imf_multiplier(market));
		let target = math::target_maintenance_fraction(unrestricted, params.maintenance_fraction);
		let mark =
			Mark { price: price_info, index, imf, mmf: Self::effective_mmf(&info, target, now) };
		// A reducing trade needs no margin, so it never depends on other markets' prices.
		let health = if increasing || with_health {
			Some(Self::health(&account, Some((market, &mark)), increasing)?)
		} else {
			None
		};
		if let (true, Some(health)) = (increasing, health) {
			ensure!(health.equity >= Self::signed(health.initial)?, Error::<T>::MarginTooLow);
		}
		Ok(TradePlan {
			account,
			info,
			fill,
			fee: charged,
			realized,
			size_after: filled.size,
			health,
		})
	}

	fn do_trade(
		who: T::AccountId,
		market: MarketId,
		size_delta: SignedSize,
		limit_price: Option<Price>,
	) -> DispatchResultWithPostInfo {
		let account = Accounts::<T>::get(&who).ok_or(Error::<T>::NoAccount)?;
		let positions_before: u32 = account.positions.len().saturated_into();
		let plan = Self::plan_trade(account, market, size_delta, limit_price, false)?;
		let positions_after: u32 = plan.account.positions.len().saturated_into();
		Self::store_account(&who, plan.account);
		// The closed position leaves the aggregates before the vault reads its equity.
		Markets::<T>::insert(market, plan.info);
		Self::deposit_event(Event::Traded {
			who: who.clone(),
			market,
			size_delta,
			fill_price: plan.fill,
			fee: plan.fee,
			realized_pnl: plan.realized,
			size_after: plan.size_after,
		});
		Ok(Some(T::WeightInfo::trade(positions_before.max(positions_after).max(1))).into())
	}

	/// Marks every market of `account` for a liquidation: each must be enabled with an `Active`
	/// price. Returns the markets, their marks and the account's health.
	fn mark_for_liquidation(
		account: &MarginAccount<T::MaxPositions>,
		now: BlockNumber,
	) -> Result<(Vec<(MarketInfo, Mark)>, Health), DispatchError> {
		let mut health = Health { equity: Self::signed(account.collateral)?, ..Health::default() };
		let mut marked = Vec::with_capacity(account.positions.len());
		for position in account.positions.iter() {
			let info = Markets::<T>::get(position.market).ok_or(Error::<T>::MarketNotEnabled)?;
			let price = T::Prices::price_info(position.market).ok_or(Error::<T>::NoPrice)?;
			ensure!(price.status == MarketStatus::Active, Error::<T>::PriceNotUsable);
			let mark = Self::liquidation_mark(position.market, &info, price, now)?;
			Self::add_position(&mut health, position, &mark)?;
			marked.push((info, mark));
		}
		Ok((marked, health))
	}

	/// Closes `fraction` (10^18 = all) of every position of `account` at the oracle price:
	/// realizes PnL and funding against each market's vault and moves the aggregates. Returns
	/// the notional closed and the PnL realized per position; the collateral is left signed
	/// (negative: bad debt) for the caller.
	fn close_fraction(
		account: &mut MarginAccount<T::MaxPositions>,
		marked: &mut [(MarketInfo, Mark)],
		fraction: u128,
		now: BlockNumber,
	) -> Result<(i128, Vec<(Balance, i128)>), DispatchError> {
		let overflow = || DispatchError::from(Error::<T>::Overflow);
		let mut collateral = Self::signed(account.collateral)?;
		let mut closed = Vec::with_capacity(marked.len());
		for (position, (info, mark)) in account.positions.iter_mut().zip(marked.iter_mut()) {
			let price = mark.price.price;
			let part = math::closed_part(position.size, fraction).ok_or_else(overflow)?;
			let pnl =
				math::unrealized_pnl(part, position.entry_price, price).ok_or_else(overflow)?;
			let funding = math::funding_owed(position.size, position.entry_index, mark.index)
				.ok_or_else(overflow)?;
			let mut realized = pnl.checked_sub(funding).ok_or_else(overflow)?;
			if realized > 0 {
				// A winning leg is paid no more than its vault can pay (held stake and what it is
				// owed unsettled, `info` as stored): the rest is lost to the liquidated trader
				// rather than paid out of other traders' collateral.
				let payable = Self::signed(T::Vaults::held_stake(position.market))?
					.saturating_add(info.vault_balance);
				realized = realized.min(payable.max(0));
			}
			Self::shrink_position(info, position, part, realized, mark.index, now)?;
			collateral = collateral.checked_add(realized).ok_or_else(overflow)?;
			closed.push((
				math::notional(part, price, Rounding::Down).ok_or_else(overflow)?,
				realized,
			));
		}
		Ok((collateral, closed))
	}

	/// Takes `part` off `position` at its entry price, settling its funding at `index` (now):
	/// moves the market's aggregates and funding clock, and books `realized` (PnL net of
	/// funding, positive: the vault pays) against the vault. Shared by liquidation and ADL.
	fn shrink_position(
		info: &mut MarketInfo,
		position: &mut Position,
		part: SignedSize,
		realized: i128,
		index: FixedI128,
		now: BlockNumber,
	) -> DispatchResult {
		let overflow = || DispatchError::from(Error::<T>::Overflow);
		let remaining = position
			.size
			.into_inner()
			.checked_sub(part.into_inner())
			.map(FixedI128::from_inner)
			.ok_or_else(overflow)?;
		let aggregates = math::aggregate_remove(
			info.aggregates,
			position.size,
			position.entry_price,
			position.entry_index,
		)
		.and_then(|a| math::aggregate_add(a, remaining, position.entry_price, index))
		.ok_or_else(overflow)?;
		info.aggregates = aggregates;
		info.funding_index = index;
		info.funding_updated_at = now;
		info.vault_balance = info.vault_balance.checked_sub(realized).ok_or_else(overflow)?;
		position.size = remaining;
		position.entry_index = index;
		Ok(())
	}

	fn do_liquidate(keeper: T::AccountId, who: T::AccountId) -> DispatchResultWithPostInfo {
		let overflow = || DispatchError::from(Error::<T>::Overflow);
		let now = Self::now();
		let account = Accounts::<T>::get(&who).ok_or(Error::<T>::NoAccount)?;
		let positions: u32 = account.positions.len().saturated_into();
		ensure!(positions > 0, Error::<T>::NotLiquidatable);
		let (marked, health) = Self::mark_for_liquidation(&account, now)?;
		ensure!(health.equity < Self::signed(health.maintenance)?, Error::<T>::NotLiquidatable);

		// The penalty of closing everything, and the strictest critical fraction.
		let mut penalty_all: Balance = 0;
		let mut critical = sp_arithmetic::Perbill::zero();
		for (position, (info, mark)) in account.positions.iter().zip(marked.iter()) {
			let notional = math::notional(position.size, mark.price.price, Rounding::Down)
				.ok_or_else(overflow)?;
			penalty_all =
				penalty_all.saturating_add(info.params.liquidation_penalty.mul_floor(notional));
			critical = critical.max(info.params.critical_fraction);
		}
		let mut fraction = math::liquidation_fraction(
			health.equity,
			health.initial,
			health.maintenance,
			penalty_all,
			critical,
		)
		.ok_or_else(overflow)?;
		let mut liquidated = account.clone();
		let mut markets = marked.clone();
		let (mut collateral, mut closed) =
			Self::close_fraction(&mut liquidated, &mut markets, fraction, now)?;
		if collateral < 0 && fraction < math::SCALE {
			// A partial close whose losses exceed the collateral (the rest in profit): close
			// everything instead, so that no collateral is left negative.
			fraction = math::SCALE;
			liquidated = account.clone();
			markets = marked;
			(collateral, closed) =
				Self::close_fraction(&mut liquidated, &mut markets, fraction, now)?;
		}

		// Bad debt: the loss the collateral cannot pay, taken off what each losing market's
		// vault was credited, in order.
		let mut bad_debts: Vec<(MarketId, Balance)> = Vec::new();
		if collateral < 0 {
			let mut shortfall = collateral.unsigned_abs();
			for (position, ((info, _), (_, realized))) in
				liquidated.positions.iter().zip(markets.iter_mut().zip(closed.iter()))
			{
				if shortfall.is_zero() {
					break;
				}
				if *realized < 0 {
					let part = shortfall.min(realized.unsigned_abs());
					info.vault_balance =
						info.vault_balance.checked_sub(Self::signed(part)?).ok_or_else(overflow)?;
					shortfall = shortfall.saturating_sub(part);
					bad_debts.push((position.market, part));
				}
			}
			collateral = 0;
		}

		// The penalty, market by market, never more than the equity left (closing at the
		// oracle price moved none: it is the equity before) nor the collateral.
		let mut left = collateral.unsigned_abs();
		let mut chargeable = left.min(health.equity.max(0).unsigned_abs());
		let mut penalty: Balance = 0;
		let mut keeper_reward: Balance = 0;
		for ((info, _), (notional, _)) in markets.iter_mut().zip(closed.iter()) {
			let params = info.params;
			let charged = params.liquidation_penalty.mul_floor(*notional).min(chargeable);
			chargeable = chargeable.saturating_sub(charged);
			let to_keeper = params
				.keeper_reward
				.mul_floor(*notional)
				.min(params.max_keeper_reward)
				.min(charged);
			info.insurance_balance = info
				.insurance_balance
				.checked_add(charged.saturating_sub(to_keeper))
				.ok_or_else(overflow)?;
			left = left.saturating_sub(charged);
			penalty = penalty.saturating_add(charged);
			keeper_reward = keeper_reward.saturating_add(to_keeper);
		}
		liquidated.collateral = left;
		// No reward for liquidating oneself (it would discount the penalty), nor dust accounts
		// for keepers: a reward below the existential deposit for a keeper without an account
		// goes to insurance with the rest.
		let rewarded = keeper != who
			&& (Accounts::<T>::contains_key(&keeper)
				|| keeper_reward >= T::Currency::minimum_balance());
		if !rewarded && !keeper_reward.is_zero() {
			if let Some((info, _)) = markets.first_mut() {
				info.insurance_balance =
					info.insurance_balance.checked_add(keeper_reward).ok_or_else(overflow)?;
			}
			keeper_reward = 0;
		}

		for (position, (info, _)) in liquidated.positions.iter().zip(markets.iter()) {
			Markets::<T>::insert(position.market, info);
		}
		liquidated.positions.retain(|p| !p.size.is_zero());
		Self::store_account(&who, liquidated);
		if !keeper_reward.is_zero() {
			Accounts::<T>::try_mutate(&keeper, |maybe| -> DispatchResult {
				let account = maybe.get_or_insert_with(MarginAccount::default);
				account.collateral =
					account.collateral.checked_add(keeper_reward).ok_or_else(overflow)?;
				Ok(())
			})?;
		}
		Self::deposit_event(Event::Liquidated {
			who: who.clone(),
			keeper,
			closed: FixedU128::from_inner(fraction),
			penalty,
			keeper_reward,
		});
		// The closed positions left the aggregates before the vaults read their equity.
		let absorptions: u32 = bad_debts.len().saturated_into();
		for (market, shortfall) in bad_debts {
			let (covered, absorbed) = T::Vaults::absorb_bad_debt(market, shortfall);
			Self::deposit_event(Event::BadDebt {
				who: who.clone(),
				market,
				shortfall,
				covered,
				absorbed,
			});
		}
		Ok(Some(Self::liquidate_weight(positions, absorptions)).into())
	}

	/// Weight of a liquidation of `positions` positions with bad debt absorbed in `absorbed`
	/// markets: the benchmark (a full close without bad debt), plus each absorption at the
	/// vaults' benchmarked weight of `absorb_bad_debt`.
	pub fn liquidate_weight(positions: u32, absorbed: u32) -> Weight {
		T::WeightInfo::liquidate(positions)
			.saturating_add(T::Vaults::absorb_bad_debt_weight().saturating_mul(absorbed.into()))
	}

	/// Traders' unrealized profit in `market` over the vault's payable cash, and whether it is
	/// above `adl_trigger`: `(profit, payable cash)`.
	fn deleverage_pressure(market: MarketId) -> (i128, Balance) {
		(Self::unrealized_trader_pnl(market), T::Vaults::payable_cash(market))
	}

	fn do_deleverage(
		caller: T::AccountId,
		market: MarketId,
		who: T::AccountId,
	) -> DispatchResultWithPostInfo {
		ensure!(caller != who, Error::<T>::SelfDeleverage);
		let overflow = || DispatchError::from(Error::<T>::Overflow);
		let now = Self::now();
		let mut info = Markets::<T>::get(market).ok_or(Error::<T>::MarketNotEnabled)?;
		let price = T::Prices::price_info(market).ok_or(Error::<T>::NoPrice)?;
		ensure!(price.status == MarketStatus::Active, Error::<T>::PriceNotUsable);
		let params = info.params;
		let (profit, payable) = Self::deleverage_pressure(market);
		let trigger = Self::signed(params.adl_trigger.mul_floor(payable))?;
		ensure!(profit > trigger, Error::<T>::DeleverageNotNeeded);

		let mut account = Accounts::<T>::get(&who).ok_or(Error::<T>::NoAccount)?;
		let positions: u32 = account.positions.len().saturated_into();
		let position = account
			.positions
			.iter_mut()
			.find(|p| p.market == market)
			.ok_or(Error::<T>::NoPosition)?;
		let index = Self::accrued_index(&info, Self::funding_price(&price), now)?;
		let funding =
			math::funding_owed(position.size, position.entry_index, index).ok_or_else(overflow)?;
		let gain = math::unrealized_pnl(position.size, position.entry_price, price.price)
			.and_then(|pnl| pnl.checked_sub(funding))
			.ok_or_else(overflow)?;
		ensure!(gain > 0, Error::<T>::NotInProfit);

		// Realizing R moves it out of the profit and out of payable cash alike: the ratio is
		// at the target once (profit - R) <= target x (payable - R), that is R >= (profit -
		// target x payable) / (1 - target).
		let target = params.adl_target;
		let excess = profit
			.checked_sub(Self::signed(target.mul_floor(payable))?)
			.ok_or_else(overflow)?
			.max(0)
			.unsigned_abs();
		let keep = sp_arithmetic::PerThing::left_from_one(target);
		let needed =
			if keep.is_zero() { excess } else { keep.saturating_reciprocal_mul_ceil(excess) };
		let fraction = sp_arithmetic::helpers_128bit::multiply_by_rational_with_rounding(
			needed,
			math::SCALE,
			gain.unsigned_abs(),
			Rounding::Up,
		)
		.ok_or_else(overflow)?
		.min(math::SCALE);
		let part = math::closed_part(position.size, fraction).ok_or_else(overflow)?;
		// The reduction fills at the worse of the oracle and the skew fill for the trader: never
		// better than closing by trading, so nobody deleverages their own position to skip the
		// premium (no fee is charged: the trader did not choose it).
		let skew = math::net_size(&info.aggregates).ok_or_else(overflow)?;
		let delta =
			part.into_inner().checked_neg().map(FixedI128::from_inner).ok_or_else(overflow)?;
		let fill =
			math::fill_price(price.price, skew, delta, params.skew_scale).ok_or_else(overflow)?;
		let sell = delta.into_inner() < 0;
		let fill = if sell { fill.min(price.price) } else { fill.max(price.price) };
		let realized = math::unrealized_pnl(part, position.entry_price, fill)
			.and_then(|pnl| pnl.checked_sub(funding))
			.ok_or_else(overflow)?;
		// Never more profit than the vault can pay.
		ensure!(realized <= 0 || realized.unsigned_abs() <= payable, Error::<T>::VaultCannotPay);
		Self::shrink_position(&mut info, position, part, realized, index, now)?;
		// A realized loss (funding above the gain at the rounding edge) is paid from collateral.
		let collateral =
			Self::signed(account.collateral)?.checked_add(realized).ok_or_else(overflow)?;
		ensure!(collateral >= 0, Error::<T>::NotInProfit);
		account.collateral = collateral.unsigned_abs();
		account.positions.retain(|p| !p.size.is_zero());
		Self::store_account(&who, account);
		Markets::<T>::insert(market, info);
		Self::deposit_event(Event::Deleveraged {
			who,
			market,
			closed: part,
			realized_pnl: realized,
		});
		Ok(Some(T::WeightInfo::deleverage(positions)).into())
	}

	/// Accounts in profit in `market`, ranked by profit x leverage (profit x notional /
	/// equity, as Hyperliquid ranks them), at most `limit`: `(account, profit, score)`.
	pub fn deleverage_candidates(
		market: MarketId,
		limit: u32,
	) -> Vec<DeleverageCandidate<T::AccountId>> {
		let mut candidates: Vec<DeleverageCandidate<T::AccountId>> = Accounts::<T>::iter_keys()
			.filter_map(|who| {
				let view = Self::account_view(&who)?;
				let position = view.positions.iter().find(|p| p.market == market)?;
				let profit = position.unrealized_pnl.saturating_sub(position.funding_owed);
				if profit <= 0 || view.equity <= 0 {
					return None;
				}
				let price = T::Prices::price_info(market)?.price;
				let notional = math::notional(position.signed_size, price, Rounding::Down)?;
				let score = FixedU128::checked_from_rational(
					profit.unsigned_abs().saturating_mul(notional),
					view.equity.unsigned_abs(),
				)
				.unwrap_or(FixedU128::from_inner(u128::MAX));
				Some(DeleverageCandidate { who, profit, score })
			})
			.collect();
		candidates.sort_by_key(|c| core::cmp::Reverse(c.score));
		candidates.truncate(limit as usize);
		candidates
	}

	/// Up to `limit` liquidatable accounts after `cursor` (from the first without), with their
	/// equity and maintenance requirement, and the cursor to resume from (`None`: the end).
	pub fn liquidatable_page(
		cursor: Option<T::AccountId>,
		limit: u32,
	) -> (Vec<LiquidatableView<T::AccountId>>, Option<T::AccountId>) {
		let mut found = Vec::new();
		let iter = match cursor {
			Some(who) => Accounts::<T>::iter_keys_from(Accounts::<T>::hashed_key_for(who)),
			None => Accounts::<T>::iter_keys(),
		};
		let mut last = None;
		for who in iter {
			if found.len() >= limit as usize {
				return (found, last);
			}
			if let Some(view) = Self::account_view(&who).filter(|v| v.liquidatable) {
				found.push(LiquidatableView {
					who: who.clone(),
					equity: view.equity,
					maintenance_margin: view.maintenance_margin,
				});
			}
			last = Some(who);
		}
		(found, None)
	}

	/// Traders' unrealized PnL in `market` net of funding, as the vault marks it (at the price of
	/// closing the whole skew), with the oracle's price replaced by `price`.
	fn trader_pnl_at(
		info: &MarketInfo,
		oracle: &PriceInfo,
		price: Price,
		now: BlockNumber,
	) -> i128 {
		let pnl = math::net_size(&info.aggregates)
			.and_then(|skew| math::skew_marked_price(price, skew, info.params.skew_scale))
			.and_then(|mark| math::aggregate_unrealized_pnl(&info.aggregates, mark));
		let funding = Self::accrued_index(info, Self::funding_price(oracle), now)
			.ok()
			.and_then(|index| math::aggregate_funding_owed(&info.aggregates, index));
		match (pnl, funding) {
			(Some(pnl), Some(funding)) => pnl.saturating_sub(funding),
			// Absurd sizes: mark traders as winning everything the vault has.
			_ => i128::MAX,
		}
	}

	/// See [`MarginTotals::shock`]. Replays a liquidation's arithmetic on each account: it is
	/// liquidatable when its equity is below its maintenance margin, and one with negative equity
	/// is closed in full, its shortfall taken off its losing legs in position order (winning legs
	/// are assumed paid in full). Markets without a price are left out.
	pub fn shock_report(prices: &[(MarketId, Price)]) -> ShockReport {
		let now = Self::now();
		let mut shocked: BTreeMap<MarketId, Mark> = BTreeMap::new();
		let mut markets: Vec<MarketShock> = Vec::new();
		for (market, price) in prices.iter() {
			let (Some(info), Some(oracle)) =
				(Markets::<T>::get(market), T::Prices::price_info(*market))
			else {
				continue;
			};
			let Ok(mut mark) = Self::liquidation_mark(*market, &info, oracle, now) else {
				continue;
			};
			mark.price.price = *price;
			if shocked.insert(*market, mark).is_none() {
				markets.push(MarketShock {
					market: *market,
					trader_pnl_before: Self::trader_pnl_at(&info, &oracle, oracle.price, now),
					trader_pnl_after: Self::trader_pnl_at(&info, &oracle, *price, now),
					..Default::default()
				});
			}
		}
		let mut liquidatable_accounts: u32 = 0;
		for account in Accounts::<T>::iter_values() {
			if !account.positions.iter().any(|p| shocked.contains_key(&p.market)) {
				continue;
			}
			let Some((health, realized)) = Self::shocked_health(&account, &shocked, now) else {
				continue;
			};
			let maintenance = i128::try_from(health.maintenance).unwrap_or(i128::MAX);
			if health.equity >= maintenance {
				continue;
			}
			liquidatable_accounts = liquidatable_accounts.saturating_add(1);
			let mut shortfall = health.equity.min(0).unsigned_abs();
			for (position, leg) in account.positions.iter().zip(realized.iter()) {
				let row = markets.iter_mut().find(|m| m.market == position.market);
				if let Some(row) = row {
					row.liquidatable_accounts = row.liquidatable_accounts.saturating_add(1);
				}
				if *leg < 0 && !shortfall.is_zero() {
					let part = shortfall.min(leg.unsigned_abs());
					shortfall = shortfall.saturating_sub(part);
					if let Some(row) = markets.iter_mut().find(|m| m.market == position.market) {
						row.bad_debt = row.bad_debt.saturating_add(part);
					}
				}
			}
		}
		ShockReport { markets, liquidatable_accounts }
	}

	/// `account`'s health with the markets of `shocked` at their shocked marks (the others at
	/// the oracle's), and each position's PnL net of funding; `None` if a market has no price.
	fn shocked_health(
		account: &MarginAccount<T::MaxPositions>,
		shocked: &BTreeMap<MarketId, Mark>,
		now: BlockNumber,
	) -> Option<(Health, Vec<i128>)> {
		let mut health =
			Health { equity: Self::signed(account.collateral).ok()?, ..Default::default() };
		let mut realized = Vec::with_capacity(account.positions.len());
		for position in account.positions.iter() {
			let mark = match shocked.get(&position.market) {
				Some(mark) => *mark,
				None => {
					let info = Markets::<T>::get(position.market)?;
					let oracle = T::Prices::price_info(position.market)?;
					Self::liquidation_mark(position.market, &info, oracle, now).ok()?
				},
			};
			let (pnl, funding) = Self::add_position(&mut health, position, &mark).ok()?;
			realized.push(pnl.saturating_sub(funding));
		}
		Some((health, realized))
	}

	/// Stores `account`, or removes it once it holds nothing.
	fn store_account(who: &T::AccountId, account: MarginAccount<T::MaxPositions>) {
		if account.collateral.is_zero() && account.positions.is_empty() {
			Accounts::<T>::remove(who);
		} else {
			Accounts::<T>::insert(who, account);
		}
	}

	/// Accrues `market`'s funding, brings its effective maintenance fraction towards the target
	/// and settles its unsettled balances.
	fn refresh_market(market: MarketId, now: BlockNumber) {
		let Some(mut info) = Markets::<T>::get(market) else { return };
		if let Some(price) = T::Prices::price_info(market) {
			match Self::mark(market, &info, price, now) {
				Ok(mark) => {
					info.funding_index = mark.index;
					info.funding_updated_at = now;
					Self::store_fractions(&mut info, &mark, now);
				},
				Err(error) => log::warn!(target: LOG_TARGET, "market {market}: {error:?}"),
			}
		}
		Self::settle_balances(market, &mut info);
		Markets::<T>::insert(market, info);
	}

	/// Moves `info`'s unsettled balances between custody, the vault and the insurance fund;
	/// what fails stays pending, with an event.
	fn settle_balances(market: MarketId, info: &mut MarketInfo) {
		if !info.unsettled() {
			return;
		}
		let custody = Self::custody_account();
		let mut vault_moved: i128 = 0;
		let mut insurance_moved: Balance = 0;
		let amount = info.vault_balance.unsigned_abs();
		// Custody pays only what it holds above its existential deposit; the rest waits for the
		// vaults that owe custody to pay first.
		let payable = |amount: Balance| {
			T::Currency::reducible_balance(&custody, Preservation::Preserve, Fortitude::Polite)
				>= amount
		};
		if !amount.is_zero() && (info.vault_balance < 0 || payable(amount)) {
			let result = frame_support::storage::with_storage_layer(|| {
				if info.vault_balance > 0 {
					T::Vaults::collect(market, &custody, amount)
				} else {
					T::Vaults::pay(market, &custody, amount)
				}
			});
			match result {
				Ok(()) => {
					vault_moved = info.vault_balance;
					info.vault_balance = 0;
				},
				Err(error) => Self::deposit_event(Event::SettlementFailed { market, error }),
			}
		}
		// Below the existential deposit a share could not open an empty fund: it waits.
		let amount = info.insurance_balance;
		if amount >= T::Currency::minimum_balance() && payable(amount) {
			match frame_support::storage::with_storage_layer(|| {
				T::Insurance::deposit(market, &custody, amount)
			}) {
				Ok(()) => {
					insurance_moved = amount;
					info.insurance_balance = 0;
				},
				Err(error) => Self::deposit_event(Event::SettlementFailed { market, error }),
			}
		}
		if vault_moved != 0 || !insurance_moved.is_zero() {
			Self::deposit_event(Event::Settled {
				market,
				vault: vault_moved,
				insurance: insurance_moved,
			});
		}
	}

	/// The runtime API's account view.
	pub fn account_view(who: &T::AccountId) -> Option<AccountView> {
		let account = Accounts::<T>::get(who)?;
		let now = Self::now();
		let mut health =
			Health { equity: Self::signed(account.collateral).ok()?, ..Default::default() };
		let mut rows = Vec::new();
		let mut prices_usable = true;
		for position in account.positions.iter() {
			let info = Markets::<T>::get(position.market)?;
			let price = T::Prices::price_info(position.market)?;
			prices_usable &= price.status == MarketStatus::Active;
			// The initial fraction a trade or withdrawal now needs, and the maintenance
			// fraction a liquidation in this block would use.
			let mut mark = Self::mark(position.market, &info, price, now).ok()?;
			mark.mmf = Self::liquidation_mark(position.market, &info, price, now).ok()?.mmf;
			let maintenance_before = health.maintenance;
			let (pnl, funding) = Self::add_position(&mut health, position, &mark).ok()?;
			let own_maintenance = health.maintenance.saturating_sub(maintenance_before);
			rows.push((*position, mark.mmf, pnl, funding, own_maintenance));
		}
		let positions = rows
			.iter()
			.map(|(position, mmf, pnl, funding, own_maintenance)| {
				// Equity without this position's PnL, less the other positions' maintenance.
				let others_maintenance = health.maintenance.saturating_sub(*own_maintenance);
				let rest = health
					.equity
					.saturating_sub(*pnl)
					.saturating_sub(Self::signed(others_maintenance).unwrap_or(i128::MAX));
				PositionView {
					market: position.market,
					signed_size: position.size,
					entry_price: position.entry_price,
					unrealized_pnl: *pnl,
					funding_owed: *funding,
					liquidation_price: math::liquidation_price(
						position.size,
						position.entry_price,
						rest,
						*mmf,
					),
				}
			})
			.collect();
		let margin_ratio = (!health.maintenance.is_zero())
			.then(|| {
				FixedU128::checked_from_rational(
					health.equity.max(0).unsigned_abs(),
					health.maintenance,
				)
			})
			.flatten();
		let below_maintenance = !account.positions.is_empty()
			&& health.equity < Self::signed(health.maintenance).unwrap_or(i128::MAX);
		Some(AccountView {
			collateral: account.collateral,
			equity: health.equity,
			initial_margin: health.initial,
			maintenance_margin: health.maintenance,
			margin_ratio,
			below_maintenance,
			liquidatable: below_maintenance && prices_usable,
			positions,
		})
	}

	/// Whether `who`'s equity is below its maintenance requirement.
	pub fn is_liquidatable(who: &T::AccountId) -> bool {
		Self::account_view(who).is_some_and(|view| view.liquidatable)
	}

	/// The runtime API's market view.
	pub fn market_view(market: MarketId) -> Option<MarketView> {
		let info = Markets::<T>::get(market)?;
		let price = T::Prices::price_info(market);
		let mark_price = price.map_or(FixedU128::zero(), |p| p.price);
		let notional = |size: u128| {
			math::notional(
				FixedI128::from_inner(size.try_into().unwrap_or(i128::MAX)),
				mark_price,
				Rounding::Up,
			)
			.unwrap_or(Balance::MAX)
		};
		let (imf, effective_mmf, target_mmf, index) = match price {
			Some(p) => {
				let mark = Self::mark(market, &info, p, Self::now()).ok()?;
				let open_interest = math::aggregate_open_interest(&info.aggregates, p.price)
					.unwrap_or(Balance::MAX);
				let unrestricted =
					Self::initial_fraction(market, &info.params, p.volatility, open_interest);
				(
					mark.imf,
					mark.mmf,
					math::target_maintenance_fraction(
						unrestricted,
						info.params.maintenance_fraction,
					),
					mark.index,
				)
			},
			None => {
				(info.params.base_imf, info.effective_mmf, info.effective_mmf, info.funding_index)
			},
		};
		let (trader_unrealized_pnl, payable_cash) = Self::deleverage_pressure(market);
		let deleverage_needed = price.is_some_and(|p| p.status == MarketStatus::Active)
			&& Self::signed(info.params.adl_trigger.mul_floor(payable_cash))
				.is_ok_and(|trigger| trader_unrealized_pnl > trigger);
		Some(MarketView {
			long_open_interest: notional(info.aggregates.long_size),
			short_open_interest: notional(info.aggregates.short_size),
			skew: math::net_size(&info.aggregates)?,
			funding_rate: Self::funding_rate(&info).ok()?,
			funding_index: index,
			initial_margin_fraction: imf,
			effective_mmf,
			target_mmf,
			status: price.map(|p| p.status),
			restricted: T::Restriction::is_restricted(market),
			capacity: T::Vaults::max_open_interest(market),
			vault_balance: info.vault_balance,
			trader_unrealized_pnl,
			payable_cash,
			deleverage_needed,
			params: info.params,
		})
	}

	/// The runtime API's quote: what a trade of `size_delta` by `who` would do, or its error.
	pub fn quote(
		who: &T::AccountId,
		market: MarketId,
		size_delta: SignedSize,
	) -> Result<QuoteView, DispatchError> {
		let account = Accounts::<T>::get(who).unwrap_or_default();
		let plan = Self::plan_trade(account, market, size_delta, None, true)?;
		let health = plan.health.unwrap_or_default();
		Ok(QuoteView {
			fill_price: plan.fill,
			fee: plan.fee,
			realized_pnl: plan.realized,
			equity_after: health.equity,
			initial_margin_after: health.initial,
		})
	}

	/// Invariants: custody backs every ledger 1:1, the aggregates are the sums over positions,
	/// parameters are within bounds, accounts hold at most one non-zero position per enabled
	/// market.
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		use alloc::collections::btree_map::BTreeMap;
		let enabled = EnabledMarkets::<T>::get();
		let mut sums: BTreeMap<MarketId, MarketAggregates> = BTreeMap::new();
		let mut ledger: i128 = 0;
		for (_, account) in Accounts::<T>::iter() {
			ensure!(
				!account.collateral.is_zero() || !account.positions.is_empty(),
				"an empty account is stored"
			);
			ledger =
				ledger.saturating_add(Self::signed(account.collateral).map_err(|_| "overflow")?);
			for (i, position) in account.positions.iter().enumerate() {
				ensure!(!position.size.is_zero(), "a zero position is stored");
				ensure!(
					account.positions.iter().skip(i + 1).all(|p| p.market != position.market),
					"two positions in one market"
				);
				let sum = sums.entry(position.market).or_default();
				*sum = math::aggregate_add(
					*sum,
					position.size,
					position.entry_price,
					position.entry_index,
				)
				.ok_or("aggregate overflow")?;
			}
		}
		let mut count = 0usize;
		for (market, info) in Markets::<T>::iter() {
			count += 1;
			ensure!(enabled.contains(&market), "a market missing from the enabled list");
			ensure!(info.params.validate(), "market parameters out of bounds");
			ensure!(
				info.aggregates == sums.remove(&market).unwrap_or_default(),
				"market aggregates differ from the sum over positions"
			);
			ledger = ledger
				.saturating_add(info.vault_balance)
				.saturating_add(Self::signed(info.insurance_balance).map_err(|_| "overflow")?);
		}
		ensure!(count == enabled.len(), "an enabled market without state");
		ensure!(sums.is_empty(), "a position in a market not enabled");
		let custody = T::Currency::balance(&Self::custody_account());
		let backed = Self::signed(custody.saturating_sub(T::Currency::minimum_balance()))
			.map_err(|_| "overflow")?;
		ensure!(
			custody.is_zero() && ledger == 0 || backed >= ledger,
			"custody does not back collateral and unsettled balances"
		);
		Ok(())
	}

	/// What custody must hold beyond its existential deposit: collateral plus unsettled
	/// balances (tests compare it with the custody balance exactly).
	pub fn custody_ledger() -> i128 {
		let collateral = Accounts::<T>::iter_values().fold(0i128, |acc, a| {
			acc.saturating_add(i128::try_from(a.collateral).unwrap_or(i128::MAX))
		});
		Markets::<T>::iter_values()
			.fold(collateral, |acc, info| acc.saturating_add(info.unsettled_total()))
	}
}

/// Bounded: custody holds its existential deposit, the collateral and each enabled market's
/// unsettled balances (the `try_state` invariant), so the collateral is what is left of it.
impl<T: Config> MarginTotals for Pallet<T> {
	fn total_collateral() -> Balance {
		let custody = T::Currency::balance(&Self::custody_account())
			.saturating_sub(T::Currency::minimum_balance());
		let unsettled = EnabledMarkets::<T>::get().iter().fold(0i128, |acc, market| {
			Markets::<T>::get(market).map_or(acc, |info| acc.saturating_add(info.unsettled_total()))
		});
		if unsettled >= 0 {
			custody.saturating_sub(unsettled.unsigned_abs())
		} else {
			custody.saturating_add(unsettled.unsigned_abs())
		}
	}

	fn shock(prices: &[(MarketId, Price)]) -> ShockReport {
		Self::shock_report(prices)
	}
}

impl<T: Config> OpenInterest for Pallet<T> {
	fn open_interest(market: MarketId) -> Balance {
		let (Some(info), Some(price)) = (Markets::<T>::get(market), T::Prices::price_info(market))
		else {
			return 0;
		};
		math::aggregate_open_interest(&info.aggregates, price.price).unwrap_or(Balance::MAX)
	}

	fn net_skew(market: MarketId) -> Balance {
		let (Some(info), Some(price)) = (Markets::<T>::get(market), T::Prices::price_info(market))
		else {
			return 0;
		};
		math::net_size(&info.aggregates)
			.and_then(|skew| math::notional(skew, price.price, Rounding::Up))
			.unwrap_or(Balance::MAX)
	}
}

impl<T: Config> UnrealizedPnl for Pallet<T> {
	/// Marked at the price of closing the whole skew (the oracle price plus the average
	/// premium, [`math::skew_marked_price`]), net of the funding traders owe at the index
	/// accrued to now. Opening or closing a position therefore moves the vault's NAV by no more
	/// than its fee: nobody can lift NAV with a position to sell shares into it.
	fn unrealized_trader_pnl(market: MarketId) -> i128 {
		let (Some(info), Some(price)) = (Markets::<T>::get(market), T::Prices::price_info(market))
		else {
			return 0;
		};
		Self::trader_pnl_at(&info, &price, price.price, Self::now())
	}

	fn unsettled_vault_balance(market: MarketId) -> i128 {
		Markets::<T>::get(market).map_or(0, |info| info.vault_balance)
	}
}
