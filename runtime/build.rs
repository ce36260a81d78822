//! Builds the runtime's wasm blob (skipped with `SKIP_WASM_BUILD=1`).

#[cfg(feature = "std")]
fn main() {
	substrate_wasm_builder::WasmBuilder::build_using_defaults();
}

/// Compiling the runtime for wasm itself needs no wasm build.
#[cfg(not(feature = "std"))]
fn main() {}
