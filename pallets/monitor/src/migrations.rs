//! Storage migrations of the security monitor, one module per storage version.

use crate::*;

/// Version 1: the parameters gain the smoothing of the ratios' inputs, the breach count, BWK's
/// price window and the grace of a stale BWK price ([`MonitorParams::smoothing_blocks`],
/// [`MonitorParams::breach_samples`], [`MonitorParams::bwk_window_samples`],
/// [`MonitorParams::bwk_grace_blocks`], their defaults). The moving averages, counts and
/// windows ([`Watch`], [`SmoothedValueSecured`], [`BwkPrices`], [`BwkStaleSince`]) start at the
/// first sample after the upgrade; restrictions in force stay.
pub mod v1 {
	use super::*;
	use frame_support::traits::UncheckedOnRuntimeUpgrade;
	use sp_arithmetic::Perbill;

	/// The parameters of version 0: those of version 1 but the smoothing and the breach count.
	#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, Debug)]
	#[allow(missing_docs)]
	pub struct MonitorParamsV0 {
		pub min_oracle_acr: FixedU128,
		pub min_consensus_acr: FixedU128,
		pub min_vault_cover: FixedU128,
		pub hysteresis: Perbill,
		pub restricted_imf_multiplier: FixedU128,
	}

	impl MonitorParamsV0 {
		/// Version 1's parameters: these, and the defaults of the new fields.
		pub fn upgraded(self) -> MonitorParams {
			let defaults = MonitorParams::default();
			MonitorParams {
				min_oracle_acr: self.min_oracle_acr,
				min_consensus_acr: self.min_consensus_acr,
				min_vault_cover: self.min_vault_cover,
				hysteresis: self.hysteresis,
				restricted_imf_multiplier: self.restricted_imf_multiplier,
				smoothing_blocks: defaults.smoothing_blocks,
				breach_samples: defaults.breach_samples,
				bwk_window_samples: defaults.bwk_window_samples,
				bwk_grace_blocks: defaults.bwk_grace_blocks,
			}
		}
	}

	/// Rewrites the parameters. Unchecked: run it through [`MigrateV0ToV1`], which runs it once,
	/// from version 0 only.
	pub struct VersionUncheckedMigrateV0ToV1<T>(core::marker::PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for VersionUncheckedMigrateV0ToV1<T> {
		fn on_runtime_upgrade() -> Weight {
			// A missing value reads as the defaults in either version: nothing to write.
			let translated = Params::<T>::translate::<MonitorParamsV0, _>(|old| {
				old.map(MonitorParamsV0::upgraded)
			});
			if translated.is_err() {
				// Undecodable as version 0: the defaults, which are within the bounds.
				Params::<T>::kill();
			}
			T::DbWeight::get().reads_writes(1, 1)
		}

		#[cfg(feature = "try-runtime")]
		fn pre_upgrade() -> Result<Vec<u8>, sp_runtime::TryRuntimeError> {
			let old = frame_support::storage::unhashed::get::<MonitorParamsV0>(
				&Params::<T>::hashed_key(),
			);
			Ok(old.encode())
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(state: Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
			let old: Option<MonitorParamsV0> =
				Decode::decode(&mut &state[..]).map_err(|_| "v1: undecodable pre-upgrade state")?;
			let params = Params::<T>::get();
			ensure!(params.validate(), "v1: parameters out of bounds");
			if let Some(old) = old {
				ensure!(params == old.upgraded(), "v1: a floor changed");
			}
			Ok(())
		}
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
