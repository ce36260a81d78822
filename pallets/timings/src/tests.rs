//! The timings pallet in a mock runtime: genesis, getters, try_state.

use super::*;
use frame_support::derive_impl;
use sp_runtime::BuildStorage;

type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		TimingsPallet: crate,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
}

impl Config for Test {}

fn chain_with(timings: ChainTimings) -> sp_io::TestExternalities {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	GenesisConfig::<Test> { timings, _config: PhantomData }
		.assimilate_storage(&mut storage)
		.unwrap();
	storage.into()
}

#[test]
fn getters_read_the_genesis_timings() {
	chain_with(ChainTimings::TESTNET).execute_with(|| {
		assert_eq!(SlotMillis::<Test>::get(), 6_000);
		assert_eq!(MinimumPeriodMillis::<Test>::get(), 3_000);
		assert_eq!(SessionBlocks::<Test>::get(), 600);
		assert_eq!(BondingEras::<Test>::get(), 28);
		assert_eq!(BondingBlocks::<Test>::get(), 100_800);
		assert_eq!(VaultUnbondingBlocks::<Test>::get(), 100_800);
		assert_eq!(BlocksPerHour::<Test>::get(), 600);
		Pallet::<Test>::do_try_state().unwrap();
	});
}

#[test]
fn a_chain_without_genesis_timings_reads_the_dev_ones() {
	sp_io::TestExternalities::default().execute_with(|| {
		assert_eq!(Pallet::<Test>::timings(), ChainTimings::DEV);
		assert_eq!(SessionBlocks::<Test>::get(), 20);
		Pallet::<Test>::do_try_state().unwrap();
	});
}

#[test]
#[should_panic(expected = "invalid genesis timings: ValidatorSlashAfterUnbonding")]
fn a_genesis_with_broken_timings_does_not_build() {
	let broken = ChainTimings { validator_slash_defer_eras: 9, ..ChainTimings::DEV };
	let _ = chain_with(broken);
}

#[test]
fn try_state_catches_broken_stored_timings() {
	chain_with(ChainTimings::DEV).execute_with(|| {
		Timings::<Test>::put(ChainTimings { oracle_round_blocks: 0, ..ChainTimings::DEV });
		assert!(Pallet::<Test>::do_try_state().is_err());
	});
}

#[test]
fn genesis_json_names_every_field() {
	let json = serde_json::to_value(ChainTimings::FAST).unwrap();
	assert_eq!(json["slotMillis"], 1_000);
	assert_eq!(json["councilMotionBlocks"], 600);
	let unknown = r#"{"slotMillis":1000,"sessionBlock":20}"#;
	assert!(serde_json::from_str::<ChainTimings>(unknown).is_err());
}
