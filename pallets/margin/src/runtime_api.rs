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
		/// For keepers: of at most `limit` accounts read after `cursor` (from the start without
		/// one; 1,000 at most per call), the liquidatable ones with their equity and maintenance
		/// requirement, and the cursor to resume from (`None` at the end; a page may be empty
		/// before it).
		fn liquidatable(cursor: Option<AccountId>, limit: u32) -> (Vec<LiquidatableView<AccountId>>, Option<AccountId>);
		/// Of at most `limit` accounts read after `cursor` (1,000 at most per call), those
		/// auto-deleveraging may reduce in `market`, highest profit x leverage first, and the
		/// cursor to resume from (`None` at the end).
		fn deleverage_candidates(market: MarketId, cursor: Option<AccountId>, limit: u32) -> (Vec<DeleverageCandidate<AccountId>>, Option<AccountId>);
	}
}
