//! Pure slashing arithmetic: severity of an offence, the increment that keeps a span at its
//! maximum, and the split of proceeds. No storage; tested in `tests.rs`.

#[cfg(test)]
mod tests;

use crate::types::SlashSchedule;
use bulwark_primitives::{Balance, OffenceKind};
use sp_arithmetic::{PerThing, Perbill, Rounding};

/// The fraction of the offender's stake that `offence` costs under `schedule`, rounded down.
///
/// ```text
/// OracleDeviation: min(deviation_max, deviation_base * deviation / deviation_reference)
/// OracleLiveness:  min(liveness_max, liveness_per_round * missed)
/// Governance:      min(governance_max, fraction)
/// ```
///
/// Magnitudes: parts are below 10^9, so `base * deviation` is below 10^18 and fits in `u128`.
pub fn severity<AccountId>(schedule: &SlashSchedule, offence: &OffenceKind<AccountId>) -> Perbill {
	match offence {
		OffenceKind::OracleDeviation { deviation, .. } => {
			let reference = u128::from(schedule.deviation_reference.deconstruct());
			if reference == 0 {
				return schedule.deviation_max;
			}
			let parts = u128::from(schedule.deviation_base.deconstruct())
				.saturating_mul(u128::from(deviation.deconstruct()))
				/ reference;
			let cap = schedule.deviation_max.deconstruct();
			Perbill::from_parts(u32::try_from(parts).unwrap_or(cap).min(cap))
		},
		OffenceKind::OracleLiveness { missed, .. } => Perbill::from_parts(
			schedule
				.liveness_per_round
				.deconstruct()
				.saturating_mul(*missed)
				.min(schedule.liveness_max.deconstruct()),
		),
		OffenceKind::Governance { fraction, .. } => (*fraction).min(schedule.governance_max),
	}
}

/// The fraction of what is left of a stake after a span took `already` that brings the span's
/// total to `total`: `(total - already) / (1 - already)`, zero if `total <= already`.
///
/// Applying `already` and then this increment takes `total` of the original stake, so repeated
/// offences in one span pay their maximum, not their sum. Rounded down: a span never takes more
/// than its maximum.
pub fn span_increment(already: Perbill, total: Perbill) -> Perbill {
	if total <= already {
		return Perbill::zero();
	}
	let remaining = Perbill::one().deconstruct().saturating_sub(already.deconstruct());
	let extra = total.deconstruct().saturating_sub(already.deconstruct());
	Perbill::from_rational_with_rounding(extra, remaining, Rounding::Down).unwrap_or(Perbill::one())
}

/// Splits slashed proceeds into the reporter's reward (`reporter_share` of them, rounded down)
/// and the insurance fund's remainder. The two always add up to `proceeds`.
pub fn split_proceeds(proceeds: Balance, reporter_share: Perbill) -> (Balance, Balance) {
	let reporter = reporter_share.mul_floor(proceeds);
	(reporter, proceeds.saturating_sub(reporter))
}

/// The single fraction that takes as much as applying `a` and then `b` (each of what is left):
/// `1 - (1 - a)(1 - b) = a + b - ab`, rounded down.
///
/// Fractions of what is left multiply, so two slashes of one offender merge into one whatever
/// their order.
pub fn compose(a: Perbill, b: Perbill) -> Perbill {
	let one = u128::from(Perbill::one().deconstruct());
	let left_a = one.saturating_sub(u128::from(a.deconstruct()));
	let left_b = one.saturating_sub(u128::from(b.deconstruct()));
	// Both below 10^9: the product is below 10^18. Rounding what is left up rounds the
	// composed fraction down.
	let left = left_a.saturating_mul(left_b).div_ceil(one);
	let taken = one.saturating_sub(left);
	Perbill::from_parts(u32::try_from(taken).unwrap_or(Perbill::one().deconstruct()))
}

/// The span's taken fraction after an automatic report of `severity` above the span's maximum
/// `span_max`, when its slashes take `span_taken`: `span_taken + (severity - span_max)`, at most
/// 100%. With nothing cancelled (`span_taken == span_max`) this is `severity`; after a cancel the
/// report adds only what it exceeds the cancelled maximum by.
pub fn raised_total(span_taken: Perbill, span_max: Perbill, severity: Perbill) -> Perbill {
	let excess = severity.deconstruct().saturating_sub(span_max.deconstruct());
	Perbill::from_parts(
		span_taken.deconstruct().saturating_add(excess).min(Perbill::one().deconstruct()),
	)
}
