//! Benchmarks of the vaults pallet: its calls, and the settlement methods the margin engine
//! charges through `VaultSettlement::settle_weight` and `absorb_bad_debt_weight`.

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
		T::MinStake::get().saturating_mul(10),
		0
	)
	.is_ok());
}

#[benchmarks]
mod benchmarks {
	use super::*;

	/// The first stake of a vault whose earlier stakers all left, with value left behind: it is
	/// swept to the insurance fund (opened by it) before new shares are minted.
	#[benchmark]
	fn stake() {
		let market = T::BenchmarkHelper::market();
		let first = funded::<T>(1);
		stake_as::<T>(&first, market);
		let shares = Stakers::<T>::get(market, &first).map_or(0, |s| s.active);
		assert!(Pallet::<T>::request_unstake(
			RawOrigin::Signed(first.clone()).into(),
			market,
			shares
		)
		.is_ok());
		frame_system::Pallet::<T>::set_block_number(
			(Pallet::<T>::now().saturating_add(T::UnbondingPeriod::get())).into(),
		);
		assert!(Pallet::<T>::withdraw(RawOrigin::Signed(first).into(), market, 0).is_ok());
		let custody = funded::<T>(9);
		assert!(<Pallet<T> as VaultSettlement<_>>::collect(market, &custody, T::MinStake::get())
			.is_ok());
		let who = funded::<T>(0);
		let amount = T::MinStake::get();
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), market, amount, 0);
		assert!(Stakers::<T>::get(market, &who).is_some());
		assert!(T::Currency::balance(&T::Insurance::fund_account(market)) > 0);
	}

	/// The very first stake of a vault: its account is opened with the existential deposit.
	#[benchmark]
	fn stake_opening() {
		let market = T::BenchmarkHelper::market();
		let who = funded::<T>(0);
		let amount = T::MinStake::get();
		assert!(T::Currency::total_balance(&Pallet::<T>::vault_account(market)).is_zero());
		#[extrinsic_call]
		stake(RawOrigin::Signed(who.clone()), market, amount, 0);
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
		_(RawOrigin::Signed(who.clone()), market, 0);
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

	/// A vault whose traders took all its stake.
	#[benchmark]
	fn write_off() -> Result<(), BenchmarkError> {
		let origin =
			T::RiskOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let market = T::BenchmarkHelper::market();
		stake_as::<T>(&funded::<T>(0), market);
		let custody = funded::<T>(9);
		let held = Pallet::<T>::held(market);
		assert!(<Pallet<T> as VaultSettlement<_>>::pay(market, &custody, held).is_ok());
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, market);
		assert_eq!(Vaults::<T>::get(market).map(|v| v.epoch), Some(1));
		Ok(())
	}

	/// A batch of trader losses into the vault.
	#[benchmark]
	fn collect() {
		let market = T::BenchmarkHelper::market();
		stake_as::<T>(&funded::<T>(0), market);
		let custody = funded::<T>(9);
		let amount = T::MinStake::get();
		#[block]
		{
			assert!(<Pallet<T> as VaultSettlement<_>>::collect(market, &custody, amount).is_ok());
		}
	}

	/// A batch of trader profits out of the vault, to a custody account not yet open.
	#[benchmark]
	fn pay() {
		let market = T::BenchmarkHelper::market();
		stake_as::<T>(&funded::<T>(0), market);
		let custody: T::AccountId = account("custody", 0, 0);
		let amount = T::MinStake::get();
		#[block]
		{
			assert!(<Pallet<T> as VaultSettlement<_>>::pay(market, &custody, amount).is_ok());
		}
	}

	/// Bad debt covered in part by the market's insurance fund and the global fund (they pay
	/// into the vault, which holds it), the rest absorbed, and the vault, its equity gone,
	/// written off.
	#[benchmark]
	fn absorb_bad_debt() {
		let market = T::BenchmarkHelper::market();
		stake_as::<T>(&funded::<T>(0), market);
		let fund = T::Insurance::fund_account(market);
		T::Currency::set_balance(&fund, T::MinStake::get().saturating_mul(2));
		T::BenchmarkHelper::fund_global_insurance(T::MinStake::get().saturating_mul(2));
		let held = Pallet::<T>::held(market);
		let shortfall = T::MinStake::get().saturating_mul(1_000);
		// Traders' profit exceeds everything the vault will hold.
		let pnl = i128::try_from(held.saturating_add(shortfall)).unwrap_or(i128::MAX);
		T::BenchmarkHelper::set_trader_pnl(market, pnl);
		#[block]
		{
			let (covered, _) =
				<Pallet<T> as VaultSettlement<_>>::absorb_bad_debt(market, shortfall);
			assert!(covered > 0);
		}
		assert_eq!(Vaults::<T>::get(market).map(|v| v.epoch), Some(1));
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::ExtBuilder.build(), crate::mock::Test);
}
