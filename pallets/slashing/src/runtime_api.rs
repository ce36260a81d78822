//! Runtime API of the slashing pallet.

use crate::{PendingSlashView, SlashSchedule};
use alloc::vec::Vec;

sp_api::decl_runtime_apis! {
	/// Read access to pending slashes.
	pub trait SlashingApi<AccountId> where AccountId: codec::Codec {
		/// Pending slashes in the order they apply: offender, offence, fraction, an estimate of
		/// the amount at the current stake, and the block at which each applies.
		fn pending_slashes() -> Vec<PendingSlashView<AccountId>>;
		/// The severity schedule in force.
		fn schedule() -> SlashSchedule;
	}
}
