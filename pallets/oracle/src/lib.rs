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

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

mod extension;
pub mod math;
pub mod migrations;
pub mod runtime_api;
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
			let halt = state.halt.ok_or(Error::<T>::NotHalted)?;
			let confirmations = match halt.candidate {
				Some((_, n)) if n >= info.params.confirm_rounds => n,
				_ => return Err(Error::<T>::ResumeNotConfirmed.into()),
			};
			// A confirmation counts only after the cooldown, so the cooldown has passed.
			state.halt = None;
			state.ema_price = state.price;
			Prices::<T>::insert(market, state);
			Self::deposit_event(Event::MarketResumed { market, price: state.price, confirmations });
			Ok(())
		}
	}
}

impl<T: Config> Pallet<T> {
	/// The checks of [`Call::submit`], shared with the [`CheckOracleSubmission`] transaction
	/// extension, which refuses an invalid submission before it enters the pool or a block.
	/// Returns the operator and its served markets.
	pub fn check_submission(
		who: &T::AccountId,
		round: RoundIndex,
		prices: &[(MarketId, Price)],
	) -> Result<(OperatorInfo, ServedMarkets<T>), Error<T>> {
		let info = Operators::<T>::get(who).ok_or(Error::<T>::NotOperator)?;
		ensure!(info.is_active(), Error::<T>::OperatorNotActive);
		ensure!(info.bond >= OperatorRules::<T>::get().min_bond, Error::<T>::BondTooLow);
		ensure!(Self::accepts_round(round), Error::<T>::WrongRound);
		ensure!(round >= info.active_since, Error::<T>::NotYetExpected);
		// Rounds are submitted in order: after an early submission for the next round, the
		// current one is closed to the operator.
		ensure!(info.last_submitted.is_none_or(|last| last < round), Error::<T>::AlreadySubmitted);
		ensure!(!prices.is_empty(), Error::<T>::EmptySubmission);
		let served = OperatorMarkets::<T>::get(who);
		let max_price = FixedU128::saturating_from_integer(MAX_PRICE_INTEGER);
		let mut seen = BTreeMap::new();
		for (market, price) in prices {
			ensure!(Markets::<T>::contains_key(market), Error::<T>::UnknownMarket);
			ensure!(
				served.as_ref().is_none_or(|served| served.contains(market)),
				Error::<T>::MarketNotServed
			);
			ensure!(seen.insert(*market, ()).is_none(), Error::<T>::DuplicateMarket);
			ensure!(!price.is_zero(), Error::<T>::ZeroPrice);
			ensure!(*price <= max_price, Error::<T>::AbsurdPrice);
		}
		Ok((info, served))
	}

	/// Whether a submission for `round` is on time: the current round, or the next one in the
	/// current round's last block (see [`EarlySubmissions`]).
	pub fn accepts_round(round: RoundIndex) -> bool {
		let current = Self::current_round();
		round == current
			|| (Some(round) == current.checked_add(1) && Self::blocks_left_in_round() == 1)
	}

	/// Whether `round` is after the current round.
	pub fn is_early(round: RoundIndex) -> bool {
		round > Self::current_round()
	}

	/// Blocks left in the current round, at least one.
	pub fn blocks_left_in_round() -> BlockNumber {
		let length = T::RoundLength::get().max(1);
		length.saturating_sub(Self::now() % length).max(1)
	}

	/// The current block number.
	pub fn now() -> BlockNumber {
		frame_system::Pallet::<T>::block_number().saturated_into()
	}

	/// The round the current block belongs to.
	pub fn current_round() -> RoundIndex {
		Self::now() / T::RoundLength::get().max(1)
	}

	/// The round closed at block `now`, if `now` starts a round.
	fn round_to_close(now: BlockNumber) -> Option<RoundIndex> {
		let length = T::RoundLength::get().max(1);
		now.is_multiple_of(length).then(|| now / length).and_then(|r| r.checked_sub(1))
	}

	/// Lists a market (also used by genesis).
	pub fn do_create_market(
		symbol: BoundedVec<u8, T::MaxSymbolLen>,
		decimals: u8,
		params: OracleParams,
	) -> Result<MarketId, DispatchError> {
		ensure!(params.validate(T::MaxOperators::get()), Error::<T>::InvalidParams);
		ensure!(Markets::<T>::count() < T::MaxMarkets::get(), Error::<T>::TooManyMarkets);
		let market = NextMarketId::<T>::get();
		let next = market.checked_add(1).ok_or(Error::<T>::TooManyMarkets)?;
		Markets::<T>::insert(market, MarketInfo { symbol: symbol.clone(), decimals, params });
		NextMarketId::<T>::put(next);
		Self::deposit_event(Event::MarketCreated {
			market,
			symbol: symbol.into_inner(),
			decimals,
			params,
		});
		Ok(market)
	}

	/// Rounds in a year, at least one.
	pub fn rounds_per_year() -> u32 {
		(T::BlocksPerYear::get() / T::RoundLength::get().max(1)).max(1)
	}

	/// Closes `round`: aggregates every market's submissions, reports at most one deviation
	/// per operator (its largest), and checks operator liveness. Returns the number of
	/// offences reported.
	pub(crate) fn aggregate(round: RoundIndex, now: BlockNumber) -> u32 {
		let min_bond = OperatorRules::<T>::get().min_bond;
		// Read the operator set once: bonds weigh the medians and quorums, and the same entries
		// are then checked for liveness.
		let operators: Vec<(T::AccountId, OperatorInfo)> = Operators::<T>::iter().collect();
		let mut counted: BTreeMap<&T::AccountId, (Balance, ServedMarkets<T>)> = BTreeMap::new();
		for (operator, info) in operators.iter() {
			if info.counts_in(round, min_bond) {
				counted.insert(operator, (info.bond, OperatorMarkets::<T>::get(operator)));
			}
		}
		// Each operator's largest deviation of the round: (market, deviation).
		let mut deviations: BTreeMap<T::AccountId, (MarketId, Perbill)> = BTreeMap::new();
		for (market, info) in Markets::<T>::iter() {
			// The bond expected for this market: operators that count and serve it.
			let mut expected = counted
				.values()
				.filter(|(_, served)| served.as_ref().is_none_or(|s| s.contains(&market)))
				.fold(0u128, |acc, (bond, _)| acc.saturating_add(*bond));
			let submissions = RoundSubmissions::<T>::take(market);
			let early = EarlySubmissions::<T>::take(market);
			if !early.is_empty() {
				RoundSubmissions::<T>::insert(market, early);
			}
			let mut weighted: Vec<(Price, Balance)> = Vec::with_capacity(submissions.len());
			let mut submitters: Vec<(T::AccountId, Price)> = Vec::with_capacity(submissions.len());
			for (operator, price, bond_at_submission) in submissions.into_iter() {
				// Operators that left, fell below the minimum bond or stopped serving the market
				// since submitting weigh nothing (the expected bond no longer counts them
				// either); a bond weighs what it was at submission, or less if slashed since.
				let Some((bond, served)) = counted.get(&operator) else { continue };
				if served.as_ref().is_some_and(|s| !s.contains(&market)) {
					continue;
				}
				let weight = (*bond).min(bond_at_submission);
				// A top-up after submitting raises neither the weight nor the expected bond.
				expected = expected.saturating_sub(bond.saturating_sub(weight));
				weighted.push((price, weight));
				submitters.push((operator, price));
			}
			let submitted_bond = weighted.iter().fold(0u128, |acc, (_, w)| acc.saturating_add(*w));
			let Some(median) = Self::aggregate_market(
				market,
				&info.params,
				round,
				now,
				expected,
				submitted_bond,
				&mut weighted,
			) else {
				continue;
			};
			// An exact half of the weight at or below the median is a tie between two sides:
			// the lower median is a submitted price, but nobody can be judged off it.
			let at_or_below = weighted
				.iter()
				.filter(|(price, _)| *price <= median)
				.fold(0u128, |acc, (_, w)| acc.saturating_add(*w));
			if at_or_below.saturating_mul(2) == submitted_bond {
				continue;
			}
			for (operator, price) in submitters {
				let deviation = math::relative_deviation(price, median);
				if deviation <= info.params.deviation_threshold {
					continue;
				}
				let larger = deviations.get(&operator).is_none_or(|(other, largest)| {
					deviation > *largest || (deviation == *largest && market < *other)
				});
				if larger {
					deviations.insert(operator, (market, deviation));
				}
			}
		}
		let mut reports: u32 = 0;
		for (operator, (market, deviation)) in deviations {
			Self::report(OffenceKind::OracleDeviation { operator, market, round, deviation });
			reports = reports.saturating_add(1);
		}
		reports.saturating_add(Self::check_liveness(round, operators))
	}

	/// Aggregates one market's weighted submissions (`bond`: their total weight); returns the
	/// median if a quorum formed.
	fn aggregate_market(
		market: MarketId,
		params: &OracleParams,
		round: RoundIndex,
		now: BlockNumber,
		expected_bond: Balance,
		bond: Balance,
		weighted: &mut [(Price, Balance)],
	) -> Option<Price> {
		let count: u32 = weighted.len().saturated_into();
		let quorum = count >= params.min_submissions
			&& !bond.is_zero()
			&& bond >= params.min_bond_share.mul_ceil(expected_bond);
		let median = if quorum { math::weighted_median(weighted) } else { None };
		let Some(median) = median else {
			let previous = Prices::<T>::get(market);
			if count > 0 || previous.is_some() {
				Self::deposit_event(Event::NoQuorum { market, round, submissions: count, bond });
			}
			// A round without quorum breaks a halted market's run of confirming rounds.
			if let Some(mut state) = previous {
				if let Some(halt) = state.halt.as_mut().filter(|h| h.candidate.is_some()) {
					halt.candidate = None;
					Prices::<T>::insert(market, state);
				}
			}
			return None;
		};

		let state = match Prices::<T>::get(market) {
			None => {
				let variance = params.initial_volatility.saturating_mul(params.initial_volatility);
				PriceState {
					price: median,
					ema_price: median,
					variance,
					volatility: params.initial_volatility,
					updated_at: now,
					round,
					halt: None,
					max_price_age: params.max_price_age,
				}
			},
			Some(prev) => Self::next_state(market, params, prev, median, round, now),
		};
		Prices::<T>::insert(market, state);
		Self::deposit_event(Event::PriceAggregated {
			market,
			round,
			price: state.price,
			ema_price: state.ema_price,
			volatility: state.volatility,
			submissions: count,
		});
		Some(median)
	}

	/// The price state after a new quorum median: volatility, breaker and EMA.
	///
	/// ```text
	/// Active: |median - ema| / ema > max_price_jump -> Halted (EMA frozen at its pre-halt value)
	///         else ema += alpha (median - ema)
	/// Halted, before the cooldown ends: stays Halted, nothing counts as confirmation
	/// Halted, after:  |median - pre-halt ema| <= max_price_jump -> Active, ema = median
	///                 else the median confirms the candidate level (within
	///                 deviation_threshold) or starts a new one; confirm_rounds consecutive
	///                 quorum rounds on one level -> awaits the risk origin's `resume_market`
	///                 (Active, ema = median): operators that could resume at any level they
	///                 confirm could move the price by more than one `max_price_jump`
	/// ```
	fn next_state(
		market: MarketId,
		params: &OracleParams,
		prev: PriceState,
		median: Price,
		round: RoundIndex,
		now: BlockNumber,
	) -> PriceState {
		let mut next = prev;
		next.max_price_age = params.max_price_age;
		next.price = median;
		next.updated_at = now;
		next.round = round;
		match math::log_return(prev.price, median) {
			Some(r) => {
				let rounds = round.saturating_sub(prev.round);
				let sample = math::annualized_sample(r, rounds, Self::rounds_per_year());
				next.variance = math::ewma_variance(prev.variance, sample, params.volatility_decay);
				next.volatility = math::volatility(next.variance).unwrap_or(prev.volatility);
			},
			None => {
				log::warn!(target: LOG_TARGET, "market {market}: no log return from a zero price")
			},
		}

		let Some(mut halt) = prev.halt else {
			if math::relative_deviation(median, prev.ema_price) > params.max_price_jump {
				let until = now.saturating_add(params.breaker_cooldown);
				next.halt = Some(Halt { cooldown_until: until, candidate: None });
				Self::deposit_event(Event::CircuitBreakerTripped {
					market,
					price: median,
					ema_price: prev.ema_price,
					until,
				});
			} else {
				next.ema_price = math::ema(prev.ema_price, median, params.ema_alpha);
			}
			return next;
		};
		if now < halt.cooldown_until {
			// Cooldown: the EMA stays at its pre-halt value and nothing is confirmed yet.
			return next;
		}
		let back_in_band =
			math::relative_deviation(median, prev.ema_price) <= params.max_price_jump;
		let (candidate, confirmations) = match halt.candidate {
			Some((level, n))
				if math::relative_deviation(median, level) <= params.deviation_threshold =>
			{
				(level, n.saturating_add(1))
			},
			_ => (median, 1),
		};
		if back_in_band {
			next.halt = None;
			next.ema_price = median;
			Self::deposit_event(Event::MarketResumed { market, price: median, confirmations: 0 });
		} else if confirmations >= params.confirm_rounds {
			// Confirmed, but beyond what one jump allows: the risk origin decides.
			halt.candidate = Some((candidate, confirmations));
			next.halt = Some(halt);
			Self::deposit_event(Event::ResumeAwaitsRiskOrigin { market, candidate, confirmations });
		} else {
			halt.candidate = Some((candidate, confirmations));
			next.halt = Some(halt);
			Self::deposit_event(Event::HaltedPriceUnconfirmed {
				market,
				price: median,
				candidate,
				confirmations,
			});
		}
		next
	}

	/// Counts missed rounds of operators expected in `round`; reports those reaching the
	/// governed `max_missed_rounds`. A round is missed unless the operator submitted a price
	/// for every market it serves. Then records the early submissions for the next round
	/// ([`EarlySubmitters`]), which now belong to the open round.
	fn check_liveness(round: RoundIndex, operators: Vec<(T::AccountId, OperatorInfo)>) -> u32 {
		let OperatorParams { min_bond, max_missed_rounds: max_missed } = OperatorRules::<T>::get();
		let early: BTreeMap<T::AccountId, bool> = EarlySubmitters::<T>::drain().collect();
		let next = round.saturating_add(1);
		let mut reports = Vec::new();
		for (operator, mut info) in operators {
			let mut changed = false;
			// Only operators that count are expected: one below a raised minimum bond cannot
			// submit, so it is not punished for not submitting.
			if info.counts_in(round, min_bond) && info.last_complete != Some(round) {
				info.missed_rounds = info.missed_rounds.saturating_add(1);
				if info.missed_rounds >= max_missed {
					reports.push((operator.clone(), info.missed_rounds));
					info.missed_rounds = 0;
				}
				changed = true;
			}
			if early.get(&operator) == Some(&true) {
				info.last_complete = Some(next);
				info.missed_rounds = 0;
				changed = true;
			}
			if changed {
				Operators::<T>::insert(&operator, info);
			}
		}
		let count = reports.len().saturated_into();
		for (operator, missed) in reports {
			Self::report(OffenceKind::OracleLiveness { operator, missed });
		}
		count
	}

	fn report(offence: OffenceKind<T::AccountId>) {
		match T::OffenceReporter::report_offence(None, offence.clone()) {
			Ok(()) => Self::deposit_event(Event::OffenceReported { offence }),
			Err(e) => log::warn!(target: LOG_TARGET, "offence report refused: {e:?}"),
		}
	}

	/// The price info of `market` with its status as of now.
	pub fn price_info(market: MarketId) -> Option<PriceInfo> {
		// Prices exist only for listed markets (markets are never removed).
		let state = Prices::<T>::get(market)?;
		let status = state.status(Self::current_round(), state.max_price_age);
		Some(state.info(status))
	}

	/// Markets and their oracle parameters, for the runtime API.
	pub fn api_markets() -> Vec<(MarketId, Vec<u8>, u8, OracleParams)> {
		let mut markets: Vec<_> = Markets::<T>::iter()
			.map(|(id, info)| (id, info.symbol.into_inner(), info.decimals, info.params))
			.collect();
		markets.sort_by_key(|(id, ..)| *id);
		markets
	}

	/// Operators with their bonds and status, for the runtime API.
	pub fn api_operators() -> Vec<(T::AccountId, OperatorInfo)> {
		let mut operators: Vec<_> = Operators::<T>::iter().collect();
		operators.sort_by(|a, b| a.0.cmp(&b.0));
		operators
	}

	/// Checks the pallet's invariants.
	///
	/// ## Invariants
	///
	/// - Every operator's recorded bond equals its bUSD on hold for `OperatorBond`.
	/// - `TotalActiveBond` is the sum of active operators' bonds.
	/// - At most `MaxOperators` operators and `MaxMarkets` markets; `NextMarketId` is above
	///   every market id.
	/// - Submissions and prices exist only for listed markets, and come from operators; each
	///   price carries its market's `max_price_age`.
	/// - Early submissions (for the next round) exist only in a round's last block, each with
	///   its operator's record in `EarlySubmitters`.
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		let mut active_total: Balance = 0;
		for (operator, info) in Operators::<T>::iter() {
			let held = T::Currency::balance_on_hold(&HoldReason::OperatorBond.into(), &operator);
			ensure!(held == info.bond, "held bond differs from the recorded bond");
			if info.is_active() {
				active_total = active_total.saturating_add(info.bond);
			}
		}
		ensure!(
			active_total == TotalActiveBond::<T>::get(),
			"TotalActiveBond is not the sum of active bonds"
		);
		ensure!(Operators::<T>::count() <= T::MaxOperators::get(), "too many operators");
		ensure!(Markets::<T>::count() <= T::MaxMarkets::get(), "too many markets");
		let next = NextMarketId::<T>::get();
		for (market, _) in Markets::<T>::iter() {
			ensure!(market < next, "a market id is not below NextMarketId");
		}
		for (market, entries) in RoundSubmissions::<T>::iter() {
			ensure!(Markets::<T>::contains_key(market), "submissions for an unknown market");
			for (operator, _, _) in entries {
				ensure!(
					Operators::<T>::contains_key(&operator),
					"a submission from a non-operator"
				);
			}
		}
		let last_block = Self::blocks_left_in_round() == 1;
		ensure!(
			last_block || EarlySubmitters::<T>::count() == 0,
			"early submitters outside a round's last block"
		);
		for (market, entries) in EarlySubmissions::<T>::iter() {
			ensure!(last_block, "early submissions outside a round's last block");
			ensure!(Markets::<T>::contains_key(market), "early submissions for an unknown market");
			for (operator, _, _) in entries {
				ensure!(
					EarlySubmitters::<T>::contains_key(&operator)
						&& Operators::<T>::contains_key(&operator),
					"an early submission from a non-operator or without its record"
				);
			}
		}
		for (market, state) in Prices::<T>::iter() {
			let info = Markets::<T>::get(market).ok_or("a price for an unknown market")?;
			ensure!(
				state.max_price_age == info.params.max_price_age,
				"a price's max_price_age differs from its market's"
			);
			if let Some((_, confirmations)) = state.halt.and_then(|h| h.candidate) {
				ensure!(confirmations >= 1, "a halted market's candidate has no confirmation");
			}
		}
		for (operator, markets) in OperatorMarkets::<T>::iter() {
			ensure!(Operators::<T>::contains_key(&operator), "served markets of a non-operator");
			ensure!(!markets.is_empty(), "an empty served-markets declaration");
			for market in markets.iter() {
				ensure!(Markets::<T>::contains_key(market), "an operator serves an unknown market");
			}
		}
		Ok(())
	}
}

impl<T: Config> MarketRegistry for Pallet<T> {
	fn market_exists(market: MarketId) -> bool {
		Markets::<T>::contains_key(market)
	}
}

/// The bond that controls a market's median is half the smallest quorum: a round aggregates
/// once operators holding `min_bond_share` of the counted bond submit, and the median is the
/// lower bond-weighted median (the first price where twice the cumulative bond reaches the
/// total submitted), so with the rest absent a coalition holding half of that quorum sets the
/// median by submitting below the others: a third of the counted bond at the default two
/// thirds. (An outsider would need as much as all of them.) At least the minimum operator bond,
/// without which nobody submits at all.
impl<T: Config> OracleSecurity for Pallet<T> {
	fn market_security() -> Vec<(MarketId, Balance, Perbill)> {
		let min_bond = OperatorRules::<T>::get().min_bond;
		let round = Self::current_round();
		let counted: Vec<(Balance, ServedMarkets<T>)> = Operators::<T>::iter()
			.filter(|(_, info)| info.counts_in(round, min_bond))
			.map(|(operator, info)| (info.bond, OperatorMarkets::<T>::get(&operator)))
			.collect();
		let mut markets: Vec<(MarketId, Balance, Perbill)> = Markets::<T>::iter()
			.map(|(market, info)| {
				let bond = counted
					.iter()
					.filter(|(_, served)| served.as_ref().is_none_or(|s| s.contains(&market)))
					.fold(0u128, |acc, (bond, _)| acc.saturating_add(*bond));
				let quorum = info.params.min_bond_share.mul_ceil(bond);
				(market, quorum.div_ceil(2).max(min_bond), info.params.max_price_jump)
			})
			.collect();
		markets.sort_by_key(|(market, ..)| *market);
		markets
	}
}

impl<T: Config> PriceFeed for Pallet<T> {
	fn price_info(market: MarketId) -> Option<PriceInfo> {
		Pallet::<T>::price_info(market)
	}

	fn current_round() -> RoundIndex {
		Pallet::<T>::current_round()
	}
}

/// Operator bonds are slashable; the slashing pallet calls this when a deferred slash applies.
impl<T: Config> Slashable<T::AccountId, T::AccountId> for Pallet<T> {
	fn slashable_balance(operator: &T::AccountId) -> Balance {
		Operators::<T>::get(operator).map_or(0, |o| o.bond)
	}

	fn unbonding_period() -> BlockNumber {
		T::UnbondingPeriod::get()
	}

	fn slash(
		operator: &T::AccountId,
		fraction: Perbill,
		beneficiary: &T::AccountId,
	) -> Result<Balance, DispatchError> {
		let mut info = Operators::<T>::get(operator).ok_or(Error::<T>::NotOperator)?;
		let amount = fraction.mul_floor(info.bond);
		if amount.is_zero() {
			return Ok(0);
		}
		let moved = T::Currency::transfer_on_hold(
			&HoldReason::OperatorBond.into(),
			operator,
			beneficiary,
			amount,
			Precision::BestEffort,
			Restriction::Free,
			Fortitude::Force,
		)?;
		info.bond = info.bond.saturating_sub(moved);
		let mut deactivated = None;
		if info.is_active() {
			TotalActiveBond::<T>::mutate(|total| *total = total.saturating_sub(moved));
			if info.bond < OperatorRules::<T>::get().min_bond {
				// Slashed out: no free submissions, no slot in the quorum; the rest of the bond
				// stays slashable while it unbonds.
				let unlocks_at = Self::now().saturating_add(T::UnbondingPeriod::get());
				info.status = OperatorStatus::Unbonding { unlocks_at };
				TotalActiveBond::<T>::mutate(|total| *total = total.saturating_sub(info.bond));
				deactivated = Some(unlocks_at);
			}
		}
		let bond = info.bond;
		Operators::<T>::insert(operator, info);
		Self::deposit_event(Event::BondSlashed {
			operator: operator.clone(),
			amount: moved,
			beneficiary: beneficiary.clone(),
		});
		if let Some(unlocks_at) = deactivated {
			Self::deposit_event(Event::OperatorDeactivated {
				operator: operator.clone(),
				bond,
				unlocks_at,
			});
		}
		Ok(moved)
	}
}
