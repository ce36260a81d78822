//! Runtime API of the oracle: prices, markets and operators, for keepers, UIs and polkadot.js.

use crate::{OperatorInfo, OracleParams};
use alloc::vec::Vec;
use bulwark_primitives::{MarketId, PriceInfo, RoundIndex};

sp_api::decl_runtime_apis! {
	/// Read access to the oracle.
	pub trait OracleApi<AccountId> where AccountId: codec::Codec {
		/// Price, EMA, volatility, last update and status of `market`; `None` before its first
		/// quorum or for an unknown market.
		fn price_info(market: MarketId) -> Option<PriceInfo>;
		/// Listed markets: id, symbol, decimals and oracle parameters.
		fn markets() -> Vec<(MarketId, Vec<u8>, u8, OracleParams)>;
		/// Registered operators with their bonds and status.
		fn operators() -> Vec<(AccountId, OperatorInfo)>;
		/// The round now open for submissions.
		fn current_round() -> RoundIndex;
	}
}
