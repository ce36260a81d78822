//! Benchmarks of the insurance pallet's calls.

use super::*;
use frame_benchmarking::v2::*;
use frame_system::RawOrigin;

fn fund<T: Config>(account: &T::AccountId, amount: Balance) {
	T::Currency::set_balance(account, amount.saturating_add(T::Currency::minimum_balance()));
}

#[benchmarks]
mod benchmarks {
	use super::*;

	/// Global to a market fund that does not exist yet (the destination account is created).
	#[benchmark]
	fn transfer_between_funds() -> Result<(), BenchmarkError> {
		let origin =
			T::RiskOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let amount = T::Currency::minimum_balance().saturating_mul(1_000);
		fund::<T>(&Pallet::<T>::account_of(Fund::Global), amount);
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, Fund::Global, Fund::Market(1), amount);
		assert_eq!(Pallet::<T>::balance_of(Fund::Market(1)), amount);
		Ok(())
	}

	#[benchmark]
	fn set_params() -> Result<(), BenchmarkError> {
		let origin =
			T::RiskOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let params =
			InsuranceParams { draw_window: 100, max_global_draw: T::MaxGlobalDrawHardCap::get() };
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, params);
		assert_eq!(Params::<T>::get(), Some(params));
		Ok(())
	}

	/// Into the fund of a listed market (0, listed at genesis) that does not exist yet.
	#[benchmark]
	fn contribute() {
		let who: T::AccountId = whitelisted_caller();
		let amount = T::Currency::minimum_balance().saturating_mul(1_000);
		fund::<T>(&who, amount.saturating_mul(2));
		#[extrinsic_call]
		_(RawOrigin::Signed(who), Fund::Market(0), amount);
		assert_eq!(Pallet::<T>::balance_of(Fund::Market(0)), amount);
	}

	/// `InsuranceFund::deposit` into a market fund not yet open.
	#[benchmark]
	fn deposit() {
		let who: T::AccountId = whitelisted_caller();
		let amount = T::Currency::minimum_balance().saturating_mul(1_000);
		fund::<T>(&who, amount.saturating_mul(2));
		#[block]
		{
			assert!(<Pallet<T> as InsuranceFund<_>>::deposit(0, &who, amount).is_ok());
		}
	}

	/// `InsuranceFund::cover` through both funds: the market fund pays all it has, the global
	/// fund the rest within its allowance (its draw state written), to an account not yet open.
	#[benchmark]
	fn cover() {
		let amount = T::Currency::minimum_balance().saturating_mul(1_000);
		fund::<T>(&Pallet::<T>::account_of(Fund::Market(0)), amount);
		fund::<T>(&Pallet::<T>::account_of(Fund::Global), amount);
		Params::<T>::put(InsuranceParams {
			draw_window: 100,
			max_global_draw: T::MaxGlobalDrawHardCap::get(),
		});
		let to: T::AccountId = account("covered", 0, 0);
		#[block]
		{
			let covered = <Pallet<T> as InsuranceFund<_>>::cover(0, &to, amount.saturating_mul(2));
			assert!(covered.is_ok_and(|c| c > amount));
		}
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::ExtBuilder.build(), crate::mock::Test);
}
