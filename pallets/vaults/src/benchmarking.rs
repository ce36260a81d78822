//! Benchmarks of the vaults pallet's calls.

use super::*;
use frame_benchmarking::v2::*;
use frame_system::RawOrigin;

fn funded<T: Config>(index: u32) -> T::AccountId {
	let who: T::AccountId = account("staker", index, 0);
	T::Currency::set_balance(&who, T::MinStake::get().saturating_mul(1_000));
	who
}

fn stake_as<T: Config>(who: &T::AccountId, market: MarketId) {
	assert!(Pallet::<T>::stake(
		RawOrigin::Signed(who.clone()).into(),
		market,
		T::MinStake::get().saturating_mul(10)
	)
	.is_ok());
}

#[benchmarks]
mod benchmarks {
	use super::*;

	/// Into a vault that already has stake (share price computed from NAV).
	#[benchmark]
	fn stake() {
		let market = T::BenchmarkHelper::market();
		stake_as::<T>(&funded::<T>(1), market);
		let who = funded::<T>(0);
		let amount = T::MinStake::get();
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), market, amount);
		assert!(Stakers::<T>::get(market, &who).is_some());
	}

	/// With `MaxUnbondingChunks - 1` chunks unbonding already.
	#[benchmark]
	fn request_unstake() {
		let market = T::BenchmarkHelper::market();
		let who = funded::<T>(0);
		stake_as::<T>(&who, market);
		for _ in 1..T::MaxUnbondingChunks::get() {
			assert!(Pallet::<T>::request_unstake(RawOrigin::Signed(who.clone()).into(), market, 1)
				.is_ok());
		}
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), market, 1);
		assert_eq!(
			Stakers::<T>::get(market, &who).map(|s| s.unbonding.len() as u32),
			Some(T::MaxUnbondingChunks::get())
		);
	}

	/// `c` matured chunks; the staker's last shares, so its position is removed.
	#[benchmark]
	fn withdraw(c: Linear<1, { T::MaxUnbondingChunks::get() }>) {
		let market = T::BenchmarkHelper::market();
		stake_as::<T>(&funded::<T>(1), market);
		let who = funded::<T>(0);
		stake_as::<T>(&who, market);
		let shares = Stakers::<T>::get(market, &who).map_or(0, |s| s.active);
		let per_chunk = shares / c as u128;
		for i in 0..c {
			let chunk = if i + 1 == c { shares - per_chunk * (c as u128 - 1) } else { per_chunk };
			assert!(Pallet::<T>::request_unstake(
				RawOrigin::Signed(who.clone()).into(),
				market,
				chunk
			)
			.is_ok());
		}
		frame_system::Pallet::<T>::set_block_number(
			(Pallet::<T>::now().saturating_add(T::UnbondingPeriod::get())).into(),
		);
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), market);
		assert!(Stakers::<T>::get(market, &who).is_none());
	}

	#[benchmark]
	fn set_params() -> Result<(), BenchmarkError> {
		let origin =
			T::RiskOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let params =
			VaultParams { max_vault_leverage: FixedU128::from_u32(10), ..VaultParams::default() };
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, params);
		assert_eq!(Params::<T>::get(), params);
		Ok(())
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::ExtBuilder.build(), crate::mock::Test);
}
