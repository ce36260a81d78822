//! Storage migrations of the margin engine, one module per storage version.

use crate::*;

/// Version 1: pending orders live in the account item ([`MarginAccount::orders`]).
pub mod v1 {
	use super::*;
	use frame_support::traits::UncheckedOnRuntimeUpgrade;

	/// The account item of version 0: collateral and positions.
	#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug)]
	pub struct MarginAccountV0<MaxPositions: Get<u32>> {
		/// bUSD units credited to the trader.
		pub collateral: Balance,
		/// Open positions.
		pub positions: BoundedVec<Position, MaxPositions>,
	}

	/// Rewrites every account with no pending order. Unchecked: run it through
	/// [`MigrateV0ToV1`], which runs it once, from version 0 only.
	pub struct VersionUncheckedMigrateV0ToV1<T>(core::marker::PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for VersionUncheckedMigrateV0ToV1<T> {
		fn on_runtime_upgrade() -> Weight {
			let mut translated: u64 = 0;
			Accounts::<T>::translate::<MarginAccountV0<T::MaxPositions>, _>(|_, old| {
				translated = translated.saturating_add(1);
				Some(MarginAccount {
					collateral: old.collateral,
					positions: old.positions,
					orders: BoundedVec::default(),
				})
			});
			log::info!(target: LOG_TARGET, "v1: {translated} accounts now carry pending orders");
			T::DbWeight::get().reads_writes(translated, translated)
		}

		#[cfg(feature = "try-runtime")]
		fn pre_upgrade() -> Result<Vec<u8>, sp_runtime::TryRuntimeError> {
			let accounts = Accounts::<T>::iter_keys().count() as u64;
			let collateral = v0_collateral::<T>();
			Ok((accounts, collateral).encode())
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(state: Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
			let (accounts, collateral): (u64, Balance) =
				Decode::decode(&mut &state[..]).map_err(|_| "v1: undecodable pre-upgrade state")?;
			let mut count: u64 = 0;
			let mut total: Balance = 0;
			for account in Accounts::<T>::iter_values() {
				ensure!(account.orders.is_empty(), "v1: a migrated account holds an order");
				count = count.saturating_add(1);
				total = total.saturating_add(account.collateral);
			}
			ensure!(count == accounts, "v1: accounts lost or gained");
			ensure!(total == collateral, "v1: collateral changed");
			Ok(())
		}
	}

	/// Accounts and their collateral, read as version 0 items.
	#[cfg(feature = "try-runtime")]
	fn v0_collateral<T: Config>() -> Balance {
		Accounts::<T>::iter_keys().fold(0, |sum, who| {
			let key = Accounts::<T>::hashed_key_for(&who);
			frame_support::storage::unhashed::get::<MarginAccountV0<T::MaxPositions>>(&key)
				.map_or(sum, |account| sum.saturating_add(account.collateral))
		})
	}

	/// The migration from version 0 to 1, run once.
	pub type MigrateV0ToV1<T> = frame_support::migrations::VersionedMigration<
		0,
		1,
		VersionUncheckedMigrateV0ToV1<T>,
		Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;
}
