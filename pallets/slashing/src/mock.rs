//! Mock runtime of the slashing pallet: system, bUSD balances, slashing, and stubs of its
//! neighbours: operator bonds (the oracle), vaults, insurance funds. The stubs move real bUSD so
//! that tests can check that balances add up.

use crate::{self as pallet_bulwark_slashing, SlashSchedule};
use bulwark_primitives::{
	Balance, BlockNumber, InsuranceFund, MarketId, Slashable, ValidatorSlashes,
};
use frame_support::{
	derive_impl, parameter_types,
	traits::{
		fungible::{Inspect, Mutate},
		tokens::Preservation,
		ConstU128, ConstU32, Hooks,
	},
	PalletId,
};
use frame_system::EnsureRoot;
use sp_runtime::{BuildStorage, DispatchError, DispatchResult, Perbill};
use std::collections::BTreeMap;

pub type AccountId = u64;
type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Slashing: pallet_bulwark_slashing,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountData = pallet_balances::AccountData<Balance>;
}

/// Existential deposit of the mock's bUSD.
pub const ED: Balance = 10;

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type Balance = Balance;
	type ExistentialDeposit = ConstU128<ED>;
	type AccountStore = System;
}

/// Holds every operator's bond (the stub records who owns how much of it).
pub const BOND_POT: AccountId = 900;
/// Account of market `m`'s vault stake: `VAULT_BASE + m`.
pub const VAULT_BASE: AccountId = 1_000;
/// Account of market `m`'s insurance fund: `FUND_BASE + m`.
pub const FUND_BASE: AccountId = 2_000;
/// Account of the global insurance fund.
pub const GLOBAL_FUND: AccountId = 3_000;

parameter_types! {
	pub const SlashingPalletId: PalletId = PalletId(*b"bw/slash");
	/// Operator bonds by operator, all kept in `BOND_POT`.
	pub static Bonds: BTreeMap<AccountId, Balance> = BTreeMap::new();
	/// Unbonding periods the stubs report.
	pub static OperatorUnbonding: BlockNumber = 30;
	pub static VaultUnbonding: BlockNumber = 30;
	/// Optional split of a vault's stake into active stake and unbonding chunks (adding up to
	/// the vault account's balance); a slash takes the same fraction of each, as the vaults
	/// pallet does.
	pub static VaultParts: BTreeMap<MarketId, (Balance, Vec<Balance>)> = BTreeMap::new();
	/// Makes every stubbed slash fail.
	pub static SlashesFail: bool = false;
	pub static SlashDeferDuration: BlockNumber = 10;
	pub static SpanLength: BlockNumber = 50;
	pub static MaxSlashesPerBlock: u32 = 3;
	pub static MaxPendingSlashes: u32 = 20;
	pub static ReportLatency: BlockNumber = 2;
	/// Deferred validator slashes by era, in pallet-staking's order: the validator of each.
	pub static ValidatorSlashList: BTreeMap<u32, Vec<AccountId>> = BTreeMap::new();
}

/// Stands in for pallet-staking's deferred slashes: a list per era.
pub struct ValidatorSlashesStub;
impl ValidatorSlashes<AccountId> for ValidatorSlashesStub {
	fn cancel(era: u32, validator: &AccountId) -> Result<u32, DispatchError> {
		let mut cancelled = 0;
		ValidatorSlashList::mutate(|all| {
			if let Some(list) = all.get_mut(&era) {
				let before = list.len();
				list.retain(|v| v != validator);
				cancelled = (before - list.len()) as u32;
			}
		});
		Ok(cancelled)
	}

	fn cancel_weight() -> frame_support::weights::Weight {
		frame_support::weights::Weight::from_parts(1_000, 0)
	}
}

/// Operator bonds: `fraction` of the recorded bond moves from `BOND_POT` to the beneficiary.
pub struct OperatorBondsStub;
impl Slashable<AccountId, AccountId> for OperatorBondsStub {
	fn slashable_balance(operator: &AccountId) -> Balance {
		Bonds::get().get(operator).copied().unwrap_or(0)
	}

	fn unbonding_period() -> BlockNumber {
		OperatorUnbonding::get()
	}

	fn slash(
		operator: &AccountId,
		fraction: Perbill,
		beneficiary: &AccountId,
	) -> Result<Balance, DispatchError> {
		if SlashesFail::get() {
			return Err(DispatchError::Other("stake gone"));
		}
		let bond = Self::slashable_balance(operator);
		let amount = fraction.mul_floor(bond);
		Balances::transfer(&BOND_POT, beneficiary, amount, Preservation::Preserve)?;
		Bonds::mutate(|bonds| bonds.insert(*operator, bond - amount));
		Ok(amount)
	}
}

/// Vaults: market `m`'s stake is the balance of `VAULT_BASE + m`.
pub struct VaultsStub;
impl Slashable<MarketId, AccountId> for VaultsStub {
	fn slashable_balance(market: &MarketId) -> Balance {
		Balances::balance(&(VAULT_BASE + u64::from(*market)))
	}

	fn unbonding_period() -> BlockNumber {
		VaultUnbonding::get()
	}

	fn slash(
		market: &MarketId,
		fraction: Perbill,
		beneficiary: &AccountId,
	) -> Result<Balance, DispatchError> {
		if SlashesFail::get() {
			return Err(DispatchError::Other("stake gone"));
		}
		let amount = match VaultParts::get().get(market).cloned() {
			None => fraction.mul_floor(Self::slashable_balance(market)),
			Some((active, chunks)) => {
				let cut = |stake: Balance| stake - fraction.mul_floor(stake);
				let parts = (cut(active), chunks.into_iter().map(cut).collect::<Vec<_>>());
				let left = parts.0 + parts.1.iter().sum::<Balance>();
				VaultParts::mutate(|all| all.insert(*market, parts));
				Self::slashable_balance(market) - left
			},
		};
		Balances::transfer(
			&(VAULT_BASE + u64::from(*market)),
			beneficiary,
			amount,
			Preservation::Expendable,
		)
	}
}

/// Insurance funds: plain accounts, which (like real ones) cannot be opened with less than the
/// existential deposit.
pub struct InsuranceStub;
impl InsuranceFund<AccountId> for InsuranceStub {
	fn fund_account(market: MarketId) -> AccountId {
		FUND_BASE + u64::from(market)
	}

	fn deposit(market: MarketId, from: &AccountId, amount: Balance) -> DispatchResult {
		Balances::transfer(from, &Self::fund_account(market), amount, Preservation::Preserve)
			.map(|_| ())
	}

	fn deposit_global(from: &AccountId, amount: Balance) -> DispatchResult {
		Balances::transfer(from, &GLOBAL_FUND, amount, Preservation::Preserve).map(|_| ())
	}

	fn cover(_: MarketId, _: &AccountId, _: Balance) -> Result<Balance, DispatchError> {
		Ok(0)
	}

	fn deposit_weight() -> frame_support::weights::Weight {
		frame_support::weights::Weight::zero()
	}

	fn cover_weight() -> frame_support::weights::Weight {
		frame_support::weights::Weight::zero()
	}
}

impl pallet_bulwark_slashing::Config for Test {
	type Currency = Balances;
	type OperatorBonds = OperatorBondsStub;
	type Vaults = VaultsStub;
	type Insurance = InsuranceStub;
	type RiskOrigin = EnsureRoot<AccountId>;
	type PalletId = SlashingPalletId;
	type SlashDeferDuration = SlashDeferDuration;
	type SpanLength = SpanLength;
	type MaxSlashesPerBlock = MaxSlashesPerBlock;
	type MaxPendingSlashes = MaxPendingSlashes;
	type MaxPendingPerOffender = ConstU32<3>;
	type ReportLatency = ReportLatency;
	type ValidatorSlashes = ValidatorSlashesStub;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = BenchmarkOperators;
}

/// Benchmark operators get a bond in the stub.
#[cfg(feature = "runtime-benchmarks")]
pub struct BenchmarkOperators;
#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper<AccountId> for BenchmarkOperators {
	fn operator(index: u32) -> AccountId {
		let operator = 100_000 + u64::from(index);
		Bonds::mutate(|bonds| bonds.insert(operator, OPERATOR_BOND));
		operator
	}

	fn validator_slash(era: u32) -> AccountId {
		ValidatorSlashList::mutate(|all| all.entry(era).or_default().push(77));
		77
	}
}

/// Operators 11, 12, 13 each have this bond.
pub const OPERATOR_BOND: Balance = 10_000;
/// Vaults of markets 0 and 1 each hold this stake.
pub const VAULT_STAKE: Balance = 100_000;
/// Accounts 1..=5 (reporters and others) start with this much.
pub const ENDOWMENT: Balance = 1_000;
pub const BTC: MarketId = 0;
pub const ETH: MarketId = 1;

#[derive(Default)]
pub struct ExtBuilder {
	schedule: Option<SlashSchedule>,
}

impl ExtBuilder {
	pub fn schedule(mut self, schedule: SlashSchedule) -> Self {
		self.schedule = Some(schedule);
		self
	}

	pub fn build(self) -> sp_io::TestExternalities {
		let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
		let mut balances: Vec<(AccountId, Balance)> = (1..=5).map(|a| (a, ENDOWMENT)).collect();
		balances.push((BOND_POT, OPERATOR_BOND * 100));
		balances.push((VAULT_BASE + u64::from(BTC), VAULT_STAKE));
		balances.push((VAULT_BASE + u64::from(ETH), VAULT_STAKE));
		pallet_balances::GenesisConfig::<Test> { balances, ..Default::default() }
			.assimilate_storage(&mut storage)
			.unwrap();
		pallet_bulwark_slashing::GenesisConfig::<Test> {
			schedule: self.schedule,
			..Default::default()
		}
		.assimilate_storage(&mut storage)
		.unwrap();
		let mut ext = sp_io::TestExternalities::new(storage);
		ext.execute_with(|| {
			System::set_block_number(1);
			Bonds::set([(11, OPERATOR_BOND), (12, OPERATOR_BOND), (13, OPERATOR_BOND)].into());
		});
		ext
	}

	/// Runs `test`, then the pallet's invariants.
	pub fn build_and_execute(self, test: impl FnOnce()) {
		self.build().execute_with(|| {
			test();
			Slashing::do_try_state().expect("try_state invariants hold");
		});
	}
}

/// Advances to block `n`, running the slashing hook on each block.
pub fn run_to_block(n: u64) {
	while System::block_number() < n {
		let next = System::block_number() + 1;
		System::set_block_number(next);
		Slashing::on_initialize(next);
	}
}

/// Slashing events since the last call.
pub fn slashing_events() -> Vec<crate::Event<Test>> {
	let events: Vec<_> = System::events()
		.into_iter()
		.filter_map(|r| if let RuntimeEvent::Slashing(e) = r.event { Some(e) } else { None })
		.collect();
	System::reset_events();
	events
}
