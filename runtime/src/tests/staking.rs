//! Staking that cannot be jammed (issue 24, item 1).

use super::{acc, dev_ext};
use crate::{
	configs::staking::ElectionBounds,
	genesis_config_presets::{
		MAX_NOMINATORS, MAX_VALIDATORS, MIN_NOMINATOR_BOND, MIN_VALIDATOR_BOND,
	},
	AccountId, Balances, Runtime, RuntimeOrigin, Staking, VoterList, BWK,
};
use frame_support::{assert_noop, assert_ok, traits::fungible::Mutate};
use sp_keyring::Sr25519Keyring::Alice;

fn funded(index: u32, amount: u128) -> AccountId {
	use codec::Encode;
	let who = AccountId::new((b"staking-test", index).using_encoded(sp_io::hashing::blake2_256));
	assert_ok!(<Balances as Mutate<AccountId>>::mint_into(&who, amount));
	who
}

fn bond(who: &AccountId, value: u128) {
	assert_ok!(Staking::bond(
		RuntimeOrigin::signed(who.clone()),
		value,
		pallet_staking::RewardDestination::Staked
	));
}

#[test]
fn item_1_a_thousand_and_one_dust_validators_are_refused_and_the_election_still_runs() {
	use frame_election_provider_support::ElectionProvider;
	dev_ext().execute_with(|| {
		// Issue 24, item 1: with no minimum bond and no maximum count, 1,001 accounts bonding
		// 0.001 BWK and calling `validate` took the validators past the election's 1,000
		// targets, and every election failed: eras froze, unbonding never matured.
		for index in 0..1_001 {
			let who = funded(index, BWK);
			bond(&who, BWK / 1_000);
			assert_noop!(
				Staking::validate(RuntimeOrigin::signed(who), Default::default()),
				pallet_staking::Error::<Runtime>::InsufficientBond
			);
		}
		assert_eq!(pallet_staking::Validators::<Runtime>::count(), 1);
		// Nor can dust nominate.
		let dust = funded(5_000, BWK);
		bond(&dust, BWK / 1_000);
		assert_noop!(
			Staking::nominate(RuntimeOrigin::signed(dust), vec![acc(Alice).into()]),
			pallet_staking::Error::<Runtime>::InsufficientBond
		);
		// The election runs and elects Alice.
		let elected = <Runtime as pallet_staking::Config>::ElectionProvider::elect(0)
			.expect("the election succeeds");
		assert_eq!(elected.into_iter().map(|(who, _)| who).collect::<Vec<_>>(), vec![acc(Alice)]);
	});
}

#[test]
fn item_1_validators_at_the_minimum_stop_at_the_maximum_count() {
	dev_ext().execute_with(|| {
		assert_eq!(pallet_staking::MaxValidatorsCount::<Runtime>::get(), Some(MAX_VALIDATORS));
		// Alice validates already: the rest of the slots fill up, then the next is refused.
		for index in 1..MAX_VALIDATORS {
			let who = funded(index, 2 * MIN_VALIDATOR_BOND);
			bond(&who, MIN_VALIDATOR_BOND);
			assert_ok!(Staking::validate(RuntimeOrigin::signed(who), Default::default()));
		}
		let one_more = funded(MAX_VALIDATORS, 2 * MIN_VALIDATOR_BOND);
		bond(&one_more, MIN_VALIDATOR_BOND);
		assert_noop!(
			Staking::validate(RuntimeOrigin::signed(one_more), Default::default()),
			pallet_staking::Error::<Runtime>::TooManyValidators
		);
	});
}

#[test]
fn item_1_the_election_reads_every_validator_and_every_voter_the_counts_allow() {
	dev_ext().execute_with(|| {
		// Every validator a candidate, and every voter read: dust in storage order cannot push a
		// real nominator out of the 5,000 voters the election reads.
		let bounds = ElectionBounds::get();
		let targets = bounds.targets.count.map(|c| c.0).unwrap_or(u32::MAX);
		let voters = bounds.voters.count.map(|c| c.0).unwrap_or(u32::MAX);
		assert!(MAX_VALIDATORS <= targets, "{MAX_VALIDATORS} validators > {targets} targets");
		assert!(MAX_VALIDATORS + MAX_NOMINATORS <= voters);
		assert_eq!(pallet_staking::MaxNominatorsCount::<Runtime>::get(), Some(MAX_NOMINATORS));
		assert_eq!(pallet_staking::MinNominatorBond::<Runtime>::get(), MIN_NOMINATOR_BOND);
		assert_eq!(pallet_staking::MinValidatorBond::<Runtime>::get(), MIN_VALIDATOR_BOND);
	});
}

/// The election of `pallet-staking`'s configuration with at most `VOTERS` voters read.
struct BoundedElection<const VOTERS: u32>;
impl<const VOTERS: u32> frame_election_provider_support::onchain::Config
	for BoundedElection<VOTERS>
{
	type System = Runtime;
	type Solver =
		frame_election_provider_support::SequentialPhragmen<AccountId, sp_runtime::Perbill>;
	type DataProvider = Staking;
	type WeightInfo = frame_election_provider_support::weights::SubstrateWeight<Runtime>;
	type MaxWinnersPerPage = crate::configs::staking::MaxValidatorSet;
	type MaxBackersPerWinner = frame_support::traits::ConstU32<512>;
	type Bounds = VoterBound<VOTERS>;
	type Sort = frame_support::traits::ConstBool<true>;
}

struct VoterBound<const VOTERS: u32>;
impl<const VOTERS: u32>
	frame_support::traits::Get<frame_election_provider_support::bounds::ElectionBounds>
	for VoterBound<VOTERS>
{
	fn get() -> frame_election_provider_support::bounds::ElectionBounds {
		frame_election_provider_support::bounds::ElectionBoundsBuilder::default()
			.voters_count(VOTERS.into())
			.build()
	}
}

#[test]
fn item_1_an_election_with_more_nominators_than_the_bound_elects_by_stake() {
	use frame_election_provider_support::ElectionProvider;
	dev_ext().execute_with(|| {
		// Issue 24, item 1: voters were read in storage-hash order up to the bound, so dust
		// nominators could push real ones out of the election. Two candidates besides Alice:
		// `dusted`, backed by 40 nominators at the minimum bond, and `backed`, by 5 nominators
		// of 100,000 BWK. The election reads 12 voters and fills one seat.
		let dusted = funded(10_000, 2 * MIN_VALIDATOR_BOND);
		let backed = funded(10_001, 2 * MIN_VALIDATOR_BOND);
		for candidate in [&dusted, &backed] {
			bond(candidate, MIN_VALIDATOR_BOND);
			assert_ok!(Staking::validate(
				RuntimeOrigin::signed(candidate.clone()),
				Default::default()
			));
		}
		for index in 0..40 {
			let dust = funded(20_000 + index, 2 * MIN_NOMINATOR_BOND);
			bond(&dust, MIN_NOMINATOR_BOND);
			assert_ok!(Staking::nominate(RuntimeOrigin::signed(dust), vec![dusted.clone().into()]));
		}
		let whales: Vec<AccountId> =
			(0..5).map(|index| funded(30_000 + index, 200_000 * BWK)).collect();
		for whale in &whales {
			bond(whale, 100_000 * BWK);
			assert_ok!(Staking::nominate(
				RuntimeOrigin::signed(whale.clone()),
				vec![backed.clone().into()]
			));
		}
		pallet_staking::ValidatorCount::<Runtime>::put(1);

		// The 12 voters read are the 12 most staked: the five whales first.
		let voters =
			<Staking as frame_election_provider_support::ElectionDataProvider>::electing_voters(
				frame_election_provider_support::bounds::DataProviderBounds {
					count: Some(12.into()),
					size: None,
				},
				0,
			)
			.expect("voters");
		assert_eq!(voters.len(), 12);
		for whale in &whales {
			assert!(voters.iter().any(|(who, _, _)| who == whale), "a whale was left out");
		}
		let elected = frame_election_provider_support::onchain::OnChainExecution::<
			BoundedElection<12>,
		>::elect(0)
		.expect("the election succeeds");
		assert_eq!(elected.into_iter().map(|(who, _)| who).collect::<Vec<_>>(), vec![backed]);
	});
}

#[test]
fn item_1_the_upgrade_fills_the_voter_list_of_a_chain_that_had_none() {
	use frame_election_provider_support::{ScoreProvider, SortedListProvider};
	use frame_support::traits::OnRuntimeUpgrade;
	dev_ext().execute_with(|| {
		// A chain started before the voter list (8fbebc7): staking's maps hold its voters, the
		// bags hold nobody. Without the migration its next election would read no voters.
		for index in 0..20 {
			let who = funded(40_000 + index, 100 * BWK * u128::from(index + 1));
			bond(&who, 50 * BWK * u128::from(index + 1));
			assert_ok!(Staking::nominate(RuntimeOrigin::signed(who), vec![acc(Alice).into()]));
		}
		let stakers = pallet_staking::Nominators::<Runtime>::count()
			+ pallet_staking::Validators::<Runtime>::count();
		assert_eq!(stakers, 21);
		type Instance = pallet_bags_list::Instance1;
		let nodes = pallet_bags_list::ListNodes::<Runtime, Instance>::clear(u32::MAX, None);
		let bags = pallet_bags_list::ListBags::<Runtime, Instance>::clear(u32::MAX, None);
		assert!(nodes.maybe_cursor.is_none() && bags.maybe_cursor.is_none());
		assert_eq!(VoterList::count(), 0);

		crate::configs::staking::PopulateVoterList::on_runtime_upgrade();
		assert_eq!(VoterList::count(), stakers);
		// In order of stake, each at its ledger's weight.
		let scores: Vec<u64> = VoterList::iter()
			.map(|who| {
				let score = <Staking as ScoreProvider<AccountId>>::score(&who).expect("staked");
				assert_eq!(VoterList::get_score(&who).ok(), Some(score));
				score
			})
			.collect();
		assert_eq!(scores.len() as u32, stakers);
		let bag = |score: u64| pallet_bags_list::notional_bag_for::<Runtime, Instance>(score);
		assert!(scores.windows(2).all(|pair| bag(pair[0]) >= bag(pair[1])), "{scores:?}");
		// A second run leaves the list alone.
		crate::configs::staking::PopulateVoterList::on_runtime_upgrade();
		assert_eq!(VoterList::count(), stakers);
		// The most voters the presets allow fit in the upgrade's block (1.08 s of its 2 s).
		let most =
			crate::configs::staking::PopulateVoterList::weight(MAX_VALIDATORS + MAX_NOMINATORS);
		let block = <Runtime as frame_system::Config>::BlockWeights::get().max_block;
		assert!(most.all_lte(block), "{most:?} of {block:?}");
	});
}

#[test]
fn the_staking_benchmarks_preset_is_dev_without_the_bounds_and_dev_keeps_them() {
	use crate::genesis_config_presets::{full_preset, STAKING_BENCHMARKS_PRESET};
	let config = full_preset(&STAKING_BENCHMARKS_PRESET.into()).expect("the preset exists");
	let mut ext = sp_io::TestExternalities::new_empty();
	ext.execute_with(|| {
		frame_support::genesis_builder_helper::build_state::<crate::RuntimeGenesisConfig>(config)
			.expect("it builds");
		assert_eq!(pallet_staking::MinValidatorBond::<Runtime>::get(), 0);
		assert_eq!(pallet_staking::MinNominatorBond::<Runtime>::get(), 0);
		assert_eq!(pallet_staking::MaxValidatorsCount::<Runtime>::get(), None);
		assert_eq!(pallet_staking::MaxNominatorsCount::<Runtime>::get(), None);
	});
	dev_ext().execute_with(|| {
		assert_eq!(pallet_staking::MinValidatorBond::<Runtime>::get(), MIN_VALIDATOR_BOND);
		assert_eq!(pallet_staking::MaxNominatorsCount::<Runtime>::get(), Some(MAX_NOMINATORS));
	});
}
