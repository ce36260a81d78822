//! Slashing on the composed runtime: oracle offences become deferred slashes of real bonds, the
//! council cancels or lets them apply, proceeds reach the insurance funds; vault slashes reach
//! unbonding stakers; pallet-staking's validator slashes are deferred and cancelled under the
//! same council.

use super::{acc, dev_ext, pass_council_motion};
use crate::{
	configs::bulwark::SlashDeferDuration, AccountId, Busd, Insurance, Oracle, Runtime, RuntimeCall,
	RuntimeOrigin, Slashing, Staking, System, Vaults, BUSD,
};
use bulwark_primitives::{InsuranceFund, OffenceKind, Price, SlashTarget};
use frame_support::traits::Get as _;
use frame_support::{
	assert_noop, assert_ok,
	traits::{
		fungible::{Inspect, InspectHold},
		Hooks,
	},
};
use pallet_bulwark_slashing::PendingSlashes;
use sp_keyring::Sr25519Keyring::{Bob, Charlie, Dave, Eve, Ferdie};
use sp_runtime::{traits::Zero, DispatchError, Perbill};
use sp_staking::offence::OffenceDetails;

const BOND: u128 = 10_000 * BUSD;
const BTC: bulwark_primitives::MarketId = 0;

fn bond_of(who: &AccountId) -> u128 {
	Busd::balance_on_hold(&pallet_bulwark_oracle::HoldReason::OperatorBond.into(), who)
}

/// Runs the oracle's and the slashing pallet's hooks up to block `n`, in runtime order.
fn run_to_block(n: u32) {
	while System::block_number() < n {
		let next = System::block_number() + 1;
		System::set_block_number(next);
		Oracle::on_initialize(next);
		Slashing::on_initialize(next);
	}
}

fn next_round() {
	let length = crate::configs::bulwark::OracleRoundLength::get();
	run_to_block((System::block_number() / length + 1) * length);
}

#[test]
fn a_deviating_operator_is_slashed_after_the_deferral_unless_the_council_cancels() {
	dev_ext().execute_with(|| {
		let operators = [acc(Charlie), acc(Dave), acc(Eve), acc(Ferdie)];
		for operator in &operators {
			assert_ok!(Oracle::register_operator(RuntimeOrigin::signed(operator.clone()), BOND));
		}
		let issuance = Busd::total_issuance();
		let fund = <Insurance as InsuranceFund<AccountId>>::fund_account(BTC);
		assert!(Busd::balance(&fund).is_zero());

		// Operators are expected from the round after they register.
		next_round();
		let round = Oracle::current_round();
		let prices = [100, 100, 110, 90];
		for (operator, price) in operators.iter().zip(prices) {
			assert_ok!(Oracle::submit(
				RuntimeOrigin::signed(operator.clone()),
				round,
				vec![(BTC, Price::from_u32(price))].try_into().unwrap()
			));
		}
		next_round();
		let reported_at = System::block_number();
		// Everyone leaves at once (so no liveness offences follow): the bonds unbond for longer
		// than the deferral and stay slashable meanwhile.
		for operator in &operators {
			assert_ok!(Oracle::unregister(RuntimeOrigin::signed(operator.clone())));
		}

		// Eve (110) and Ferdie (90) are 10% off the median of 100: 1% x 10/3 of their bonds.
		let pending = Slashing::api_pending_slashes();
		assert_eq!(pending.len(), 2);
		let fraction = Perbill::from_parts(33_333_333);
		let expected = fraction.mul_floor(BOND);
		// Reported in account order (at most one deviation per operator and round).
		let mut deviators = [acc(Eve), acc(Ferdie)];
		deviators.sort();
		for (view, who) in pending.iter().zip(deviators) {
			assert_eq!(view.offender, SlashTarget::Operator(who.clone()));
			assert!(matches!(
				view.offence,
				OffenceKind::OracleDeviation { ref operator, market: BTC, .. } if *operator == who
			));
			assert_eq!(view.fraction, fraction);
			assert_eq!(view.amount_estimate, expected);
			assert_eq!(view.apply_at, reported_at + SlashDeferDuration::get());
			assert_eq!(view.market, Some(BTC));
		}

		// A signed account cannot cancel; the council's two-thirds motion cancels Eve's.
		assert_noop!(
			Slashing::cancel_slashes(
				RuntimeOrigin::signed(acc(Eve)),
				SlashTarget::Operator(acc(Eve))
			),
			DispatchError::BadOrigin
		);
		pass_council_motion(RuntimeCall::Slashing(pallet_bulwark_slashing::Call::cancel_slashes {
			offender: SlashTarget::Operator(acc(Eve)),
		}));
		assert_eq!(Slashing::api_pending_slashes().len(), 1);

		run_to_block(reported_at + SlashDeferDuration::get() - 1);
		assert_eq!(bond_of(&acc(Ferdie)), BOND, "deferred: nothing moved yet");
		assert_noop!(
			Oracle::withdraw_bond(RuntimeOrigin::signed(acc(Ferdie))),
			pallet_bulwark_oracle::Error::<Runtime>::StillUnbonding
		);
		run_to_block(reported_at + SlashDeferDuration::get());

		assert_eq!(bond_of(&acc(Eve)), BOND, "cancelled: never applied");
		assert_eq!(bond_of(&acc(Ferdie)), BOND - expected);
		assert_eq!(
			pallet_bulwark_oracle::Operators::<Runtime>::get(acc(Ferdie)).unwrap().bond,
			BOND - expected
		);
		// The oracle reports without a reporter: all of it reaches BTC's insurance fund.
		assert_eq!(Busd::balance(&fund), expected);
		assert_eq!(Busd::balance(&Slashing::account_id()), Busd::minimum_balance());
		assert_eq!(Busd::total_issuance(), issuance, "a slash moves bUSD, it does not burn it");
		assert!(PendingSlashes::<Runtime>::count().is_zero());
	});
}

#[test]
fn a_council_slash_of_a_vault_reaches_unbonding_stakers_and_pays_the_whistleblower() {
	dev_ext().execute_with(|| {
		let dave = acc(Dave);
		assert_ok!(Vaults::stake(RuntimeOrigin::signed(dave.clone()), BTC, 1_000 * BUSD, 0));
		let shares = Vaults::api_staker(BTC, &dave).unwrap().active_shares;
		assert_ok!(Vaults::request_unstake(RuntimeOrigin::signed(dave.clone()), BTC, shares / 2));
		let bob_before = Busd::balance(&acc(Bob));

		// A single member cannot slash.
		assert_noop!(
			Slashing::governance_slash(
				RuntimeOrigin::signed(acc(Bob)),
				SlashTarget::Vault(BTC),
				Perbill::from_percent(10),
				Default::default(),
				None,
			),
			DispatchError::BadOrigin
		);
		pass_council_motion(RuntimeCall::Slashing(
			pallet_bulwark_slashing::Call::governance_slash {
				target: SlashTarget::Vault(BTC),
				fraction: Perbill::from_percent(10),
				reason: b"vault operator fraud".to_vec().try_into().unwrap(),
				reporter: Some(acc(Bob)),
			},
		));
		let held = Vaults::api_vault(BTC).nav;
		run_to_block(1 + SlashDeferDuration::get());

		// 10% of the vault (Dave's stake plus the first staker's existential deposit).
		let slashed = held / 10;
		let view = Vaults::api_staker(BTC, &dave).unwrap();
		assert_eq!(view.unbonding.len(), 1, "the chunk is still unbonding");
		assert!(view.value <= 900 * BUSD && view.value + 2 >= 900 * BUSD, "value {}", view.value);
		assert_eq!(Busd::balance(&acc(Bob)), bob_before + slashed / 10);
		let fund = <Insurance as InsuranceFund<AccountId>>::fund_account(BTC);
		assert_eq!(Busd::balance(&fund), slashed - slashed / 10);
		// The unbonding chunk still cannot be withdrawn: it unlocks after the slash applied.
		assert_noop!(
			Vaults::withdraw(RuntimeOrigin::signed(dave.clone()), BTC, 0),
			pallet_bulwark_vaults::Error::<Runtime>::NothingToWithdraw
		);
	});
}

#[test]
fn operators_and_vault_stakers_cannot_leave_before_a_pending_slash_applies() {
	dev_ext().execute_with(|| {
		use pallet_bulwark_slashing::Config;
		let defer = SlashDeferDuration::get();
		assert!(<<Runtime as Config>::OperatorBonds as bulwark_primitives::Slashable<_, _>>::unbonding_period() > defer);
		assert!(
			<<Runtime as Config>::Vaults as bulwark_primitives::Slashable<_, _>>::unbonding_period()
				> defer
		);
		<Slashing as Hooks<u32>>::integrity_test();
		// The whole escape window: report latency + deferral + worst backlog, within unbonding.
		let window = Slashing::escape_window();
		assert_eq!(window, 2 + defer + 1024 / 64);
		assert!(window < crate::configs::bulwark::OperatorUnbondingPeriod::get());
		assert!(window < crate::configs::bulwark::VaultUnbondingPeriod::get());
		// Every possible offender (64 operators, 32 vaults) can fill its own list of 8 without
		// filling the queue, so a first report is never refused for room.
		use frame_support::traits::Get;
		let max_pending: u32 = <Runtime as Config>::MaxPendingSlashes::get();
		let per_offender: u32 = <Runtime as Config>::MaxPendingPerOffender::get();
		let operators: u32 = <Runtime as pallet_bulwark_oracle::Config>::MaxOperators::get();
		let markets: u32 = <Runtime as pallet_bulwark_oracle::Config>::MaxMarkets::get();
		assert!(max_pending >= per_offender * (operators + markets));
	});
}

/// Reports a 10% offence of the dev validator, Alice, to pallet-staking; returns Alice, her
/// active stake before it, and the era the deferred slash applies in.
fn alice_offends() -> (AccountId, u128, u32) {
	let alice = acc(sp_keyring::Sr25519Keyring::Alice);
	let era = pallet_staking::ActiveEra::<Runtime>::get().expect("genesis starts era 0").index;
	// The presets make no validator invulnerable (an invulnerable's offence would not count).
	assert_eq!(pallet_staking::Invulnerables::<Runtime>::get(), vec![]);
	let stake = pallet_staking::Ledger::<Runtime>::get(&alice).unwrap().active;
	Staking::on_offence(
		core::iter::once(OffenceDetails { offender: alice.clone(), reporters: vec![] }),
		&[Perbill::from_percent(10)],
		0,
	);
	(alice, stake, era + crate::configs::staking::SlashDeferDuration::get() + 1)
}

#[test]
fn validator_slashes_are_deferred_and_cancelled_by_the_same_council() {
	dev_ext().execute_with(|| {
		let (alice, stake, apply_era) = alice_offends();
		assert_eq!(pallet_staking::UnappliedSlashes::<Runtime>::get(apply_era).len(), 1);
		assert_eq!(
			pallet_staking::Ledger::<Runtime>::get(&alice).unwrap().active,
			stake,
			"deferred: the stake is intact"
		);

		// Only the risk origin cancels: not an account, not one council member.
		let cancel = || pallet_staking::Call::<Runtime>::cancel_deferred_slash {
			era: apply_era,
			slash_indices: vec![0],
		};
		assert_noop!(
			Staking::cancel_deferred_slash(
				RuntimeOrigin::signed(alice.clone()),
				apply_era,
				vec![0]
			),
			DispatchError::BadOrigin
		);
		type Collective = pallet_collective::RawOrigin<AccountId, crate::RiskCouncilInstance>;
		assert_noop!(
			Staking::cancel_deferred_slash(
				RuntimeOrigin::from(Collective::Members(1, 3)),
				apply_era,
				vec![0]
			),
			DispatchError::BadOrigin
		);
		pass_council_motion(RuntimeCall::Staking(cancel()));
		assert!(pallet_staking::UnappliedSlashes::<Runtime>::get(apply_era).is_empty());
	});
}

#[test]
fn the_council_cancels_a_validator_slash_by_validator_when_positions_shift() {
	dev_ext().execute_with(|| {
		let bob = acc(Bob);
		// A real offence of the dev validator, Alice...
		let (alice, stake, apply_era) = alice_offends();
		// ...and a second validator's deferred slash in the same era, after hers.
		pallet_staking::UnappliedSlashes::<Runtime>::mutate(apply_era, |slashes| {
			slashes.push(pallet_staking::UnappliedSlash {
				validator: bob.clone(),
				own: 5 * BUSD,
				others: vec![],
				reporters: vec![],
				payout: 0,
			})
		});
		let validators = || -> Vec<AccountId> {
			pallet_staking::UnappliedSlashes::<Runtime>::get(apply_era)
				.into_iter()
				.map(|s| s.validator)
				.collect()
		};
		assert_eq!(validators(), vec![alice.clone(), bob.clone()]);

		// Review case: a motion drafted as "cancel index 1" (Bob) executes after another
		// cancel removed index 0: Bob's slash is now index 0 and the motion cannot find it.
		// By validator, each motion cancels exactly its validator's slash.
		assert_noop!(
			Slashing::cancel_validator_slash(
				RuntimeOrigin::signed(bob.clone()),
				apply_era,
				bob.clone()
			),
			DispatchError::BadOrigin
		);
		pass_council_motion(RuntimeCall::Slashing(
			pallet_bulwark_slashing::Call::cancel_validator_slash {
				era: apply_era,
				validator: alice.clone(),
			},
		));
		assert_eq!(validators(), vec![bob.clone()]);
		assert_noop!(
			Staking::cancel_deferred_slash(RuntimeOrigin::root(), apply_era, vec![1]),
			pallet_staking::Error::<Runtime>::InvalidSlashIndex
		);
		pass_council_motion(RuntimeCall::Slashing(
			pallet_bulwark_slashing::Call::cancel_validator_slash {
				era: apply_era,
				validator: bob.clone(),
			},
		));
		assert!(validators().is_empty());
		assert!(System::events().iter().any(|r| matches!(
			&r.event,
			crate::RuntimeEvent::Slashing(pallet_bulwark_slashing::Event::ValidatorSlashCancelled {
				validator, count: 1, ..
			}) if *validator == bob
		)));
		// Nothing left to cancel is an error, not a silent success.
		assert_noop!(
			Slashing::cancel_validator_slash(RuntimeOrigin::root(), apply_era, alice.clone()),
			pallet_bulwark_slashing::Error::<Runtime>::NoValidatorSlash
		);
		assert_eq!(pallet_staking::Ledger::<Runtime>::get(&alice).unwrap().active, stake);
	});
}

#[test]
fn a_vault_withdrawal_waits_for_a_pending_council_slash() {
	dev_ext().execute_with(|| {
		let dave = acc(Dave);
		assert_ok!(Vaults::stake(RuntimeOrigin::signed(dave.clone()), BTC, 1_000 * BUSD, 0));
		let shares = Vaults::api_staker(BTC, &dave).unwrap().active_shares;
		assert_ok!(Vaults::request_unstake(RuntimeOrigin::signed(dave.clone()), BTC, shares));
		let matures = 1 + crate::configs::bulwark::VaultUnbondingPeriod::get();
		// The council reports a 10% slash of the vault shortly before the chunk matures.
		run_to_block(matures - 5);
		pass_council_motion(RuntimeCall::Slashing(
			pallet_bulwark_slashing::Call::governance_slash {
				target: SlashTarget::Vault(BTC),
				fraction: Perbill::from_percent(10),
				reason: b"vault operator fraud".to_vec().try_into().unwrap(),
				reporter: None,
			},
		));
		let applies = System::block_number() + SlashDeferDuration::get();
		assert!(applies > matures);
		// Matured, but the slash is pending: the stake stays.
		run_to_block(matures);
		assert_noop!(
			Vaults::withdraw(RuntimeOrigin::signed(dave.clone()), BTC, 0),
			pallet_bulwark_vaults::Error::<Runtime>::SlashPending
		);
		// New stake does not buy into the known slash either.
		assert_noop!(
			Vaults::stake(RuntimeOrigin::signed(acc(Eve)), BTC, 100 * BUSD, 0),
			pallet_bulwark_vaults::Error::<Runtime>::SlashPending
		);
		run_to_block(applies);
		let before = Busd::balance(&dave);
		assert_ok!(Vaults::withdraw(RuntimeOrigin::signed(dave.clone()), BTC, 0));
		let paid = Busd::balance(&dave) - before;
		assert!(paid <= 900 * BUSD && paid + 2 >= 900 * BUSD, "paid {paid}");
	});
}
