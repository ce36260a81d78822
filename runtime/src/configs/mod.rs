//! Pallet configurations: system, time, tokens, fees and consensus here; staking and governance
//! in their own files.

pub mod bulwark;
pub mod emergency;
pub mod governance;
pub mod staking;

use frame_support::{
	derive_impl,
	dispatch::DispatchClass,
	parameter_types,
	traits::{ConstBool, ConstU128, ConstU32, ConstU8, VariantCountOf},
	weights::{
		constants::{ParityDbWeight, WEIGHT_REF_TIME_PER_SECOND},
		ConstantMultiplier, IdentityFee, Weight,
	},
};
use frame_system::limits::{BlockLength, BlockWeights};
use pallet_transaction_payment::{FungibleAdapter, Multiplier, TargetedFeeAdjustment};
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_runtime::{
	traits::{Bounded, One},
	FixedPointNumber, Perbill, Perquintill,
};
use sp_version::RuntimeVersion;

use super::{
	AccountId, Aura, Balance, Balances, Block, BlockNumber, Hash, Nonce, PalletInfo, Runtime,
	RuntimeCall, RuntimeEvent, RuntimeFreezeReason, RuntimeHoldReason, RuntimeOrigin, RuntimeTask,
	Session, System, UncheckedExtrinsic, BUSD, BWK, VERSION,
};

/// Share of a block available to normal (non-operational) extrinsics.
const NORMAL_DISPATCH_RATIO: Perbill = Perbill::from_percent(75);

/// Compute per block: 2 s of weight in a 3 s slot, as much as the author's proposal window (two
/// thirds of the slot). Measured (docs/performance.md, `scripts/load.sh`): a block full of bUSD
/// transfers at 1.125 s of normal-class weight takes about 0.95 s to author, because the
/// measured weights are an upper bound (each storage write charged at ParityDB's 50 µs, the
/// signer's account twice); so a full 2 s block authors in about 1.3 s and leaves importing
/// validators the rest of the slot.
const MAXIMUM_BLOCK_WEIGHT: Weight =
	Weight::from_parts(WEIGHT_REF_TIME_PER_SECOND.saturating_mul(2), u64::MAX);

/// Block length limit, 8 MiB: an operational `apply_authorized_upgrade` must carry the whole
/// compressed runtime (5.1 MB for this dev build with its benchmarks). The node's block
/// proposer uses the same limit.
pub const MAX_BLOCK_LENGTH: u32 = 8 * 1024 * 1024;

/// Normal extrinsics may fill 3.75 MiB of a block, as before the limit was raised for upgrades:
/// bytes cost little in fees (`LengthToFee` is one planck a byte), so a larger normal share
/// would only make cheap block stuffing cheaper.
const MAX_NORMAL_BLOCK_LENGTH: u32 = 3 * 1024 * 1024 + 768 * 1024;

/// Existential deposit of BWK: 0.001 BWK.
pub const EXISTENTIAL_DEPOSIT: Balance = BWK / 1_000;
/// Existential deposit of bUSD: 0.01 bUSD.
pub const BUSD_EXISTENTIAL_DEPOSIT: Balance = BUSD / 100;

parameter_types! {
	pub const BlockHashCount: BlockNumber = 2400;
	pub const Version: RuntimeVersion = VERSION;
	/// 2 s of compute per 3 s block ([`MAXIMUM_BLOCK_WEIGHT`]), of which normal extrinsics may
	/// use 75%. The base weights of a block and of an extrinsic are this runtime's, measured by
	/// `bulwark-node benchmark overhead` (FRAME's defaults are Substrate's reference machine's).
	pub RuntimeBlockWeights: BlockWeights = BlockWeights::builder()
		.base_block(crate::weights::block_weights::BlockExecutionWeight::get())
		.for_class(DispatchClass::all(), |weights| {
			weights.base_extrinsic = crate::weights::extrinsic_weights::ExtrinsicBaseWeight::get();
		})
		.for_class(DispatchClass::Normal, |weights| {
			weights.max_total = Some(NORMAL_DISPATCH_RATIO * MAXIMUM_BLOCK_WEIGHT);
		})
		.for_class(DispatchClass::Operational, |weights| {
			weights.max_total = Some(MAXIMUM_BLOCK_WEIGHT);
			// Operational extrinsics may still go in when normal ones filled their share.
			weights.reserved =
				Some(MAXIMUM_BLOCK_WEIGHT.saturating_sub(NORMAL_DISPATCH_RATIO * MAXIMUM_BLOCK_WEIGHT));
		})
		.avg_block_initialization(Perbill::from_percent(10))
		.build_or_panic();
	/// [`MAX_BLOCK_LENGTH`] blocks, of which normal extrinsics may fill
	/// [`MAX_NORMAL_BLOCK_LENGTH`].
	pub RuntimeBlockLength: BlockLength = BlockLength::builder()
		.max_length(MAX_BLOCK_LENGTH)
		.modify_max_length_for_class(DispatchClass::Normal, |max| *max = MAX_NORMAL_BLOCK_LENGTH)
		.build();
	/// Generic Substrate address format.
	pub const SS58Prefix: u8 = 42;
}

#[derive_impl(frame_system::config_preludes::SolochainDefaultConfig)]
impl frame_system::Config for Runtime {
	type Block = Block;
	type BlockWeights = RuntimeBlockWeights;
	type BlockLength = RuntimeBlockLength;
	type AccountId = AccountId;
	type Nonce = Nonce;
	type Hash = Hash;
	type BlockHashCount = BlockHashCount;
	/// The node stores state in ParityDB (no RocksDB is compiled in).
	type DbWeight = ParityDbWeight;
	/// Measured on this runtime (FRAME's defaults assume RocksDB).
	type ExtensionsWeightInfo = crate::weights::frame_system_extensions::WeightInfo<Runtime>;
	type Version = Version;
	/// BWK balances live in the system account; bUSD has its own map (see `Busd`).
	type AccountData = pallet_balances::AccountData<Balance>;
	type SS58Prefix = SS58Prefix;
	type MaxConsumers = ConstU32<16>;
	/// The emergency brake: calls the council paused are refused (see [`emergency`]).
	type BaseCallFilter = super::TxPause;
}

impl pallet_timestamp::Config for Runtime {
	/// Milliseconds since the unix epoch.
	type Moment = u64;
	type OnTimestampSet = Aura;
	/// Half the chain's slot (its genesis timings): Aura needs two timestamps a slot apart.
	type MinimumPeriod = pallet_bulwark_timings::MinimumPeriodMillis<Runtime>;
	type WeightInfo = ();
}

/// BWK, the native token.
impl pallet_balances::Config for Runtime {
	type MaxLocks = ConstU32<50>;
	type MaxReserves = ();
	type ReserveIdentifier = [u8; 8];
	type Balance = Balance;
	type RuntimeEvent = RuntimeEvent;
	type DustRemoval = ();
	type ExistentialDeposit = ConstU128<EXISTENTIAL_DEPOSIT>;
	type AccountStore = System;
	/// Measured on this runtime (`scripts/weights.sh pallet_balances`).
	type WeightInfo = crate::weights::pallet_balances_balances::WeightInfo<Runtime>;
	type FreezeIdentifier = RuntimeFreezeReason;
	type MaxFreezes = VariantCountOf<RuntimeFreezeReason>;
	type RuntimeHoldReason = RuntimeHoldReason;
	type RuntimeFreezeReason = RuntimeFreezeReason;
	type DoneSlashHandler = ();
}

/// bUSD, the settlement token. Its accounts live in its own storage map; pallet-balances adds the
/// system provider reference itself, so a bUSD-only account exists like any other.
pub type BusdInstance = pallet_balances::Instance2;
impl pallet_balances::Config<BusdInstance> for Runtime {
	type MaxLocks = ConstU32<0>;
	type MaxReserves = ();
	type ReserveIdentifier = [u8; 8];
	type Balance = Balance;
	type RuntimeEvent = RuntimeEvent;
	type DustRemoval = ();
	type ExistentialDeposit = ConstU128<BUSD_EXISTENTIAL_DEPOSIT>;
	type AccountStore = frame_support::traits::StorageMapShim<
		pallet_balances::Account<Runtime, BusdInstance>,
		AccountId,
		pallet_balances::AccountData<Balance>,
	>;
	/// Measured on this runtime, for this instance.
	type WeightInfo = crate::weights::pallet_balances_busd::WeightInfo<Runtime>;
	type FreezeIdentifier = RuntimeFreezeReason;
	type MaxFreezes = VariantCountOf<RuntimeFreezeReason>;
	type RuntimeHoldReason = RuntimeHoldReason;
	type RuntimeFreezeReason = RuntimeFreezeReason;
	type DoneSlashHandler = ();
}

parameter_types! {
	/// Fees rise while blocks are fuller than a quarter of their normal-class weight.
	pub const TargetBlockFullness: Perquintill = Perquintill::from_percent(25);
	/// How fast: polkadot's value (a full block multiplies fees by about 1.00005).
	pub AdjustmentVariable: Multiplier = Multiplier::saturating_from_rational(75, 1_000_000);
	/// Fees never fall below the base fee: an idle chain does not make spam cheaper.
	pub MinimumMultiplier: Multiplier = Multiplier::one();
	pub MaximumMultiplier: Multiplier = Bounded::max_value();
}

parameter_types! {
	/// 10 µBWK a byte: a block's 3.75 MiB of normal length costs about 39 BWK to fill, and an
	/// operational call padded to shut normal traffic out of a block (its length counts against
	/// the normal share too) about as much, every block. A 150-byte transfer pays 0.0015 BWK.
	pub const TransactionByteFee: Balance = BWK / 100_000;
}

/// Fees are paid in BWK: one unit per picosecond of weight plus [`TransactionByteFee`] a byte, times a multiplier that
/// rises with block fullness (as in polkadot-sdk's relay chains), so that filling blocks to
/// crowd out others costs more and more. Oracle submissions are `Operational` and do not compete
/// with normal traffic for block space.
impl pallet_transaction_payment::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type OnChargeTransaction = FungibleAdapter<Balances, ()>;
	type WeightInfo = crate::weights::pallet_transaction_payment::WeightInfo<Runtime>;
	type OperationalFeeMultiplier = ConstU8<5>;
	type WeightToFee = IdentityFee<Balance>;
	type LengthToFee = ConstantMultiplier<Balance, TransactionByteFee>;
	type FeeMultiplierUpdate = TargetedFeeAdjustment<
		Self,
		TargetBlockFullness,
		AdjustmentVariable,
		MinimumMultiplier,
		MaximumMultiplier,
	>;
}

/// The chain's periods, set in its genesis (`genesis_config_presets`).
impl pallet_bulwark_timings::Config for Runtime {}

/// Sudo exists for dev and test chains only (not in the `production` runtime); governance goes
/// through the risk council.
#[cfg(not(feature = "production"))]
impl pallet_sudo::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type WeightInfo = pallet_sudo::weights::SubstrateWeight<Runtime>;
}

/// Upper bound of the validator set, shared by Aura, GRANDPA and staking.
pub type MaxAuthorities = ConstU32<100>;

impl pallet_aura::Config for Runtime {
	type AuthorityId = AuraId;
	type DisabledValidators = Session;
	type MaxAuthorities = MaxAuthorities;
	type AllowMultipleBlocksPerSlot = ConstBool<false>;
	type SlotDuration = pallet_aura::MinimumPeriodTimesTwo<Runtime>;
}

impl pallet_grandpa::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = ();
	type MaxAuthorities = MaxAuthorities;
	type MaxNominators = staking::MaxExposurePageSize;
	type MaxSetIdSessionEntries = staking::MaxSetIdSessionEntries;
	/// Equivocation proofs name the offender through the historical session proofs.
	type KeyOwnerProof = sp_session::MembershipProof;
	/// GRANDPA equivocations are reported to `pallet-offences`, which hands them to staking.
	type EquivocationReportSystem = pallet_grandpa::EquivocationReportSystem<
		Self,
		super::Offences,
		super::Historical,
		staking::ReportLongevity,
	>;
}

impl pallet_authorship::Config for Runtime {
	type FindAuthor = pallet_session::FindAccountFromAuthorIndex<Self, Aura>;
	/// Staking rewards block authors with era points.
	type EventHandler = super::Staking;
}

// Unsigned transactions created by the runtime itself (GRANDPA equivocation reports).
impl<C> frame_system::offchain::CreateTransactionBase<C> for Runtime
where
	RuntimeCall: From<C>,
{
	type Extrinsic = UncheckedExtrinsic;
	type RuntimeCall = RuntimeCall;
}

impl<C> frame_system::offchain::CreateBare<C> for Runtime
where
	RuntimeCall: From<C>,
{
	fn create_bare(call: RuntimeCall) -> UncheckedExtrinsic {
		UncheckedExtrinsic::new_bare(call)
	}
}
