//! # Slashing pallet
//!
//! Turns offences into deferred, cancellable slashes of oracle operator bonds and market vaults,
//! and pays the proceeds to the reporter and the insurance fund.
//!
//! ## Key terms
//!
//! - **Offence** ([`OffenceKind`]): `OracleDeviation` and `OracleLiveness`, reported by the oracle
//!   through [`OffenceReporter`], and `Governance { target, fraction, reason }`, submitted by the
//!   risk origin with [`Call::governance_slash`].
//! - **Severity**: the fraction of the offender's stake an offence costs, from the governed
//!   [`SlashSchedule`] (see [`math::severity`]).
//! - **Span**: an offender's window of [`Config::SpanLength`] blocks from its first report. Within
//!   a span the offender pays its largest offence, not the sum: a report at or below the span's
//!   maximum adds nothing, a larger one adds only the increment ([`math::span_increment`]).
//! - **Pending slash** ([`PendingSlash`]): a slash waiting [`Config::SlashDeferDuration`] blocks
//!   after its report, during which the risk origin may cancel it.
//!
//! ## Usage
//!
//! - [`OffenceReporter::report_offence`] (the oracle) and [`Call::governance_slash`] (the risk
//!   origin) record an offence: it is queued to apply `SlashDeferDuration` blocks later.
//! - [`Call::cancel_slashes`] (the risk origin) cancels every pending slash of one offender.
//!   The cancel covers what was pending: a later, larger report in the span slashes what it
//!   exceeds the span's largest report by, and a governance slash is never covered by a slash
//!   the council cancelled.
//! - [`Call::cancel_validator_slash`] (the risk origin) cancels pallet-staking's deferred
//!   slashes of one validator in one era, found by validator when the call executes.
//! - [`Call::set_schedule`] (the risk origin) sets the severity schedule within hard bounds.
//! - `on_initialize` applies due slashes in id order, at most [`Config::MaxSlashesPerBlock`]
//!   per block; the rest wait for the next block.
//! - [`SlashPending`]: the oracle and the vaults keep stake while a slash of it is pending.
//!
//! ## Applying a slash
//!
//! ```text
//! proceeds  = Slashable::slash(offender, fraction) -> this pallet's account
//! reporter  = reporter_share * proceeds            (if the slash has a reporter)
//! insurance = proceeds - reporter                  -> the market's fund (global if none)
//! ```
//!
//! Operator bonds are slashed through [`Config::OperatorBonds`], vaults through
//! [`Config::Vaults`] (every share, active or unbonding, loses alike). The proceeds of an
//! offence tied to a market (a deviation, a vault) go to that market's insurance fund; the
//! others (liveness, a governance slash of an operator) go to the global fund.
//!
//! ## Design (and the failures it avoids)
//!
//! - Applying is only ever done by the queue in `on_initialize`, which reads each slash from
//!   storage when it applies; cancelling removes it. A cancelled slash cannot be applied by
//!   anyone (polkadot-sdk #9659: a permissionless apply executed a cancelled slash).
//! - Cancelling is by offender and covers the fractions pending at the cancel (polkadot-sdk
//!   #9187): a later, larger report still slashes the excess, so a cancel cannot be used to
//!   lock out the rest of a span, and a governance slash after a cancel is never silently
//!   dropped (it is refused with `AlreadySlashedInSpan` if the span takes as much already).
//! - A report is never lost to a bound: past `MaxPendingPerOffender` (or with the queue full) it
//!   merges into the offender's latest pending slash, which moves to the tail of the queue with
//!   a fresh deferral, so governance has its full window for the larger amount.
//! - Applying is bounded per block and resumes next block (polkadot-sdk #3610/#7424: applying a
//!   whole era's slashes in one block was unbounded). Each slash is charged at its benchmarked
//!   weight, and only live slashes are visited (ids of cancelled or merged ones are never
//!   read), so filling the id space does not slow the queue.
//! - Stake stays slashable longer than the escape window: the integrity test checks that both
//!   targets' unbonding periods exceed report latency + deferral + the worst backlog
//!   (`MaxPendingSlashes / MaxSlashesPerBlock` blocks). A slash reported later than that (a
//!   governance slash late in an unbonding) is covered by [`SlashPending`]: stake with a
//!   pending slash is not released.

//! ### Limitations
//!
//! - A slash takes its fraction of the stake as it is when it applies; stake added meanwhile is
//!   slashed too, stake slashed meanwhile is not slashed twice for the same fraction.
//! - With the queue full, a report of an offender with nothing pending is refused (there is
//!   nothing to merge into); size `MaxPendingSlashes` at `MaxPendingPerOffender` times the
//!   number of possible offenders (the runtime test checks it).
//! - Proceeds that an insurance fund cannot accept yet (an empty fund receiving less than the
//!   existential deposit) wait in this pallet's account and go with the fund's next proceeds.

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

use alloc::vec::Vec;
use bulwark_primitives::{
	Balance, BlockNumber, DeviationSlash, GovernanceReason, InsuranceFund, MarketId, OffenceKind,
	OffenceReporter, SlashPending, SlashTarget, Slashable, ValidatorSlashes,
};
use frame_support::{
	pallet_prelude::*,
	traits::{
		fungible::{Inspect, Mutate},
		tokens::Preservation,
	},
	PalletId,
};
use frame_system::pallet_prelude::*;
use sp_arithmetic::{traits::Zero, Perbill};
use sp_runtime::traits::{AccountIdConversion, SaturatedConversion};

const LOG_TARGET: &str = "runtime::bulwark-slashing";

#[frame_support::pallet]
pub mod pallet {
	use super::*;

	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// bUSD: the currency of bonds, vault stake and insurance funds.
		type Currency: Inspect<Self::AccountId, Balance = Balance> + Mutate<Self::AccountId>;

		/// Oracle operator bonds (the oracle).
		type OperatorBonds: Slashable<Self::AccountId, Self::AccountId>;

		/// Market vaults (the vaults).
		type Vaults: Slashable<MarketId, Self::AccountId>;

		/// Receives the proceeds that are not the reporter's (the insurance pallet).
		type Insurance: InsuranceFund<Self::AccountId>;

		/// The risk council. Submits governance slashes, cancels pending slashes, sets the
		/// severity schedule.
		type RiskOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// Derives this pallet's account, through which proceeds pass. It holds one existential
		/// deposit from genesis, so it can receive any amount.
		#[pallet::constant]
		type PalletId: Get<PalletId>;

		/// Blocks between a report and its slash; the window in which governance may cancel.
		/// Must be shorter than the unbonding periods of operators and vaults (integrity test).
		#[pallet::constant]
		type SlashDeferDuration: Get<BlockNumber>;

		/// Blocks an offender's span lasts from its first report; offences within it pay their
		/// maximum, not their sum.
		#[pallet::constant]
		type SpanLength: Get<BlockNumber>;

		/// Most pending slashes the queue visits per block (applied or skipped as cancelled).
		/// `on_initialize` weighs at most `WeightInfo::on_initialize(MaxSlashesPerBlock)`.
		#[pallet::constant]
		type MaxSlashesPerBlock: Get<u32>;

		/// Most pending slashes in all. Size it above `MaxPendingPerOffender` times the number
		/// of operators and vaults: past it, reports are refused.
		#[pallet::constant]
		type MaxPendingSlashes: Get<u32>;

		/// Most pending slashes per offender. A larger report beyond it raises the offender's
		/// latest pending slash instead of queueing a new one, so it is never lost.
		#[pallet::constant]
		type MaxPendingPerOffender: Get<u32>;

		/// Most blocks between an offence and its report (the oracle reports at the close of
		/// the offence's round: one round). Part of the escape window the integrity test checks.
		#[pallet::constant]
		type ReportLatency: Get<BlockNumber>;

		/// pallet-staking's deferred validator slashes, which the risk origin cancels by
		/// `(era, validator)` through [`Call::cancel_validator_slash`].
		type ValidatorSlashes: ValidatorSlashes<Self::AccountId>;

		/// Weights of the calls and the hook.
		type WeightInfo: WeightInfo;

		/// Creates slashable operators for the benchmarks.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper<Self::AccountId>;
	}

	/// The severity schedule and the reporter's share.
	#[pallet::storage]
	pub type Schedule<T: Config> = StorageValue<_, SlashSchedule, ValueQuery>;

	/// Ids of the queue: next to assign, oldest not yet visited.
	#[pallet::storage]
	pub type Queue<T: Config> = StorageValue<_, QueueState, ValueQuery>;

	/// Pending slashes by id, keyed big-endian ([`slash_key`]) so that the map iterates in id
	/// order: the queue visits live slashes only, and ids left by cancelled or merged slashes
	/// cost nothing. A cancelled slash is removed, so it can never apply. The keys are ids the
	/// pallet assigns in sequence, never chosen by a caller, so `Identity` is safe.
	#[pallet::storage]
	pub type PendingSlashes<T: Config> =
		CountedStorageMap<_, Identity, SlashKey, PendingSlash<T::AccountId>, OptionQuery>;

	/// Every offender's span and pending slashes.
	#[pallet::storage]
	pub type Offenders<T: Config> = StorageMap<
		_,
		Blake2_128Concat,
		SlashTarget<T::AccountId>,
		OffenderRecord<T::MaxPendingPerOffender>,
		OptionQuery,
	>;

	/// Proceeds an insurance fund could not accept yet (`None`: the global fund), kept in this
	/// pallet's account and delivered with the fund's next proceeds.
	#[pallet::storage]
	pub type UndeliveredProceeds<T: Config> =
		StorageMap<_, Twox64Concat, Option<MarketId>, Balance, ValueQuery>;

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// The initial schedule; the default one if `None`.
		pub schedule: Option<SlashSchedule>,
		#[serde(skip)]
		pub _config: core::marker::PhantomData<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			if let Some(schedule) = self.schedule {
				assert!(schedule.validate(), "genesis slash schedule out of bounds");
				Schedule::<T>::put(schedule);
			}
			// Like a treasury pot: the transit account exists from genesis, so proceeds of any
			// size can pass through it.
			let account = Pallet::<T>::account_id();
			let ed = T::Currency::minimum_balance();
			if T::Currency::balance(&account) < ed {
				let minted = T::Currency::mint_into(&account, ed);
				assert!(minted.is_ok(), "the slashing account cannot receive its deposit");
			}
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// An offence was queued as slash `id`, taking `fraction` of `offender`'s stake at
		/// `apply_at` (about `amount_estimate` now).
		SlashReported {
			id: SlashId,
			offender: SlashTarget<T::AccountId>,
			offence: OffenceKind<T::AccountId>,
			reporter: Option<T::AccountId>,
			fraction: Perbill,
			amount_estimate: Balance,
			apply_at: BlockNumber,
		},
		/// An offence was merged into the offender's latest pending slash `previous` (the
		/// offender had `MaxPendingPerOffender` pending, or the queue was full): it is now slash
		/// `id`, taking `fraction`, with a fresh deferral to `apply_at`. Its first offence and
		/// reporter are kept.
		SlashRaised {
			id: SlashId,
			previous: SlashId,
			offence: OffenceKind<T::AccountId>,
			fraction: Perbill,
			apply_at: BlockNumber,
		},
		/// An offence added nothing: the span already pays as much, or the risk origin cancelled
		/// a slash of the span at least as large (`after_cancel`).
		OffenceCovered {
			offender: SlashTarget<T::AccountId>,
			offence: OffenceKind<T::AccountId>,
			after_cancel: bool,
		},
		/// Pending slash `id` was cancelled; it will never apply.
		SlashCancelled { id: SlashId, offender: SlashTarget<T::AccountId> },
		/// The risk origin cancelled every deferred pallet-staking slash of `validator` in
		/// `era` (`count` of them).
		ValidatorSlashCancelled { era: u32, validator: T::AccountId, count: u32 },
		/// Slash `id` took `amount` from `offender`: `reporter_reward` to the reporter,
		/// `insurance` to the fund of `market` (`None`: the global fund). `insurance` includes
		/// earlier undelivered proceeds of that fund.
		SlashApplied {
			id: SlashId,
			offender: SlashTarget<T::AccountId>,
			amount: Balance,
			reporter: Option<T::AccountId>,
			reporter_reward: Balance,
			market: Option<MarketId>,
			insurance: Balance,
		},
		/// Slash `id` could not be executed (the target's stake is gone); it is dropped.
		SlashFailed { id: SlashId, offender: SlashTarget<T::AccountId>, error: DispatchError },
		/// The fund of `market` could not accept `amount` yet; it waits in this pallet's account.
		ProceedsUndelivered { market: Option<MarketId>, amount: Balance },
		/// A new severity schedule.
		ScheduleUpdated { schedule: SlashSchedule },
	}

	#[pallet::error]
	#[cfg_attr(test, derive(PartialEq))]
	pub enum Error<T> {
		/// The offence costs nothing under the schedule.
		ZeroSeverity,
		/// The offender has no slashable stake.
		NothingToSlash,
		/// [`Config::MaxPendingSlashes`] slashes are pending already.
		TooManyPendingSlashes,
		/// The offender has no pending slash and no open span to cancel.
		NothingToCancel,
		/// A schedule field is outside its hard bound.
		InvalidSchedule,
		/// Governance offences come only through [`Call::governance_slash`].
		GovernanceOffenceNeedsOrigin,
		/// The target's applied and pending slashes of the current span take at least this
		/// fraction already.
		AlreadySlashedInSpan,
		/// pallet-staking holds no deferred slash of this validator in this era.
		NoValidatorSlash,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn on_initialize(now: BlockNumberFor<T>) -> Weight {
			let visited = Self::apply_due(now.saturated_into());
			T::WeightInfo::on_initialize(visited)
		}

		fn integrity_test() {
			if let Err(broken) = Self::check_periods() {
				panic!("{broken}"); // proof: integrity_test runs in tests and at startup checks, never in a block
			}
			assert!(T::MaxSlashesPerBlock::get() > 0, "MaxSlashesPerBlock must be positive");
			assert!(T::MaxPendingPerOffender::get() > 0, "MaxPendingPerOffender must be positive");
			assert!(
				T::MaxPendingSlashes::get() >= T::MaxPendingPerOffender::get(),
				"MaxPendingSlashes must hold at least one offender's slashes"
			);
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Slash `fraction` (at most the schedule's `governance_max`) of `target`'s stake after
		/// the deferral, for `reason`. `reporter`, if given (a whistleblower), receives the
		/// reporter's share. The slash counts in `target`'s span: it takes what brings the
		/// span's applied and pending slashes to `fraction` (a slash the council cancelled does
		/// not cover it).
		///
		/// Origin: the risk origin. Errors: `ZeroSeverity`, `NothingToSlash`,
		/// `AlreadySlashedInSpan` (the span takes `fraction` already: never a silent no-op),
		/// `TooManyPendingSlashes`. Emits `SlashReported` or `SlashRaised`.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::governance_slash())]
		pub fn governance_slash(
			origin: OriginFor<T>,
			target: SlashTarget<T::AccountId>,
			fraction: Perbill,
			reason: GovernanceReason,
			reporter: Option<T::AccountId>,
		) -> DispatchResult {
			T::RiskOrigin::ensure_origin(origin)?;
			Self::do_report(reporter, OffenceKind::Governance { target, fraction, reason })
		}

		/// Cancel every pending slash of `offender`. The cancel covers the fractions pending now
		/// (as polkadot-sdk #9187 settled for pallet-staking): a later automatic report in the
		/// same span is slashed for what it exceeds the span's largest report by, and a later
		/// governance slash for what it exceeds the span's remaining (applied) slashes by.
		///
		/// Origin: the risk origin. Errors: `NothingToCancel` (no pending slash). Emits
		/// `SlashCancelled` per slash.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::cancel_slashes(T::MaxPendingPerOffender::get()))]
		pub fn cancel_slashes(
			origin: OriginFor<T>,
			offender: SlashTarget<T::AccountId>,
		) -> DispatchResultWithPostInfo {
			T::RiskOrigin::ensure_origin(origin)?;
			let mut record = Offenders::<T>::get(&offender).ok_or(Error::<T>::NothingToCancel)?;
			ensure!(!record.pending.is_empty(), Error::<T>::NothingToCancel);
			let cancelled: u32 = record.pending.len().saturated_into();
			for id in core::mem::take(&mut record.pending) {
				if let Some(slash) = PendingSlashes::<T>::take(slash_key(id)) {
					// The earliest cancelled slash of the current span says what the span took
					// before the cancelled ones.
					if slash.span_index == record.span_index {
						record.span_taken = record.span_taken.min(slash.span_before);
					}
				}
				Self::deposit_event(Event::SlashCancelled { id, offender: offender.clone() });
			}
			Offenders::<T>::insert(&offender, record);
			Ok(Some(T::WeightInfo::cancel_slashes(cancelled)).into())
		}

		/// Set the severity schedule.
		///
		/// Origin: the risk origin. Errors: `InvalidSchedule` (outside the hard bounds in
		/// [`types::bounds`]). Emits `ScheduleUpdated`.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::set_schedule())]
		pub fn set_schedule(origin: OriginFor<T>, schedule: SlashSchedule) -> DispatchResult {
			T::RiskOrigin::ensure_origin(origin)?;
			ensure!(schedule.validate(), Error::<T>::InvalidSchedule);
			Schedule::<T>::put(schedule);
			Self::deposit_event(Event::ScheduleUpdated { schedule });
			Ok(())
		}

		/// Cancel every deferred pallet-staking slash of `validator` that applies in `era` (the
		/// era key of pallet-staking's `UnappliedSlashes`, as its `cancel_deferred_slash`
		/// takes). The slashes are found by validator when the call executes, so a motion
		/// queued before another cancel still cancels the right one (pallet-staking's own call
		/// takes positions in the era's list, which shift).
		///
		/// Origin: the risk origin. Errors: `NoValidatorSlash`, or pallet-staking's error.
		/// Emits `ValidatorSlashCancelled`.
		#[pallet::call_index(3)]
		#[pallet::weight(
			T::WeightInfo::cancel_validator_slash()
				.saturating_add(T::ValidatorSlashes::cancel_weight())
		)]
		pub fn cancel_validator_slash(
			origin: OriginFor<T>,
			era: u32,
			validator: T::AccountId,
		) -> DispatchResult {
			T::RiskOrigin::ensure_origin(origin)?;
			let count = T::ValidatorSlashes::cancel(era, &validator)?;
			ensure!(count > 0, Error::<T>::NoValidatorSlash);
			Self::deposit_event(Event::ValidatorSlashCancelled { era, validator, count });
			Ok(())
		}
	}
}

/// The storage key of pending slash `id`: big-endian, so keys sort as ids do.
pub fn slash_key(id: SlashId) -> SlashKey {
	id.to_be_bytes()
}

impl<T: Config> Pallet<T> {
	/// Pending slash `id`, if it is still pending.
	pub fn pending_slash(id: SlashId) -> Option<PendingSlash<T::AccountId>> {
		PendingSlashes::<T>::get(slash_key(id))
	}

	/// The account proceeds pass through.
	pub fn account_id() -> T::AccountId {
		T::PalletId::get().into_account_truncating()
	}

	fn now() -> BlockNumber {
		frame_system::Pallet::<T>::block_number().saturated_into()
	}

	/// The stake `offender` has at risk now.
	pub fn slashable_balance(offender: &SlashTarget<T::AccountId>) -> Balance {
		match offender {
			SlashTarget::Operator(operator) => T::OperatorBonds::slashable_balance(operator),
			SlashTarget::Vault(market) => T::Vaults::slashable_balance(market),
		}
	}

	/// Checks that a slash applies before the stake it slashes can leave: the deferral leaves the
	/// council time, and the escape window is shorter than the operators' and the vaults'
	/// unbonding. A chain's genesis sets these periods, so `try_state` checks them on every chain.
	pub fn check_periods() -> Result<(), &'static str> {
		ensure!(
			T::SlashDeferDuration::get() > 0,
			"SlashDeferDuration must leave governance time to cancel"
		);
		ensure!(T::SpanLength::get() > 0, "SpanLength must be positive");
		let window = Self::escape_window();
		ensure!(
			T::OperatorBonds::unbonding_period() > window,
			"operators must not leave before a slash reported and queued behind the worst backlog \
			 applies"
		);
		ensure!(
			T::Vaults::unbonding_period() > window,
			"vault stake must not leave before a slash reported and queued behind the worst \
			 backlog applies"
		);
		Ok(())
	}

	/// Blocks from an offence until its slash applies at the latest: the report latency, the
	/// deferral, and the worst backlog of the queue (`MaxPendingSlashes / MaxSlashesPerBlock`
	/// blocks, rounded up). Stake must stay slashable longer than this.
	pub fn escape_window() -> BlockNumber {
		let per_block = T::MaxSlashesPerBlock::get().max(1);
		let backlog = T::MaxPendingSlashes::get().div_ceil(per_block);
		T::ReportLatency::get().saturating_add(T::SlashDeferDuration::get()).saturating_add(backlog)
	}

	/// Records `offence` in its offender's span: queues a slash for what it adds to the span,
	/// merges it into the offender's latest pending slash when the offender's bound or the
	/// queue is full (a report is never lost to a bound), or covers it.
	///
	/// An automatic report adds what its severity exceeds the span's largest report by; a
	/// governance slash brings the span's applied and pending slashes to its fraction, and is
	/// refused (never silently dropped) if they take that already.
	pub(crate) fn do_report(
		reporter: Option<T::AccountId>,
		offence: OffenceKind<T::AccountId>,
	) -> DispatchResult {
		let schedule = Schedule::<T>::get();
		let severity = math::severity(&schedule, &offence);
		ensure!(!severity.is_zero(), Error::<T>::ZeroSeverity);
		let offender = offence.offender();
		let stake = Self::slashable_balance(&offender);
		ensure!(!stake.is_zero(), Error::<T>::NothingToSlash);

		let now = Self::now();
		let mut record = Offenders::<T>::get(&offender).unwrap_or_else(|| OffenderRecord::new(now));
		if !record.span_open(now, T::SpanLength::get()) {
			record.start_next_span(now);
		}
		let governance = matches!(offence, OffenceKind::Governance { .. });
		let target = if governance {
			ensure!(severity > record.span_taken, Error::<T>::AlreadySlashedInSpan);
			severity
		} else {
			if severity <= record.span_max {
				let after_cancel = record.span_taken < record.span_max;
				Self::deposit_event(Event::OffenceCovered { offender, offence, after_cancel });
				return Ok(());
			}
			math::raised_total(record.span_taken, record.span_max, severity)
		};
		let span_before = record.span_taken;
		let fraction = math::span_increment(span_before, target);
		record.span_taken = target;
		record.span_max = record.span_max.max(severity);

		let queue = Queue::<T>::get();
		let id = queue.next_id;
		let apply_at = now.saturating_add(T::SlashDeferDuration::get());
		let queue_full = PendingSlashes::<T>::count() >= T::MaxPendingSlashes::get();
		if record.pending.is_full() || queue_full {
			// Merge into the latest pending slash, with a fresh id at the tail of the queue and
			// a fresh deferral, so that governance has its full window for the larger amount.
			let latest = record.pending.pop();
			let Some((previous, mut slash)) = latest.and_then(|previous| {
				PendingSlashes::<T>::take(slash_key(previous)).map(|s| (previous, s))
			}) else {
				return Err(Error::<T>::TooManyPendingSlashes.into());
			};
			slash.fraction = math::compose(slash.fraction, fraction);
			if slash.span_index != record.span_index {
				slash.span_index = record.span_index;
				slash.span_before = span_before;
			}
			slash.span_after = target;
			slash.reporter = slash.reporter.or(reporter);
			slash.apply_at = apply_at;
			let merged_fraction = slash.fraction;
			Self::enqueue(queue, &offender, record, slash)?;
			Self::deposit_event(Event::SlashRaised {
				id,
				previous,
				offence,
				fraction: merged_fraction,
				apply_at,
			});
			return Ok(());
		}

		let slash = PendingSlash {
			offence: offence.clone(),
			reporter: reporter.clone(),
			span_index: record.span_index,
			span_before,
			span_after: target,
			fraction,
			apply_at,
		};
		Self::enqueue(queue, &offender, record, slash)?;
		Self::deposit_event(Event::SlashReported {
			id,
			offender,
			offence,
			reporter,
			fraction,
			amount_estimate: fraction.mul_floor(stake),
			apply_at,
		});
		Ok(())
	}

	/// Queues `slash` under the queue's next id, at the tail of the queue and of the offender's
	/// list, and writes the queue, the slash and the offender's record.
	fn enqueue(
		mut queue: QueueState,
		offender: &SlashTarget<T::AccountId>,
		mut record: OffenderRecord<T::MaxPendingPerOffender>,
		slash: PendingSlash<T::AccountId>,
	) -> DispatchResult {
		let id = queue.next_id;
		record.pending.try_push(id).map_err(|_| Error::<T>::TooManyPendingSlashes)?;
		queue.next_id = id.saturating_add(1);
		PendingSlashes::<T>::insert(slash_key(id), slash);
		Offenders::<T>::insert(offender, record);
		Queue::<T>::put(queue);
		Ok(())
	}

	/// Applies due slashes in id order, visiting at most `MaxSlashesPerBlock` live entries (the
	/// map holds only pending slashes and iterates in id order, so ids of cancelled or merged
	/// slashes are never read). Returns the number of entries read.
	pub(crate) fn apply_due(now: BlockNumber) -> u32 {
		let max = T::MaxSlashesPerBlock::get();
		let mut queue = Queue::<T>::get();
		let mut visited: u32 = 0;
		let mut applied = false;
		while visited < max {
			// A fresh iterator each time: the previous head was just removed.
			let Some((key, slash)) = PendingSlashes::<T>::iter().next() else { break };
			visited = visited.saturating_add(1);
			if slash.apply_at > now {
				break;
			}
			PendingSlashes::<T>::remove(key);
			let id = SlashId::from_be_bytes(key);
			queue.head = id.saturating_add(1);
			applied = true;
			Self::apply(id, slash);
		}
		if applied {
			Queue::<T>::put(queue);
		}
		visited
	}

	/// Executes one slash and pays its proceeds. Never fails: an impossible slash is dropped
	/// with `SlashFailed`, an undeliverable payment waits in this pallet's account.
	fn apply(id: SlashId, slash: PendingSlash<T::AccountId>) {
		let offender = slash.offender();
		let market = slash.market();
		Offenders::<T>::mutate(&offender, |record| {
			if let Some(record) = record {
				record.pending.retain(|pending| *pending != id);
			}
		});
		let transit = Self::account_id();
		let result = match &offender {
			SlashTarget::Operator(operator) => {
				T::OperatorBonds::slash(operator, slash.fraction, &transit)
			},
			SlashTarget::Vault(market) => T::Vaults::slash(market, slash.fraction, &transit),
		};
		let amount = match result {
			Ok(amount) => amount,
			Err(error) => {
				log::warn!(target: LOG_TARGET, "slash {id} failed: {error:?}");
				Self::deposit_event(Event::SlashFailed { id, offender, error });
				return;
			},
		};

		let share = match slash.reporter {
			Some(_) => Schedule::<T>::get().reporter_share,
			None => Perbill::zero(),
		};
		let (mut reporter_reward, _) = math::split_proceeds(amount, share);
		if let Some(reporter) = &slash.reporter {
			// A reward the reporter's account cannot take (below the existential deposit) goes
			// to insurance instead.
			if !reporter_reward.is_zero()
				&& T::Currency::transfer(
					&transit,
					reporter,
					reporter_reward,
					Preservation::Preserve,
				)
				.is_err()
			{
				reporter_reward = 0;
			}
		}
		let owed = UndeliveredProceeds::<T>::take(market)
			.saturating_add(amount.saturating_sub(reporter_reward));
		let delivered = if owed.is_zero() {
			Ok(())
		} else {
			match market {
				Some(market) => T::Insurance::deposit(market, &transit, owed),
				None => T::Insurance::deposit_global(&transit, owed),
			}
		};
		let insurance = match delivered {
			Ok(()) => owed,
			Err(error) => {
				log::warn!(target: LOG_TARGET, "proceeds of slash {id} wait: {error:?}");
				UndeliveredProceeds::<T>::insert(market, owed);
				Self::deposit_event(Event::ProceedsUndelivered { market, amount: owed });
				0
			},
		};
		Self::deposit_event(Event::SlashApplied {
			id,
			offender,
			amount,
			reporter: slash.reporter,
			reporter_reward,
			market,
			insurance,
		});
	}

	/// Pending slashes in the order they apply, for the runtime API.
	pub fn api_pending_slashes() -> Vec<PendingSlashView<T::AccountId>> {
		let mut pending: Vec<_> = PendingSlashes::<T>::iter()
			.map(|(key, slash)| PendingSlashView {
				id: SlashId::from_be_bytes(key),
				amount_estimate: slash
					.fraction
					.mul_floor(Self::slashable_balance(&slash.offender())),
				offender: slash.offender(),
				market: slash.market(),
				offence: slash.offence,
				reporter: slash.reporter,
				fraction: slash.fraction,
				apply_at: slash.apply_at,
			})
			.collect();
		pending.sort_by_key(|view| view.id);
		pending
	}

	/// Checks the pallet's invariants.
	///
	/// ## Invariants
	///
	/// - Every pending slash has an id in `head..next_id` and is listed by its offender.
	/// - Every id an offender lists is pending, for that offender, in increasing order.
	/// - At most `MaxPendingSlashes` are pending; the schedule is within its bounds.
	/// - This pallet's account holds at least its existential deposit plus the undelivered
	///   proceeds (anyone may send it more).
	/// - Every offender's span takes no more than its largest report.
	/// - The periods hold ([`Pallet::check_periods`]): they are a chain's genesis, not constants.
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		Self::check_periods()?;
		let queue = Queue::<T>::get();
		ensure!(queue.head <= queue.next_id, "queue head beyond the next id");
		let mut listed: u32 = 0;
		for (offender, record) in Offenders::<T>::iter() {
			ensure!(record.span_taken <= record.span_max, "a span takes more than its maximum");
			let mut previous: Option<SlashId> = None;
			for id in record.pending.iter() {
				let slash = PendingSlashes::<T>::get(slash_key(*id))
					.ok_or("an offender lists a slash that is not pending")?;
				ensure!(slash.offender() == offender, "a pending slash listed by another offender");
				ensure!(previous.is_none_or(|p| p < *id), "an offender's slashes are out of order");
				previous = Some(*id);
				listed = listed.saturating_add(1);
			}
		}
		let mut count: u32 = 0;
		let mut last: Option<SlashId> = None;
		for key in PendingSlashes::<T>::iter_keys() {
			let id = SlashId::from_be_bytes(key);
			ensure!(last.is_none_or(|l| l < id), "pending slashes do not iterate in id order");
			last = Some(id);
			ensure!(queue.head <= id && id < queue.next_id, "a pending slash outside the queue");
			count = count.saturating_add(1);
		}
		ensure!(count == listed, "pending slashes not listed by their offender");
		ensure!(count == PendingSlashes::<T>::count(), "PendingSlashes counter is off");
		ensure!(count <= T::MaxPendingSlashes::get(), "too many pending slashes");
		ensure!(Schedule::<T>::get().validate(), "schedule out of bounds");
		let undelivered =
			UndeliveredProceeds::<T>::iter_values().fold(0u128, |acc, v| acc.saturating_add(v));
		ensure!(
			T::Currency::balance(&Self::account_id())
				>= T::Currency::minimum_balance().saturating_add(undelivered),
			"the transit account holds less than its deposit and undelivered proceeds"
		);
		Ok(())
	}
}

/// The oracle (bond withdrawals) and the vaults ask whether a target has a slash pending.
impl<T: Config> DeviationSlash for Pallet<T> {
	fn max_deviation_slash() -> Perbill {
		Schedule::<T>::get().deviation_max
	}
}

impl<T: Config> SlashPending<T::AccountId> for Pallet<T> {
	fn slash_pending(target: &SlashTarget<T::AccountId>) -> bool {
		Offenders::<T>::get(target).is_some_and(|record| !record.pending.is_empty())
	}
}

/// The oracle reports deviation and liveness offences here.
impl<T: Config> OffenceReporter<T::AccountId> for Pallet<T> {
	fn report_offence(
		reporter: Option<T::AccountId>,
		offence: OffenceKind<T::AccountId>,
	) -> DispatchResult {
		ensure!(
			!matches!(offence, OffenceKind::Governance { .. }),
			Error::<T>::GovernanceOffenceNeedsOrigin
		);
		// Trait entry points are not transactional: keep a refused report from writing.
		frame_support::storage::with_storage_layer(|| Self::do_report(reporter, offence))
	}

	fn report_offence_weight() -> Weight {
		T::WeightInfo::report_offence()
	}
}

/// Creates slashable stake for the benchmarks.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<AccountId> {
	/// A distinct account (per `index`) with an operator bond.
	fn operator(index: u32) -> AccountId;

	/// A validator with a deferred slash in `era` for [`Config::ValidatorSlashes`] to cancel.
	fn validator_slash(era: u32) -> AccountId;
}
