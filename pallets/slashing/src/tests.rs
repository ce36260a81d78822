//! Tests of the slashing pallet on its mock runtime.

use crate::{mock::*, Error, Event, *};
use bulwark_primitives::{OffenceKind, OffenceReporter, SlashTarget};
use frame_support::{assert_noop, assert_ok, traits::Hooks};
use sp_runtime::{DispatchError, Perbill};

fn deviation(operator: AccountId, percent: u32) -> OffenceKind<AccountId> {
	OffenceKind::OracleDeviation {
		operator,
		market: BTC,
		round: 3,
		deviation: Perbill::from_percent(percent),
	}
}

fn report(reporter: Option<AccountId>, offence: OffenceKind<AccountId>) {
	assert_ok!(<Slashing as OffenceReporter<_>>::report_offence(reporter, offence));
}

fn governance(
	target: SlashTarget<AccountId>,
	percent: u32,
	reporter: Option<AccountId>,
) -> sp_runtime::DispatchResult {
	Slashing::governance_slash(
		RuntimeOrigin::root(),
		target,
		Perbill::from_percent(percent),
		b"stale feed".to_vec().try_into().unwrap(),
		reporter,
	)
}

fn bond(operator: AccountId) -> Balance {
	Bonds::get().get(&operator).copied().unwrap_or(0)
}

fn free(who: AccountId) -> Balance {
	Balances::free_balance(who)
}

fn pending_ids() -> Vec<SlashId> {
	Slashing::api_pending_slashes().into_iter().map(|view| view.id).collect()
}

mod kinds {
	use super::*;

	#[test]
	fn a_deviation_is_deferred_then_pays_the_reporter_and_the_market_fund() {
		ExtBuilder::default().build_and_execute(|| {
			// 6% is twice the 3% reference: 2% of the bond.
			let offence = deviation(11, 6);
			report(Some(1), offence.clone());
			assert_eq!(
				slashing_events(),
				vec![Event::SlashReported {
					id: 0,
					offender: SlashTarget::Operator(11),
					offence: offence.clone(),
					reporter: Some(1),
					fraction: Perbill::from_percent(2),
					amount_estimate: 200,
					apply_at: 11,
				}]
			);

			// Nothing moves during the deferral.
			run_to_block(10);
			assert_eq!(bond(11), OPERATOR_BOND);
			assert_eq!(pending_ids(), vec![0]);

			run_to_block(11);
			assert_eq!(bond(11), OPERATOR_BOND - 200);
			assert_eq!(free(1), ENDOWMENT + 20);
			assert_eq!(free(FUND_BASE + u64::from(BTC)), 180);
			assert_eq!(free(BOND_POT), OPERATOR_BOND * 100 - 200);
			assert_eq!(pending_ids(), Vec::<SlashId>::new());
			assert_eq!(
				slashing_events(),
				vec![Event::SlashApplied {
					id: 0,
					offender: SlashTarget::Operator(11),
					amount: 200,
					reporter: Some(1),
					reporter_reward: 20,
					market: Some(BTC),
					insurance: 180,
				}]
			);
		});
	}

	#[test]
	fn a_liveness_offence_without_reporter_goes_to_the_global_fund() {
		ExtBuilder::default().build_and_execute(|| {
			// Ten missed rounds at 0.05% each: 0.5% of 10_000.
			report(None, OffenceKind::OracleLiveness { operator: 12, missed: 10 });
			run_to_block(11);
			assert_eq!(bond(12), OPERATOR_BOND - 50);
			assert_eq!(free(GLOBAL_FUND), 50);
			assert!(slashing_events().contains(&Event::SlashApplied {
				id: 0,
				offender: SlashTarget::Operator(12),
				amount: 50,
				reporter: None,
				reporter_reward: 0,
				market: None,
				insurance: 50,
			}));
		});
	}

	#[test]
	fn a_governance_slash_of_a_vault_pays_its_whistleblower_and_the_market_fund() {
		ExtBuilder::default().build_and_execute(|| {
			assert_ok!(governance(SlashTarget::Vault(ETH), 5, Some(2)));
			run_to_block(10);
			assert_eq!(free(VAULT_BASE + u64::from(ETH)), VAULT_STAKE);
			run_to_block(11);
			assert_eq!(free(VAULT_BASE + u64::from(ETH)), VAULT_STAKE - 5_000);
			assert_eq!(free(2), ENDOWMENT + 500);
			assert_eq!(free(FUND_BASE + u64::from(ETH)), 4_500);
			// The other vault is untouched.
			assert_eq!(free(VAULT_BASE + u64::from(BTC)), VAULT_STAKE);
		});
	}

	#[test]
	fn a_vault_slash_takes_its_fraction_of_active_stake_and_unbonding_chunks_alike() {
		ExtBuilder::default().build_and_execute(|| {
			// BTC's 100_000: 60_000 active, chunks of 30_000 and 10_000 unbonding.
			VaultParts::mutate(|parts| parts.insert(BTC, (60_000, vec![30_000, 10_000])));
			assert_ok!(governance(SlashTarget::Vault(BTC), 10, None));
			// The estimate counts the unbonding chunks: they are as exposed as active stake.
			assert_eq!(Slashing::api_pending_slashes()[0].amount_estimate, 10_000);
			run_to_block(11);
			assert_eq!(VaultParts::get()[&BTC], (54_000, vec![27_000, 9_000]));
			assert_eq!(free(VAULT_BASE + u64::from(BTC)), 90_000);
			assert_eq!(free(FUND_BASE + u64::from(BTC)), 10_000);
		});
	}

	#[test]
	fn a_governance_slash_is_capped_by_the_schedule() {
		let schedule =
			SlashSchedule { governance_max: Perbill::from_percent(40), ..Default::default() };
		ExtBuilder::default().schedule(schedule).build_and_execute(|| {
			assert_ok!(governance(SlashTarget::Operator(13), 90, None));
			run_to_block(11);
			assert_eq!(bond(13), OPERATOR_BOND - 4_000);
			assert_eq!(free(GLOBAL_FUND), 4_000);
		});
	}

	#[test]
	fn report_errors_change_nothing() {
		ExtBuilder::default().build_and_execute(|| {
			// The trait path refuses governance offences: they need the risk origin.
			let offence = OffenceKind::Governance {
				target: SlashTarget::Operator(11),
				fraction: Perbill::from_percent(50),
				reason: Default::default(),
			};
			assert_noop!(
				<Slashing as OffenceReporter<_>>::report_offence(None, offence),
				Error::<Test>::GovernanceOffenceNeedsOrigin
			);
			// A zero fraction, and an account with no bond.
			assert_noop!(
				governance(SlashTarget::Operator(11), 0, None),
				Error::<Test>::ZeroSeverity
			);
			assert_noop!(
				<Slashing as OffenceReporter<_>>::report_offence(None, deviation(99, 6)),
				Error::<Test>::NothingToSlash
			);
			assert_noop!(governance(SlashTarget::Vault(7), 5, None), Error::<Test>::NothingToSlash);
		});
	}

	#[test]
	fn reports_beyond_max_pending_slashes_are_refused() {
		ExtBuilder::default().build_and_execute(|| {
			MaxPendingSlashes::set(2);
			report(None, deviation(11, 6));
			report(None, deviation(12, 6));
			assert_noop!(
				<Slashing as OffenceReporter<_>>::report_offence(None, deviation(13, 6)),
				Error::<Test>::TooManyPendingSlashes
			);
			assert_eq!(pending_ids(), vec![0, 1]);
		});
	}

	#[test]
	fn governance_calls_refuse_unprivileged_origins() {
		ExtBuilder::default().build_and_execute(|| {
			report(None, deviation(11, 6));
			for origin in [RuntimeOrigin::signed(1), RuntimeOrigin::none()] {
				assert_noop!(
					Slashing::governance_slash(
						origin.clone(),
						SlashTarget::Operator(12),
						Perbill::from_percent(5),
						Default::default(),
						Some(1),
					),
					DispatchError::BadOrigin
				);
				assert_noop!(
					Slashing::cancel_slashes(origin.clone(), SlashTarget::Operator(11)),
					DispatchError::BadOrigin
				);
				assert_noop!(
					Slashing::set_schedule(origin, SlashSchedule::default()),
					DispatchError::BadOrigin
				);
			}
			assert_eq!(pending_ids(), vec![0]);
		});
	}
}

mod spans {
	use super::*;

	#[test]
	fn repeated_offences_in_a_span_pay_the_maximum_not_the_sum() {
		ExtBuilder::default().build_and_execute(|| {
			report(Some(1), deviation(11, 6)); // 2%
			slashing_events();
			// A smaller offence in the span adds nothing.
			report(Some(1), deviation(11, 3)); // 1%
			assert_eq!(
				slashing_events(),
				vec![Event::OffenceCovered {
					offender: SlashTarget::Operator(11),
					offence: deviation(11, 3),
					cancelled: false,
				}]
			);
			// A larger one adds the increment from 2% to 5%: 3% of the original bond is
			// 3/98 of what the first slash leaves.
			run_to_block(4);
			report(Some(1), deviation(11, 15)); // 5%
			assert_eq!(pending_ids(), vec![0, 1]);
			let second = PendingSlashes::<Test>::get(1).unwrap();
			assert_eq!(
				second.fraction,
				math::span_increment(Perbill::from_percent(2), Perbill::from_percent(5))
			);
			assert_eq!(second.apply_at, 14);

			run_to_block(14);
			// 200 + floor(9_800 * 3/98) = 200 + 299: the 5% maximum, less one unit of rounding
			// in the offender's favour. The sum would have been 800.
			assert_eq!(bond(11), OPERATOR_BOND - 499);
			assert_eq!(free(1) + free(FUND_BASE + u64::from(BTC)), ENDOWMENT + 499);
		});
	}

	#[test]
	fn after_the_span_ends_a_new_offence_pays_again() {
		ExtBuilder::default().build_and_execute(|| {
			report(None, deviation(11, 6));
			run_to_block(50);
			report(None, deviation(11, 6));
			assert_eq!(pending_ids(), Vec::<SlashId>::new(), "still the first span: covered");
			run_to_block(51);
			report(None, deviation(11, 6));
			assert_eq!(pending_ids(), vec![1]);
			assert_eq!(Offenders::<Test>::get(SlashTarget::Operator(11)).unwrap().span_index, 1);
			run_to_block(61);
			// 2% of 10_000, then 2% of 9_800.
			assert_eq!(bond(11), OPERATOR_BOND - 200 - 196);
		});
	}

	#[test]
	fn an_offender_at_its_pending_bound_has_its_latest_slash_raised() {
		ExtBuilder::default().build_and_execute(|| {
			for percent in [3, 6, 9] {
				report(None, deviation(11, percent));
			}
			assert_eq!(pending_ids(), vec![0, 1, 2]);
			slashing_events();
			// The bound is 3: a fourth, larger report raises slash 2 from 3% to 10% of the span.
			report(None, deviation(11, 60));
			let raised = PendingSlashes::<Test>::get(2).unwrap();
			let fraction =
				math::span_increment(Perbill::from_percent(2), Perbill::from_percent(10));
			assert_eq!(raised.fraction, fraction);
			assert_eq!(raised.offence, deviation(11, 60));
			assert_eq!(raised.apply_at, 11, "raising does not postpone");
			assert_eq!(
				slashing_events(),
				vec![Event::SlashRaised { id: 2, offence: deviation(11, 60), fraction }]
			);
			run_to_block(11);
			// The span's maximum, 10% of 10_000, less rounding.
			let taken = OPERATOR_BOND - bond(11);
			assert!((998..=1_000).contains(&taken), "took {taken}");
		});
	}
}

mod cancel {
	use super::*;

	#[test]
	fn cancelling_covers_pending_and_later_larger_reports_of_the_span_while_others_apply() {
		ExtBuilder::default().build_and_execute(|| {
			report(Some(1), deviation(11, 6));
			report(Some(1), deviation(12, 6));
			run_to_block(3);
			slashing_events();
			assert_ok!(Slashing::cancel_slashes(RuntimeOrigin::root(), SlashTarget::Operator(11)));
			assert_eq!(
				slashing_events(),
				vec![
					Event::SlashCancelled { id: 0, offender: SlashTarget::Operator(11) },
					Event::SpanCancelled { offender: SlashTarget::Operator(11), until: 51 },
				]
			);
			// A later, larger report in the same span is covered by the cancel.
			run_to_block(5);
			report(Some(1), deviation(11, 30));
			assert_eq!(
				slashing_events(),
				vec![Event::OffenceCovered {
					offender: SlashTarget::Operator(11),
					offence: deviation(11, 30),
					cancelled: true,
				}]
			);
			assert_eq!(pending_ids(), vec![1]);

			run_to_block(30);
			assert_eq!(bond(11), OPERATOR_BOND, "nothing cancelled is ever applied");
			assert_eq!(bond(12), OPERATOR_BOND - 200, "the other offender's slash applied");
			assert_eq!(free(1), ENDOWMENT + 20);
			assert_eq!(free(FUND_BASE + u64::from(BTC)), 180);
			assert_eq!(Queue::<Test>::get().head, 2);
		});
	}

	#[test]
	fn a_new_span_after_a_cancelled_one_is_slashed_again() {
		ExtBuilder::default().build_and_execute(|| {
			report(None, deviation(11, 6));
			assert_ok!(Slashing::cancel_slashes(RuntimeOrigin::root(), SlashTarget::Operator(11)));
			run_to_block(51);
			report(None, deviation(11, 6));
			run_to_block(61);
			assert_eq!(bond(11), OPERATOR_BOND - 200);
		});
	}

	#[test]
	fn cancel_errors() {
		ExtBuilder::default().build_and_execute(|| {
			assert_noop!(
				Slashing::cancel_slashes(RuntimeOrigin::root(), SlashTarget::Operator(11)),
				Error::<Test>::NothingToCancel
			);
			report(None, deviation(11, 6));
			assert_ok!(Slashing::cancel_slashes(RuntimeOrigin::root(), SlashTarget::Operator(11)));
			assert_noop!(
				Slashing::cancel_slashes(RuntimeOrigin::root(), SlashTarget::Operator(11)),
				Error::<Test>::NothingToCancel
			);
			// A span that applied and ended has nothing left to cancel.
			report(None, deviation(12, 6));
			run_to_block(60);
			assert_eq!(bond(12), OPERATOR_BOND - 200);
			assert_noop!(
				Slashing::cancel_slashes(RuntimeOrigin::root(), SlashTarget::Operator(12)),
				Error::<Test>::NothingToCancel
			);
		});
	}
}

mod apply {
	use super::*;

	#[test]
	fn applying_is_bounded_per_block_and_resumes_next_block() {
		ExtBuilder::default().build_and_execute(|| {
			for operator in [11, 12, 13] {
				report(None, deviation(operator, 6));
			}
			assert_ok!(governance(SlashTarget::Vault(BTC), 1, None));
			assert_ok!(governance(SlashTarget::Vault(ETH), 1, None));
			assert_eq!(pending_ids(), vec![0, 1, 2, 3, 4]);

			run_to_block(10);
			assert_eq!(Queue::<Test>::get().head, 0);
			// MaxSlashesPerBlock is 3.
			System::set_block_number(11);
			assert_eq!(Slashing::apply_due(11), 3);
			assert_eq!(pending_ids(), vec![3, 4]);
			System::set_block_number(12);
			assert_eq!(Slashing::apply_due(12), 2);
			assert_eq!(pending_ids(), Vec::<SlashId>::new());
			assert_eq!(Queue::<Test>::get(), QueueState { next_id: 5, head: 5 });
			assert_eq!(free(VAULT_BASE + u64::from(ETH)), VAULT_STAKE - 1_000);
			// An empty queue reads nothing.
			assert_eq!(Slashing::apply_due(13), 0);
		});
	}

	#[test]
	fn cancelled_slashes_are_skipped_and_count_toward_the_bound() {
		ExtBuilder::default().build_and_execute(|| {
			for operator in [11, 12, 13] {
				report(None, deviation(operator, 6));
			}
			assert_ok!(governance(SlashTarget::Vault(BTC), 1, None));
			assert_ok!(Slashing::cancel_slashes(RuntimeOrigin::root(), SlashTarget::Operator(12)));
			System::set_block_number(11);
			assert_eq!(Slashing::apply_due(11), 3);
			assert_eq!(pending_ids(), vec![3]);
			assert_eq!(bond(12), OPERATOR_BOND);
			assert_eq!(bond(13), OPERATOR_BOND - 200);
		});
	}

	#[test]
	fn the_hook_stops_at_the_first_slash_not_yet_due() {
		ExtBuilder::default().build_and_execute(|| {
			report(None, deviation(11, 6));
			run_to_block(5);
			report(None, deviation(12, 6));
			run_to_block(11);
			assert_eq!(pending_ids(), vec![1]);
			assert_eq!(Queue::<Test>::get().head, 1);
			run_to_block(15);
			assert_eq!(pending_ids(), Vec::<SlashId>::new());
		});
	}

	#[test]
	fn a_slash_that_cannot_execute_is_dropped_and_the_queue_goes_on() {
		ExtBuilder::default().build_and_execute(|| {
			report(None, deviation(11, 6));
			run_to_block(3);
			report(None, deviation(12, 6));
			SlashesFail::set(true);
			run_to_block(11);
			// (Events drop the text of `DispatchError::Other`.)
			assert!(slashing_events().iter().any(|e| matches!(
				e,
				Event::SlashFailed {
					id: 0,
					offender: SlashTarget::Operator(11),
					error: DispatchError::Other(_)
				}
			)));
			SlashesFail::set(false);
			run_to_block(13);
			assert_eq!(bond(11), OPERATOR_BOND);
			assert_eq!(bond(12), OPERATOR_BOND - 200);
			assert_eq!(Offenders::<Test>::get(SlashTarget::Operator(11)).unwrap().pending.len(), 0);
		});
	}

	#[test]
	fn dust_an_empty_fund_cannot_take_waits_and_goes_with_its_next_proceeds() {
		ExtBuilder::default().build_and_execute(|| {
			// 0.05% of 10_000 is 5, below the existential deposit of 10.
			assert_ok!(Slashing::governance_slash(
				RuntimeOrigin::root(),
				SlashTarget::Operator(11),
				Perbill::from_parts(500_000),
				Default::default(),
				None,
			));
			run_to_block(11);
			assert!(
				slashing_events().contains(&Event::ProceedsUndelivered { market: None, amount: 5 })
			);
			assert_eq!(free(GLOBAL_FUND), 0);
			assert_eq!(free(Slashing::account_id()), ED + 5);
			assert_eq!(UndeliveredProceeds::<Test>::get(None::<MarketId>), 5);

			report(None, OffenceKind::OracleLiveness { operator: 12, missed: 10 });
			run_to_block(21);
			assert_eq!(free(GLOBAL_FUND), 55);
			assert_eq!(free(Slashing::account_id()), ED);
			assert_eq!(UndeliveredProceeds::<Test>::get(None::<MarketId>), 0);
		});
	}

	#[test]
	fn a_reward_the_reporter_cannot_receive_goes_to_insurance() {
		ExtBuilder::default().build_and_execute(|| {
			// 10% of a 50 slash is 5: account 77 does not exist and cannot be opened with 5.
			report(Some(77), OffenceKind::OracleLiveness { operator: 12, missed: 10 });
			run_to_block(11);
			assert_eq!(free(77), 0);
			assert_eq!(free(GLOBAL_FUND), 50);
			assert!(slashing_events().contains(&Event::SlashApplied {
				id: 0,
				offender: SlashTarget::Operator(12),
				amount: 50,
				reporter: Some(77),
				reporter_reward: 0,
				market: None,
				insurance: 50,
			}));
		});
	}
}

mod schedule {
	use super::*;

	#[test]
	fn the_risk_origin_sets_the_schedule_within_bounds() {
		ExtBuilder::default().build_and_execute(|| {
			let schedule =
				SlashSchedule { reporter_share: Perbill::from_percent(25), ..Default::default() };
			assert_ok!(Slashing::set_schedule(RuntimeOrigin::root(), schedule));
			assert_eq!(Schedule::<Test>::get(), schedule);
			assert_eq!(slashing_events(), vec![Event::ScheduleUpdated { schedule }]);
			let too_generous =
				SlashSchedule { reporter_share: Perbill::from_percent(60), ..Default::default() };
			assert_noop!(
				Slashing::set_schedule(RuntimeOrigin::root(), too_generous),
				Error::<Test>::InvalidSchedule
			);
		});
	}

	#[test]
	fn the_integrity_test_accepts_the_mock() {
		ExtBuilder::default().build().execute_with(Slashing::integrity_test);
	}

	#[test]
	#[should_panic(expected = "operators must not leave before their pending slashes apply")]
	fn the_integrity_test_refuses_operators_unbonding_within_the_deferral() {
		OperatorUnbonding::set(SlashDeferDuration::get());
		Slashing::integrity_test();
	}

	#[test]
	#[should_panic(expected = "vault stake must not leave before pending slashes apply")]
	fn the_integrity_test_refuses_vaults_unbonding_within_the_deferral() {
		VaultUnbonding::set(SlashDeferDuration::get() - 1);
		Slashing::integrity_test();
	}
}

mod api {
	use super::*;

	#[test]
	fn pending_slashes_show_offender_estimate_and_apply_block() {
		ExtBuilder::default().build_and_execute(|| {
			report(Some(1), deviation(11, 6));
			run_to_block(4);
			assert_ok!(governance(SlashTarget::Vault(ETH), 5, None));
			let views = Slashing::api_pending_slashes();
			assert_eq!(views.len(), 2);
			assert_eq!(views[0].offender, SlashTarget::Operator(11));
			assert_eq!(views[0].amount_estimate, 200);
			assert_eq!(views[0].apply_at, 11);
			assert_eq!(views[0].reporter, Some(1));
			assert_eq!(views[1].offender, SlashTarget::Vault(ETH));
			assert_eq!(views[1].amount_estimate, 5_000);
			assert_eq!(views[1].market, Some(ETH));
			assert_eq!(views[1].apply_at, 14);
		});
	}
}
