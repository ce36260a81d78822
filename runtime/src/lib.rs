//! # Bulwark runtime
//!
//! A proof-of-stake solochain runtime for staked perpetual markets.
//!
//! - Consensus: Aura block production and GRANDPA finality; the validator set comes from
//!   `pallet-staking` (NPoS, on-chain sequential Phragmén) through `pallet-session`, and
//!   equivocations reach `pallet-staking` through `pallet-offences`.
//! - Tokens: **BWK** (`Balances`, 12 decimals) for fees, validator staking and the council;
//!   **bUSD** (`Busd`, a second `pallet-balances` instance, 6 decimals) for margin, vault stake,
//!   oracle bonds and insurance.
//! - Governance: a risk council (`Council` = `pallet-collective`, members managed by
//!   `CouncilMembership`). [`RiskOrigin`] (Root, or two thirds of the council) gates every risk
//!   parameter, staking administration and slash cancellation.
//!
//! `configs/` holds one file per concern; `apis.rs` the runtime APIs; `genesis_config_presets.rs`
//! the `dev` and `local` presets.

#![cfg_attr(not(feature = "std"), no_std)]
// `construct_runtime`-style macros expand to large enums.
#![recursion_limit = "256"]

#[cfg(feature = "std")]
include!(concat!(env!("OUT_DIR"), "/wasm_binary.rs"));

extern crate alloc;

use alloc::vec::Vec;

pub mod apis;
#[cfg(feature = "runtime-benchmarks")]
mod benchmarks;
pub mod configs;
pub mod genesis_config_presets;
#[cfg(test)]
mod tests;
pub mod weights;

use sp_runtime::{
	generic, impl_opaque_keys,
	traits::{BlakeTwo256, IdentifyAccount, Verify},
	MultiAddress, MultiSignature,
};
use sp_version::RuntimeVersion;

pub use bulwark_primitives::currency::{BUSD, BUSD_DECIMALS, BWK, BWK_DECIMALS};
pub use configs::governance::{RiskCouncilInstance, RiskOrigin};
pub use configs::MAX_BLOCK_LENGTH;
pub use frame_system::Call as SystemCall;
pub use pallet_balances::Call as BalancesCall;
#[cfg(any(feature = "std", test))]
pub use sp_runtime::BuildStorage;

/// Opaque types for the node, which need not know the runtime's extrinsic format.
pub mod opaque {
	use super::*;
	pub use sp_runtime::OpaqueExtrinsic as UncheckedExtrinsic;

	/// Opaque block header type.
	pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
	/// Opaque block type.
	pub type Block = generic::Block<Header, UncheckedExtrinsic>;
	/// Opaque block hash type.
	pub type Hash = <BlakeTwo256 as sp_runtime::traits::Hash>::Output;
}

impl_opaque_keys! {
	/// The session keys of a validator: Aura for authoring, GRANDPA for finality.
	pub struct SessionKeys {
		pub aura: Aura,
		pub grandpa: Grandpa,
	}
}

#[sp_version::runtime_version]
pub const VERSION: RuntimeVersion = RuntimeVersion {
	spec_name: alloc::borrow::Cow::Borrowed("bulwark"),
	impl_name: alloc::borrow::Cow::Borrowed("bulwark"),
	authoring_version: 1,
	spec_version: 100,
	impl_version: 1,
	apis: apis::RUNTIME_API_VERSIONS,
	transaction_version: 1,
	system_version: 1,
};

/// Signature of transactions.
pub type Signature = MultiSignature;
/// Account identifier: the public key of the signing scheme.
pub type AccountId = <<Signature as Verify>::Signer as IdentifyAccount>::AccountId;
/// Balance of either token.
pub type Balance = bulwark_primitives::Balance;
/// Transaction counter of an account.
pub type Nonce = u32;
/// Block hash.
pub type Hash = sp_core::H256;
/// Block number.
pub type BlockNumber = bulwark_primitives::BlockNumber;
/// Address format of extrinsics.
pub type Address = MultiAddress<AccountId, ()>;
/// Block header.
pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
/// Block.
pub type Block = generic::Block<Header, UncheckedExtrinsic>;
/// Signed block with justifications.
pub type SignedBlock = generic::SignedBlock<Block>;

/// The transaction extensions, checked in this order.
pub type TxExtension = (
	frame_system::CheckNonZeroSender<Runtime>,
	frame_system::CheckSpecVersion<Runtime>,
	frame_system::CheckTxVersion<Runtime>,
	frame_system::CheckGenesis<Runtime>,
	frame_system::CheckEra<Runtime>,
	frame_system::CheckNonce<Runtime>,
	frame_system::CheckWeight<Runtime>,
	// Invalid oracle submissions never enter the pool or a block (see the extension's doc).
	pallet_bulwark_oracle::CheckOracleSubmission<Runtime>,
	pallet_transaction_payment::ChargeTransactionPayment<Runtime>,
	// Offline signers (a hardware wallet) verify what they sign against the metadata's hash,
	// compiled into the production runtime (`./scripts/build.sh --production`).
	frame_metadata_hash_extension::CheckMetadataHash<Runtime>,
	frame_system::WeightReclaim<Runtime>,
);

/// Unchecked extrinsic.
pub type UncheckedExtrinsic =
	generic::UncheckedExtrinsic<Address, RuntimeCall, Signature, TxExtension>;
/// The payload signed by a transaction's sender.
pub type SignedPayload = generic::SignedPayload<RuntimeCall, TxExtension>;

/// Storage migrations run on the next runtime upgrade, each versioned (it runs once, from the
/// storage version it expects): the margin engine's pending orders in the account item, the
/// monitor's smoothing and breach count, the oracle's prices with their `max_price_age`; and
/// staking's new voter list filled from its nominators and validators.
type Migrations = (
	configs::staking::PopulateVoterList,
	pallet_bulwark_margin::migrations::v1::MigrateV0ToV1<Runtime>,
	pallet_bulwark_monitor::migrations::v1::MigrateV0ToV1<Runtime>,
	pallet_bulwark_oracle::migrations::v1::MigrateV0ToV1<Runtime>,
);

/// Dispatches extrinsics to the pallets.
pub type Executive = frame_executive::Executive<
	Runtime,
	Block,
	frame_system::ChainContext<Runtime>,
	Runtime,
	AllPalletsWithSystem,
	Migrations,
>;

#[frame_support::runtime]
mod runtime {
	#[runtime::runtime]
	#[runtime::derive(
		RuntimeCall,
		RuntimeEvent,
		RuntimeError,
		RuntimeOrigin,
		RuntimeFreezeReason,
		RuntimeHoldReason,
		RuntimeSlashReason,
		RuntimeLockId,
		RuntimeTask,
		RuntimeViewFunction
	)]
	pub struct Runtime;

	// --- system and consensus ---
	#[runtime::pallet_index(0)]
	pub type System = frame_system;
	#[runtime::pallet_index(1)]
	pub type Timestamp = pallet_timestamp;
	#[runtime::pallet_index(2)]
	pub type Balances = pallet_balances;
	#[runtime::pallet_index(3)]
	pub type TransactionPayment = pallet_transaction_payment;
	#[runtime::pallet_index(4)]
	pub type Busd = pallet_balances<Instance2>;
	#[runtime::pallet_index(5)]
	pub type Timings = pallet_bulwark_timings;

	// Authorship must come before Session so it sees the current validator set, and Staking
	// before Session so the new validator set is ready when Session asks for it.
	#[runtime::pallet_index(10)]
	pub type Authorship = pallet_authorship;
	#[runtime::pallet_index(11)]
	pub type Staking = pallet_staking;
	#[runtime::pallet_index(12)]
	pub type Offences = pallet_offences;
	#[runtime::pallet_index(13)]
	pub type Historical = pallet_session::historical;
	#[runtime::pallet_index(14)]
	pub type Session = pallet_session;
	#[runtime::pallet_index(15)]
	pub type Aura = pallet_aura;
	#[runtime::pallet_index(16)]
	pub type Grandpa = pallet_grandpa;
	#[runtime::pallet_index(17)]
	pub type VoterList = pallet_bags_list<Instance1>;

	// --- governance ---
	#[runtime::pallet_index(20)]
	pub type Council = pallet_collective<Instance1>;
	#[runtime::pallet_index(21)]
	pub type CouncilMembership = pallet_membership<Instance1>;
	#[runtime::pallet_index(22)]
	pub type Preimage = pallet_preimage;
	#[runtime::pallet_index(23)]
	pub type Whitelist = pallet_whitelist;
	#[runtime::pallet_index(24)]
	pub type TxPause = pallet_tx_pause;
	// Dev and test chains only: the production runtime has no sudo.
	#[cfg(not(feature = "production"))]
	#[runtime::pallet_index(29)]
	pub type Sudo = pallet_sudo;

	// --- Bulwark ---
	#[runtime::pallet_index(30)]
	pub type Oracle = pallet_bulwark_oracle;
	#[runtime::pallet_index(31)]
	pub type Insurance = pallet_bulwark_insurance;
	#[runtime::pallet_index(32)]
	pub type Vaults = pallet_bulwark_vaults;
	#[runtime::pallet_index(33)]
	pub type Slashing = pallet_bulwark_slashing;
	#[runtime::pallet_index(34)]
	pub type Margin = pallet_bulwark_margin;
	#[runtime::pallet_index(35)]
	pub type Monitor = pallet_bulwark_monitor;
	#[runtime::pallet_index(36)]
	pub type Options = pallet_bulwark_options;
}
