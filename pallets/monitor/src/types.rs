//! Types of the security monitor: its governed parameters, the ratios it keeps per market, and
//! the views of its runtime API.

use alloc::vec::Vec;
use bulwark_primitives::{Balance, BlockNumber, MarketId, Price};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sp_arithmetic::{FixedU128, Perbill};

const ONE: u128 = 1_000_000_000_000_000_000;

const fn fixed(inner: u128) -> FixedU128 {
	FixedU128::from_inner(inner)
}

/// The three attack-cost ratios of the design brief (section 9).
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
	serde::Serialize,
	serde::Deserialize,
)]
pub enum Ratio {
	/// What controlling the market's oracle median costs (the bond, at the largest deviation
	/// slash) over what a manipulation inside the breaker's band can win (open interest x max
	/// price jump).
	OracleAcr,
	/// One third of the active validators' exposure, valued at the BWK price, over the value the
	/// chain secures (trader collateral, vault stake, insurance). Chain-wide.
	ConsensusAcr,
	/// The vault's net asset value over the market's open interest.
	VaultCover,
}

/// Governed parameters: a floor per ratio, the hysteresis of a release and what a restriction
/// does to margin.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
	serde::Serialize,
	serde::Deserialize,
)]
pub struct MonitorParams {
	/// Floor of [`Ratio::OracleAcr`].
	pub min_oracle_acr: FixedU128,
	/// Floor of [`Ratio::ConsensusAcr`].
	pub min_consensus_acr: FixedU128,
	/// Floor of [`Ratio::VaultCover`].
	pub min_vault_cover: FixedU128,
	/// A restricted market is released only once every ratio is above its floor x (1 +
	/// hysteresis), so that it does not flap around a floor.
	pub hysteresis: Perbill,
	/// What a restricted market's initial margin fraction is multiplied by.
	pub restricted_imf_multiplier: FixedU128,
	/// The ratios' inputs (value secured, each market's larger side) are exponential moving
	/// averages over this many blocks, updated every block: capital parked for the block of a
	/// sample moves them by `1 / smoothing_blocks` of itself, and moves them fully only when
	/// held for hours.
	pub smoothing_blocks: u32,
	/// A market is restricted only after a ratio stays under its floor for this many
	/// consecutive samples.
	pub breach_samples: u32,
	/// BWK is valued at its lowest price over this many samples (each the lower of the
	/// `BWK-USD` median and its EMA): pumping BWK lifts the consensus ACR only once the pump
	/// has lasted the whole window.
	pub bwk_window_samples: u32,
	/// A `BWK-USD` price stale (or never priced) for this many blocks counts as a consensus
	/// ACR of zero, a breach: a chain that cannot price its stake does not know what securing
	/// it costs.
	pub bwk_grace_blocks: u32,
}

impl Default for MonitorParams {
	/// Attacks must cost at least what they can win (both ACR floors 1); a vault must hold at
	/// least 10% of its market's open interest (half of what its 5x leverage cap lets it open
	/// with); 10% hysteresis; restricted markets need twice the initial margin; inputs averaged
	/// over 1,200 blocks (an hour of 3-second blocks); six samples under a floor (three minutes
	/// at the runtime's 10-block period) before a restriction; BWK at its lowest over 120
	/// samples (an hour); a stale BWK price a breach after 14,400 blocks (12 hours). Every order
	/// is held to the oracle ACR's open-interest capacity meanwhile.
	fn default() -> Self {
		Self {
			min_oracle_acr: fixed(ONE),
			min_consensus_acr: fixed(ONE),
			min_vault_cover: fixed(ONE / 10),
			hysteresis: Perbill::from_percent(10),
			restricted_imf_multiplier: fixed(2 * ONE),
			smoothing_blocks: 1_200,
			breach_samples: 6,
			bwk_window_samples: 120,
			bwk_grace_blocks: 14_400,
		}
	}
}

/// Hard bounds of [`MonitorParams`]; governance cannot leave them.
pub mod bounds {
	use super::*;

	/// ACR floors: 0.5 (an attack may win at most twice its cost) to 100.
	pub const ACR_FLOOR: (FixedU128, FixedU128) = (fixed(ONE / 2), fixed(100 * ONE));
	/// Vault cover floor: 1% to 10x of open interest.
	pub const VAULT_COVER_FLOOR: (FixedU128, FixedU128) = (fixed(ONE / 100), fixed(10 * ONE));
	/// Hysteresis: 1% to 100%.
	pub const HYSTERESIS: (Perbill, Perbill) =
		(Perbill::from_percent(1), Perbill::from_percent(100));
	/// Margin multiplier of a restricted market: 1 to 10.
	pub const IMF_MULTIPLIER: (FixedU128, FixedU128) = (fixed(ONE), fixed(10 * ONE));
	/// Smoothing: 1 block (none) to 28,800 (a day of 3-second blocks).
	pub const SMOOTHING_BLOCKS: (u32, u32) = (1, 28_800);
	/// Samples under a floor before a restriction: 1 to 120.
	pub const BREACH_SAMPLES: (u32, u32) = (1, 120);
	/// BWK's price window: 1 sample to [`MAX_BWK_WINDOW`].
	pub const BWK_WINDOW_SAMPLES: (u32, u32) = (1, MAX_BWK_WINDOW);
	/// The grace of a stale BWK price: 100 blocks to a week of 3-second blocks.
	pub const BWK_GRACE_BLOCKS: (u32, u32) = (100, 201_600);
	/// Most samples of BWK's price kept (3 hours of 30-second samples).
	pub const MAX_BWK_WINDOW: u32 = 360;
}

impl MonitorParams {
	/// Whether every parameter is within its hard bounds.
	pub fn validate(&self) -> bool {
		use bounds::*;
		let within = |v: FixedU128, (lo, hi): (FixedU128, FixedU128)| lo <= v && v <= hi;
		within(self.min_oracle_acr, ACR_FLOOR)
			&& within(self.min_consensus_acr, ACR_FLOOR)
			&& within(self.min_vault_cover, VAULT_COVER_FLOOR)
			&& HYSTERESIS.0 <= self.hysteresis
			&& self.hysteresis <= HYSTERESIS.1
			&& within(self.restricted_imf_multiplier, IMF_MULTIPLIER)
			&& (SMOOTHING_BLOCKS.0..=SMOOTHING_BLOCKS.1).contains(&self.smoothing_blocks)
			&& (BREACH_SAMPLES.0..=BREACH_SAMPLES.1).contains(&self.breach_samples)
			&& (BWK_WINDOW_SAMPLES.0..=BWK_WINDOW_SAMPLES.1).contains(&self.bwk_window_samples)
			&& (BWK_GRACE_BLOCKS.0..=BWK_GRACE_BLOCKS.1).contains(&self.bwk_grace_blocks)
	}

	/// The floor of `ratio`.
	pub fn floor(&self, ratio: Ratio) -> FixedU128 {
		match ratio {
			Ratio::OracleAcr => self.min_oracle_acr,
			Ratio::ConsensusAcr => self.min_consensus_acr,
			Ratio::VaultCover => self.min_vault_cover,
		}
	}
}

/// A market's ratios as last computed. `None`: nothing is at stake (no open interest, or no
/// value secured), which never restricts.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Default,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
)]
pub struct MarketRatios {
	/// [`Ratio::OracleAcr`].
	pub oracle_acr: Option<FixedU128>,
	/// [`Ratio::ConsensusAcr`] (the chain's, the same for every market).
	pub consensus_acr: Option<FixedU128>,
	/// [`Ratio::VaultCover`].
	pub vault_cover: Option<FixedU128>,
}

impl MarketRatios {
	/// `(ratio, value)` for each ratio that has a value.
	pub fn values(&self) -> [(Ratio, Option<FixedU128>); 3] {
		[
			(Ratio::OracleAcr, self.oracle_acr),
			(Ratio::ConsensusAcr, self.consensus_acr),
			(Ratio::VaultCover, self.vault_cover),
		]
	}
}

/// Why and since when a market is restricted.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
)]
pub struct Restriction {
	/// The ratio that fell below its floor (the first of oracle ACR, consensus ACR, vault cover).
	pub ratio: Ratio,
	/// Its value then.
	pub value: FixedU128,
	/// Its floor then.
	pub floor: FixedU128,
	/// Block of the restriction.
	pub since: BlockNumber,
}

/// What the runtime API reports of a market.
#[derive(Clone, PartialEq, Eq, Encode, Decode, TypeInfo, Debug)]
pub struct SecurityView {
	/// The ratios computed now (not the last period's).
	pub ratios: MarketRatios,
	/// The floors and the rest of the parameters.
	pub params: MonitorParams,
	/// The restriction in force, if any (decided at the last period).
	pub restriction: Option<Restriction>,
	/// Value secured chain-wide (bUSD): trader collateral, vault stake, insurance.
	pub value_secured: Balance,
	/// The bond that controls the market's oracle median (bUSD).
	pub control_bond: Balance,
	/// The market's open interest, longs plus shorts (bUSD notional).
	pub open_interest: Balance,
	/// The market's larger side now, `max(longs, shorts)` (bUSD notional).
	pub largest_side: Balance,
	/// Its moving average over `smoothing_blocks`, which the ratios use.
	pub smoothed_largest_side: Balance,
	/// The open interest the options the vault wrote amount to (what the breaker's largest
	/// move adds to their value, over that move), added to the larger side in the ratios.
	pub option_exposure: Balance,
	/// The most the larger side may hold for the oracle ACR to stay at its floor, as of the
	/// last sample: every order that grows the larger side beyond it is refused.
	pub open_interest_capacity: Option<Balance>,
	/// Consecutive samples the market has had a ratio under its floor.
	pub breach_samples: u32,
}

/// A market's smoothed inputs and breach count, kept between samples.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Default,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
)]
pub struct MarketWatch {
	/// Moving average of the larger side's notional (bUSD).
	pub smoothed_largest_side: Balance,
	/// The most the larger side may hold for the oracle ACR to stay at its floor (`None`: no
	/// limit, when the breaker allows no jump).
	pub open_interest_capacity: Option<Balance>,
	/// Consecutive samples with a ratio under its floor.
	pub breach_samples: u32,
	/// Whether the market is restricted ([`crate::Restricted`] holds why): the margin engine
	/// reads this item alone at a fill, for the restriction and the capacity.
	pub restricted: bool,
}

/// A market's inputs at one point, for the ratio functions.
#[derive(Clone, Copy, PartialEq, Eq, Default, Debug)]
pub struct MarketInputs {
	/// The market.
	pub market: MarketId,
	/// Bond that controls its median.
	pub control_bond: Balance,
	/// Its breaker's max price jump.
	pub max_price_jump: Perbill,
	/// Its open interest.
	pub open_interest: Balance,
	/// Its vault's NAV.
	pub vault_nav: Balance,
}

/// One market's outcome of a stress test.
#[derive(Clone, Copy, PartialEq, Eq, Default, Encode, Decode, TypeInfo, Debug)]
pub struct MarketStress {
	/// The shocked market.
	pub market: MarketId,
	/// The oracle's price now.
	pub price_before: Price,
	/// The shocked price.
	pub price_after: Price,
	/// Accounts with a position in the market the shock leaves liquidatable.
	pub liquidatable_accounts: u32,
	/// Bad debt their liquidations would leave to the market.
	pub bad_debt: Balance,
	/// What insurance would cover of it: the market's fund first, then the global fund within
	/// its allowance (shared by the markets in id order).
	pub insurance_covered: Balance,
	/// The vault's NAV now.
	pub vault_nav_before: Balance,
	/// What the options the vault wrote are worth now (at the model).
	pub options_value_before: Balance,
	/// The same at the shocked price.
	pub options_value_after: Balance,
	/// The vault's NAV after the shock (its traders' PnL and written options revalued) and the
	/// uncovered bad debt.
	pub vault_nav_after: Balance,
}

/// What a stress test reports.
#[derive(Clone, PartialEq, Eq, Default, Encode, Decode, TypeInfo, Debug)]
pub struct StressReport {
	/// Per shocked market (with a price), in market id order.
	pub markets: Vec<MarketStress>,
	/// Accounts left liquidatable, each counted once.
	pub liquidatable_accounts: u32,
	/// Bad debt in all.
	pub bad_debt: Balance,
	/// Insurance cover in all.
	pub insurance_covered: Balance,
}
