//! A crash through the real pallets (issue 22): the oracle's medians, the margin engine, the
//! BTC vault and the insurance funds, wired as the runtime wires them. A trader deposits and
//! fills a 19x long by order, the price gaps 20% (the breaker halts the market), a keeper
//! liquidates at the conservative mark with bad debt, the market's insurance fund covers what
//! it holds into the vault and the vault absorbs the rest. Every balance is checked to the unit
//! against what the pallets' own arithmetic says, and bUSD's issuance does not move.

use super::*;
use crate::{Insurance, Margin, Oracle, Vaults};
use frame_support::traits::fungible::Inspect;
use frame_support::traits::Get as _;
use pallet_bulwark_insurance::Fund;
use sp_keyring::Sr25519Keyring::{Eve, Ferdie};
use sp_runtime::{FixedI128, FixedU128};

const BTC: u32 = 0;

fn fixed(n: u32) -> FixedU128 {
	FixedU128::from_u32(n)
}

/// Runs to the next round's first block with `price` submitted in this one.
fn next_round_at(price: u32) {
	let length: u32 = crate::configs::bulwark::OracleRoundLength::get();
	submit_btc(price);
	run_to((Oracle::current_round() + 1) * length);
}

fn busd_issuance() -> u128 {
	<crate::Busd as Inspect<AccountId>>::total_issuance()
}

fn margin_events() -> Vec<pallet_bulwark_margin::Event<Runtime>> {
	System::events()
		.into_iter()
		.filter_map(|r| match r.event {
			RuntimeEvent::Margin(event) => Some(event),
			_ => None,
		})
		.collect()
}

#[test]
fn a_crash_liquidates_with_bad_debt_that_insurance_covers_and_the_vault_absorbs_to_the_unit() {
	dev_ext().execute_with(|| {
		let length: u32 = crate::configs::bulwark::OracleRoundLength::get();
		let (eve, ferdie) = (acc(Eve), acc(Ferdie));
		let issuance = busd_issuance();
		// The BTC vault: 100,000 bUSD of Dave's stake. BTC's insurance fund: 50 bUSD.
		assert_ok!(Vaults::stake(RuntimeOrigin::signed(acc(Dave)), BTC, 100_000 * BUSD, 0));
		assert_ok!(Insurance::contribute(
			RuntimeOrigin::signed(acc(Dave)),
			Fund::Market(BTC),
			50 * BUSD
		));
		for operator in [acc(Alice), acc(Bob), acc(Charlie)] {
			assert_ok!(Oracle::register_operator(
				RuntimeOrigin::signed(operator.clone()),
				10_000 * BUSD
			));
			assert_ok!(Oracle::set_markets(
				RuntimeOrigin::signed(operator),
				Some(frame_support::BoundedVec::truncate_from(vec![BTC])),
			));
		}
		// Operators count from the round after registration; a few rounds at 100 settle the EMA.
		run_to(2 * length);
		for _ in 0..3 {
			next_round_at(100);
		}
		assert_eq!(Oracle::price_info(BTC).map(|p| p.price), Some(fixed(100)));

		// Eve: 300 bUSD, a 19-unit long by order (the oracle's volatility puts the initial
		// margin at about 12.5%); it fills two rounds later at 100 + premium.
		assert_ok!(Margin::deposit(RuntimeOrigin::signed(eve.clone()), 300 * BUSD));
		assert_ok!(Margin::place_order(
			RuntimeOrigin::signed(eve.clone()),
			BTC,
			FixedI128::from_u32(19),
			fixed(101),
			10,
		));
		next_round_at(100);
		next_round_at(100);
		let position = pallet_bulwark_margin::Accounts::<Runtime>::get(&eve)
			.and_then(|a| a.positions.first().copied())
			.expect("the order filled");
		assert_eq!(position.size, FixedI128::from_u32(19));
		// The skew fill: 100 x (1 + (0 + 19) / 2 / 10,000) = 100.095.
		assert_eq!(position.entry_price, FixedU128::from_rational(100_095, 1_000));

		// A 20% gap: the breaker halts BTC (more than `max_price_jump` from the EMA).
		next_round_at(80);
		let price = Oracle::price_info(BTC).unwrap();
		assert_eq!(price.status, bulwark_primitives::MarketStatus::Halted);
		assert_eq!(price.price, fixed(80));
		let view = Margin::account_view(&eve).unwrap();
		assert!(view.liquidatable && view.equity < 0, "{view:?}");

		// What the pallets' arithmetic says the liquidation moves. The long closes at the
		// conservative mark, min(median 80, EMA) = 80, no better than the skew fill there.
		let collateral = pallet_bulwark_margin::Accounts::<Runtime>::get(&eve).unwrap().collateral;
		let funding = view.positions[0].funding_owed;
		let realized = pallet_bulwark_margin::math::unrealized_pnl(
			position.size,
			position.entry_price,
			fixed(80),
		)
		.unwrap() - funding;
		let fee = <Runtime as pallet_bulwark_margin::Config>::BankruptcyKeeperFee::get();
		let shortfall = (-(realized + collateral as i128)) as u128 + fee;
		let fund_before = Insurance::balance_of(Fund::Market(BTC));
		let held_before = Vaults::held(BTC);
		let owed_before =
			pallet_bulwark_margin::Markets::<Runtime>::get(BTC).unwrap().vault_balance;

		System::reset_events();
		assert_ok!(Margin::liquidate(RuntimeOrigin::signed(ferdie.clone()), eve.clone()));
		// The fund pays all it holds (50 bUSD and its share of Eve's fee); the vault the rest.
		let covered = shortfall.min(fund_before);
		assert!(covered > 0 && covered < shortfall, "both insurance and the vault pay");
		assert!(margin_events().contains(&pallet_bulwark_margin::Event::BadDebt {
			who: eve.clone(),
			market: BTC,
			shortfall,
			covered,
			absorbed: shortfall - covered,
		}));
		// Eve: nothing left, no account. Ferdie: the flat fee, in his margin account.
		assert!(pallet_bulwark_margin::Accounts::<Runtime>::get(&eve).is_none());
		assert_eq!(
			pallet_bulwark_margin::Accounts::<Runtime>::get(&ferdie).map(|a| a.collateral),
			Some(fee)
		);
		// Insurance paid `covered` into the vault, held at once as stake.
		assert_eq!(Insurance::balance_of(Fund::Market(BTC)), fund_before - covered);
		assert_eq!(Vaults::held(BTC), held_before + covered);
		// Custody owes the vault Eve's collateral less the keeper's fee on top of what it owed.
		let owed = pallet_bulwark_margin::Markets::<Runtime>::get(BTC).unwrap().vault_balance;
		assert_eq!(owed, owed_before + collateral as i128 - fee as i128);
		// The next block settles it into the vault.
		run_to(System::block_number() + 1);
		assert_eq!(pallet_bulwark_margin::Markets::<Runtime>::get(BTC).unwrap().vault_balance, 0);
		assert_eq!(Vaults::held(BTC), held_before + covered + owed as u128);
		// Nothing open or unsettled: Dave's stake is worth what the vault holds.
		assert_eq!(Vaults::nav_of(BTC), Vaults::held(BTC));
		// Nothing minted or burnt.
		assert_eq!(busd_issuance(), issuance);
	});
}
