//! Benchmarks of the security monitor: the hook at its worst case (every listed market
//! recomputed and restricted at once) and `set_params`.

use super::*;
use frame_benchmarking::v2::*;

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn set_params() -> Result<(), BenchmarkError> {
		let origin =
			T::RiskOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let params = MonitorParams {
			hysteresis: sp_arithmetic::Perbill::from_percent(20),
			..Default::default()
		};
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, params);
		assert_eq!(Params::<T>::get(), params);
		Ok(())
	}

	/// A block between two periods.
	#[benchmark]
	fn on_initialize_idle() {
		let now = T::MonitorPeriod::get().saturating_add(1);
		#[block]
		{
			Pallet::<T>::on_initialize(now.into());
		}
	}

	/// `m` listed markets (the runtime lists at least 3 at genesis), the BWK price so low that
	/// every one of them is restricted.
	#[benchmark]
	fn on_initialize(m: Linear<3, { T::MaxMarkets::get() }>) {
		T::BenchmarkHelper::setup(m);
		let now = T::MonitorPeriod::get();
		#[block]
		{
			Pallet::<T>::on_initialize(now.into());
		}
		// Every listed market (the runtime lists at least its genesis three).
		assert!(Restricted::<T>::iter_keys().count() >= m as usize);
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::ExtBuilder::new().build(), crate::mock::Test);
}
