//! The council's path to Root without sudo: two thirds whitelist a call's hash, three quarters
//! dispatch it as Root through `pallet-whitelist`; and the `local` preset's four validators
//! without a sudo key.

use super::*;
use crate::{configs::governance::RootDispatchOrigin, Whitelist};
use frame_support::traits::Get as _;
use sp_keyring::Sr25519Keyring::Ferdie;
use sp_runtime::traits::Dispatchable;

type Collective = pallet_collective::RawOrigin<AccountId, crate::RiskCouncilInstance>;

fn set_validator_count(new: u32) -> RuntimeCall {
	RuntimeCall::Staking(pallet_staking::Call::set_validator_count { new })
}

fn whitelisted_dispatch(call: &RuntimeCall) -> RuntimeCall {
	RuntimeCall::Whitelist(pallet_whitelist::Call::dispatch_whitelisted_call_with_preimage {
		call: Box::new(call.clone()),
	})
}

#[test]
fn root_dispatch_needs_three_quarters_of_the_council() {
	dev_ext().execute_with(|| {
		let passes = |origin: RuntimeOrigin| {
			<RootDispatchOrigin as EnsureOrigin<RuntimeOrigin>>::try_origin(origin).is_ok()
		};
		assert!(passes(RuntimeOrigin::root()));
		assert!(passes(RuntimeOrigin::from(Collective::Members(3, 3))));
		assert!(passes(RuntimeOrigin::from(Collective::Members(3, 4))));
		// A bare majority, even two thirds, is not enough.
		assert!(!passes(RuntimeOrigin::from(Collective::Members(2, 3))));
		assert!(!passes(RuntimeOrigin::from(Collective::Members(2, 4))));
		assert!(!passes(RuntimeOrigin::from(Collective::Member(acc(Alice)))));
		assert!(!passes(RuntimeOrigin::signed(acc(Alice))));
	});
}

#[test]
fn the_council_reaches_root_through_the_whitelist_and_nobody_else_does() {
	dev_ext().execute_with(|| {
		let call = set_validator_count(7);
		let hash = <Runtime as frame_system::Config>::Hashing::hash_of(&call);
		let before = pallet_staking::ValidatorCount::<Runtime>::get();
		assert_ne!(before, 7);

		// Signed accounts can neither make the Root call nor whitelist or dispatch it.
		assert_noop!(
			Staking::set_validator_count(RuntimeOrigin::signed(acc(Dave)), 7),
			DispatchError::BadOrigin
		);
		assert_noop!(
			Whitelist::whitelist_call(RuntimeOrigin::signed(acc(Dave)), hash),
			DispatchError::BadOrigin
		);
		assert!(Whitelist::dispatch_whitelisted_call_with_preimage(
			RuntimeOrigin::signed(acc(Dave)),
			Box::new(call.clone())
		)
		.is_err());

		// Two thirds whitelist the hash (a council motion, as RiskOrigin).
		pass_council_motion(RuntimeCall::Whitelist(pallet_whitelist::Call::whitelist_call {
			call_hash: hash,
		}));
		assert!(pallet_whitelist::WhitelistedCall::<Runtime>::contains_key(hash));

		// Two thirds cannot dispatch it, and a signed account still cannot either.
		let dispatch = whitelisted_dispatch(&call);
		assert!(dispatch.clone().dispatch(RuntimeOrigin::from(Collective::Members(2, 3))).is_err());
		assert!(Whitelist::dispatch_whitelisted_call_with_preimage(
			RuntimeOrigin::signed(acc(Dave)),
			Box::new(call.clone())
		)
		.is_err());
		assert_eq!(pallet_staking::ValidatorCount::<Runtime>::get(), before);

		// Three of three dispatch it as Root.
		assert_ok!(dispatch.dispatch(RuntimeOrigin::from(Collective::Members(3, 3))));
		assert_eq!(pallet_staking::ValidatorCount::<Runtime>::get(), 7);
		// Used up: the same call is no longer whitelisted.
		assert!(!pallet_whitelist::WhitelistedCall::<Runtime>::contains_key(hash));
	});
}

#[test]
fn the_local_preset_has_four_validators_and_no_sudo() {
	let config = crate::genesis_config_presets::full_preset(
		&sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET.into(),
	)
	.expect("the local preset exists");
	let mut ext = sp_io::TestExternalities::new_empty();
	ext.execute_with(|| {
		build_state::<RuntimeGenesisConfig>(config).expect("the local preset builds");
		assert_eq!(pallet_sudo::Key::<Runtime>::get(), None);
		let mut validators = Session::validators();
		validators.sort();
		let mut expected = vec![acc(Alice), acc(Bob), acc(Charlie), acc(Dave)];
		expected.sort();
		assert_eq!(validators, expected);
		assert_eq!(pallet_grandpa::Authorities::<Runtime>::get().len(), 4);
	});
}

#[test]
fn two_thirds_cannot_make_themselves_three_quarters() {
	dev_ext().execute_with(|| {
		// Adding a fourth member (or removing the third) would make two of the old members
		// three quarters of the new council: membership needs three quarters already.
		let two_thirds = || RuntimeOrigin::from(Collective::Members(2, 3));
		assert_noop!(
			CouncilMembership::add_member(two_thirds(), acc(Ferdie).into()),
			DispatchError::BadOrigin
		);
		assert_noop!(
			CouncilMembership::remove_member(two_thirds(), acc(Charlie).into()),
			DispatchError::BadOrigin
		);
		assert_noop!(
			CouncilMembership::swap_member(two_thirds(), acc(Charlie).into(), acc(Ferdie).into()),
			DispatchError::BadOrigin
		);
		assert_noop!(
			CouncilMembership::set_prime(two_thirds(), acc(Alice).into()),
			DispatchError::BadOrigin
		);
		assert_ok!(CouncilMembership::add_member(
			RuntimeOrigin::from(Collective::Members(3, 3)),
			acc(Ferdie).into()
		));
	});
}

#[test]
fn absent_members_count_as_nays_when_a_motion_times_out() {
	dev_ext().execute_with(|| {
		// A Root motion (four of five) with three ayes does not pass by waiting out the motion's
		// duration: Dave's and Eve's silence are nays, whoever the prime.
		let call = whitelisted_dispatch(&set_validator_count(7));
		assert_ok!(Council::propose(
			RuntimeOrigin::signed(acc(Alice)),
			COUNCIL_AYES,
			Box::new(call.clone()),
			call.encoded_size() as u32
		));
		let hash = <Runtime as frame_system::Config>::Hashing::hash_of(&call);
		let index =
			pallet_collective::ProposalCount::<Runtime, crate::RiskCouncilInstance>::get() - 1;
		for who in [Alice, Bob, Charlie] {
			assert_ok!(Council::vote(RuntimeOrigin::signed(acc(who)), hash, index, true));
		}
		System::set_block_number(1 + crate::configs::governance::CouncilMotionDuration::get());
		assert_ok!(close_motion(Charlie, hash, index, &call));
		assert!(System::events().iter().any(|r| matches!(
			r.event,
			RuntimeEvent::Council(pallet_collective::Event::Disapproved { .. })
		)));
		assert!(!System::events().iter().any(|r| matches!(
			r.event,
			RuntimeEvent::Council(pallet_collective::Event::Executed { .. })
		)));
	});
}

/// Proposes `call` from `who` with threshold [`COUNCIL_AYES`]; returns its hash and index.
fn propose(who: sp_keyring::Sr25519Keyring, call: &RuntimeCall) -> (crate::Hash, u32) {
	assert_ok!(Council::propose(
		RuntimeOrigin::signed(acc(who)),
		COUNCIL_AYES,
		Box::new(call.clone()),
		call.encoded_size() as u32
	));
	let hash = <Runtime as frame_system::Config>::Hashing::hash_of(call);
	let index = pallet_collective::ProposalCount::<Runtime, crate::RiskCouncilInstance>::get() - 1;
	(hash, index)
}

fn proposal_deposit(who: sp_keyring::Sr25519Keyring) -> u128 {
	use frame_support::traits::fungible::InspectHold;
	Balances::balance_on_hold(
		&crate::RuntimeHoldReason::Council(pallet_collective::HoldReason::ProposalSubmission),
		&acc(who),
	)
}

#[test]
fn item_2_a_rogue_member_cannot_fill_the_proposal_slots_and_two_thirds_kill_its_motions() {
	use crate::configs::governance::{MAX_PROPOSALS_PER_MEMBER, PROPOSAL_DEPOSIT};
	dev_ext().execute_with(|| {
		// Issue 24, item 2: proposals cost nothing and only Root could kill them, so one member
		// filled all 100 slots and re-proposed whenever one freed, blocking every motion,
		// including the one that would remove it.
		let spam: Vec<RuntimeCall> = (0..=MAX_PROPOSALS_PER_MEMBER)
			.map(|n| RuntimeCall::System(frame_system::Call::remark { remark: vec![n as u8] }))
			.collect();
		let mut hashes = Vec::new();
		for call in &spam[..MAX_PROPOSALS_PER_MEMBER as usize] {
			hashes.push(propose(Alice, call));
		}
		// Each deposit is 10 BWK per open proposal, its own included: 10 + 20 + ... + 50.
		assert_eq!(proposal_deposit(Alice), 150 * crate::BWK);
		assert_eq!(PROPOSAL_DEPOSIT, 10 * crate::BWK);
		let last = spam.last().expect("one more");
		assert_noop!(
			Council::propose(
				RuntimeOrigin::signed(acc(Alice)),
				2,
				Box::new(last.clone()),
				last.encoded_size() as u32
			),
			DispatchError::Other("a member holds at most 5 proposal deposits")
		);
		// The others still propose: here, two thirds kill one of the spammer's motions, and its
		// deposit is burned.
		let (spam_hash, _) = hashes[0];
		let kill = RuntimeCall::Council(pallet_collective::Call::kill { proposal_hash: spam_hash });
		assert_noop!(
			Council::kill(RuntimeOrigin::signed(acc(Bob)), spam_hash),
			DispatchError::BadOrigin
		);
		let (hash, index) = propose(Bob, &kill);
		for who in [Bob, Charlie, Dave, Eve] {
			assert_ok!(Council::vote(RuntimeOrigin::signed(acc(who)), hash, index, true));
		}
		let issuance = Balances::total_issuance();
		assert_ok!(close_motion(Charlie, hash, index, &kill));
		assert!(System::events().iter().any(|r| matches!(
			r.event,
			RuntimeEvent::Council(pallet_collective::Event::Killed { proposal_hash })
				if proposal_hash == spam_hash
		)));
		assert_eq!(proposal_deposit(Alice), 140 * crate::BWK);
		assert_eq!(Balances::total_issuance(), issuance - 10 * crate::BWK, "burned");
		// Bob's executed motion holds its deposit until released.
		assert_ok!(Council::release_proposal_cost(RuntimeOrigin::signed(acc(Ferdie)), hash));
		assert_eq!(proposal_deposit(Bob), 0);
	});
}

/// `ayes` pass `call` as a council motion with `threshold` (the first proposes, Ferdie closes
/// after the motion's end); returns whether its execution succeeded, or `None` if the motion
/// was not approved.
fn council_motion(
	ayes: &[sp_keyring::Sr25519Keyring],
	threshold: u32,
	call: RuntimeCall,
) -> Option<bool> {
	assert_ok!(Council::propose(
		RuntimeOrigin::signed(acc(ayes[0])),
		threshold,
		Box::new(call.clone()),
		call.encoded_size() as u32
	));
	let hash = <Runtime as frame_system::Config>::Hashing::hash_of(&call);
	let index = pallet_collective::ProposalCount::<Runtime, crate::RiskCouncilInstance>::get() - 1;
	for who in ayes {
		assert_ok!(Council::vote(RuntimeOrigin::signed(acc(*who)), hash, index, true));
	}
	// Past the motion's end: a motion short of the threshold closes as disapproved.
	System::set_block_number(
		System::block_number() + 1 + crate::configs::governance::CouncilMotionDuration::get(),
	);
	System::reset_events();
	assert_ok!(close_motion(Ferdie, hash, index, &call));
	System::events().iter().find_map(|r| match &r.event {
		RuntimeEvent::Council(pallet_collective::Event::Executed { result, .. }) => {
			Some(result.is_ok())
		},
		_ => None,
	})
}

#[test]
fn item_3_one_lost_key_leaves_root_and_the_membership_reachable() {
	dev_ext().execute_with(|| {
		// Issue 24, item 3: the three-member council's three quarters was unanimity, so one
		// lost key made Root and every membership change unreachable for good. Eve's key is
		// lost here: the other four of five still reach Root through the whitelist and replace
		// her with Ferdie.
		assert_eq!(
			pallet_collective::Members::<Runtime, crate::RiskCouncilInstance>::get().len(),
			5
		);
		let present = [Alice, Bob, Charlie, Dave];
		let call = set_validator_count(7);
		let hash = <Runtime as frame_system::Config>::Hashing::hash_of(&call);
		let whitelist =
			RuntimeCall::Whitelist(pallet_whitelist::Call::whitelist_call { call_hash: hash });
		assert_eq!(council_motion(&present, COUNCIL_AYES, whitelist), Some(true));
		assert_eq!(council_motion(&present, COUNCIL_AYES, whitelisted_dispatch(&call)), Some(true));
		assert_eq!(pallet_staking::ValidatorCount::<Runtime>::get(), 7);

		// Three of them cannot: a motion of three passes, and its call is refused (four of five
		// is both two thirds and three quarters).
		let swap = RuntimeCall::CouncilMembership(pallet_membership::Call::swap_member {
			remove: acc(Eve).into(),
			add: acc(Ferdie).into(),
		});
		assert_eq!(council_motion(&present[..3], 3, swap.clone()), Some(false));
		let whitelist_again =
			RuntimeCall::Whitelist(pallet_whitelist::Call::whitelist_call { call_hash: hash });
		assert_eq!(council_motion(&present[..3], 3, whitelist_again), Some(false));
		assert_eq!(council_motion(&present, COUNCIL_AYES, swap), Some(true));
		let mut expected = vec![acc(Alice), acc(Bob), acc(Charlie), acc(Dave), acc(Ferdie)];
		expected.sort();
		assert_eq!(
			pallet_collective::Members::<Runtime, crate::RiskCouncilInstance>::get(),
			expected
		);
	});
}
