# Sourced by the scripts: the one cargo configuration every build and test uses, so that they
# share compiled artifacts. Edit here, nowhere else.
# shellcheck disable=SC2034
CARGO_FLAGS=(--locked --release --workspace --features runtime-benchmarks)
