//! Runtime APIs: the node's and polkadot.js's view into the runtime.

use alloc::vec::Vec;
use frame_support::{
	genesis_builder_helper::{build_state, get_preset},
	traits::KeyOwnerProofSystem,
	weights::Weight,
};
use pallet_grandpa::AuthorityId as GrandpaId;
use sp_api::impl_runtime_apis;
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_core::{crypto::KeyTypeId, OpaqueMetadata};
use sp_runtime::{
	traits::{Block as BlockT, NumberFor},
	transaction_validity::{TransactionSource, TransactionValidity},
	ApplyExtrinsicResult,
};
use sp_version::RuntimeVersion;

use super::{
	AccountId, Aura, Balance, Block, Executive, Grandpa, Historical, InherentDataExt, Insurance,
	Margin, Monitor, Nonce, Options, Oracle, Runtime, RuntimeCall, RuntimeGenesisConfig,
	SessionKeys, Slashing, System, TransactionPayment, Vaults, VERSION,
};

impl_runtime_apis! {
	impl sp_api::Core<Block> for Runtime {
		fn version() -> RuntimeVersion {
			VERSION
		}

		fn execute_block(block: <Block as BlockT>::LazyBlock) {
			Executive::execute_block(block);
		}

		fn initialize_block(header: &<Block as BlockT>::Header) -> sp_runtime::ExtrinsicInclusionMode {
			Executive::initialize_block(header)
		}
	}

	impl sp_api::Metadata<Block> for Runtime {
		fn metadata() -> OpaqueMetadata {
			OpaqueMetadata::new(Runtime::metadata().into())
		}

		fn metadata_at_version(version: u32) -> Option<OpaqueMetadata> {
			Runtime::metadata_at_version(version)
		}

		fn metadata_versions() -> Vec<u32> {
			Runtime::metadata_versions()
		}
	}

	impl frame_support::view_functions::runtime_api::RuntimeViewFunction<Block> for Runtime {
		fn execute_view_function(
			id: frame_support::view_functions::ViewFunctionId,
			input: Vec<u8>,
		) -> Result<Vec<u8>, frame_support::view_functions::ViewFunctionDispatchError> {
			Runtime::execute_view_function(id, input)
		}
	}

	impl sp_block_builder::BlockBuilder<Block> for Runtime {
		fn apply_extrinsic(extrinsic: <Block as BlockT>::Extrinsic) -> ApplyExtrinsicResult {
			Executive::apply_extrinsic(extrinsic)
		}

		fn finalize_block() -> <Block as BlockT>::Header {
			Executive::finalize_block()
		}

		fn inherent_extrinsics(data: sp_inherents::InherentData) -> Vec<<Block as BlockT>::Extrinsic> {
			data.create_extrinsics()
		}

		fn check_inherents(
			block: <Block as BlockT>::LazyBlock,
			data: sp_inherents::InherentData,
		) -> sp_inherents::CheckInherentsResult {
			data.check_extrinsics(&block)
		}
	}

	impl sp_transaction_pool::runtime_api::TaggedTransactionQueue<Block> for Runtime {
		fn validate_transaction(
			source: TransactionSource,
			tx: <Block as BlockT>::Extrinsic,
			block_hash: <Block as BlockT>::Hash,
		) -> TransactionValidity {
			Executive::validate_transaction(source, tx, block_hash)
		}
	}

	impl sp_offchain::OffchainWorkerApi<Block> for Runtime {
		fn offchain_worker(header: &<Block as BlockT>::Header) {
			Executive::offchain_worker(header)
		}
	}

	impl sp_consensus_aura::AuraApi<Block, AuraId> for Runtime {
		fn slot_duration() -> sp_consensus_aura::SlotDuration {
			sp_consensus_aura::SlotDuration::from_millis(Aura::slot_duration())
		}

		fn authorities() -> Vec<AuraId> {
			pallet_aura::Authorities::<Runtime>::get().into_inner()
		}
	}

	impl sp_session::SessionKeys<Block> for Runtime {
		fn generate_session_keys(owner: Vec<u8>, seed: Option<Vec<u8>>) -> sp_session::OpaqueGeneratedSessionKeys {
			SessionKeys::generate(&owner, seed).into()
		}

		fn decode_session_keys(encoded: Vec<u8>) -> Option<Vec<(Vec<u8>, KeyTypeId)>> {
			SessionKeys::decode_into_raw_public_keys(&encoded)
		}
	}

	impl sp_consensus_grandpa::GrandpaApi<Block> for Runtime {
		fn grandpa_authorities() -> sp_consensus_grandpa::AuthorityList {
			Grandpa::grandpa_authorities()
		}

		fn current_set_id() -> sp_consensus_grandpa::SetId {
			pallet_grandpa::CurrentSetId::<Runtime>::get()
		}

		fn submit_report_equivocation_unsigned_extrinsic(
			equivocation_proof: sp_consensus_grandpa::EquivocationProof<
				<Block as BlockT>::Hash,
				NumberFor<Block>,
			>,
			key_owner_proof: sp_consensus_grandpa::OpaqueKeyOwnershipProof,
		) -> Option<()> {
			let key_owner_proof = key_owner_proof.decode()?;
			Grandpa::submit_unsigned_equivocation_report(equivocation_proof, key_owner_proof)
		}

		fn generate_key_ownership_proof(
			_set_id: sp_consensus_grandpa::SetId,
			authority_id: GrandpaId,
		) -> Option<sp_consensus_grandpa::OpaqueKeyOwnershipProof> {
			use codec::Encode;
			Historical::prove((sp_consensus_grandpa::KEY_TYPE, authority_id))
				.map(|proof| proof.encode())
				.map(sp_consensus_grandpa::OpaqueKeyOwnershipProof::new)
		}
	}

	impl frame_system_rpc_runtime_api::AccountNonceApi<Block, AccountId, Nonce> for Runtime {
		fn account_nonce(account: AccountId) -> Nonce {
			System::account_nonce(account)
		}
	}

	impl pallet_transaction_payment_rpc_runtime_api::TransactionPaymentApi<Block, Balance> for Runtime {
		fn query_info(
			uxt: <Block as BlockT>::Extrinsic,
			len: u32,
		) -> pallet_transaction_payment_rpc_runtime_api::RuntimeDispatchInfo<Balance> {
			TransactionPayment::query_info(uxt, len)
		}
		fn query_fee_details(
			uxt: <Block as BlockT>::Extrinsic,
			len: u32,
		) -> pallet_transaction_payment::FeeDetails<Balance> {
			TransactionPayment::query_fee_details(uxt, len)
		}
		fn query_weight_to_fee(weight: Weight) -> Balance {
			TransactionPayment::weight_to_fee(weight)
		}
		fn query_length_to_fee(length: u32) -> Balance {
			TransactionPayment::length_to_fee(length)
		}
	}

	impl pallet_transaction_payment_rpc_runtime_api::TransactionPaymentCallApi<Block, Balance, RuntimeCall>
		for Runtime
	{
		fn query_call_info(
			call: RuntimeCall,
			len: u32,
		) -> pallet_transaction_payment::RuntimeDispatchInfo<Balance> {
			TransactionPayment::query_call_info(call, len)
		}
		fn query_call_fee_details(
			call: RuntimeCall,
			len: u32,
		) -> pallet_transaction_payment::FeeDetails<Balance> {
			TransactionPayment::query_call_fee_details(call, len)
		}
		fn query_weight_to_fee(weight: Weight) -> Balance {
			TransactionPayment::weight_to_fee(weight)
		}
		fn query_length_to_fee(length: u32) -> Balance {
			TransactionPayment::length_to_fee(length)
		}
	}

	#[cfg(feature = "runtime-benchmarks")]
	impl frame_benchmarking::Benchmark<Block> for Runtime {
		fn benchmark_metadata(extra: bool) -> (
			Vec<frame_benchmarking::BenchmarkList>,
			Vec<frame_support::traits::StorageInfo>,
		) {
			use frame_benchmarking::{baseline, BenchmarkList};
			use frame_support::traits::StorageInfoTrait;
			use frame_system_benchmarking::Pallet as SystemBench;
			use frame_system_benchmarking::extensions::Pallet as SystemExtensionsBench;
			use baseline::Pallet as BaselineBench;
			use super::*;

			let mut list = Vec::<BenchmarkList>::new();
			list_benchmarks!(list, extra);

			let storage_info = AllPalletsWithSystem::storage_info();
			(list, storage_info)
		}

		#[allow(non_local_definitions)]
		fn dispatch_benchmark(
			config: frame_benchmarking::BenchmarkConfig
		) -> Result<Vec<frame_benchmarking::BenchmarkBatch>, alloc::string::String> {
			use frame_benchmarking::{baseline, BenchmarkBatch};
			use frame_support::traits::{TrackedStorageKey, WhitelistedStorageKeys};
			use frame_system_benchmarking::Pallet as SystemBench;
			use frame_system_benchmarking::extensions::Pallet as SystemExtensionsBench;
			use baseline::Pallet as BaselineBench;
			use super::*;

			impl frame_system_benchmarking::Config for Runtime {}
			impl pallet_transaction_payment::BenchmarkConfig for Runtime {}
			impl baseline::Config for Runtime {}

			let whitelist: Vec<TrackedStorageKey> = AllPalletsWithSystem::whitelisted_storage_keys();
			let mut batches = Vec::<BenchmarkBatch>::new();
			let params = (&config, &whitelist);
			add_benchmarks!(params, batches);
			Ok(batches)
		}
	}

	#[cfg(feature = "try-runtime")]
	impl frame_try_runtime::TryRuntime<Block> for Runtime {
		fn on_runtime_upgrade(checks: frame_try_runtime::UpgradeCheckSelect) -> (Weight, Weight) {
			// try-runtime is an off-chain tool: a failed check must stop it loudly.
			let weight = Executive::try_runtime_upgrade(checks).unwrap(); // proof: off-chain only
			(weight, super::configs::RuntimeBlockWeights::get().max_block)
		}

		fn execute_block(
			block: <Block as BlockT>::LazyBlock,
			state_root_check: bool,
			signature_check: bool,
			select: frame_try_runtime::TryStateSelect,
		) -> Weight {
			Executive::try_execute_block(block, state_root_check, signature_check, select)
				.expect("execute-block failed") // proof: off-chain only
		}
	}

	impl pallet_bulwark_oracle::runtime_api::OracleApi<Block, AccountId> for Runtime {
		fn price_info(market: bulwark_primitives::MarketId) -> Option<bulwark_primitives::PriceInfo> {
			Oracle::price_info(market)
		}

		fn markets() -> Vec<(bulwark_primitives::MarketId, Vec<u8>, u8, pallet_bulwark_oracle::OracleParams)> {
			Oracle::api_markets()
		}

		fn operators() -> Vec<(AccountId, pallet_bulwark_oracle::OperatorInfo)> {
			Oracle::api_operators()
		}

		fn current_round() -> bulwark_primitives::RoundIndex {
			Oracle::current_round()
		}
	}

	impl pallet_bulwark_insurance::runtime_api::InsuranceApi<Block> for Runtime {
		fn fund_info(
			market: bulwark_primitives::MarketId,
		) -> (Balance, Balance, Option<sp_runtime::FixedU128>) {
			Insurance::api_fund_info(market)
		}

		fn global_allowance() -> Balance {
			Insurance::global_allowance(System::block_number()).0
		}
	}

	impl pallet_bulwark_monitor::runtime_api::SecurityApi<Block> for Runtime {
		fn ratios(market: bulwark_primitives::MarketId) -> Option<pallet_bulwark_monitor::SecurityView> {
			Monitor::security_view(market)
		}

		fn stress_test(
			shocks: Vec<(bulwark_primitives::MarketId, i32)>,
		) -> pallet_bulwark_monitor::StressReport {
			Monitor::stress_test(shocks)
		}
	}

	impl pallet_bulwark_margin::runtime_api::MarginApi<Block, AccountId> for Runtime {
		fn account(who: AccountId) -> Option<pallet_bulwark_margin::AccountView> {
			Margin::account_view(&who)
		}

		fn market(market: bulwark_primitives::MarketId) -> Option<pallet_bulwark_margin::MarketView> {
			Margin::market_view(market)
		}

		fn quote(
			who: AccountId,
			market: bulwark_primitives::MarketId,
			size_delta: bulwark_primitives::SignedSize,
		) -> Result<pallet_bulwark_margin::QuoteView, sp_runtime::DispatchError> {
			Margin::quote(&who, market, size_delta)
		}

		fn liquidatable(
			cursor: Option<AccountId>,
			limit: u32,
		) -> (Vec<pallet_bulwark_margin::LiquidatableView<AccountId>>, Option<AccountId>) {
			Margin::liquidatable_page(cursor, limit)
		}

		fn deleverage_candidates(
			market: bulwark_primitives::MarketId,
			cursor: Option<AccountId>,
			limit: u32,
		) -> (Vec<pallet_bulwark_margin::DeleverageCandidate<AccountId>>, Option<AccountId>) {
			Margin::deleverage_candidates(market, cursor, limit)
		}
	}

	impl pallet_bulwark_options::runtime_api::OptionsApi<Block, AccountId> for Runtime {
		fn series(
			market: Option<bulwark_primitives::MarketId>,
		) -> Vec<pallet_bulwark_options::runtime_api::SeriesView> {
			Options::series_views(market)
		}

		fn quote(
			series: pallet_bulwark_options::SeriesId,
			size: bulwark_primitives::SignedSize,
		) -> Result<pallet_bulwark_options::runtime_api::QuoteView, sp_runtime::DispatchError> {
			Options::quote_view(series, size)
		}

		fn account(who: AccountId) -> Vec<pallet_bulwark_options::runtime_api::HoldingView> {
			Options::account_views(&who)
		}

		fn vault_exposure(
			market: bulwark_primitives::MarketId,
		) -> Option<pallet_bulwark_options::runtime_api::ExposureView> {
			Options::exposure_view(market)
		}
	}

	impl pallet_bulwark_vaults::runtime_api::VaultsApi<Block, AccountId> for Runtime {
		fn vault(market: bulwark_primitives::MarketId) -> pallet_bulwark_vaults::VaultView {
			Vaults::api_vault(market)
		}

		fn staker(
			market: bulwark_primitives::MarketId,
			staker: AccountId,
		) -> Option<pallet_bulwark_vaults::StakerView> {
			Vaults::api_staker(market, &staker)
		}
	}

	impl pallet_bulwark_slashing::runtime_api::SlashingApi<Block, AccountId> for Runtime {
		fn pending_slashes() -> Vec<pallet_bulwark_slashing::PendingSlashView<AccountId>> {
			Slashing::api_pending_slashes()
		}

		fn schedule() -> pallet_bulwark_slashing::SlashSchedule {
			pallet_bulwark_slashing::Schedule::<Runtime>::get()
		}
	}

	impl sp_genesis_builder::GenesisBuilder<Block> for Runtime {
		fn build_state(config: Vec<u8>) -> sp_genesis_builder::Result {
			build_state::<RuntimeGenesisConfig>(config)
		}

		fn get_preset(id: &Option<sp_genesis_builder::PresetId>) -> Option<Vec<u8>> {
			get_preset::<RuntimeGenesisConfig>(id, crate::genesis_config_presets::get_preset)
		}

		fn preset_names() -> Vec<sp_genesis_builder::PresetId> {
			crate::genesis_config_presets::preset_names()
		}
	}
}
