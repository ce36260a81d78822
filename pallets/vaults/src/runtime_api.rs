//! Runtime API of the vaults.

use crate::{StakerView, VaultView};
use bulwark_primitives::MarketId;

sp_api::decl_runtime_apis! {
	/// Read access to the vaults.
	pub trait VaultsApi<AccountId> where AccountId: codec::Codec {
		/// NAV, shares, capacity, utilization and reserved NAV of `market`'s vault.
		fn vault(market: MarketId) -> VaultView;
		/// `staker`'s shares, unbonding chunks and their current value in `market`'s vault.
		fn staker(market: MarketId, staker: AccountId) -> Option<StakerView>;
	}
}
