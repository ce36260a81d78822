//! [`ChainTimings`]: the periods a chain runs on, the ones derived from its block time, and the
//! rules that hold between them. Pure: no storage.

use bulwark_primitives::BlockNumber;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use serde::{Deserialize, Serialize};

/// Milliseconds in an hour.
const MILLIS_PER_HOUR: u64 = 3_600_000;

/// The periods of one chain, fixed in its genesis.
///
/// Block counts unless the name says otherwise. Nothing changes them after genesis: a session,
/// era or unbonding period shortened under pending requests would release stake early, so a
/// change is a runtime upgrade with a migration.
#[derive(
	Clone,
	Copy,
	Debug,
	Decode,
	DecodeWithMemTracking,
	Encode,
	Eq,
	MaxEncodedLen,
	PartialEq,
	TypeInfo,
	Serialize,
	Deserialize,
)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ChainTimings {
	/// Aura slot, one block per slot, in milliseconds. Fixed for the chain's life: Aura derives
	/// the slot from the timestamp.
	pub slot_millis: u64,
	/// Blocks per session (validator-set rotation).
	pub session_blocks: BlockNumber,
	/// Sessions per staking era.
	pub sessions_per_era: u32,
	/// Eras a BWK stake stays bonded after `unbond`.
	pub bonding_eras: u32,
	/// Eras a validator slash waits, cancellable by the council. Less than `bonding_eras`.
	pub validator_slash_defer_eras: u32,
	/// Blocks per oracle round.
	pub oracle_round_blocks: BlockNumber,
	/// An oracle operator's bond unbonding period.
	pub operator_unbonding_blocks: BlockNumber,
	/// A vault staker's unbonding period.
	pub vault_unbonding_blocks: BlockNumber,
	/// How long a matured vault chunk stays withdrawable before it returns to active stake.
	pub vault_withdraw_window_blocks: BlockNumber,
	/// How long an oracle or vault slash waits, cancellable by the council.
	pub slash_defer_blocks: BlockNumber,
	/// An offender pays its largest offence within this many blocks of its first report.
	pub slash_span_blocks: BlockNumber,
	/// The security monitor recomputes every this many blocks.
	pub monitor_period_blocks: BlockNumber,
	/// A council motion's voting period.
	pub council_motion_blocks: BlockNumber,
}

/// Why a [`ChainTimings`] cannot serve a chain.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub enum TimingsError {
	/// The slot is under 500 ms, or odd (the timestamp's minimum period is half of it).
	Slot,
	/// A period is zero.
	ZeroPeriod,
	/// A validator slash would apply after its stake unbonded.
	ValidatorSlashAfterUnbonding,
	/// A derived period (an hour, a year, a bonding duration in blocks) overflows a block number.
	Overflow,
}

impl ChainTimings {
	/// The timings of every chain that ran before they were set per chain (3 s blocks, one-minute
	/// sessions, minutes of unbonding): `dev`, `local` and the storage default.
	pub const DEV: Self = Self {
		slot_millis: 3_000,
		session_blocks: 20,
		sessions_per_era: 3,
		bonding_eras: 4,
		validator_slash_defer_eras: 2,
		oracle_round_blocks: 2,
		operator_unbonding_blocks: 200,
		vault_unbonding_blocks: 40,
		vault_withdraw_window_blocks: 200,
		slash_defer_blocks: 20,
		slash_span_blocks: 600,
		monitor_period_blocks: 10,
		council_motion_blocks: 600,
	};

	/// The `dev` timings at one-second slots, with half the slash deferral and a vault unbonding
	/// just longer than the slashing pallet's escape window (2 + 10 + 16 = 28 blocks). For tests
	/// that do not measure time themselves.
	pub const FAST: Self = Self {
		slot_millis: 1_000,
		slash_defer_blocks: 10,
		vault_unbonding_blocks: 30,
		..Self::DEV
	};

	/// A public testnet's: Polkadot's 6 s blocks, hour-long sessions, six-hour eras, and
	/// Polkadot's 28 eras of bonding (7 days here) with its 27-era validator slash deferral;
	/// a week for oracle operators and vault stakers to unbond, two days to withdraw, a day for
	/// the council to cancel a slash or pass a motion.
	pub const TESTNET: Self = Self {
		slot_millis: 6_000,
		session_blocks: 600,
		sessions_per_era: 6,
		bonding_eras: 28,
		validator_slash_defer_eras: 27,
		oracle_round_blocks: 2,
		operator_unbonding_blocks: 7 * 14_400,
		vault_unbonding_blocks: 7 * 14_400,
		vault_withdraw_window_blocks: 2 * 14_400,
		slash_defer_blocks: 14_400,
		slash_span_blocks: 14_400,
		monitor_period_blocks: 10,
		council_motion_blocks: 14_400,
	};

	/// The timestamp's minimum period: half a slot.
	pub fn minimum_period_millis(&self) -> u64 {
		self.slot_millis / 2
	}

	/// Blocks in `millis` milliseconds, rounded down, at least one.
	fn blocks_in(&self, millis: u64) -> BlockNumber {
		let blocks = millis / self.slot_millis.max(1);
		BlockNumber::try_from(blocks).unwrap_or(BlockNumber::MAX).max(1)
	}

	/// Blocks per hour.
	pub fn blocks_per_hour(&self) -> BlockNumber {
		self.blocks_in(MILLIS_PER_HOUR)
	}

	/// Blocks per day.
	pub fn blocks_per_day(&self) -> BlockNumber {
		self.blocks_in(24 * MILLIS_PER_HOUR)
	}

	/// Blocks per 365-day year.
	pub fn blocks_per_year(&self) -> BlockNumber {
		self.blocks_in(365 * 24 * MILLIS_PER_HOUR)
	}

	/// Sessions a BWK stake stays bonded.
	pub fn bonding_sessions(&self) -> u64 {
		u64::from(self.bonding_eras).saturating_mul(u64::from(self.sessions_per_era))
	}

	/// Blocks a BWK stake stays bonded.
	pub fn bonding_blocks(&self) -> u64 {
		self.bonding_sessions().saturating_mul(u64::from(self.session_blocks))
	}

	/// Checks the rules every chain's timings keep. The rules that involve other pallets' bounds
	/// (a slash applies before its stake unbonds) are those pallets' `try_state`.
	pub fn validate(&self) -> Result<(), TimingsError> {
		if self.slot_millis < 500 || !self.slot_millis.is_multiple_of(2) {
			return Err(TimingsError::Slot);
		}
		let periods = [
			self.session_blocks,
			self.sessions_per_era,
			self.bonding_eras,
			self.oracle_round_blocks,
			self.operator_unbonding_blocks,
			self.vault_unbonding_blocks,
			self.vault_withdraw_window_blocks,
			self.slash_defer_blocks,
			self.slash_span_blocks,
			self.monitor_period_blocks,
			self.council_motion_blocks,
		];
		if periods.contains(&0) {
			return Err(TimingsError::ZeroPeriod);
		}
		if self.validator_slash_defer_eras >= self.bonding_eras {
			return Err(TimingsError::ValidatorSlashAfterUnbonding);
		}
		if BlockNumber::try_from(self.bonding_blocks()).is_err() {
			return Err(TimingsError::Overflow);
		}
		Ok(())
	}
}

impl Default for ChainTimings {
	/// [`ChainTimings::DEV`]: a chain upgraded from a runtime that compiled them in keeps them.
	fn default() -> Self {
		Self::DEV
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn the_presets_are_valid() {
		for timings in [ChainTimings::DEV, ChainTimings::FAST, ChainTimings::TESTNET] {
			assert_eq!(timings.validate(), Ok(()), "{timings:?}");
		}
	}

	#[test]
	fn derived_periods_at_reference_values() {
		// 3 s blocks: 1,200 an hour, 28,800 a day, 10,512,000 a year (the constants the runtime
		// compiled in before).
		let dev = ChainTimings::DEV;
		assert_eq!(dev.blocks_per_hour(), 1_200);
		assert_eq!(dev.blocks_per_day(), 28_800);
		assert_eq!(dev.blocks_per_year(), 10_512_000);
		assert_eq!(dev.minimum_period_millis(), 1_500);
		// 4 eras of 3 sessions of 20 blocks.
		assert_eq!(dev.bonding_sessions(), 12);
		assert_eq!(dev.bonding_blocks(), 240);
		// 6 s: 600 an hour, 14,400 a day; 28 eras of 6 hours = 7 days = 100,800 blocks.
		let testnet = ChainTimings::TESTNET;
		assert_eq!(testnet.blocks_per_hour(), 600);
		assert_eq!(testnet.blocks_per_day(), 14_400);
		assert_eq!(testnet.bonding_blocks(), 100_800);
		assert_eq!(ChainTimings::FAST.blocks_per_hour(), 3_600);
	}

	#[test]
	fn broken_timings_are_refused() {
		let dev = ChainTimings::DEV;
		assert_eq!(ChainTimings { slot_millis: 0, ..dev }.validate(), Err(TimingsError::Slot));
		assert_eq!(ChainTimings { slot_millis: 499, ..dev }.validate(), Err(TimingsError::Slot));
		assert_eq!(ChainTimings { slot_millis: 1_001, ..dev }.validate(), Err(TimingsError::Slot));
		assert_eq!(
			ChainTimings { session_blocks: 0, ..dev }.validate(),
			Err(TimingsError::ZeroPeriod)
		);
		assert_eq!(
			ChainTimings { monitor_period_blocks: 0, ..dev }.validate(),
			Err(TimingsError::ZeroPeriod)
		);
		assert_eq!(
			ChainTimings { validator_slash_defer_eras: 4, ..dev }.validate(),
			Err(TimingsError::ValidatorSlashAfterUnbonding)
		);
		assert_eq!(
			ChainTimings { session_blocks: u32::MAX, ..dev }.validate(),
			Err(TimingsError::Overflow)
		);
	}

	#[test]
	fn a_year_of_one_hour_blocks_still_counts_blocks() {
		let slow = ChainTimings { slot_millis: 3_600_000, ..ChainTimings::DEV };
		assert_eq!(slow.blocks_per_hour(), 1);
		assert_eq!(slow.blocks_per_year(), 8_760);
	}
}
