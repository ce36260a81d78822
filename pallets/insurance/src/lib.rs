//! # Insurance pallet
//!
//! Per-market insurance funds, one global fund, and the bad-debt waterfall.
//!
//! ## Key terms
//!
//! - **Fund**: a keyless account derived from [`Config::PalletId`]: one per market
//!   ([`Fund::Market`]) and one global ([`Fund::Global`]). A fund's balance is its account's bUSD.
//! - **Cover**: paying a shortfall (bad debt) through [`InsuranceFund::cover`]: first from the
//!   market's fund, then from the global fund within a rolling allowance: `max_global_draw`,
//!   refilling linearly over `draw_window` blocks, so one market's collapse cannot drain every
//!   market's backstop at once, and no window boundary lets two full caps out in consecutive
//!   blocks. What neither covers is returned as uncovered to the caller (the vault absorbs it).
//!
//! ## Usage
//!
//! - Inflows arrive through [`InsuranceFund::deposit`] (fees, liquidation penalties) or directly to
//!   [`InsuranceFund::fund_account`] (slashed bonds and stake); anyone may
//!   [`Call::contribute`] to the global fund or a listed market's fund.
//! - [`Call::transfer_between_funds`] and [`Call::set_params`]: the risk origin rebalances funds
//!   and sets the draw window and cap, within hard bounds ([`InsuranceParams::validate`]).
//!
//! ## Design
//!
//! ```text
//! cover(market, to, shortfall):
//!     from_market = min(shortfall, market fund)
//!     outstanding = max(0, drawn - max_global_draw x (now - last draw) / draw_window)
//!     from_global = min(shortfall - from_market, global fund, max_global_draw - outstanding)
//!     covered     = from_market + from_global   (returned; the rest is the caller's)
//!     a failed payment (e.g. below the destination's existential deposit) fails the cover,
//!     and nothing moves
//! coverage ratio(market) = market fund / open interest of the market
//! ```

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub mod math;
pub mod runtime_api;
pub mod weights;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

pub use pallet::*;
pub use weights::WeightInfo;

use bulwark_primitives::{
	Balance, BlockNumber, InsuranceBalances, InsuranceFund, MarketId, MarketRegistry, OpenInterest,
};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{
	pallet_prelude::*,
	traits::{
		fungible::{Inspect, Mutate},
		tokens::{Fortitude, Preservation},
	},
	PalletId,
};
use frame_system::pallet_prelude::*;
use scale_info::TypeInfo;
use sp_arithmetic::{traits::Zero, FixedPointNumber, FixedU128};
use sp_runtime::traits::{AccountIdConversion, SaturatedConversion};

/// An insurance fund.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	PartialOrd,
	Ord,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
)]
pub enum Fund {
	/// The backstop shared by all markets.
	Global,
	/// The first-loss fund of one market.
	Market(MarketId),
}

/// Governed parameters of the waterfall.
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
	serde::Serialize,
	serde::Deserialize,
)]
pub struct InsuranceParams {
	/// Length of a global-draw window, in blocks.
	pub draw_window: BlockNumber,
	/// Most the global fund pays out per window.
	pub max_global_draw: Balance,
}

/// Hard bounds of [`InsuranceParams::draw_window`], in blocks: one block to about 35 days of 3 s
/// blocks.
pub const DRAW_WINDOW_BOUNDS: (BlockNumber, BlockNumber) = (1, 1_000_000);

impl InsuranceParams {
	/// Whether the parameters are within their hard bounds; `max_global_draw` may not exceed
	/// `hard_cap`.
	pub fn validate(&self, hard_cap: Balance) -> bool {
		DRAW_WINDOW_BOUNDS.0 <= self.draw_window
			&& self.draw_window <= DRAW_WINDOW_BOUNDS.1
			&& self.max_global_draw <= hard_cap
	}
}

/// The global fund's outstanding draws, forgiven linearly over the draw window.
#[derive(Clone, Copy, PartialEq, Eq, Default, Encode, Decode, MaxEncodedLen, TypeInfo, Debug)]
pub struct DrawState {
	/// Draws still counted against the cap at block `at`.
	pub outstanding: Balance,
	/// Block of the last draw.
	pub at: BlockNumber,
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
		type Currency: Inspect<Self::AccountId, Balance = Balance> + Mutate<Self::AccountId>;

		/// Rebalances funds and sets parameters (the risk council).
		type RiskOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// Open interest per market (the margin engine), for coverage ratios.
		type OpenInterest: OpenInterest;

		/// Derives the funds' accounts.
		#[pallet::constant]
		type PalletId: Get<PalletId>;

		/// Listed markets (the oracle): contributions go to listed markets only.
		type Markets: MarketRegistry;

		/// Hard upper bound of `max_global_draw`.
		#[pallet::constant]
		type MaxGlobalDrawHardCap: Get<Balance>;

		/// Weights of the calls.
		type WeightInfo: WeightInfo;
	}

	/// The waterfall's parameters.
	#[pallet::storage]
	pub type Params<T: Config> = StorageValue<_, InsuranceParams, OptionQuery>;

	/// The global fund's outstanding draws.
	#[pallet::storage]
	pub type GlobalDraw<T: Config> = StorageValue<_, DrawState, ValueQuery>;

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// Initial parameters; `None` leaves the global fund closed (a cap of zero).
		pub params: Option<InsuranceParams>,
		#[serde(skip)]
		pub _config: core::marker::PhantomData<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			if let Some(params) = self.params {
				assert!(
					params.validate(T::MaxGlobalDrawHardCap::get()),
					"invalid genesis insurance params"
				); // proof: genesis only, a bad spec must fail
				Params::<T>::put(params);
			}
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// `amount` entered `fund` from `from`.
		Deposited { fund: Fund, from: T::AccountId, amount: Balance },
		/// A shortfall of `market` was covered: `from_market + from_global` of `shortfall`.
		Covered {
			market: MarketId,
			shortfall: Balance,
			from_market: Balance,
			from_global: Balance,
			to: T::AccountId,
		},
		/// The risk origin moved `amount` between funds.
		FundsTransferred { from: Fund, to: Fund, amount: Balance },
		/// New waterfall parameters.
		ParamsUpdated { params: InsuranceParams },
	}

	#[pallet::error]
	#[cfg_attr(test, derive(PartialEq))]
	pub enum Error<T> {
		/// A parameter is outside its hard bound.
		InvalidParams,
		/// Source and destination funds are the same.
		SameFund,
		/// The amount is zero.
		ZeroAmount,
		/// The market is not listed.
		UnknownMarket,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn integrity_test() {
			let sample =
				[Fund::Global, Fund::Market(0), Fund::Market(1), Fund::Market(MarketId::MAX)];
			for (i, a) in sample.iter().enumerate() {
				for b in sample.iter().skip(i + 1) {
					assert!(
						Pallet::<T>::account_of(*a) != Pallet::<T>::account_of(*b),
						"fund accounts collide: AccountId too short for the sub-account"
					);
				}
			}
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Move `amount` from one fund to another.
		///
		/// Origin: [`Config::RiskOrigin`].
		///
		/// Errors: `SameFund`, `UnknownMarket` (a fund of an unlisted market), `ZeroAmount`, or
		/// the currency's error if the source lacks funds. Emits `FundsTransferred`.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::transfer_between_funds())]
		pub fn transfer_between_funds(
			origin: OriginFor<T>,
			from: Fund,
			to: Fund,
			amount: Balance,
		) -> DispatchResult {
			T::RiskOrigin::ensure_origin(origin)?;
			ensure!(from != to, Error::<T>::SameFund);
			for fund in [from, to] {
				if let Fund::Market(market) = fund {
					ensure!(T::Markets::market_exists(market), Error::<T>::UnknownMarket);
				}
			}
			ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
			T::Currency::transfer(
				&Self::account_of(from),
				&Self::account_of(to),
				amount,
				Preservation::Expendable,
			)?;
			Self::deposit_event(Event::FundsTransferred { from, to, amount });
			Ok(())
		}

		/// Set the draw window and the global fund's cap per window.
		///
		/// Origin: [`Config::RiskOrigin`].
		///
		/// Errors: `InvalidParams`. Emits `ParamsUpdated`.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::set_params())]
		pub fn set_params(origin: OriginFor<T>, params: InsuranceParams) -> DispatchResult {
			T::RiskOrigin::ensure_origin(origin)?;
			ensure!(params.validate(T::MaxGlobalDrawHardCap::get()), Error::<T>::InvalidParams);
			Params::<T>::put(params);
			Self::deposit_event(Event::ParamsUpdated { params });
			Ok(())
		}

		/// Add `amount` of the caller's bUSD to `fund`.
		///
		/// Errors: `UnknownMarket` (a market fund of an unlisted market), `ZeroAmount`, or the
		/// currency's error. Emits `Deposited`.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::contribute())]
		pub fn contribute(origin: OriginFor<T>, fund: Fund, amount: Balance) -> DispatchResult {
			let who = ensure_signed(origin)?;
			if let Fund::Market(market) = fund {
				ensure!(T::Markets::market_exists(market), Error::<T>::UnknownMarket);
			}
			Self::do_deposit(fund, &who, amount)
		}
	}
}

impl<T: Config> Pallet<T> {
	/// The account holding `fund`: the pallet's account with the fund's SCALE encoding (1 byte for
	/// the global fund, 5 for a market) as sub-account. Distinct for every market as long as
	/// `AccountId` has at least 17 bytes (`integrity_test` checks a sample).
	pub fn account_of(fund: Fund) -> T::AccountId {
		T::PalletId::get().into_sub_account_truncating(fund)
	}

	/// The balance of `fund`.
	pub fn balance_of(fund: Fund) -> Balance {
		T::Currency::balance(&Self::account_of(fund))
	}

	/// The parameters, or a closed global fund if none were set.
	pub fn params() -> InsuranceParams {
		Params::<T>::get().unwrap_or(InsuranceParams { draw_window: 1, max_global_draw: 0 })
	}

	fn now() -> BlockNumber {
		frame_system::Pallet::<T>::block_number().saturated_into()
	}

	fn do_deposit(fund: Fund, from: &T::AccountId, amount: Balance) -> DispatchResult {
		ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
		T::Currency::transfer(from, &Self::account_of(fund), amount, Preservation::Preserve)?;
		Self::deposit_event(Event::Deposited { fund, from: from.clone(), amount });
		Ok(())
	}

	/// The global fund's allowance at `now` (its cap less the outstanding draws, which the
	/// cap forgives linearly over the draw window), and the outstanding draws.
	pub fn global_allowance(now: BlockNumber) -> (Balance, Balance) {
		let params = Self::params();
		let state = GlobalDraw::<T>::get();
		let outstanding = math::outstanding_draw(
			state.outstanding,
			params.max_global_draw,
			now.saturating_sub(state.at),
			params.draw_window,
		);
		(params.max_global_draw.saturating_sub(outstanding), outstanding)
	}

	/// Pays what it can of `amount` from `fund` to `to`: returns what moved, or the payment's
	/// error.
	fn pay_from(fund: Fund, to: &T::AccountId, amount: Balance) -> Result<Balance, DispatchError> {
		let source = Self::account_of(fund);
		let available =
			T::Currency::reducible_balance(&source, Preservation::Expendable, Fortitude::Polite);
		let pay = amount.min(available);
		if pay.is_zero() {
			return Ok(0);
		}
		T::Currency::transfer(&source, to, pay, Preservation::Expendable)
	}

	/// Fund balances and coverage of `market`, for the runtime API:
	/// `(market fund, global fund, coverage = market fund / open interest)`.
	pub fn api_fund_info(market: MarketId) -> (Balance, Balance, Option<FixedU128>) {
		let fund = Self::balance_of(Fund::Market(market));
		let open_interest = T::OpenInterest::open_interest(market);
		let coverage = (!open_interest.is_zero())
			.then(|| FixedU128::checked_from_rational(fund, open_interest))
			.flatten();
		(fund, Self::balance_of(Fund::Global), coverage)
	}

	/// Checks the pallet's invariants.
	///
	/// ## Invariants
	///
	/// - Parameters, if set, are within their hard bounds.
	/// - The last global draw is not in the future.
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		if let Some(params) = Params::<T>::get() {
			ensure!(params.validate(T::MaxGlobalDrawHardCap::get()), "parameters out of bounds");
		}
		ensure!(GlobalDraw::<T>::get().at <= Self::now(), "the last draw is in the future");
		Ok(())
	}
}

impl<T: Config> InsuranceBalances for Pallet<T> {
	fn fund_balance(market: MarketId) -> Balance {
		Self::balance_of(Fund::Market(market))
	}

	fn global_balance() -> Balance {
		Self::balance_of(Fund::Global)
	}

	fn global_allowance() -> Balance {
		Self::global_allowance(Self::now()).0
	}
}

impl<T: Config> InsuranceFund<T::AccountId> for Pallet<T> {
	fn fund_account(market: MarketId) -> T::AccountId {
		Self::account_of(Fund::Market(market))
	}

	fn deposit(market: MarketId, from: &T::AccountId, amount: Balance) -> DispatchResult {
		Self::do_deposit(Fund::Market(market), from, amount)
	}

	fn deposit_global(from: &T::AccountId, amount: Balance) -> DispatchResult {
		Self::do_deposit(Fund::Global, from, amount)
	}

	fn cover(
		market: MarketId,
		to: &T::AccountId,
		shortfall: Balance,
	) -> Result<Balance, DispatchError> {
		if shortfall.is_zero() {
			return Ok(0);
		}
		// Trait entry points are not transactional: a failed global payment must not leave the
		// market fund's payment behind.
		frame_support::storage::with_storage_layer(|| {
			let from_market = Self::pay_from(Fund::Market(market), to, shortfall)?;
			let remaining = shortfall.saturating_sub(from_market);
			let mut from_global = 0;
			if !remaining.is_zero() {
				let now = Self::now();
				let (allowance, outstanding) = Self::global_allowance(now);
				from_global = Self::pay_from(Fund::Global, to, remaining.min(allowance))?;
				if !from_global.is_zero() {
					GlobalDraw::<T>::put(DrawState {
						outstanding: outstanding.saturating_add(from_global),
						at: now,
					});
				}
			}
			Self::deposit_event(Event::Covered {
				market,
				shortfall,
				from_market,
				from_global,
				to: to.clone(),
			});
			Ok(from_market.saturating_add(from_global))
		})
	}

	fn deposit_weight() -> Weight {
		T::WeightInfo::deposit()
	}

	fn cover_weight() -> Weight {
		T::WeightInfo::cover()
	}
}
