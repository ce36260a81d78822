//! Runtime API of the insurance funds.

use bulwark_primitives::{Balance, MarketId};
use sp_arithmetic::FixedU128;

sp_api::decl_runtime_apis! {
	/// Read access to the insurance funds.
	pub trait InsuranceApi {
		/// `(market fund, global fund, coverage ratio)` of `market`; the ratio is the market fund
		/// over the market's open interest, `None` without open interest.
		fn fund_info(market: MarketId) -> (Balance, Balance, Option<FixedU128>);
		/// What the global fund may still pay in the current draw window.
		fn global_allowance() -> Balance;
	}
}
