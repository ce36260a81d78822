//! Mock runtime of the security monitor: system and the monitor, every neighbour a stub whose
//! figures the tests set.

use crate::{self as pallet_bulwark_monitor};
use alloc::collections::btree_map::BTreeMap;
use bulwark_primitives::{
	currency::{BUSD, BWK},
	Balance, DeviationSlash, InsuranceBalances, MarginTotals, MarketId, MarketShock, MarketStatus,
	OpenInterest, OracleSecurity, Price, PriceFeed, PriceInfo, ShockReport, ValidatorStake,
	VaultSettlement,
};
use frame_support::{derive_impl, parameter_types, traits::Hooks, weights::Weight};
use frame_system::EnsureRoot;
use sp_runtime::{BuildStorage, DispatchResult, FixedU128, Perbill};

pub type AccountId = u64;
type Block = frame_system::mocking::MockBlockU32<Test>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Monitor: pallet_bulwark_monitor,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountId = AccountId;
	type Lookup = sp_runtime::traits::IdentityLookup<AccountId>;
}

/// BTC-USD and ETH-USD are traded; BWK-USD prices the native token.
pub const BTC: MarketId = 0;
pub const ETH: MarketId = 1;
pub const BWK_USD: MarketId = 2;
/// Blocks between two recomputations.
pub const PERIOD: u32 = 10;

parameter_types! {
	pub const BwkMarket: MarketId = BWK_USD;
	pub const MonitorPeriod: u32 = PERIOD;
	/// `(market, control bond, max price jump)` as the oracle would list them.
	pub static OracleMarkets: Vec<(MarketId, Balance, Perbill)> = vec![];
	pub static MaxSlash: Perbill = Perbill::from_percent(10);
	/// One third of the validators' exposure, in BWK units.
	pub static OneThirdExposure: Balance = 0;
	/// The BWK-USD price info, if any.
	pub static BwkPrice: Option<PriceInfo> = None;
	pub static OpenInterests: BTreeMap<MarketId, Balance> = BTreeMap::new();
	/// The larger side of each market, where it differs from the open interest.
	pub static LargestSides: BTreeMap<MarketId, Balance> = BTreeMap::new();
	pub static VaultNavs: BTreeMap<MarketId, Balance> = BTreeMap::new();
	pub static VaultStakes: BTreeMap<MarketId, Balance> = BTreeMap::new();
	pub static InsuranceFunds: BTreeMap<MarketId, Balance> = BTreeMap::new();
	pub static GlobalFund: Balance = 0;
	pub static GlobalAllowance: Balance = Balance::MAX;
	/// What the margin stub answers to a shock, per market: (liquidatable accounts, bad debt,
	/// trader PnL before, trader PnL after).
	pub static Shocks: BTreeMap<MarketId, (u32, Balance, i128, i128)> = BTreeMap::new();
	/// The prices the margin stub was last shocked with.
	pub static ShockedWith: Vec<(MarketId, Price)> = vec![];
	/// Prices of the traded markets.
	pub static MarketPrices: BTreeMap<MarketId, Price> = BTreeMap::new();
	pub static Collateral: Balance = 0;
	/// Calls the vault of a market wrote: `(contracts, strike)`, valued at their intrinsic value.
	pub static WrittenCalls: BTreeMap<MarketId, (u128, u128)> = BTreeMap::new();
	/// Prices read so far (what a stress test costs).
	pub static PriceReads: u32 = 0;
}

pub struct PricesStub;
impl PriceFeed for PricesStub {
	fn current_round() -> bulwark_primitives::RoundIndex {
		0
	}

	fn price_info(market: MarketId) -> Option<PriceInfo> {
		PriceReads::mutate(|reads| *reads += 1);
		if market == BWK_USD {
			return BwkPrice::get();
		}
		MarketPrices::get().get(&market).map(|price| PriceInfo {
			price: *price,
			ema_price: *price,
			volatility: FixedU128::from_u32(0),
			updated_at: 0,
			round: 0,
			status: MarketStatus::Active,
		})
	}
}

pub struct OracleStub;
impl OracleSecurity for OracleStub {
	fn market_security() -> Vec<(MarketId, Balance, Perbill)> {
		OracleMarkets::get()
	}
}

pub struct SlashingStub;
impl DeviationSlash for SlashingStub {
	fn max_deviation_slash() -> Perbill {
		MaxSlash::get()
	}
}

pub struct StakingStub;
impl ValidatorStake for StakingStub {
	fn cheapest_stall_exposure() -> Balance {
		OneThirdExposure::get()
	}
}

fn of(map: BTreeMap<MarketId, Balance>, market: MarketId) -> Balance {
	map.get(&market).copied().unwrap_or(0)
}

pub struct OpenInterestStub;
impl OpenInterest for OpenInterestStub {
	fn open_interest(market: MarketId) -> Balance {
		of(OpenInterests::get(), market)
	}

	fn net_skew(_: MarketId) -> Balance {
		0
	}

	/// The larger side as set, else the open interest as set (a one-sided book).
	fn largest_side(market: MarketId) -> Balance {
		LargestSides::get()
			.get(&market)
			.copied()
			.unwrap_or_else(|| of(OpenInterests::get(), market))
	}
}

pub struct MarginStub;
impl MarginTotals for MarginStub {
	fn total_collateral() -> Balance {
		Collateral::get()
	}

	fn shock(prices: &[(MarketId, Price)]) -> ShockReport {
		ShockedWith::set(prices.to_vec());
		let shocks = Shocks::get();
		let markets: Vec<MarketShock> = prices
			.iter()
			.map(|(market, _)| {
				let (liquidatable_accounts, bad_debt, trader_pnl_before, trader_pnl_after) =
					shocks.get(market).copied().unwrap_or_default();
				MarketShock {
					market: *market,
					liquidatable_accounts,
					bad_debt,
					trader_pnl_before,
					trader_pnl_after,
				}
			})
			.collect();
		let liquidatable_accounts = markets.iter().map(|m| m.liquidatable_accounts).sum();
		ShockReport { markets, liquidatable_accounts }
	}
}

/// Only NAV and held stake are read by the monitor.
pub struct VaultStub;
impl VaultSettlement<AccountId> for VaultStub {
	fn nav(market: MarketId) -> Balance {
		of(VaultNavs::get(), market)
	}

	fn collect(_: MarketId, _: &AccountId, _: Balance) -> DispatchResult {
		Ok(())
	}

	fn pay(_: MarketId, _: &AccountId, _: Balance) -> DispatchResult {
		Ok(())
	}

	fn absorb_bad_debt(_: MarketId, _: Balance) -> (Balance, Balance) {
		(0, 0)
	}

	fn payable_cash(market: MarketId) -> Balance {
		of(VaultStakes::get(), market)
	}

	fn held_stake(market: MarketId) -> Balance {
		of(VaultStakes::get(), market)
	}

	fn max_open_interest(_: MarketId) -> Balance {
		0
	}

	fn max_skew(_: MarketId) -> Balance {
		0
	}

	fn settle_weight() -> Weight {
		Weight::zero()
	}

	fn absorb_bad_debt_weight() -> Weight {
		Weight::zero()
	}
}

pub struct InsuranceStub;
impl InsuranceBalances for InsuranceStub {
	fn fund_balance(market: MarketId) -> Balance {
		of(InsuranceFunds::get(), market)
	}

	fn global_balance() -> Balance {
		GlobalFund::get()
	}

	fn global_allowance() -> Balance {
		GlobalAllowance::get()
	}
}

/// Written calls valued at their intrinsic value: `contracts x max(price - strike, 0)`.
pub struct OptionsStub;
impl bulwark_primitives::WrittenOptions for OptionsStub {
	fn written_value(market: MarketId) -> Balance {
		MarketPrices::get().get(&market).map_or(0, |p| Self::value_at(market, *p))
	}

	fn stressed_value(market: MarketId) -> Balance {
		Self::written_value(market)
	}

	fn value_at(market: MarketId, price: Price) -> Balance {
		let Some((contracts, strike)) = WrittenCalls::get().get(&market).copied() else { return 0 };
		let strike = FixedU128::from_u32(u32::try_from(strike).unwrap());
		let intrinsic = price.into_inner().saturating_sub(strike.into_inner());
		// `contracts` in bUSD units per price unit: x intrinsic / 10^18.
		contracts * intrinsic / 1_000_000_000_000_000_000
	}

	fn value_at_weight(_: u32) -> Weight {
		Weight::zero()
	}
}

impl pallet_bulwark_monitor::Config for Test {
	type Prices = PricesStub;
	type Oracle = OracleStub;
	type Slashing = SlashingStub;
	type Staking = StakingStub;
	type OpenInterest = OpenInterestStub;
	type Margin = MarginStub;
	type Vaults = VaultStub;
	type Insurance = InsuranceStub;
	type Options = OptionsStub;
	type RiskOrigin = EnsureRoot<AccountId>;
	type BwkMarket = BwkMarket;
	type MonitorPeriod = MonitorPeriod;
	type MaxMarkets = frame_support::traits::ConstU32<32>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = BenchmarkStub;
}

#[cfg(feature = "runtime-benchmarks")]
pub struct BenchmarkStub;
#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper for BenchmarkStub {
	fn setup(count: u32) {
		OracleMarkets::set(
			(0..count).map(|m| (m, 1_000 * BUSD, Perbill::from_percent(10))).collect(),
		);
		OneThirdExposure::set(BWK);
		set_bwk_price(FixedU128::from_rational(1, 1_000_000), MarketStatus::Active);
		Collateral::set(1_000_000 * BUSD);
	}
}

/// Sets the BWK-USD price, its EMA at the same level.
pub fn set_bwk_price(price: FixedU128, status: MarketStatus) {
	set_bwk_price_and_ema(price, price, status);
}

/// Sets the BWK-USD price and its EMA.
pub fn set_bwk_price_and_ema(price: FixedU128, ema_price: FixedU128, status: MarketStatus) {
	BwkPrice::set(Some(PriceInfo {
		price,
		ema_price,
		volatility: FixedU128::from_u32(0),
		updated_at: 0,
		round: 0,
		status,
	}));
}

pub fn set_open_interest(market: MarketId, amount: Balance) {
	let mut map = OpenInterests::get();
	map.insert(market, amount);
	OpenInterests::set(map);
}

pub fn set_vault(market: MarketId, nav: Balance, stake: Balance) {
	let mut navs = VaultNavs::get();
	navs.insert(market, nav);
	VaultNavs::set(navs);
	let mut stakes = VaultStakes::get();
	stakes.insert(market, stake);
	VaultStakes::set(stakes);
}

/// Runs blocks up to `n`, hooks included.
pub fn run_to(n: u32) {
	while System::block_number() < n {
		let next = System::block_number() + 1;
		System::set_block_number(next);
		Monitor::on_initialize(next);
	}
}

/// Runs to the next period's block, where the hook recomputes.
pub fn next_period() {
	let now = System::block_number();
	run_to((now / PERIOD + 1) * PERIOD);
}

/// The monitor's events since the last call.
pub fn monitor_events() -> Vec<crate::Event<Test>> {
	let events = System::events()
		.into_iter()
		.filter_map(|r| match r.event {
			RuntimeEvent::Monitor(e) => Some(e),
			_ => None,
		})
		.collect();
	System::reset_events();
	events
}

/// The genesis of every test: BTC and ETH with 3,000 bUSD of bonds serving each, 10% jump and
/// slash, vaults of 100,000 bUSD NAV and stake, nothing open, no BWK price.
pub struct ExtBuilder;

impl ExtBuilder {
	/// Resets every stub to the genesis above.
	pub fn new() -> Self {
		OracleMarkets::set(vec![
			(BTC, 3_000 * BUSD, Perbill::from_percent(10)),
			(ETH, 3_000 * BUSD, Perbill::from_percent(10)),
			(BWK_USD, 3_000 * BUSD, Perbill::from_percent(10)),
		]);
		MaxSlash::set(Perbill::from_percent(10));
		OneThirdExposure::set(0);
		BwkPrice::set(None);
		OpenInterests::set(BTreeMap::new());
		VaultNavs::set(BTreeMap::new());
		VaultStakes::set(BTreeMap::new());
		InsuranceFunds::set(BTreeMap::new());
		GlobalFund::set(0);
		GlobalAllowance::set(Balance::MAX);
		Shocks::set(BTreeMap::new());
		ShockedWith::set(vec![]);
		MarketPrices::set(
			[(BTC, FixedU128::from_u32(100)), (ETH, FixedU128::from_u32(10))].into_iter().collect(),
		);
		Collateral::set(0);
		WrittenCalls::set(BTreeMap::new());
		set_vault(BTC, 100_000 * BUSD, 100_000 * BUSD);
		set_vault(ETH, 100_000 * BUSD, 100_000 * BUSD);
		Self
	}

	pub fn build(self) -> sp_io::TestExternalities {
		let storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
		let mut ext = sp_io::TestExternalities::new(storage);
		ext.execute_with(|| {
			System::set_block_number(1);
			// The ratio and restriction tests read each sample as it is: no smoothing, a
			// restriction at the first sample under a floor, BWK at this sample's price. The
			// tests of issue 29 set the defaults.
			crate::Params::<Test>::put(crate::MonitorParams {
				smoothing_blocks: 1,
				breach_samples: 1,
				bwk_window_samples: 1,
				..Default::default()
			});
		});
		ext
	}

	/// Runs `test`, then checks the pallet's invariants.
	pub fn build_and_execute(self, test: impl FnOnce()) {
		self.build().execute_with(|| {
			test();
			crate::Pallet::<Test>::do_try_state().expect("invariants hold after the test");
		});
	}
}
