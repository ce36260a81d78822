//! Reference values and properties of the slashing arithmetic.

use super::*;
use bulwark_primitives::SlashTarget;
use proptest::prelude::*;

fn deviation(percent_parts: u32) -> OffenceKind<u64> {
	OffenceKind::OracleDeviation {
		operator: 1,
		market: 0,
		round: 0,
		deviation: Perbill::from_parts(percent_parts),
	}
}

fn liveness(missed: u32) -> OffenceKind<u64> {
	OffenceKind::OracleLiveness { operator: 1, missed }
}

fn governance(fraction: Perbill) -> OffenceKind<u64> {
	OffenceKind::Governance { target: SlashTarget::Vault(0), fraction, reason: Default::default() }
}

#[test]
fn deviation_severity_is_linear_in_the_deviation_up_to_its_cap() {
	let schedule = SlashSchedule::default();
	// 3% (the reference) costs the base 1%; 6% costs 2%; 4.5% costs 1.5%.
	assert_eq!(severity(&schedule, &deviation(30_000_000)), Perbill::from_percent(1));
	assert_eq!(severity(&schedule, &deviation(60_000_000)), Perbill::from_percent(2));
	assert_eq!(severity(&schedule, &deviation(45_000_000)), Perbill::from_parts(15_000_000));
	// 30% would cost 10%, exactly the cap; anything beyond stays at the cap.
	assert_eq!(severity(&schedule, &deviation(300_000_000)), Perbill::from_percent(10));
	assert_eq!(severity(&schedule, &deviation(1_000_000_000)), Perbill::from_percent(10));
	// Rounded down: 1 part of deviation is worth a third of a part.
	assert_eq!(severity(&schedule, &deviation(1)), Perbill::zero());
}

#[test]
fn liveness_severity_grows_per_missed_round_up_to_its_cap() {
	let schedule = SlashSchedule::default();
	assert_eq!(severity(&schedule, &liveness(10)), Perbill::from_parts(5_000_000));
	assert_eq!(severity(&schedule, &liveness(20)), Perbill::from_percent(1));
	assert_eq!(severity(&schedule, &liveness(u32::MAX)), Perbill::from_percent(1));
}

#[test]
fn governance_severity_is_the_councils_fraction_within_the_schedule() {
	let schedule =
		SlashSchedule { governance_max: Perbill::from_percent(40), ..Default::default() };
	assert_eq!(
		severity(&schedule, &governance(Perbill::from_percent(25))),
		Perbill::from_percent(25)
	);
	assert_eq!(
		severity(&schedule, &governance(Perbill::from_percent(90))),
		Perbill::from_percent(40)
	);
}

#[test]
fn span_increment_reference_values() {
	let p = Perbill::from_percent;
	assert_eq!(span_increment(p(0), p(10)), p(10));
	// After 10%, reaching 28% takes 20% of the remaining 90%.
	assert_eq!(span_increment(p(10), p(28)), p(20));
	assert_eq!(span_increment(p(50), p(100)), p(100));
	assert_eq!(span_increment(p(30), p(30)), p(0));
	assert_eq!(span_increment(p(30), p(20)), p(0));
}

#[test]
fn split_reference_values() {
	assert_eq!(split_proceeds(1_000, Perbill::from_percent(10)), (100, 900));
	assert_eq!(split_proceeds(999, Perbill::from_percent(10)), (99, 900));
	assert_eq!(split_proceeds(0, Perbill::from_percent(10)), (0, 0));
	assert_eq!(split_proceeds(u128::MAX, Perbill::zero()), (0, u128::MAX));
}

#[test]
fn the_default_schedule_is_within_its_bounds() {
	assert!(SlashSchedule::default().validate());
	let out_of_bounds = [
		SlashSchedule { deviation_reference: Perbill::zero(), ..Default::default() },
		SlashSchedule { deviation_base: Perbill::from_percent(11), ..Default::default() },
		SlashSchedule { deviation_max: Perbill::from_percent(51), ..Default::default() },
		SlashSchedule { reporter_share: Perbill::from_percent(51), ..Default::default() },
		SlashSchedule { liveness_max: Perbill::from_percent(11), ..Default::default() },
		SlashSchedule { liveness_per_round: Perbill::from_percent(2), ..Default::default() },
	];
	for schedule in out_of_bounds {
		assert!(!schedule.validate(), "{schedule:?}");
	}
}

fn perbill() -> impl Strategy<Value = Perbill> {
	(0u32..=1_000_000_000).prop_map(Perbill::from_parts)
}

proptest! {
	/// Severity never exceeds the kind's cap, and never decreases as the deviation grows.
	#[test]
	fn deviation_severity_is_monotone_and_capped(a in perbill(), b in perbill()) {
		let schedule = SlashSchedule::default();
		let (low, high) = if a <= b { (a, b) } else { (b, a) };
		let s_low = severity(&schedule, &deviation(low.deconstruct()));
		let s_high = severity(&schedule, &deviation(high.deconstruct()));
		prop_assert!(s_low <= s_high);
		prop_assert!(s_high <= schedule.deviation_max);
	}

	/// Slashing a stake by the increments of a span's successive maxima takes the span's
	/// maximum of the original stake (never more; less only by rounding), never the sum.
	#[test]
	fn span_increments_compose_to_the_maximum(
		stake in 1_000_000u128..1_000_000_000_000_000,
		offences in proptest::collection::vec(perbill(), 1..8),
	) {
		let mut remaining = stake;
		let mut span_max = Perbill::zero();
		let mut steps: u128 = 0;
		for fraction in offences {
			let increment = span_increment(span_max, fraction);
			if !increment.is_zero() {
				remaining -= increment.mul_floor(remaining);
				span_max = fraction;
				steps += 1;
			}
		}
		let taken = stake - remaining;
		let exact = span_max.mul_floor(stake);
		prop_assert!(taken <= exact + steps, "took {taken}, the maximum is {exact}");
		// Each increment rounds down by at most one part per billion of the stake, plus one.
		let tolerance = steps * (stake / 1_000_000_000 + 2);
		prop_assert!(exact <= taken + tolerance, "took {taken}, the maximum is {exact}");
	}

	/// The reporter's reward and the insurance remainder add up to the proceeds.
	#[test]
	fn proceeds_are_conserved(proceeds in any::<u128>(), share in perbill()) {
		let (reporter, insurance) = split_proceeds(proceeds, share);
		prop_assert_eq!(reporter + insurance, proceeds);
		prop_assert!(reporter <= share.mul_ceil(proceeds));
	}
}
