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

/// `--dev`: Alice validates alone.
pub fn development_chain_spec() -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(wasm()?, None)
		.with_name("Bulwark Development")
		.with_id("bulwark_dev")
		.with_chain_type(ChainType::Development)
		.with_genesis_config_preset_name(sp_genesis_builder::DEV_RUNTIME_PRESET)
		.with_properties(properties())
		.build())
}

/// `--chain local`: Alice and Bob validate.
pub fn local_chain_spec() -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(wasm()?, None)
		.with_name("Bulwark Local Testnet")
		.with_id("bulwark_local")
		.with_chain_type(ChainType::Local)
		.with_genesis_config_preset_name(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET)
		.with_properties(properties())
		.build())
}

/// `--chain fast` (with `--dev`): the dev chain at one-second slots, for tests that do not
/// measure time themselves.
pub fn fast_chain_spec() -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(wasm()?, None)
		.with_name("Bulwark Fast Development")
		.with_id("bulwark_fast")
		.with_chain_type(ChainType::Development)
		.with_genesis_config_preset_name(FAST_PRESET)
		.with_properties(properties())
		.build())
}

/// `--chain local-fast`: the `local` chain at one-second slots, for the e2e network test.
pub fn local_fast_chain_spec() -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(wasm()?, None)
		.with_name("Bulwark Local Fast Testnet")
		.with_id("bulwark_local_fast")
		.with_chain_type(ChainType::Local)
		.with_genesis_config_preset_name(LOCAL_FAST_PRESET)
		.with_properties(properties())
		.build())
}

/// `--chain testnet`: the template `scripts/testnet.sh spec` starts from. It has no validators
/// until the script adds them, and carries the node's own runtime until the script puts the
/// production one in.
pub fn testnet_template_chain_spec() -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(wasm()?, None)
		.with_name("Bulwark Testnet")
		.with_id("bulwark_testnet")
		.with_chain_type(ChainType::Live)
		.with_genesis_config_preset_name(TESTNET_PRESET)
		.with_properties(properties())
		.build())
}
