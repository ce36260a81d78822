//! The risk council and [`RiskOrigin`], the origin of every risk decision; and the council's
//! path to Root (runtime upgrades, the calls `pallet-staking` reserves to Root) through
//! `pallet-whitelist`, so that a chain without sudo can still be governed.
//!
//! The council is a `pallet-collective` instance whose members are managed by a
//! `pallet-membership` instance. Polkadot.js users drive it as usual: `council.propose`,
//! `council.vote`, `council.close`.
//!
//! Root in two motions: two thirds of the council whitelist a call's hash
//! (`whitelist.whitelistCall`, [`WhitelistOrigin`]), which publishes exactly what will run;
//! three quarters then dispatch it as Root (`whitelist.dispatchWhitelistedCallWithPreimage`,
//! [`RootDispatchOrigin`]). A bare majority cannot reach Root, and neither motion alone can
//! run anything but the other's exact call.

use frame_support::{
	parameter_types,
	traits::{
		fungible::HoldConsideration, Consideration, ConstU32, EitherOfDiverse, LinearStoragePrice,
		MaybeConsideration,
	},
	weights::Weight,
};
use frame_system::EnsureRoot;
use sp_runtime::{traits::Convert, DispatchError, Perbill};

use super::super::{
	AccountId, Balance, Balances, Council, Preimage, Runtime, RuntimeCall, RuntimeEvent,
	RuntimeHoldReason, RuntimeOrigin, System, BWK,
};
use super::RuntimeBlockWeights;

/// The collective instance of the risk council.
pub type RiskCouncilInstance = pallet_collective::Instance1;

/// Root, or at least two thirds of the risk council.
///
/// Gates every risk parameter of the Bulwark pallets, staking administration
/// (`cancel_deferred_slash`, `set_min_commission`, ...) and the cancellation of deferred slashes.
/// The council's own membership needs [`RootDispatchOrigin`].
pub type RiskOrigin = EitherOfDiverse<
	EnsureRoot<AccountId>,
	pallet_collective::EnsureProportionAtLeast<AccountId, RiskCouncilInstance, 2, 3>,
>;

/// Maximum council size, shared by the collective and its membership pallet.
pub const MAX_COUNCIL_MEMBERS: u32 = 16;
/// Open proposals the council holds at most.
pub const MAX_PROPOSALS: u32 = 100;
/// Proposal deposits one member may hold at once (see [`CappedProposalDeposit`]).
pub const MAX_PROPOSALS_PER_MEMBER: u32 = 5;
/// A proposal's deposit per open proposal of the council (see [`ProposalDeposit`]).
pub const PROPOSAL_DEPOSIT: Balance = 10 * BWK;
// Every member at its cap leaves slots free: no coalition short of the whole council fills them.
const _: () = assert!(MAX_PROPOSALS_PER_MEMBER * MAX_COUNCIL_MEMBERS < MAX_PROPOSALS);

/// A motion stays open this long: the chain's genesis timings (dev: half an hour; testnet: a
/// day); it can close earlier once decided.
pub type CouncilMotionDuration = pallet_bulwark_timings::CouncilMotionBlocks<Runtime>;

parameter_types! {
	/// A motion's call may use at most half a block.
	pub MaxCouncilProposalWeight: Weight =
		Perbill::from_percent(50) * RuntimeBlockWeights::get().max_block;
}

impl pallet_collective::Config<RiskCouncilInstance> for Runtime {
	type RuntimeOrigin = RuntimeOrigin;
	type Proposal = RuntimeCall;
	type RuntimeEvent = RuntimeEvent;
	type MotionDuration = CouncilMotionDuration;
	type MaxProposals = ConstU32<MAX_PROPOSALS>;
	type MaxMembers = ConstU32<MAX_COUNCIL_MEMBERS>;
	/// Members who did not vote count as nays: a motion that reaches the Root threshold does so
	/// with that many ayes actually cast (with the prime's default, a prime could carry absent
	/// members to three quarters).
	type DefaultVote = AbsentIsNay;
	type WeightInfo = crate::weights::pallet_collective::WeightInfo<Runtime>;
	/// Members change through `CouncilMembership`, never directly.
	type SetMembersOrigin = EnsureRoot<AccountId>;
	type MaxProposalWeight = MaxCouncilProposalWeight;
	/// Two thirds of the council (or Root) may reject a motion at once, or kill it and burn its
	/// deposit: one member cannot hold governance hostage until Root acts.
	type DisapproveOrigin = RiskOrigin;
	type KillOrigin = RiskOrigin;
	type Consideration = CappedProposalDeposit;
}

parameter_types! {
	pub const ProposalHoldReason: RuntimeHoldReason =
		RuntimeHoldReason::Council(pallet_collective::HoldReason::ProposalSubmission);
}

/// A proposal's deposit: [`PROPOSAL_DEPOSIT`] for each open proposal of the council, this one
/// included, so that every further slot costs more.
pub struct ProposalDeposit;
impl Convert<u32, Balance> for ProposalDeposit {
	fn convert(open_before: u32) -> Balance {
		PROPOSAL_DEPOSIT.saturating_mul(Balance::from(open_before).saturating_add(1))
	}
}

/// The deposit held in BWK for a proposal.
pub type ProposalHold =
	HoldConsideration<AccountId, Balances, ProposalHoldReason, ProposalDeposit, u32>;

/// A proposal's deposit ([`ProposalHold`]), refused to a member that has
/// [`MAX_PROPOSALS_PER_MEMBER`] deposits held already (open proposals, or closed ones whose
/// deposit it has not released with `council.releaseProposalCost`): issue 24, item 2. The
/// council's 16 members can hold at most 80 of its 100 slots, so no member, nor all but one, can
/// fill them, and a spammer's deposits are burned by a two-thirds `kill`.
#[derive(
	codec::Encode,
	codec::Decode,
	codec::DecodeWithMemTracking,
	codec::MaxEncodedLen,
	scale_info::TypeInfo,
	Clone,
	PartialEq,
	Eq,
	Debug,
)]
pub struct CappedProposalDeposit(ProposalHold);

impl Consideration<AccountId, u32> for CappedProposalDeposit {
	fn new(who: &AccountId, open_before: u32) -> Result<Self, DispatchError> {
		// Bounded: each member holds at most `MAX_PROPOSALS_PER_MEMBER` entries.
		let held = pallet_collective::CostOf::<Runtime, RiskCouncilInstance>::iter_values()
			.filter(|(proposer, _)| proposer == who)
			.count();
		if held >= MAX_PROPOSALS_PER_MEMBER as usize && !is_benchmark_proposer(who) {
			return Err(DispatchError::Other("a member holds at most 5 proposal deposits"));
		}
		ProposalHold::new(who, open_before).map(Self)
	}

	fn update(self, who: &AccountId, new: u32) -> Result<Self, DispatchError> {
		self.0.update(who, new).map(Self)
	}

	fn drop(self, who: &AccountId) -> Result<(), DispatchError> {
		self.0.drop(who)
	}

	fn burn(self, who: &AccountId) {
		self.0.burn(who)
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn ensure_successful(who: &AccountId, new: u32) {
		ProposalHold::ensure_successful(who, new)
	}
}

/// Whether `who` is one of the accounts `pallet-collective`'s benchmarks propose from (up to
/// `MaxProposals` proposals each, to measure the worst case). They are hashes of a name, with no
/// key: nobody can sign as them. The scan of the deposits runs for them too, so the measured
/// `propose` pays for it.
#[cfg(feature = "runtime-benchmarks")]
fn is_benchmark_proposer(who: &AccountId) -> bool {
	use frame_benchmarking::v1::{account, whitelisted_caller};
	*who == whitelisted_caller::<AccountId>()
		|| *who == account::<AccountId>("proposer", 0, 0)
		|| *who == account::<AccountId>("caller", 0, 0)
		|| (0..MAX_COUNCIL_MEMBERS).any(|i| *who == account::<AccountId>("old member", i, 0))
}

#[cfg(not(feature = "runtime-benchmarks"))]
fn is_benchmark_proposer(_: &AccountId) -> bool {
	false
}

impl MaybeConsideration<AccountId, u32> for CappedProposalDeposit {
	fn is_none(&self) -> bool {
		self.0.is_none()
	}
}

/// Council members who did not vote on a motion count as voting nay.
pub struct AbsentIsNay;
impl pallet_collective::DefaultVote for AbsentIsNay {
	fn default_vote(_: Option<bool>, _: u32, _: u32, _: u32) -> bool {
		false
	}
}

/// Membership changes need the same three quarters as Root: otherwise two thirds could add a
/// member, or remove one, and then be three quarters of the new council.
impl pallet_membership::Config<RiskCouncilInstance> for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type AddOrigin = RootDispatchOrigin;
	type RemoveOrigin = RootDispatchOrigin;
	type SwapOrigin = RootDispatchOrigin;
	type ResetOrigin = RootDispatchOrigin;
	type PrimeOrigin = RootDispatchOrigin;
	type MembershipInitialized = Council;
	type MembershipChanged = Council;
	type MaxMembers = ConstU32<MAX_COUNCIL_MEMBERS>;
	type WeightInfo = pallet_membership::weights::SubstrateWeight<Runtime>;
}

/// Root, or at least two thirds of the risk council: may whitelist a call's hash.
pub type WhitelistOrigin = RiskOrigin;

/// Root, or at least three quarters of the risk council (four of the dev council's five): may
/// dispatch a whitelisted call as Root.
pub type RootDispatchOrigin = EitherOfDiverse<
	EnsureRoot<AccountId>,
	pallet_collective::EnsureProportionAtLeast<AccountId, RiskCouncilInstance, 3, 4>,
>;

/// A dispatch approved before its whitelisting may be relayed by anyone for a day after.
pub type WhitelistDeferredExpiration = pallet_bulwark_timings::BlocksPerDay<Runtime>;

parameter_types! {
	pub const PreimageHoldReason: RuntimeHoldReason =
		RuntimeHoldReason::Preimage(pallet_preimage::HoldReason::Preimage);
	/// Noting a preimage holds 1 BWK plus 0.001 BWK a byte: the chain's storage is not free.
	pub const PreimageBaseDeposit: Balance = BWK;
	pub const PreimageByteDeposit: Balance = BWK / 1_000;
}

impl pallet_whitelist::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type WhitelistOrigin = WhitelistOrigin;
	type DispatchWhitelistedOrigin = RootDispatchOrigin;
	type Preimages = Preimage;
	type DeferredDispatchExpiration = WhitelistDeferredExpiration;
	type BlockNumberProvider = System;
	type WeightInfo = pallet_whitelist::weights::SubstrateWeight<Runtime>;
}

impl pallet_preimage::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = pallet_preimage::weights::SubstrateWeight<Runtime>;
	type Currency = Balances;
	/// Three quarters: the manager may note and unrequest preimages for free, and unrequesting a
	/// whitelisted call's preimage would undo the whitelist's request.
	type ManagerOrigin = RootDispatchOrigin;
	type Consideration = HoldConsideration<
		AccountId,
		Balances,
		PreimageHoldReason,
		LinearStoragePrice<PreimageBaseDeposit, PreimageByteDeposit, Balance>,
	>;
}
