//! Margin orders in the composed runtime: the queue of a full block fits the hook's share of a
//! block, and an order placed while a round's submissions are public fills at the median of
//! the round after (the oracle's hook runs before the margin engine's).

use super::*;
use crate::{configs::bulwark::MaxOrdersPerBlock, Margin, Oracle};
use frame_support::{traits::Get, weights::Weight};
use pallet_bulwark_margin::WeightInfo as _;

/// 18-decimal fixed point of `n`.
fn fixed(n: u128) -> sp_runtime::FixedU128 {
	sp_runtime::FixedU128::from_u32(n as u32)
}

#[test]
fn a_full_order_queue_fits_the_hooks_share_of_a_block() {
	let max_positions: u32 = <Runtime as pallet_bulwark_margin::Config>::MaxPositions::get();
	let max_markets: u32 = <Runtime as pallet_bulwark_margin::Config>::MaxMarkets::get();
	type Weights = <Runtime as pallet_bulwark_margin::Config>::WeightInfo;
	// What the hook charges for a full queue of accounts holding the most positions.
	let orders = MaxOrdersPerBlock::get();
	let per_account =
		Weights::execute_order(max_positions).saturating_sub(Weights::execute_order(1));
	let full_queue = Weights::execute_orders(orders)
		.saturating_add(per_account.saturating_mul(orders.into()))
		.saturating_add(Weights::on_initialize(max_markets));
	let block = <Runtime as frame_system::Config>::BlockWeights::get().max_block;
	// At most half the block, whatever the accounts: the other half stays for extrinsics
	// (liquidations, oracle submissions and the orders of the next rounds).
	assert!(
		full_queue.all_lte(Weight::from_parts(block.ref_time() / 2, block.proof_size() / 2)),
		"a full queue weighs {full_queue:?} of a {block:?} block"
	);
}

/// The dev chain's three operators (Alice, Bob, Charlie) registered with `bond` each, serving
/// BTC-USD, and Dave's 100,000 bUSD in BTC's vault.
pub(crate) fn register_btc_operators(bond: crate::Balance) {
	assert_ok!(crate::Vaults::stake(RuntimeOrigin::signed(acc(Dave)), 0, 100_000 * BUSD, 0));
	for operator in [acc(Alice), acc(Bob), acc(Charlie)] {
		assert_ok!(Oracle::register_operator(RuntimeOrigin::signed(operator.clone()), bond));
		assert_ok!(Oracle::set_markets(
			RuntimeOrigin::signed(operator.clone()),
			Some(frame_support::BoundedVec::truncate_from(vec![0])),
		));
	}
}

#[test]
fn an_order_fills_at_the_median_of_the_round_after_its_own() {
	dev_ext().execute_with(|| {
		let length: u32 = crate::configs::bulwark::OracleRoundLength::get();
		register_btc_operators(10_000 * BUSD);
		// Operators count from the round after registration: price round 2 at 100.
		run_to(2 * length);
		submit_btc(100);
		run_to(3 * length);
		assert_eq!(Oracle::price_info(0).map(|p| p.price), Some(fixed(100)));
		// Round 3's submissions are public at 101; Eve places a long in round 3.
		submit_btc(101);
		assert_ok!(Margin::deposit(
			RuntimeOrigin::signed(acc(sp_keyring::Sr25519Keyring::Eve)),
			1_000 * BUSD
		));
		assert_ok!(Margin::place_order(
			RuntimeOrigin::signed(acc(sp_keyring::Sr25519Keyring::Eve)),
			0,
			sp_runtime::FixedI128::from_u32(1),
			fixed(110),
			10,
		));
		// Round 4 opens with 101 (round 3's median): no fill at it.
		run_to(4 * length);
		let eve = acc(sp_keyring::Sr25519Keyring::Eve);
		assert!(pallet_bulwark_margin::Accounts::<Runtime>::get(&eve)
			.is_some_and(|a| a.positions.is_empty() && a.orders.len() == 1));
		submit_btc(102);
		// Round 5 opens with 102 (round 4's median): the hook fills at it.
		run_to(5 * length);
		let account = pallet_bulwark_margin::Accounts::<Runtime>::get(&eve).unwrap();
		assert!(account.orders.is_empty());
		let entry = account.positions.first().map(|p| p.entry_price).unwrap();
		assert!(entry > fixed(102) && entry < fixed(103), "entry {entry:?}");
		let traded = System::events().into_iter().find_map(|r| match r.event {
			RuntimeEvent::Margin(pallet_bulwark_margin::Event::Traded {
				order_round,
				price_round,
				..
			}) => Some((order_round, price_round)),
			_ => None,
		});
		assert_eq!(traded, Some((3, 4)));
	});
}

/// Issue 29, item 3, on the composed runtime: the monitor's sample keeps BTC's open-interest
/// capacity (the larger side at which the oracle ACR meets its floor), and the margin engine
/// refuses the fill of an order that would take the larger side beyond it, between samples.
#[test]
fn item_3_a_fill_beyond_the_oracle_security_capacity_is_cancelled_between_samples() {
	use crate::Monitor;
	use bulwark_primitives::MarketRestriction;
	dev_ext().execute_with(|| {
		let length: u32 = crate::configs::bulwark::OracleRoundLength::get();
		// 3 x 1,000 bUSD of bond: a quorum of two thirds (2,000 bUSD and a unit), half of it
		// controls the median.
		register_btc_operators(1_000 * BUSD);
		run_to(2 * length);
		submit_btc(100);
		run_to(10);
		// The sample: that bond x the largest deviation slash over (10% jump x floor 1).
		let slash = pallet_bulwark_slashing::Schedule::<Runtime>::get().deviation_max;
		let capacity = Monitor::open_interest_capacity(0).expect("sampled");
		assert_eq!(capacity, slash.mul_floor(1_000 * BUSD + 1) * 10);
		let eve = acc(sp_keyring::Sr25519Keyring::Eve);
		assert_ok!(Margin::deposit(RuntimeOrigin::signed(eve.clone()), 10_000 * BUSD));
		// Right after the sample, a long of twice the capacity at 100.
		let units = u32::try_from(2 * capacity / (100 * BUSD)).unwrap();
		assert_ok!(Margin::place_order(
			RuntimeOrigin::signed(eve.clone()),
			0,
			sp_runtime::FixedI128::from_u32(units),
			fixed(110),
			3,
		));
		// The order fills at the median of the round after its own, at the next round's start.
		submit_btc(100);
		let next_round = (Oracle::current_round() + 1) * length;
		run_to(next_round);
		submit_btc(100);
		run_to(next_round + length);
		let cancelled = System::events().into_iter().find_map(|r| match r.event {
			RuntimeEvent::Margin(pallet_bulwark_margin::Event::OrderCancelled {
				reason, ..
			}) => Some(reason),
			_ => None,
		});
		assert_eq!(
			cancelled,
			Some(pallet_bulwark_margin::Error::<Runtime>::SecurityCapExceeded.into())
		);
		assert!(pallet_bulwark_margin::Accounts::<Runtime>::get(&eve)
			.is_some_and(|a| a.positions.is_empty()));
	});
}
