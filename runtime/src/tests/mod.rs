//! Tests of the composed runtime, on the `dev` genesis preset.

mod bad_debt;
mod emergency;
mod fees;
mod governance;
mod options;
mod orders;
mod slashing;
mod staking;
mod timings;

use crate::{
	configs::staking::{BondingDuration, SlashDeferDuration},
	genesis_config_presets::{ENDOWMENT_BUSD, ENDOWMENT_BWK, VALIDATOR_BOND},
	AccountId, Balances, Busd, Council, CouncilMembership, RiskOrigin, Runtime, RuntimeCall,
	RuntimeEvent, RuntimeGenesisConfig, RuntimeOrigin, Session, Staking, System, BUSD,
};
use codec::Encode;
use frame_support::traits::Get as _;
use frame_support::{
	assert_noop, assert_ok,
	dispatch::GetDispatchInfo,
	genesis_builder_helper::build_state,
	traits::{fungible::Inspect, EnsureOrigin},
};
use sp_keyring::Sr25519Keyring::{Alice, Bob, Charlie, Dave, Eve};
use sp_runtime::{traits::Hash, DispatchError, Perbill};

pub(crate) fn dev_ext() -> sp_io::TestExternalities {
	let config =
		crate::genesis_config_presets::full_preset(&sp_genesis_builder::DEV_RUNTIME_PRESET.into())
			.expect("the dev preset exists");
	let mut ext = sp_io::TestExternalities::new_empty();
	ext.execute_with(|| {
		build_state::<RuntimeGenesisConfig>(config).expect("the dev preset builds");
		System::set_block_number(1);
	});
	ext
}

pub(crate) fn acc(k: sp_keyring::Sr25519Keyring) -> AccountId {
	k.to_account_id()
}

/// Runs the oracle's, the margin engine's, the monitor's and the options' hooks block by block
/// up to `block`, in the runtime's order, the clock at one slot a block.
pub(crate) fn run_to(block: u32) {
	use frame_support::traits::Hooks;
	while System::block_number() < block {
		let next = System::block_number() + 1;
		System::set_block_number(next);
		// The clock of an Aura chain: one slot a block.
		let slot: u64 = pallet_bulwark_timings::SlotMillis::<Runtime>::get();
		pallet_timestamp::Now::<Runtime>::put(u64::from(next).saturating_mul(slot));
		crate::Oracle::on_initialize(next);
		crate::Margin::on_initialize(next);
		crate::Monitor::on_initialize(next);
		crate::Options::on_initialize(next);
	}
}

/// The three dev operators (Alice, Bob, Charlie) submit `price` for BTC-USD (market 0) in the
/// current round.
pub(crate) fn submit_btc(price: u32) {
	let round = crate::Oracle::current_round();
	for operator in [acc(Alice), acc(Bob), acc(Charlie)] {
		assert_ok!(crate::Oracle::submit(
			RuntimeOrigin::signed(operator),
			round,
			vec![(0, sp_runtime::FixedU128::from_u32(price))].try_into().unwrap(),
		));
	}
}

#[test]
fn dev_genesis_has_alice_validating_and_the_council_seated() {
	dev_ext().execute_with(|| {
		assert_eq!(Session::validators(), vec![acc(Alice)]);
		assert_eq!(pallet_staking::Validators::<Runtime>::count(), 1);
		assert_eq!(
			Staking::ledger(sp_staking::StakingAccount::Stash(acc(Alice))).map(|l| l.total),
			Ok(VALIDATOR_BOND)
		);
		// Membership keeps members sorted.
		let mut council = vec![acc(Alice), acc(Bob), acc(Charlie), acc(Dave), acc(Eve)];
		council.sort();
		assert_eq!(
			pallet_collective::Members::<Runtime, crate::RiskCouncilInstance>::get(),
			council
		);
		assert_eq!(CouncilMembership::members().into_inner(), council);
		assert_eq!(pallet_sudo::Key::<Runtime>::get(), Some(acc(Alice)));
	});
}

#[test]
fn dev_accounts_hold_both_tokens_in_separate_ledgers() {
	dev_ext().execute_with(|| {
		assert_eq!(Balances::total_balance(&acc(Dave)), ENDOWMENT_BWK);
		assert_eq!(Busd::total_balance(&acc(Dave)), ENDOWMENT_BUSD);

		assert_ok!(Busd::transfer_keep_alive(
			RuntimeOrigin::signed(acc(Dave)),
			acc(Charlie).into(),
			5 * BUSD
		));
		assert_eq!(Busd::total_balance(&acc(Dave)), ENDOWMENT_BUSD - 5 * BUSD);
		assert_eq!(Busd::total_balance(&acc(Charlie)), ENDOWMENT_BUSD + 5 * BUSD);
		// The native token did not move.
		assert_eq!(Balances::total_balance(&acc(Dave)), ENDOWMENT_BWK);
		assert_eq!(Balances::total_balance(&acc(Charlie)), ENDOWMENT_BWK);
	});
}

#[test]
fn risk_origin_is_root_or_two_thirds_of_the_council() {
	dev_ext().execute_with(|| {
		type Collective = pallet_collective::RawOrigin<AccountId, crate::RiskCouncilInstance>;
		let passes = |origin: RuntimeOrigin| {
			<RiskOrigin as EnsureOrigin<RuntimeOrigin>>::try_origin(origin).is_ok()
		};
		assert!(passes(RuntimeOrigin::root()));
		assert!(passes(RuntimeOrigin::from(Collective::Members(2, 3))));
		assert!(passes(RuntimeOrigin::from(Collective::Members(3, 3))));
		assert!(!passes(RuntimeOrigin::from(Collective::Members(1, 3))));
		// The dev council's five: four ayes.
		assert!(passes(RuntimeOrigin::from(Collective::Members(4, 5))));
		assert!(!passes(RuntimeOrigin::from(Collective::Members(3, 5))));
		assert!(!passes(RuntimeOrigin::from(Collective::Member(acc(Alice)))));
		assert!(!passes(RuntimeOrigin::signed(acc(Alice))));
		assert!(!passes(RuntimeOrigin::none()));
	});
}

#[test]
fn staking_slashes_are_deferred_less_than_the_bonding_duration() {
	dev_ext().execute_with(|| {
		let defer: u32 = SlashDeferDuration::get();
		let bonding: u32 = BondingDuration::get();
		assert!(defer > 0, "validator slashes must be cancellable");
		assert!(defer < bonding, "a slashed stake must not be able to leave before the slash");
	});
}

#[test]
fn a_council_motion_executes_a_risk_origin_call_that_a_signed_account_cannot() {
	dev_ext().execute_with(|| {
		let call = RuntimeCall::Staking(pallet_staking::Call::set_min_commission {
			new: Perbill::from_percent(7),
		});

		// A plain account is refused and nothing changes.
		assert_noop!(
			Staking::set_min_commission(RuntimeOrigin::signed(acc(Dave)), Perbill::from_percent(7)),
			DispatchError::BadOrigin
		);
		// So is a single council member's motion (threshold 1 = one fifth).
		assert_ok!(Council::propose(
			RuntimeOrigin::signed(acc(Alice)),
			1,
			Box::new(call.clone()),
			call.encoded_size() as u32
		));
		assert_eq!(pallet_staking::MinCommission::<Runtime>::get(), Perbill::zero());

		// Four of five members pass it.
		pass_council_motion(call);
		assert_eq!(pallet_staking::MinCommission::<Runtime>::get(), Perbill::from_percent(7));
	});
}

/// `who` closes the council's motion `index` on `call` (of `hash`), bounded by the call's own
/// weight and length.
pub(crate) fn close_motion(
	who: sp_keyring::Sr25519Keyring,
	hash: crate::Hash,
	index: u32,
	call: &RuntimeCall,
) -> frame_support::dispatch::DispatchResultWithPostInfo {
	Council::close(
		RuntimeOrigin::signed(acc(who)),
		hash,
		index,
		call.get_dispatch_info().call_weight,
		call.encoded_size() as u32,
	)
}

/// The dev council's two thirds, and its three quarters: four of five.
pub(crate) const COUNCIL_AYES: u32 = 4;

/// Alice proposes `call` with threshold [`COUNCIL_AYES`], Alice, Bob, Charlie and Dave vote aye
/// (the proposer's aye is not implied), Eve closes; asserts that the call executed
/// successfully.
pub(crate) fn pass_council_motion(call: RuntimeCall) {
	assert_ok!(Council::propose(
		RuntimeOrigin::signed(acc(Alice)),
		COUNCIL_AYES,
		Box::new(call.clone()),
		call.encoded_size() as u32
	));
	let hash = <Runtime as frame_system::Config>::Hashing::hash_of(&call);
	let index = pallet_collective::ProposalCount::<Runtime, crate::RiskCouncilInstance>::get() - 1;
	for member in [Alice, Bob, Charlie] {
		assert_ok!(Council::vote(RuntimeOrigin::signed(acc(member)), hash, index, true));
	}
	// Three ayes of five are not enough to close.
	assert_noop!(
		close_motion(Eve, hash, index, &call),
		pallet_collective::Error::<Runtime, crate::RiskCouncilInstance>::TooEarly
	);
	assert_ok!(Council::vote(RuntimeOrigin::signed(acc(Dave)), hash, index, true));
	assert_ok!(close_motion(Eve, hash, index, &call));
	let executed_ok = System::events().iter().any(|r| {
		matches!(
			&r.event,
			RuntimeEvent::Council(pallet_collective::Event::Executed { proposal_hash, result: Ok(()) })
				if *proposal_hash == hash
		)
	});
	assert!(executed_ok, "the motion's call must execute successfully");
}

/// Issue 29, item 5: the consensus ACR's stake is the smallest third of the active validators'
/// exposures, an invulnerable's counted as zero (on 8fbebc7: a third of the era's total
/// stake, invulnerables included, though `on_offence` never slashes them).
#[test]
fn the_cheapest_stall_exposure_counts_invulnerables_as_zero() {
	use bulwark_primitives::ValidatorStake;
	dev_ext().execute_with(|| {
		type Stake = crate::configs::bulwark::StakingValidatorStake;
		// The dev chain's one validator, Alice: her stake, unless she is invulnerable (the presets
		// make nobody invulnerable since issue 24), when stalling her costs nothing.
		assert_eq!(pallet_staking::Invulnerables::<Runtime>::get(), vec![]);
		assert_eq!(Stake::cheapest_stall_exposure(), VALIDATOR_BOND);
		assert_ok!(Staking::set_invulnerables(RuntimeOrigin::root(), vec![acc(Alice)]));
		assert_eq!(Stake::cheapest_stall_exposure(), 0);
	});
}
