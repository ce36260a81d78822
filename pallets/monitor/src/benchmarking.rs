//! Benchmarks of the security monitor: the hook at its worst case (every listed market
//! recomputed and restricted at once), the moving averages' step of every block, and
//! `set_params`.

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

	/// The moving averages' step of every block, over `m` watched markets.
	#[benchmark]
	fn smooth(m: Linear<3, { T::MaxMarkets::get() }>) {
		T::BenchmarkHelper::setup(m);
		Pallet::<T>::refresh(T::MonitorPeriod::get());
		let params = Params::<T>::get();
		let smoothed;
		#[block]
		{
			smoothed = Pallet::<T>::smooth(&params);
		}
		assert!(smoothed >= m);
	}

	/// `m` listed markets (the runtime lists at least 3 at genesis), the BWK price so low that
	/// every one of them is restricted at this sample (a restriction after one sample under the
	/// floor: the most work a sample does).
	#[benchmark]
	fn on_initialize(m: Linear<3, { T::MaxMarkets::get() }>) {
		T::BenchmarkHelper::setup(m);
		Params::<T>::put(MonitorParams { breach_samples: 1, ..Default::default() });
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
