//! Weights of `pallet_bulwark_oracle`.
//!
//! PLACEHOLDER until generated: `scripts/weights.sh pallet_bulwark_oracle` overwrites this file
//! with the output of `bulwark-node benchmark pallet`. The `()` implementation below is only for
//! mocks and charges nothing.

#![allow(unused_parens, unused_imports, missing_docs)]

use core::marker::PhantomData;
use frame_support::weights::Weight;

/// Weight functions needed by `pallet_bulwark_oracle`.
pub trait WeightInfo {
	fn create_market() -> Weight;
	fn set_market_params() -> Weight;
	fn register_operator() -> Weight;
	fn top_up() -> Weight;
	fn unregister() -> Weight;
	fn withdraw_bond() -> Weight;
	fn submit(n: u32) -> Weight;
	fn on_initialize(m: u32, o: u32) -> Weight;
	fn on_initialize_idle() -> Weight;
}

/// For mocks.
impl WeightInfo for () {
	fn create_market() -> Weight {
		Weight::zero()
	}
	fn set_market_params() -> Weight {
		Weight::zero()
	}
	fn register_operator() -> Weight {
		Weight::zero()
	}
	fn top_up() -> Weight {
		Weight::zero()
	}
	fn unregister() -> Weight {
		Weight::zero()
	}
	fn withdraw_bond() -> Weight {
		Weight::zero()
	}
	fn submit(_n: u32) -> Weight {
		Weight::zero()
	}
	fn on_initialize(_m: u32, _o: u32) -> Weight {
		Weight::zero()
	}
	fn on_initialize_idle() -> Weight {
		Weight::zero()
	}
}
