//! Tests of the oracle on the mock runtime. Each runs the pallet's `try_state` afterwards.

use crate::{mock::*, Error, Event, HoldReason, OperatorStatus, *};
use bulwark_primitives::MarketStatus;
use bulwark_primitives::{OffenceKind, PriceFeed, Slashable};
use codec::Encode;
use frame_support::{
	assert_noop, assert_ok,
	dispatch::{DispatchClass, GetDispatchInfo, Pays},
	traits::{
		fungible::{Inspect, InspectHold},
		ConstU32,
	},
	BoundedVec,
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

/// A submission's entries.
fn entries(prices: Vec<(MarketId, Price)>) -> BoundedVec<(MarketId, Price), ConstU32<3>> {
	prices.try_into().expect("at most MaxMarkets entries")
}

fn submit(who: AccountId, prices: Vec<(MarketId, Price)>) {
	assert_ok!(Oracle::submit(RuntimeOrigin::signed(who), current_round(), entries(prices)));
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
			let rules = OperatorParams { min_bond: 1, max_missed_rounds: 1 };
			assert_noop!(
				Oracle::set_operator_params(RuntimeOrigin::signed(1), rules),
				DispatchError::BadOrigin
			);
			assert_noop!(
				Oracle::set_operator_params(RuntimeOrigin::none(), rules),
				DispatchError::BadOrigin
			);
		});
	}

	#[test]
	fn operator_rules_are_governed_within_bounds() {
		ExtBuilder::default().build_and_execute(|| {
			// Genesis values come from the runtime's constants.
			assert_eq!(
				OperatorRules::<Test>::get(),
				OperatorParams { min_bond: 100, max_missed_rounds: 3 }
			);
			for bad in [
				OperatorParams { min_bond: 0, max_missed_rounds: 3 },
				OperatorParams { min_bond: 100, max_missed_rounds: 0 },
				OperatorParams { min_bond: 100, max_missed_rounds: 1_001 },
			] {
				assert_noop!(
					Oracle::set_operator_params(RuntimeOrigin::root(), bad),
					Error::<Test>::InvalidParams
				);
			}
			let rules = OperatorParams { min_bond: 500, max_missed_rounds: 5 };
			assert_ok!(Oracle::set_operator_params(RuntimeOrigin::root(), rules));
			assert_eq!(OperatorRules::<Test>::get(), rules);
			assert_eq!(oracle_events(), vec![Event::OperatorParamsUpdated { params: rules }]);
			// Registration follows the governed minimum.
			assert_noop!(
				Oracle::register_operator(RuntimeOrigin::signed(1), 499),
				Error::<Test>::BondTooLow
			);
			register(1, 500);
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
				// A 100% jump limit would never trip (deviations saturate at 100%).
				OracleParams { max_price_jump: Perbill::one(), ..base },
				OracleParams { max_price_jump: Perbill::from_parts(500_000_001), ..base },
				OracleParams { breaker_cooldown: 0, ..base },
				OracleParams { confirm_rounds: 0, ..base },
				OracleParams { confirm_rounds: 101, ..base },
				OracleParams { min_submissions: 0, ..base },
				OracleParams { min_submissions: 6, ..base }, // MaxOperators is 5
				OracleParams { min_bond_share: Perbill::zero(), ..base },
				// Below half the expected bond, two disjoint quorums could exist.
				OracleParams { min_bond_share: Perbill::from_parts(499_999_999), ..base },
				OracleParams { min_bond_share: Perbill::from_percent(25), ..base },
				OracleParams { initial_volatility: FixedU128::zero(), ..base },
				OracleParams { initial_volatility: FixedU128::from_u32(11), ..base },
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
	fn the_defaults_need_three_submitters_with_two_thirds_of_the_bond() {
		let params = OracleParams::default();
		assert_eq!(params.min_submissions, 3);
		assert!(params.min_bond_share >= Perbill::from_rational(2u32, 3u32));
		assert_eq!(params.confirm_rounds, 3);
		assert_eq!(params.initial_volatility, FixedU128::from_rational(8, 10));
		assert!(params.validate(64));
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
				entries(vec![(BTC, price(100)), (ETH, price(5))]),
			);
			assert_eq!(result.map(|info| info.pays_fee), Ok(Pays::No));
			assert_eq!(RoundSubmissions::<Test>::get(BTC).into_inner(), vec![(1, price(100), 100)]);
			assert_eq!(RoundSubmissions::<Test>::get(ETH).into_inner(), vec![(1, price(5), 100)]);
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
			let s = |who, round, prices| {
				Oracle::submit(RuntimeOrigin::signed(who), round, entries(prices))
			};
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
				Oracle::submit(RuntimeOrigin::none(), r, entries(vec![(BTC, price(1))])),
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

mod submission_rules {
	use super::*;

	#[test]
	fn a_submission_is_operational_so_normal_traffic_cannot_crowd_it_out() {
		ExtBuilder::default().build_and_execute(|| {
			let call = crate::Call::<Test>::submit {
				round: 0,
				prices: entries(vec![(BTC, price(1)), (ETH, price(1))]),
			};
			assert_eq!(call.get_dispatch_info().class, DispatchClass::Operational);
		});
	}

	#[test]
	fn invalid_submissions_are_refused_before_the_pool_and_valid_ones_deduplicated() {
		use frame_support::pallet_prelude::TransactionSource;
		use sp_runtime::{
			traits::DispatchTransaction,
			transaction_validity::{InvalidTransaction, TransactionValidityError},
		};
		ExtBuilder::default().build_and_execute(|| {
			// Review case: an invalid submit was Operational too, so junk could use the
			// operational share of blocks (it failed and paid, but it took the space).
			with_operators(&[(1, 100)]);
			let check = crate::CheckOracleSubmission::<Test>::new();
			let round = current_round();
			let call = RuntimeCall::Oracle(crate::Call::submit {
				round,
				prices: entries(vec![(BTC, price(100))]),
			});
			let info = call.get_dispatch_info();
			let validate = |who: AccountId, call: &RuntimeCall| {
				check
					.validate_only(
						RuntimeOrigin::signed(who),
						call,
						&info,
						0,
						TransactionSource::External,
						0,
					)
					.map(|(validity, _, _)| validity)
			};
			let refused = |error: Error<Test>| -> Result<_, TransactionValidityError> {
				Err(InvalidTransaction::Custom(error.encode()[0]).into())
			};
			assert_eq!(validate(2, &call), refused(Error::<Test>::NotOperator));
			let valid = validate(1, &call).expect("a valid submission");
			assert_eq!(valid.provides, vec![(b"oracle-submission", 1u64, round).encode()]);
			assert!(valid.longevity >= 1 && valid.longevity <= RoundLength::get() as u64);
			let wrong_round = RuntimeCall::Oracle(crate::Call::submit {
				round: round + 2,
				prices: entries(vec![(BTC, price(100))]),
			});
			assert_eq!(validate(1, &wrong_round), refused(Error::<Test>::WrongRound));
			submit(1, vec![(BTC, price(100))]);
			assert_eq!(validate(1, &call), refused(Error::<Test>::AlreadySubmitted));
			// Other calls pass through untouched.
			let other = RuntimeCall::Oracle(crate::Call::unregister {});
			assert_eq!(validate(2, &other), Ok(Default::default()));
		});
	}

	#[test]
	fn an_operator_cannot_submit_in_its_registration_round() {
		ExtBuilder::default().build_and_execute(|| {
			// Operator 1 is expected already; 2 registers with a large bond mid-round and
			// tries to weigh in at once, before anyone expects it.
			with_operators(&[(1, 100)]);
			register(2, 5_000);
			let r = current_round();
			assert_noop!(
				Oracle::submit(RuntimeOrigin::signed(2), r, entries(vec![(BTC, price(50))])),
				Error::<Test>::NotYetExpected
			);
			submit(1, vec![(BTC, price(100))]);
			close_round();
			// Its bond was not expected in that round either: operator 1 alone is a quorum.
			assert_eq!(Prices::<Test>::get(BTC).map(|p| p.price), Some(price(100)));
			// From the next round it submits and counts.
			submit(2, vec![(BTC, price(100))]);
		});
	}

	#[test]
	fn an_operator_submits_only_for_the_markets_it_serves() {
		ExtBuilder::default().build_and_execute(|| {
			with_operators(&[(1, 100)]);
			let btc_only: BoundedVec<MarketId, ConstU32<3>> = vec![BTC].try_into().unwrap();
			assert_ok!(Oracle::set_markets(RuntimeOrigin::signed(1), Some(btc_only.clone())));
			assert_eq!(OperatorMarkets::<Test>::get(1), Some(btc_only));
			assert!(oracle_events()
				.contains(&Event::OperatorMarketsSet { operator: 1, markets: Some(vec![BTC]) }));
			let r = current_round();
			assert_noop!(
				Oracle::submit(
					RuntimeOrigin::signed(1),
					r,
					entries(vec![(BTC, price(1)), (ETH, price(1))])
				),
				Error::<Test>::MarketNotServed
			);
			submit(1, vec![(BTC, price(100))]);
			// Serving BTC only, a BTC price is a complete submission.
			assert_eq!(Operators::<Test>::get(1).unwrap().last_complete, Some(r));
			// Back to serving everything.
			assert_ok!(Oracle::set_markets(RuntimeOrigin::signed(1), None));
			assert_eq!(OperatorMarkets::<Test>::get(1), None);
		});
	}

	#[test]
	fn set_markets_errors() {
		ExtBuilder::default().build_and_execute(|| {
			let list = |v: Vec<MarketId>| -> Option<BoundedVec<MarketId, ConstU32<3>>> {
				Some(v.try_into().unwrap())
			};
			assert_noop!(
				Oracle::set_markets(RuntimeOrigin::signed(1), list(vec![BTC])),
				Error::<Test>::NotOperator
			);
			register(1, 100);
			assert_noop!(
				Oracle::set_markets(RuntimeOrigin::signed(1), list(vec![])),
				Error::<Test>::NoMarkets
			);
			assert_noop!(
				Oracle::set_markets(RuntimeOrigin::signed(1), list(vec![7])),
				Error::<Test>::UnknownMarket
			);
			assert_noop!(
				Oracle::set_markets(RuntimeOrigin::signed(1), list(vec![BTC, BTC])),
				Error::<Test>::DuplicateMarket
			);
			assert_noop!(
				Oracle::set_markets(RuntimeOrigin::none(), list(vec![BTC])),
				DispatchError::BadOrigin
			);
			assert_ok!(Oracle::unregister(RuntimeOrigin::signed(1)));
			assert_noop!(
				Oracle::set_markets(RuntimeOrigin::signed(1), list(vec![BTC])),
				Error::<Test>::OperatorNotActive
			);
		});
	}

	#[test]
	fn an_operator_below_a_raised_minimum_neither_submits_nor_counts() {
		ExtBuilder::default().build_and_execute(|| {
			with_operators(&[(1, 100), (2, 300)]);
			let rules = OperatorParams { min_bond: 200, max_missed_rounds: 3 };
			assert_ok!(Oracle::set_operator_params(RuntimeOrigin::root(), rules));
			let r = current_round();
			assert_noop!(
				Oracle::submit(RuntimeOrigin::signed(1), r, entries(vec![(BTC, price(1))])),
				Error::<Test>::BondTooLow
			);
			// Operator 2 alone holds all the bond that counts: a quorum by itself.
			submit(2, vec![(BTC, price(100))]);
			close_round();
			assert_eq!(Prices::<Test>::get(BTC).map(|p| p.price), Some(price(100)));
			// A top-up restores it.
			assert_ok!(Oracle::top_up(RuntimeOrigin::signed(1), 100));
			submit(1, vec![(BTC, price(100))]);
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
			// A first price starts at the market's initial volatility, not at zero.
			let initial = OracleParams::default().initial_volatility;
			assert_eq!(
				(state.ema_price, state.round, state.volatility),
				(price(100), round, initial)
			);
			assert_eq!(state.variance, initial.saturating_mul(initial));
			assert!(oracle_events().contains(&Event::PriceAggregated {
				market: BTC,
				round,
				price: price(100),
				ema_price: price(100),
				volatility: initial,
				submissions: 3,
			}));
		});
	}

	#[test]
	fn even_count_equal_bonds_take_the_lower_middle_price() {
		ExtBuilder::default().build_and_execute(|| {
			with_operators(&[(1, 100), (2, 100), (3, 100), (4, 100)]);
			for (who, p) in [(1, 100), (2, 102), (3, 101), (4, 103)] {
				submit(who, vec![(ETH, price(p))]);
			}
			close_round();
			assert_eq!(last_price(ETH), price(101));
		});
	}

	#[test]
	fn two_clusters_of_equal_bond_never_give_a_price_nobody_submitted() {
		ExtBuilder::default().build_and_execute(|| {
			// 100, 100 and 107 with bonds 100, 100, 200: the 107 side holds exactly half. The
			// midpoint 103.5 would be 3.4% from everyone: all three reported.
			with_operators(&[(1, 100), (2, 100), (3, 200)]);
			submit(1, vec![(BTC, price(100))]);
			submit(2, vec![(BTC, price(100))]);
			submit(3, vec![(BTC, price(107))]);
			close_round();
			assert_eq!(last_price(BTC), price(100));
			assert_ne!(last_price(BTC), price_f(103.5));
			// An exact tie: nobody is judged off the median, neither side is reported.
			assert!(!Reported::get()
				.iter()
				.any(|o| matches!(o, OffenceKind::OracleDeviation { .. })));
		});
	}

	#[test]
	fn off_a_tie_the_minority_is_reported() {
		ExtBuilder::default().build_and_execute(|| {
			// The same split with the 107 side holding less than half: it is reported.
			with_operators(&[(1, 100), (2, 100), (3, 199)]);
			submit(1, vec![(BTC, price(100))]);
			submit(2, vec![(BTC, price(100))]);
			submit(3, vec![(BTC, price(107))]);
			let round = current_round();
			close_round();
			assert_eq!(last_price(BTC), price(100));
			let reported: Vec<AccountId> = Reported::get()
				.into_iter()
				.filter_map(|o| match o {
					OffenceKind::OracleDeviation { operator, round: r, .. } if r == round => {
						Some(operator)
					},
					_ => None,
				})
				.collect();
			assert_eq!(reported, vec![3]);
		});
	}

	#[test]
	fn a_top_up_after_submitting_adds_no_weight_to_the_round() {
		ExtBuilder::default().build_and_execute(|| {
			// Review case: bonds were read at aggregation, so an operator could see the others'
			// prices, top up, and swing the median of a round it had already submitted in.
			with_operators(&[(1, 300), (2, 200)]);
			submit(1, vec![(BTC, price(100))]);
			submit(2, vec![(BTC, price(90))]);
			assert_ok!(Oracle::top_up(RuntimeOrigin::signed(2), 500));
			close_round();
			// Weights 300 at 100 and 200 at 90: 90 holds 200 < 250, the median is 100.
			assert_eq!(last_price(BTC), price(100));
		});
	}

	#[test]
	fn an_operator_that_stops_serving_a_market_mid_round_does_not_weigh_in_it() {
		ExtBuilder::default().build_and_execute(|| {
			// Review case: submitting for a market, then dropping it, kept the submission's
			// weight while removing the bond from the market's expected bond.
			with_operators(&[(1, 100), (2, 100), (3, 400)]);
			submit(3, vec![(BTC, price(50))]);
			let eth_only: BoundedVec<MarketId, ConstU32<3>> = vec![ETH].try_into().unwrap();
			assert_ok!(Oracle::set_markets(RuntimeOrigin::signed(3), Some(eth_only)));
			submit(1, vec![(BTC, price(100))]);
			submit(2, vec![(BTC, price(100))]);
			close_round();
			assert_eq!(last_price(BTC), price(100));
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
			// Count 2 but bond 200 < two thirds of 600: no price.
			submit(1, vec![(BTC, price(100))]);
			submit(2, vec![(BTC, price(100))]);
			close_round();
			assert_eq!(Prices::<Test>::get(BTC), None);
			// Count 2 and bond 500 >= 400: price.
			submit(1, vec![(BTC, price(100))]);
			submit(3, vec![(BTC, price(100))]);
			close_round();
			assert_eq!(last_price(BTC), price(100));
		});
	}

	#[test]
	fn the_default_quorum_refuses_a_minority_of_the_bond() {
		ExtBuilder::default().build_and_execute(|| {
			// Review case: with a quorum of 50% of the active bond a minority (and with liveness
			// counted across markets, an operator skipping a market for free) could set a price.
			// Four operators of 100; three submit for BTC, one of them skipping ETH.
			with_operators(&[(1, 100), (2, 100), (3, 100), (4, 100)]);
			assert_ok!(Oracle::set_market_params(
				RuntimeOrigin::root(),
				BTC,
				OracleParams::default()
			));
			assert_ok!(Oracle::set_market_params(
				RuntimeOrigin::root(),
				ETH,
				OracleParams::default()
			));
			// Two of four (200 of 400) with the old 50% rule would be a quorum; now count 2 < 3
			// and 200 < 267: no price.
			submit(1, vec![(BTC, price(100)), (ETH, price(10))]);
			submit(2, vec![(BTC, price(100)), (ETH, price(10))]);
			close_round();
			assert_eq!(Prices::<Test>::get(BTC), None);
			assert_eq!(Prices::<Test>::get(ETH), None);
			// Three of four: 300 >= 267, count 3: a price.
			for who in 1..=3 {
				submit(who, vec![(BTC, price(100)), (ETH, price(10))]);
			}
			close_round();
			assert_eq!(last_price(BTC), price(100));
			assert_eq!(last_price(ETH), price(10));
		});
	}

	#[test]
	fn quorum_weighs_only_the_operators_serving_the_market() {
		ExtBuilder::default().build_and_execute(|| {
			// Operator 3 (400) serves ETH only: BTC's expected bond is 200, so 1 and 2 form a
			// quorum there, while ETH needs operator 3.
			with_operators(&[(1, 100), (2, 100), (3, 400)]);
			let eth_only: BoundedVec<MarketId, ConstU32<3>> = vec![ETH].try_into().unwrap();
			assert_ok!(Oracle::set_markets(RuntimeOrigin::signed(3), Some(eth_only)));
			submit(1, vec![(BTC, price(100)), (ETH, price(10))]);
			submit(2, vec![(BTC, price(100)), (ETH, price(10))]);
			close_round();
			assert_eq!(last_price(BTC), price(100));
			assert_eq!(Prices::<Test>::get(ETH), None);
		});
	}

	#[test]
	fn a_market_without_quorum_for_max_price_age_rounds_is_stale_and_recovers() {
		ExtBuilder::default().build_and_execute(|| {
			with_operators(&[(1, 100)]);
			let params = OracleParams { max_price_age: 2, ..params_with_quorum(1) };
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
			let params = OracleParams { max_price_age: 1, ..params_with_quorum(1) };
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
	fn the_control_bond_is_half_the_smallest_quorum_of_each_market() {
		use bulwark_primitives::OracleSecurity;
		ExtBuilder::default().build_and_execute(|| {
			// 1 and 2 serve every market, 3 only ETH; 4 registers now and counts from the next
			// round only.
			with_operators(&[(1, 300), (2, 500), (3, 1_001)]);
			assert_ok!(Oracle::set_markets(
				RuntimeOrigin::signed(3),
				Some(BoundedVec::truncate_from(vec![ETH]))
			));
			register(4, 5_000);
			let jump = OracleParams::default().max_price_jump;
			// BTC: two thirds of 300 + 500 is 533.3, a quorum of 534, half of it 267; ETH: two
			// thirds of 1,801 is 1,200.7, a quorum of 1,201, half of it 601 (rounded up).
			assert_eq!(
				<Oracle as OracleSecurity>::market_security(),
				vec![(BTC, 267, jump), (ETH, 601, jump)]
			);
			// Nobody counted: the minimum bond (100 in the mock) is the floor.
			close_round();
			assert_ok!(Oracle::unregister(RuntimeOrigin::signed(1)));
			assert_ok!(Oracle::unregister(RuntimeOrigin::signed(2)));
			assert_ok!(Oracle::unregister(RuntimeOrigin::signed(4)));
			assert_eq!(<Oracle as OracleSecurity>::market_security()[0], (BTC, 100, jump));
		});
	}

	/// Issue 29, item 4: on 8fbebc7 the control bond was half the counted bond. The quorum
	/// needs only two thirds of it to submit, so with a third absent a coalition of a third
	/// sets the median: the control bond is a third.
	#[test]
	fn item_4_with_a_third_absent_a_third_of_the_bond_sets_the_median() {
		use bulwark_primitives::OracleSecurity;
		ExtBuilder::default().build_and_execute(|| {
			with_operators(&[(1, 300), (2, 301), (3, 300)]);
			let params = OracleParams { min_submissions: 2, ..OracleParams::default() };
			assert_ok!(Oracle::set_market_params(RuntimeOrigin::root(), BTC, params));
			// 3 is absent: 1 and 2 hold 601 of 901, the quorum (two thirds, rounded up). 2
			// (a third of the counted bond) submits 20% under honest 1 and sets the median.
			submit(1, vec![(BTC, price(100))]);
			submit(2, vec![(BTC, price(80))]);
			close_round();
			assert_eq!(Prices::<Test>::get(BTC).map(|p| p.price), Some(price(80)));
			// Half the quorum of 601: 301, not half the counted bond (451).
			assert_eq!(<Oracle as OracleSecurity>::market_security()[0].1, 301);
		});
	}

	#[test]
	fn a_shorter_max_price_age_applies_to_the_stored_price_at_once() {
		ExtBuilder::default().build_and_execute(|| {
			with_operators(&[(1, 100)]);
			let params = OracleParams { max_price_age: 5, ..params_with_quorum(1) };
			assert_ok!(Oracle::set_market_params(RuntimeOrigin::root(), BTC, params));
			submit(1, vec![(BTC, price(100))]);
			close_round();
			System::set_block_number(System::block_number() + 4);
			assert_eq!(Oracle::price_info(BTC).map(|p| p.status), Some(MarketStatus::Active));
			// Governance shortens the age before the next aggregation: the price already
			// aggregated is judged by the new age (readers take it from the price itself).
			let params = OracleParams { max_price_age: 1, ..params };
			assert_ok!(Oracle::set_market_params(RuntimeOrigin::root(), BTC, params));
			assert_eq!(Prices::<Test>::get(BTC).map(|p| p.max_price_age), Some(1));
			assert_eq!(Oracle::price_info(BTC).map(|p| p.status), Some(MarketStatus::Stale));
		});
	}

	#[test]
	fn ema_and_volatility_follow_the_reference_values() {
		ExtBuilder::default().build_and_execute(|| {
			with_operators(&[(1, 100)]);
			// Reference (f64): prices 100, 102, 101 with alpha 10%, decay 94%, 500 rounds a
			// year (1,000 blocks / 2), initial volatility 0.8:
			// ema = 100 -> 100.2 -> 100.28; annualized variance = 0.64 ->
			// 0.94 x 0.64 + 0.06 x 500 ln(1.02)^2 -> 0.94 v1 + 0.06 x 500 ln(101/102)^2.
			for p in [100u128, 102, 101] {
				submit(1, vec![(BTC, price(p))]);
				close_round();
			}
			let state = Prices::<Test>::get(BTC).unwrap();
			let v1 = 0.94 * 0.64 + 0.06 * 500.0 * (1.02f64).ln().powi(2);
			let v2 = 0.94 * v1 + 0.06 * 500.0 * (101.0f64 / 102.0).ln().powi(2);
			assert!(
				(state.ema_price.to_float() - 100.28).abs() < 1e-12,
				"{}",
				state.ema_price.to_float()
			);
			assert!((state.variance.to_float() - v2).abs() < 1e-12, "{}", state.variance);
			assert!((state.volatility.to_float() - v2.sqrt()).abs() < 1e-9);
			// sqrt(v2) = 0.7612...: the served volatility is annualized.
			assert!((state.volatility.to_float() - 0.7612).abs() < 1e-4, "{}", state.volatility);
			assert_eq!(state.price, price(101));
		});
	}

	#[test]
	fn a_return_across_rounds_without_quorum_is_scaled_by_the_rounds_it_spans() {
		ExtBuilder::default().build_and_execute(|| {
			with_operators(&[(1, 100)]);
			let params = OracleParams { min_submissions: 1, ..OracleParams::default() };
			assert_ok!(Oracle::set_market_params(RuntimeOrigin::root(), BTC, params));
			submit(1, vec![(BTC, price(100))]);
			close_round();
			// Three rounds without a price, then +4%: the return spans 4 rounds, so its
			// variance sample is ln(1.04)^2 / 4 x 500, not ln(1.04)^2 x 500.
			close_round();
			close_round();
			close_round();
			submit(1, vec![(BTC, price(104))]);
			close_round();
			let state = Prices::<Test>::get(BTC).unwrap();
			let want = 0.94 * 0.64 + 0.06 * 500.0 * (1.04f64).ln().powi(2) / 4.0;
			assert!((state.variance.to_float() - want).abs() < 1e-12, "{}", state.variance);
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
			// Operator 3 deviated in both markets: one report, its largest deviation.
			assert_eq!(Reported::get().len(), 1);
			let base = <() as crate::WeightInfo>::on_initialize(
				Markets::<Test>::count(),
				Operators::<Test>::count(),
			);
			assert_eq!(weight, base.saturating_add(REPORT_WEIGHT));
		});
	}

	#[test]
	fn one_deviation_report_per_operator_per_round_its_largest() {
		ExtBuilder::default().build_and_execute(|| {
			// Review case: one report per (operator, market) let a round fan out into
			// MaxOperators x MaxMarkets reports in a mandatory hook.
			with_operators(&[(1, 100), (2, 100), (3, 100)]);
			submit(1, vec![(BTC, price(100)), (ETH, price(10))]);
			submit(2, vec![(BTC, price(100)), (ETH, price(10))]);
			// 20% off on BTC, 50% off on ETH.
			submit(3, vec![(BTC, price(120)), (ETH, price(15))]);
			let round = current_round();
			close_round();
			assert_eq!(
				Reported::get(),
				vec![OffenceKind::OracleDeviation {
					operator: 3,
					market: ETH,
					round,
					deviation: Perbill::from_percent(50),
				}]
			);
		});
	}

	#[test]
	fn skipping_a_served_market_is_a_missed_round() {
		ExtBuilder::default().build_and_execute(|| {
			// Review case: liveness was counted across markets, so submitting for BTC reset the
			// counter while ETH was never fed. Operator 2 serves every market but feeds BTC only.
			with_operators(&[(1, 100), (2, 100)]);
			for _ in 0..3 {
				submit(1, vec![(BTC, price(100)), (ETH, price(10))]);
				submit(2, vec![(BTC, price(100))]);
				close_round();
			}
			assert_eq!(
				Reported::get(),
				vec![OffenceKind::OracleLiveness { operator: 2, missed: 3 }]
			);
			// Declaring BTC only makes the same submissions complete.
			Reported::take();
			let btc_only: BoundedVec<MarketId, ConstU32<3>> = vec![BTC].try_into().unwrap();
			assert_ok!(Oracle::set_markets(RuntimeOrigin::signed(2), Some(btc_only)));
			for _ in 0..3 {
				submit(1, vec![(BTC, price(100)), (ETH, price(10))]);
				submit(2, vec![(BTC, price(100))]);
				close_round();
			}
			assert_eq!(Reported::get(), vec![]);
		});
	}

	#[test]
	fn an_operator_below_a_raised_minimum_is_not_reported_for_missing_rounds() {
		ExtBuilder::default().build_and_execute(|| {
			with_operators(&[(1, 100)]);
			let rules = OperatorParams { min_bond: 200, max_missed_rounds: 1 };
			assert_ok!(Oracle::set_operator_params(RuntimeOrigin::root(), rules));
			close_round();
			close_round();
			assert_eq!(Reported::get(), vec![]);
		});
	}

	#[test]
	fn the_liveness_limit_is_governed() {
		ExtBuilder::default().build_and_execute(|| {
			with_operators(&[(1, 100)]);
			let rules = OperatorParams { min_bond: 100, max_missed_rounds: 1 };
			assert_ok!(Oracle::set_operator_params(RuntimeOrigin::root(), rules));
			close_round();
			assert_eq!(
				Reported::get(),
				vec![OffenceKind::OracleLiveness { operator: 1, missed: 1 }]
			);
		});
	}

	#[test]
	fn missing_max_missed_rounds_in_a_row_is_reported_once_per_streak() {
		ExtBuilder::default().build_and_execute(|| {
			with_operators(&[(1, 100), (2, 100)]);
			for _ in 0..3 {
				submit(1, vec![(BTC, price(100)), (ETH, price(10))]);
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
			submit(2, vec![(BTC, price(100)), (ETH, price(1))]);
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

	fn status() -> Option<MarketStatus> {
		Oracle::price_info(BTC).map(|p| p.status)
	}

	/// BTC at 100 (EMA 100), then a jump to 111 trips the breaker; returns the trip block.
	fn trip(cooldown: u32) -> u32 {
		with_operators(&[(1, 100)]);
		let params = OracleParams {
			breaker_cooldown: cooldown,
			min_submissions: 1,
			..OracleParams::default()
		};
		assert_ok!(Oracle::set_market_params(RuntimeOrigin::root(), BTC, params));
		submit(1, vec![(BTC, price(100))]);
		close_round();
		// +11% from the EMA (100) is over the 10% jump limit.
		submit(1, vec![(BTC, price(111))]);
		close_round();
		System::block_number() as u32
	}

	#[test]
	fn a_jump_halts_the_market_and_freezes_the_ema() {
		ExtBuilder::default().build_and_execute(|| {
			let tripped_at = trip(4);
			let state = Prices::<Test>::get(BTC).unwrap();
			assert_eq!(
				(state.price, state.ema_price, state.halt),
				(
					price(111),
					price(100),
					Some(Halt { cooldown_until: tripped_at + 4, candidate: None })
				)
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
			// During the cooldown the EMA stays frozen and nothing counts as confirmation.
			submit(1, vec![(BTC, price(112))]);
			close_round();
			let state = Prices::<Test>::get(BTC).unwrap();
			assert_eq!((state.ema_price, state.halt.unwrap().candidate), (price(100), None));
			assert_eq!(status(), Some(MarketStatus::Halted));
		});
	}

	#[test]
	fn the_cooldown_passing_without_a_quorum_does_not_resume_the_market() {
		ExtBuilder::default().build_and_execute(|| {
			// Review case: after the cooldown, with no quorum in the closing round, the market
			// read Active with a price from the halt that no round validated.
			let tripped_at = trip(4);
			run_to_block(tripped_at as u64 + 6);
			assert_eq!(status(), Some(MarketStatus::Halted));
			assert_eq!(Prices::<Test>::get(BTC).unwrap().price, price(111));
		});
	}

	#[test]
	fn the_first_median_after_the_cooldown_does_not_resume_at_a_new_level() {
		ExtBuilder::default().build_and_execute(|| {
			// Review case: the first median after the cooldown became the EMA unchecked.
			let tripped_at = trip(4);
			run_to_block(tripped_at as u64 + 4);
			submit(1, vec![(BTC, price(130))]);
			close_round();
			assert_eq!(status(), Some(MarketStatus::Halted));
			assert_eq!(Prices::<Test>::get(BTC).unwrap().ema_price, price(100));
			assert!(oracle_events().contains(&Event::HaltedPriceUnconfirmed {
				market: BTC,
				price: price(130),
				candidate: price(130),
				confirmations: 1,
			}));
		});
	}

	#[test]
	fn item_4_a_new_level_beyond_one_jump_resumes_only_by_the_risk_origin() {
		ExtBuilder::default().build_and_execute(|| {
			// Issue 29, item 4: a halt, the cooldown and three confirming rounds moved the EMA
			// to any level the operators chose, far more than one `max_price_jump`, so the
			// monitor's gain term (one jump) understated what controlling the median wins.
			let tripped_at = trip(4);
			run_to_block(tripped_at as u64 + 4);
			assert_noop!(
				Oracle::resume_market(RuntimeOrigin::root(), BTC),
				Error::<Test>::ResumeNotConfirmed
			);
			// 112, 113 (within 3% of 112), then 112.5: three consecutive rounds confirm.
			submit(1, vec![(BTC, price(112))]);
			close_round();
			submit(1, vec![(BTC, price(113))]);
			close_round();
			assert_eq!(status(), Some(MarketStatus::Halted));
			assert_eq!(
				Prices::<Test>::get(BTC).unwrap().halt.unwrap().candidate,
				Some((price(112), 2))
			);
			assert_noop!(
				Oracle::resume_market(RuntimeOrigin::root(), BTC),
				Error::<Test>::ResumeNotConfirmed
			);
			submit(1, vec![(BTC, price_f(112.5))]);
			close_round();
			// Confirmed, but 12.5% from the pre-halt EMA (100): more than one jump.
			assert_eq!(status(), Some(MarketStatus::Halted));
			assert_eq!(Prices::<Test>::get(BTC).unwrap().ema_price, price(100));
			assert!(oracle_events().contains(&Event::ResumeAwaitsRiskOrigin {
				market: BTC,
				candidate: price(112),
				confirmations: 3
			}));
			// More confirmations do not resume it either.
			submit(1, vec![(BTC, price(112))]);
			close_round();
			assert_eq!(status(), Some(MarketStatus::Halted));
			// Only the risk origin resumes, at the latest median.
			assert_noop!(
				Oracle::resume_market(RuntimeOrigin::signed(1), BTC),
				DispatchError::BadOrigin
			);
			assert_noop!(
				Oracle::resume_market(RuntimeOrigin::root(), ETH),
				Error::<Test>::NotHalted
			);
			assert_ok!(Oracle::resume_market(RuntimeOrigin::root(), BTC));
			assert_eq!(status(), Some(MarketStatus::Active));
			let state = Prices::<Test>::get(BTC).unwrap();
			assert_eq!((state.ema_price, state.halt), (price(112), None));
			assert!(oracle_events().contains(&Event::MarketResumed {
				market: BTC,
				price: price(112),
				confirmations: 4
			}));
			assert_noop!(
				Oracle::resume_market(RuntimeOrigin::root(), BTC),
				Error::<Test>::NotHalted
			);
			// Small moves update the EMA normally again: 112 + 10% x 1 = 112.1.
			submit(1, vec![(BTC, price(113))]);
			close_round();
			assert_eq!(
				Prices::<Test>::get(BTC).unwrap().ema_price,
				FixedU128::from_rational(1_121, 10)
			);
		});
	}

	#[test]
	fn item_4_a_level_change_restarts_what_the_risk_origin_may_resume() {
		ExtBuilder::default().build_and_execute(|| {
			let tripped_at = trip(4);
			run_to_block(tripped_at as u64 + 4);
			for _ in 0..3 {
				submit(1, vec![(BTC, price(130))]);
				close_round();
			}
			// Confirmed at 130; then the operators move to 150: the council cannot resume at a
			// level confirmed once.
			submit(1, vec![(BTC, price(150))]);
			close_round();
			assert_noop!(
				Oracle::resume_market(RuntimeOrigin::root(), BTC),
				Error::<Test>::ResumeNotConfirmed
			);
			assert_eq!(status(), Some(MarketStatus::Halted));
		});
	}

	#[test]
	fn a_round_without_quorum_or_at_another_level_restarts_the_confirmation() {
		ExtBuilder::default().build_and_execute(|| {
			let tripped_at = trip(4);
			run_to_block(tripped_at as u64 + 4);
			submit(1, vec![(BTC, price(112))]);
			close_round();
			submit(1, vec![(BTC, price(112))]);
			close_round();
			// No quorum: the run of consecutive rounds is broken.
			close_round();
			assert_eq!(Prices::<Test>::get(BTC).unwrap().halt.unwrap().candidate, None);
			submit(1, vec![(BTC, price(112))]);
			close_round();
			submit(1, vec![(BTC, price(112))]);
			close_round();
			assert_eq!(status(), Some(MarketStatus::Halted));
			// A median 10% away starts a new candidate level.
			submit(1, vec![(BTC, price(124))]);
			close_round();
			assert_eq!(
				Prices::<Test>::get(BTC).unwrap().halt.unwrap().candidate,
				Some((price(124), 1))
			);
			assert_eq!(status(), Some(MarketStatus::Halted));
		});
	}

	#[test]
	fn a_median_back_near_the_pre_halt_ema_resumes_at_once() {
		ExtBuilder::default().build_and_execute(|| {
			let tripped_at = trip(4);
			run_to_block(tripped_at as u64 + 4);
			// 105 is within 10% of the pre-halt EMA (100): validated without confirmations.
			submit(1, vec![(BTC, price(105))]);
			close_round();
			assert_eq!(status(), Some(MarketStatus::Active));
			assert_eq!(Prices::<Test>::get(BTC).unwrap().ema_price, price(105));
			assert!(oracle_events().contains(&Event::MarketResumed {
				market: BTC,
				price: price(105),
				confirmations: 0
			}));
		});
	}

	#[test]
	fn a_halted_market_without_fresh_prices_turns_stale() {
		ExtBuilder::default().build_and_execute(|| {
			let params = OracleParams {
				breaker_cooldown: 4,
				max_price_age: 2,
				min_submissions: 1,
				..OracleParams::default()
			};
			with_operators(&[(1, 100)]);
			assert_ok!(Oracle::set_market_params(RuntimeOrigin::root(), BTC, params));
			submit(1, vec![(BTC, price(100))]);
			close_round();
			submit(1, vec![(BTC, price(150))]);
			close_round();
			assert_eq!(status(), Some(MarketStatus::Halted));
			for _ in 0..3 {
				close_round();
			}
			// An old unvalidated median is no better than an old price.
			assert_eq!(status(), Some(MarketStatus::Stale));
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
			assert_eq!(Prices::<Test>::get(BTC).unwrap().halt, None);
			assert_eq!(status(), Some(MarketStatus::Active));
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
	fn an_operator_slashed_below_the_minimum_bond_is_deactivated() {
		ExtBuilder::default().build_and_execute(|| {
			// Review case: a slashed-out operator kept submitting for free and kept its slot.
			with_operators(&[(1, 110), (2, 100)]);
			let moved =
				<Oracle as Slashable<_, _>>::slash(&1, Perbill::from_percent(10), &9).unwrap();
			assert_eq!(moved, 11);
			let info = Operators::<Test>::get(1).unwrap();
			let unlocks_at = System::block_number() as u32 + UnbondingPeriod::get();
			assert_eq!((info.bond, info.status), (99, OperatorStatus::Unbonding { unlocks_at }));
			assert_eq!(TotalActiveBond::<Test>::get(), 100);
			assert!(oracle_events().contains(&Event::OperatorDeactivated {
				operator: 1,
				bond: 99,
				unlocks_at
			}));
			let r = current_round();
			assert_noop!(
				Oracle::submit(RuntimeOrigin::signed(1), r, entries(vec![(BTC, price(1))])),
				Error::<Test>::OperatorNotActive
			);
			// Still slashable while it unbonds, then withdrawable.
			assert_eq!(<Oracle as Slashable<_, _>>::slashable_balance(&1), 99);
			run_to_block(unlocks_at as u64);
			assert_ok!(Oracle::withdraw_bond(RuntimeOrigin::signed(1)));
		});
	}

	#[test]
	fn a_bond_with_a_pending_slash_is_not_released() {
		ExtBuilder::default().build_and_execute(|| {
			// Review case: a slash reported late in an unbonding period (or raised with a fresh
			// deferral) could apply after the bond was gone.
			register(1, 1_000);
			assert_ok!(Oracle::unregister(RuntimeOrigin::signed(1)));
			run_to_block(1 + UnbondingPeriod::get() as u64);
			PendingFor::set(vec![1]);
			assert_noop!(
				Oracle::withdraw_bond(RuntimeOrigin::signed(1)),
				Error::<Test>::SlashPending
			);
			PendingFor::set(vec![]);
			assert_ok!(Oracle::withdraw_bond(RuntimeOrigin::signed(1)));
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
	fn try_state_catches_served_markets_of_a_non_operator() {
		ExtBuilder::default().build().execute_with(|| {
			OperatorMarkets::<Test>::insert(1, BoundedVec::truncate_from(vec![BTC]));
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

mod issue_29 {
	use super::*;
	use frame_support::{dispatch::DispatchResultWithPostInfo, pallet_prelude::TransactionSource};
	use sp_runtime::{
		traits::DispatchTransaction,
		transaction_validity::{InvalidTransaction, TransactionValidityError, ValidTransaction},
	};

	/// Moves to the last block of the current round.
	fn to_last_block_of_round() {
		let length = RoundLength::get() as u64;
		run_to_block((System::block_number() / length + 1) * length - 1);
		assert_eq!(Oracle::blocks_left_in_round(), 1);
	}

	fn submit_for(
		who: AccountId,
		round: RoundIndex,
		prices: Vec<(MarketId, Price)>,
	) -> DispatchResultWithPostInfo {
		Oracle::submit(RuntimeOrigin::signed(who), round, entries(prices))
	}

	fn liveness(who: AccountId) -> Option<(Option<RoundIndex>, u32)> {
		Operators::<Test>::get(who).map(|o| (o.last_complete, o.missed_rounds))
	}

	fn pool_validity(
		who: AccountId,
		round: RoundIndex,
	) -> Result<ValidTransaction, TransactionValidityError> {
		let call = RuntimeCall::Oracle(crate::Call::submit {
			round,
			prices: entries(vec![(BTC, price(100)), (ETH, price(10))]),
		});
		let info = call.get_dispatch_info();
		crate::CheckOracleSubmission::<Test>::new()
			.validate_only(
				RuntimeOrigin::signed(who),
				&call,
				&info,
				0,
				TransactionSource::External,
				0,
			)
			.map(|(validity, _, _)| validity)
	}

	#[test]
	fn item_1_a_submission_for_the_next_round_in_a_rounds_last_block_counts_in_that_round() {
		ExtBuilder::default().build_and_execute(|| {
			// Issue 29, item 1: a feeder submits for the round of the block after the head it
			// sees. In a round's last block that is the next round: refused as `WrongRound`,
			// so a one-try feeder lost the round whenever a busy pool checked it against the
			// block before, or an author included it in that block.
			with_operators(&[(1, 100), (2, 100), (3, 100)]);
			let r = current_round();
			for who in [1, 2, 3] {
				submit(who, vec![(BTC, price(100)), (ETH, price(10))]);
			}
			to_last_block_of_round();
			for who in [1, 2, 3] {
				assert_ok!(submit_for(who, r + 1, vec![(BTC, price(101)), (ETH, price(10))]));
			}
			assert_eq!(EarlySubmissions::<Test>::get(BTC).len(), 3);
			close_round();
			// Round r closed on its own submissions; the early ones wait for theirs.
			assert_eq!(Prices::<Test>::get(BTC).map(|p| (p.round, p.price)), Some((r, price(100))));
			assert_eq!(RoundSubmissions::<Test>::get(BTC).len(), 3);
			assert_eq!(EarlySubmitters::<Test>::count(), 0);
			close_round();
			assert_eq!(
				Prices::<Test>::get(BTC).map(|p| (p.round, p.price)),
				Some((r + 1, price(101)))
			);
			// Nobody missed either round.
			for who in [1, 2, 3] {
				assert_eq!(liveness(who), Some((Some(r + 1), 0)));
			}
		});
	}

	#[test]
	fn item_1_early_submissions_keep_the_one_per_round_and_liveness_rules() {
		ExtBuilder::default().build_and_execute(|| {
			with_operators(&[(1, 100), (2, 100), (3, 100)]);
			let r = current_round();
			// Not before the round's last block, and never two rounds ahead.
			assert_eq!(Oracle::blocks_left_in_round(), 2);
			assert_noop!(submit_for(1, r + 1, vec![(BTC, price(100))]), Error::<Test>::WrongRound);
			submit(1, vec![(BTC, price(100)), (ETH, price(10))]);
			to_last_block_of_round();
			assert_noop!(submit_for(1, r + 2, vec![(BTC, price(100))]), Error::<Test>::WrongRound);
			// 1 submitted r and now r + 1; 2 skips r and submits r + 1 early; 3 submits r + 1
			// early but incomplete (ETH missing).
			assert_ok!(submit_for(1, r + 1, vec![(BTC, price(100)), (ETH, price(10))]));
			assert_ok!(submit_for(2, r + 1, vec![(BTC, price(100)), (ETH, price(10))]));
			assert_ok!(submit_for(3, r + 1, vec![(BTC, price(100))]));
			// One submission per round, in order: after the next round's, the current one is
			// closed to the operator.
			assert_noop!(
				submit_for(1, r + 1, vec![(BTC, price(100))]),
				Error::<Test>::AlreadySubmitted
			);
			assert_noop!(
				submit_for(2, r, vec![(BTC, price(100))]),
				Error::<Test>::AlreadySubmitted
			);
			close_round();
			// 2 and 3 missed r (counted), then 2's complete early submission is its r + 1.
			assert_eq!(liveness(1), Some((Some(r + 1), 0)));
			assert_eq!(liveness(2), Some((Some(r + 1), 0)));
			assert_eq!(liveness(3), Some((None, 1)));
			assert_noop!(
				submit_for(2, r + 1, vec![(BTC, price(100))]),
				Error::<Test>::AlreadySubmitted
			);
			close_round();
			// 3's incomplete r + 1 is a second missed round.
			assert_eq!(liveness(3), Some((None, 2)));
			assert_eq!(liveness(1), Some((Some(r + 1), 0)));
		});
	}

	#[test]
	fn item_1_the_pool_keeps_a_next_round_submission_through_that_round_at_the_top_priority() {
		ExtBuilder::default().build_and_execute(|| {
			with_operators(&[(1, 100)]);
			let r = current_round();
			assert_eq!(
				pool_validity(1, r + 1),
				Err(InvalidTransaction::Custom(Error::<Test>::WrongRound.encode()[0]).into())
			);
			let on_time = pool_validity(1, r).expect("on time");
			assert_eq!((on_time.priority, on_time.longevity), (u64::MAX, 2));
			to_last_block_of_round();
			let early = pool_validity(1, r + 1).expect("early");
			// The rest of this round and all of the next; deduplicated with the on-time one.
			assert_eq!((early.priority, early.longevity), (u64::MAX, 1 + 2));
			assert_eq!(early.provides, vec![(b"oracle-submission", 1u64, r + 1).encode()]);
		});
	}
}

mod early_invariants {
	use super::*;

	#[test]
	fn try_state_catches_early_submissions_outside_a_rounds_last_block() {
		ExtBuilder::default().build().execute_with(|| {
			with_operators(&[(1, 100)]);
			assert_eq!(Oracle::blocks_left_in_round(), 2);
			EarlySubmissions::<Test>::insert(
				BTC,
				BoundedVec::truncate_from(vec![(1u64, price(100), 100u128)]),
			);
			EarlySubmitters::<Test>::insert(1u64, true);
			assert!(Oracle::do_try_state().is_err());
		});
	}
}

mod migrations {
	use super::*;
	use crate::migrations::v1::{MigrateV0ToV1, PriceStateV0};
	use frame_support::traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion};

	#[test]
	fn v1_gives_each_price_stored_by_version_0_its_markets_max_price_age() {
		ExtBuilder::default().build_and_execute(|| {
			// Issue 24, item 5: `PriceState` gained `max_price_age` with the storage version still
			// 0: a price stored before would no longer decode, and the market would read unpriced.
			StorageVersion::new(0).put::<Oracle>();
			let params = OracleParams { max_price_age: 5, ..OracleParams::default() };
			assert_ok!(Oracle::set_market_params(RuntimeOrigin::root(), BTC, params));
			let old = PriceStateV0 {
				price: price(100),
				ema_price: price(99),
				variance: FixedU128::from_rational(64, 100),
				volatility: FixedU128::from_rational(8, 10),
				updated_at: 7,
				round: 3,
				halt: Some(Halt { cooldown_until: 30, candidate: Some((price(120), 2)) }),
			};
			frame_support::storage::unhashed::put(&Prices::<Test>::hashed_key_for(BTC), &old);
			assert_eq!(Prices::<Test>::get(BTC), None, "a version 0 price does not decode");
			#[cfg(feature = "try-runtime")]
			let state = <MigrateV0ToV1<Test> as OnRuntimeUpgrade>::pre_upgrade().expect("pre");
			MigrateV0ToV1::<Test>::on_runtime_upgrade();
			#[cfg(feature = "try-runtime")]
			<MigrateV0ToV1<Test> as OnRuntimeUpgrade>::post_upgrade(state).expect("post");
			assert_eq!(Prices::<Test>::get(BTC), Some(old.upgraded(5)));
			assert_eq!(Oracle::on_chain_storage_version(), 1);
			assert_eq!(Oracle::price_info(BTC).map(|p| p.price), Some(price(100)));
			// Once only: a second run changes nothing.
			let migrated = Prices::<Test>::get(BTC);
			MigrateV0ToV1::<Test>::on_runtime_upgrade();
			assert_eq!(Prices::<Test>::get(BTC), migrated);
		});
	}

	#[test]
	fn a_broken_migration_fails_try_state() {
		ExtBuilder::default().build_and_execute(|| {
			// What `scripts/upgrade-check.sh` relies on: a migration that writes wrong values
			// fails the pallet's `try_state`. A deliberately broken version 1 gives every price
			// the default `max_price_age` instead of its market's.
			StorageVersion::new(0).put::<Oracle>();
			let params = OracleParams { max_price_age: 5, ..OracleParams::default() };
			assert_ne!(params.max_price_age, OracleParams::default().max_price_age);
			assert_ok!(Oracle::set_market_params(RuntimeOrigin::root(), BTC, params));
			let old = PriceStateV0 {
				price: price(100),
				ema_price: price(100),
				variance: FixedU128::from_rational(64, 100),
				volatility: FixedU128::from_rational(8, 10),
				updated_at: 7,
				round: 3,
				halt: None,
			};
			let key = Prices::<Test>::hashed_key_for(BTC);
			frame_support::storage::unhashed::put(&key, &old);
			Prices::<Test>::translate::<PriceStateV0, _>(|_, old| {
				Some(old.upgraded(OracleParams::default().max_price_age))
			});
			assert_eq!(
				Oracle::do_try_state(),
				Err("a price's max_price_age differs from its market's".into())
			);
			// The real one passes.
			frame_support::storage::unhashed::put(&key, &old);
			MigrateV0ToV1::<Test>::on_runtime_upgrade();
			assert_eq!(Oracle::do_try_state(), Ok(()));
		});
	}
}
