//! Builds the runtime's wasm blobs (skipped with `SKIP_WASM_BUILD=1`):
//! - always, the runtime the node embeds, with the features cargo enabled (`runtime-benchmarks`
//!   for `./scripts/weights.sh`, `try-runtime` for the upgrade check) and sudo;
//! - with `BULWARK_PRODUCTION_WASM` set (`./scripts/build.sh --production`), the production
//!   runtime a public chain's spec carries: neither benchmarks nor try-runtime nor sudo, and the
//!   metadata hash compiled in for `CheckMetadataHash`. Its blob is
//!   `wbuild/bulwark-runtime/bulwark_runtime_production.compact.compressed.wasm` in the target
//!   directory.

#[cfg(feature = "std")]
fn main() {
	substrate_wasm_builder::WasmBuilder::build_using_defaults();

	println!("cargo:rerun-if-env-changed={PRODUCTION_ENV}");
	if std::env::var_os(PRODUCTION_ENV).is_none() {
		return;
	}
	// The wasm builder enables in the wasm every feature cargo enabled here, read from these
	// variables; a production runtime carries none of the tooling ones.
	for feature in ["RUNTIME_BENCHMARKS", "TRY_RUNTIME"] {
		std::env::remove_var(format!("CARGO_FEATURE_{feature}"));
	}
	substrate_wasm_builder::WasmBuilder::init_with_defaults()
		.enable_feature("production")
		.enable_metadata_hash("BWK", 12)
		// Also the blob's name: `bulwark_runtime_production.compact.compressed.wasm`.
		.set_file_name("bulwark_runtime_production")
		.build();
}

/// Set to build the production runtime as well.
#[cfg(feature = "std")]
const PRODUCTION_ENV: &str = "BULWARK_PRODUCTION_WASM";

/// Compiling the runtime for wasm itself needs no wasm build.
#[cfg(not(feature = "std"))]
fn main() {}
