//! Mock runtime of the margin engine: system, bUSD balances, margin, and stubs of the oracle
//! (prices, EMA, volatility and status per market), the security monitor (restricted markets),
//! the vaults (a plain account per market, marked to this pallet's PnL) and insurance (a plain
//! account per market). Every stub moves real bUSD, so conservation is checked on balances.

use crate::{self as pallet_bulwark_margin, MarginParams};
use bulwark_primitives::{
	currency::BUSD, Balance, InsuranceFund, MarketId, MarketRegistry, MarketRestriction,
	MarketStatus, Price, PriceFeed, PriceInfo, UnrealizedPnl, VaultSettlement,
};
use core::cell::RefCell;
use frame_support::{
	derive_impl, parameter_types,
	traits::{
		fungible::{Inspect, Mutate},
		tokens::Preservation,
		ConstU128, ConstU32, Hooks,
	},
	weights::Weight,
	PalletId,
};
use frame_system::EnsureRoot;
use sp_runtime::{BuildStorage, DispatchError, DispatchResult, FixedI128, FixedU128};
use std::collections::BTreeMap;

pub type AccountId = u128;
type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Margin: pallet_bulwark_margin,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountId = AccountId;
	type Lookup = sp_runtime::traits::IdentityLookup<AccountId>;
	type AccountData = pallet_balances::AccountData<Balance>;
}

/// Existential deposit of the mock's bUSD: 0.001 bUSD.
pub const ED: Balance = 1_000;

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type Balance = Balance;
	type ExistentialDeposit = ConstU128<ED>;
	type AccountStore = System;
}

/// Blocks per hour in the mock: the ramp's and funding's time unit.
pub const HOUR: u32 = 100;
/// Blocks per oracle round, as on the dev chain.
pub const ROUND: u32 = 2;

parameter_types! {
	pub const MarginPalletId: PalletId = PalletId(*b"bw/margn");
	pub const BlocksPerHour: u32 = HOUR;
	pub const RoundLength: u32 = ROUND;
	/// Orders due per block (the batch benchmark places 100 in one block).
	pub static MaxOrdersPerBlock: u32 = 100;
	/// The runtime's emergency brake on order placement.
	pub static OrderPlacementPaused: bool = false;
	/// Markets the monitor restricted.
	pub static Restricted: Vec<MarketId> = Vec::new();
	/// The monitor's open-interest capacity per market (none: no limit).
	pub static SecurityCapacity: BTreeMap<MarketId, Balance> = BTreeMap::new();
	/// Vault open-interest capacity as a multiple of NAV, and skew capacity.
	pub static VaultLeverage: u128 = 5;
	pub static VaultSkewRatio: u128 = 1;
	/// Bad debt the vault stub absorbed, `(covered, absorbed)` summed.
	pub static BadDebtAbsorbed: (Balance, Balance) = (0, 0);
}

thread_local! {
	static PRICES: RefCell<BTreeMap<MarketId, PriceInfo>> = const { RefCell::new(BTreeMap::new()) };
}

/// The round of the current block.
pub fn current_round() -> u32 {
	System::block_number() as u32 / ROUND
}

/// Sets `market`'s price (and EMA) to `price` bUSD, Active, volatility 0, as the median of the
/// round before the current one (what the oracle aggregates as a round opens).
pub fn set_price(market: MarketId, price: Price) {
	PRICES.with(|p| {
		p.borrow_mut().insert(
			market,
			PriceInfo {
				price,
				ema_price: price,
				volatility: FixedU128::from_u32(0),
				updated_at: System::block_number() as u32,
				round: current_round().saturating_sub(1),
				status: MarketStatus::Active,
			},
		)
	});
}

/// Sets `market`'s median to `price` as the round before the current one aggregated it,
/// keeping its EMA, volatility and status.
pub fn aggregate(market: MarketId, price: Price) {
	update_price(market, |p| {
		p.price = price;
		p.updated_at = System::block_number() as u32;
		p.round = current_round().saturating_sub(1);
	});
}

/// Changes `market`'s price info in place.
pub fn update_price(market: MarketId, change: impl FnOnce(&mut PriceInfo)) {
	PRICES.with(|p| {
		if let Some(info) = p.borrow_mut().get_mut(&market) {
			change(info)
		}
	});
}

pub fn set_status(market: MarketId, status: MarketStatus) {
	update_price(market, |p| p.status = status);
}

pub fn set_volatility(market: MarketId, volatility: FixedU128) {
	update_price(market, |p| p.volatility = volatility);
}

pub struct PricesStub;
impl PriceFeed for PricesStub {
	fn price_info(market: MarketId) -> Option<PriceInfo> {
		PRICES.with(|p| p.borrow().get(&market).copied())
	}

	fn current_round() -> bulwark_primitives::RoundIndex {
		current_round()
	}
}

/// Markets 0..10 are listed.
pub struct MarketsStub;
impl MarketRegistry for MarketsStub {
	fn market_exists(market: MarketId) -> bool {
		market < 10
	}
}

pub struct RestrictionStub;
impl MarketRestriction for RestrictionStub {
	fn is_restricted(market: MarketId) -> bool {
		Restricted::get().contains(&market)
	}

	/// Restricted markets double their initial margin, as the monitor's default does.
	fn imf_multiplier(market: MarketId) -> FixedU128 {
		FixedU128::from_u32(if Self::is_restricted(market) { 2 } else { 1 })
	}

	fn open_interest_capacity(market: MarketId) -> Option<Balance> {
		SecurityCapacity::get().get(&market).copied()
	}
}

/// Account of market `m`'s vault: `VAULT_BASE + m`.
pub const VAULT_BASE: AccountId = 1_000;
/// Account of market `m`'s insurance fund: `FUND_BASE + m`.
pub const FUND_BASE: AccountId = 2_000;

pub fn vault_of(market: MarketId) -> AccountId {
	VAULT_BASE + AccountId::from(market)
}

pub fn fund_of(market: MarketId) -> AccountId {
	FUND_BASE + AccountId::from(market)
}

/// The vault stub: its stake is the free balance of a plain account; NAV marks it to the
/// engine's unsettled balance and traders' PnL, as the vaults pallet does.
pub struct VaultStub;
impl VaultStub {
	fn equity(market: MarketId) -> i128 {
		i128::try_from(Balances::balance(&vault_of(market)))
			.unwrap()
			.saturating_add(Margin::unsettled_vault_balance(market))
			.saturating_sub(Margin::unrealized_trader_pnl(market))
	}
}

impl VaultSettlement<AccountId> for VaultStub {
	fn nav(market: MarketId) -> Balance {
		Self::equity(market).max(0).unsigned_abs()
	}

	fn collect(market: MarketId, custody: &AccountId, amount: Balance) -> DispatchResult {
		Balances::transfer(custody, &vault_of(market), amount, Preservation::Preserve).map(|_| ())
	}

	fn pay(market: MarketId, custody: &AccountId, amount: Balance) -> DispatchResult {
		Balances::transfer(&vault_of(market), custody, amount, Preservation::Expendable).map(|_| ())
	}

	fn absorb_bad_debt(market: MarketId, shortfall: Balance) -> (Balance, Balance) {
		let covered = InsuranceStub::cover(market, &vault_of(market), shortfall).unwrap_or(0);
		let absorbed = shortfall - covered;
		let (c, a) = BadDebtAbsorbed::get();
		BadDebtAbsorbed::set((c + covered, a + absorbed));
		(covered, absorbed)
	}

	fn payable_cash(market: MarketId) -> Balance {
		i128::try_from(Balances::balance(&vault_of(market)))
			.unwrap()
			.saturating_add(Margin::unsettled_vault_balance(market))
			.max(0)
			.unsigned_abs()
	}

	fn held_stake(market: MarketId) -> Balance {
		Balances::balance(&vault_of(market))
	}

	fn max_open_interest(market: MarketId) -> Balance {
		Self::nav(market) * VaultLeverage::get()
	}

	fn max_skew(market: MarketId) -> Balance {
		Self::nav(market) * VaultSkewRatio::get()
	}

	fn settle_weight() -> Weight {
		Weight::zero()
	}

	fn absorb_bad_debt_weight() -> Weight {
		Weight::zero()
	}
}

/// Insurance: market funds are plain accounts; a cover pays what the fund holds.
pub struct InsuranceStub;
impl InsuranceFund<AccountId> for InsuranceStub {
	fn fund_account(market: MarketId) -> AccountId {
		fund_of(market)
	}

	fn deposit(market: MarketId, from: &AccountId, amount: Balance) -> DispatchResult {
		Balances::transfer(from, &fund_of(market), amount, Preservation::Preserve).map(|_| ())
	}

	fn deposit_global(_: &AccountId, _: Balance) -> DispatchResult {
		Ok(())
	}

	fn cover(
		market: MarketId,
		to: &AccountId,
		shortfall: Balance,
	) -> Result<Balance, DispatchError> {
		let fund = fund_of(market);
		let pay = shortfall.min(Balances::balance(&fund).saturating_sub(ED));
		if pay == 0 {
			return Ok(0);
		}
		Balances::transfer(&fund, to, pay, Preservation::Preserve)
	}

	fn deposit_weight() -> Weight {
		Weight::zero()
	}

	fn cover_weight() -> Weight {
		Weight::zero()
	}
}

impl pallet_bulwark_margin::Config for Test {
	type Currency = Balances;
	type Prices = PricesStub;
	type Markets = MarketsStub;
	type Vaults = VaultStub;
	type Insurance = InsuranceStub;
	type Restriction = RestrictionStub;
	type RiskOrigin = EnsureRoot<AccountId>;
	type PalletId = MarginPalletId;
	type MaxPositions = ConstU32<8>;
	type MaxMarkets = ConstU32<9>;
	type BlocksPerHour = BlocksPerHour;
	type OracleRoundLength = RoundLength;
	type MaxOrdersPerBlock = MaxOrdersPerBlock;
	type MaxOrderRounds = ConstU32<10>;
	type OrderPlacementPaused = OrderPlacementPaused;
	type DefaultMinCollateral = ConstU128<BUSD>;
	type MaxMinCollateral = ConstU128<{ 1_000 * BUSD }>;
	type BankruptcyKeeperFee = ConstU128<{ 5 * BUSD }>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = BenchmarkMarkets;
}

/// Traders 1..=5 start with 100,000 bUSD each.
pub const TRADER_FUNDS: Balance = 100_000 * BUSD;
/// Each of markets 0..4's vault starts with 1,000,000 bUSD, each insurance fund with 1,000.
pub const VAULT_FUNDS: Balance = 1_000_000 * BUSD;
pub const INSURANCE_FUNDS: Balance = 1_000 * BUSD;
/// Markets enabled at genesis; market 4 is listed and priced but not enabled.
pub const MARKETS: [MarketId; 4] = [0, 1, 2, 3];

pub fn price(x: u128) -> Price {
	FixedU128::from_u32(x as u32)
}

pub fn size(x: i128) -> FixedI128 {
	FixedI128::from_inner(x * 1_000_000_000_000_000_000)
}

/// `numerator / denominator` base units.
pub fn size_rational(numerator: i128, denominator: i128) -> FixedI128 {
	FixedI128::from_inner(numerator * 1_000_000_000_000_000_000 / denominator)
}

#[derive(Default)]
pub struct ExtBuilder {
	params: MarginParams,
}

impl ExtBuilder {
	/// Markets 0..4 enabled with `params` instead of the defaults.
	pub fn params(mut self, params: MarginParams) -> Self {
		self.params = params;
		self
	}

	pub fn build(self) -> sp_io::TestExternalities {
		let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
		let mut balances: Vec<(AccountId, Balance)> = (1..=5).map(|a| (a, TRADER_FUNDS)).collect();
		for market in 0..5 {
			balances.push((vault_of(market), VAULT_FUNDS));
			balances.push((fund_of(market), INSURANCE_FUNDS));
		}
		pallet_balances::GenesisConfig::<Test> { balances, ..Default::default() }
			.assimilate_storage(&mut storage)
			.unwrap();
		pallet_bulwark_margin::GenesisConfig::<Test> {
			markets: MARKETS.to_vec(),
			_config: Default::default(),
		}
		.assimilate_storage(&mut storage)
		.unwrap();
		Restricted::set(Vec::new());
		VaultLeverage::set(5);
		VaultSkewRatio::set(1);
		MaxOrdersPerBlock::set(100);
		OrderPlacementPaused::set(false);
		BadDebtAbsorbed::set((0, 0));
		PRICES.with(|p| p.borrow_mut().clear());
		let params = self.params;
		let mut ext = sp_io::TestExternalities::new(storage);
		ext.execute_with(|| {
			System::set_block_number(1);
			for (market, p) in [(0, 100), (1, 2_000), (2, 10), (3, 1), (4, 50)] {
				set_price(market, price(p));
			}
			if params != MarginParams::default() {
				for market in MARKETS {
					crate::Markets::<Test>::mutate(market, |info| {
						if let Some(info) = info {
							info.params = params;
						}
					});
				}
			}
		});
		ext
	}

	/// Runs `test`, then the pallet's invariants and the exact custody balance.
	pub fn build_and_execute(self, test: impl FnOnce()) {
		self.build().execute_with(|| {
			test();
			check_invariants();
		});
	}
}

/// `try_state`, and custody holding exactly its existential deposit plus the ledger.
pub fn check_invariants() {
	Margin::do_try_state().expect("try_state invariants hold");
	assert_eq!(
		i128::try_from(Balances::balance(&Margin::custody_account())).unwrap(),
		i128::try_from(ED).unwrap() + Margin::custody_ledger(),
		"custody = ED + collateral + unsettled"
	);
}

/// Runs the hooks of the next `n` blocks.
pub fn run_blocks(n: u32) {
	for _ in 0..n {
		next_block(&[]);
	}
}

/// Runs the next block's hooks; when it opens a round, the oracle first aggregates `medians`
/// (market, price) as the round before's medians. Returns the block.
pub fn next_block(medians: &[(MarketId, Price)]) -> u64 {
	let next = System::block_number() + 1;
	System::set_block_number(next);
	if next.is_multiple_of(u64::from(ROUND)) {
		for (market, price) in medians {
			aggregate(*market, *price);
		}
	}
	Margin::on_initialize(next);
	next
}

/// Runs blocks until the first block of the next round (its hooks included); `medians` are
/// what the oracle aggregates then.
pub fn next_round(medians: &[(MarketId, Price)]) -> u64 {
	loop {
		let block = next_block(medians);
		if block.is_multiple_of(u64::from(ROUND)) {
			return block;
		}
	}
}

/// Margin events since the last call.
pub fn margin_events() -> Vec<crate::Event<Test>> {
	let events: Vec<_> = System::events()
		.into_iter()
		.filter_map(|r| if let RuntimeEvent::Margin(e) = r.event { Some(e) } else { None })
		.collect();
	System::reset_events();
	events
}

#[cfg(feature = "runtime-benchmarks")]
pub struct BenchmarkMarkets;
#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper for BenchmarkMarkets {
	fn setup_market(market: MarketId, p: Price) {
		set_price(market, p);
		let _ = Balances::mint_into(&vault_of(market), VAULT_FUNDS);
		let _ = Balances::mint_into(&fund_of(market), INSURANCE_FUNDS);
	}

	fn set_price(market: MarketId, p: Price) {
		set_price(market, p);
	}
}
