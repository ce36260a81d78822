//! Storage migrations of the margin engine, one module per storage version.

use crate::*;

/// Version 1: pending orders live in the account item ([`MarginAccount::orders`]); each
/// position gains its own maintenance fraction ([`Position::mmf`], its market's effective one at
/// the upgrade) and its deleveraging episode (none); each market gains its deleveraging episode
/// (the first) and an empty liquidation window, and its parameters gain the liquidation buffer
/// ([`MarginParams::liquidation_buffer`], the default 50%), the minimum position notional
/// (the default 10 bUSD) and the liquidation cap (the default 10% of the skew scale per 10
/// blocks).
pub mod v1 {
	use super::*;
	use frame_support::traits::UncheckedOnRuntimeUpgrade;
	use sp_arithmetic::Perbill;

	/// The market parameters of version 0: those of version 1 but the liquidation buffer.
	#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, Debug)]
	#[allow(missing_docs)]
	pub struct MarginParamsV0 {
		pub base_imf: FixedU128,
		pub max_imf: FixedU128,
		pub vol_coeff: FixedU128,
		pub oi_coeff: FixedU128,
		pub maintenance_fraction: Perbill,
		pub mmf_ramp_per_hour: FixedU128,
		pub skew_scale: FixedU128,
		pub maker_fee: Perbill,
		pub taker_fee: Perbill,
		pub fee_insurance_share: Perbill,
		pub funding_coeff: FixedU128,
		pub max_funding_rate: FixedU128,
		pub liquidation_penalty: Perbill,
		pub keeper_reward: Perbill,
		pub max_keeper_reward: Balance,
		pub critical_fraction: Perbill,
		pub adl_trigger: Perbill,
		pub adl_target: Perbill,
	}

	impl MarginParamsV0 {
		/// The version 1 parameters: the same, with the default buffer.
		pub fn upgraded(self) -> MarginParams {
			MarginParams {
				base_imf: self.base_imf,
				max_imf: self.max_imf,
				vol_coeff: self.vol_coeff,
				oi_coeff: self.oi_coeff,
				maintenance_fraction: self.maintenance_fraction,
				mmf_ramp_per_hour: self.mmf_ramp_per_hour,
				skew_scale: self.skew_scale,
				maker_fee: self.maker_fee,
				taker_fee: self.taker_fee,
				fee_insurance_share: self.fee_insurance_share,
				funding_coeff: self.funding_coeff,
				max_funding_rate: self.max_funding_rate,
				liquidation_penalty: self.liquidation_penalty,
				keeper_reward: self.keeper_reward,
				max_keeper_reward: self.max_keeper_reward,
				critical_fraction: self.critical_fraction,
				adl_trigger: self.adl_trigger,
				adl_target: self.adl_target,
				liquidation_buffer: MarginParams::default().liquidation_buffer,
				min_position_notional: MarginParams::default().min_position_notional,
				liquidation_cap: MarginParams::default().liquidation_cap,
				liquidation_window: MarginParams::default().liquidation_window,
			}
		}
	}

	/// A market of version 0: its parameters without the buffer, the rest as in version 1.
	#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, Debug)]
	#[allow(missing_docs)]
	pub struct MarketInfoV0 {
		pub params: MarginParamsV0,
		pub aggregates: MarketAggregates,
		pub funding_index: FixedI128,
		pub funding_updated_at: BlockNumber,
		pub effective_mmf: FixedU128,
		pub mmf_updated_at: BlockNumber,
		pub initial_fraction: FixedU128,
		pub vault_balance: i128,
		pub insurance_balance: Balance,
	}

	/// A position of version 0: without its own maintenance fraction.
	#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, Debug)]
	#[allow(missing_docs)]
	pub struct PositionV0 {
		pub market: MarketId,
		pub size: SignedSize,
		pub entry_price: Price,
		pub entry_index: FixedI128,
	}

	/// The account item of version 0: collateral and positions.
	#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug)]
	pub struct MarginAccountV0<MaxPositions: Get<u32>> {
		/// bUSD units credited to the trader.
		pub collateral: Balance,
		/// Open positions.
		pub positions: BoundedVec<PositionV0, MaxPositions>,
	}

	/// Rewrites every account with no pending order. Unchecked: run it through
	/// [`MigrateV0ToV1`], which runs it once, from version 0 only.
	pub struct VersionUncheckedMigrateV0ToV1<T>(core::marker::PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for VersionUncheckedMigrateV0ToV1<T> {
		fn on_runtime_upgrade() -> Weight {
			let mut translated: u64 = 0;
			// Markets first: each position takes its market's effective fraction.
			let mut fractions: BTreeMap<MarketId, FixedU128> = BTreeMap::new();
			Markets::<T>::translate::<MarketInfoV0, _>(|market, old| {
				translated = translated.saturating_add(1);
				fractions.insert(market, old.effective_mmf);
				Some(MarketInfo {
					params: old.params.upgraded(),
					aggregates: old.aggregates,
					funding_index: old.funding_index,
					funding_updated_at: old.funding_updated_at,
					effective_mmf: old.effective_mmf,
					mmf_updated_at: old.mmf_updated_at,
					initial_fraction: old.initial_fraction,
					vault_balance: old.vault_balance,
					insurance_balance: old.insurance_balance,
					adl_episode: 1,
					adl_in_progress: false,
					liquidation_window_start: 0,
					liquidated_in_window: 0,
				})
			});
			Accounts::<T>::translate::<MarginAccountV0<T::MaxPositions>, _>(|_, old| {
				translated = translated.saturating_add(1);
				let positions: Vec<Position> = old
					.positions
					.into_iter()
					.map(|p| Position {
						market: p.market,
						size: p.size,
						entry_price: p.entry_price,
						entry_index: p.entry_index,
						mmf: fractions.get(&p.market).copied().unwrap_or_default(),
						adl_episode: 0,
					})
					.collect();
				Some(MarginAccount {
					collateral: old.collateral,
					// As many as before: the bound is the same.
					positions: BoundedVec::truncate_from(positions),
					orders: BoundedVec::default(),
				})
			});
			log::info!(
				target: LOG_TARGET,
				"v1: {translated} accounts and markets migrated (orders, position fractions, buffer)"
			);
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
			ensure!(
				Markets::<T>::iter_values().all(|info| info.params.validate()),
				"v1: a market's parameters out of bounds"
			);
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
