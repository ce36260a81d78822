//! Storage migrations of the oracle, one module per storage version.

use crate::*;

/// Version 1: a stored price carries its market's `max_price_age` ([`PriceState::max_price_age`],
/// added in ebf3938 without a version bump: on a chain with prices stored before it, every price
/// would stop decoding, and every market would read as unpriced). Each price gains its market's
/// current `max_price_age` (the default for a price of an unlisted market, which cannot exist).
pub mod v1 {
	use super::*;
	use frame_support::traits::UncheckedOnRuntimeUpgrade;

	/// A price of version 0: that of version 1 without `max_price_age`.
	#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, Debug)]
	#[allow(missing_docs)]
	pub struct PriceStateV0 {
		pub price: Price,
		pub ema_price: Price,
		pub variance: FixedU128,
		pub volatility: FixedU128,
		pub updated_at: BlockNumber,
		pub round: RoundIndex,
		pub halt: Option<Halt>,
	}

	impl PriceStateV0 {
		/// Version 1's price: this one, with `max_price_age`.
		pub fn upgraded(self, max_price_age: RoundIndex) -> PriceState {
			PriceState {
				price: self.price,
				ema_price: self.ema_price,
				variance: self.variance,
				volatility: self.volatility,
				updated_at: self.updated_at,
				round: self.round,
				halt: self.halt,
				max_price_age,
			}
		}
	}

	/// Rewrites every stored price. Unchecked: run it through [`MigrateV0ToV1`], which runs it
	/// once, from version 0 only.
	pub struct VersionUncheckedMigrateV0ToV1<T>(core::marker::PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for VersionUncheckedMigrateV0ToV1<T> {
		fn on_runtime_upgrade() -> Weight {
			let mut prices: u64 = 0;
			// At most `MaxMarkets` prices: bounded.
			Prices::<T>::translate::<PriceStateV0, _>(|market, old| {
				prices = prices.saturating_add(1);
				let max_price_age = Markets::<T>::get(market)
					.map_or(OracleParams::default().max_price_age, |info| {
						info.params.max_price_age
					});
				Some(old.upgraded(max_price_age))
			});
			// Each price: read it and its market, write it.
			T::DbWeight::get().reads_writes(prices.saturating_mul(2), prices)
		}

		#[cfg(feature = "try-runtime")]
		fn pre_upgrade() -> Result<Vec<u8>, sp_runtime::TryRuntimeError> {
			let mut old: Vec<(MarketId, PriceStateV0)> = Vec::new();
			for market in Markets::<T>::iter_keys() {
				let key = Prices::<T>::hashed_key_for(market);
				if let Some(price) = frame_support::storage::unhashed::get::<PriceStateV0>(&key) {
					old.push((market, price));
				}
			}
			ensure!(
				old.len() == Prices::<T>::iter_keys().count(),
				"v1: a stored price does not decode as version 0"
			);
			Ok(old.encode())
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(state: Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
			let old: Vec<(MarketId, PriceStateV0)> =
				Decode::decode(&mut &state[..]).map_err(|_| "v1: undecodable pre-upgrade state")?;
			for (market, price) in old {
				let max_price_age = Markets::<T>::get(market)
					.map(|info| info.params.max_price_age)
					.ok_or("v1: a price of an unlisted market")?;
				ensure!(
					Prices::<T>::get(market) == Some(price.upgraded(max_price_age)),
					"v1: a price changed"
				);
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
