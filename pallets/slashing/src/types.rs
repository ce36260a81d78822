//! Domain types of the slashing pallet: the governed severity schedule, pending slashes, the
//! per-offender span record and the queue cursor.

use bulwark_primitives::{Balance, BlockNumber, MarketId, OffenceKind, SlashTarget};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{pallet_prelude::Get, BoundedVec};
use scale_info::TypeInfo;
use sp_arithmetic::Perbill;

/// Identifier of a pending slash; ids increase with report time, so the queue applies in report
/// order.
pub type SlashId = u64;

/// Storage key of a pending slash: its id in big-endian bytes, so that keys sort as ids do.
pub type SlashKey = [u8; 8];

/// How severe each kind of offence is, set by the risk origin within hard bounds
/// ([`SlashSchedule::validate`]).
///
/// ```text
/// OracleDeviation: fraction = min(deviation_max, deviation_base * deviation / deviation_reference)
/// OracleLiveness:  fraction = min(liveness_max, liveness_per_round * missed)
/// Governance:      fraction = min(governance_max, the council's fraction)
/// ```
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
pub struct SlashSchedule {
	/// Fraction slashed for a deviation equal to `deviation_reference`.
	pub deviation_base: Perbill,
	/// The deviation at which `deviation_base` applies; the slash grows linearly with the
	/// deviation around it.
	pub deviation_reference: Perbill,
	/// Largest fraction a single deviation offence takes.
	pub deviation_max: Perbill,
	/// Fraction slashed per consecutive missed round.
	pub liveness_per_round: Perbill,
	/// Largest fraction a single liveness offence takes.
	pub liveness_max: Perbill,
	/// Largest fraction a governance slash may take.
	pub governance_max: Perbill,
	/// Share of every applied slash paid to its reporter, if it has one.
	pub reporter_share: Perbill,
}

impl Default for SlashSchedule {
	/// A 3% deviation (the oracle's default threshold) costs 1% of the bond, up to 10%; ten
	/// missed rounds (the oracle's streak) cost 0.5%, up to 1%; the council may take everything;
	/// reporters get 10%.
	fn default() -> Self {
		Self {
			deviation_base: Perbill::from_percent(1),
			deviation_reference: Perbill::from_percent(3),
			deviation_max: Perbill::from_percent(10),
			liveness_per_round: Perbill::from_parts(500_000),
			liveness_max: Perbill::from_percent(1),
			governance_max: Perbill::from_percent(100),
			reporter_share: Perbill::from_percent(10),
		}
	}
}

/// Hard bounds of [`SlashSchedule`]; governance cannot leave them.
pub mod bounds {
	use super::*;

	/// `deviation_reference` range: 0.1% to 50% (never zero: it divides).
	pub const DEVIATION_REFERENCE: (Perbill, Perbill) =
		(Perbill::from_parts(1_000_000), Perbill::from_percent(50));
	/// Most any deviation offence may take (`deviation_base <= deviation_max <= this`).
	pub const DEVIATION_MAX: Perbill = Perbill::from_percent(50);
	/// Most a liveness offence may take (`liveness_per_round <= liveness_max <= this`).
	pub const LIVENESS_MAX: Perbill = Perbill::from_percent(10);
	/// Most a reporter may receive of a slash; the rest always reaches an insurance fund.
	pub const REPORTER_SHARE: Perbill = Perbill::from_percent(50);
}

impl SlashSchedule {
	/// Whether every field is within its hard bound and the bases do not exceed their caps.
	pub fn validate(&self) -> bool {
		bounds::DEVIATION_REFERENCE.0 <= self.deviation_reference
			&& self.deviation_reference <= bounds::DEVIATION_REFERENCE.1
			&& self.deviation_base <= self.deviation_max
			&& self.deviation_max <= bounds::DEVIATION_MAX
			&& self.liveness_per_round <= self.liveness_max
			&& self.liveness_max <= bounds::LIVENESS_MAX
			&& self.reporter_share <= bounds::REPORTER_SHARE
	}
}

/// A slash waiting for its deferral to end.
#[derive(Clone, PartialEq, Eq, Encode, Decode, MaxEncodedLen, TypeInfo, Debug)]
pub struct PendingSlash<AccountId> {
	/// The offence first queued in this slash; it names the offender and the insurance fund of
	/// the proceeds. Later reports merged into it (see `SlashRaised`) raise its fraction only.
	pub offence: OffenceKind<AccountId>,
	/// Who reported first (the first report with a reporter, if merged); paid
	/// `reporter_share` of the proceeds.
	pub reporter: Option<AccountId>,
	/// The offender's span this slash belongs to (the latest, if reports of several spans
	/// were merged into it).
	pub span_index: u32,
	/// The span's taken fraction before this slash (what earlier slashes of the span take).
	pub span_before: Perbill,
	/// The span's taken fraction after this slash.
	pub span_after: Perbill,
	/// The fraction of the offender's stake this slash takes when it applies.
	pub fraction: Perbill,
	/// First block at which it applies.
	pub apply_at: BlockNumber,
}

impl<AccountId: Clone> PendingSlash<AccountId> {
	/// Whose stake is slashed.
	pub fn offender(&self) -> SlashTarget<AccountId> {
		self.offence.offender()
	}

	/// The market whose insurance fund receives the proceeds; `None` for the global fund.
	pub fn market(&self) -> Option<MarketId> {
		self.offence.market()
	}
}

/// An offender's slashing span and pending slashes.
///
/// A span starts at an offender's first report and lasts [`crate::Config::SpanLength`] blocks;
/// within it the offender pays for its largest offence, not the sum of them.
///
/// Two fractions track a span. `span_max` is the largest fraction reported, cancelled or not:
/// an automatic report at or below it adds nothing, a larger one adds what it exceeds it by.
/// `span_taken` is what the span's applied and pending slashes take together: a cancel lowers it
/// by what it cancelled, and a governance slash is measured against it, so the council's own
/// slash is never covered by a slash it cancelled.
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
#[scale_info(skip_type_params(MaxPending))]
pub struct OffenderRecord<MaxPending: Get<u32>> {
	/// Index of the current span (0 for the first).
	pub span_index: u32,
	/// Block at which the current span started.
	pub span_start: BlockNumber,
	/// Largest fraction reported in the current span: pending, applied or cancelled.
	pub span_max: Perbill,
	/// Fraction of the stake the current span's applied and pending slashes take.
	pub span_taken: Perbill,
	/// Pending slashes of this offender, oldest first.
	pub pending: BoundedVec<SlashId, MaxPending>,
}

impl<MaxPending: Get<u32>> OffenderRecord<MaxPending> {
	/// A first offender's record, its first span starting at `now`.
	pub fn new(now: BlockNumber) -> Self {
		Self {
			span_index: 0,
			span_start: now,
			span_max: Perbill::zero(),
			span_taken: Perbill::zero(),
			pending: BoundedVec::default(),
		}
	}

	/// Starts the offender's next span at `now`, carrying over pending slashes of earlier spans.
	pub fn start_next_span(&mut self, now: BlockNumber) {
		self.span_index = self.span_index.saturating_add(1);
		self.span_start = now;
		self.span_max = Perbill::zero();
		self.span_taken = Perbill::zero();
	}

	/// Whether the current span still runs at `now`.
	pub fn span_open(&self, now: BlockNumber, span_length: BlockNumber) -> bool {
		now < self.span_start.saturating_add(span_length)
	}
}

/// The queue of pending slashes: ids `head..next_id`, some of them cancelled (removed).
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
pub struct QueueState {
	/// The id the next report receives.
	pub next_id: SlashId,
	/// The oldest id not yet applied or skipped.
	pub head: SlashId,
}

/// A pending slash as reported by the runtime API.
#[derive(Clone, PartialEq, Eq, Encode, Decode, TypeInfo, Debug)]
pub struct PendingSlashView<AccountId> {
	/// Its id.
	pub id: SlashId,
	/// Whose stake is slashed.
	pub offender: SlashTarget<AccountId>,
	/// The offence.
	pub offence: OffenceKind<AccountId>,
	/// Who reported it.
	pub reporter: Option<AccountId>,
	/// Fraction of the offender's stake it takes.
	pub fraction: Perbill,
	/// `fraction` of the offender's slashable stake now; the amount may change until it
	/// applies (stake added, withdrawn or slashed).
	pub amount_estimate: Balance,
	/// Insurance fund receiving the proceeds (`None`: the global fund).
	pub market: Option<MarketId>,
	/// First block at which it applies.
	pub apply_at: BlockNumber,
}
