#!/usr/bin/env bash
# Generates `weights.rs` of Bulwark pallets with `bulwark-node benchmark pallet` on the dev
# runtime, and the runtime's weights of FRAME pallets (runtime/src/weights/). Usage:
#   scripts/weights.sh [PALLET ...]   (default: every Bulwark pallet and runtime weight)
#   e.g. scripts/weights.sh pallet_bulwark_oracle
#   scripts/weights.sh overhead       the base weights of a block and of an extrinsic
#                                     (`bulwark-node benchmark overhead`)
# Also prints `pallet_balances::transfer_keep_alive` from the same run, for comparison.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/bulwark/target}"
NODE="$CARGO_TARGET_DIR/release/bulwark-node"
STEPS="${STEPS:-50}"
REPEAT="${REPEAT:-20}"

declare -A OUT=(
  [pallet_bulwark_oracle]=pallets/oracle/src/weights.rs
  [pallet_bulwark_insurance]=pallets/insurance/src/weights.rs
  [pallet_bulwark_vaults]=pallets/vaults/src/weights.rs
  [pallet_bulwark_slashing]=pallets/slashing/src/weights.rs
  [pallet_bulwark_margin]=pallets/margin/src/weights.rs
  [pallet_bulwark_monitor]=pallets/monitor/src/weights.rs
  [pallet_bulwark_options]=pallets/options/src/weights.rs
)
# The runtime's weights of FRAME pallets (the transaction extensions every extrinsic pays for),
# generated with the CLI's default template.
declare -A RUNTIME_OUT=(
  [frame_system_extensions]=runtime/src/weights/frame_system_extensions.rs
  [pallet_transaction_payment]=runtime/src/weights/pallet_transaction_payment.rs
  # Both instances (BWK `Balances`, bUSD `Busd`): pallet_balances_{balances,busd}.rs.
  [pallet_balances]=runtime/src/weights/
  # Issue 24: staking with its voter list, the council, the emergency brake.
  [pallet_staking]=runtime/src/weights/pallet_staking.rs
  [pallet_bags_list]=runtime/src/weights/pallet_bags_list.rs
  [pallet_collective]=runtime/src/weights/pallet_collective.rs
  [pallet_tx_pause]=runtime/src/weights/pallet_tx_pause.rs
)
pallets=("$@")
[ ${#pallets[@]} -gt 0 ] || pallets=("${!OUT[@]}" "${!RUNTIME_OUT[@]}" overhead)

./scripts/build.sh
for pallet in "${pallets[@]}"; do
  if [ "$pallet" = overhead ]; then
    echo "[weights] overhead -> runtime/src/weights/{block,extrinsic}_weights.rs"
    "$NODE" benchmark overhead --chain dev --weight-path runtime/src/weights
    # The runtime reaches these crates through frame_support.
    sed -i -e 's/^use sp_core::parameter_types;/use frame_support::parameter_types;/' \
      -e 's/sp_weights::/frame_support::weights::/g' \
      runtime/src/weights/block_weights.rs runtime/src/weights/extrinsic_weights.rs
    continue
  fi
  if [ -n "${RUNTIME_OUT[$pallet]:-}" ]; then
    out="${RUNTIME_OUT[$pallet]}"
    extrinsics='*'
    # The collective's `close_approved` benchmark passes its motion by the prime's default aye,
    # which this runtime's `AbsentIsNay` refuses: it is measured as `close_early_approved` (the
    # same approval and execution) plus the read of the prime that a close after the motion's
    # end makes.
    [ "$pallet" != pallet_collective ] ||
      extrinsics=set_members,execute,propose_execute,propose_proposed,vote,close_early_disapproved,close_early_approved,close_disapproved,disapprove_proposal,kill,release_proposal_cost
    # Staking's benchmarks bond stakes of a few existential deposits: they run on the runtime's
    # `staking-benchmarks` preset, the dev genesis without staking's minimum bonds.
    genesis=(--chain dev)
    [ "$pallet" != pallet_staking ] ||
      genesis=(--runtime "$CARGO_TARGET_DIR/release/wbuild/bulwark-runtime/bulwark_runtime.compact.compressed.wasm"
        --genesis-builder runtime --genesis-builder-preset staking-benchmarks)
    echo "[weights] $pallet -> $out (steps $STEPS, repeat $REPEAT, default template)"
    "$NODE" benchmark pallet "${genesis[@]}" --pallet "$pallet" --extrinsic "$extrinsics" \
      --steps "$STEPS" --repeat "$REPEAT" --wasm-execution compiled --output "$out"
    if [ "$pallet" = pallet_collective ]; then
      # The generated impl ends with its closing brace on the file's last line.
      sed -i '$ d' "$out"
      cat >>"$out" <<'RUST'
	/// Not benchmarkable with `AbsentIsNay` (scripts/weights.sh): `close_early_approved` and the
	/// prime's read.
	fn close_approved(b: u32, m: u32, p: u32) -> Weight {
		<Self as pallet_collective::WeightInfo>::close_early_approved(b, m, p)
			.saturating_add(T::DbWeight::get().reads(1))
	}
}
RUST
    fi
    # The extensions' weights implement frame_system's `ExtensionsWeightInfo`.
    [ "$pallet" != frame_system_extensions ] ||
      sed -i 's/impl<T: frame_system::Config> frame_system_extensions::WeightInfo for/impl<T: frame_system::Config> frame_system::ExtensionsWeightInfo for/' "$out"
    continue
  fi
  out="${OUT[$pallet]:?unknown pallet $pallet}"
  echo "[weights] $pallet -> $out (steps $STEPS, repeat $REPEAT)"
  "$NODE" benchmark pallet --chain dev --pallet "$pallet" --extrinsic '*' \
    --steps "$STEPS" --repeat "$REPEAT" --wasm-execution compiled \
    --template scripts/weight-template.hbs --output "$out"
done
echo "[weights] reference: pallet_balances::transfer_keep_alive"
"$NODE" benchmark pallet --chain dev --pallet pallet_balances --extrinsic transfer_keep_alive \
  --steps "$STEPS" --repeat "$REPEAT" --wasm-execution compiled 2>&1 | grep -E "Time ~=|Reads|Writes|Proof Size" | head -8
