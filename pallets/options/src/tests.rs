//! Tests of the options pallet on the mock runtime; each ends with `try_state`, and those that
//! move money check the collateral ledger's total (collateral, escrow, owed to the vault and to
//! insurance) to the unit.

use crate::{
	mock::*, pricing, Error, Event, Expiries, Holdings, OptionKind, OptionMarkets, Params, Series,
	SeriesStatus, SettlingSeries,
};
use bulwark_primitives::{currency::BUSD, MarketStatus, WrittenOptions};
use frame_support::{assert_noop, assert_ok};
use sp_runtime::{traits::BadOrigin, DispatchError, FixedI128, FixedU128, Perbill};

const ALICE: AccountId = 1;
const BOB: AccountId = 2;
const UNIT: i128 = 1_000_000_000_000_000_000;
/// Milliseconds in the default settlement window (30 minutes).
const WINDOW: u64 = 1_800_000;

fn root() -> RuntimeOrigin {
	RuntimeOrigin::root()
}

fn contracts(n: i128) -> FixedI128 {
	FixedI128::from_inner(n * UNIT)
}

/// Market 0 open with a tick of 5, and a call and a put struck at 100 expiring on `EXPIRY`.
fn listed() -> (u32, u32) {
	assert_ok!(Options::enable_market(root(), 0, price(5)));
	assert_ok!(Options::list_series(root(), 0, EXPIRY, price(100), OptionKind::Call));
	assert_ok!(Options::list_series(root(), 0, EXPIRY, price(100), OptionKind::Put));
	(0, 1)
}

fn place(who: AccountId, series: u32, n: i128, limit: u128) -> sp_runtime::DispatchResult {
	Options::place_order(RuntimeOrigin::signed(who), series, contracts(n), price(limit), 3)
}

/// The `Traded` events since the last read: `(who, size, amount, fee, premium)`.
fn trades() -> Vec<(AccountId, FixedI128, u128, u128, FixedU128)> {
	options_events()
		.into_iter()
		.filter_map(|e| match e {
			Event::Traded { who, contracts, amount, fee, premium, .. } => {
				Some((who, contracts, amount, fee, premium))
			},
			_ => None,
		})
		.collect()
}

/// The reasons of the `OrderCancelled` events since the last read.
fn cancellations(events: &[Event<Test>]) -> Vec<DispatchError> {
	events
		.iter()
		.filter_map(|e| match e {
			Event::OrderCancelled { reason, .. } => Some(*reason),
			_ => None,
		})
		.collect()
}

/// Places an order and runs the blocks until it is due: returns `(amount, fee)` of its fill.
fn fill(who: AccountId, series: u32, n: i128, limit: u128) -> (u128, u128) {
	options_events();
	assert_ok!(place(who, series, n, limit));
	run_blocks(2 * ROUND);
	let traded = trades();
	assert_eq!(traded.len(), 1, "the order filled");
	(traded[0].2, traded[0].3)
}

/// Runs blocks from just before `series`' window to past its expiry with the market's median
/// at `settle`; returns the events.
fn expire_at(settle: u128) -> Vec<Event<Test>> {
	set_price(0, price(settle));
	set_time(EXPIRY - WINDOW - BLOCK_MS);
	options_events();
	// 30 minutes of 6 s blocks, and a few more.
	run_blocks(310);
	options_events()
}

mod listing {
	use super::*;

	#[test]
	fn privileged_calls_refuse_a_signed_origin() {
		ExtBuilder::build_and_execute(|| {
			let signed = RuntimeOrigin::signed(ALICE);
			assert_noop!(Options::enable_market(signed.clone(), 0, price(5)), BadOrigin);
			assert_noop!(Options::set_params(signed.clone(), Params::<Test>::get()), BadOrigin);
			assert_noop!(
				Options::list_series(signed.clone(), 0, EXPIRY, price(100), OptionKind::Call),
				BadOrigin
			);
			assert_noop!(Options::set_settlement_price(signed, 0, EXPIRY, price(100)), BadOrigin);
		});
	}

	#[test]
	fn series_are_listed_on_the_grid_near_the_price() {
		ExtBuilder::build_and_execute(|| {
			assert_noop!(
				Options::list_series(root(), 0, EXPIRY, price(100), OptionKind::Call),
				Error::<Test>::MarketNotEnabled
			);
			assert_noop!(Options::enable_market(root(), 7, price(5)), Error::<Test>::UnknownMarket);
			assert_noop!(
				Options::enable_market(root(), 0, FixedU128::from_u32(0)),
				Error::<Test>::InvalidParams
			);
			assert_ok!(Options::enable_market(root(), 0, price(5)));
			assert_noop!(
				Options::enable_market(root(), 0, price(5)),
				Error::<Test>::MarketAlreadyEnabled
			);
			let list =
				|expiry, strike, kind| Options::list_series(root(), 0, expiry, price(strike), kind);
			// Off the grid (07:00), past, inside the window from now, beyond 92 days.
			assert_noop!(
				list(EXPIRY - 3_600_000, 100, OptionKind::Call),
				Error::<Test>::InvalidExpiry
			);
			assert_noop!(
				list(EXPIRY - 2 * 86_400_000, 100, OptionKind::Call),
				Error::<Test>::InvalidExpiry
			);
			assert_noop!(
				list(EXPIRY + 92 * 86_400_000, 100, OptionKind::Call),
				Error::<Test>::InvalidExpiry
			);
			set_time(EXPIRY - WINDOW);
			assert_noop!(list(EXPIRY, 100, OptionKind::Call), Error::<Test>::InvalidExpiry);
			set_time(GENESIS_MS);
			// Off the tick, and beyond 50% of the price.
			assert_noop!(list(EXPIRY, 102, OptionKind::Call), Error::<Test>::InvalidStrike);
			assert_noop!(list(EXPIRY, 155, OptionKind::Call), Error::<Test>::InvalidStrike);
			assert_ok!(list(EXPIRY, 150, OptionKind::Call));
			assert_ok!(list(EXPIRY + 90 * 86_400_000, 50, OptionKind::BinaryPut));
			assert_noop!(list(EXPIRY, 150, OptionKind::Call), Error::<Test>::SeriesExists);
			for strike in [95, 100, 105, 110, 115, 120] {
				assert_ok!(list(EXPIRY, strike, OptionKind::BinaryCall));
			}
			assert_noop!(list(EXPIRY, 125, OptionKind::Call), Error::<Test>::TooManySeries);
			assert_eq!(Expiries::<Test>::get(0, EXPIRY).unwrap().series, 7);
			assert_eq!(Expiries::<Test>::get(0, EXPIRY).unwrap().window_start, EXPIRY - WINDOW);
		});
	}

	#[test]
	fn parameters_stay_within_their_bounds() {
		ExtBuilder::build_and_execute(|| {
			let mut params = Params::<Test>::get();
			params.fee_cap = Perbill::from_percent(60);
			assert_noop!(Options::set_params(root(), params), Error::<Test>::InvalidParams);
			params.fee_cap = Perbill::from_percent(10);
			params.expiry_offset = params.expiry_grid;
			assert_noop!(Options::set_params(root(), params), Error::<Test>::InvalidParams);
			params.expiry_offset = 0;
			assert_ok!(Options::set_params(root(), params));
			assert_eq!(Params::<Test>::get(), params);
		});
	}
}

mod orders {
	use super::*;

	#[test]
	fn a_bought_call_fills_at_the_next_median_and_pays_vault_and_insurance() {
		ExtBuilder::build_and_execute(|| {
			let (call, _) = listed();
			give(ALICE, 10_000 * BUSD);
			let total = ledger_total();
			assert_ok!(place(ALICE, call, 10, 20));
			// Escrow: 10 x 20 = 200 and a fee of at most 12.5% of it: 225.
			assert_eq!(collateral(ALICE), 10_000 * BUSD - 225 * BUSD);
			// The median moves to 104 before the fill: the call is priced there.
			set_next_median(0, price(104));
			options_events();
			run_blocks(2 * ROUND - 1);
			assert!(trades().is_empty(), "not before the round after the next");
			run_blocks(1);
			let traded = trades();
			let (_, _, amount, fee, premium) = traded[0];
			// Black-Scholes at 104, strike 100, 50% vol, 32 hours less 4 blocks: 5.1465...; the
			// book was empty so the skew only starts: within 1% above the model.
			let model = Series::<Test>::get(call).map(|_| ()).map(|_| {
				crate::math::black_scholes(
					OptionKind::Call,
					104 * UNIT,
					100 * UNIT,
					UNIT / 2,
					pricing::years_to(Now::get(), EXPIRY),
				)
				.unwrap()
				.price
			});
			let model = model.unwrap();
			let premium = i128::try_from(premium.into_inner()).unwrap();
			assert!(premium >= model && premium < model + model / 100, "{premium} vs {model}");
			// Fee: 0.03% of 10 x 104 = 0.312 bUSD (below 12.5% of the premium).
			assert_eq!(fee, 312_000);
			assert_eq!(collateral(ALICE), 10_000 * BUSD - amount - fee);
			// 20% of the fee to insurance, the rest and the premium to the vault.
			assert_eq!(insurance_owed(0), 62_400);
			assert_eq!(vault_owed(0), i128::try_from(amount + fee - 62_400).unwrap());
			assert_eq!(ledger_total(), total);
			assert_eq!(
				Holdings::<Test>::get(call, ALICE).unwrap().contracts,
				FixedU128::from_u32(10)
			);
			// The vault marks the 10 calls at the model (rounded up).
			let value = Options::written_value(0);
			assert!(
				value
					>= pricing::amount(10 * UNIT as u128, model, sp_arithmetic::Rounding::Down)
						.unwrap()
			);
			assert!(Options::stressed_value(0) > value);
			let book = OptionMarkets::<Test>::get(0).unwrap();
			assert!(book.exposure.delta < 0 && book.exposure.vega < 0, "the vault is short");
		});
	}

	#[test]
	fn placement_refusals_change_nothing() {
		ExtBuilder::build_and_execute(|| {
			let (call, put) = listed();
			assert_noop!(
				Options::place_order(RuntimeOrigin::signed(ALICE), call, contracts(0), price(1), 3),
				Error::<Test>::ZeroSize
			);
			for rounds in [0, 11] {
				assert_noop!(
					Options::place_order(
						RuntimeOrigin::signed(ALICE),
						call,
						contracts(1),
						price(1),
						rounds
					),
					Error::<Test>::InvalidOrderExpiry
				);
			}
			assert_noop!(place(ALICE, 9, 1, 10), Error::<Test>::UnknownSeries);
			// No collateral: the escrow is refused.
			assert_noop!(place(ALICE, call, 1, 10), DispatchError::Other("NoAccount"));
			give(ALICE, 1_000 * BUSD);
			assert_noop!(
				place(ALICE, call, 100, 10),
				DispatchError::Other("InsufficientCollateral")
			);
			// 0.05 contracts at 100: 5 bUSD of notional, under 10.
			assert_noop!(
				Options::place_order(
					RuntimeOrigin::signed(ALICE),
					call,
					FixedI128::from_rational(5, 100),
					price(10),
					3
				),
				Error::<Test>::OrderTooSmall
			);
			assert_noop!(place(ALICE, put, -1, 0), Error::<Test>::InsufficientHolding);
			set_status(0, MarketStatus::Halted);
			assert_noop!(place(ALICE, call, 1, 10), Error::<Test>::ReduceOnly);
			set_status(0, MarketStatus::Stale);
			assert_noop!(place(ALICE, call, 1, 10), Error::<Test>::PriceStale);
			set_status(0, MarketStatus::Active);
			Restricted::set(vec![0]);
			assert_noop!(place(ALICE, call, 1, 10), Error::<Test>::ReduceOnly);
			Restricted::set(vec![]);
			set_time(EXPIRY - WINDOW);
			assert_noop!(place(ALICE, call, 1, 10), Error::<Test>::TradingClosed);
		});
	}

	#[test]
	fn a_pending_order_is_replaced_only_in_its_round() {
		ExtBuilder::build_and_execute(|| {
			let (call, _) = listed();
			give(ALICE, 1_000 * BUSD);
			assert_ok!(place(ALICE, call, 1, 20));
			assert_eq!(collateral(ALICE), 1_000 * BUSD - 22_500_000);
			// Same round: replaced, the first escrow refunded.
			assert_ok!(place(ALICE, call, 2, 20));
			assert_eq!(collateral(ALICE), 1_000 * BUSD - 45_000_000);
			run_blocks(ROUND);
			assert_noop!(place(ALICE, call, 3, 20), Error::<Test>::OrderPending);
			options_events();
			run_blocks(ROUND);
			assert_eq!(trades()[0].1, contracts(2));
		});
	}

	#[test]
	fn fill_refusals_cancel_and_refund_the_escrow() {
		ExtBuilder::build_and_execute(|| {
			let (call, put) = listed();
			give(ALICE, 100_000 * BUSD);
			let total = ledger_total();
			let cancelled_for = |series: u32, n: i128, limit: u128, before: &dyn Fn()| {
				assert_ok!(place(ALICE, series, n, limit));
				before();
				options_events();
				run_blocks(2 * ROUND);
				let events = options_events();
				assert_eq!(collateral(ALICE), 100_000 * BUSD, "escrow refunded");
				cancellations(&events)
			};
			// A limit under the premium.
			assert_eq!(
				cancelled_for(call, 10, 1, &|| ()),
				vec![Error::<Test>::LimitPriceExceeded.into()]
			);
			// Caps: 20% of a 1,000 bUSD NAV is 200 of notional, 10 calls are 1,000.
			assert_eq!(
				cancelled_for(call, 10, 20, &|| Nav::set(1_000 * BUSD)),
				vec![Error::<Test>::SeriesCapExceeded.into()]
			);
			Nav::set(10_000 * BUSD);
			let mut params = Params::<Test>::get();
			params.max_series_ratio = Perbill::from_percent(100);
			params.max_delta_ratio = Perbill::from_percent(1);
			assert_ok!(Options::set_params(root(), params));
			assert_eq!(
				cancelled_for(call, 10, 20, &|| ()),
				vec![Error::<Test>::DeltaCapExceeded.into()]
			);
			params.max_delta_ratio = Perbill::from_percent(50);
			params.max_vega_ratio = Perbill::from_parts(1_000);
			assert_ok!(Options::set_params(root(), params));
			assert_eq!(
				cancelled_for(put, 10, 20, &|| ()),
				vec![Error::<Test>::VegaCapExceeded.into()]
			);
			params.max_vega_ratio = Perbill::from_percent(10);
			params.max_options_ratio = Perbill::from_percent(5);
			assert_ok!(Options::set_params(root(), params));
			assert_eq!(
				cancelled_for(put, 10, 20, &|| ()),
				vec![Error::<Test>::MarketCapExceeded.into()]
			);
			assert_ok!(Options::set_params(root(), crate::OptionsParams::default()));
			Nav::set(VAULT_NAV);
			// Halted at the fill: buys wait for an Active price.
			assert_eq!(
				cancelled_for(call, 1, 20, &|| set_status(0, MarketStatus::Halted)),
				vec![Error::<Test>::ReduceOnly.into()]
			);
			set_status(0, MarketStatus::Active);
			// The settlement window opens before the fill.
			assert_eq!(
				cancelled_for(call, 1, 20, &|| set_time(EXPIRY - WINDOW)),
				vec![Error::<Test>::TradingClosed.into()]
			);
			set_time(GENESIS_MS + 3_600_000);
			// No new median (a stale oracle): the order waits a round at a time, then expires.
			assert_ok!(place(ALICE, call, 1, 20));
			set_status(0, MarketStatus::Stale);
			options_events();
			run_blocks(2 * ROUND);
			assert!(cancellations(&options_events()).is_empty(), "it waits");
			run_blocks(3 * ROUND);
			assert_eq!(cancellations(&options_events()), vec![Error::<Test>::OrderExpired.into()]);
			assert_eq!(collateral(ALICE), 100_000 * BUSD);
			assert_eq!(ledger_total(), total);
			assert_eq!(Options::written_value(0), 0);
		});
	}

	#[test]
	fn selling_back_pays_the_bid_and_a_round_trip_loses() {
		ExtBuilder::build_and_execute(|| {
			let (call, _) = listed();
			give(ALICE, 10_000 * BUSD);
			let total = ledger_total();
			let (paid, fee_in) = fill(ALICE, call, 10, 20);
			let (received, fee_out) = fill(ALICE, call, -10, 0);
			assert!(received < paid, "the bid is under the premium");
			assert_eq!(collateral(ALICE), 10_000 * BUSD - paid - fee_in + received - fee_out);
			// A sale leaving a dust holding is refused (10 bUSD of notional at least, or all).
			let (paid, fee_in) = fill(ALICE, call, 1, 20);
			assert_noop!(
				Options::place_order(
					RuntimeOrigin::signed(ALICE),
					call,
					FixedI128::from_inner(-95 * UNIT / 100),
					price(0),
					3
				),
				Error::<Test>::OrderTooSmall
			);
			let before = collateral(ALICE);
			let (received, fee_out) = fill(ALICE, call, -1, 0);
			assert!(received < paid && fee_in > 0);
			assert_eq!(collateral(ALICE), before + received - fee_out);
			assert!(collateral(ALICE) < 10_000 * BUSD);
			assert_eq!(Holdings::<Test>::get(call, ALICE), None);
			assert_eq!(Holdings::<Test>::iter_prefix(call).count(), 0);
			assert_eq!(ledger_total(), total);
			// The vault kept the spread and the fees net of insurance's share.
			assert!(vault_owed(0) > 0);
			let book = OptionMarkets::<Test>::get(0).unwrap();
			assert_eq!(book.exposure, crate::Exposure::default());
		});
	}

	#[test]
	fn a_sale_in_a_halted_market_takes_the_lower_bid() {
		ExtBuilder::build_and_execute(|| {
			let (call, _) = listed();
			give(ALICE, 10_000 * BUSD);
			fill(ALICE, call, 10, 20);
			// The median jumped to 130 and halted; the EMA is 100: the call is sold at the EMA.
			assert_ok!(place(ALICE, call, -10, 0));
			update_price(0, |p| {
				p.price = price(130);
				p.ema_price = price(100);
				p.status = MarketStatus::Halted;
				p.round += 5;
			});
			options_events();
			run_blocks(2 * ROUND);
			let (_, _, amount, _, _) = trades()[0];
			assert!(amount < 10 * 20 * BUSD, "valued near 100, not 130: {amount}");
		});
	}
}

mod settlement {
	use super::*;

	#[test]
	fn a_call_in_the_money_pays_its_holder_and_the_series_is_removed() {
		ExtBuilder::build_and_execute(|| {
			let (call, put) = listed();
			give(ALICE, 10_000 * BUSD);
			let total = ledger_total();
			let (paid, fee) = fill(ALICE, call, 10, 20);
			let owed_before = vault_owed(0);
			let events = expire_at(120);
			// Every median of the window was 120: one a round for 30 minutes of 6 s blocks.
			let settled = events.iter().find_map(|e| match e {
				Event::ExpirySettled { market: 0, expiry: EXPIRY, price, samples } => {
					Some((*price, *samples))
				},
				_ => None,
			});
			assert_eq!(settled, Some((price(120), 151)));
			// 10 x (120 - 100) = 200 bUSD into Alice's collateral, owed by the vault.
			assert!(events.contains(&Event::PaidOut {
				who: ALICE,
				series: call,
				contracts: FixedU128::from_u32(10),
				payout: 200 * BUSD
			}));
			assert_eq!(collateral(ALICE), 10_000 * BUSD - paid - fee + 200 * BUSD);
			assert_eq!(vault_owed(0), owed_before - 200 * i128::try_from(BUSD).unwrap());
			assert!(events.contains(&Event::SeriesRemoved { series: call }));
			assert!(events.contains(&Event::SeriesRemoved { series: put }));
			assert_eq!(Series::<Test>::get(call), None);
			assert_eq!(Expiries::<Test>::get(0, EXPIRY), None);
			assert!(SettlingSeries::<Test>::get().is_empty());
			assert_eq!(OptionMarkets::<Test>::get(0).unwrap().series.len(), 0);
			assert_eq!(Options::written_value(0), 0);
			assert_eq!(ledger_total(), total);
		});
	}

	#[test]
	fn a_binary_put_expiring_worthless_leaves_the_premium_with_the_vault() {
		ExtBuilder::build_and_execute(|| {
			assert_ok!(Options::enable_market(root(), 0, price(5)));
			assert_ok!(Options::list_series(root(), 0, EXPIRY, price(90), OptionKind::BinaryPut));
			give(BOB, 1_000 * BUSD);
			let (paid, fee) = fill(BOB, 0, 100, 1);
			let events = expire_at(100);
			assert!(events.contains(&Event::PaidOut {
				who: BOB,
				series: 0,
				contracts: FixedU128::from_u32(100),
				payout: 0
			}));
			assert_eq!(collateral(BOB), 1_000 * BUSD - paid - fee);
			assert_eq!(
				vault_owed(0) + i128::try_from(insurance_owed(0)).unwrap(),
				i128::try_from(paid + fee).unwrap()
			);
		});
	}

	#[test]
	fn a_stale_price_in_the_window_delays_settlement() {
		ExtBuilder::build_and_execute(|| {
			let (call, _) = listed();
			give(ALICE, 10_000 * BUSD);
			fill(ALICE, call, 1, 20);
			set_next_median(0, price(110));
			set_time(EXPIRY - WINDOW - BLOCK_MS);
			options_events();
			run_blocks(200);
			// Ten minutes before expiry the oracle goes stale for a minute, then returns at 130.
			set_status(0, MarketStatus::Stale);
			run_blocks(10);
			set_status(0, MarketStatus::Active);
			set_next_median(0, price(130));
			run_blocks(100);
			let events = options_events();
			assert!(events.iter().any(|e| matches!(e, Event::SettlementWindowRestarted { .. })));
			assert!(events.contains(&Event::SettlementDelayed { market: 0, expiry: EXPIRY }));
			assert!(!events.iter().any(|e| matches!(e, Event::ExpirySettled { .. })));
			assert_eq!(Series::<Test>::get(call).unwrap().status, SeriesStatus::Trading);
			// A full window of Active medians after the restart settles it, at their mean: the
			// 110 of the restart's first block and the 130s after it.
			run_blocks(220);
			let settled = options_events()
				.into_iter()
				.find_map(|e| match e {
					Event::ExpirySettled { price, samples, .. } => Some((price, samples)),
					_ => None,
				})
				.expect("settled after a clean window");
			assert!(settled.0 > price(129) && settled.0 <= price(130), "{:?}", settled);
			assert_eq!(settled.1, 150);
		});
	}

	#[test]
	fn the_council_sets_a_price_only_after_the_timeout() {
		ExtBuilder::build_and_execute(|| {
			let (call, _) = listed();
			give(ALICE, 10_000 * BUSD);
			fill(ALICE, call, 1, 20);
			assert_noop!(
				Options::set_settlement_price(root(), 0, EXPIRY + 86_400_000, price(100)),
				Error::<Test>::UnknownExpiry
			);
			set_status(0, MarketStatus::Stale);
			set_time(EXPIRY + 3_600_000);
			run_blocks(3);
			assert_noop!(
				Options::set_settlement_price(root(), 0, EXPIRY, price(100)),
				Error::<Test>::SettlementTimeoutNotReached
			);
			set_time(EXPIRY + 86_400_000);
			assert_noop!(
				Options::set_settlement_price(root(), 0, EXPIRY, FixedU128::from_u32(0)),
				Error::<Test>::InvalidParams
			);
			assert_ok!(Options::set_settlement_price(root(), 0, EXPIRY, price(125)));
			assert_noop!(
				Options::set_settlement_price(root(), 0, EXPIRY, price(125)),
				Error::<Test>::AlreadySettled
			);
			let before = collateral(ALICE);
			run_blocks(1);
			assert_eq!(collateral(ALICE), before + 25 * BUSD);
		});
	}

	#[test]
	fn payouts_are_bounded_per_block() {
		ExtBuilder::build_and_execute(|| {
			let (call, _) = listed();
			for who in 10..15 {
				give(who, 1_000 * BUSD);
				assert_ok!(place(who, call, 1, 20));
			}
			run_blocks(2 * ROUND);
			assert_eq!(Holdings::<Test>::iter_prefix(call).count(), 5);
			set_next_median(0, price(110));
			set_time(EXPIRY - WINDOW - BLOCK_MS);
			run_blocks(300);
			options_events();
			let mut paid_per_block = Vec::new();
			while Series::<Test>::get(call).is_some() {
				run_blocks(1);
				let paid =
					options_events().iter().filter(|e| matches!(e, Event::PaidOut { .. })).count();
				paid_per_block.push(paid);
			}
			assert!(paid_per_block.iter().all(|p| *p <= 3), "{paid_per_block:?}");
			assert_eq!(paid_per_block.iter().sum::<usize>(), 5);
		});
	}

	#[test]
	fn the_book_is_revalued_at_each_new_median() {
		ExtBuilder::build_and_execute(|| {
			let (call, _) = listed();
			give(ALICE, 10_000 * BUSD);
			fill(ALICE, call, 10, 20);
			let before = Options::written_value(0);
			set_next_median(0, price(110));
			run_blocks(ROUND);
			let after = Options::written_value(0);
			// Ten calls gain about delta x 10 x 10 bUSD.
			assert!(after > before + 50 * BUSD, "{before} -> {after}");
			assert!(Options::stressed_value(0) > after);
			assert_eq!(OptionMarkets::<Test>::get(0).unwrap().valued_round, current_round() - 1);
		});
	}
}

mod monitor_view {
	use super::*;

	#[test]
	fn value_at_revalues_the_book_at_another_price() {
		ExtBuilder::build_and_execute(|| {
			let (call, _) = listed();
			give(ALICE, 10_000 * BUSD);
			fill(ALICE, call, 10, 20);
			let now = Options::value_at(0, price(100));
			assert!(now > 0 && now.abs_diff(Options::written_value(0)) <= 1);
			// Ten calls 10 in the money: at least their intrinsic 100 bUSD.
			assert!(Options::value_at(0, price(110)) > now + 50 * BUSD);
			assert!(Options::value_at(0, price(110)) >= 100 * BUSD);
			assert!(Options::value_at(0, price(90)) < now);
			assert_eq!(Options::value_at(3, price(100)), 0);
			// Nothing is written by a valuation.
			assert_eq!(
				OptionMarkets::<Test>::get(0).unwrap().written_value,
				Options::written_value(0)
			);
		});
	}
}

mod pricing_rules {
	use super::*;
	use crate::{
		pricing::{quote, Contract},
		types::{Exposure, OptionsParams},
	};
	use proptest::prelude::*;

	fn contract(kind: OptionKind, spot: i128, strike: i128, days: i128, vol_pct: i128) -> Contract {
		Contract {
			kind,
			spot: spot * UNIT,
			strike: strike * UNIT,
			years: days * UNIT / 365,
			vol: vol_pct * UNIT / 100,
		}
	}

	#[test]
	fn an_empty_book_sells_at_the_model_and_the_skew_widens_both_ways() {
		let params = OptionsParams::default();
		let c = contract(OptionKind::Call, 100, 100, 30, 50);
		let model = c.model().unwrap().price;
		let small = quote(&params, &c, 1_000_000 * BUSD, Exposure::default(), UNIT / 1000).unwrap();
		assert!(small.premium >= model && small.premium - model < model / 1_000_000);
		// A book using its caps: buys above the model, sales back below it.
		let book = Exposure { delta: -2_000 * UNIT, vega: 0 };
		let buy = quote(&params, &c, 1_000_000 * BUSD, book, 10 * UNIT).unwrap();
		let sell = quote(&params, &c, 1_000_000 * BUSD, book, -10 * UNIT).unwrap();
		assert!(
			buy.premium > model && sell.premium <= model,
			"{} {} {}",
			buy.premium,
			model,
			sell.premium
		);
		// Fee: the smaller of 0.03% of the notional and 12.5% of the premium.
		assert_eq!(
			buy.fee,
			params.fee_rate.mul_ceil(buy.notional).min(params.fee_cap.mul_ceil(buy.amount))
		);
		assert_eq!(buy.notional, 1_000 * BUSD);
	}

	#[test]
	fn payouts_round_down() {
		assert_eq!(
			pricing::payout(OptionKind::Call, 100 * UNIT, 120 * UNIT, 10 * UNIT as u128),
			Some(200 * BUSD)
		);
		assert_eq!(
			pricing::payout(OptionKind::Put, 100 * UNIT, 120 * UNIT, 10 * UNIT as u128),
			Some(0)
		);
		assert_eq!(
			pricing::payout(OptionKind::BinaryPut, 100 * UNIT, 99 * UNIT, 3 * UNIT as u128),
			Some(3 * BUSD)
		);
		// A third of a contract of a call 1 in the money: 333,333.33 units, rounded down.
		assert_eq!(
			pricing::payout(OptionKind::Call, 100 * UNIT, 101 * UNIT, UNIT as u128 / 3),
			Some(333_333)
		);
	}

	fn kind() -> impl Strategy<Value = OptionKind> {
		prop_oneof![
			Just(OptionKind::Call),
			Just(OptionKind::Put),
			Just(OptionKind::BinaryCall),
			Just(OptionKind::BinaryPut)
		]
	}

	proptest! {
		#![proptest_config(ProptestConfig::with_cases(300))]

		/// Buying in pieces and selling back in other pieces at one price and time never
		/// returns more than it cost, with no fees (the skew alone) and at any book.
		#[test]
		fn a_round_trip_in_pieces_never_profits(
			kind in kind(),
			strike in 60i128..=140,
			days in 1i128..=90,
			vol in 10i128..=150,
			nav_k in 10u128..=1_000,
			start_delta in -500i128..=500,
			buys in proptest::collection::vec(1i128..=200, 1..5),
			sell_split in proptest::collection::vec(1u32..=100, 1..5),
		) {
			let params = OptionsParams {
				fee_rate: Perbill::zero(),
				skew_coeff: FixedU128::from_u32(2),
				..Default::default()
			};
			let c = contract(kind, 100, strike, days, vol);
			let nav = nav_k * 1_000 * BUSD;
			let mut book = Exposure { delta: start_delta * UNIT, vega: 0 };
			let (mut paid, mut received) = (0u128, 0u128);
			let mut held = 0i128;
			for b in &buys {
				let size = b * UNIT / 10;
				let q = quote(&params, &c, nav, book, size).unwrap();
				paid += q.amount;
				book = q.book_after;
				held += size;
			}
			let weights: u32 = sell_split.iter().sum();
			let mut left = held;
			for (i, w) in sell_split.iter().enumerate() {
				let size = if i + 1 == sell_split.len() { left } else { held * i128::from(*w) / i128::from(weights) };
				if size == 0 { continue; }
				let q = quote(&params, &c, nav, book, -size).unwrap();
				received += q.amount;
				book = q.book_after;
				left -= size;
			}
			prop_assert_eq!(left, 0);
			prop_assert!(received <= paid, "paid {} received {}", paid, received);
		}
	}
}
