//! Mock runtime of the oracle: system, a bUSD balances pallet, the oracle, and a recording stub
//! for the slashing pallet.

use crate::{self as pallet_bulwark_oracle, OracleParams};
use bulwark_primitives::{MarketId, OffenceKind, OffenceReporter, Price, RoundIndex};
use frame_support::{
	derive_impl, parameter_types,
	traits::{ConstU128, ConstU32, ConstU64, Hooks},
	weights::Weight,
};
use frame_system::EnsureRoot;
use sp_arithmetic::{FixedPointNumber, FixedU128};
use sp_runtime::{BuildStorage, DispatchError, DispatchResult};

pub type AccountId = u64;
pub type Balance = u128;
type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Oracle: pallet_bulwark_oracle,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountData = pallet_balances::AccountData<Balance>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type Balance = Balance;
	type ExistentialDeposit = ConstU128<1>;
	type AccountStore = System;
	type RuntimeHoldReason = RuntimeHoldReason;
}

parameter_types! {
	/// Offences the oracle reported, in order.
	pub static Reported: Vec<OffenceKind<AccountId>> = Vec::new();
	/// Makes the stub slashing pallet refuse reports.
	pub static RefuseReports: bool = false;
	pub static RoundLength: u32 = 2;
	pub static MinOperatorBond: Balance = 100;
	pub static UnbondingPeriod: u32 = 10;
	pub static MaxMissedRounds: u32 = 3;
	/// 1,000 blocks a year: 500 rounds of 2 blocks, a round number that keeps reference
	/// values readable.
	pub static BlocksPerYear: u32 = 1_000;
}

parameter_types! {
	/// Operators the stub slashing pallet has a slash pending for.
	pub static PendingFor: Vec<AccountId> = Vec::new();
}

/// Stands in for the slashing pallet's pending-slash query.
pub struct PendingStub;
impl bulwark_primitives::SlashPending<AccountId> for PendingStub {
	fn slash_pending(target: &bulwark_primitives::SlashTarget<AccountId>) -> bool {
		matches!(target, bulwark_primitives::SlashTarget::Operator(who) if PendingFor::get().contains(who))
	}
}

/// Stands in for the slashing pallet: records reports.
pub struct RecordingReporter;
impl OffenceReporter<AccountId> for RecordingReporter {
	fn report_offence(
		_reporter: Option<AccountId>,
		offence: OffenceKind<AccountId>,
	) -> DispatchResult {
		if RefuseReports::get() {
			return Err(DispatchError::Other("reports refused"));
		}
		Reported::mutate(|r| r.push(offence));
		Ok(())
	}

	fn report_offence_weight() -> Weight {
		REPORT_WEIGHT
	}
}

/// The weight the recording reporter claims per report, so that tests see it charged.
pub const REPORT_WEIGHT: Weight = Weight::from_parts(7_000_000, 100);

impl pallet_bulwark_oracle::Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type RiskOrigin = EnsureRoot<AccountId>;
	type OffenceReporter = RecordingReporter;
	type SlashPending = PendingStub;
	type RoundLength = RoundLength;
	type MinOperatorBond = MinOperatorBond;
	type UnbondingPeriod = UnbondingPeriod;
	type MaxMissedRounds = MaxMissedRounds;
	type BlocksPerYear = BlocksPerYear;
	type MaxOperators = ConstU32<5>;
	type MaxMarkets = ConstU32<3>;
	type MaxSymbolLen = ConstU32<8>;
	type SubmissionPriority = ConstU64<{ u64::MAX }>;
	type WeightInfo = ();
}

/// Accounts 1..=10 start with this much bUSD.
pub const ENDOWMENT: Balance = 10_000;
/// Market ids of the default genesis markets.
pub const BTC: MarketId = 0;
pub const ETH: MarketId = 1;

pub struct ExtBuilder {
	markets: Vec<(Vec<u8>, u8)>,
}

impl Default for ExtBuilder {
	fn default() -> Self {
		Self { markets: vec![(b"BTC-USD".to_vec(), 8), (b"ETH-USD".to_vec(), 8)] }
	}
}

impl ExtBuilder {
	pub fn no_markets(mut self) -> Self {
		self.markets.clear();
		self
	}

	pub fn build(self) -> sp_io::TestExternalities {
		let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
		pallet_balances::GenesisConfig::<Test> {
			balances: (1..=10).map(|a| (a, ENDOWMENT)).collect(),
			..Default::default()
		}
		.assimilate_storage(&mut storage)
		.unwrap();
		pallet_bulwark_oracle::GenesisConfig::<Test> {
			markets: self.markets,
			..Default::default()
		}
		.assimilate_storage(&mut storage)
		.unwrap();
		let mut ext = sp_io::TestExternalities::new(storage);
		ext.execute_with(|| {
			System::set_block_number(1);
			// Most tests feed a market from one or two operators: a quorum of one submitter
			// (still two thirds of the expected bond). Tests of the default quorum set it back.
			for market in crate::Markets::<Test>::iter_keys().collect::<Vec<_>>() {
				crate::Markets::<Test>::mutate(market, |info| {
					if let Some(info) = info {
						info.params.min_submissions = 1;
					}
				});
			}
			Reported::take();
		});
		ext
	}

	/// Runs `test`, then the pallet's invariants.
	pub fn build_and_execute(self, test: impl FnOnce()) {
		self.build().execute_with(|| {
			test();
			Oracle::do_try_state().expect("try_state invariants hold");
		});
	}
}

/// Advances to block `n`, running the oracle's hook on each block.
pub fn run_to_block(n: u64) {
	while System::block_number() < n {
		let next = System::block_number() + 1;
		System::set_block_number(next);
		Oracle::on_initialize(next);
	}
}

/// Advances to the first block of the next round, which closes the current one.
pub fn close_round() {
	let length = RoundLength::get() as u64;
	let next_start = (System::block_number() / length + 1) * length;
	run_to_block(next_start);
}

pub fn current_round() -> RoundIndex {
	Oracle::current_round()
}

pub fn price(x: u128) -> Price {
	FixedU128::saturating_from_integer(x)
}

pub fn price_f(x: f64) -> Price {
	FixedU128::from_float(x)
}

/// Oracle events since the last call.
pub fn oracle_events() -> Vec<crate::Event<Test>> {
	let events: Vec<_> = System::events()
		.into_iter()
		.filter_map(|r| if let RuntimeEvent::Oracle(e) = r.event { Some(e) } else { None })
		.collect();
	System::reset_events();
	events
}

/// Params with a quorum of `min_submissions` and otherwise the defaults.
pub fn params_with_quorum(min_submissions: u32) -> OracleParams {
	OracleParams { min_submissions, ..OracleParams::default() }
}
