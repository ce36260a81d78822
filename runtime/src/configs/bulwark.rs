//! Bulwark's own pallets: oracle, insurance, vaults, slashing and margin.
//!
//! Dev/test values; the design brief's production defaults are noted where they differ.

use frame_support::{
	parameter_types,
	traits::{ConstU32, ConstU64},
	PalletId,
};
use sp_runtime::transaction_validity::TransactionPriority;

use super::super::{AccountId, Busd, Runtime, RuntimeHoldReason, BUSD};
use super::governance::RiskOrigin;
use bulwark_primitives::Balance;

parameter_types! {
	/// Smallest operator bond: 1,000 bUSD.
	pub const MinOperatorBond: Balance = 1_000 * BUSD;
	/// Missed rounds in a row before a liveness offence: 10 rounds = 1 minute.
	pub const MaxMissedRounds: u32 = 10;
}

/// Blocks per oracle round: the chain's genesis timings (dev: 2 blocks = 6 s).
pub type OracleRoundLength = pallet_bulwark_timings::OracleRoundBlocks<Runtime>;
/// Operator unbonding: the chain's genesis timings (dev: 10 minutes; testnet: 7 days). Longer than
/// the slashing pallet's escape window (its `try_state`).
pub type OperatorUnbondingPeriod = pallet_bulwark_timings::OperatorUnbondingBlocks<Runtime>;
/// A year of 365 days at the chain's slot: annualizes oracle volatility.
pub type BlocksPerYear = pallet_bulwark_timings::BlocksPerYear<Runtime>;

impl pallet_bulwark_oracle::Config for Runtime {
	type Currency = Busd;
	type RuntimeHoldReason = RuntimeHoldReason;
	type RiskOrigin = RiskOrigin;
	/// Deviation and liveness offences become deferred slashes.
	type OffenceReporter = super::super::Slashing;
	/// A bond with a pending slash is not released.
	type SlashPending = super::super::Slashing;
	type RoundLength = OracleRoundLength;
	type MinOperatorBond = MinOperatorBond;
	type UnbondingPeriod = OperatorUnbondingPeriod;
	type MaxMissedRounds = MaxMissedRounds;
	type BlocksPerYear = BlocksPerYear;
	type MaxOperators = ConstU32<64>;
	type MaxMarkets = ConstU32<32>;
	type MaxSymbolLen = ConstU32<16>;
	// Feeds first in the pool whatever tip other traffic pays (issue 29).
	type SubmissionPriority = ConstU64<{ TransactionPriority::MAX }>;
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
	/// Coverage ratios against the margin engine's open interest.
	type OpenInterest = super::super::Margin;
	/// Contributions go to listed markets only.
	type Markets = super::super::Oracle;
	type PalletId = InsurancePalletId;
	type MaxGlobalDrawHardCap = MaxGlobalDrawHardCap;
	type WeightInfo = pallet_bulwark_insurance::weights::SubstrateWeight<Runtime>;
}

parameter_types! {
	/// Derives the vault accounts.
	pub const VaultsPalletId: PalletId = PalletId(*b"bw/vault");
	/// Smallest stake: 10 bUSD.
	pub const MinVaultStake: Balance = 10 * BUSD;
}

/// Vault unbonding: the chain's genesis timings (dev: 2 minutes; testnet: 7 days); longer than
/// the slashing pallet's escape window (report latency + deferral + worst backlog: 38 blocks on
/// dev), so a staker cannot leave ahead of a slash.
pub type VaultUnbondingPeriod = pallet_bulwark_timings::VaultUnbondingBlocks<Runtime>;
/// A matured chunk not withdrawn within this window returns to active stake (dev: 10 minutes;
/// testnet: 2 days).
pub type VaultWithdrawWindow = pallet_bulwark_timings::VaultWithdrawWindowBlocks<Runtime>;

impl pallet_bulwark_vaults::Config for Runtime {
	type Currency = Busd;
	type RuntimeHoldReason = RuntimeHoldReason;
	type RiskOrigin = RiskOrigin;
	type Markets = super::super::Oracle;
	/// Withdrawals freeze while the market's price is not Active.
	type Prices = super::super::Oracle;
	/// Stake and withdrawals freeze while a slash of the vault is pending.
	type SlashPending = super::super::Slashing;
	type Insurance = super::super::Insurance;
	/// NAV marks to the margin engine's O(1) aggregates.
	type OpenInterest = super::super::Margin;
	type UnrealizedPnl = super::super::Margin;
	type WrittenOptions = super::super::Options;
	type PalletId = VaultsPalletId;
	type MinStake = MinVaultStake;
	type UnbondingPeriod = VaultUnbondingPeriod;
	type WithdrawWindow = VaultWithdrawWindow;
	type MaxUnbondingChunks = ConstU32<16>;
	type WeightInfo = pallet_bulwark_vaults::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = VaultsBenchmarks;
}

parameter_types! {
	/// Derives the account slash proceeds pass through.
	pub const SlashingPalletId: PalletId = PalletId(*b"bw/slash");
}

/// Slashes wait for the council to cancel them: the chain's genesis timings (dev: 1 minute;
/// testnet: 1 day); the escape window it is part of is shorter than the operators' and vaults'
/// unbonding (the slashing pallet's `try_state`).
pub type SlashDeferDuration = pallet_bulwark_timings::SlashDeferBlocks<Runtime>;
/// An offender pays its largest offence within a span of its first report (dev: 30 minutes;
/// testnet: 1 day).
pub type SlashSpanLength = pallet_bulwark_timings::SlashSpanBlocks<Runtime>;

impl pallet_bulwark_slashing::Config for Runtime {
	type Currency = Busd;
	type OperatorBonds = super::super::Oracle;
	type Vaults = super::super::Vaults;
	type Insurance = super::super::Insurance;
	type RiskOrigin = RiskOrigin;
	type PalletId = SlashingPalletId;
	type SlashDeferDuration = SlashDeferDuration;
	type SpanLength = SlashSpanLength;
	/// 64 slashes of at most 121 µs each (benchmarked): 7.4 ms of a block's 2 s.
	type MaxSlashesPerBlock = ConstU32<64>;
	/// Above 8 pending slashes for each of 64 operators and 32 vaults.
	type MaxPendingSlashes = ConstU32<1024>;
	type MaxPendingPerOffender = ConstU32<8>;
	/// The oracle reports an offence when the offence's round closes.
	type ReportLatency = OracleRoundLength;
	type ValidatorSlashes = StakingValidatorSlashes;
	type WeightInfo = pallet_bulwark_slashing::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = SlashingBenchmarks;
}

/// pallet-staking's deferred slashes, cancelled by validator: the indices
/// `cancel_deferred_slash` takes are resolved when the council's motion executes.
pub struct StakingValidatorSlashes;
impl bulwark_primitives::ValidatorSlashes<AccountId> for StakingValidatorSlashes {
	fn cancel(era: u32, validator: &AccountId) -> Result<u32, sp_runtime::DispatchError> {
		let indices: alloc::vec::Vec<u32> = pallet_staking::UnappliedSlashes::<Runtime>::get(era)
			.iter()
			.enumerate()
			.filter(|(_, slash)| &slash.validator == validator)
			.filter_map(|(index, _)| u32::try_from(index).ok())
			.collect();
		let count = u32::try_from(indices.len()).unwrap_or(u32::MAX);
		if count == 0 {
			return Ok(0);
		}
		// Root is part of pallet-staking's AdminOrigin (the risk origin); the caller already
		// passed the risk origin.
		super::super::Staking::cancel_deferred_slash(
			super::super::RuntimeOrigin::root(),
			era,
			indices,
		)?;
		Ok(count)
	}

	fn cancel_weight() -> frame_support::weights::Weight {
		use pallet_staking::WeightInfo;
		// Reading the era's list, plus the call at the most slashes one era may hold for one
		// validator (one per offence report; bounded here by the validator set).
		<Runtime as frame_system::Config>::DbWeight::get().reads(1).saturating_add(
			<Runtime as pallet_staking::Config>::WeightInfo::cancel_deferred_slash(
				MaxValidatorSlashesPerEra::get(),
			),
		)
	}
}

parameter_types! {
	/// Weight bound of cancelling one validator's slashes of an era.
	pub const MaxValidatorSlashesPerEra: u32 = 64;
}

/// Registers funded oracle operators for the slashing benchmarks.
#[cfg(feature = "runtime-benchmarks")]
pub struct SlashingBenchmarks;
#[cfg(feature = "runtime-benchmarks")]
impl pallet_bulwark_slashing::BenchmarkHelper<super::super::AccountId> for SlashingBenchmarks {
	fn operator(index: u32) -> super::super::AccountId {
		use frame_support::traits::fungible::Mutate;
		let operator: super::super::AccountId =
			frame_benchmarking::account("slashed-operator", index, 0);
		let bond = MinOperatorBond::get().saturating_mul(10);
		let _ = Busd::set_balance(&operator, bond.saturating_mul(2));
		let registered = super::super::Oracle::register_operator(
			super::super::RuntimeOrigin::signed(operator.clone()),
			bond,
		);
		debug_assert!(registered.is_ok(), "benchmark operator registers");
		operator
	}

	fn validator_slash(era: u32) -> super::super::AccountId {
		let validator: super::super::AccountId =
			frame_benchmarking::account("slashed-validator", 0, 0);
		pallet_staking::UnappliedSlashes::<Runtime>::mutate(era, |slashes| {
			slashes.push(pallet_staking::UnappliedSlash {
				validator: validator.clone(),
				own: 1,
				others: alloc::vec::Vec::new(),
				reporters: alloc::vec::Vec::new(),
				payout: 0,
			})
		});
		validator
	}
}

parameter_types! {
	/// Derives the margin engine's custody account.
	pub const MarginPalletId: PalletId = PalletId(*b"bw/margn");
	/// Orders the hook executes in one block, before any extrinsic (see the runtime test
	/// `a_full_order_queue_fits_the_hooks_share_of_a_block`).
	pub const MaxOrdersPerBlock: u32 = 2_000;
	/// Orders wait for a new median at most 10 rounds (the brief's order expiry).
	pub const MaxOrderRounds: bulwark_primitives::RoundIndex = 10;
	/// What opening a margin account locks (withdrawable in full once nothing is open): 10 bUSD,
	/// the order of dYdX's and Drift's minimum order notionals.
	pub const DefaultMinCollateral: Balance = 10 * BUSD;
	pub const MaxMinCollateral: Balance = 1_000 * BUSD;
	/// A keeper's fee for liquidating a bankrupt account: 5 bUSD, several times a liquidation's
	/// transaction fee.
	pub const BankruptcyKeeperFee: Balance = 5 * BUSD;
}

impl pallet_bulwark_margin::Config for Runtime {
	type Currency = Busd;
	type Prices = super::super::Oracle;
	type Markets = super::super::Oracle;
	type Vaults = super::super::Vaults;
	type Insurance = super::super::Insurance;
	/// The security monitor restricts markets whose attack costs fell under their floors.
	type Restriction = super::super::Monitor;
	type RiskOrigin = RiskOrigin;
	type PalletId = MarginPalletId;
	/// Drift's 8 positions per account.
	type MaxPositions = ConstU32<8>;
	/// As many markets as the oracle lists.
	type MaxMarkets = ConstU32<32>;
	type BlocksPerHour = BlocksPerHour;
	type OracleRoundLength = OracleRoundLength;
	type MaxOrdersPerBlock = MaxOrdersPerBlock;
	type MaxOrderRounds = MaxOrderRounds;
	type OrderPlacementPaused = super::emergency::OrderPlacementPaused;
	type DefaultMinCollateral = DefaultMinCollateral;
	type MaxMinCollateral = MaxMinCollateral;
	type BankruptcyKeeperFee = BankruptcyKeeperFee;
	type WeightInfo = pallet_bulwark_margin::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = MarginBenchmarks;
}

parameter_types! {
	/// Option orders the hook fills in one block, before any extrinsic.
	pub const MaxOptionOrdersPerBlock: u32 = 200;
	/// Holders of settled series paid in one block.
	pub const MaxOptionPayoutsPerBlock: u32 = 200;
}

impl pallet_bulwark_options::Config for Runtime {
	type Prices = super::super::Oracle;
	type Vaults = super::super::Vaults;
	type Collateral = super::super::Margin;
	type Restriction = super::super::Monitor;
	type Time = super::super::Timestamp;
	type RiskOrigin = RiskOrigin;
	/// Options on up to 8 of the oracle's markets.
	type MaxMarkets = ConstU32<8>;
	/// 32 series per market: four expiries of eight strikes, calls and puts alike.
	type MaxSeriesPerMarket = ConstU32<32>;
	type OracleRoundLength = OracleRoundLength;
	type MaxOrdersPerBlock = MaxOptionOrdersPerBlock;
	type MaxOrderRounds = MaxOrderRounds;
	type MaxPayoutsPerBlock = MaxOptionPayoutsPerBlock;
	/// The margin engine's `MaxPositions`.
	type MaxMarginPositions = ConstU32<8>;
	type WeightInfo = pallet_bulwark_options::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = OptionsBenchmarks;
}

parameter_types! {
	/// The genesis `BWK-USD` oracle market (after BTC-USD and ETH-USD).
	pub const BwkUsdMarket: bulwark_primitives::MarketId = 2;
}

/// Blocks in an hour at the chain's slot: the maintenance ramp's unit (a day of them is
/// funding's).
pub type BlocksPerHour = pallet_bulwark_timings::BlocksPerHour<Runtime>;
/// The monitor recomputes every this many blocks: the chain's genesis timings (dev: 10 blocks =
/// 30 s).
pub type MonitorPeriod = pallet_bulwark_timings::MonitorPeriodBlocks<Runtime>;

impl pallet_bulwark_monitor::Config for Runtime {
	type Prices = super::super::Oracle;
	type Oracle = super::super::Oracle;
	type Slashing = super::super::Slashing;
	type Staking = StakingValidatorStake;
	type OpenInterest = super::super::Margin;
	type Margin = super::super::Margin;
	type Vaults = super::super::Vaults;
	type Insurance = super::super::Insurance;
	type Options = super::super::Options;
	type RiskOrigin = RiskOrigin;
	type BwkMarket = BwkUsdMarket;
	type MonitorPeriod = MonitorPeriod;
	/// As many markets as the oracle lists.
	type MaxMarkets = ConstU32<32>;
	type WeightInfo = pallet_bulwark_monitor::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = MonitorBenchmarks;
}

/// pallet-staking's exposures of the active era: the smallest `ceil(n / 3)` of the `n` active
/// validators' (GRANDPA stalls without more than two thirds of them), an invulnerable's counted
/// as zero, since `on_offence` never slashes it. One read per active validator, at the
/// monitor's sample only.
pub struct StakingValidatorStake;
impl bulwark_primitives::ValidatorStake for StakingValidatorStake {
	fn cheapest_stall_exposure() -> Balance {
		let Some(era) = pallet_staking::ActiveEra::<Runtime>::get() else { return 0 };
		let invulnerables = pallet_staking::Invulnerables::<Runtime>::get();
		let mut exposures: alloc::vec::Vec<Balance> =
			pallet_staking::ErasStakersOverview::<Runtime>::iter_prefix(era.index)
				.map(
					|(validator, overview)| {
						if invulnerables.contains(&validator) {
							0
						} else {
							overview.total
						}
					},
				)
				.collect();
		exposures.sort_unstable();
		let stall = exposures.len().div_ceil(3);
		exposures.iter().take(stall).fold(0, |sum, exposure| sum.saturating_add(*exposure))
	}
}

/// The monitor's worst case: `count` markets listed (at least the genesis three), each enabled
/// for trading with open interest and a staked vault, the most operators serving all of them,
/// value secured in the global insurance fund and BWK priced at a millionth of a bUSD, so that
/// every market is restricted at once.
#[cfg(feature = "runtime-benchmarks")]
pub struct MonitorBenchmarks;
#[cfg(feature = "runtime-benchmarks")]
impl pallet_bulwark_monitor::BenchmarkHelper for MonitorBenchmarks {
	fn setup(count: u32) {
		use frame_support::traits::{fungible::Mutate, Get};
		use pallet_bulwark_margin::BenchmarkHelper as _;
		let markets: alloc::vec::Vec<bulwark_primitives::MarketId> = (0..count.max(3)).collect();
		for market in markets.iter() {
			MarginBenchmarks::setup_market(*market, sp_runtime::FixedU128::from_u32(100));
			if !pallet_bulwark_margin::Markets::<Runtime>::contains_key(market) {
				let enabled = super::super::Margin::enable_market(
					super::super::RuntimeOrigin::root(),
					*market,
					None,
				);
				debug_assert!(enabled.is_ok(), "benchmark market is enabled for trading");
			}
			// Open interest of 1,000 units long (the aggregates only: what the monitor reads).
			pallet_bulwark_margin::Markets::<Runtime>::mutate(market, |info| {
				if let Some(info) = info.as_mut() {
					info.aggregates.long_size = 1_000 * 1_000_000_000_000_000_000;
				}
			});
		}
		let max_operators: u32 = <Runtime as pallet_bulwark_oracle::Config>::MaxOperators::get();
		let existing = pallet_bulwark_oracle::Operators::<Runtime>::count();
		for index in existing..max_operators {
			let operator: AccountId = frame_benchmarking::account("operator", index, 0);
			let _ = Busd::set_balance(&operator, 10 * MinOperatorBond::get());
			let origin = super::super::RuntimeOrigin::signed(operator);
			let registered =
				super::super::Oracle::register_operator(origin.clone(), MinOperatorBond::get());
			debug_assert!(registered.is_ok(), "benchmark operator registers");
			let served = super::super::Oracle::set_markets(
				origin,
				Some(frame_support::BoundedVec::truncate_from(markets.clone())),
			);
			debug_assert!(served.is_ok(), "benchmark operator serves every market");
		}
		// Operators count from the round after their registration: move on, then price again.
		let later = frame_system::Pallet::<Runtime>::block_number()
			.saturating_add(4 * OracleRoundLength::get());
		frame_system::Pallet::<Runtime>::set_block_number(later);
		for market in markets.iter() {
			benchmark_price(*market, sp_runtime::FixedU128::from_u32(100));
		}
		benchmark_price(BwkUsdMarket::get(), sp_runtime::FixedU128::from_rational(1, 1_000_000));
		let global = super::super::Insurance::account_of(pallet_bulwark_insurance::Fund::Global);
		let _ = Busd::set_balance(&global, 1_000_000 * BUSD);
	}
}

/// Lists `market` in the oracle (creating markets up to it) and gives it a fresh `Active` price
/// with 50% volatility, for benchmarks.
#[cfg(feature = "runtime-benchmarks")]
fn benchmark_price(market: bulwark_primitives::MarketId, price: bulwark_primitives::Price) {
	use super::super::{Oracle, RuntimeOrigin};
	while pallet_bulwark_oracle::NextMarketId::<Runtime>::get() <= market {
		let next = pallet_bulwark_oracle::NextMarketId::<Runtime>::get();
		let mut symbol = b"BENCH-".to_vec();
		symbol.extend(alloc::format!("{next}").as_bytes());
		let created = Oracle::create_market(RuntimeOrigin::root(), symbol, 6, Default::default());
		debug_assert!(created.is_ok(), "benchmark market is created");
	}
	let now = frame_system::Pallet::<Runtime>::block_number();
	pallet_bulwark_oracle::Prices::<Runtime>::insert(
		market,
		pallet_bulwark_oracle::PriceState {
			price,
			ema_price: price,
			variance: sp_runtime::FixedU128::from_rational(1, 4),
			volatility: sp_runtime::FixedU128::from_rational(1, 2),
			updated_at: now,
			round: Oracle::current_round(),
			halt: None,
			max_price_age: pallet_bulwark_oracle::OracleParams::default().max_price_age,
		},
	);
}

/// Markets with a price and a staked vault, for the margin benchmarks.
#[cfg(feature = "runtime-benchmarks")]
pub struct MarginBenchmarks;
#[cfg(feature = "runtime-benchmarks")]
impl pallet_bulwark_margin::BenchmarkHelper for MarginBenchmarks {
	fn setup_market(market: bulwark_primitives::MarketId, price: bulwark_primitives::Price) {
		use frame_support::traits::fungible::Mutate;
		benchmark_price(market, price);
		let staker: AccountId = frame_benchmarking::account("vault-staker", market, 0);
		let stake = 10_000_000 * BUSD;
		let _ = Busd::set_balance(&staker, stake.saturating_mul(2));
		let staked = super::super::Vaults::stake(
			super::super::RuntimeOrigin::signed(staker),
			market,
			stake,
			0,
		);
		debug_assert!(staked.is_ok(), "benchmark vault is staked");
	}

	fn set_price(market: bulwark_primitives::MarketId, price: bulwark_primitives::Price) {
		benchmark_price(market, price);
	}
}

/// Markets with a price, a staked vault and margin trading, and traders with collateral and
/// perpetual positions, for the options benchmarks.
#[cfg(feature = "runtime-benchmarks")]
pub struct OptionsBenchmarks;
#[cfg(feature = "runtime-benchmarks")]
impl pallet_bulwark_options::BenchmarkHelper<AccountId> for OptionsBenchmarks {
	fn setup_market(market: bulwark_primitives::MarketId, price: bulwark_primitives::Price) {
		use pallet_bulwark_margin::BenchmarkHelper as _;
		if pallet_bulwark_vaults::Vaults::<Runtime>::get(market).is_none() {
			MarginBenchmarks::setup_market(market, price);
		}
		benchmark_price(market, price);
		let _ = super::super::Margin::open_custody();
		if !pallet_bulwark_margin::Markets::<Runtime>::contains_key(market) {
			let enabled = super::super::Margin::enable_market(
				super::super::RuntimeOrigin::root(),
				market,
				None,
			);
			debug_assert!(enabled.is_ok(), "benchmark market is enabled for trading");
		}
	}

	fn set_price(market: bulwark_primitives::MarketId, price: bulwark_primitives::Price) {
		benchmark_price(market, price);
	}

	/// `amount` of collateral and `positions` one-unit longs at 100, in markets 10, 11, ...
	/// (written into the account: the escrow's margin check marks each).
	fn fund(who: &AccountId, amount: Balance, positions: u32) {
		use frame_support::traits::fungible::Mutate;
		let _ = super::super::Margin::open_custody();
		let _ = Busd::set_balance(who, amount.saturating_mul(2));
		let deposited =
			super::super::Margin::deposit(super::super::RuntimeOrigin::signed(who.clone()), amount);
		debug_assert!(deposited.is_ok(), "benchmark trader deposits");
		for i in 0..positions {
			let market = 10u32.saturating_add(i);
			let price = sp_runtime::FixedU128::from_u32(100);
			Self::setup_market(market, price);
			pallet_bulwark_margin::Accounts::<Runtime>::mutate(who, |account| {
				if let Some(account) = account.as_mut() {
					let pushed = account.positions.try_push(pallet_bulwark_margin::Position {
						market,
						size: sp_runtime::FixedI128::from_u32(1),
						entry_price: price,
						entry_index: Default::default(),
						mmf: sp_runtime::FixedU128::from_rational(3, 100),
						adl_episode: 0,
					});
					debug_assert!(pushed.is_ok(), "within MaxPositions");
				}
			});
		}
	}

	fn set_time(time: u64) {
		pallet_timestamp::Now::<Runtime>::put(time);
	}
}

/// Market 0 with a price, trader PnL written into the margin engine's aggregate, and a funded
/// global insurance fund, for the vault benchmarks.
#[cfg(feature = "runtime-benchmarks")]
pub struct VaultsBenchmarks;
#[cfg(feature = "runtime-benchmarks")]
impl pallet_bulwark_vaults::BenchmarkHelper for VaultsBenchmarks {
	fn market() -> bulwark_primitives::MarketId {
		0
	}

	/// No positions, and a sum of `size x entry` of `-pnl`: traders' PnL reads `pnl` at any
	/// price (the benchmarks need the value, not positions behind it).
	fn set_trader_pnl(market: bulwark_primitives::MarketId, pnl: i128) {
		benchmark_price(market, sp_runtime::FixedU128::from_u32(100));
		pallet_bulwark_margin::Markets::<Runtime>::mutate(market, |info| {
			let info = info.get_or_insert_with(|| {
				pallet_bulwark_margin::MarketInfo::new(Default::default(), 0)
			});
			info.aggregates.sum_size_entry = pnl.saturating_neg();
		});
	}

	fn fund_global_insurance(amount: Balance) {
		use frame_support::traits::fungible::Mutate;
		let global = super::super::Insurance::account_of(pallet_bulwark_insurance::Fund::Global);
		let _ = Busd::set_balance(&global, amount);
	}
}
