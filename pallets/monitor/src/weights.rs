
//! Weights of `pallet_bulwark_monitor`: placeholders until `scripts/weights.sh
//! pallet_bulwark_monitor` generates them from the benchmarks.

#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(unused_parens, unused_imports, missing_docs)]

use core::marker::PhantomData;
use frame_support::{traits::Get, weights::{constants::RocksDbWeight, Weight}};

/// Weight functions needed by `pallet_bulwark_monitor`.
pub trait WeightInfo {
	fn set_params() -> Weight;
	fn on_initialize_idle() -> Weight;
	fn on_initialize(m: u32, ) -> Weight;
}

/// Measured weights, with database costs from the runtime's `DbWeight`.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn set_params() -> Weight {
		Weight::from_parts(10_000_000, 0)
			.saturating_add(T::DbWeight::get().writes(1_u64))
	}
	fn on_initialize_idle() -> Weight {
		Weight::from_parts(1_000_000, 0)
	}
	fn on_initialize(m: u32, ) -> Weight {
		Weight::from_parts(500_000_000, 0)
			.saturating_add(Weight::from_parts(100_000_000, 0).saturating_mul(m.into()))
			.saturating_add(T::DbWeight::get().reads((10_u64).saturating_mul(m.into())))
			.saturating_add(T::DbWeight::get().writes((2_u64).saturating_mul(m.into())))
	}
}

/// The same with RocksDB database costs, for mock runtimes.
impl WeightInfo for () {
	fn set_params() -> Weight {
		Weight::from_parts(10_000_000, 0)
			.saturating_add(RocksDbWeight::get().writes(1_u64))
	}
	fn on_initialize_idle() -> Weight {
		Weight::from_parts(1_000_000, 0)
	}
	fn on_initialize(m: u32, ) -> Weight {
		Weight::from_parts(500_000_000, 0)
			.saturating_add(Weight::from_parts(100_000_000, 0).saturating_mul(m.into()))
			.saturating_add(RocksDbWeight::get().reads((10_u64).saturating_mul(m.into())))
			.saturating_add(RocksDbWeight::get().writes((2_u64).saturating_mul(m.into())))
	}
}
