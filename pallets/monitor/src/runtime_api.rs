//! Runtime API of the security monitor.

use crate::types::SecurityView;
use bulwark_primitives::MarketId;

sp_api::decl_runtime_apis! {
	/// The attack-cost ratios of each market and their floors.
	pub trait SecurityApi {
		/// `market`'s ratios computed now, its floors and its restriction; `None` if the oracle
		/// does not list it.
		fn ratios(market: MarketId) -> Option<SecurityView>;
	}
}
