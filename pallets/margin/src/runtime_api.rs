//! Runtime API of the margin engine.

use crate::{AccountView, DeleverageCandidate, LiquidatableView, MarketView, QuoteView};
use alloc::vec::Vec;
use bulwark_primitives::{MarketId, SignedSize};
use sp_runtime::DispatchError;

sp_api::decl_runtime_apis! {
	/// Read access to margin accounts and markets, and trade quotes.
	pub trait MarginApi<AccountId> where AccountId: codec::Codec {
		/// `who`'s collateral, equity, IMR, MMR, margin ratio, whether it is liquidatable, and
		/// its positions with PnL, funding owed and liquidation prices.
		fn account(who: AccountId) -> Option<AccountView>;
		/// Open interest, skew, funding, margin fractions, status and capacity of `market`.
		fn market(market: MarketId) -> Option<MarketView>;
		/// What a trade of `size_delta` in `market` by `who` would do: fill price, fee, PnL
		/// realized, equity and IMR after; or the error the trade would get.
		fn quote(who: AccountId, market: MarketId, size_delta: SignedSize) -> Result<QuoteView, DispatchError>;
		/// For keepers: up to `limit` liquidatable accounts after `cursor` (from the start
		/// without one), with their equity and maintenance requirement, and the cursor to
		/// resume from (`None` at the end).
		fn liquidatable(cursor: Option<AccountId>, limit: u32) -> (Vec<LiquidatableView<AccountId>>, Option<AccountId>);
		/// Accounts auto-deleveraging may reduce in `market`, highest profit x leverage first,
		/// at most `limit`.
		fn deleverage_candidates(market: MarketId, limit: u32) -> Vec<DeleverageCandidate<AccountId>>;
	}
}
