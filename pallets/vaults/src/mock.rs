//! Mock runtime of the vaults: system, bUSD balances, vaults, and stubs of the oracle (market
//! registry) and the margin engine (open interest, unrealized PnL).

use crate::{self as pallet_bulwark_vaults};
use bulwark_primitives::{Balance, MarketId, MarketRegistry, OpenInterest, UnrealizedPnl};
use frame_support::{
	derive_impl, parameter_types,
	traits::{ConstU128, ConstU32},
	PalletId,
};
use frame_system::EnsureRoot;
use sp_runtime::BuildStorage;

/// 16 bytes: room for the pallet id and a market as sub-account.
pub type AccountId = u128;
type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Vaults: pallet_bulwark_vaults,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountId = AccountId;
	type Lookup = sp_runtime::traits::IdentityLookup<AccountId>;
	type AccountData = pallet_balances::AccountData<Balance>;
}

/// Existential deposit of the mock's bUSD.
pub const ED: Balance = 10;

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type Balance = Balance;
	type ExistentialDeposit = ConstU128<ED>;
	type AccountStore = System;
	type RuntimeHoldReason = RuntimeHoldReason;
}

parameter_types! {
	pub const VaultsPalletId: PalletId = PalletId(*b"bw/vault");
	pub static OpenInterestOfEveryMarket: Balance = 0;
	pub static TraderPnl: i128 = 0;
	pub static UnbondingPeriod: u32 = 10;
}

/// Markets 0..10 are listed.
pub struct MarketsStub;
impl MarketRegistry for MarketsStub {
	fn market_exists(market: MarketId) -> bool {
		market < 10
	}
}

pub struct MarginStub;
impl OpenInterest for MarginStub {
	fn open_interest(_: MarketId) -> Balance {
		OpenInterestOfEveryMarket::get()
	}
}
impl UnrealizedPnl for MarginStub {
	fn unrealized_trader_pnl(_: MarketId) -> i128 {
		TraderPnl::get()
	}
}

impl pallet_bulwark_vaults::Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type RiskOrigin = EnsureRoot<AccountId>;
	type Markets = MarketsStub;
	type OpenInterest = MarginStub;
	type UnrealizedPnl = MarginStub;
	type PalletId = VaultsPalletId;
	type MinStake = ConstU128<100>;
	type UnbondingPeriod = UnbondingPeriod;
	type MaxUnbondingChunks = ConstU32<4>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = ();
}

/// Accounts 1..=9 start with this much bUSD; 50 is a trader, 60 an insurance fund.
pub const ENDOWMENT: Balance = 1_000_000;
pub const TRADER: AccountId = 50;
pub const FUND: AccountId = 60;

pub struct ExtBuilder;

impl ExtBuilder {
	pub fn build(self) -> sp_io::TestExternalities {
		let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
		pallet_balances::GenesisConfig::<Test> {
			balances: (1..=9).chain([TRADER]).map(|a| (a, ENDOWMENT)).collect(),
			..Default::default()
		}
		.assimilate_storage(&mut storage)
		.unwrap();
		let mut ext = sp_io::TestExternalities::new(storage);
		ext.execute_with(|| System::set_block_number(1));
		ext
	}

	/// Runs `test`, then the pallet's invariants.
	pub fn build_and_execute(self, test: impl FnOnce()) {
		self.build().execute_with(|| {
			test();
			Vaults::do_try_state().expect("try_state invariants hold");
		});
	}
}

/// Vault events since the last call.
pub fn vault_events() -> Vec<crate::Event<Test>> {
	let events: Vec<_> = System::events()
		.into_iter()
		.filter_map(|r| if let RuntimeEvent::Vaults(e) = r.event { Some(e) } else { None })
		.collect();
	System::reset_events();
	events
}
