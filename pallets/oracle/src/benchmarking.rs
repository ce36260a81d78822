//! Benchmarks of the oracle's calls and of the aggregation hook at its worst case.

use super::*;
use alloc::{vec, vec::Vec};
use frame_benchmarking::v2::*;
use frame_support::traits::Hooks;
use frame_system::RawOrigin;
use sp_runtime::traits::One;

fn funded<T: Config>(name: &'static str, index: u32) -> T::AccountId {
	let who: T::AccountId = account(name, index, 0);
	let amount = T::MinOperatorBond::get()
		.saturating_mul(1_000)
		.saturating_add(T::Currency::minimum_balance());
	T::Currency::set_balance(&who, amount);
	who
}

fn register<T: Config>(index: u32) -> T::AccountId {
	let who = funded::<T>("operator", index);
	assert!(Pallet::<T>::register_operator(
		RawOrigin::Signed(who.clone()).into(),
		T::MinOperatorBond::get()
	)
	.is_ok());
	who
}

/// Markets up to `count` in total, creating the missing ones.
fn markets<T: Config>(count: u32) -> Vec<MarketId> {
	while Markets::<T>::count() < count {
		let id = NextMarketId::<T>::get();
		let symbol: BoundedVec<u8, T::MaxSymbolLen> =
			BoundedVec::truncate_from(id.to_le_bytes().to_vec());
		assert!(Pallet::<T>::do_create_market(symbol, 8, OracleParams::default()).is_ok());
	}
	Markets::<T>::iter_keys().take(count as usize).collect()
}

fn set_block<T: Config>(block: BlockNumber) {
	frame_system::Pallet::<T>::set_block_number(block.into());
}

fn price(integer: u128) -> Price {
	FixedU128::saturating_from_integer(integer)
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn create_market() -> Result<(), BenchmarkError> {
		let origin =
			T::RiskOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let before = Markets::<T>::count();
		let symbol = vec![b'X'; T::MaxSymbolLen::get() as usize];
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, symbol, 8, OracleParams::default());
		assert_eq!(Markets::<T>::count(), before + 1);
		Ok(())
	}

	#[benchmark]
	fn set_market_params() -> Result<(), BenchmarkError> {
		let origin =
			T::RiskOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let market = markets::<T>(1)[0];
		let params = OracleParams { max_price_age: 5, ..OracleParams::default() };
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, market, params);
		assert_eq!(Markets::<T>::get(market).map(|m| m.params), Some(params));
		Ok(())
	}

	/// The largest declaration: every market.
	#[benchmark]
	fn set_markets() {
		let ids = markets::<T>(T::MaxMarkets::get());
		let who = register::<T>(0);
		let list: BoundedVec<MarketId, T::MaxMarkets> = BoundedVec::truncate_from(ids.clone());
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), Some(list));
		assert_eq!(OperatorMarkets::<T>::get(&who).map(|l| l.len()), Some(ids.len()));
	}

	#[benchmark]
	fn set_operator_params() -> Result<(), BenchmarkError> {
		let origin =
			T::RiskOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let params = OperatorParams {
			min_bond: T::MinOperatorBond::get().saturating_mul(2),
			max_missed_rounds: 7,
		};
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, params);
		assert_eq!(OperatorRules::<T>::get(), params);
		Ok(())
	}

	#[benchmark]
	fn register_operator() {
		let who = funded::<T>("operator", 0);
		let bond = T::MinOperatorBond::get();
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), bond);
		assert_eq!(Operators::<T>::get(&who).map(|o| o.bond), Some(bond));
	}

	#[benchmark]
	fn top_up() {
		let who = register::<T>(0);
		let amount = T::MinOperatorBond::get();
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), amount);
		assert_eq!(Operators::<T>::get(&who).map(|o| o.bond), Some(amount.saturating_mul(2)));
	}

	#[benchmark]
	fn unregister() {
		let who = register::<T>(0);
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()));
		assert!(Operators::<T>::get(&who).is_some_and(|o| !o.is_active()));
	}

	#[benchmark]
	fn withdraw_bond() {
		let who = register::<T>(0);
		assert!(Pallet::<T>::unregister(RawOrigin::Signed(who.clone()).into()).is_ok());
		set_block::<T>(Pallet::<T>::now().saturating_add(T::UnbondingPeriod::get()));
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()));
		assert!(Operators::<T>::get(&who).is_none());
	}

	/// `n` entries, each into a market whose round already holds `MaxOperators - 1`
	/// submissions (the largest vector to decode and re-encode), by an operator that declared
	/// every market (the largest declaration to read and search), early: for the next round in
	/// the current round's last block (one write more than on time).
	#[benchmark]
	fn submit(n: Linear<1, { T::MaxMarkets::get() }>) {
		let all = markets::<T>(T::MaxMarkets::get());
		let ids: Vec<MarketId> = all.iter().copied().take(n as usize).collect();
		let who = register::<T>(0);
		OperatorMarkets::<T>::insert(&who, BoundedVec::truncate_from(all));
		let round = Pallet::<T>::current_round().saturating_add(2);
		set_block::<T>(round.saturating_mul(T::RoundLength::get()).saturating_sub(1));
		assert!(Pallet::<T>::accepts_round(round) && Pallet::<T>::is_early(round));
		let others = T::MaxOperators::get().saturating_sub(1);
		for market in &ids {
			let entries: Vec<(T::AccountId, Price, Balance)> =
				(0..others).map(|i| (account("other", i, 0), price(100), 1)).collect();
			EarlySubmissions::<T>::insert(market, BoundedVec::truncate_from(entries));
		}
		let prices: BoundedVec<(MarketId, Price), T::MaxMarkets> =
			BoundedVec::truncate_from(ids.iter().map(|m| (*m, price(101))).collect());
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), round, prices);
		assert_eq!(Operators::<T>::get(&who).and_then(|o| o.last_submitted), Some(round));
	}

	/// Closing a round with `m` markets, each fed by `o` operators that each declared all `m`
	/// markets, every market with a previous price (log return, EMA, breaker check), the odd
	/// operators (just under half) far enough from the median to be reported in every market
	/// (their largest deviation chosen across markets), and every operator checked for
	/// liveness, and every operator also submitted early for the next round (the submissions
	/// move, and the liveness records follow). The hook adds each report's cost from `OffenceReporter::report_offence_weight`;
	/// in a runtime whose reporter does work, this measurement includes that cost once more (an
	/// overestimate, never short).
	#[benchmark]
	fn on_initialize(
		m: Linear<1, { T::MaxMarkets::get() }>,
		o: Linear<1, { T::MaxOperators::get() }>,
	) {
		let ids = markets::<T>(m);
		// Every market forms a quorum (the heavier path), however few operators there are.
		for market in &ids {
			Markets::<T>::mutate(market, |info| {
				if let Some(info) = info {
					info.params.min_submissions = 1;
				}
			});
		}
		let operators: Vec<T::AccountId> = (0..o).map(register::<T>).collect();
		for who in &operators {
			OperatorMarkets::<T>::insert(who, BoundedVec::truncate_from(ids.clone()));
		}
		let round = Pallet::<T>::current_round().saturating_add(1);
		let start = round.saturating_mul(T::RoundLength::get());
		set_block::<T>(start);
		for market in &ids {
			Prices::<T>::insert(
				market,
				PriceState {
					price: price(100),
					ema_price: price(100),
					variance: FixedU128::zero(),
					volatility: FixedU128::zero(),
					updated_at: start,
					round: round.saturating_sub(1),
					halt: None,
					max_price_age: OracleParams::default().max_price_age,
				},
			);
			let bond = T::MinOperatorBond::get();
			let entries: Vec<(T::AccountId, Price, Balance)> = operators
				.iter()
				.enumerate()
				.map(|(i, who)| {
					(who.clone(), if i % 2 == 1 { price(150) } else { price(101) }, bond)
				})
				.collect();
			RoundSubmissions::<T>::insert(market, BoundedVec::truncate_from(entries.clone()));
			EarlySubmissions::<T>::insert(market, BoundedVec::truncate_from(entries));
		}
		for who in &operators {
			EarlySubmitters::<T>::insert(who, true);
		}
		let close = start.saturating_add(T::RoundLength::get());
		set_block::<T>(close);
		#[block]
		{
			Pallet::<T>::on_initialize(close.into());
		}
		for market in &ids {
			assert_eq!(Prices::<T>::get(market).map(|p| p.round), Some(round));
			assert_eq!(RoundSubmissions::<T>::get(market).len(), operators.len());
		}
		assert_eq!(EarlySubmitters::<T>::count(), 0);
	}

	/// A halted market whose new level is confirmed.
	#[benchmark]
	fn resume_market() -> Result<(), BenchmarkError> {
		let origin =
			T::RiskOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let market = markets::<T>(1)[0];
		let confirm = OracleParams::default().confirm_rounds;
		Prices::<T>::insert(
			market,
			PriceState {
				price: price(60),
				ema_price: price(100),
				variance: FixedU128::zero(),
				volatility: FixedU128::zero(),
				updated_at: 1,
				round: 0,
				halt: Some(Halt { cooldown_until: 0, candidate: Some((price(60), confirm)) }),
				max_price_age: OracleParams::default().max_price_age,
			},
		);
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, market);
		assert_eq!(
			Prices::<T>::get(market).map(|p| (p.halt, p.ema_price)),
			Some((None, price(60)))
		);
		Ok(())
	}

	/// A block that closes no round.
	#[benchmark]
	fn on_initialize_idle() {
		let length = T::RoundLength::get();
		let block = if length > 1 { length.saturating_add(1) } else { BlockNumber::one() };
		set_block::<T>(block);
		#[block]
		{
			Pallet::<T>::on_initialize(block.into());
		}
	}

	impl_benchmark_test_suite!(
		Pallet,
		crate::mock::ExtBuilder::default().build(),
		crate::mock::Test
	);
}
