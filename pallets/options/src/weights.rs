//! Weights of the options pallet. The runtime's come from its benchmarks
//! (`runtime/src/weights/pallet_bulwark_options.rs`); `()` is for tests.

use frame_support::weights::Weight;

/// Weight functions needed for `pallet_bulwark_options`.
pub trait WeightInfo {
	/// `enable_market`.
	fn enable_market() -> Weight;
	/// `set_params`.
	fn set_params() -> Weight;
	/// `list_series` in a market of `s` series.
	fn list_series(s: u32) -> Weight;
	/// `place_order`: a buy, whose escrow marks `p` margin positions.
	fn place_order(p: u32) -> Weight;
	/// One order filled by the hook (a buy: pricing, caps, the release).
	fn execute_order() -> Weight;
	/// The hook's per-market sampling of `e` expiries, without a revaluation.
	fn refresh_market(e: u32) -> Weight;
	/// Revaluing a market of `s` series.
	fn revalue(s: u32) -> Weight;
	/// Paying `n` holders.
	fn pay_out(n: u32) -> Weight;
	/// `set_settlement_price` in a market of `s` series.
	fn set_settlement_price(s: u32) -> Weight;
}

/// For tests: nothing weighs anything.
impl WeightInfo for () {
	fn enable_market() -> Weight {
		Weight::zero()
	}
	fn set_params() -> Weight {
		Weight::zero()
	}
	fn list_series(_: u32) -> Weight {
		Weight::zero()
	}
	fn place_order(_: u32) -> Weight {
		Weight::zero()
	}
	fn execute_order() -> Weight {
		Weight::zero()
	}
	fn refresh_market(_: u32) -> Weight {
		Weight::zero()
	}
	fn revalue(_: u32) -> Weight {
		Weight::zero()
	}
	fn pay_out(_: u32) -> Weight {
		Weight::zero()
	}
	fn set_settlement_price(_: u32) -> Weight {
		Weight::zero()
	}
}

/// Until the benchmarks run: the test weights.
pub struct SubstrateWeight<T>(core::marker::PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn enable_market() -> Weight {
		Weight::zero()
	}
	fn set_params() -> Weight {
		Weight::zero()
	}
	fn list_series(_: u32) -> Weight {
		Weight::zero()
	}
	fn place_order(_: u32) -> Weight {
		Weight::zero()
	}
	fn execute_order() -> Weight {
		Weight::zero()
	}
	fn refresh_market(_: u32) -> Weight {
		Weight::zero()
	}
	fn revalue(_: u32) -> Weight {
		Weight::zero()
	}
	fn pay_out(_: u32) -> Weight {
		Weight::zero()
	}
	fn set_settlement_price(_: u32) -> Weight {
		Weight::zero()
	}
}
