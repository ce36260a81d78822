//! Tests of the vaults on the mock runtime; each runs `try_state` afterwards.

use crate::{mock::*, Error, Event, HoldReason, Params, Stakers, VaultParams, Vaults as VaultsMap};
use bulwark_primitives::{Slashable, VaultSettlement};
use frame_support::{
	assert_noop, assert_ok,
	traits::fungible::{Inspect, InspectHold},
};
use sp_arithmetic::{FixedU128, Perbill};
use sp_runtime::DispatchError;

const BTC: u32 = 0;

fn stake(who: AccountId, amount: u128) {
	assert_ok!(Vaults::stake(RuntimeOrigin::signed(who), BTC, amount));
}

fn shares_of(who: AccountId) -> u128 {
	Stakers::<Test>::get(BTC, who).map_or(0, |s| s.total_shares())
}

fn held() -> u128 {
	Vaults::held(BTC)
}

fn collect(amount: u128) {
	assert_ok!(<Vaults as VaultSettlement<_>>::collect(BTC, &TRADER, amount));
}

fn pay(amount: u128) {
	assert_ok!(<Vaults as VaultSettlement<_>>::pay(BTC, &TRADER, amount));
}

fn unstake_all_and_wait(who: AccountId) {
	let active = Stakers::<Test>::get(BTC, who).unwrap().active;
	assert_ok!(Vaults::request_unstake(RuntimeOrigin::signed(who), BTC, active));
	System::set_block_number(System::block_number() + UnbondingPeriod::get() as u64);
}

mod staking {
	use super::*;

	#[test]
	fn the_first_staker_gets_shares_one_to_one_and_opens_the_vault_account() {
		ExtBuilder.build_and_execute(|| {
			stake(1, 1_000);
			assert_eq!((shares_of(1), held()), (1_000, 1_000));
			let account = Vaults::vault_account(BTC);
			assert_eq!(Balances::balance(&account), ED, "the opening deposit stays free");
			assert_eq!(Balances::balance_on_hold(&HoldReason::VaultStake.into(), &account), 1_000);
			assert_eq!(Balances::balance(&1), ENDOWMENT - 1_000 - ED);
			assert_eq!(
				vault_events(),
				vec![Event::Staked { market: BTC, staker: 1, amount: 1_000, shares: 1_000 }]
			);
			// The second staker pays no opening deposit.
			stake(2, 500);
			assert_eq!(Balances::balance(&2), ENDOWMENT - 500);
		});
	}

	#[test]
	fn share_price_rises_with_trader_losses_and_falls_with_profits() {
		ExtBuilder.build_and_execute(|| {
			stake(1, 1_000);
			collect(500); // traders lost 500: NAV 1,500 for 1,000 shares
			stake(2, 300); // 300 * 1,000 / 1,500 = 200 shares
			assert_eq!(shares_of(2), 200);
			assert_eq!(Vaults::value_of(BTC, shares_of(1)), 1_500);
			pay(600); // traders won 600: NAV 1,200 for 1,200 shares
			assert_eq!(Vaults::value_of(BTC, shares_of(1)), 1_000);
			assert_eq!(Vaults::value_of(BTC, shares_of(2)), 200);
		});
	}

	#[test]
	fn unrealized_trader_pnl_marks_nav_to_market() {
		ExtBuilder.build_and_execute(|| {
			stake(1, 1_000);
			TraderPnl::set(250);
			assert_eq!(Vaults::nav_of(BTC), 750);
			stake(2, 300); // 300 * 1,000 / 750 = 400 shares
			assert_eq!(shares_of(2), 400);
			TraderPnl::set(-100);
			assert_eq!(Vaults::nav_of(BTC), 1_400);
			TraderPnl::set(10_000);
			assert_eq!(Vaults::nav_of(BTC), 0, "NAV floors at zero");
			TraderPnl::set(0);
		});
	}

	#[test]
	fn stake_errors() {
		ExtBuilder.build_and_execute(|| {
			assert_noop!(
				Vaults::stake(RuntimeOrigin::signed(1), 10, 1_000),
				Error::<Test>::UnknownMarket
			);
			assert_noop!(
				Vaults::stake(RuntimeOrigin::signed(1), BTC, 99),
				Error::<Test>::StakeTooLow
			);
			assert_noop!(
				Vaults::stake(RuntimeOrigin::none(), BTC, 1_000),
				DispatchError::BadOrigin
			);
			assert!(Vaults::stake(RuntimeOrigin::signed(1), BTC, ENDOWMENT).is_err());
			stake(1, 100);
			// Traders lose 900,000 into the vault: 100 bUSD now buys less than one share.
			collect(900_000);
			assert_noop!(
				Vaults::stake(RuntimeOrigin::signed(2), BTC, 100),
				Error::<Test>::ZeroShares
			);
			// Traders then take everything: shares exist but NAV is zero.
			pay(900_100);
			assert_noop!(
				Vaults::stake(RuntimeOrigin::signed(2), BTC, 1_000),
				Error::<Test>::VaultInsolvent
			);
		});
	}
}

mod unstaking {
	use super::*;

	#[test]
	fn withdrawal_pays_matured_chunks_at_nav() {
		ExtBuilder.build_and_execute(|| {
			stake(1, 1_000);
			assert_ok!(Vaults::request_unstake(RuntimeOrigin::signed(1), BTC, 400));
			let unlocks_at = 1 + UnbondingPeriod::get();
			assert_eq!(Stakers::<Test>::get(BTC, 1).unwrap().active, 600);
			assert_noop!(
				Vaults::withdraw(RuntimeOrigin::signed(1), BTC),
				Error::<Test>::NothingToWithdraw
			);
			System::set_block_number(unlocks_at as u64);
			assert_ok!(Vaults::withdraw(RuntimeOrigin::signed(1), BTC));
			assert_eq!(Balances::balance(&1), ENDOWMENT - 1_000 - ED + 400);
			assert_eq!((shares_of(1), held()), (600, 600));
			assert!(vault_events().contains(&Event::Withdrawn {
				market: BTC,
				staker: 1,
				shares: 400,
				amount: 400
			}));
		});
	}

	#[test]
	fn a_slash_during_unbonding_hits_the_chunk_like_active_stake() {
		ExtBuilder.build_and_execute(|| {
			stake(1, 1_000);
			stake(2, 1_000);
			unstake_all_and_wait(1);
			// 10% of the vault goes to the insurance fund while staker 1 is unbonding.
			let slashed =
				<Vaults as Slashable<_, _>>::slash(&BTC, Perbill::from_percent(10), &FUND).unwrap();
			assert_eq!(slashed, 200);
			assert_eq!(Balances::balance(&FUND), 200);
			assert_ok!(Vaults::withdraw(RuntimeOrigin::signed(1), BTC));
			assert!(vault_events().contains(&Event::Withdrawn {
				market: BTC,
				staker: 1,
				shares: 1_000,
				amount: 900
			}));
			assert_eq!(Vaults::value_of(BTC, shares_of(2)), 900);
			assert_eq!(Stakers::<Test>::get(BTC, 1), None);
		});
	}

	#[test]
	fn open_interest_reserves_nav_against_withdrawal() {
		ExtBuilder.build_and_execute(|| {
			stake(1, 1_000);
			stake(2, 1_000);
			unstake_all_and_wait(1);
			// OI 8,000 at 5x leverage reserves 1,600 of the 2,000 NAV: only 400 can leave.
			OpenInterestOfEveryMarket::set(8_000);
			assert_eq!(Vaults::reserved(BTC), 1_600);
			assert_noop!(
				Vaults::withdraw(RuntimeOrigin::signed(1), BTC),
				Error::<Test>::ReservedByOpenInterest
			);
			OpenInterestOfEveryMarket::set(5_000); // reserves 1,000
			assert_ok!(Vaults::withdraw(RuntimeOrigin::signed(1), BTC));
			OpenInterestOfEveryMarket::set(0);
		});
	}

	#[test]
	fn rounding_favours_the_vault_and_the_last_staker_takes_the_remainder() {
		ExtBuilder.build_and_execute(|| {
			stake(1, 100);
			stake(2, 100);
			stake(3, 100);
			collect(1); // NAV 301 over 300 shares: each 100 shares are worth 100.33
			   // floor(100 * 301 / 300) = 100: the third of a unit stays in the vault.
			unstake_all_and_wait(1);
			assert_ok!(Vaults::withdraw(RuntimeOrigin::signed(1), BTC));
			assert_eq!(Balances::balance(&1), ENDOWMENT - ED);
			// floor(100 * 201 / 200) = 100: the half unit stays.
			unstake_all_and_wait(2);
			assert_ok!(Vaults::withdraw(RuntimeOrigin::signed(2), BTC));
			assert_eq!(Balances::balance(&2), ENDOWMENT);
			// The last shares are all the NAV: 101, and nothing is left behind or created.
			unstake_all_and_wait(3);
			assert_ok!(Vaults::withdraw(RuntimeOrigin::signed(3), BTC));
			assert_eq!(Balances::balance(&3), ENDOWMENT + 1);
			assert_eq!(held(), 0);
			assert_eq!(VaultsMap::<Test>::get(BTC).unwrap().total_shares, 0);
			// The next first staker starts at one share per bUSD again.
			stake(4, 500);
			assert_eq!(shares_of(4), 500);
		});
	}

	#[test]
	fn unstake_errors() {
		ExtBuilder.build_and_execute(|| {
			assert_noop!(
				Vaults::request_unstake(RuntimeOrigin::signed(1), BTC, 1),
				Error::<Test>::NotStaker
			);
			assert_noop!(Vaults::withdraw(RuntimeOrigin::signed(1), BTC), Error::<Test>::NotStaker);
			stake(1, 1_000);
			assert_noop!(
				Vaults::request_unstake(RuntimeOrigin::signed(1), BTC, 0),
				Error::<Test>::ZeroAmount
			);
			assert_noop!(
				Vaults::request_unstake(RuntimeOrigin::signed(1), BTC, 1_001),
				Error::<Test>::InsufficientShares
			);
			for _ in 0..4 {
				assert_ok!(Vaults::request_unstake(RuntimeOrigin::signed(1), BTC, 1));
			}
			assert_noop!(
				Vaults::request_unstake(RuntimeOrigin::signed(1), BTC, 1),
				Error::<Test>::TooManyChunks
			);
		});
	}
}

mod settlement {
	use super::*;

	#[test]
	fn collect_and_pay_move_held_funds() {
		ExtBuilder.build_and_execute(|| {
			stake(1, 1_000);
			collect(250);
			assert_eq!((held(), Balances::balance(&TRADER)), (1_250, ENDOWMENT - 250));
			pay(1_000);
			assert_eq!((held(), Balances::balance(&TRADER)), (250, ENDOWMENT + 750));
			assert_noop!(
				<Vaults as VaultSettlement<_>>::pay(BTC, &TRADER, 251),
				Error::<Test>::InsufficientVaultFunds
			);
			assert_noop!(
				<Vaults as VaultSettlement<_>>::pay(BTC, &TRADER, 0),
				Error::<Test>::ZeroAmount
			);
			assert_noop!(
				<Vaults as VaultSettlement<_>>::collect(BTC, &TRADER, 0),
				Error::<Test>::ZeroAmount
			);
			assert_noop!(
				<Vaults as VaultSettlement<_>>::collect(5, &TRADER, 1),
				Error::<Test>::UnknownMarket
			);
		});
	}

	#[test]
	fn capacity_follows_nav() {
		ExtBuilder.build_and_execute(|| {
			stake(1, 1_000);
			assert_eq!(<Vaults as VaultSettlement<_>>::max_open_interest(BTC), 5_000);
			assert_eq!(<Vaults as VaultSettlement<_>>::max_skew(BTC), 1_000);
			pay(500);
			assert_eq!(<Vaults as VaultSettlement<_>>::max_open_interest(BTC), 2_500);
			OpenInterestOfEveryMarket::set(1_250);
			let view = Vaults::api_vault(BTC);
			assert_eq!((view.nav, view.capacity, view.reserved), (500, 2_500, 250));
			assert_eq!(view.utilization, FixedU128::from_rational(1, 2));
			OpenInterestOfEveryMarket::set(0);
			let staker = Vaults::api_staker(BTC, &1).unwrap();
			assert_eq!((staker.active_shares, staker.value), (1_000, 500));
		});
	}
}

mod governance {
	use super::*;

	#[test]
	fn params_within_hard_bounds_by_the_risk_origin_only() {
		ExtBuilder.build_and_execute(|| {
			let params = VaultParams {
				max_vault_leverage: FixedU128::from_u32(10),
				max_skew_ratio: FixedU128::from_u32(2),
			};
			assert_noop!(
				Vaults::set_params(RuntimeOrigin::signed(1), params),
				DispatchError::BadOrigin
			);
			assert_ok!(Vaults::set_params(RuntimeOrigin::root(), params));
			assert_eq!(Params::<Test>::get(), params);
			for bad in [
				VaultParams { max_vault_leverage: FixedU128::from_rational(1, 2), ..params },
				VaultParams { max_vault_leverage: FixedU128::from_u32(21), ..params },
				VaultParams { max_skew_ratio: FixedU128::from_rational(1, 20), ..params },
				VaultParams { max_skew_ratio: FixedU128::from_u32(6), ..params },
			] {
				assert_noop!(
					Vaults::set_params(RuntimeOrigin::root(), bad),
					Error::<Test>::InvalidParams
				);
			}
		});
	}
}

mod invariants {
	use super::*;

	#[test]
	fn try_state_catches_a_share_mismatch() {
		ExtBuilder.build().execute_with(|| {
			stake(1, 1_000);
			VaultsMap::<Test>::mutate(BTC, |v| v.as_mut().unwrap().total_shares += 1);
			assert!(Vaults::do_try_state().is_err());
		});
	}
}

mod conservation {
	use super::*;
	use proptest::prelude::*;

	#[derive(Debug, Clone)]
	enum Op {
		Stake(AccountId, u128),
		Unstake(AccountId, u8),
		Withdraw(AccountId),
		TraderLoss(u128),
		TraderProfit(u128),
		Slash(u32),
		Wait(u32),
	}

	fn op() -> impl Strategy<Value = Op> {
		prop_oneof![
			(1u128..=3, 50u128..20_000).prop_map(|(w, a)| Op::Stake(w, a)),
			(1u128..=3, 1u8..=100).prop_map(|(w, p)| Op::Unstake(w, p)),
			(1u128..=3).prop_map(Op::Withdraw),
			(1u128..5_000).prop_map(Op::TraderLoss),
			(1u128..5_000).prop_map(Op::TraderProfit),
			(0u32..=300_000_000).prop_map(Op::Slash),
			(0u32..=12).prop_map(Op::Wait),
		]
	}

	fn accounts() -> Vec<AccountId> {
		let mut all: Vec<AccountId> = (1..=9).chain([TRADER, FUND]).collect();
		all.push(Vaults::vault_account(BTC));
		all
	}

	proptest! {
		/// Any sequence of stake, unstake, withdraw, trader profit and loss, and slash conserves
		/// bUSD: issuance is unchanged and every unit is on some known account; stakers' claims
		/// never exceed the vault's NAV.
		#[test]
		fn every_unit_is_accounted_for(ops in prop::collection::vec(op(), 1..40)) {
			ExtBuilder.build().execute_with(|| -> Result<(), TestCaseError> {
				let issuance = Balances::total_issuance();
				for op in ops {
					match op {
						Op::Stake(who, amount) => { let _ = Vaults::stake(RuntimeOrigin::signed(who), BTC, amount); },
						Op::Unstake(who, percent) => {
							if let Some(info) = Stakers::<Test>::get(BTC, who) {
								let shares = info.active * percent as u128 / 100;
								let _ = Vaults::request_unstake(RuntimeOrigin::signed(who), BTC, shares);
							}
						},
						Op::Withdraw(who) => { let _ = Vaults::withdraw(RuntimeOrigin::signed(who), BTC); },
						Op::TraderLoss(amount) => {
							let _ = frame_support::storage::with_storage_layer(|| <Vaults as VaultSettlement<_>>::collect(BTC, &TRADER, amount));
						},
						Op::TraderProfit(amount) => {
							let _ = frame_support::storage::with_storage_layer(|| <Vaults as VaultSettlement<_>>::pay(BTC, &TRADER, amount));
						},
						Op::Slash(parts) => {
							let _ = frame_support::storage::with_storage_layer(|| {
								<Vaults as Slashable<_, _>>::slash(&BTC, Perbill::from_parts(parts), &FUND).map(|_| ())
							});
						},
						Op::Wait(blocks) => System::set_block_number(System::block_number() + blocks as u64),
					}
					prop_assert_eq!(Balances::total_issuance(), issuance);
					let accounted: u128 = accounts().iter().map(Balances::total_balance).sum();
					prop_assert_eq!(accounted, issuance);
					let claims: u128 = (1..=3).map(|w| Vaults::value_of(BTC, shares_of(w))).sum();
					prop_assert!(claims <= Vaults::nav_of(BTC), "claims {} above NAV {}", claims, Vaults::nav_of(BTC));
					prop_assert!(Vaults::do_try_state().is_ok());
				}
				Ok(())
			})?;
		}
	}
}
