//! Runtime API of the security monitor.

use crate::types::{SecurityView, StressReport};
use alloc::vec::Vec;
use bulwark_primitives::MarketId;

sp_api::decl_runtime_apis! {
	/// The attack-cost ratios of each market, their floors, and stress tests.
	pub trait SecurityApi {
		/// `market`'s ratios computed now, its floors and its restriction; `None` if the oracle
		/// does not list it.
		fn ratios(market: MarketId) -> Option<SecurityView>;

		/// Moves each market of `shocks` by its signed whole percentage (-100 to +1,000) at
		/// once: per market, the accounts left liquidatable, the bad debt of liquidating them,
		/// what insurance would cover and the vault's NAV after.
		fn stress_test(shocks: Vec<(MarketId, i32)>) -> StressReport;
	}
}
