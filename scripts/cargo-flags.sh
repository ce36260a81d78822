# Sourced by the scripts: the one cargo configuration every build and test uses, so that they
# share compiled artifacts. Edit here, nowhere else.
# shellcheck disable=SC2034
CARGO_FLAGS=(--locked --release --workspace --features runtime-benchmarks)
# Every build also makes the production runtime (`runtime/build.rs`): the runtime's build script
# reruns whenever this variable changes, so a build with it and one without would each rebuild the
# runtime and relink the node.
export BULWARK_PRODUCTION_WASM=1
