//! The council's path to Root without sudo: two thirds whitelist a call's hash, three quarters
//! dispatch it as Root through `pallet-whitelist`; and the `local` preset's four validators
//! without a sudo key.

use super::*;
use crate::{configs::governance::RootDispatchOrigin, Whitelist};
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
	let patch = crate::genesis_config_presets::get_preset(
		&sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET.into(),
	)
	.expect("the local preset exists");
	let mut config = serde_json::to_value(RuntimeGenesisConfig::default()).expect("serializes");
	merge(&mut config, serde_json::from_slice(&patch).expect("the preset is JSON"));
	let config = serde_json::to_vec(&config).expect("serializes");
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
