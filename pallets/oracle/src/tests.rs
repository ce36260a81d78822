//! Tests of the oracle on the mock runtime. Each runs the pallet's `try_state` afterwards.

use crate::{mock::*, Error, Event, HoldReason, OperatorStatus, *};
use bulwark_primitives::MarketStatus;
use bulwark_primitives::{OffenceKind, PriceFeed, Slashable};
use frame_support::{
	assert_noop, assert_ok,
	dispatch::Pays,
	traits::fungible::{Inspect, InspectHold},
};
use mock::Balance;
use sp_runtime::{DispatchError, Perbill};

fn register(who: AccountId, bond: Balance) {
	assert_ok!(Oracle::register_operator(RuntimeOrigin::signed(who), bond));
}

/// Registers `operators` and moves to the round in which they are first expected.
fn with_operators(operators: &[(AccountId, Balance)]) {
	for (who, bond) in operators {
		register(*who, *bond);
	}
	close_round();
}

fn submit(who: AccountId, prices: Vec<(MarketId, Price)>) {
	assert_ok!(Oracle::submit(RuntimeOrigin::signed(who), current_round(), prices));
}

fn held(who: AccountId) -> Balance {
	Balances::balance_on_hold(&HoldReason::OperatorBond.into(), &who)
}

mod markets {
	use super::*;

	#[test]
	fn risk_origin_creates_markets_with_increasing_ids() {
		ExtBuilder::default().no_markets().build_and_execute(|| {
			let params = OracleParams::default();
			assert_ok!(Oracle::create_market(
				RuntimeOrigin::root(),
				b"SOL-USD".to_vec(),
				9,
				params
			));
			assert_ok!(Oracle::create_market(
				RuntimeOrigin::root(),
				b"DOT-USD".to_vec(),
				10,
				params
			));
			assert_eq!(
				Markets::<Test>::get(1).map(|m| (m.symbol.into_inner(), m.decimals)),
				Some((b"DOT-USD".to_vec(), 10))
			);
			assert_eq!(NextMarketId::<Test>::get(), 2);
			assert_eq!(
				oracle_events(),
				vec![
					Event::MarketCreated {
						market: 0,
						symbol: b"SOL-USD".to_vec(),
						decimals: 9,
						params
					},
					Event::MarketCreated {
						market: 1,
						symbol: b"DOT-USD".to_vec(),
						decimals: 10,
						params
					},
				]
			);
		});
	}

	#[test]
	fn an_unprivileged_origin_cannot_create_or_tune_markets() {
		ExtBuilder::default().build_and_execute(|| {
			assert_noop!(
				Oracle::create_market(
					RuntimeOrigin::signed(1),
					b"X".to_vec(),
					8,
					OracleParams::default()
				),
				DispatchError::BadOrigin
			);
			assert_noop!(
				Oracle::set_market_params(RuntimeOrigin::signed(1), BTC, OracleParams::default()),
				DispatchError::BadOrigin
			);
		});
	}

	#[test]
	fn parameters_outside_hard_bounds_are_refused() {
		ExtBuilder::default().build_and_execute(|| {
			let base = OracleParams::default();
			let bad = [
				OracleParams { max_price_age: 0, ..base },
				OracleParams { max_price_age: 1_001, ..base },
				OracleParams { deviation_threshold: Perbill::zero(), ..base },
				OracleParams { deviation_threshold: Perbill::from_percent(51), ..base },
				OracleParams { max_price_jump: Perbill::from_parts(9_999_999), ..base },
				OracleParams { breaker_cooldown: 0, ..base },
				OracleParams { min_submissions: 0, ..base },
				OracleParams { min_submissions: 6, ..base }, // MaxOperators is 5
				OracleParams { min_bond_share: Perbill::zero(), ..base },
				OracleParams { ema_alpha: Perbill::zero(), ..base },
				OracleParams { volatility_decay: Perbill::from_percent(49), ..base },
				OracleParams { volatility_decay: Perbill::one(), ..base },
			];
			for params in bad {
				assert_noop!(
					Oracle::set_market_params(RuntimeOrigin::root(), BTC, params),
					Error::<Test>::InvalidParams
				);
				assert_noop!(
					Oracle::create_market(RuntimeOrigin::root(), b"X".to_vec(), 8, params),
					Error::<Test>::InvalidParams
				);
			}
		});
	}

	#[test]
	fn the_api_lists_markets_and_operators_in_order() {
		ExtBuilder::default().build_and_execute(|| {
			let ids: Vec<MarketId> = Oracle::api_markets().into_iter().map(|(id, ..)| id).collect();
			assert_eq!(ids, vec![BTC, ETH]);
			assert_eq!(Oracle::api_markets()[0].1, b"BTC-USD".to_vec());
			for who in [5, 2, 9] {
				assert_ok!(Oracle::register_operator(RuntimeOrigin::signed(who), 100));
			}
			let operators: Vec<AccountId> =
				Oracle::api_operators().into_iter().map(|(a, _)| a).collect();
			assert_eq!(operators, vec![2, 5, 9]);
		});
	}

	#[test]
	fn set_market_params_replaces_them() {
		ExtBuilder::default().build_and_execute(|| {
			let params = OracleParams { max_price_age: 3, ..OracleParams::default() };
			assert_ok!(Oracle::set_market_params(RuntimeOrigin::root(), ETH, params));
			assert_eq!(Markets::<Test>::get(ETH).map(|m| m.params), Some(params));
			assert_eq!(oracle_events(), vec![Event::MarketParamsUpdated { market: ETH, params }]);
			assert_noop!(
				Oracle::set_market_params(RuntimeOrigin::root(), 7, params),
				Error::<Test>::UnknownMarket
			);
		});
	}

	#[test]
	fn symbol_length_and_market_count_are_bounded() {
		ExtBuilder::default().build_and_execute(|| {
			let params = OracleParams::default();
			assert_noop!(
				Oracle::create_market(RuntimeOrigin::root(), b"TOO-LONG-X".to_vec(), 8, params),
				Error::<Test>::SymbolTooLong
			);
			assert_ok!(Oracle::create_market(RuntimeOrigin::root(), b"SOL".to_vec(), 8, params));
			assert_noop!(
				Oracle::create_market(RuntimeOrigin::root(), b"DOT".to_vec(), 8, params),
				Error::<Test>::TooManyMarkets
			);
		});
	}
}

mod operators {
	use super::*;

	#[test]
	fn registering_holds_the_bond() {
		ExtBuilder::default().build_and_execute(|| {
			register(1, 500);
			assert_eq!(held(1), 500);
			assert_eq!(Balances::balance(&1), ENDOWMENT - 500);
			assert_eq!(TotalActiveBond::<Test>::get(), 500);
			let info = Operators::<Test>::get(1).unwrap();
			assert_eq!(
				(info.bond, info.status, info.active_since),
				(500, OperatorStatus::Active, current_round() + 1)
			);
			assert_eq!(oracle_events(), vec![Event::OperatorRegistered { operator: 1, bond: 500 }]);
		});
	}

	#[test]
	fn registration_errors() {
		ExtBuilder::default().build_and_execute(|| {
			assert_noop!(
				Oracle::register_operator(RuntimeOrigin::signed(1), 99),
				Error::<Test>::BondTooLow
			);
			register(1, 100);
			assert_noop!(
				Oracle::register_operator(RuntimeOrigin::signed(1), 100),
				Error::<Test>::AlreadyOperator
			);
			// More than the free balance cannot be held.
			assert!(Oracle::register_operator(RuntimeOrigin::signed(2), ENDOWMENT + 1).is_err());
			assert_eq!(Operators::<Test>::get(2), None);
			for who in 2..=5 {
				register(who, 100);
			}
			assert_noop!(
				Oracle::register_operator(RuntimeOrigin::signed(6), 100),
				Error::<Test>::TooManyOperators
			);
			assert_noop!(
				Oracle::register_operator(RuntimeOrigin::none(), 100),
				DispatchError::BadOrigin
			);
		});
	}

	#[test]
	fn top_up_adds_to_the_bond_and_the_active_total() {
		ExtBuilder::default().build_and_execute(|| {
			register(1, 100);
			assert_ok!(Oracle::top_up(RuntimeOrigin::signed(1), 50));
			assert_eq!((held(1), TotalActiveBond::<Test>::get()), (150, 150));
			assert_noop!(Oracle::top_up(RuntimeOrigin::signed(1), 0), Error::<Test>::ZeroAmount);
			assert_noop!(Oracle::top_up(RuntimeOrigin::signed(2), 50), Error::<Test>::NotOperator);
			assert_ok!(Oracle::unregister(RuntimeOrigin::signed(1)));
			assert_noop!(
				Oracle::top_up(RuntimeOrigin::signed(1), 50),
				Error::<Test>::OperatorNotActive
			);
		});
	}

	#[test]
	fn unbonding_keeps_the_bond_held_until_the_period_ends() {
		ExtBuilder::default().build_and_execute(|| {
			register(1, 300);
			register(2, 100);
			assert_ok!(Oracle::unregister(RuntimeOrigin::signed(1)));
			let unlocks_at = 1 + UnbondingPeriod::get();
			assert_eq!(
				Operators::<Test>::get(1).unwrap().status,
				OperatorStatus::Unbonding { unlocks_at }
			);
			assert_eq!(TotalActiveBond::<Test>::get(), 100);
			assert_eq!(held(1), 300);
			assert_noop!(
				Oracle::unregister(RuntimeOrigin::signed(1)),
				Error::<Test>::OperatorNotActive
			);

			run_to_block(unlocks_at as u64 - 1);
			assert_noop!(
				Oracle::withdraw_bond(RuntimeOrigin::signed(1)),
				Error::<Test>::StillUnbonding
			);
			run_to_block(unlocks_at as u64);
			assert_ok!(Oracle::withdraw_bond(RuntimeOrigin::signed(1)));
			assert_eq!((held(1), Balances::balance(&1)), (0, ENDOWMENT));
			assert_eq!(Operators::<Test>::get(1), None);
			assert!(oracle_events().contains(&Event::BondWithdrawn { operator: 1, amount: 300 }));
		});
	}

	#[test]
	fn withdraw_errors() {
		ExtBuilder::default().build_and_execute(|| {
			assert_noop!(
				Oracle::withdraw_bond(RuntimeOrigin::signed(1)),
				Error::<Test>::NotOperator
			);
			register(1, 100);
			assert_noop!(
				Oracle::withdraw_bond(RuntimeOrigin::signed(1)),
				Error::<Test>::NotUnbonding
			);
			assert_noop!(Oracle::unregister(RuntimeOrigin::signed(2)), Error::<Test>::NotOperator);
		});
	}
}

mod submissions {
	use super::*;

	#[test]
	fn a_valid_submission_is_free_and_recorded() {
		ExtBuilder::default().build_and_execute(|| {
			with_operators(&[(1, 100)]);
			let round = current_round();
			let result = Oracle::submit(
				RuntimeOrigin::signed(1),
				round,
				vec![(BTC, price(100)), (ETH, price(5))],
			);
			assert_eq!(result.map(|info| info.pays_fee), Ok(Pays::No));
			assert_eq!(RoundSubmissions::<Test>::get(BTC).into_inner(), vec![(1, price(100))]);
			assert_eq!(RoundSubmissions::<Test>::get(ETH).into_inner(), vec![(1, price(5))]);
			assert_eq!(Operators::<Test>::get(1).unwrap().last_submitted, Some(round));
			assert!(oracle_events().contains(&Event::PricesSubmitted {
				operator: 1,
				round,
				entries: 2
			}));
		});
	}

	#[test]
	fn invalid_submissions_are_refused_with_typed_errors() {
		ExtBuilder::default().build_and_execute(|| {
			with_operators(&[(1, 100)]);
			let r = current_round();
			let s = |who, round, prices| Oracle::submit(RuntimeOrigin::signed(who), round, prices);
			assert_noop!(s(2, r, vec![(BTC, price(1))]), Error::<Test>::NotOperator);
			assert_noop!(s(1, r + 1, vec![(BTC, price(1))]), Error::<Test>::WrongRound);
			assert_noop!(s(1, r - 1, vec![(BTC, price(1))]), Error::<Test>::WrongRound);
			assert_noop!(s(1, r, vec![]), Error::<Test>::EmptySubmission);
			assert_noop!(s(1, r, vec![(9, price(1))]), Error::<Test>::UnknownMarket);
			assert_noop!(
				s(1, r, vec![(BTC, price(1)), (BTC, price(2))]),
				Error::<Test>::DuplicateMarket
			);
			assert_noop!(s(1, r, vec![(BTC, price(0))]), Error::<Test>::ZeroPrice);
			assert_noop!(
				s(1, r, vec![(BTC, price(MAX_PRICE_INTEGER + 1))]),
				Error::<Test>::AbsurdPrice
			);
			assert_noop!(
				s(1, r, vec![(BTC, price(1)), (ETH, price(1)), (2, price(1)), (3, price(1))]),
				Error::<Test>::TooManyEntries
			);
			assert_noop!(
				Oracle::submit(RuntimeOrigin::none(), r, vec![(BTC, price(1))]),
				DispatchError::BadOrigin
			);
			submit(1, vec![(BTC, price(1))]);
			assert_noop!(s(1, r, vec![(ETH, price(1))]), Error::<Test>::AlreadySubmitted);
			assert_ok!(Oracle::unregister(RuntimeOrigin::signed(1)));
			close_round();
			assert_noop!(
				s(1, current_round(), vec![(BTC, price(1))]),
				Error::<Test>::OperatorNotActive
			);
		});
	}
}

mod aggregation {
	use super::*;

	fn last_price(market: MarketId) -> Price {
		Prices::<Test>::get(market).unwrap().price
	}

	#[test]
	fn odd_count_unequal_bonds_give_the_bond_weighted_median() {
		ExtBuilder::default().build_and_execute(|| {
			// Bonds 500, 200, 200: cumulative 500 > 400 at the lowest price.
			with_operators(&[(1, 500), (2, 200), (3, 200)]);
			submit(1, vec![(BTC, price(100))]);
			submit(2, vec![(BTC, price(101))]);
			submit(3, vec![(BTC, price(102))]);
			let round = current_round();
			close_round();
			assert_eq!(last_price(BTC), price(100));
			let state = Prices::<Test>::get(BTC).unwrap();
			assert_eq!(
				(state.ema_price, state.round, state.volatility),
				(price(100), round, FixedU128::zero())
			);
			assert!(oracle_events().contains(&Event::PriceAggregated {
				market: BTC,
				round,
				price: price(100),
				ema_price: price(100),
				volatility: FixedU128::zero(),
				submissions: 3,
			}));
		});
	}

	#[test]
	fn even_count_equal_bonds_average_the_middle_two() {
		ExtBuilder::default().build_and_execute(|| {
			with_operators(&[(1, 100), (2, 100), (3, 100), (4, 100)]);
			for (who, p) in [(1, 100), (2, 102), (3, 101), (4, 103)] {
				submit(who, vec![(ETH, price(p))]);
			}
			close_round();
			assert_eq!(last_price(ETH), price_f(101.5));
		});
	}

	#[test]
	fn quorum_needs_both_count_and_bond_weight() {
		ExtBuilder::default().build_and_execute(|| {
			with_operators(&[(1, 100), (2, 100), (3, 400)]);
			assert_ok!(Oracle::set_market_params(
				RuntimeOrigin::root(),
				BTC,
				params_with_quorum(2)
			));
			// Count 1 < 2: no price.
			submit(3, vec![(BTC, price(100))]);
			let round = current_round();
			close_round();
			assert_eq!(Prices::<Test>::get(BTC), None);
			assert!(oracle_events().contains(&Event::NoQuorum {
				market: BTC,
				round,
				submissions: 1,
				bond: 400
			}));
			// Count 2 but bond 200 < 50% of 600: no price.
			submit(1, vec![(BTC, price(100))]);
			submit(2, vec![(BTC, price(100))]);
			close_round();
			assert_eq!(Prices::<Test>::get(BTC), None);
			// Count 2 and bond 500 >= 300: price.
			submit(1, vec![(BTC, price(100))]);
			submit(3, vec![(BTC, price(100))]);
			close_round();
			assert_eq!(last_price(BTC), price(100));
		});
	}

	#[test]
	fn a_market_without_quorum_for_max_price_age_rounds_is_stale_and_recovers() {
		ExtBuilder::default().build_and_execute(|| {
			with_operators(&[(1, 100)]);
			let params = OracleParams { max_price_age: 2, ..OracleParams::default() };
			assert_ok!(Oracle::set_market_params(RuntimeOrigin::root(), BTC, params));
			submit(1, vec![(BTC, price(100))]);
			let priced_round = current_round();
			close_round();
			assert_eq!(Oracle::price_info(BTC).map(|p| p.status), Some(MarketStatus::Active));
			// Two more rounds without submissions: still within max age (2).
			close_round();
			close_round();
			assert_eq!(current_round() - priced_round, 3);
			assert_eq!(Oracle::price_info(BTC).map(|p| p.status), Some(MarketStatus::Stale));
			// The stale price is still the old one, reported as Stale through the feed trait.
			let info = <Oracle as PriceFeed>::price_info(BTC).unwrap();
			assert_eq!((info.price, info.status), (price(100), MarketStatus::Stale));
			// A new quorum makes it fresh again.
			submit(1, vec![(BTC, price(100))]);
			close_round();
			assert_eq!(Oracle::price_info(BTC).map(|p| p.status), Some(MarketStatus::Active));
		});
	}

	#[test]
	fn staleness_is_judged_on_read_between_aggregations() {
		ExtBuilder::default().build_and_execute(|| {
			with_operators(&[(1, 100)]);
			let params = OracleParams { max_price_age: 1, ..OracleParams::default() };
			assert_ok!(Oracle::set_market_params(RuntimeOrigin::root(), BTC, params));
			submit(1, vec![(BTC, price(100))]);
			close_round();
			assert_eq!(Oracle::price_info(BTC).map(|p| p.status), Some(MarketStatus::Active));
			// Move time on without running any hook: no aggregation marks the market, yet the
			// price is already too old when read.
			System::set_block_number(System::block_number() + 4);
			assert_eq!(Oracle::price_info(BTC).map(|p| p.status), Some(MarketStatus::Stale));
		});
	}

	#[test]
	fn ema_and_volatility_follow_the_reference_values() {
		ExtBuilder::default().build_and_execute(|| {
			with_operators(&[(1, 100)]);
			// Reference (f64): prices 100, 102, 101 with alpha 10%, decay 94%:
			// ema = 100 -> 100.2 -> 100.28; variance = 0 -> 0.06 ln(1.02)^2 ->
			// 0.94 v1 + 0.06 ln(101/102)^2.
			for p in [100u128, 102, 101] {
				submit(1, vec![(BTC, price(p))]);
				close_round();
			}
			let state = Prices::<Test>::get(BTC).unwrap();
			let v1 = 0.06 * (1.02f64).ln().powi(2);
			let v2 = 0.94 * v1 + 0.06 * (101.0f64 / 102.0).ln().powi(2);
			assert!(
				(state.ema_price.to_float() - 100.28).abs() < 1e-12,
				"{}",
				state.ema_price.to_float()
			);
			assert!((state.variance.to_float() - v2).abs() < 1e-15);
			assert!((state.volatility.to_float() - v2.sqrt()).abs() < 1e-9);
			assert_eq!(state.price, price(101));
		});
	}

	#[test]
	fn submissions_of_operators_that_left_do_not_count() {
		ExtBuilder::default().build_and_execute(|| {
			with_operators(&[(1, 100), (2, 1_000)]);
			submit(1, vec![(BTC, price(100))]);
			submit(2, vec![(BTC, price(200))]);
			assert_ok!(Oracle::unregister(RuntimeOrigin::signed(2)));
			close_round();
			assert_eq!(last_price(BTC), price(100));
			assert_eq!(RoundSubmissions::<Test>::get(BTC).len(), 0);
		});
	}
}

mod offences {
	use super::*;

	#[test]
	fn a_submission_far_from_the_median_is_reported_with_its_deviation() {
		ExtBuilder::default().build_and_execute(|| {
			with_operators(&[(1, 100), (2, 100), (3, 100)]);
			submit(1, vec![(BTC, price(100))]);
			submit(2, vec![(BTC, price(100))]);
			// 3% is the default threshold: 103 is exactly on it (not reported), 110 is over.
			submit(3, vec![(BTC, price(110)), (ETH, price(1))]);
			let round = current_round();
			close_round();
			let offence = OffenceKind::OracleDeviation {
				operator: 3,
				market: BTC,
				round,
				deviation: Perbill::from_percent(10),
			};
			assert_eq!(Reported::get(), vec![offence.clone()]);
			assert!(oracle_events().contains(&Event::OffenceReported { offence }));

			Reported::take();
			submit(1, vec![(BTC, price(100))]);
			submit(2, vec![(BTC, price(100))]);
			submit(3, vec![(BTC, price(103))]);
			close_round();
			assert_eq!(Reported::get(), vec![]);
		});
	}

	#[test]
	fn the_aggregation_hook_charges_each_report_at_the_reporters_weight() {
		ExtBuilder::default().build_and_execute(|| {
			with_operators(&[(1, 100), (2, 100), (3, 100)]);
			submit(1, vec![(BTC, price(100)), (ETH, price(10))]);
			submit(2, vec![(BTC, price(100)), (ETH, price(10))]);
			submit(3, vec![(BTC, price(120)), (ETH, price(12))]);
			let length = RoundLength::get() as u64;
			let next_start = (System::block_number() / length + 1) * length;
			run_to_block(next_start - 1);
			System::set_block_number(next_start);
			let weight = Oracle::on_initialize(next_start);
			// Operator 3 deviated in both markets: two reports.
			assert_eq!(Reported::get().len(), 2);
			let base = <() as crate::WeightInfo>::on_initialize(
				Markets::<Test>::count(),
				Operators::<Test>::count(),
			);
			assert_eq!(weight, base.saturating_add(REPORT_WEIGHT.saturating_mul(2)));
		});
	}

	#[test]
	fn missing_max_missed_rounds_in_a_row_is_reported_once_per_streak() {
		ExtBuilder::default().build_and_execute(|| {
			with_operators(&[(1, 100), (2, 100)]);
			for _ in 0..3 {
				submit(1, vec![(BTC, price(100))]);
				close_round();
			}
			assert_eq!(
				Reported::get(),
				vec![OffenceKind::OracleLiveness { operator: 2, missed: 3 }]
			);
			assert_eq!(Operators::<Test>::get(2).unwrap().missed_rounds, 0);
			// Two more misses: no new report yet; a submission resets the streak.
			close_round();
			close_round();
			assert_eq!(Reported::get().len(), 1);
			assert_eq!(Operators::<Test>::get(2).unwrap().missed_rounds, 2);
			submit(2, vec![(ETH, price(1))]);
			close_round();
			assert_eq!(Operators::<Test>::get(2).unwrap().missed_rounds, 0);
		});
	}

	#[test]
	fn the_registration_round_and_unbonding_operators_are_exempt_from_liveness() {
		ExtBuilder::default().build_and_execute(|| {
			register(1, 100);
			close_round(); // round of registration: not expected
			assert_eq!(Operators::<Test>::get(1).unwrap().missed_rounds, 0);
			close_round();
			assert_eq!(Operators::<Test>::get(1).unwrap().missed_rounds, 1);
			assert_ok!(Oracle::unregister(RuntimeOrigin::signed(1)));
			for _ in 0..5 {
				close_round();
			}
			assert_eq!(Reported::get(), vec![]);
		});
	}

	#[test]
	fn a_refused_report_does_not_stop_aggregation() {
		ExtBuilder::default().build_and_execute(|| {
			with_operators(&[(1, 100), (2, 100), (3, 100)]);
			RefuseReports::set(true);
			submit(1, vec![(BTC, price(100))]);
			submit(2, vec![(BTC, price(100))]);
			submit(3, vec![(BTC, price(150))]);
			close_round();
			RefuseReports::set(false);
			assert_eq!(Prices::<Test>::get(BTC).map(|p| p.price), Some(price(100)));
			assert!(!oracle_events().iter().any(|e| matches!(e, Event::OffenceReported { .. })));
		});
	}
}

mod circuit_breaker {
	use super::*;

	#[test]
	fn a_jump_halts_the_market_for_the_cooldown_then_it_resumes() {
		ExtBuilder::default().build_and_execute(|| {
			with_operators(&[(1, 100)]);
			let params = OracleParams { breaker_cooldown: 4, ..OracleParams::default() };
			assert_ok!(Oracle::set_market_params(RuntimeOrigin::root(), BTC, params));
			submit(1, vec![(BTC, price(100))]);
			close_round();
			// +11% from the EMA (100) is over the 10% jump limit.
			submit(1, vec![(BTC, price(111))]);
			close_round();
			let tripped_at = System::block_number() as u32;
			let state = Prices::<Test>::get(BTC).unwrap();
			assert_eq!(
				(state.price, state.ema_price, state.halted_until),
				(price(111), price(100), Some(tripped_at + 4))
			);
			assert!(oracle_events().contains(&Event::CircuitBreakerTripped {
				market: BTC,
				price: price(111),
				ema_price: price(100),
				until: tripped_at + 4,
			}));
			assert_eq!(
				<Oracle as PriceFeed>::price_info(BTC).map(|p| p.status),
				Some(MarketStatus::Halted)
			);

			// During the cooldown the EMA stays frozen.
			submit(1, vec![(BTC, price(112))]);
			close_round();
			assert_eq!(Oracle::price_info(BTC).map(|p| p.status), Some(MarketStatus::Halted));
			assert_eq!(Prices::<Test>::get(BTC).unwrap().ema_price, price(100));

			// After it, the next aggregation resumes at the new level.
			run_to_block(tripped_at as u64 + 4);
			assert_eq!(Oracle::price_info(BTC).map(|p| p.status), Some(MarketStatus::Active));
			submit(1, vec![(BTC, price(112))]);
			close_round();
			let state = Prices::<Test>::get(BTC).unwrap();
			assert_eq!((state.ema_price, state.halted_until), (price(112), None));
			assert!(
				oracle_events().contains(&Event::MarketResumed { market: BTC, price: price(112) })
			);
			// And small moves update the EMA normally again.
			submit(1, vec![(BTC, price(113))]);
			close_round();
			assert_eq!(
				Prices::<Test>::get(BTC).unwrap().ema_price,
				FixedU128::from_rational(1121, 10)
			);
		});
	}

	#[test]
	fn a_move_within_the_limit_does_not_trip() {
		ExtBuilder::default().build_and_execute(|| {
			with_operators(&[(1, 100)]);
			submit(1, vec![(BTC, price(100))]);
			close_round();
			submit(1, vec![(BTC, price(110))]);
			close_round();
			assert_eq!(Prices::<Test>::get(BTC).unwrap().halted_until, None);
			assert_eq!(Oracle::price_info(BTC).map(|p| p.status), Some(MarketStatus::Active));
		});
	}
}

mod slashing {
	use super::*;

	#[test]
	fn a_slash_moves_held_bond_to_the_beneficiary() {
		ExtBuilder::default().build_and_execute(|| {
			register(1, 1_000);
			assert_eq!(<Oracle as Slashable<_, _>>::slashable_balance(&1), 1_000);
			let moved =
				<Oracle as Slashable<_, _>>::slash(&1, Perbill::from_percent(10), &9).unwrap();
			assert_eq!(moved, 100);
			assert_eq!((held(1), Operators::<Test>::get(1).unwrap().bond), (900, 900));
			assert_eq!(TotalActiveBond::<Test>::get(), 900);
			assert_eq!(Balances::balance(&9), ENDOWMENT + 100);
			assert!(oracle_events().contains(&Event::BondSlashed {
				operator: 1,
				amount: 100,
				beneficiary: 9
			}));
		});
	}

	#[test]
	fn a_bond_stays_slashable_while_unbonding() {
		ExtBuilder::default().build_and_execute(|| {
			register(1, 1_000);
			assert_ok!(Oracle::unregister(RuntimeOrigin::signed(1)));
			let moved =
				<Oracle as Slashable<_, _>>::slash(&1, Perbill::from_percent(50), &9).unwrap();
			assert_eq!((moved, held(1), TotalActiveBond::<Test>::get()), (500, 500, 0));
			run_to_block(1 + UnbondingPeriod::get() as u64);
			assert_ok!(Oracle::withdraw_bond(RuntimeOrigin::signed(1)));
			assert_eq!(Balances::balance(&1), ENDOWMENT - 500);
		});
	}

	#[test]
	fn slashing_a_non_operator_fails_and_zero_slashes_nothing() {
		ExtBuilder::default().build_and_execute(|| {
			assert_eq!(
				<Oracle as Slashable<_, _>>::slash(&1, Perbill::one(), &9),
				Err(Error::<Test>::NotOperator.into())
			);
			register(1, 1_000);
			assert_eq!(<Oracle as Slashable<_, _>>::slash(&1, Perbill::zero(), &9), Ok(0));
			assert_eq!(held(1), 1_000);
		});
	}
}

mod invariants {
	use super::*;

	#[test]
	fn try_state_catches_a_bond_that_is_not_held() {
		ExtBuilder::default().build().execute_with(|| {
			register(1, 100);
			assert_ok!(Oracle::do_try_state());
			Operators::<Test>::mutate(1, |o| o.as_mut().unwrap().bond = 101);
			assert!(Oracle::do_try_state().is_err());
		});
	}

	#[test]
	fn try_state_catches_a_wrong_active_total() {
		ExtBuilder::default().build().execute_with(|| {
			register(1, 100);
			TotalActiveBond::<Test>::put(1);
			assert!(Oracle::do_try_state().is_err());
		});
	}
}
