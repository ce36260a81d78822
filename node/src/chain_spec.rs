//! Chain specifications built from the runtime's genesis presets.

use bulwark_runtime::{
	genesis_config_presets::{FAST_PRESET, LOCAL_FAST_PRESET, TESTNET_PRESET},
	BUSD_DECIMALS, BWK_DECIMALS, WASM_BINARY,
};
use sc_service::ChainType;

/// The chain specification type of Bulwark.
pub type ChainSpec = sc_service::GenericChainSpec;

/// Token symbols and decimals, so polkadot.js shows BWK (native) and bUSD without custom types.
fn properties() -> sc_service::Properties {
	let mut properties = sc_service::Properties::new();
	properties.insert("tokenSymbol".into(), serde_json::json!(["BWK", "bUSD"]));
	properties.insert("tokenDecimals".into(), serde_json::json!([BWK_DECIMALS, BUSD_DECIMALS]));
	properties.insert("ss58Format".into(), 42.into());
	properties
}

fn wasm() -> Result<&'static [u8], String> {
	WASM_BINARY.ok_or_else(|| "the runtime wasm was not built (SKIP_WASM_BUILD?)".to_string())
}

/// The chain spec of the runtime's genesis preset `preset`.
fn preset_spec(
	name: &str,
	id: &str,
	chain_type: ChainType,
	preset: &str,
) -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(wasm()?, None)
		.with_name(name)
		.with_id(id)
		.with_chain_type(chain_type)
		.with_genesis_config_preset_name(preset)
		.with_properties(properties())
		.build())
}

/// `--dev`: Alice validates alone.
pub fn development_chain_spec() -> Result<ChainSpec, String> {
	preset_spec(
		"Bulwark Development",
		"bulwark_dev",
		ChainType::Development,
		sp_genesis_builder::DEV_RUNTIME_PRESET,
	)
}

/// `--chain local`: Alice, Bob, Charlie and Dave validate.
pub fn local_chain_spec() -> Result<ChainSpec, String> {
	preset_spec(
		"Bulwark Local Testnet",
		"bulwark_local",
		ChainType::Local,
		sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET,
	)
}

/// `--chain fast` (with `--dev`): the dev chain at one-second slots, for tests that do not
/// measure time themselves.
pub fn fast_chain_spec() -> Result<ChainSpec, String> {
	preset_spec("Bulwark Fast Development", "bulwark_fast", ChainType::Development, FAST_PRESET)
}

/// `--chain local-fast`: the `local` chain at one-second slots, for the e2e network test.
pub fn local_fast_chain_spec() -> Result<ChainSpec, String> {
	preset_spec(
		"Bulwark Local Fast Testnet",
		"bulwark_local_fast",
		ChainType::Local,
		LOCAL_FAST_PRESET,
	)
}

/// `--chain testnet`: the template `scripts/testnet.sh spec` starts from. It has no validators
/// until the script adds them, and carries the node's own runtime until the script puts the
/// production one in.
pub fn testnet_template_chain_spec() -> Result<ChainSpec, String> {
	preset_spec("Bulwark Testnet", "bulwark_testnet", ChainType::Live, TESTNET_PRESET)
}
