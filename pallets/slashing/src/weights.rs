//! Weights of `pallet_bulwark_slashing`: placeholder until `scripts/weights.sh
//! pallet_bulwark_slashing` generates this file.

#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(unused_parens, unused_imports, missing_docs)]

use core::marker::PhantomData;
use frame_support::{traits::Get, weights::{constants::RocksDbWeight, Weight}};

/// Weight functions needed by `pallet_bulwark_slashing`.
pub trait WeightInfo {
	fn report_offence() -> Weight;
	fn governance_slash() -> Weight;
	fn cancel_slashes(n: u32, ) -> Weight;
	fn set_schedule() -> Weight;
	fn on_initialize(n: u32, ) -> Weight;
}

/// Measured weights, with database costs from the runtime's `DbWeight`.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn report_offence() -> Weight { Weight::zero() }
	fn governance_slash() -> Weight { Weight::zero() }
	fn cancel_slashes(_n: u32, ) -> Weight { Weight::zero() }
	fn set_schedule() -> Weight { Weight::zero() }
	fn on_initialize(_n: u32, ) -> Weight { Weight::zero() }
}

impl WeightInfo for () {
	fn report_offence() -> Weight { Weight::zero() }
	fn governance_slash() -> Weight { Weight::zero() }
	fn cancel_slashes(_n: u32, ) -> Weight { Weight::zero() }
	fn set_schedule() -> Weight { Weight::zero() }
	fn on_initialize(_n: u32, ) -> Weight { Weight::zero() }
}
