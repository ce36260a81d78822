//! The risk council and [`RiskOrigin`], the origin of every risk decision.
//!
//! The council is a `pallet-collective` instance whose members are managed by a
//! `pallet-membership` instance. Polkadot.js users drive it as usual: `council.propose`,
//! `council.vote`, `council.close`.

use frame_support::{
	parameter_types,
	traits::{ConstU32, EitherOfDiverse},
	weights::Weight,
};
use frame_system::EnsureRoot;
use sp_runtime::Perbill;

use super::super::{
	time::MINUTES, AccountId, BlockNumber, Council, Runtime, RuntimeCall, RuntimeEvent,
	RuntimeOrigin,
};
use super::RuntimeBlockWeights;

/// The collective instance of the risk council.
pub type RiskCouncilInstance = pallet_collective::Instance1;

/// Root, or at least two thirds of the risk council.
///
/// Gates every risk parameter of the Bulwark pallets, the membership of the council itself,
/// staking administration (`cancel_deferred_slash`, `set_min_commission`, ...) and the
/// cancellation of deferred slashes.
pub type RiskOrigin = EitherOfDiverse<
	EnsureRoot<AccountId>,
	pallet_collective::EnsureProportionAtLeast<AccountId, RiskCouncilInstance, 2, 3>,
>;

/// Maximum council size, shared by the collective and its membership pallet.
pub const MAX_COUNCIL_MEMBERS: u32 = 16;

parameter_types! {
	/// A motion stays open this long (dev: half an hour); it can close earlier once decided.
	pub const CouncilMotionDuration: BlockNumber = 30 * MINUTES;
	/// A motion's call may use at most half a block.
	pub MaxCouncilProposalWeight: Weight =
		Perbill::from_percent(50) * RuntimeBlockWeights::get().max_block;
}

impl pallet_collective::Config<RiskCouncilInstance> for Runtime {
	type RuntimeOrigin = RuntimeOrigin;
	type Proposal = RuntimeCall;
	type RuntimeEvent = RuntimeEvent;
	type MotionDuration = CouncilMotionDuration;
	type MaxProposals = ConstU32<100>;
	type MaxMembers = ConstU32<MAX_COUNCIL_MEMBERS>;
	type DefaultVote = pallet_collective::PrimeDefaultVote;
	type WeightInfo = pallet_collective::weights::SubstrateWeight<Runtime>;
	/// Members change through `CouncilMembership`, never directly.
	type SetMembersOrigin = EnsureRoot<AccountId>;
	type MaxProposalWeight = MaxCouncilProposalWeight;
	type DisapproveOrigin = EnsureRoot<AccountId>;
	type KillOrigin = EnsureRoot<AccountId>;
	type Consideration = ();
}

impl pallet_membership::Config<RiskCouncilInstance> for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type AddOrigin = RiskOrigin;
	type RemoveOrigin = RiskOrigin;
	type SwapOrigin = RiskOrigin;
	type ResetOrigin = RiskOrigin;
	type PrimeOrigin = RiskOrigin;
	type MembershipInitialized = Council;
	type MembershipChanged = Council;
	type MaxMembers = ConstU32<MAX_COUNCIL_MEMBERS>;
	type WeightInfo = pallet_membership::weights::SubstrateWeight<Runtime>;
}
