//! Weights of `pallet_bulwark_margin`: placeholders until `scripts/weights.sh
//! pallet_bulwark_margin` generates them.

#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(unused_parens, unused_imports, missing_docs)]

use core::marker::PhantomData;
use frame_support::{traits::Get, weights::{constants::RocksDbWeight, Weight}};

/// Weight functions needed by `pallet_bulwark_margin`.
pub trait WeightInfo {
	fn deposit() -> Weight;
	fn withdraw(p: u32, ) -> Weight;
	fn trade(p: u32, ) -> Weight;
	fn enable_market() -> Weight;
	fn set_market_params() -> Weight;
	fn settle() -> Weight;
	fn on_initialize(m: u32, ) -> Weight;
}

/// Measured weights, with database costs from the runtime's `DbWeight`.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn deposit() -> Weight { Weight::from_parts(100_000_000, 0).saturating_add(T::DbWeight::get().reads_writes(4, 3)) }
	fn withdraw(p: u32, ) -> Weight { Weight::from_parts(100_000_000, 0).saturating_add(Weight::from_parts(20_000_000, 0).saturating_mul(p.into())).saturating_add(T::DbWeight::get().reads_writes(4, 3)).saturating_add(T::DbWeight::get().reads((3_u64).saturating_mul(p.into()))) }
	fn trade(p: u32, ) -> Weight { Weight::from_parts(100_000_000, 0).saturating_add(Weight::from_parts(20_000_000, 0).saturating_mul(p.into())).saturating_add(T::DbWeight::get().reads_writes(6, 2)).saturating_add(T::DbWeight::get().reads((3_u64).saturating_mul(p.into()))) }
	fn enable_market() -> Weight { Weight::from_parts(20_000_000, 0).saturating_add(T::DbWeight::get().reads_writes(3, 2)) }
	fn set_market_params() -> Weight { Weight::from_parts(20_000_000, 0).saturating_add(T::DbWeight::get().reads_writes(2, 1)) }
	fn settle() -> Weight { Weight::from_parts(200_000_000, 0).saturating_add(T::DbWeight::get().reads_writes(8, 6)) }
	fn on_initialize(m: u32, ) -> Weight { Weight::from_parts(10_000_000, 0).saturating_add(Weight::from_parts(200_000_000, 0).saturating_mul(m.into())).saturating_add(T::DbWeight::get().reads((8_u64).saturating_mul(m.into()))).saturating_add(T::DbWeight::get().writes((6_u64).saturating_mul(m.into()))) }
}

/// For tests and mocks.
impl WeightInfo for () {
	fn deposit() -> Weight { Weight::from_parts(100_000_000, 0).saturating_add(RocksDbWeight::get().reads_writes(4, 3)) }
	fn withdraw(p: u32, ) -> Weight { Weight::from_parts(100_000_000, 0).saturating_add(Weight::from_parts(20_000_000, 0).saturating_mul(p.into())).saturating_add(RocksDbWeight::get().reads_writes(4, 3)) }
	fn trade(p: u32, ) -> Weight { Weight::from_parts(100_000_000, 0).saturating_add(Weight::from_parts(20_000_000, 0).saturating_mul(p.into())).saturating_add(RocksDbWeight::get().reads_writes(6, 2)) }
	fn enable_market() -> Weight { Weight::from_parts(20_000_000, 0).saturating_add(RocksDbWeight::get().reads_writes(3, 2)) }
	fn set_market_params() -> Weight { Weight::from_parts(20_000_000, 0).saturating_add(RocksDbWeight::get().reads_writes(2, 1)) }
	fn settle() -> Weight { Weight::from_parts(200_000_000, 0).saturating_add(RocksDbWeight::get().reads_writes(8, 6)) }
	fn on_initialize(m: u32, ) -> Weight { Weight::from_parts(10_000_000, 0).saturating_add(Weight::from_parts(200_000_000, 0).saturating_mul(m.into())) }
}
