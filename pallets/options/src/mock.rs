//! Mock runtime of the options pallet: system, the pallet, and stubs of the oracle (price,
//! EMA, volatility, status and round per market), the vaults (a NAV per market), the monitor
//! (restricted markets), wall-clock time, and the margin engine's collateral ledger (collateral
//! per account, escrow, and per market what is owed to the vault and the insurance fund), whose
//! total never changes: every test checks it.

use crate::{self as pallet_bulwark_options, DAY_MS};
use bulwark_primitives::{
	currency::BUSD, Balance, CollateralLedger, MarketId, MarketRestriction, MarketStatus, Price,
	PriceFeed, PriceInfo, VaultSettlement,
};
use core::{cell::RefCell, time::Duration};
use frame_support::{
	derive_impl, parameter_types,
	traits::{Hooks, UnixTime},
	weights::Weight,
};
use frame_system::EnsureRoot;
use sp_runtime::{BuildStorage, DispatchError, DispatchResult, FixedU128};
use std::collections::BTreeMap;

pub type AccountId = u64;
type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Options: pallet_bulwark_options,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountId = AccountId;
	type Lookup = sp_runtime::traits::IdentityLookup<AccountId>;
}

/// Blocks per oracle round.
pub const ROUND: u32 = 2;
/// Milliseconds per block.
pub const BLOCK_MS: u64 = 6_000;
/// The mock's genesis time: midnight UTC of day 10 after the epoch.
pub const GENESIS_MS: u64 = 10 * DAY_MS;
/// The first expiry on the default grid: day 11, 08:00 UTC.
pub const EXPIRY: u64 = 11 * DAY_MS + 8 * 3_600_000;
/// The mock vault's NAV: 1,000,000 bUSD.
pub const VAULT_NAV: Balance = 1_000_000 * BUSD;

parameter_types! {
	pub const RoundLength: u32 = ROUND;
	pub static Now: u64 = GENESIS_MS;
	pub static Nav: Balance = VAULT_NAV;
	pub static Restricted: Vec<MarketId> = Vec::new();
	pub static MaxOrdersPerBlock: u32 = 50;
	pub static MaxPayoutsPerBlock: u32 = 3;
}

thread_local! {
	static PRICES: RefCell<BTreeMap<MarketId, PriceInfo>> = const { RefCell::new(BTreeMap::new()) };
	/// The median each market's next aggregation takes.
	static NEXT_MEDIAN: RefCell<BTreeMap<MarketId, Price>> = const { RefCell::new(BTreeMap::new()) };
	pub static LEDGER: RefCell<Ledger> = RefCell::new(Ledger::default());
}

/// The margin engine's ledgers, as the options pallet moves them.
#[derive(Default, Clone, Debug)]
pub struct Ledger {
	pub collateral: BTreeMap<AccountId, Balance>,
	pub escrowed: Balance,
	pub vault: BTreeMap<MarketId, i128>,
	pub insurance: BTreeMap<MarketId, Balance>,
}

impl Ledger {
	/// Everything on the custody account: constant under every move.
	pub fn total(&self) -> i128 {
		let collateral: Balance = self.collateral.values().sum();
		let insurance: Balance = self.insurance.values().sum();
		let vault: i128 = self.vault.values().sum();
		i128::try_from(collateral + insurance + self.escrowed).unwrap() + vault
	}
}

pub struct CollateralStub;
impl CollateralLedger<AccountId> for CollateralStub {
	fn escrow(who: &AccountId, amount: Balance) -> DispatchResult {
		LEDGER.with(|l| {
			let mut l = l.borrow_mut();
			let held = l.collateral.get(who).copied().ok_or(DispatchError::Other("NoAccount"))?;
			let left =
				held.checked_sub(amount).ok_or(DispatchError::Other("InsufficientCollateral"))?;
			l.collateral.insert(*who, left);
			l.escrowed += amount;
			Ok(())
		})
	}

	fn release(
		who: &AccountId,
		market: MarketId,
		escrowed: Balance,
		to_vault: Balance,
		to_insurance: Balance,
	) -> DispatchResult {
		LEDGER.with(|l| {
			let mut l = l.borrow_mut();
			let refund = escrowed
				.checked_sub(to_vault + to_insurance)
				.ok_or(DispatchError::Other("InsufficientCollateral"))?;
			l.escrowed =
				l.escrowed.checked_sub(escrowed).ok_or(DispatchError::Other("Overflow"))?;
			*l.collateral.entry(*who).or_default() += refund;
			*l.vault.entry(market).or_default() += i128::try_from(to_vault).unwrap();
			*l.insurance.entry(market).or_default() += to_insurance;
			Ok(())
		})
	}

	fn pay_from_vault(
		who: &AccountId,
		market: MarketId,
		amount: Balance,
		to_insurance: Balance,
	) -> DispatchResult {
		LEDGER.with(|l| {
			let mut l = l.borrow_mut();
			*l.collateral.entry(*who).or_default() += amount;
			*l.vault.entry(market).or_default() -= i128::try_from(amount + to_insurance).unwrap();
			*l.insurance.entry(market).or_default() += to_insurance;
			Ok(())
		})
	}

	fn total_escrowed() -> Balance {
		LEDGER.with(|l| l.borrow().escrowed)
	}
}

pub struct PricesStub;
impl PriceFeed for PricesStub {
	fn price_info(market: MarketId) -> Option<PriceInfo> {
		PRICES.with(|p| p.borrow().get(&market).copied())
	}

	fn current_round() -> u32 {
		current_round()
	}
}

pub fn current_round() -> u32 {
	u32::try_from(System::block_number()).unwrap() / ROUND
}

pub struct VaultsStub;
impl VaultSettlement<AccountId> for VaultsStub {
	fn nav(_: MarketId) -> Balance {
		Nav::get()
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
	fn payable_cash(_: MarketId) -> Balance {
		Nav::get()
	}
	fn held_stake(_: MarketId) -> Balance {
		Nav::get()
	}
	fn max_open_interest(_: MarketId) -> Balance {
		Nav::get()
	}
	fn max_skew(_: MarketId) -> Balance {
		Nav::get()
	}
	fn settle_weight() -> Weight {
		Weight::zero()
	}
	fn absorb_bad_debt_weight() -> Weight {
		Weight::zero()
	}
}

pub struct RestrictionStub;
impl MarketRestriction for RestrictionStub {
	fn is_restricted(market: MarketId) -> bool {
		Restricted::get().contains(&market)
	}
}

pub struct TimeStub;
impl UnixTime for TimeStub {
	fn now() -> Duration {
		Duration::from_millis(Now::get())
	}
}

impl pallet_bulwark_options::Config for Test {
	type Prices = PricesStub;
	type Vaults = VaultsStub;
	type Collateral = CollateralStub;
	type Restriction = RestrictionStub;
	type Time = TimeStub;
	type RiskOrigin = EnsureRoot<AccountId>;
	type MaxMarkets = frame_support::traits::ConstU32<4>;
	type MaxSeriesPerMarket = frame_support::traits::ConstU32<8>;
	type OracleRoundLength = RoundLength;
	type MaxOrdersPerBlock = MaxOrdersPerBlock;
	type MaxOrderRounds = frame_support::traits::ConstU32<10>;
	type MaxPayoutsPerBlock = MaxPayoutsPerBlock;
	type MaxMarginPositions = frame_support::traits::ConstU32<8>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = ();
}

#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper<AccountId> for () {
	fn setup_market(market: MarketId, price: Price) {
		set_price(market, price);
	}
	fn set_price(market: MarketId, price: Price) {
		set_price(market, price);
		update_price(market, |p| p.round = current_round());
	}
	fn fund(who: &AccountId, amount: Balance, _: u32) {
		give(*who, amount);
	}
	fn set_time(time: u64) {
		set_time(time);
	}
}

/// `x` as a price.
pub fn price(x: u128) -> Price {
	FixedU128::from_u32(u32::try_from(x).unwrap())
}

/// Sets `market`'s price now: `Active`, 50% volatility, aggregated from the last round.
pub fn set_price(market: MarketId, price: Price) {
	let round = current_round().saturating_sub(1);
	PRICES.with(|p| {
		p.borrow_mut().insert(
			market,
			PriceInfo {
				price,
				ema_price: price,
				volatility: FixedU128::from_rational(1, 2),
				updated_at: u32::try_from(System::block_number()).unwrap(),
				round,
				status: MarketStatus::Active,
			},
		)
	});
	NEXT_MEDIAN.with(|m| m.borrow_mut().insert(market, price));
}

/// The median the next aggregations of `market` take.
pub fn set_next_median(market: MarketId, price: Price) {
	NEXT_MEDIAN.with(|m| m.borrow_mut().insert(market, price));
}

/// Changes `market`'s price info in place.
pub fn update_price(market: MarketId, change: impl FnOnce(&mut PriceInfo)) {
	PRICES.with(|p| {
		if let Some(info) = p.borrow_mut().get_mut(&market) {
			change(info)
		}
	});
}

/// Sets `market`'s status (a stale or halted oracle stops aggregating).
pub fn set_status(market: MarketId, status: MarketStatus) {
	update_price(market, |p| p.status = status);
}

/// Credits `who` with `amount` of collateral, from outside the ledger's total.
pub fn give(who: AccountId, amount: Balance) {
	LEDGER.with(|l| *l.borrow_mut().collateral.entry(who).or_default() += amount);
}

pub fn collateral(who: AccountId) -> Balance {
	LEDGER.with(|l| l.borrow().collateral.get(&who).copied().unwrap_or(0))
}

pub fn vault_owed(market: MarketId) -> i128 {
	LEDGER.with(|l| l.borrow().vault.get(&market).copied().unwrap_or(0))
}

pub fn insurance_owed(market: MarketId) -> Balance {
	LEDGER.with(|l| l.borrow().insurance.get(&market).copied().unwrap_or(0))
}

pub fn ledger_total() -> i128 {
	LEDGER.with(|l| l.borrow().total())
}

/// Runs the next block: the clock moves a block, the oracle aggregates in a round's first
/// block (not a `Stale` market), then the pallet's hook.
pub fn next_block() {
	let block = System::block_number() + 1;
	System::set_block_number(block);
	Now::set(Now::get() + BLOCK_MS);
	if u32::try_from(block).unwrap() % ROUND == 0 {
		let round = current_round() - 1;
		let medians: Vec<(MarketId, Price)> =
			NEXT_MEDIAN.with(|m| m.borrow().iter().map(|(k, v)| (*k, *v)).collect());
		for (market, median) in medians {
			update_price(market, |p| {
				if p.status != MarketStatus::Stale {
					p.price = median;
					p.ema_price = median;
					p.round = round;
					p.updated_at = u32::try_from(block).unwrap();
				}
			});
		}
	}
	Options::on_initialize(block);
}

pub fn run_blocks(n: u32) {
	for _ in 0..n {
		next_block();
	}
}

/// Jumps the clock to `ms` (blocks between are empty of orders).
pub fn set_time(ms: u64) {
	Now::set(ms);
}

pub fn options_events() -> Vec<crate::Event<Test>> {
	let events: Vec<_> = System::events()
		.into_iter()
		.filter_map(|r| if let RuntimeEvent::Options(e) = r.event { Some(e) } else { None })
		.collect();
	System::reset_events();
	events
}

pub struct ExtBuilder;

impl ExtBuilder {
	pub fn build() -> sp_io::TestExternalities {
		let storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
		PRICES.with(|p| p.borrow_mut().clear());
		NEXT_MEDIAN.with(|p| p.borrow_mut().clear());
		LEDGER.with(|l| *l.borrow_mut() = Ledger::default());
		Now::set(GENESIS_MS);
		Nav::set(VAULT_NAV);
		Restricted::set(Vec::new());
		MaxOrdersPerBlock::set(50);
		MaxPayoutsPerBlock::set(3);
		let mut ext = sp_io::TestExternalities::new(storage);
		ext.execute_with(|| {
			System::set_block_number(2);
			set_price(0, price(100));
		});
		ext
	}

	/// Runs `test`, then `try_state`.
	pub fn build_and_execute(test: impl FnOnce()) {
		Self::build().execute_with(|| {
			test();
			crate::Pallet::<Test>::do_try_state().expect("try_state invariants hold");
		});
	}
}
