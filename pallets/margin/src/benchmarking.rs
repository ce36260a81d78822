//! Benchmarks of the margin engine at their worst cases: `p` positions held (each in its own
//! market, all marked for the margin check), `m` markets refreshed and settled by the hook.

use super::*;
use bulwark_primitives::currency::BUSD;
use frame_benchmarking::v2::*;
use frame_system::RawOrigin;

/// The market of the `i`th position: markets from 0, each listed with a price and a vault.
fn setup_markets<T: Config>(count: u32) {
	for market in 0..count {
		T::BenchmarkHelper::setup_market(market, FixedU128::from_u32(100));
		if !Markets::<T>::contains_key(market) {
			assert!(Pallet::<T>::do_enable_market(market, MarginParams::default()).is_ok());
		}
	}
}

fn trader<T: Config>(index: u32, collateral: Balance) -> T::AccountId {
	let who: T::AccountId = account("trader", index, 0);
	assert!(Pallet::<T>::open_custody().is_ok());
	T::Currency::set_balance(&who, collateral.saturating_mul(2));
	assert!(Pallet::<T>::deposit(RawOrigin::Signed(who.clone()).into(), collateral).is_ok());
	who
}

fn one_unit() -> SignedSize {
	FixedI128::from_u32(1)
}

/// Fills a trade of `size` in `market` at once (the fill an executing order makes).
fn fill<T: Config>(who: &T::AccountId, market: MarketId, size: SignedSize) {
	let account = Accounts::<T>::get(who).unwrap_or_default();
	let round = T::Prices::current_round();
	assert!(Pallet::<T>::do_trade(
		who,
		account,
		market,
		size,
		Some(FixedU128::from_u32(1_000)),
		round
	)
	.is_ok());
}

fn open<T: Config>(who: &T::AccountId, market: MarketId) {
	fill::<T>(who, market, one_unit());
}

/// Fills the queue of block `due` up to one place short of `MaxOrdersPerBlock` with orders of
/// other accounts (entries only: their accounts do not exist, so executing them reads one item).
fn fill_queue<T: Config>(due: BlockNumber) {
	let others: Vec<(T::AccountId, MarketId)> = (0..T::MaxOrdersPerBlock::get().saturating_sub(1))
		.map(|i| (account("queued", i, 0), 0))
		.collect();
	OrderQueue::<T>::insert(due, BoundedVec::truncate_from(others));
}

/// Lets a day pass, so that funding accrues on the next touch; `markets` get a fresh price.
fn a_day_later<T: Config>(markets: u32) {
	let next = Pallet::<T>::now().saturating_add(T::BlocksPerHour::get().saturating_mul(24));
	frame_system::Pallet::<T>::set_block_number(next.into());
	for market in 0..markets {
		T::BenchmarkHelper::set_price(market, FixedU128::from_u32(100));
	}
}

#[benchmarks]
mod benchmarks {
	use super::*;

	/// A new account's first deposit.
	#[benchmark]
	fn deposit() {
		assert!(Pallet::<T>::open_custody().is_ok());
		let who: T::AccountId = account("trader", 0, 0);
		T::Currency::set_balance(&who, 10_000 * BUSD);
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), 1_000 * BUSD);
		assert!(Accounts::<T>::contains_key(&who));
	}

	/// With `p` positions, each marked for the initial margin check.
	#[benchmark]
	fn withdraw(p: Linear<1, { T::MaxPositions::get() }>) {
		setup_markets::<T>(p);
		let who = trader::<T>(0, 10_000 * BUSD);
		for market in 0..p {
			open::<T>(&who, market);
		}
		a_day_later::<T>(p);
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), BUSD);
		assert_eq!(Accounts::<T>::get(&who).map(|a| a.positions.len()), Some(p as usize));
	}

	/// An order growing one of `p` positions a day after it opened, in a block whose hook
	/// refreshed every market (as on a running chain): funding accrues, every position is
	/// marked for the initial margin and the reservation, and the order is appended to a due
	/// block's queue one short of full.
	#[benchmark]
	fn place_order(p: Linear<1, { T::MaxPositions::get() }>) {
		setup_markets::<T>(p);
		let who = trader::<T>(0, 10_000 * BUSD);
		for market in 0..p {
			open::<T>(&who, market);
		}
		a_day_later::<T>(p);
		// As on a running chain, the block's hook refreshed every market first.
		let now = Pallet::<T>::now();
		Pallet::<T>::on_initialize(now.into());
		let due = Pallet::<T>::order_due_block(now);
		fill_queue::<T>(due);
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), 0, one_unit(), FixedU128::from_u32(1_000), 10);
		assert!(Accounts::<T>::get(&who).is_some_and(|a| a.orders.len() == 1));
		assert_eq!(OrderQueue::<T>::decode_len(due), Some(T::MaxOrdersPerBlock::get() as usize));
	}

	/// The hook executing one due order that grows one of `p` positions a day after it opened:
	/// funding settles, the aggregates change, every position is marked for the initial margin
	/// and the caps are checked (a trade's worst case).
	#[benchmark]
	fn execute_order(p: Linear<1, { T::MaxPositions::get() }>) {
		setup_markets::<T>(p);
		let who = trader::<T>(0, 10_000 * BUSD);
		for market in 0..p {
			open::<T>(&who, market);
		}
		a_day_later::<T>(p);
		assert!(Pallet::<T>::place_order(
			RawOrigin::Signed(who.clone()).into(),
			0,
			one_unit(),
			FixedU128::from_u32(1_000),
			10
		)
		.is_ok());
		let due = Pallet::<T>::order_due_block(Pallet::<T>::now());
		frame_system::Pallet::<T>::set_block_number(due.into());
		for market in 0..p {
			T::BenchmarkHelper::set_price(market, FixedU128::from_u32(100));
			// The hook refreshes every market before it executes the due orders.
			Pallet::<T>::refresh_market(market, due);
		}
		#[block]
		{
			Pallet::<T>::execute_due_orders(due);
		}
		let size = Accounts::<T>::get(&who).and_then(|a| a.positions.first().map(|p| p.size));
		assert_eq!(size, Some(FixedI128::from_u32(2)));
	}

	/// The hook executing `n` due orders of `n` accounts holding one position each: the queue
	/// is taken once, then each order fills (the per-order cost in a batch is the slope).
	#[benchmark]
	fn execute_orders(n: Linear<1, 100>) {
		setup_markets::<T>(1);
		let traders: Vec<T::AccountId> = (0..n)
			.map(|i| {
				let who = trader::<T>(i, 10_000 * BUSD);
				open::<T>(&who, 0);
				who
			})
			.collect();
		a_day_later::<T>(1);
		for who in traders.iter() {
			assert!(Pallet::<T>::place_order(
				RawOrigin::Signed(who.clone()).into(),
				0,
				one_unit(),
				FixedU128::from_u32(1_000),
				10
			)
			.is_ok());
		}
		let due = Pallet::<T>::order_due_block(Pallet::<T>::now());
		frame_system::Pallet::<T>::set_block_number(due.into());
		T::BenchmarkHelper::set_price(0, FixedU128::from_u32(100));
		Pallet::<T>::refresh_market(0, due);
		#[block]
		{
			Pallet::<T>::execute_due_orders(due);
		}
		for who in traders.iter() {
			let size = Accounts::<T>::get(who).and_then(|a| a.positions.first().map(|p| p.size));
			assert_eq!(size, Some(FixedI128::from_u32(2)));
		}
	}

	/// Enabling the last market the bound allows.
	#[benchmark]
	fn enable_market() {
		let last = T::MaxMarkets::get().saturating_sub(1);
		setup_markets::<T>(last);
		T::BenchmarkHelper::setup_market(last, FixedU128::from_u32(100));
		#[extrinsic_call]
		_(RawOrigin::Root, last, Some(MarginParams::default()));
		assert!(Markets::<T>::contains_key(last));
	}

	#[benchmark]
	fn set_market_params() {
		setup_markets::<T>(1);
		let params = MarginParams {
			taker_fee: sp_arithmetic::Perbill::from_percent(1),
			..Default::default()
		};
		a_day_later::<T>(1);
		#[extrinsic_call]
		_(RawOrigin::Root, 0, params);
		assert_eq!(Markets::<T>::get(0).map(|m| m.params), Some(params));
	}

	#[benchmark]
	fn set_min_collateral() {
		let amount = T::MaxMinCollateral::get();
		#[extrinsic_call]
		_(RawOrigin::Root, amount);
		assert_eq!(MinCollateral::<T>::get(), amount);
	}

	/// A market with fees owed to both its vault and its insurance fund.
	#[benchmark]
	fn settle() {
		setup_markets::<T>(1);
		let who = trader::<T>(0, 100_000 * BUSD);
		for _ in 0..10 {
			open::<T>(&who, 0);
		}
		a_day_later::<T>(1);
		#[extrinsic_call]
		_(RawOrigin::Signed(who), 0);
		assert!(Markets::<T>::get(0).is_some_and(|m| !m.unsettled()));
	}

	/// `m` markets, each with a position, funding to accrue and fees owed to its vault and its
	/// insurance fund.
	#[benchmark]
	fn on_initialize(m: Linear<1, { T::MaxMarkets::get() }>) {
		setup_markets::<T>(m);
		for market in 0..m {
			let who = trader::<T>(market, 100_000 * BUSD);
			for _ in 0..10 {
				open::<T>(&who, market);
			}
		}
		a_day_later::<T>(m);
		let now = frame_system::Pallet::<T>::block_number();
		#[block]
		{
			Pallet::<T>::on_initialize(now);
		}
		assert!(Markets::<T>::iter_values().all(|m| !m.unsettled()));
	}

	/// An account with `p` positions closed in full (below the critical fraction), in a block
	/// whose hook refreshed every market, as in a running chain. Position 0 (10 units) lost
	/// nearly all the collateral; the other `p - 1` (1 unit each) are in profit, so each asks
	/// its vault what it can pay. The penalty is capped at the equity left and the keeper, who
	/// has a margin account, is credited. Bad debt, when there is some, is charged on top at the
	/// vaults' `absorb_bad_debt` weight per market (see `Pallet::liquidate_weight`).
	#[benchmark]
	fn liquidate(p: Linear<1, { T::MaxPositions::get() }>) {
		setup_markets::<T>(p);
		let who = trader::<T>(0, 200 * BUSD);
		fill::<T>(&who, 0, FixedI128::from_u32(10));
		for market in 1..p {
			open::<T>(&who, market);
			T::BenchmarkHelper::set_price(market, FixedU128::from_u32(101));
		}
		// Down by half-units until the equity, still positive, is below the critical fraction.
		let critical = MarginParams::default().critical_fraction;
		let mut price = FixedU128::from_u32(100);
		loop {
			price = FixedU128::from_inner(price.into_inner().saturating_sub(FixedU128::DIV / 2));
			assert!(!price.is_zero());
			T::BenchmarkHelper::set_price(0, price);
			let Some(view) = Pallet::<T>::account_view(&who) else { panic!("no account") };
			if view.equity <= 0 {
				panic!("no price leaves a positive equity below the critical fraction");
			}
			if view.equity
				< Pallet::<T>::signed(critical.mul_floor(view.maintenance_margin)).unwrap_or(0)
			{
				break;
			}
		}
		// As on a running chain, the block's hook refreshed every market first (at block 1:
		// the benchmark runs the call there when setup left it at 0).
		let now = frame_system::Pallet::<T>::block_number().max(1u32.into());
		frame_system::Pallet::<T>::set_block_number(now);
		Pallet::<T>::on_initialize(now);
		let keeper = trader::<T>(1, 100 * BUSD);
		#[extrinsic_call]
		_(RawOrigin::Signed(keeper.clone()), who.clone());
		assert!(Accounts::<T>::get(&who).is_none_or(|a| a.positions.is_empty()));
		assert!(Accounts::<T>::get(&keeper).is_some_and(|a| a.collateral > 100 * BUSD));
	}

	/// A liquidation refused once the account is valued: `p` positions, healthy (what a keeper
	/// that lost the race for an account pays).
	#[benchmark]
	fn liquidate_refused(p: Linear<1, { T::MaxPositions::get() }>) {
		setup_markets::<T>(p);
		let who = trader::<T>(0, 200 * BUSD);
		fill::<T>(&who, 0, FixedI128::from_u32(10));
		for market in 1..p {
			open::<T>(&who, market);
		}
		// As on a running chain, the block's hook refreshed every market first (at block 1:
		// the benchmark runs the call there when setup left it at 0).
		let now = frame_system::Pallet::<T>::block_number().max(1u32.into());
		frame_system::Pallet::<T>::set_block_number(now);
		Pallet::<T>::on_initialize(now);
		let keeper = trader::<T>(1, 100 * BUSD);
		#[block]
		{
			let refused = Pallet::<T>::liquidate(RawOrigin::Signed(keeper).into(), who.clone());
			assert!(refused.is_err());
		}
		assert!(Accounts::<T>::get(&who).is_some_and(|a| a.positions.len() == p as usize));
	}

	/// Reducing a profitable position in market 0 of an account holding `p` positions, with
	/// the ADL trigger at its lowest.
	#[benchmark]
	fn deleverage(p: Linear<1, { T::MaxPositions::get() }>) {
		setup_markets::<T>(p);
		let params = MarginParams {
			adl_trigger: sp_arithmetic::Perbill::from_parts(2),
			adl_target: sp_arithmetic::Perbill::from_parts(1),
			..Default::default()
		};
		assert!(Pallet::<T>::set_market_params(RawOrigin::Root.into(), 0, params).is_ok());
		let who = trader::<T>(0, 1_000 * BUSD);
		for market in 0..p {
			open::<T>(&who, market);
		}
		T::BenchmarkHelper::set_price(0, FixedU128::from_u32(150));
		let caller: T::AccountId = account("keeper", 0, 0);
		#[extrinsic_call]
		_(RawOrigin::Signed(caller), 0, who.clone());
		let size = Accounts::<T>::get(&who)
			.and_then(|a| a.positions.iter().find(|p| p.market == 0).map(|p| p.size));
		assert!(size.is_none_or(|s| s < FixedI128::from_u32(1)));
	}

	impl_benchmark_test_suite!(
		Pallet,
		crate::mock::ExtBuilder::default().build(),
		crate::mock::Test
	);
}
