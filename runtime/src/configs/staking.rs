//! Validator staking: session rotation, NPoS elections, rewards, offences and slashing of BWK.
//!
//! Validator equivocation stays with `pallet-staking` and `pallet-offences`; only the deferral
//! and cancellation of those slashes is placed under the risk council ([`RiskOrigin`]), the same
//! origin that governs Bulwark's own slashing pallet.

use frame_election_provider_support::{bounds::ElectionBoundsBuilder, onchain, SequentialPhragmen};
use frame_support::{
	parameter_types,
	traits::{ConstBool, ConstU32, Nothing},
};
use sp_runtime::{curve::PiecewiseLinear, traits::OpaqueKeys, Perbill};

use super::super::{
	AccountId, Balance, Balances, BlockNumber, Runtime, RuntimeEvent, RuntimeHoldReason, Session,
	SessionKeys, Staking, Timestamp, VoterList, BWK,
};
use super::governance::RiskOrigin;

/// Blocks per session: the chain's genesis timings.
pub type SessionPeriod = pallet_bulwark_timings::SessionBlocks<Runtime>;

parameter_types! {
	pub const SessionOffset: BlockNumber = 0;
}

impl pallet_session::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type ValidatorId = AccountId;
	/// Validators are identified by their stash account.
	type ValidatorIdOf = sp_runtime::traits::ConvertInto;
	type ShouldEndSession = pallet_session::PeriodicSessions<SessionPeriod, SessionOffset>;
	type NextSessionRotation = pallet_session::PeriodicSessions<SessionPeriod, SessionOffset>;
	type SessionManager = pallet_session::historical::NoteHistoricalRoot<Self, Staking>;
	type SessionHandler = <SessionKeys as OpaqueKeys>::KeyTypeIdProviders;
	type Keys = SessionKeys;
	/// Disable at most a third of the validators for offences, re-enabling lesser offenders
	/// if a worse one needs the slot.
	type DisablingStrategy = pallet_session::disabling::UpToLimitWithReEnablingDisablingStrategy;
	type WeightInfo = pallet_session::weights::SubstrateWeight<Runtime>;
	type Currency = Balances;
	type KeyDeposit = ();
}

impl pallet_session::historical::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type FullIdentification = ();
	type FullIdentificationOf = pallet_staking::UnitIdentificationOf<Self>;
}

// Yearly inflation of BWK as a function of the staked ratio.
pallet_staking_reward_curve::build! {
	const REWARD_CURVE: PiecewiseLinear<'static> = curve!(
		min_inflation: 0_025_000,
		max_inflation: 0_100_000,
		ideal_stake: 0_500_000,
		falloff: 0_050_000,
		max_piece_count: 40,
		test_precision: 0_005_000,
	);
}

/// Sessions per staking era: the chain's genesis timings (dev: 3 one-minute sessions).
pub type SessionsPerEra = pallet_bulwark_timings::SessionsPerEra<Runtime>;
/// Eras a stake stays bonded after `unbond` (dev: 12 minutes; testnet: 7 days).
pub type BondingDuration = pallet_bulwark_timings::BondingEras<Runtime>;
/// Eras a validator slash waits before it applies, during which the risk council may cancel it.
/// Less than the bonding duration (the timings' `validate`), so a slashed stake cannot leave
/// first.
pub type SlashDeferDuration = pallet_bulwark_timings::ValidatorSlashDeferEras<Runtime>;
/// How long a GRANDPA equivocation report stays valid: the bonding duration in blocks.
pub type ReportLongevity = pallet_bulwark_timings::BondingBlocks<Runtime>;
/// GRANDPA set-id to session mappings kept for equivocation proofs: the bonding duration in
/// sessions.
pub type MaxSetIdSessionEntries = pallet_bulwark_timings::BondingSessions<Runtime>;

parameter_types! {
	pub const RewardCurve: &'static PiecewiseLinear<'static> = &REWARD_CURVE;
	pub const MaxExposurePageSize: u32 = 64;
	pub const MaxValidatorSet: u32 = 100;
	pub ElectionBounds: frame_election_provider_support::bounds::ElectionBounds =
		ElectionBoundsBuilder::default().voters_count(5_000.into()).targets_count(1_000.into()).build();
}

/// On-chain sequential Phragmén election, run at era boundaries.
pub struct OnChainSeqPhragmen;
impl onchain::Config for OnChainSeqPhragmen {
	type System = Runtime;
	type Solver = SequentialPhragmen<AccountId, Perbill>;
	type DataProvider = Staking;
	type WeightInfo = frame_election_provider_support::weights::SubstrateWeight<Runtime>;
	type MaxWinnersPerPage = MaxValidatorSet;
	type MaxBackersPerWinner = ConstU32<512>;
	type Bounds = ElectionBounds;
	type Sort = ConstBool<true>;
}

/// Limits used by staking's benchmarks.
pub struct StakingBenchmarkingConfig;
impl pallet_staking::BenchmarkingConfig for StakingBenchmarkingConfig {
	type MaxNominators = ConstU32<1000>;
	type MaxValidators = ConstU32<100>;
}

impl pallet_staking::Config for Runtime {
	type OldCurrency = Balances;
	type Currency = Balances;
	type CurrencyBalance = Balance;
	type RuntimeHoldReason = RuntimeHoldReason;
	type UnixTime = Timestamp;
	type CurrencyToVote = sp_staking::currency_to_vote::U128CurrencyToVote;
	type ElectionProvider = onchain::OnChainExecution<OnChainSeqPhragmen>;
	type GenesisElectionProvider = onchain::OnChainExecution<OnChainSeqPhragmen>;
	type NominationsQuota = pallet_staking::FixedNominationsQuota<16>;
	type HistoryDepth = ConstU32<84>;
	/// Unpaid remainder of era payouts is burnt.
	type RewardRemainder = ();
	type RuntimeEvent = RuntimeEvent;
	/// Slashed BWK is burnt.
	type Slash = ();
	type Reward = ();
	type SessionsPerEra = SessionsPerEra;
	type BondingDuration = BondingDuration;
	type SlashDeferDuration = SlashDeferDuration;
	/// `cancel_deferred_slash`, `set_min_commission`, `manual_slash` and ledger repairs.
	type AdminOrigin = RiskOrigin;
	type SessionInterface = Self;
	type EraPayout = pallet_staking::ConvertCurve<RewardCurve>;
	type NextNewSession = Session;
	type MaxExposurePageSize = MaxExposurePageSize;
	type MaxValidatorSet = MaxValidatorSet;
	/// Voters sorted by stake, so that an election bounded to fewer voters than there are
	/// reads the most staked first (dust nominators cannot push real ones out).
	type VoterList = VoterList;
	type TargetList = pallet_staking::UseValidatorsMap<Self>;
	type MaxUnlockingChunks = ConstU32<32>;
	type MaxControllersInDeprecationBatch = ConstU32<100>;
	type EventListeners = ();
	type Filter = Nothing;
	type BenchmarkingConfig = StakingBenchmarkingConfig;
	type WeightInfo = crate::weights::pallet_staking::WeightInfo<Runtime>;
}

/// The first bag's bound: the minimum nominator bond (10 BWK), as vote weight (one unit per
/// planck while BWK's issuance is under `u64::MAX` plancks, `U128CurrencyToVote`; above it voters
/// merely sit in lower bags than their stake, still in order). Voters under it share the first
/// bag.
const FIRST_BAG: u64 = 10 * BWK as u64;

/// The number of bags of [`VoterList`]: each bound an eighth (12.5%) above the one before, from
/// [`FIRST_BAG`] to the last bound under `u64::MAX`, then an unbounded bag.
pub const BAG_COUNT: usize = bag_count();

/// The bags' upper bounds in vote weight (see [`BAG_COUNT`]).
pub const BAG_THRESHOLDS: [u64; BAG_COUNT] = bag_thresholds();

/// The bound after `bound`, `None` past `u64::MAX`.
const fn next_bound(bound: u64) -> Option<u64> {
	bound.checked_add(bound / 8)
}

const fn bag_count() -> usize {
	let mut count = 1;
	let mut bound = FIRST_BAG;
	while let Some(next) = next_bound(bound) {
		count += 1;
		bound = next;
	}
	// The last finite bound, then the unbounded bag.
	count + 1
}

const fn bag_thresholds() -> [u64; BAG_COUNT] {
	let mut thresholds = [u64::MAX; BAG_COUNT];
	let mut bound = FIRST_BAG;
	let mut index = 0;
	while index + 1 < BAG_COUNT {
		thresholds[index] = bound;
		bound = match next_bound(bound) {
			Some(next) => next,
			None => u64::MAX,
		};
		index += 1;
	}
	thresholds
}

// Bounds strictly increase up to the unbounded last bag.
const _: () = {
	let mut index = 1;
	while index < BAG_COUNT {
		assert!(BAG_THRESHOLDS[index - 1] < BAG_THRESHOLDS[index]);
		index += 1;
	}
	assert!(BAG_THRESHOLDS[BAG_COUNT - 1] == u64::MAX);
};

parameter_types! {
	pub const BagThresholds: &'static [u64] = &BAG_THRESHOLDS;
}

/// The staking voter list (issue 24, item 1).
impl pallet_bags_list::Config<pallet_bags_list::Instance1> for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = crate::weights::pallet_bags_list::WeightInfo<Runtime>;
	type ScoreProvider = Staking;
	type BagThresholds = BagThresholds;
	/// None: staking moves a voter between bags whenever its stake changes, and anyone may
	/// `rebag` one whose score drifted (a slash); `on_idle` does no work.
	type MaxAutoRebagPerBlock = ();
	type Score = frame_election_provider_support::VoteWeight;
}

/// Fills [`VoterList`] from staking's nominators and validators when it is empty while they are
/// not: a chain upgraded from a runtime whose voter list was staking's own maps (8fbebc7 and
/// before) would otherwise hold an empty list, and its next election would read no voters and
/// fail. Runs once in effect: a non-empty list is left alone.
pub struct PopulateVoterList;

impl PopulateVoterList {
	/// The weight of filling the list with `voters`. Per voter: its key, `Bonded` and ledger
	/// read, its bag and the bag's tail read; its node, the former tail, the bag and the counter
	/// written. At most `MaxValidatorsCount` + `MaxNominatorsCount` voters (4,500 in the
	/// presets): 1.08 s of the upgrade block's 2 s (`tests::staking`).
	pub fn weight(voters: u32) -> frame_support::weights::Weight {
		let voters = u64::from(voters);
		<Runtime as frame_system::Config>::DbWeight::get()
			.reads_writes(3 + 5 * voters, 1 + 4 * voters)
	}
}

impl frame_support::traits::OnRuntimeUpgrade for PopulateVoterList {
	fn on_runtime_upgrade() -> frame_support::weights::Weight {
		use frame_election_provider_support::SortedListProvider;
		let db = <Runtime as frame_system::Config>::DbWeight::get();
		let stakers = pallet_staking::Nominators::<Runtime>::count()
			.saturating_add(pallet_staking::Validators::<Runtime>::count());
		if VoterList::count() > 0 || stakers == 0 {
			log::info!(target: "runtime::staking", "migration PopulateVoterList: nothing to do");
			return db.reads(3);
		}
		let voters = pallet_staking::Nominators::<Runtime>::iter_keys()
			.chain(pallet_staking::Validators::<Runtime>::iter_keys());
		let inserted = <VoterList as SortedListProvider<AccountId>>::unsafe_regenerate(
			voters,
			alloc::boxed::Box::new(|who| Some(Staking::weight_of(who))),
		);
		log::info!(
			target: "runtime::staking",
			"migration PopulateVoterList: the voter list filled with {inserted} voters"
		);
		Self::weight(inserted)
	}

	#[cfg(feature = "try-runtime")]
	fn post_upgrade(_: alloc::vec::Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
		use frame_election_provider_support::SortedListProvider;
		let stakers = pallet_staking::Nominators::<Runtime>::count()
			.saturating_add(pallet_staking::Validators::<Runtime>::count());
		frame_support::ensure!(VoterList::count() == stakers, "every staker is in the voter list");
		<VoterList as SortedListProvider<AccountId>>::try_state()
	}
}

impl pallet_offences::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type IdentificationTuple = pallet_session::historical::IdentificationTuple<Self>;
	type OnOffenceHandler = Staking;
}
