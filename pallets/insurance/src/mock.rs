//! Mock runtime of the insurance pallet: system, bUSD balances, insurance, and a stub for the
//! margin engine's open interest.

use crate::{self as pallet_bulwark_insurance, InsuranceParams};
use bulwark_primitives::{Balance, MarketId, MarketRegistry, OpenInterest};
use frame_support::{derive_impl, parameter_types, traits::ConstU128, PalletId};
use frame_system::EnsureRoot;
use sp_runtime::BuildStorage;

/// 16 bytes: room for the pallet id and a fund's sub-account (see `Pallet::account_of`).
pub type AccountId = u128;
type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Insurance: pallet_bulwark_insurance,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountId = AccountId;
	type Lookup = sp_runtime::traits::IdentityLookup<AccountId>;
	type AccountData = pallet_balances::AccountData<Balance>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type Balance = Balance;
	type ExistentialDeposit = ExistentialDeposit;
	type AccountStore = System;
}

parameter_types! {
	pub const InsurancePalletId: PalletId = PalletId(*b"bw/insur");
	/// Open interest the stub margin engine reports for every market.
	pub static OpenInterestOfEveryMarket: Balance = 0;
	pub static ExistentialDeposit: Balance = 1;
}

/// Markets 0..10 are listed.
pub struct MarketsStub;
impl MarketRegistry for MarketsStub {
	fn market_exists(market: MarketId) -> bool {
		market < 10
	}
}

pub struct OpenInterestStub;
impl OpenInterest for OpenInterestStub {
	fn open_interest(_: MarketId) -> Balance {
		OpenInterestOfEveryMarket::get()
	}

	fn net_skew(_: MarketId) -> Balance {
		0
	}
	fn largest_side(_: MarketId) -> Balance {
		OpenInterestOfEveryMarket::get()
	}
}

impl pallet_bulwark_insurance::Config for Test {
	type Currency = Balances;
	type RiskOrigin = EnsureRoot<AccountId>;
	type OpenInterest = OpenInterestStub;
	type Markets = MarketsStub;
	type PalletId = InsurancePalletId;
	type MaxGlobalDrawHardCap = ConstU128<1_000_000>;
	type WeightInfo = ();
}

/// Accounts 1..=5 start with this much bUSD.
pub const ENDOWMENT: Balance = 100_000;
/// The genesis parameters: 10-block windows, 500 from the global fund per window.
pub const PARAMS: InsuranceParams = InsuranceParams { draw_window: 10, max_global_draw: 500 };

#[derive(Default)]
pub struct ExtBuilder;

impl ExtBuilder {
	pub fn build(self) -> sp_io::TestExternalities {
		let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
		pallet_balances::GenesisConfig::<Test> {
			balances: (1..=5).map(|a| (a, ENDOWMENT)).collect(),
			..Default::default()
		}
		.assimilate_storage(&mut storage)
		.unwrap();
		pallet_bulwark_insurance::GenesisConfig::<Test> {
			params: Some(PARAMS),
			..Default::default()
		}
		.assimilate_storage(&mut storage)
		.unwrap();
		// Settings the tests change start from their defaults.
		ExistentialDeposit::set(1);
		OpenInterestOfEveryMarket::set(0);
		let mut ext = sp_io::TestExternalities::new(storage);
		ext.execute_with(|| System::set_block_number(1));
		ext
	}

	/// Runs `test`, then the pallet's invariants.
	pub fn build_and_execute(self, test: impl FnOnce()) {
		self.build().execute_with(|| {
			test();
			Insurance::do_try_state().expect("try_state invariants hold");
		});
	}
}

/// Insurance events since the last call.
pub fn insurance_events() -> Vec<crate::Event<Test>> {
	let events: Vec<_> = System::events()
		.into_iter()
		.filter_map(|r| if let RuntimeEvent::Insurance(e) = r.event { Some(e) } else { None })
		.collect();
	System::reset_events();
	events
}
