//! Genesis presets:
//! - `dev`: Alice validating alone, Alice holds sudo, the monitor's timings shortened for tests;
//!   3 s blocks and minutes of unbonding ([`ChainTimings::DEV`]).
//! - `fast`: `dev` at one-second slots, with a shorter slash deferral and vault unbonding
//!   ([`ChainTimings::FAST`]), for tests that do not measure time themselves.
//! - `local`: Alice, Bob, Charlie and Dave validating, no sudo: the council governs (see
//!   `configs::governance`).
//! - `local-fast`: `local` at one-second slots, for the e2e network test.
//! - `testnet`: the template of a public testnet ([`ChainTimings::TESTNET`]): markets, insurance
//!   and the monitor's defaults, nobody funded, no validators and no council. `scripts/testnet.sh`
//!   fills in validators, council and balances from freshly generated keys.
//!
//! `dev`, `fast` and `local` endow the well-known dev accounts with BWK and bUSD and make Alice
//! to Eve the risk council.

use crate::{
	AccountId, BalancesConfig, BusdConfig, CouncilMembershipConfig, InsuranceConfig, MarginConfig,
	MonitorConfig, OracleConfig, RuntimeGenesisConfig, SessionConfig, SessionKeys, StakingConfig,
	TimingsConfig, BUSD, BWK,
};
use alloc::{string::String, vec, vec::Vec};
use frame_support::{build_struct_json_patch, BoundedVec};
use pallet_bulwark_timings::ChainTimings;
use serde_json::Value;
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_consensus_grandpa::AuthorityId as GrandpaId;
use sp_genesis_builder::{self, PresetId};
use sp_keyring::{Ed25519Keyring, Sr25519Keyring};
use sp_runtime::Perbill;

/// BWK given to each endowed account.
pub const ENDOWMENT_BWK: u128 = 1_000_000 * BWK;
/// bUSD given to each endowed account.
pub const ENDOWMENT_BUSD: u128 = 1_000_000 * BUSD;
/// BWK each genesis validator bonds.
pub const VALIDATOR_BOND: u128 = 10_000 * BWK;
/// The smallest bond of a validator and of a nominator (issue 24, item 1): without them 1,001
/// accounts bonding dust and calling `validate` exceeded the election's 1,000 targets and stopped
/// every election.
pub const MIN_VALIDATOR_BOND: u128 = 1_000 * BWK;
/// See [`MIN_VALIDATOR_BOND`].
pub const MIN_NOMINATOR_BOND: u128 = 10 * BWK;
/// At most this many validators: within the election's bound of targets, so every validator is
/// a candidate.
pub const MAX_VALIDATORS: u32 = 500;
/// At most this many nominators: with every validator, within the election's bound of voters,
/// so the election reads every voter (none is pushed out by dust in storage order).
pub const MAX_NOMINATORS: u32 = 4_000;

/// A genesis validator: its stash account and session keys.
struct Validator {
	stash: AccountId,
	aura: AuraId,
	grandpa: GrandpaId,
}

fn validator(sr: Sr25519Keyring, ed: Ed25519Keyring) -> Validator {
	Validator { stash: sr.to_account_id(), aura: sr.public().into(), grandpa: ed.public().into() }
}

/// The name of the preset of one-second slots (see the module doc).
pub const FAST_PRESET: &str = "fast";
/// The name of the four-validator preset of one-second slots (see the module doc).
pub const LOCAL_FAST_PRESET: &str = "local-fast";
/// The name of the public testnet's template preset (see the module doc).
pub const TESTNET_PRESET: &str = "testnet";

fn testnet_genesis(
	validators: Vec<Validator>,
	endowed: Vec<AccountId>,
	council: Vec<AccountId>,
	root: Option<AccountId>,
	monitor: Option<pallet_bulwark_monitor::MonitorParams>,
	timings: ChainTimings,
) -> Value {
	let validator_count = u32::try_from(validators.len()).unwrap_or(u32::MAX);
	let mut patch = build_struct_json_patch!(RuntimeGenesisConfig {
		timings: TimingsConfig { timings },
		balances: BalancesConfig {
			balances: endowed.iter().cloned().map(|a| (a, ENDOWMENT_BWK)).collect::<Vec<_>>(),
		},
		busd: BusdConfig {
			balances: endowed.iter().cloned().map(|a| (a, ENDOWMENT_BUSD)).collect::<Vec<_>>(),
		},
		// Aura and GRANDPA authorities come from the session keys, not from their own genesis.
		session: SessionConfig {
			keys: validators
				.iter()
				.map(|v| {
					(
						v.stash.clone(),
						v.stash.clone(),
						SessionKeys { aura: v.aura.clone(), grandpa: v.grandpa.clone() },
					)
				})
				.collect::<Vec<_>>(),
		},
		staking: StakingConfig {
			validator_count,
			minimum_validator_count: 1,
			// None: an invulnerable's stake cannot be slashed, so it secures nothing (the
			// monitor counts it as zero).
			invulnerables: Vec::<AccountId>::new(),
			min_validator_bond: MIN_VALIDATOR_BOND,
			min_nominator_bond: MIN_NOMINATOR_BOND,
			max_validator_count: Some(MAX_VALIDATORS),
			max_nominator_count: Some(MAX_NOMINATORS),
			slash_reward_fraction: Perbill::from_percent(10),
			stakers: validators
				.iter()
				.map(|v| {
					(
						v.stash.clone(),
						v.stash.clone(),
						VALIDATOR_BOND,
						pallet_staking::StakerStatus::<AccountId>::Validator,
					)
				})
				.collect::<Vec<_>>(),
		},
		council_membership: CouncilMembershipConfig { members: BoundedVec::truncate_from(council) },
		oracle: OracleConfig { markets: genesis_markets() },
		monitor: MonitorConfig { params: monitor },
		margin: MarginConfig { markets: vec![0, 1], ..Default::default() },
		insurance: InsuranceConfig {
			params: Some(pallet_bulwark_insurance::InsuranceParams {
				draw_window: timings.blocks_per_day(),
				max_global_draw: 100_000 * BUSD,
			}),
		},
	});
	// The production runtime has no sudo, and refuses a genesis that names a key.
	#[cfg(not(feature = "production"))]
	if let (Some(root), Some(patch)) = (root, patch.as_object_mut()) {
		patch.insert("sudo".into(), serde_json::json!({ "key": root }));
	}
	#[cfg(feature = "production")]
	let _ = root;
	patch
}

/// Markets listed at genesis with default oracle parameters: ids 0 and 1.
fn genesis_markets() -> Vec<(Vec<u8>, u8)> {
	// BWK-USD (id 2) prices the native token for the security monitor; it is not traded.
	vec![(b"BTC-USD".to_vec(), 8), (b"ETH-USD".to_vec(), 18), (b"BWK-USD".to_vec(), 12)]
}

fn dev_accounts() -> Vec<AccountId> {
	Sr25519Keyring::iter()
		.filter(|k| k != &Sr25519Keyring::One && k != &Sr25519Keyring::Two)
		.map(|k| k.to_account_id())
		.collect()
}

/// Five members (issue 24, item 3): two thirds and three quarters of five are both four ayes,
/// so one lost or silent key leaves every origin, Root and membership changes included,
/// reachable; with three members, three quarters was unanimity.
pub fn dev_council() -> Vec<AccountId> {
	[
		Sr25519Keyring::Alice,
		Sr25519Keyring::Bob,
		Sr25519Keyring::Charlie,
		Sr25519Keyring::Dave,
		Sr25519Keyring::Eve,
	]
	.iter()
	.map(|member| member.to_account_id())
	.collect()
}

/// The security monitor of the `dev` chain: its inputs averaged over 20 blocks (a minute) and
/// a restriction after 2 samples under a floor, so that a test sees the monitor act in
/// minutes; the `local` testnet keeps the defaults (an hour, 6 samples).
fn dev_monitor() -> pallet_bulwark_monitor::MonitorParams {
	pallet_bulwark_monitor::MonitorParams {
		smoothing_blocks: 20,
		breach_samples: 2,
		..Default::default()
	}
}

/// The `dev` preset: Alice is the only validator.
pub fn development_config_genesis() -> Value {
	testnet_genesis(
		vec![validator(Sr25519Keyring::Alice, Ed25519Keyring::Alice)],
		dev_accounts(),
		dev_council(),
		Some(Sr25519Keyring::Alice.to_account_id()),
		Some(dev_monitor()),
		ChainTimings::DEV,
	)
}

/// `patch` on other timings, with the insurance's day-long draw window in their blocks.
fn with_timings(mut patch: Value, timings: ChainTimings) -> Value {
	if let Some(patch) = patch.as_object_mut() {
		patch.insert("timings".into(), serde_json::json!({ "timings": timings }));
		if let Some(insurance) = patch.get_mut("insurance").and_then(|i| i.get_mut("params")) {
			insurance["drawWindow"] = Value::from(timings.blocks_per_day());
		}
	}
	patch
}

/// The `fast` preset: `dev` at one-second slots.
pub fn fast_config_genesis() -> Value {
	with_timings(development_config_genesis(), ChainTimings::FAST)
}

/// The `local-fast` preset: `local` at one-second slots.
pub fn local_fast_config_genesis() -> Value {
	with_timings(local_config_genesis(), ChainTimings::FAST)
}

/// The `testnet` template: no validator, council or balance (the script that writes the chain
/// spec adds them from fresh keys), no sudo, the testnet's timings, the monitor's defaults.
pub fn testnet_template_genesis() -> Value {
	testnet_genesis(Vec::new(), Vec::new(), Vec::new(), None, None, ChainTimings::TESTNET)
}

/// The `local` preset: Alice, Bob, Charlie and Dave validate (GRANDPA needs more than two thirds
/// of them, so it finalizes with one down), and nobody holds sudo.
pub fn local_config_genesis() -> Value {
	testnet_genesis(
		vec![
			validator(Sr25519Keyring::Alice, Ed25519Keyring::Alice),
			validator(Sr25519Keyring::Bob, Ed25519Keyring::Bob),
			validator(Sr25519Keyring::Charlie, Ed25519Keyring::Charlie),
			validator(Sr25519Keyring::Dave, Ed25519Keyring::Dave),
		],
		dev_accounts(),
		dev_council(),
		None,
		None,
		ChainTimings::DEV,
	)
}

/// The preset `pallet-staking`'s benchmarks run on (`./scripts/weights.sh pallet_staking`): the
/// `dev` preset without staking's minimum bonds and maximum counts, because the benchmarks bond
/// stakes of a few existential deposits. Never a chain's genesis.
pub const STAKING_BENCHMARKS_PRESET: &str = "staking-benchmarks";

/// The `staking-benchmarks` preset (see [`STAKING_BENCHMARKS_PRESET`]).
fn staking_benchmarks_genesis() -> Value {
	let mut patch = development_config_genesis();
	if let Some(staking) = patch.get_mut("staking").and_then(Value::as_object_mut) {
		for key in ["minValidatorBond", "minNominatorBond"] {
			staking.insert(key.into(), Value::from(0));
		}
		for key in ["maxValidatorCount", "maxNominatorCount"] {
			staking.insert(key.into(), Value::Null);
		}
	}
	patch
}

/// The JSON patch of preset `id`, if it exists.
pub fn get_preset(id: &PresetId) -> Option<Vec<u8>> {
	let patch = match id.as_ref() {
		sp_genesis_builder::DEV_RUNTIME_PRESET => development_config_genesis(),
		sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET => local_config_genesis(),
		FAST_PRESET => fast_config_genesis(),
		LOCAL_FAST_PRESET => local_fast_config_genesis(),
		TESTNET_PRESET => testnet_template_genesis(),
		STAKING_BENCHMARKS_PRESET => staking_benchmarks_genesis(),
		_ => return None,
	};
	serde_json::to_string(&patch).ok().map(String::into_bytes)
}

/// The whole genesis config of preset `id` as JSON: its patch merged into the default config,
/// as the node merges it. What in-process tests and the fuzzer build their genesis from.
pub fn full_preset(id: &PresetId) -> Option<Vec<u8>> {
	/// Merges `patch` into `base`, objects key by key.
	fn merge(base: &mut Value, patch: Value) {
		match (base, patch) {
			(Value::Object(base), Value::Object(patch)) => {
				for (key, value) in patch {
					merge(base.entry(key).or_insert(Value::Null), value);
				}
			},
			(base, patch) => *base = patch,
		}
	}
	let patch: Value = serde_json::from_slice(&get_preset(id)?).ok()?;
	let mut config = serde_json::to_value(RuntimeGenesisConfig::default()).ok()?;
	merge(&mut config, patch);
	serde_json::to_string(&config).ok().map(String::into_bytes)
}

/// Names of the presets.
pub fn preset_names() -> Vec<PresetId> {
	vec![
		PresetId::from(sp_genesis_builder::DEV_RUNTIME_PRESET),
		PresetId::from(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET),
		PresetId::from(FAST_PRESET),
		PresetId::from(LOCAL_FAST_PRESET),
		PresetId::from(TESTNET_PRESET),
		PresetId::from(STAKING_BENCHMARKS_PRESET),
	]
}
