//! Weights of `pallet_bulwark_vaults`.
//!
//! PLACEHOLDER until generated: `scripts/weights.sh pallet_bulwark_vaults` overwrites this file
//! with the output of `bulwark-node benchmark pallet`. Nothing here is a measurement.

#![allow(unused_parens, unused_imports, missing_docs)]

use frame_support::weights::Weight;

/// Weight functions needed by `pallet_bulwark_vaults`.
pub trait WeightInfo {
	fn stake() -> Weight;
	fn request_unstake() -> Weight;
	fn withdraw(c: u32) -> Weight;
	fn set_params() -> Weight;
}

/// For mocks.
impl WeightInfo for () {
	fn stake() -> Weight {
		Weight::zero()
	}
	fn request_unstake() -> Weight {
		Weight::zero()
	}
	fn withdraw(_c: u32) -> Weight {
		Weight::zero()
	}
	fn set_params() -> Weight {
		Weight::zero()
	}
}
