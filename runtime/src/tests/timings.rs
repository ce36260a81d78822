//! Issue 25: the chain's periods come from its genesis; one runtime serves `dev`, `fast`,
//! `local` and `testnet`.

use crate::{
	configs::{
		bulwark::{BlocksPerHour, OracleRoundLength, VaultUnbondingPeriod},
		governance::CouncilMotionDuration,
		staking::{BondingDuration, SessionPeriod, SessionsPerEra},
	},
	genesis_config_presets::{
		full_preset, get_preset, preset_names, FAST_PRESET, LOCAL_FAST_PRESET, TESTNET_PRESET,
	},
	Aura, RuntimeGenesisConfig, Slashing, Timings,
};
use frame_support::{genesis_builder_helper::build_state, traits::Get};
use pallet_bulwark_timings::ChainTimings;
use serde_json::{json, Value};
use sp_genesis_builder::{PresetId, DEV_RUNTIME_PRESET, LOCAL_TESTNET_RUNTIME_PRESET};

/// Builds the genesis `config` (a full config as JSON) and runs `check` in it.
fn with_genesis(config: Value, check: impl FnOnce()) {
	let mut ext = sp_io::TestExternalities::new_empty();
	ext.execute_with(|| {
		build_state::<RuntimeGenesisConfig>(serde_json::to_vec(&config).unwrap()).unwrap();
		check();
	});
}

fn full(id: &str) -> Value {
	serde_json::from_slice(&full_preset(&PresetId::from(id)).unwrap()).unwrap()
}

/// The `testnet` template with one validator and one council member from fresh keys, as
/// `scripts/testnet.sh spec` fills it in.
fn testnet_with_a_validator() -> Value {
	let mut config = full(TESTNET_PRESET);
	let stash = sp_keyring::Sr25519Keyring::Ferdie.to_account_id();
	let aura = sp_keyring::Sr25519Keyring::Ferdie.public();
	let grandpa = sp_keyring::Ed25519Keyring::Ferdie.public();
	config["balances"]["balances"] = json!([[stash, 20_000 * crate::BWK]]);
	config["session"]["keys"] = json!([[stash, stash, { "aura": aura, "grandpa": grandpa }]]);
	config["staking"]["validatorCount"] = json!(1);
	config["staking"]["stakers"] = json!([[stash, stash, 10_000 * crate::BWK, "Validator"]]);
	config["councilMembership"]["members"] = json!([stash]);
	config
}

#[test]
fn every_preset_builds_with_its_own_timings() {
	let expected = [
		(DEV_RUNTIME_PRESET, ChainTimings::DEV),
		(LOCAL_TESTNET_RUNTIME_PRESET, ChainTimings::DEV),
		(FAST_PRESET, ChainTimings::FAST),
		(LOCAL_FAST_PRESET, ChainTimings::FAST),
	];
	for (id, timings) in expected {
		with_genesis(full(id), || {
			assert_eq!(Timings::timings(), timings, "{id}");
			assert_eq!(Aura::slot_duration(), timings.slot_millis, "{id}");
			assert_eq!(SessionPeriod::get(), timings.session_blocks, "{id}");
			assert_eq!(BlocksPerHour::get(), timings.blocks_per_hour(), "{id}");
			assert_eq!(Slashing::check_periods(), Ok(()), "{id}");
		});
	}
	with_genesis(testnet_with_a_validator(), || {
		let testnet = ChainTimings::TESTNET;
		assert_eq!(Timings::timings(), testnet);
		// 6 s slots, hour-long sessions, six-hour eras, 7 days of bonding and vault unbonding.
		assert_eq!(Aura::slot_duration(), 6_000);
		assert_eq!(SessionPeriod::get(), 600);
		assert_eq!(SessionsPerEra::get(), 6);
		assert_eq!(BondingDuration::get(), 28);
		assert_eq!(VaultUnbondingPeriod::get(), 100_800);
		assert_eq!(OracleRoundLength::get(), 2);
		assert_eq!(CouncilMotionDuration::get(), 14_400);
		assert_eq!(BlocksPerHour::get(), 600);
		assert_eq!(crate::Insurance::params().draw_window, 14_400);
		assert_eq!(Slashing::check_periods(), Ok(()));
	});
}

#[test]
fn the_testnet_template_funds_nobody_and_names_no_sudo_key() {
	let patch: Value =
		serde_json::from_slice(&get_preset(&PresetId::from(TESTNET_PRESET)).unwrap()).unwrap();
	assert!(patch.get("sudo").is_none(), "the testnet template names a sudo key");
	with_genesis(testnet_with_a_validator(), || {
		assert_eq!(pallet_sudo::Key::<crate::Runtime>::get(), None);
		for account in sp_keyring::Sr25519Keyring::iter()
			.filter(|k| *k != sp_keyring::Sr25519Keyring::Ferdie)
			.map(|k| k.to_account_id())
		{
			assert_eq!(frame_system::Account::<crate::Runtime>::get(&account).data.free, 0);
			assert_eq!(
				pallet_balances::Account::<crate::Runtime, crate::configs::BusdInstance>::get(
					&account
				)
				.free,
				0
			);
		}
	});
	assert!(preset_names().contains(&PresetId::from(TESTNET_PRESET)));
}

#[test]
fn timings_that_let_stake_escape_a_slash_are_caught() {
	// Vault unbonding shorter than the escape window (2 + 20 + 16 = 38 blocks on dev): a staker
	// reported for a deviation could leave before the slash applies.
	let mut config = full(DEV_RUNTIME_PRESET);
	config["timings"]["timings"]["vaultUnbondingBlocks"] = json!(38);
	with_genesis(config, || {
		assert_eq!(
			Slashing::check_periods(),
			Err("vault stake must not leave before a slash reported and queued behind the worst \
			     backlog applies")
		);
	});
}
