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
	fn with_the_queue_full_a_report_merges_or_is_refused_without_a_pending_slash() {
		ExtBuilder::default().build_and_execute(|| {
			MaxPendingSlashes::set(2);
			report(None, deviation(11, 6));
			report(None, deviation(12, 6));
			// Offender 13 has nothing pending to merge into: refused, nothing written.
			assert_noop!(
				<Slashing as OffenceReporter<_>>::report_offence(None, deviation(13, 6)),
				Error::<Test>::TooManyPendingSlashes
			);
			assert_eq!(pending_ids(), vec![0, 1]);
			// Offender 11's larger report is not lost: it merges into its pending slash.
			run_to_block(5);
			report(None, deviation(11, 15));
			assert_eq!(pending_ids(), vec![1, 2]);
			run_to_block(11);
			assert_eq!(bond(12), OPERATOR_BOND - 200);
			assert_eq!(bond(11), OPERATOR_BOND, "the merged slash has a fresh deferral");
			run_to_block(15);
			// 2% merged with the increment to 5%: 5% in all, less rounding.
			let taken = OPERATOR_BOND - bond(11);
			assert!((499..=500).contains(&taken), "took {taken}");
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
					Slashing::set_schedule(origin.clone(), SlashSchedule::default()),
					DispatchError::BadOrigin
				);
				assert_noop!(
					Slashing::cancel_validator_slash(origin, 3, 77),
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
					after_cancel: false,
				}]
			);
			// A larger one adds the increment from 2% to 5%: 3% of the original bond is
			// 3/98 of what the first slash leaves.
			run_to_block(4);
			report(Some(1), deviation(11, 15)); // 5%
			assert_eq!(pending_ids(), vec![0, 1]);
			let second = Slashing::pending_slash(1).unwrap();
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
	fn an_offender_at_its_pending_bound_has_its_latest_slash_raised_with_a_fresh_deferral() {
		ExtBuilder::default().build_and_execute(|| {
			for percent in [3, 6, 9] {
				report(Some(1), deviation(11, percent));
			}
			assert_eq!(pending_ids(), vec![0, 1, 2]);
			let before = Slashing::pending_slash(2).unwrap();
			slashing_events();
			// The bound is 3: a fourth, larger report (from another reporter, in another market)
			// merges into slash 2, lifting the span from 3% to 10%.
			run_to_block(5);
			let larger = OffenceKind::OracleDeviation {
				operator: 11,
				market: ETH,
				round: 4,
				deviation: Perbill::from_percent(60),
			};
			report(Some(2), larger.clone());
			assert_eq!(pending_ids(), vec![0, 1, 3]);
			let raised = Slashing::pending_slash(3).unwrap();
			let fraction = math::compose(
				before.fraction,
				math::span_increment(Perbill::from_percent(3), Perbill::from_percent(10)),
			);
			assert_eq!(raised.fraction, fraction);
			// Review case: a raise kept the old apply block (a larger amount could apply the
			// next block) and overwrote the earlier reporter and market.
			assert_eq!(raised.apply_at, 15, "a raise gets a fresh deferral");
			assert_eq!(raised.reporter, Some(1), "the first reporter keeps its reward");
			assert_eq!(raised.offence, deviation(11, 9), "the first offence names the fund");
			assert_eq!(
				slashing_events(),
				vec![Event::SlashRaised {
					id: 3,
					previous: 2,
					offence: larger,
					fraction,
					apply_at: 15
				}]
			);
			run_to_block(11);
			assert_eq!(Slashing::pending_slash(3).map(|s| s.apply_at), Some(15));
			run_to_block(15);
			// The span's maximum, 10% of 10_000, less rounding.
			let taken = OPERATOR_BOND - bond(11);
			assert!((998..=1_000).contains(&taken), "took {taken}");
			assert!(free(2) == ENDOWMENT, "the later reporter is not paid");
		});
	}

	#[test]
	fn a_report_in_a_new_span_merges_into_a_list_full_of_the_old_span() {
		ExtBuilder::default().build_and_execute(|| {
			// Review case: reports past MaxPendingPerOffender were refused when the latest
			// pending slash was of an earlier span (and the oracle only logged it): filling the
			// list late in a span made the next span's offences vanish. A 5-block span here, so
			// that the first span's three slashes are still pending when the next span starts.
			SpanLength::set(5);
			for percent in [3, 6, 9] {
				report(None, deviation(11, percent));
			}
			run_to_block(7);
			report(None, deviation(11, 30)); // 10% in span 1
			let record = Offenders::<Test>::get(SlashTarget::Operator(11)).unwrap();
			assert_eq!((record.span_index, record.pending.len()), (1, 3));
			let merged = Slashing::pending_slash(record.pending[2]).unwrap();
			assert_eq!((merged.span_index, merged.apply_at), (1, 17));
			run_to_block(17);
			// Span 0 takes 3%, span 1 another 10% of what is left: 1 - 0.97 x 0.9 = 12.7%.
			let taken = OPERATOR_BOND - bond(11);
			assert!((1_268..=1_270).contains(&taken), "took {taken}");
		});
	}

	#[test]
	fn stake_with_a_pending_slash_is_reported_pending_until_it_applies_or_is_cancelled() {
		ExtBuilder::default().build_and_execute(|| {
			use bulwark_primitives::SlashPending;
			let pending = |o| <Slashing as SlashPending<AccountId>>::slash_pending(&o);
			assert!(!pending(SlashTarget::Operator(11)));
			report(None, deviation(11, 6));
			assert_ok!(governance(SlashTarget::Vault(BTC), 1, None));
			assert!(pending(SlashTarget::Operator(11)));
			assert!(pending(SlashTarget::Vault(BTC)));
			assert!(!pending(SlashTarget::Vault(ETH)));
			assert_ok!(Slashing::cancel_slashes(RuntimeOrigin::root(), SlashTarget::Vault(BTC)));
			assert!(!pending(SlashTarget::Vault(BTC)));
			run_to_block(11);
			assert!(!pending(SlashTarget::Operator(11)));
		});
	}

	#[test]
	fn busd_sent_to_the_transit_account_does_not_break_the_invariants() {
		ExtBuilder::default().build_and_execute(|| {
			assert_ok!(Balances::transfer_keep_alive(
				RuntimeOrigin::signed(1),
				Slashing::account_id(),
				100
			));
			report(None, deviation(11, 6));
			run_to_block(11);
			assert_ok!(Slashing::do_try_state());
		});
	}
}

mod cancel {
	use super::*;

	#[test]
	fn cancelling_covers_what_was_pending_and_a_later_larger_report_slashes_the_excess() {
		ExtBuilder::default().build_and_execute(|| {
			report(Some(1), deviation(11, 6)); // 2%
			report(Some(1), deviation(12, 6));
			run_to_block(3);
			slashing_events();
			assert_ok!(Slashing::cancel_slashes(RuntimeOrigin::root(), SlashTarget::Operator(11)));
			assert_eq!(
				slashing_events(),
				vec![Event::SlashCancelled { id: 0, offender: SlashTarget::Operator(11) }]
			);
			// As large as the cancelled one: covered by the cancel.
			report(Some(1), deviation(11, 6));
			assert_eq!(
				slashing_events(),
				vec![Event::OffenceCovered {
					offender: SlashTarget::Operator(11),
					offence: deviation(11, 6),
					after_cancel: true,
				}]
			);
			// Review case: the cancel locked out the rest of the span. A larger report (5%)
			// slashes what it exceeds the cancelled 2% by: 3%.
			run_to_block(5);
			report(Some(1), deviation(11, 15));
			assert_eq!(pending_ids(), vec![1, 2]);
			let slash = Slashing::pending_slash(2).unwrap();
			assert_eq!(slash.fraction, Perbill::from_percent(3));

			run_to_block(30);
			assert_eq!(bond(11), OPERATOR_BOND - 300, "the excess over the cancelled slash");
			assert_eq!(bond(12), OPERATOR_BOND - 200, "the other offender's slash applied");
			assert_eq!(Queue::<Test>::get().head, 3);
		});
	}

	#[test]
	fn a_governance_slash_after_a_cancel_is_never_silently_dropped() {
		ExtBuilder::default().build_and_execute(|| {
			// Review case: after a cancel, governance_slash returned Ok and queued nothing for
			// the rest of the span, which outlasts unbonding.
			report(None, deviation(11, 30)); // 10%
			assert_ok!(Slashing::cancel_slashes(RuntimeOrigin::root(), SlashTarget::Operator(11)));
			slashing_events();
			// The council decides on 5% after all: the cancelled 10% does not cover it.
			assert_ok!(governance(SlashTarget::Operator(11), 5, None));
			assert_eq!(pending_ids(), vec![1]);
			assert_eq!(Slashing::pending_slash(1).unwrap().fraction, Perbill::from_percent(5));
			// A second governance slash at or below what the span takes is refused, loudly.
			assert_noop!(
				governance(SlashTarget::Operator(11), 5, None),
				Error::<Test>::AlreadySlashedInSpan
			);
			// A larger one takes the rest up to its fraction.
			assert_ok!(governance(SlashTarget::Operator(11), 8, None));
			run_to_block(12);
			// 5% of 10_000, then 3/95 of 9_500: 8% in all, less rounding.
			let taken = OPERATOR_BOND - bond(11);
			assert!((799..=800).contains(&taken), "took {taken}");
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
			// A slash that applied has nothing left to cancel.
			report(None, deviation(12, 6));
			run_to_block(60);
			assert_eq!(bond(12), OPERATOR_BOND - 200);
			assert_noop!(
				Slashing::cancel_slashes(RuntimeOrigin::root(), SlashTarget::Operator(12)),
				Error::<Test>::NothingToCancel
			);
		});
	}

	#[test]
	fn a_validator_slash_is_cancelled_by_validator_not_by_position() {
		ExtBuilder::default().build_and_execute(|| {
			// Era 3 holds slashes of validators 70, 71, 72 in that order. A motion to cancel
			// 72's slash drafted as "index 2" would hit nothing (or another validator) once
			// 70's is cancelled first; by validator it always finds the right one.
			ValidatorSlashList::set([(3, vec![70, 71, 72])].into());
			assert_ok!(Slashing::cancel_validator_slash(RuntimeOrigin::root(), 3, 70));
			assert_ok!(Slashing::cancel_validator_slash(RuntimeOrigin::root(), 3, 72));
			assert_eq!(ValidatorSlashList::get().get(&3), Some(&vec![71]));
			assert_eq!(
				slashing_events(),
				vec![
					Event::ValidatorSlashCancelled { era: 3, validator: 70, count: 1 },
					Event::ValidatorSlashCancelled { era: 3, validator: 72, count: 1 },
				]
			);
			assert_noop!(
				Slashing::cancel_validator_slash(RuntimeOrigin::root(), 3, 72),
				Error::<Test>::NoValidatorSlash
			);
			assert_noop!(
				Slashing::cancel_validator_slash(RuntimeOrigin::root(), 4, 71),
				Error::<Test>::NoValidatorSlash
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
	fn cancelled_slashes_are_never_read_and_do_not_count_toward_the_bound() {
		ExtBuilder::default().build_and_execute(|| {
			// Review case: holes left by cancelled (and merged) slashes counted against the
			// per-block bound, so a flood of them could delay due slashes past unbonding.
			for operator in [11, 12, 13] {
				report(None, deviation(operator, 6));
			}
			assert_ok!(governance(SlashTarget::Vault(BTC), 1, None));
			assert_ok!(Slashing::cancel_slashes(RuntimeOrigin::root(), SlashTarget::Operator(12)));
			System::set_block_number(11);
			// Three live slashes applied; the cancelled id 1 was skipped without a read.
			assert_eq!(Slashing::apply_due(11), 3);
			assert_eq!(pending_ids(), Vec::<SlashId>::new());
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
	#[should_panic(expected = "operators must not leave before a slash reported and queued")]
	fn the_integrity_test_refuses_operators_unbonding_within_the_escape_window() {
		// Deferral 10 + latency 2 + backlog ceil(20 / 3) = 7: 19 blocks.
		assert_eq!(Slashing::escape_window(), 19);
		OperatorUnbonding::set(19);
		Slashing::integrity_test();
	}

	#[test]
	#[should_panic(expected = "vault stake must not leave before a slash reported and queued")]
	fn the_integrity_test_refuses_vaults_unbonding_within_the_escape_window() {
		// A deferral past the window with the queue's backlog, not without it: 10 + 2 + 7.
		VaultUnbonding::set(19);
		assert!(VaultUnbonding::get() > SlashDeferDuration::get());
		Slashing::integrity_test();
	}

	#[test]
	#[should_panic(expected = "operators must not leave before a slash reported")]
	fn the_integrity_test_refuses_operators_unbonding_within_the_deferral() {
		OperatorUnbonding::set(SlashDeferDuration::get());
		// A chain's genesis sets the periods: try_state checks them too.
		assert!(Slashing::check_periods().is_err());
		Slashing::integrity_test();
	}

	#[test]
	#[should_panic(expected = "vault stake must not leave before a slash reported")]
	fn the_integrity_test_refuses_vaults_unbonding_within_the_deferral() {
		VaultUnbonding::set(SlashDeferDuration::get() - 1);
		assert!(Slashing::check_periods().is_err());
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
