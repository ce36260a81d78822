//! Options on the composed runtime (issue 28): the vault writes a call through a trader's order,
//! marks it in its NAV as the price moves, and pays it at expiry in the money; every party's bUSD
//! accounted for to the unit.

use super::{orders::register_btc_operators, *};
use crate::{Insurance, Margin, Options, Vaults};
use bulwark_primitives::{InsuranceFund, WrittenOptions};
use pallet_bulwark_options::{OptionKind, OptionsParams};

fn fixed(n: u32) -> sp_runtime::FixedU128 {
	sp_runtime::FixedU128::from_u32(n)
}

/// Runs to `block`, the three operators submitting `price` in every round on the way.
fn run_with_price(price: u32, block: u32) {
	let length: u32 = crate::configs::bulwark::OracleRoundLength::get();
	while System::block_number() < block {
		if System::block_number().is_multiple_of(length) {
			submit_btc(price);
		}
		run_to(System::block_number() + 1);
	}
}

#[test]
fn the_vault_writes_a_call_marks_it_and_pays_it_in_the_money_to_the_unit() {
	dev_ext().execute_with(|| {
		let eve = acc(Eve);
		let slot: u64 = pallet_bulwark_timings::SlotMillis::<Runtime>::get();
		register_btc_operators(10_000 * BUSD);
		run_with_price(100, 10);
		let issuance = Busd::total_issuance();
		// A ten-minute grid with a one-minute settlement window: expiries at 10, 20, ... minutes.
		let params = OptionsParams {
			expiry_grid: 600_000,
			expiry_offset: 0,
			settlement_window: 60_000,
			settlement_timeout: 120_000,
			..Default::default()
		};
		assert_ok!(Options::set_params(RuntimeOrigin::root(), params));
		assert_ok!(Options::enable_market(RuntimeOrigin::root(), 0, fixed(5)));
		let expiry = 1_200_000;
		assert_ok!(Options::list_series(
			RuntimeOrigin::root(),
			0,
			expiry,
			fixed(100),
			OptionKind::Call
		));
		let nav_before = Vaults::nav_of(0);
		let held_before = Vaults::held(0);
		let fund = Insurance::fund_account(0);
		let fund_before = Busd::balance(&fund);

		// Eve buys 10 calls; the order fills two rounds later.
		assert_ok!(Margin::deposit(RuntimeOrigin::signed(eve.clone()), 1_000 * BUSD));
		assert_ok!(Options::place_order(
			RuntimeOrigin::signed(eve.clone()),
			0,
			sp_runtime::FixedI128::from_u32(10),
			fixed(20),
			5
		));
		run_with_price(100, System::block_number() + 8);
		let (amount, fee) = System::events()
			.into_iter()
			.find_map(|r| match r.event {
				RuntimeEvent::Options(pallet_bulwark_options::Event::Traded {
					amount,
					fee,
					..
				}) => Some((amount, fee)),
				_ => None,
			})
			.expect("the buy filled");
		let insurance_share = OptionsParams::default().fee_insurance_share.mul_floor(fee);
		let collateral = |who: &AccountId| {
			pallet_bulwark_margin::Accounts::<Runtime>::get(who).map_or(0, |a| a.collateral)
		};
		assert_eq!(collateral(&eve), 1_000 * BUSD - amount - fee);
		// Settled with the vault and the fund by the margin hook: the premium and the vault's
		// fee share held, the liability marked at the model.
		assert_eq!(Vaults::held(0), held_before + amount + fee - insurance_share);
		assert_eq!(Busd::balance(&fund), fund_before + insurance_share);
		let written = Options::written_value(0);
		assert!(written > 0 && written < amount, "marked at the model, under the premium paid");
		assert_eq!(Vaults::nav_of(0), nav_before + amount + fee - insurance_share - written);

		// The price rises to 108 (within the breaker's jump): the book is revalued at the next
		// median, NAV falls with it.
		run_with_price(108, System::block_number() + 6);
		let written_at_108 = Options::written_value(0);
		assert!(written_at_108 > written + 50 * BUSD, "{written} -> {written_at_108}");
		assert_eq!(Vaults::nav_of(0), nav_before + amount + fee - insurance_share - written_at_108);

		// Expiry at 108: the window's medians all 108; Eve is paid 10 x 8 = 80 bUSD.
		let expiry_block = u32::try_from(expiry / slot).unwrap();
		run_with_price(108, expiry_block + 4);
		assert!(pallet_bulwark_options::Series::<Runtime>::get(0).is_none(), "paid and removed");
		assert_eq!(collateral(&eve), 1_000 * BUSD - amount - fee + 80 * BUSD);
		assert_eq!(Options::written_value(0), 0);
		assert_eq!(Vaults::held(0), held_before + amount + fee - insurance_share - 80 * BUSD);
		assert_eq!(Vaults::nav_of(0), nav_before + amount + fee - insurance_share - 80 * BUSD);
		assert_eq!(Busd::balance(&fund), fund_before + insurance_share);
		assert_eq!(Busd::total_issuance(), issuance);
		Margin::do_try_state().expect("margin invariants");
		Options::do_try_state().expect("options invariants");
	});
}

/// The options hook's worst block fits beside the margin engine's: a full order queue, every
/// market's book revalued with the most series and expiries sampled, and a full block of
/// payouts, together with the margin hook's full queue, within half a block.
#[test]
fn a_full_options_hook_fits_beside_the_margin_hook() {
	use frame_support::weights::Weight;
	use pallet_bulwark_margin::WeightInfo as _;
	use pallet_bulwark_options::WeightInfo as _;
	type Margin = <Runtime as pallet_bulwark_margin::Config>::WeightInfo;
	type Opts = <Runtime as pallet_bulwark_options::Config>::WeightInfo;
	let max_positions: u32 = <Runtime as pallet_bulwark_margin::Config>::MaxPositions::get();
	let margin_markets: u32 = <Runtime as pallet_bulwark_margin::Config>::MaxMarkets::get();
	let margin_orders = crate::configs::bulwark::MaxOrdersPerBlock::get();
	let margin = Margin::execute_orders(margin_orders)
		.saturating_add(
			Margin::execute_order(max_positions)
				.saturating_sub(Margin::execute_order(1))
				.saturating_mul(margin_orders.into()),
		)
		.saturating_add(Margin::on_initialize(margin_markets));
	let markets: u32 = <Runtime as pallet_bulwark_options::Config>::MaxMarkets::get();
	let series: u32 = <Runtime as pallet_bulwark_options::Config>::MaxSeriesPerMarket::get();
	let orders = crate::configs::bulwark::MaxOptionOrdersPerBlock::get();
	let payouts = crate::configs::bulwark::MaxOptionPayoutsPerBlock::get();
	let options = Opts::execute_orders(orders)
		.saturating_add(
			Opts::refresh_market(series)
				.saturating_add(Opts::revalue(series))
				.saturating_mul(markets.into()),
		)
		.saturating_add(Opts::pay_out(payouts));
	let block = <Runtime as frame_system::Config>::BlockWeights::get().max_block;
	let both = margin.saturating_add(options);
	assert!(
		both.all_lte(Weight::from_parts(block.ref_time() / 2, block.proof_size() / 2)),
		"margin {margin:?} and options {options:?} of a {block:?} block"
	);
}
