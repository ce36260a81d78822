//! # Timings pallet
//!
//! The periods a chain runs on, set once in its genesis, so that one runtime serves a dev chain
//! with minutes of unbonding, a test chain with one-second blocks, and a public testnet with
//! days.
//!
//! ## Key terms
//!
//! - **Timings** ([`ChainTimings`]): the block time, session and era lengths, bonding and
//!   unbonding periods, slash deferrals, the oracle round, the monitor period and the council's
//!   motion duration. [`ChainTimings::validate`] states the rules between them.
//! - **Getters**: one `Get` type per period ([`SlotMillis`], [`SessionBlocks`], ...), which the
//!   runtime hands to the pallets that used to take a compiled-in constant.
//!
//! ## Design
//!
//! - No call changes the timings: a period shortened under pending unbonding requests or
//!   deferred slashes would release stake early. A change is a runtime upgrade with a migration.
//! - A chain whose genesis predates this pallet reads [`ChainTimings::DEV`], what its runtime
//!   compiled in, so the upgrade needs no migration.
//! - The value is read by every block's initialization (the session's rotation check reads
//!   [`SessionBlocks`]), so it is in the overlay when any extrinsic runs; it is whitelisted for
//!   benchmarks as `System::Number` is, and reading it adds nothing to a trade's weight.

#![cfg_attr(not(feature = "std"), no_std)]

pub mod timings;

pub use pallet::*;
pub use timings::{ChainTimings, TimingsError};

use bulwark_primitives::BlockNumber;
use core::marker::PhantomData;
use frame_support::traits::Get;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::pallet_prelude::*;
	use frame_system::pallet_prelude::BlockNumberFor;

	#[pallet::pallet]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config {}

	/// The chain's timings ([`ChainTimings::DEV`] on a chain whose genesis did not set them).
	#[pallet::storage]
	#[pallet::whitelist_storage]
	pub type Timings<T: Config> = StorageValue<_, ChainTimings, ValueQuery>;

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// The chain's timings.
		pub timings: ChainTimings,
		#[serde(skip)]
		pub _config: PhantomData<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			// Genesis only: a chain spec with broken timings must not start.
			if let Err(error) = self.timings.validate() {
				panic!("invalid genesis timings: {error:?}"); // proof: genesis build only, never a block
			}
			Timings::<T>::put(self.timings);
		}
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		#[cfg(feature = "try-runtime")]
		fn try_state(_: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}
}

impl<T: Config> Pallet<T> {
	/// The chain's timings.
	pub fn timings() -> ChainTimings {
		Timings::<T>::get()
	}

	/// ## Invariants
	/// - The stored timings pass [`ChainTimings::validate`].
	#[cfg(any(feature = "try-runtime", test))]
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		frame_support::ensure!(
			Self::timings().validate().is_ok(),
			"the chain's timings are invalid"
		);
		Ok(())
	}
}

/// Declares a `Get` type reading one value off the chain's timings.
macro_rules! timing_getters {
	($($(#[$doc:meta])* $name:ident: $value:ty = |$timings:ident| $read:expr;)*) => {$(
		$(#[$doc])*
		pub struct $name<T>(PhantomData<T>);
		impl<T: Config> Get<$value> for $name<T> {
			fn get() -> $value {
				let $timings = Pallet::<T>::timings();
				$read
			}
		}
	)*};
}

timing_getters! {
	/// The Aura slot in milliseconds.
	SlotMillis: u64 = |t| t.slot_millis;
	/// The timestamp's minimum period: half a slot.
	MinimumPeriodMillis: u64 = |t| t.minimum_period_millis();
	/// Blocks per session.
	SessionBlocks: BlockNumber = |t| t.session_blocks;
	/// Sessions per staking era.
	SessionsPerEra: u32 = |t| t.sessions_per_era;
	/// Eras a BWK stake stays bonded.
	BondingEras: u32 = |t| t.bonding_eras;
	/// Eras a validator slash is deferred.
	ValidatorSlashDeferEras: u32 = |t| t.validator_slash_defer_eras;
	/// Sessions a BWK stake stays bonded.
	BondingSessions: u64 = |t| t.bonding_sessions();
	/// Blocks a BWK stake stays bonded.
	BondingBlocks: u64 = |t| t.bonding_blocks();
	/// Blocks per oracle round.
	OracleRoundBlocks: BlockNumber = |t| t.oracle_round_blocks;
	/// An oracle operator's unbonding period.
	OperatorUnbondingBlocks: BlockNumber = |t| t.operator_unbonding_blocks;
	/// A vault staker's unbonding period.
	VaultUnbondingBlocks: BlockNumber = |t| t.vault_unbonding_blocks;
	/// A matured vault chunk's withdraw window.
	VaultWithdrawWindowBlocks: BlockNumber = |t| t.vault_withdraw_window_blocks;
	/// An oracle or vault slash's deferral.
	SlashDeferBlocks: BlockNumber = |t| t.slash_defer_blocks;
	/// A slashing span.
	SlashSpanBlocks: BlockNumber = |t| t.slash_span_blocks;
	/// The security monitor's period.
	MonitorPeriodBlocks: BlockNumber = |t| t.monitor_period_blocks;
	/// A council motion's voting period.
	CouncilMotionBlocks: BlockNumber = |t| t.council_motion_blocks;
	/// Blocks per hour at the chain's slot.
	BlocksPerHour: BlockNumber = |t| t.blocks_per_hour();
	/// Blocks per day at the chain's slot.
	BlocksPerDay: BlockNumber = |t| t.blocks_per_day();
	/// Blocks per 365-day year at the chain's slot.
	BlocksPerYear: BlockNumber = |t| t.blocks_per_year();
}

#[cfg(test)]
mod tests;
