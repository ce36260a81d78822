//! Bulwark's own pallets: oracle, insurance and vaults (and, as they land, slashing, margin).
//!
//! Dev/test values; the design brief's production defaults are noted where they differ.

use frame_support::{parameter_types, traits::ConstU32, PalletId};

use super::super::{time::MINUTES, BlockNumber, Busd, Runtime, RuntimeHoldReason, BUSD};
use super::governance::RiskOrigin;
use bulwark_primitives::Balance;

parameter_types! {
	/// Blocks per oracle round: 2 blocks = 6 s.
	pub const OracleRoundLength: BlockNumber = 2;
	/// Smallest operator bond: 1,000 bUSD.
	pub const MinOperatorBond: Balance = 1_000 * BUSD;
	/// Operator unbonding: 10 minutes on dev chains (production: 7 days). Must exceed the slash
	/// deferral of the slashing pallet.
	pub const OperatorUnbondingPeriod: BlockNumber = 10 * MINUTES;
	/// Missed rounds in a row before a liveness offence: 10 rounds = 1 minute.
	pub const MaxMissedRounds: u32 = 10;
}

impl pallet_bulwark_oracle::Config for Runtime {
	type Currency = Busd;
	type RuntimeHoldReason = RuntimeHoldReason;
	type RiskOrigin = RiskOrigin;
	/// Offences are dropped until the slashing pallet is wired in.
	type OffenceReporter = ();
	type RoundLength = OracleRoundLength;
	type MinOperatorBond = MinOperatorBond;
	type UnbondingPeriod = OperatorUnbondingPeriod;
	type MaxMissedRounds = MaxMissedRounds;
	type MaxOperators = ConstU32<64>;
	type MaxMarkets = ConstU32<32>;
	type MaxSymbolLen = ConstU32<16>;
	type WeightInfo = pallet_bulwark_oracle::weights::SubstrateWeight<Runtime>;
}

parameter_types! {
	/// Derives the insurance funds' accounts.
	pub const InsurancePalletId: PalletId = PalletId(*b"bw/insur");
	/// Hard cap of what governance may let the global fund pay per window: 10,000,000 bUSD.
	pub const MaxGlobalDrawHardCap: Balance = 10_000_000 * BUSD;
}

impl pallet_bulwark_insurance::Config for Runtime {
	type Currency = Busd;
	type RiskOrigin = RiskOrigin;
	/// No open interest until the margin engine lands: coverage ratios read `None`.
	type OpenInterest = ();
	type PalletId = InsurancePalletId;
	type MaxGlobalDrawHardCap = MaxGlobalDrawHardCap;
	type WeightInfo = pallet_bulwark_insurance::weights::SubstrateWeight<Runtime>;
}

parameter_types! {
	/// Derives the vault accounts.
	pub const VaultsPalletId: PalletId = PalletId(*b"bw/vault");
	/// Smallest stake: 10 bUSD.
	pub const MinVaultStake: Balance = 10 * BUSD;
	/// Vault unbonding: 10 minutes on dev chains (production: 7 days); longer than the slash
	/// deferral, so a staker cannot leave ahead of a pending slash.
	pub const VaultUnbondingPeriod: BlockNumber = 10 * MINUTES;
}

impl pallet_bulwark_vaults::Config for Runtime {
	type Currency = Busd;
	type RuntimeHoldReason = RuntimeHoldReason;
	type RiskOrigin = RiskOrigin;
	type Markets = super::super::Oracle;
	/// No positions until the margin engine lands: no open interest, no unrealized PnL.
	type OpenInterest = ();
	type UnrealizedPnl = ();
	type PalletId = VaultsPalletId;
	type MinStake = MinVaultStake;
	type UnbondingPeriod = VaultUnbondingPeriod;
	type MaxUnbondingChunks = ConstU32<16>;
	type WeightInfo = pallet_bulwark_vaults::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = ();
}
