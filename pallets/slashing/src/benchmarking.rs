//! Benchmarks of the slashing pallet: reports, governance calls and the per-block apply at its
//! bound.

use super::*;
use frame_benchmarking::v2::*;

fn deviation<T: Config>(operator: &T::AccountId, percent: u32) -> OffenceKind<T::AccountId> {
	OffenceKind::OracleDeviation {
		operator: operator.clone(),
		market: 0,
		round: 0,
		deviation: Perbill::from_percent(percent),
	}
}

/// `count` pending slashes of `operator`, each larger than the last (deviations of 1%, 2%, ...,
/// under the default schedule's cap).
fn pending_slashes<T: Config>(operator: &T::AccountId, count: u32) {
	for percent in 1..=count {
		assert!(Pallet::<T>::do_report(
			Some(whitelisted_caller()),
			deviation::<T>(operator, percent)
		)
		.is_ok());
	}
}

fn risk_origin<T: Config>() -> Result<T::RuntimeOrigin, BenchmarkError> {
	T::RiskOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)
}

#[benchmarks]
mod benchmarks {
	use super::*;

	/// The oracle's report path. Worst case: the offender has `MaxPendingPerOffender` pending
	/// slashes (the longest list to decode and write), so the report merges into the latest
	/// one: it is read, removed and written again under a fresh id.
	#[benchmark]
	fn report_offence() {
		let operator = T::BenchmarkHelper::operator(0);
		let max = T::MaxPendingPerOffender::get();
		pending_slashes::<T>(&operator, max);
		let offence = deviation::<T>(&operator, 50);
		#[block]
		{
			assert!(<Pallet<T> as OffenceReporter<_>>::report_offence(
				Some(whitelisted_caller()),
				offence
			)
			.is_ok());
		}
		assert_eq!(PendingSlashes::<T>::count(), max);
	}

	/// Same worst case as `report_offence`, through the risk origin.
	#[benchmark]
	fn governance_slash() -> Result<(), BenchmarkError> {
		let origin = risk_origin::<T>()?;
		let operator = T::BenchmarkHelper::operator(0);
		let max = T::MaxPendingPerOffender::get();
		pending_slashes::<T>(&operator, max);
		let reason: GovernanceReason =
			alloc::vec![7u8; bulwark_primitives::MAX_GOVERNANCE_REASON_LEN as usize]
				.try_into()
				.map_err(|_| BenchmarkError::Weightless)?;
		#[extrinsic_call]
		_(
			origin as T::RuntimeOrigin,
			SlashTarget::Operator(operator),
			Perbill::from_percent(50),
			reason,
			Some(whitelisted_caller()),
		);
		assert_eq!(PendingSlashes::<T>::count(), max);
		Ok(())
	}

	/// Cancels `n` pending slashes of one offender.
	#[benchmark]
	fn cancel_slashes(
		n: Linear<1, { T::MaxPendingPerOffender::get() }>,
	) -> Result<(), BenchmarkError> {
		let origin = risk_origin::<T>()?;
		let operator = T::BenchmarkHelper::operator(0);
		pending_slashes::<T>(&operator, n);
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, SlashTarget::Operator(operator));
		assert_eq!(PendingSlashes::<T>::count(), 0);
		Ok(())
	}

	/// Our side of cancelling a validator's deferred slash; the runtime's `ValidatorSlashes`
	/// adds its own weight (`cancel_weight`), so where the helper's slash is a real one this is
	/// counted twice (an overestimate, never short).
	#[benchmark]
	fn cancel_validator_slash() -> Result<(), BenchmarkError> {
		let origin = risk_origin::<T>()?;
		let era = 3;
		let validator = T::BenchmarkHelper::validator_slash(era);
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, era, validator);
		Ok(())
	}

	#[benchmark]
	fn set_schedule() -> Result<(), BenchmarkError> {
		let origin = risk_origin::<T>()?;
		let schedule =
			SlashSchedule { reporter_share: Perbill::from_percent(20), ..Default::default() };
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, schedule);
		assert_eq!(Schedule::<T>::get(), schedule);
		Ok(())
	}

	/// `n` due slashes applied in one block (up to `MaxSlashesPerBlock`), each on a different
	/// operator with a reporter that has no account yet (created by the reward) and proceeds
	/// deposited into a market's insurance fund.
	#[benchmark]
	fn on_initialize(n: Linear<0, { T::MaxSlashesPerBlock::get() }>) {
		for index in 0..n {
			let operator = T::BenchmarkHelper::operator(index);
			let reporter: T::AccountId = account("reporter", index, 0);
			assert!(Pallet::<T>::do_report(Some(reporter), deviation::<T>(&operator, 50)).is_ok());
		}
		let now = Pallet::<T>::now().saturating_add(T::SlashDeferDuration::get());
		frame_system::Pallet::<T>::set_block_number(now.into());
		#[block]
		{
			Pallet::<T>::on_initialize(now.into());
		}
		assert_eq!(PendingSlashes::<T>::count(), 0);
		assert_eq!(Queue::<T>::get().head, u64::from(n));
	}

	impl_benchmark_test_suite!(
		Pallet,
		crate::mock::ExtBuilder::default().build(),
		crate::mock::Test
	);
}
