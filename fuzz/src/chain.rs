//! The chain under test: the `dev` genesis preset in memory, blocks built the way a node builds
//! them (`Executive::initialize_block` with an Aura slot, the timestamp inherent, extrinsics,
//! `Executive::finalize_block`), and signed extrinsics for the share of calls that go through
//! the transaction extensions.

use bulwark_runtime::{
	AccountId, Executive, Header, Runtime, RuntimeCall, RuntimeGenesisConfig, SignedPayload,
	System, TxExtension, UncheckedExtrinsic,
};
use codec::Encode;
use frame_support::genesis_builder_helper::build_state;
use sp_core::{sr25519, Pair, H256};
use sp_runtime::{
	generic::Era, traits::Header as _, ApplyExtrinsicResult, Digest, DigestItem, MultiAddress,
	MultiSignature,
};

/// Externalities holding the `dev` genesis state.
pub fn dev_genesis() -> sp_io::TestExternalities {
	let config = bulwark_runtime::genesis_config_presets::full_preset(
		&sp_genesis_builder::DEV_RUNTIME_PRESET.into(),
	)
	.expect("the dev preset exists");
	let mut ext = sp_io::TestExternalities::new_empty();
	ext.execute_with(|| {
		build_state::<RuntimeGenesisConfig>(config).expect("the dev preset builds");
	});
	ext
}

/// Builds blocks on the externalities it runs in.
pub struct BlockBuilder {
	parent: H256,
	number: u32,
	slot: u64,
}

impl BlockBuilder {
	/// Starts after genesis.
	pub fn new() -> Self {
		Self { parent: H256::zero(), number: 0, slot: 1_000 }
	}

	/// The number of the block being built (or last finalized).
	pub fn number(&self) -> u32 {
		self.number
	}

	/// Opens the next block: an Aura slot one after the last, every hook's `on_initialize`, and
	/// the timestamp inherent of that slot.
	pub fn open(&mut self) {
		self.number = self.number.saturating_add(1);
		self.slot = self.slot.saturating_add(1);
		let digest = Digest {
			logs: vec![DigestItem::PreRuntime(
				sp_consensus_aura::AURA_ENGINE_ID,
				sp_consensus_aura::Slot::from(self.slot).encode(),
			)],
		};
		let header = Header::new(self.number, H256::zero(), H256::zero(), self.parent, digest);
		Executive::initialize_block(&header);
		let now = self.slot.saturating_mul(pallet_aura::Pallet::<Runtime>::slot_duration());
		let inherent =
			UncheckedExtrinsic::new_bare(RuntimeCall::Timestamp(pallet_timestamp::Call::set {
				now,
			}));
		let applied = Executive::apply_extrinsic(inherent);
		assert!(matches!(applied, Ok(Ok(()))), "the timestamp inherent applies: {applied:?}");
	}

	/// Closes the block: `on_idle`, every `on_finalize`.
	pub fn close(&mut self) {
		let header = Executive::finalize_block();
		self.parent = header.hash();
	}
}

impl Default for BlockBuilder {
	fn default() -> Self {
		Self::new()
	}
}

/// `call` signed by `pair` with its next nonce, every transaction extension of the runtime.
pub fn signed(call: RuntimeCall, pair: &sr25519::Pair) -> UncheckedExtrinsic {
	let who: AccountId = pair.public().into();
	let nonce = System::account_nonce(&who);
	let extension: TxExtension = (
		frame_system::CheckNonZeroSender::<Runtime>::new(),
		frame_system::CheckSpecVersion::<Runtime>::new(),
		frame_system::CheckTxVersion::<Runtime>::new(),
		frame_system::CheckGenesis::<Runtime>::new(),
		frame_system::CheckEra::<Runtime>::from(Era::Immortal),
		frame_system::CheckNonce::<Runtime>::from(nonce),
		frame_system::CheckWeight::<Runtime>::new(),
		pallet_bulwark_oracle::CheckOracleSubmission::<Runtime>::new(),
		pallet_transaction_payment::ChargeTransactionPayment::<Runtime>::from(0),
		frame_metadata_hash_extension::CheckMetadataHash::<Runtime>::new(false),
		frame_system::WeightReclaim::<Runtime>::new(),
	);
	let payload = SignedPayload::new(call.clone(), extension.clone()).expect("the payload builds");
	let signature = payload.using_encoded(|bytes| pair.sign(bytes));
	UncheckedExtrinsic::new_signed(
		call,
		MultiAddress::Id(who),
		MultiSignature::Sr25519(signature),
		extension,
	)
}

/// Applies a signed extrinsic as a block does.
pub fn apply(extrinsic: UncheckedExtrinsic) -> ApplyExtrinsicResult {
	Executive::apply_extrinsic(extrinsic)
}
