//! Weights of `pallet_bulwark_insurance`.
//!
//! PLACEHOLDER until generated: `scripts/weights.sh pallet_bulwark_insurance` overwrites this file
//! with the output of `bulwark-node benchmark pallet`. Nothing here is a measurement.

#![allow(unused_parens, unused_imports, missing_docs)]

use frame_support::weights::Weight;

/// Weight functions needed by `pallet_bulwark_insurance`.
pub trait WeightInfo {
	fn transfer_between_funds() -> Weight;
	fn set_params() -> Weight;
	fn contribute() -> Weight;
}

/// For mocks.
impl WeightInfo for () {
	fn transfer_between_funds() -> Weight {
		Weight::zero()
	}
	fn set_params() -> Weight {
		Weight::zero()
	}
	fn contribute() -> Weight {
		Weight::zero()
	}
}
