//! # Oracle pallet
//!
//! Prices for Bulwark's perpetual markets from **staked operators**: a bond-weighted median per
//! round, with quorums, staleness, an EMA, an EWMA volatility estimate, offence reports for
//! deviating or absent operators, and a circuit breaker.
//!
//! ## Key terms
//!
//! - **Operator**: an account that holds a bUSD bond ([`HoldReason::OperatorBond`]) and submits
//!   prices. Its weight in medians and quorums is its bond.
//! - **Round**: [`Config::RoundLength`] blocks. Round `r` covers blocks
//!   `[r * RoundLength, (r + 1) * RoundLength)`; its submissions are aggregated in the first block
//!   of round `r + 1`, before any extrinsic of that block.
//! - **Quorum**: at least `min_submissions` operators (default 3) holding at least
//!   `min_bond_share` (default 2/3, hard floor 1/2) of the bond expected for the market: the
//!   bonds of active operators that serve it, bonded at least the governed minimum, from the
//!   round after their registration.
//! - **Status** ([`MarketStatus`]): `Stale` once the last price is more than `max_price_age`
//!   rounds old; otherwise `Halted` from a median more than `max_price_jump` from the EMA until
//!   a price is validated; otherwise `Active`.
//!
//! ## Usage
//!
//! - [`Call::create_market`], [`Call::set_market_params`], [`Call::set_operator_params`]: the
//!   risk origin lists markets and tunes every parameter within the hard bounds of
//!   [`types::bounds`].
//! - [`Call::register_operator`], [`Call::top_up`], [`Call::set_markets`],
//!   [`Call::unregister`], [`Call::withdraw_bond`]: the operator lifecycle. Unregistering, or
//!   being slashed below the minimum bond, starts [`Config::UnbondingPeriod`], during which the
//!   bond stays held and slashable.
//! - [`Call::submit`]: an active operator's prices for the current round, at most one
//!   submission per round and one price per served market. Free and `Operational` when valid.
//!
//! ## Design
//!
//! ### Aggregation (`on_initialize`, bounded)
//!
//! ```text
//! for each market:
//!     weight_i = bond of submitter i (operators that count in the round only)
//!     expected = bonds of the operators that count in the round and serve the market
//!     quorum   = count >= min_submissions and sum(weight_i) >= min_bond_share * expected
//!     no quorum: the old price ages (Stale after max_price_age rounds); a halted market's run
//!                of confirming rounds restarts
//!     median   = lower bond-weighted median(price_i, weight_i): always a submitted price
//!     r        = ln(median / previous price) over k rounds;
//!     variance = decay * variance + (1 - decay) * r^2 / k * rounds per year   (annualized)
//!     breaker and EMA: see `next_state` (a halted market resumes only on a validated price)
//! each operator's largest deviation above deviation_threshold -> one OracleDeviation offence
//! for each operator expected in the round: a round without a price for every served market
//!     increments its counter; at max_missed_rounds an OracleLiveness offence is reported
//! ```
//!
//! Work is at most `MaxMarkets x MaxOperators` submissions plus `MaxOperators` liveness checks,
//! charged by `on_initialize` from the benchmarked [`WeightInfo::on_initialize`], plus
//! `OffenceReporter::report_offence_weight()` per offence reported: at most two per operator
//! per round (one deviation, one liveness).
//!
//! Offences go to [`Config::OffenceReporter`] (the slashing pallet), which defers and applies
//! slashes through this pallet's [`Slashable`] implementation.
//!
//! ### Limitations
//!
//! - A market with no quorum keeps its last price (flagged `Stale` when old), like any feed; it
//!   never serves it as fresh.
//! - `RoundLength`, `UnbondingPeriod` and `BlocksPerYear` are runtime constants.
//! - A `submit` from a non-operator is `Operational` too; it fails and pays its fee.

//! ### Where things are
//!
//! - `lib.rs`: configuration, storage, events, errors, hooks and calls.
//! - `impls.rs`: submission checks, rounds, listing, the runtime API's views, and the traits the
//!   oracle serves to other pallets (`PriceFeed`, `OracleSecurity`, `MarketRegistry`).
//! - `aggregation.rs`: closing a round (medians, quorums, breaker, EMA, volatility, offences).
//! - `slashing.rs`: operator bonds as `Slashable` stake. `invariants.rs`: `try_state`.
//! - `extension.rs`: the transaction extension; `math/`: pure math; `types.rs`: domain types;
//!   `migrations.rs`: storage migrations.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

mod aggregation;
mod extension;
mod impls;
mod invariants;
pub mod math;
pub mod migrations;
pub mod runtime_api;
mod slashing;
pub mod types;
pub mod weights;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

pub use extension::CheckOracleSubmission;
pub use pallet::*;
pub use types::*;
pub use weights::WeightInfo;

use alloc::{collections::btree_map::BTreeMap, vec::Vec};
use bulwark_primitives::{
	Balance, BlockNumber, MarketId, MarketRegistry, OffenceKind, OffenceReporter, OracleSecurity,
	Price, PriceFeed, PriceInfo, RoundIndex, SlashPending, SlashTarget, Slashable,
};
use frame_support::{
	pallet_prelude::*,
	traits::{
		fungible::{Inspect, InspectHold, Mutate, MutateHold},
		tokens::{Fortitude, Precision, Restriction},
	},
};
use frame_system::pallet_prelude::*;
use sp_arithmetic::{
	traits::{Saturating, Zero},
	FixedPointNumber, FixedU128, Perbill,
};
use sp_runtime::traits::SaturatedConversion;

const LOG_TARGET: &str = "runtime::oracle";

/// The markets an operator declared it serves (`None`: all).
type ServedMarkets<T> = Option<BoundedVec<MarketId, <T as Config>::MaxMarkets>>;

/// The largest accepted price: 10^12 bUSD per unit. Anything above is a typo or an attack.
pub const MAX_PRICE_INTEGER: u128 = 1_000_000_000_000;

#[frame_support::pallet]
pub mod pallet {
	use super::*;

	/// The in-code storage version.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(1);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// An oracle operator's bond.
		#[codec(index = 0)]
		OperatorBond,
	}

	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// bUSD: bonds are held in it.
		type Currency: Inspect<Self::AccountId, Balance = Balance>
			+ Mutate<Self::AccountId>
			+ InspectHold<Self::AccountId, Reason = Self::RuntimeHoldReason>
			+ MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>;

		/// The overarching hold reason.
		type RuntimeHoldReason: From<HoldReason>;

		/// Lists markets and sets their oracle parameters (the risk council).
		type RiskOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// Receives `OracleDeviation` and `OracleLiveness` offences (the slashing pallet).
		type OffenceReporter: OffenceReporter<Self::AccountId>;

		/// Whether an operator has a slash pending (the slashing pallet): its bond is not
		/// released until the slash applies or is cancelled.
		type SlashPending: SlashPending<Self::AccountId>;

		/// Blocks per round. Must be at least 1.
		#[pallet::constant]
		type RoundLength: Get<BlockNumber>;

		/// The initial smallest operator bond (genesis value of the governed
		/// [`OperatorRules`]).
		#[pallet::constant]
		type MinOperatorBond: Get<Balance>;

		/// Blocks between `unregister` and `withdraw_bond`. Must exceed the slash deferral of
		/// the slashing pallet, so an operator cannot leave before its pending slashes apply.
		#[pallet::constant]
		type UnbondingPeriod: Get<BlockNumber>;

		/// The initial number of rounds an active operator may miss in a row before an
		/// `OracleLiveness` offence (genesis value of the governed [`OperatorRules`]).
		#[pallet::constant]
		type MaxMissedRounds: Get<u32>;

		/// Blocks in a year of 365 days of 24 hours: annualizes volatility, so that its meaning
		/// does not change with the block time or [`Config::RoundLength`].
		#[pallet::constant]
		type BlocksPerYear: Get<BlockNumber>;

		/// Upper bound of registered operators (active and unbonding). Bounds the aggregation.
		#[pallet::constant]
		type MaxOperators: Get<u32>;

		/// Upper bound of markets. Bounds the aggregation and a submission's entries.
		#[pallet::constant]
		type MaxMarkets: Get<u32>;

		/// Longest market symbol, in bytes.
		#[pallet::constant]
		type MaxSymbolLen: Get<u32>;

		/// Pool priority of a valid submission, added to what the fee charger gives it (the
		/// `Operational` virtual tip), so that the transaction pool orders feeds ahead of normal
		/// traffic whatever tip it pays (the runtime uses the largest priority).
		#[pallet::constant]
		type SubmissionPriority: Get<TransactionPriority>;

		/// Weights of calls and of the aggregation hook.
		type WeightInfo: WeightInfo;
	}

	/// Markets by id.
	#[pallet::storage]
	pub type Markets<T: Config> =
		CountedStorageMap<_, Twox64Concat, MarketId, MarketInfo<T::MaxSymbolLen>, OptionQuery>;

	/// The id the next market gets.
	#[pallet::storage]
	pub type NextMarketId<T: Config> = StorageValue<_, MarketId, ValueQuery>;

	/// Registered operators. TWOX-NOTE: safe, `AccountId` is a secure hash.
	#[pallet::storage]
	pub type Operators<T: Config> =
		CountedStorageMap<_, Twox64Concat, T::AccountId, OperatorInfo, OptionQuery>;

	/// Sum of the bonds of active operators (quorums weigh only those serving the market and
	/// expected in the round; see [`OperatorInfo::counts_in`]).
	#[pallet::storage]
	pub type TotalActiveBond<T: Config> = StorageValue<_, Balance, ValueQuery>;

	/// The markets an operator serves; an operator without an entry serves every market. It is
	/// expected to submit for each, its bond counts towards their quorums only, and it may
	/// submit for no other.
	#[pallet::storage]
	pub type OperatorMarkets<T: Config> =
		StorageMap<_, Twox64Concat, T::AccountId, BoundedVec<MarketId, T::MaxMarkets>, OptionQuery>;

	/// The initial operator rules, from the runtime's constants.
	#[pallet::type_value]
	pub fn DefaultOperatorRules<T: Config>() -> OperatorParams {
		OperatorParams {
			min_bond: T::MinOperatorBond::get(),
			max_missed_rounds: T::MaxMissedRounds::get(),
		}
	}

	/// Smallest operator bond and liveness limit, governed by the risk origin.
	#[pallet::storage]
	pub type OperatorRules<T: Config> =
		StorageValue<_, OperatorParams, ValueQuery, DefaultOperatorRules<T>>;

	/// Submissions of the open round per market: operator, price and the operator's bond when
	/// it submitted (a later top-up does not add weight to a price already seen), cleared at
	/// aggregation.
	#[pallet::storage]
	pub type RoundSubmissions<T: Config> = StorageMap<
		_,
		Twox64Concat,
		MarketId,
		BoundedVec<(T::AccountId, Price, Balance), T::MaxOperators>,
		ValueQuery,
	>;

	/// Submissions for the next round made in the last block of a round, per market, moved into
	/// [`RoundSubmissions`] when the round closes. A feeder submits for the round of the block
	/// after the head it sees; a busy pool may still check it against the block before, and an
	/// author may include it before the round starts: both would refuse a feed that is on time.
	#[pallet::storage]
	pub type EarlySubmissions<T: Config> = StorageMap<
		_,
		Twox64Concat,
		MarketId,
		BoundedVec<(T::AccountId, Price, Balance), T::MaxOperators>,
		ValueQuery,
	>;

	/// Operators with a submission in [`EarlySubmissions`], and whether it was complete (a price
	/// for every market they serve): their liveness for the next round, recorded when the current
	/// one closes.
	#[pallet::storage]
	pub type EarlySubmitters<T: Config> =
		CountedStorageMap<_, Twox64Concat, T::AccountId, bool, OptionQuery>;

	/// Aggregated price state per market; absent until the first quorum.
	#[pallet::storage]
	pub type Prices<T: Config> = StorageMap<_, Twox64Concat, MarketId, PriceState, OptionQuery>;

	/// Markets listed at genesis with default parameters: `(symbol, decimals)`.
	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// Markets to create, ids from 0.
		pub markets: Vec<(Vec<u8>, u8)>,
		#[serde(skip)]
		pub _config: core::marker::PhantomData<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			for (symbol, decimals) in &self.markets {
				let symbol: BoundedVec<u8, T::MaxSymbolLen> =
					symbol.clone().try_into().expect("genesis symbol too long"); // proof: genesis only, a bad spec must fail
				Pallet::<T>::do_create_market(symbol, *decimals, OracleParams::default())
					.expect("invalid genesis market"); // proof: genesis only, a bad spec must fail
			}
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A market was listed.
		MarketCreated { market: MarketId, symbol: Vec<u8>, decimals: u8, params: OracleParams },
		/// A market's oracle parameters changed (the new values).
		MarketParamsUpdated { market: MarketId, params: OracleParams },
		/// An operator registered with `bond` held.
		OperatorRegistered { operator: T::AccountId, bond: Balance },
		/// An operator added `amount` to its bond, now `bond`.
		BondToppedUp { operator: T::AccountId, amount: Balance, bond: Balance },
		/// An operator left the active set; its bond unlocks at `unlocks_at`.
		OperatorUnbonding { operator: T::AccountId, unlocks_at: BlockNumber },
		/// An operator's bond was released and the operator removed.
		BondWithdrawn { operator: T::AccountId, amount: Balance },
		/// An operator submitted `entries` prices for `round`.
		PricesSubmitted { operator: T::AccountId, round: RoundIndex, entries: u32 },
		/// A round's median for a market, after EMA and volatility updates.
		PriceAggregated {
			market: MarketId,
			round: RoundIndex,
			price: Price,
			ema_price: Price,
			volatility: FixedU128,
			submissions: u32,
		},
		/// A round ended without a quorum for a market; its last price ages.
		NoQuorum { market: MarketId, round: RoundIndex, submissions: u32, bond: Balance },
		/// The median jumped more than `max_price_jump` from the EMA: halted until `until`.
		CircuitBreakerTripped {
			market: MarketId,
			price: Price,
			ema_price: Price,
			until: BlockNumber,
		},
		/// A halted market's price was validated (back within `max_price_jump` of the pre-halt
		/// EMA, or confirmed by `confirmations` consecutive quorum rounds after the cooldown):
		/// it is `Active` again and the EMA re-anchors at `price`.
		MarketResumed { market: MarketId, price: Price, confirmations: u32 },
		/// A halted market saw a quorum median at a level not yet validated: `confirmations`
		/// consecutive rounds of `confirm_rounds` agree on `candidate` so far.
		HaltedPriceUnconfirmed {
			market: MarketId,
			price: Price,
			candidate: Price,
			confirmations: u32,
		},
		/// A halted market's new level is confirmed (`confirmations` consecutive quorum rounds
		/// agree on `candidate`) but lies farther than `max_price_jump` from the pre-halt EMA:
		/// it stays `Halted` until the risk origin resumes it ([`Call::resume_market`]), since
		/// operators able to move the price by more than one jump must not be able to resume at
		/// their own level.
		ResumeAwaitsRiskOrigin { market: MarketId, candidate: Price, confirmations: u32 },
		/// An operator declared the markets it serves (`None`: every market).
		OperatorMarketsSet { operator: T::AccountId, markets: Option<Vec<MarketId>> },
		/// The operator rules changed (the new values).
		OperatorParamsUpdated { params: OperatorParams },
		/// A slash left an operator's bond below the minimum: it no longer submits or counts,
		/// and its bond unlocks at `unlocks_at`.
		OperatorDeactivated { operator: T::AccountId, bond: Balance, unlocks_at: BlockNumber },
		/// An offence was reported to the slashing pallet.
		OffenceReported { offence: OffenceKind<T::AccountId> },
		/// `amount` of an operator's bond was slashed to `beneficiary`.
		BondSlashed { operator: T::AccountId, amount: Balance, beneficiary: T::AccountId },
	}

	#[pallet::error]
	#[cfg_attr(test, derive(PartialEq))]
	pub enum Error<T> {
		/// No market with this id.
		UnknownMarket,
		/// A parameter is outside its hard bound (see `types::bounds`).
		InvalidParams,
		/// The symbol is longer than [`Config::MaxSymbolLen`].
		SymbolTooLong,
		/// [`Config::MaxMarkets`] markets exist already.
		TooManyMarkets,
		/// The account is an operator already.
		AlreadyOperator,
		/// The bond is below [`Config::MinOperatorBond`].
		BondTooLow,
		/// [`Config::MaxOperators`] operators exist already.
		TooManyOperators,
		/// The account is not an operator.
		NotOperator,
		/// The operator is unbonding.
		OperatorNotActive,
		/// The operator has not called `unregister`.
		NotUnbonding,
		/// The unbonding period has not ended.
		StillUnbonding,
		/// A slash of the operator is pending: the bond stays until it applies or is cancelled.
		SlashPending,
		/// `round` is not the current round.
		WrongRound,
		/// The operator submitted in this round already.
		AlreadySubmitted,
		/// The operator is not expected before the round after its registration.
		NotYetExpected,
		/// The operator does not serve this market (see [`Call::set_markets`]).
		MarketNotServed,
		/// The round's submission list of a market is full.
		SubmissionsFull,
		/// A served-markets declaration lists no market.
		NoMarkets,
		/// A market appears twice in one submission.
		DuplicateMarket,
		/// A price is zero.
		ZeroPrice,
		/// A price is above [`MAX_PRICE_INTEGER`].
		AbsurdPrice,
		/// An empty submission.
		EmptySubmission,
		/// Amount is zero.
		ZeroAmount,
		/// The market is not halted.
		NotHalted,
		/// The halted market's cooldown has not ended, or its level is not confirmed by
		/// `confirm_rounds` consecutive quorum rounds.
		ResumeNotConfirmed,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn on_initialize(now: BlockNumberFor<T>) -> Weight {
			let now: BlockNumber = now.saturated_into();
			match Self::round_to_close(now) {
				Some(round) => {
					let markets = Markets::<T>::count();
					let operators = Operators::<T>::count();
					let reports = Self::aggregate(round, now);
					// Each offence report is charged at the reporter's benchmarked weight.
					T::WeightInfo::on_initialize(markets, operators).saturating_add(
						T::OffenceReporter::report_offence_weight().saturating_mul(reports.into()),
					)
				},
				None => T::WeightInfo::on_initialize_idle(),
			}
		}

		fn integrity_test() {
			assert!(T::RoundLength::get() >= 1, "RoundLength must be at least one block");
			assert!(T::MaxOperators::get() >= 1, "MaxOperators must be positive");
			assert!(T::MaxMarkets::get() >= 1, "MaxMarkets must be positive");
			assert!(
				DefaultOperatorRules::<T>::get().validate(T::Currency::minimum_balance()),
				"the initial operator rules must be within their hard bounds"
			);
			assert!(
				T::BlocksPerYear::get() >= T::RoundLength::get(),
				"BlocksPerYear must hold at least one round"
			);
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// List a market.
		///
		/// Origin: [`Config::RiskOrigin`]. The market gets the next id.
		///
		/// Errors: `SymbolTooLong`, `InvalidParams`, `TooManyMarkets`.
		/// Emits `MarketCreated`.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::create_market())]
		pub fn create_market(
			origin: OriginFor<T>,
			symbol: Vec<u8>,
			decimals: u8,
			params: OracleParams,
		) -> DispatchResult {
			T::RiskOrigin::ensure_origin(origin)?;
			let symbol: BoundedVec<u8, T::MaxSymbolLen> =
				symbol.try_into().map_err(|_| Error::<T>::SymbolTooLong)?;
			Self::do_create_market(symbol, decimals, params).map(|_| ())
		}

		/// Replace a market's oracle parameters.
		///
		/// Origin: [`Config::RiskOrigin`].
		///
		/// Errors: `UnknownMarket`, `InvalidParams`. Emits `MarketParamsUpdated`.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::set_market_params())]
		pub fn set_market_params(
			origin: OriginFor<T>,
			market: MarketId,
			params: OracleParams,
		) -> DispatchResult {
			T::RiskOrigin::ensure_origin(origin)?;
			ensure!(params.validate(T::MaxOperators::get()), Error::<T>::InvalidParams);
			Markets::<T>::try_mutate(market, |info| -> DispatchResult {
				let info = info.as_mut().ok_or(Error::<T>::UnknownMarket)?;
				info.params = params;
				Ok(())
			})?;
			Prices::<T>::mutate(market, |state| {
				if let Some(state) = state.as_mut() {
					state.max_price_age = params.max_price_age;
				}
			});
			Self::deposit_event(Event::MarketParamsUpdated { market, params });
			Ok(())
		}

		/// Become an operator, holding `bond` bUSD.
		///
		/// Errors: `AlreadyOperator`, `BondTooLow`, `TooManyOperators`, or the currency's error if
		/// the bond cannot be held. Emits `OperatorRegistered`.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::register_operator())]
		pub fn register_operator(origin: OriginFor<T>, bond: Balance) -> DispatchResult {
			let who = ensure_signed(origin)?;
			ensure!(!Operators::<T>::contains_key(&who), Error::<T>::AlreadyOperator);
			ensure!(bond >= OperatorRules::<T>::get().min_bond, Error::<T>::BondTooLow);
			ensure!(Operators::<T>::count() < T::MaxOperators::get(), Error::<T>::TooManyOperators);
			T::Currency::hold(&HoldReason::OperatorBond.into(), &who, bond)?;
			let info = OperatorInfo {
				bond,
				status: OperatorStatus::Active,
				// The current round is already under way: expect submissions from the next.
				active_since: Self::current_round().saturating_add(1),
				last_submitted: None,
				last_complete: None,
				missed_rounds: 0,
			};
			Operators::<T>::insert(&who, info);
			TotalActiveBond::<T>::mutate(|total| *total = total.saturating_add(bond));
			Self::deposit_event(Event::OperatorRegistered { operator: who, bond });
			Ok(())
		}

		/// Add `amount` to an active operator's bond.
		///
		/// Errors: `ZeroAmount`, `NotOperator`, `OperatorNotActive`, or the currency's error.
		/// Emits `BondToppedUp`.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::top_up())]
		pub fn top_up(origin: OriginFor<T>, amount: Balance) -> DispatchResult {
			let who = ensure_signed(origin)?;
			ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
			let mut info = Operators::<T>::get(&who).ok_or(Error::<T>::NotOperator)?;
			ensure!(info.is_active(), Error::<T>::OperatorNotActive);
			T::Currency::hold(&HoldReason::OperatorBond.into(), &who, amount)?;
			info.bond = info.bond.saturating_add(amount);
			let bond = info.bond;
			Operators::<T>::insert(&who, info);
			TotalActiveBond::<T>::mutate(|total| *total = total.saturating_add(amount));
			Self::deposit_event(Event::BondToppedUp { operator: who, amount, bond });
			Ok(())
		}

		/// Leave the active set. The bond stays held, and slashable, for
		/// [`Config::UnbondingPeriod`] blocks.
		///
		/// Errors: `NotOperator`, `OperatorNotActive`. Emits `OperatorUnbonding`.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::unregister())]
		pub fn unregister(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let mut info = Operators::<T>::get(&who).ok_or(Error::<T>::NotOperator)?;
			ensure!(info.is_active(), Error::<T>::OperatorNotActive);
			let unlocks_at = Self::now().saturating_add(T::UnbondingPeriod::get());
			info.status = OperatorStatus::Unbonding { unlocks_at };
			TotalActiveBond::<T>::mutate(|total| *total = total.saturating_sub(info.bond));
			Operators::<T>::insert(&who, info);
			Self::deposit_event(Event::OperatorUnbonding { operator: who, unlocks_at });
			Ok(())
		}

		/// Release the bond of an operator whose unbonding period ended, and remove it.
		///
		/// Errors: `NotOperator`, `NotUnbonding`, `StillUnbonding`, `SlashPending`. Emits
		/// `BondWithdrawn`.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::withdraw_bond())]
		pub fn withdraw_bond(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let info = Operators::<T>::get(&who).ok_or(Error::<T>::NotOperator)?;
			let OperatorStatus::Unbonding { unlocks_at } = info.status else {
				return Err(Error::<T>::NotUnbonding.into());
			};
			ensure!(Self::now() >= unlocks_at, Error::<T>::StillUnbonding);
			ensure!(
				!T::SlashPending::slash_pending(&SlashTarget::Operator(who.clone())),
				Error::<T>::SlashPending
			);
			let amount = T::Currency::release(
				&HoldReason::OperatorBond.into(),
				&who,
				info.bond,
				Precision::BestEffort,
			)?;
			Operators::<T>::remove(&who);
			OperatorMarkets::<T>::remove(&who);
			Self::deposit_event(Event::BondWithdrawn { operator: who, amount });
			Ok(())
		}

		/// Submit prices for the current round: `(market, price)` pairs, each market at most
		/// once, one submission per operator per round, only for markets the operator serves.
		/// An operator is expected from the round after its registration. In a round's last
		/// block a submission for the next round is accepted too (held in [`EarlySubmissions`]):
		/// a feeder submits for the round of the block after the head it sees.
		///
		/// `Operational`, so normal-class traffic cannot crowd feeds out of a block, and free
		/// (`Pays::No`) when it succeeds, so feeding costs operators nothing; a rejected
		/// submission pays its fee, so spam costs.
		///
		/// Errors: `NotOperator`, `OperatorNotActive`, `BondTooLow` (below the governed minimum),
		/// `NotYetExpected`, `WrongRound`, `AlreadySubmitted`, `EmptySubmission`,
		/// `UnknownMarket`, `MarketNotServed`, `DuplicateMarket`, `ZeroPrice`, `AbsurdPrice`,
		/// `SubmissionsFull`. Emits `PricesSubmitted`.
		#[pallet::call_index(6)]
		#[pallet::weight((
			T::WeightInfo::submit(prices.len().saturated_into()),
			DispatchClass::Operational,
		))]
		pub fn submit(
			origin: OriginFor<T>,
			round: RoundIndex,
			prices: BoundedVec<(MarketId, Price), T::MaxMarkets>,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			let (mut info, served) = Self::check_submission(&who, round, &prices)?;
			let early = Self::is_early(round);
			for (market, price) in prices.iter() {
				let entry = (who.clone(), *price, info.bond);
				let pushed = if early {
					EarlySubmissions::<T>::try_mutate(market, |entries| entries.try_push(entry))
				} else {
					RoundSubmissions::<T>::try_mutate(market, |entries| entries.try_push(entry))
				};
				pushed.map_err(|_| Error::<T>::SubmissionsFull)?;
			}
			// Complete: a price for every market the operator serves (all listed markets, or
			// its declared ones, all of which are listed).
			let expected = match &served {
				Some(served) => served.len(),
				None => Markets::<T>::count().saturated_into(),
			};
			let complete = prices.len() >= expected;
			info.last_submitted = Some(round);
			if early {
				// The current round's liveness is judged when it closes; this one's after.
				EarlySubmitters::<T>::insert(&who, complete);
			} else if complete {
				info.last_complete = Some(round);
				info.missed_rounds = 0;
			}
			Operators::<T>::insert(&who, info);
			Self::deposit_event(Event::PricesSubmitted {
				operator: who,
				round,
				entries: prices.len().saturated_into(),
			});
			Ok(Pays::No.into())
		}

		/// Declare the markets the caller serves (`None`: every market, the default). The
		/// operator is then expected to submit for each of them every round, its bond counts
		/// towards their quorums only, and it may submit for no other market. Takes effect at
		/// once.
		///
		/// Errors: `NotOperator`, `OperatorNotActive`, `NoMarkets` (an empty list),
		/// `UnknownMarket`, `DuplicateMarket`. Emits `OperatorMarketsSet`.
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::set_markets())]
		pub fn set_markets(
			origin: OriginFor<T>,
			markets: Option<BoundedVec<MarketId, T::MaxMarkets>>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let info = Operators::<T>::get(&who).ok_or(Error::<T>::NotOperator)?;
			ensure!(info.is_active(), Error::<T>::OperatorNotActive);
			match &markets {
				Some(list) => {
					ensure!(!list.is_empty(), Error::<T>::NoMarkets);
					let mut seen = BTreeMap::new();
					for market in list.iter() {
						ensure!(Markets::<T>::contains_key(market), Error::<T>::UnknownMarket);
						ensure!(seen.insert(*market, ()).is_none(), Error::<T>::DuplicateMarket);
					}
					OperatorMarkets::<T>::insert(&who, list);
				},
				None => OperatorMarkets::<T>::remove(&who),
			}
			Self::deposit_event(Event::OperatorMarketsSet {
				operator: who,
				markets: markets.map(|list| list.into_inner()),
			});
			Ok(())
		}

		/// Set the operator rules: the smallest bond and the liveness limit.
		///
		/// Origin: [`Config::RiskOrigin`]. A raised minimum does not remove operators below it:
		/// they neither submit nor count until they top up, and are deactivated if slashed.
		///
		/// Errors: `InvalidParams` (outside the hard bounds). Emits `OperatorParamsUpdated`.
		#[pallet::call_index(8)]
		#[pallet::weight(T::WeightInfo::set_operator_params())]
		pub fn set_operator_params(origin: OriginFor<T>, params: OperatorParams) -> DispatchResult {
			T::RiskOrigin::ensure_origin(origin)?;
			ensure!(params.validate(T::Currency::minimum_balance()), Error::<T>::InvalidParams);
			OperatorRules::<T>::put(params);
			Self::deposit_event(Event::OperatorParamsUpdated { params });
			Ok(())
		}

		/// Resume a halted market whose new level the operators confirmed
		/// ([`Event::ResumeAwaitsRiskOrigin`]): it is `Active` again at its latest median, and
		/// the EMA re-anchors there. A level within `max_price_jump` of the pre-halt EMA resumes
		/// without this call.
		///
		/// Origin: [`Config::RiskOrigin`]. The latest median must itself be a confirmation: a
		/// round at another level or without a quorum restarts the count, and the council cannot
		/// resume at a level the operators did not confirm.
		///
		/// Errors: `UnknownMarket`, `NotHalted`, `ResumeNotConfirmed`. Emits `MarketResumed`.
		#[pallet::call_index(9)]
		#[pallet::weight(T::WeightInfo::resume_market())]
		pub fn resume_market(origin: OriginFor<T>, market: MarketId) -> DispatchResult {
			T::RiskOrigin::ensure_origin(origin)?;
			let info = Markets::<T>::get(market).ok_or(Error::<T>::UnknownMarket)?;
			let mut state = Prices::<T>::get(market).ok_or(Error::<T>::NotHalted)?;
			ensure!(state.halt.is_some(), Error::<T>::NotHalted);
			let confirmations = state
				.awaits_risk_origin(info.params.confirm_rounds)
				.ok_or(Error::<T>::ResumeNotConfirmed)?;
			// A confirmation counts only after the cooldown, so the cooldown has passed.
			state.halt = None;
			state.ema_price = state.price;
			Prices::<T>::insert(market, state);
			Self::deposit_event(Event::MarketResumed { market, price: state.price, confirmations });
			Ok(())
		}
	}
}
