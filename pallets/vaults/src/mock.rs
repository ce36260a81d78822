//! Mock runtime of the vaults: system, bUSD balances, vaults, and stubs of the oracle (market
//! registry, price status), the slashing pallet (pending slashes), the insurance pallet (a fund
//! account per market that pays covers in real bUSD) and the margin engine (open interest, net
//! skew, unrealized PnL, unsettled balance).

use crate::{self as pallet_bulwark_vaults};
use bulwark_primitives::{
	Balance, InsuranceFund, MarketId, MarketRegistry, MarketStatus, OpenInterest, PriceFeed,
	PriceInfo, SlashPending, SlashTarget, UnrealizedPnl,
};
use frame_support::{
	derive_impl, parameter_types,
	traits::{
		fungible::{Inspect, Mutate},
		tokens::Preservation,
		ConstU128, ConstU32,
	},
	PalletId,
};
use frame_system::EnsureRoot;
use sp_runtime::BuildStorage;
use sp_runtime::{DispatchError, DispatchResult, FixedU128};

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
	pub static NetSkew: Balance = 0;
	pub static TraderPnl: i128 = 0;
	pub static Unsettled: i128 = 0;
	/// The written options' value and stressed value of every market.
	pub static OptionsValue: (Balance, Balance) = (0, 0);
	pub static UnbondingPeriod: u32 = 10;
	pub static WithdrawWindow: u32 = 5;
	/// The oracle's status of every market; `None`: never priced.
	pub static PriceStatus: Option<MarketStatus> = Some(MarketStatus::Active);
	/// Vaults with a slash pending.
	pub static PendingSlashOn: Vec<MarketId> = Vec::new();
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

	fn net_skew(_: MarketId) -> Balance {
		NetSkew::get()
	}
	fn largest_side(_: MarketId) -> Balance {
		OpenInterestOfEveryMarket::get()
	}
}

impl UnrealizedPnl for MarginStub {
	fn unrealized_trader_pnl(_: MarketId) -> i128 {
		TraderPnl::get()
	}

	fn unsettled_vault_balance(_: MarketId) -> i128 {
		Unsettled::get()
	}
}

pub struct OptionsStub;
impl bulwark_primitives::WrittenOptions for OptionsStub {
	fn written_value(_: MarketId) -> Balance {
		OptionsValue::get().0
	}

	fn stressed_value(_: MarketId) -> Balance {
		OptionsValue::get().1
	}

	fn value_at(_: MarketId, _: bulwark_primitives::Price) -> Balance {
		OptionsValue::get().0
	}

	fn value_at_weight(_: u32) -> frame_support::weights::Weight {
		frame_support::weights::Weight::zero()
	}
}

pub struct PricesStub;
impl PriceFeed for PricesStub {
	fn current_round() -> bulwark_primitives::RoundIndex {
		0
	}

	fn price_info(_: MarketId) -> Option<PriceInfo> {
		PriceStatus::get().map(|status| PriceInfo {
			price: FixedU128::from_u32(100),
			ema_price: FixedU128::from_u32(100),
			volatility: FixedU128::from_rational(8, 10),
			updated_at: 1,
			round: 0,
			status,
		})
	}
}

pub struct SlashesStub;
impl SlashPending<AccountId> for SlashesStub {
	fn slash_pending(target: &SlashTarget<AccountId>) -> bool {
		matches!(target, SlashTarget::Vault(market) if PendingSlashOn::get().contains(market))
	}
}

/// Account of market `m`'s insurance fund: `FUND_BASE + m`.
pub const FUND_BASE: AccountId = 2_000;

/// Insurance: market funds are plain accounts; a cover pays what the fund holds.
pub struct InsuranceStub;
impl InsuranceFund<AccountId> for InsuranceStub {
	fn fund_account(market: MarketId) -> AccountId {
		FUND_BASE + AccountId::from(market)
	}

	fn deposit(market: MarketId, from: &AccountId, amount: Balance) -> DispatchResult {
		Balances::transfer(from, &Self::fund_account(market), amount, Preservation::Preserve)
			.map(|_| ())
	}

	fn deposit_global(_: &AccountId, _: Balance) -> DispatchResult {
		Ok(())
	}

	fn cover(
		market: MarketId,
		to: &AccountId,
		shortfall: Balance,
	) -> Result<Balance, DispatchError> {
		let fund = Self::fund_account(market);
		let pay = shortfall.min(Balances::balance(&fund));
		if pay == 0 {
			return Ok(0);
		}
		Balances::transfer(&fund, to, pay, Preservation::Expendable)
	}

	fn deposit_weight() -> frame_support::weights::Weight {
		frame_support::weights::Weight::zero()
	}

	fn cover_weight() -> frame_support::weights::Weight {
		frame_support::weights::Weight::zero()
	}
}

impl pallet_bulwark_vaults::Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type RiskOrigin = EnsureRoot<AccountId>;
	type Markets = MarketsStub;
	type Prices = PricesStub;
	type SlashPending = SlashesStub;
	type Insurance = InsuranceStub;
	type OpenInterest = MarginStub;
	type UnrealizedPnl = MarginStub;
	type WrittenOptions = OptionsStub;
	type PalletId = VaultsPalletId;
	type MinStake = ConstU128<100>;
	type UnbondingPeriod = UnbondingPeriod;
	type WithdrawWindow = WithdrawWindow;
	type MaxUnbondingChunks = ConstU32<4>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = BenchmarkMargin;
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
		// Every case of the property test starts from the defaults, as every unit test does.
		OpenInterestOfEveryMarket::set(0);
		NetSkew::set(0);
		TraderPnl::set(0);
		Unsettled::set(0);
		OptionsValue::set((0, 0));
		PriceStatus::set(Some(MarketStatus::Active));
		PendingSlashOn::set(Vec::new());
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

/// The benchmarks' margin engine: trader PnL through the stub.
#[cfg(feature = "runtime-benchmarks")]
pub struct BenchmarkMargin;
#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper for BenchmarkMargin {
	fn market() -> MarketId {
		0
	}

	fn set_trader_pnl(_: MarketId, pnl: i128) {
		TraderPnl::set(pnl);
	}

	fn fund_global_insurance(_: Balance) {}
}
