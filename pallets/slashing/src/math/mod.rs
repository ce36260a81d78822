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
