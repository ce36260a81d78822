//! Benchmarks of the options pallet at their worst cases: a buy escrowed from a margin account
//! of `p` positions and filled with the whole pricing (five Black-Scholes valuations: the model,
//! the two skewed prices and the two stressed ones), a market of `s` series revalued, `e`
//! expiries sampled, `n` holders paid with their escrow refunded.

use super::*;
use bulwark_primitives::currency::BUSD;
use frame_benchmarking::v2::*;
use frame_system::RawOrigin;

fn spot() -> Price {
	FixedU128::from_u32(100)
}

/// Some rounds into the chain: a median's round is then above an expiry's first sample's 0.
fn some_rounds_in<T: Config>() {
	let block: BlockNumber = T::OracleRoundLength::get().saturating_mul(10);
	frame_system::Pallet::<T>::set_block_number(block.into());
}

/// The `k`th expiry on the grid a day or more from now.
fn expiry<T: Config>(k: u64) -> Moment {
	let params = Params::<T>::get();
	let now = Pallet::<T>::time();
	(now / params.expiry_grid + 2 + k) * params.expiry_grid + params.expiry_offset
}

/// Market 0 open to options, with `s` series: calls struck 100, 105, ... on `s` expiries if
/// `spread`, else all on the first.
fn market_with_series<T: Config>(s: u32, spread: bool) {
	some_rounds_in::<T>();
	T::BenchmarkHelper::setup_market(0, spot());
	if !OptionMarkets::<T>::contains_key(0) {
		assert!(
			Pallet::<T>::enable_market(RawOrigin::Root.into(), 0, FixedU128::from_u32(1)).is_ok()
		);
	}
	for i in 0..s {
		let at = if spread { expiry::<T>(u64::from(i)) } else { expiry::<T>(0) };
		let strike = FixedU128::from_u32(100u32.saturating_add(i));
		assert!(Pallet::<T>::do_list_series(0, at, strike, OptionKind::Call).is_ok());
	}
}

fn trader<T: Config>(index: u32, positions: u32) -> T::AccountId {
	let who: T::AccountId = account("option-trader", index, 0);
	T::BenchmarkHelper::fund(&who, 100_000 * BUSD, positions);
	who
}

fn one() -> SignedSize {
	SignedSize::from_u32(1)
}

/// Places a buy of one contract of `series` for `who`, at a limit of 50.
fn place_buy<T: Config>(who: &T::AccountId, series: SeriesId) {
	let placed = Pallet::<T>::place_order(
		RawOrigin::Signed(who.clone()).into(),
		series,
		one(),
		FixedU128::from_u32(50),
		10,
	);
	assert!(placed.is_ok());
}

/// Fills a buy of one contract of `series` for `who` (placed now, filled in its due block).
fn bought<T: Config>(who: &T::AccountId, series: SeriesId) {
	place_buy::<T>(who, series);
	let due = Pallet::<T>::order_due_block(Pallet::<T>::now());
	frame_system::Pallet::<T>::set_block_number(due.into());
	T::BenchmarkHelper::set_price(0, spot());
	Pallet::<T>::execute_due_orders(due, Pallet::<T>::time());
	assert!(Holdings::<T>::get(series, who).is_some_and(|h| !h.contracts.is_zero()));
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn enable_market() {
		T::BenchmarkHelper::setup_market(0, spot());
		for m in 1..T::MaxMarkets::get() {
			T::BenchmarkHelper::setup_market(m, spot());
			assert!(Pallet::<T>::enable_market(RawOrigin::Root.into(), m, spot()).is_ok());
		}
		#[extrinsic_call]
		_(RawOrigin::Root, 0, FixedU128::from_u32(1));
		assert!(OptionMarkets::<T>::contains_key(0));
	}

	#[benchmark]
	fn set_params() {
		let params =
			OptionsParams { vol_floor: FixedU128::from_rational(2, 5), ..Default::default() };
		#[extrinsic_call]
		_(RawOrigin::Root, params);
		assert_eq!(Params::<T>::get(), params);
	}

	/// Listing into a market of `s` series: each is read for duplicates.
	#[benchmark]
	fn list_series(s: Linear<0, { T::MaxSeriesPerMarket::get().saturating_sub(1) }>) {
		market_with_series::<T>(s, false);
		#[extrinsic_call]
		_(RawOrigin::Root, 0, expiry::<T>(0), FixedU128::from_u32(99), OptionKind::Put);
		assert_eq!(OptionMarkets::<T>::get(0).map(|m| m.series.len()), Some(s as usize + 1));
	}

	/// A buy escrowed from a margin account of `p` positions, appended to a due block's queue.
	#[benchmark]
	fn place_order(p: Linear<0, { T::MaxMarginPositions::get() }>) {
		market_with_series::<T>(1, false);
		let who = trader::<T>(0, p);
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), 0, one(), FixedU128::from_u32(50), 10);
		assert!(Holdings::<T>::get(0, &who).is_some_and(|h| h.order.is_some()));
	}

	/// The hook filling one buy: the five valuations, the caps against the vault's NAV, the
	/// release to the vault and insurance.
	#[benchmark]
	fn execute_order() {
		market_with_series::<T>(1, false);
		let who = trader::<T>(0, 0);
		place_buy::<T>(&who, 0);
		let due = Pallet::<T>::order_due_block(Pallet::<T>::now());
		frame_system::Pallet::<T>::set_block_number(due.into());
		T::BenchmarkHelper::set_price(0, spot());
		let time = Pallet::<T>::time();
		#[block]
		{
			Pallet::<T>::execute_due_orders(due, time);
		}
		assert!(Holdings::<T>::get(0, &who).is_some_and(|h| !h.contracts.is_zero()));
	}

	/// The hook filling `n` buys of `n` traders, each in its own series, the series spread over
	/// every market the pallet allows (no market's items shared by consecutive orders: the
	/// worst case of a batch); the slope is the cost of one more order.
	#[benchmark]
	fn execute_orders(
		n: Linear<1, { (T::MaxMarkets::get().min(8) * T::MaxSeriesPerMarket::get()).min(64) }>,
	) {
		some_rounds_in::<T>();
		let markets = T::MaxMarkets::get().min(8);
		let per_market = n.div_ceil(markets);
		for market in 0..markets {
			T::BenchmarkHelper::setup_market(market, spot());
			assert!(Pallet::<T>::enable_market(
				RawOrigin::Root.into(),
				market,
				FixedU128::from_u32(1)
			)
			.is_ok());
		}
		// Series of market m: m + markets x k, for k below `per_market`.
		for k in 0..per_market {
			for market in 0..markets {
				let strike = FixedU128::from_u32(100u32.saturating_add(k));
				assert!(Pallet::<T>::do_list_series(
					market,
					expiry::<T>(0),
					strike,
					OptionKind::Call
				)
				.is_ok());
			}
		}
		let traders: alloc::vec::Vec<T::AccountId> = (0..n).map(|i| trader::<T>(i, 0)).collect();
		for (i, who) in traders.iter().enumerate() {
			let series: SeriesId = i.saturated_into();
			place_buy::<T>(who, series);
		}
		let due = Pallet::<T>::order_due_block(Pallet::<T>::now());
		frame_system::Pallet::<T>::set_block_number(due.into());
		for market in 0..markets {
			T::BenchmarkHelper::set_price(market, spot());
		}
		let time = Pallet::<T>::time();
		#[block]
		{
			Pallet::<T>::execute_due_orders(due, time);
		}
		for (i, who) in traders.iter().enumerate() {
			let series: SeriesId = i.saturated_into();
			assert!(Holdings::<T>::get(series, who).is_some_and(|h| !h.contracts.is_zero()));
		}
	}

	/// The hook's pass over a market of `e` expiries, each in its settlement window sampling a
	/// new median, the book valued already.
	#[benchmark]
	fn refresh_market(e: Linear<1, { T::MaxSeriesPerMarket::get() }>) {
		market_with_series::<T>(e, true);
		for (expiry, mut state) in Expiries::<T>::iter_prefix(0).collect::<alloc::vec::Vec<_>>() {
			state.window_start = 0;
			Expiries::<T>::insert(0, expiry, state);
		}
		T::BenchmarkHelper::set_price(0, spot());
		let round = T::Prices::price_info(0).map_or(0, |p| p.round);
		OptionMarkets::<T>::mutate(0, |m| {
			if let Some(m) = m {
				m.valued_round = round;
			}
		});
		let time = Pallet::<T>::time();
		#[block]
		{
			Pallet::<T>::refresh_market(0, time);
		}
		let states: alloc::vec::Vec<_> = Expiries::<T>::iter_prefix(0).collect();
		assert!(states.iter().all(|(_, s)| s.samples == 1), "{states:?}");
	}

	/// Revaluing a market of `s` series, each with a holder: three valuations a series.
	#[benchmark]
	fn revalue(s: Linear<1, { T::MaxSeriesPerMarket::get() }>) {
		market_with_series::<T>(s, false);
		let who = trader::<T>(0, 0);
		for series in 0..s {
			bought::<T>(&who, series);
		}
		let mut book = OptionMarkets::<T>::get(0).expect("listed");
		let price = T::Prices::price_info(0).expect("priced");
		let params = Params::<T>::get();
		let time = Pallet::<T>::time();
		#[block]
		{
			Pallet::<T>::revalue(&mut book, &price, &params, time);
		}
		assert!(book.written_value > 0);
	}

	/// Paying `n` holders of a settled series, each with a pending order's escrow refunded; the
	/// series is removed after the last.
	#[benchmark]
	fn pay_out(n: Linear<1, { T::MaxPayoutsPerBlock::get() }>) {
		market_with_series::<T>(1, false);
		let holders: alloc::vec::Vec<T::AccountId> = (0..n).map(|i| trader::<T>(i, 0)).collect();
		for who in holders.iter() {
			bought::<T>(who, 0);
		}
		for who in holders.iter() {
			place_buy::<T>(who, 0);
		}
		let at = expiry::<T>(0);
		let state = Expiries::<T>::get(0, at).expect("listed");
		Pallet::<T>::settle_expiry(0, at, state, FixedU128::from_u32(110), 1);
		#[block]
		{
			Pallet::<T>::pay_out();
		}
		assert!(Series::<T>::get(0).is_none());
	}

	/// The council settling an expiry of `s` series after the timeout.
	#[benchmark]
	fn set_settlement_price(s: Linear<1, { T::MaxSeriesPerMarket::get() }>) {
		market_with_series::<T>(s, false);
		let at = expiry::<T>(0);
		let late = at.saturating_add(Params::<T>::get().settlement_timeout);
		T::BenchmarkHelper::set_time(late);
		#[extrinsic_call]
		_(RawOrigin::Root, 0, at, FixedU128::from_u32(110));
		assert!(Expiries::<T>::get(0, at).is_some_and(|e| e.price.is_some()));
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::ExtBuilder::build(), crate::mock::Test);
}
