//! Attacks on liquidation (issue 22), each as a test that failed before its fix: a halted or
//! stale dust leg shielding an account, a hedger liquidating itself at the oracle price while
//! the vault marks it at the skew price, bad debt charged to the market the trader ordered
//! first, a penalty rounded down, and a self-liquidation's keeper shares all sent to one fund.
//! Expected values come from the pallet's math on the state before the liquidation.

use crate::{math, mock::*, Accounts, Error, Event, Markets};
use bulwark_primitives::{currency::BUSD, MarketStatus};
use frame_support::{assert_noop, assert_ok};
use sp_runtime::Perbill;
use sp_runtime::{FixedI128, FixedPointNumber, FixedU128, Rounding};

const ALICE: AccountId = 1;
const BOB: AccountId = 2;
const KEEPER: AccountId = 4;

fn deposit(who: AccountId, busd: u128) {
	assert_ok!(Margin::deposit(RuntimeOrigin::signed(who), busd * BUSD));
}

/// Fills a trade at once at the current median, as an executing order does.
fn fill(who: AccountId, market: u32, delta: FixedI128) {
	let account = Accounts::<Test>::get(who).unwrap();
	let limit = if delta.is_positive() { price(1_000_000) } else { price(0) };
	assert_ok!(Margin::do_trade(&who, account, market, delta, Some(limit), 0));
}

fn liquidate(keeper: AccountId, who: AccountId) -> sp_runtime::DispatchResult {
	Margin::liquidate(RuntimeOrigin::signed(keeper), who).map(|_| ()).map_err(|e| e.error)
}

fn liquidated_event() -> (FixedU128, u128) {
	margin_events()
		.into_iter()
		.find_map(|e| match e {
			Event::Liquidated { closed, penalty, .. } => Some((closed, penalty)),
			_ => None,
		})
		.expect("a Liquidated event")
}

#[test]
fn a_halted_dust_leg_does_not_shield_the_account() {
	ExtBuilder::default().build_and_execute(|| {
		// Alice: long 19 at about 100 on 100 bUSD, and a dust ETH leg.
		deposit(ALICE, 100);
		fill(ALICE, 0, size(19));
		fill(ALICE, 1, size_rational(1, 1_000_000));
		// ETH halts; BTC falls 3%: below maintenance.
		set_status(1, MarketStatus::Halted);
		set_price(0, price(97));
		assert!(Margin::is_liquidatable(&ALICE));
		assert_ok!(liquidate(KEEPER, ALICE));
		// Partly closed: BTC and the halted dust leg alike (at its conservative mark).
		let account = Accounts::<Test>::get(ALICE).unwrap();
		assert!(account.size_in(0) < size(19));
		assert!(account.size_in(1) < size_rational(1, 1_000_000));
	});
}

#[test]
fn a_stale_dust_leg_does_not_shield_the_account_and_stays_open() {
	ExtBuilder::default().build_and_execute(|| {
		deposit(ALICE, 100);
		fill(ALICE, 0, size(19));
		fill(ALICE, 1, size_rational(1, 1_000_000));
		set_status(1, MarketStatus::Stale);
		set_price(0, price(97));
		assert!(Margin::is_liquidatable(&ALICE));
		assert_ok!(liquidate(KEEPER, ALICE));
		let account = Accounts::<Test>::get(ALICE).unwrap();
		assert!(account.size_in(0) < size(19));
		assert_eq!(account.size_in(1), size_rational(1, 1_000_000));
	});
}

#[test]
fn a_stale_leg_makes_an_account_that_would_end_below_zero_wait() {
	ExtBuilder::default().build_and_execute(|| {
		deposit(ALICE, 100);
		fill(ALICE, 0, size(19));
		fill(ALICE, 1, size_rational(1, 1_000_000));
		set_status(1, MarketStatus::Stale);
		// A gap to 90: the closed leg alone would leave the collateral negative.
		set_price(0, price(90));
		assert!(!Margin::is_liquidatable(&ALICE));
		assert_noop!(liquidate(KEEPER, ALICE), Error::<Test>::PriceNotUsable);
	});
}

#[test]
fn a_hedger_liquidated_by_its_own_keeper_pays_the_skew_fill() {
	ExtBuilder::default().build_and_execute(|| {
		// Alice long 100 at 100; Bob sells 20 into the skew (entry about 100.9) on 200 bUSD.
		deposit(ALICE, 10_000);
		deposit(BOB, 200);
		fill(ALICE, 0, size(100));
		fill(BOB, 0, size(-20));
		// BTC +8.5%: Bob below maintenance; his second account liquidates him.
		set_price(0, FixedU128::from_rational(1_085, 10));
		let bob = Accounts::<Test>::get(BOB).unwrap();
		let entry = bob.positions[0].entry_price;
		let info = Markets::<Test>::get(0).unwrap();
		let skew = math::net_size(&info.aggregates).unwrap();
		margin_events();
		assert_ok!(liquidate(3, BOB));
		let (closed, _) = liquidated_event();
		let part = math::closed_part(size(-20), closed.into_inner()).unwrap();
		let oracle = FixedU128::from_rational(1_085, 10);
		// Buying back `part` from a skew of +80 fills above the oracle: Bob pays that.
		let fill = math::fill_price(
			oracle,
			skew,
			FixedI128::from_inner(-part.into_inner()),
			info.params.skew_scale,
		)
		.unwrap();
		assert!(fill > oracle);
		let realized = math::unrealized_pnl(part, entry, fill).unwrap();
		let paid_by_vault = info.vault_balance - Markets::<Test>::get(0).unwrap().vault_balance;
		assert_eq!(paid_by_vault, realized);
		// At the oracle price Bob would have lost less.
		assert!(realized < math::unrealized_pnl(part, entry, oracle).unwrap());
	});
}

#[test]
fn bad_debt_is_shared_pro_rata_over_the_losing_markets() {
	ExtBuilder::default().build_and_execute(|| {
		// 1,000 bUSD long in each of BTC and ETH on 110 bUSD; both fall 10%.
		deposit(ALICE, 110);
		fill(ALICE, 0, size(10));
		fill(ALICE, 1, size_rational(1, 2));
		set_price(0, price(90));
		set_price(1, price(1_800));
		margin_events();
		assert_ok!(liquidate(KEEPER, ALICE));
		let debts: Vec<(u32, u128)> = margin_events()
			.into_iter()
			.filter_map(|e| match e {
				Event::BadDebt { market, shortfall, .. } => Some((market, shortfall)),
				_ => None,
			})
			.collect();
		assert_eq!(debts.len(), 2, "{debts:?}");
		// Equal losses (about 100 bUSD each): equal shares, within the entries' premiums.
		let (a, b) = (debts[0].1, debts[1].1);
		assert!(a.abs_diff(b) * 100 <= a.max(b), "{debts:?}");
	});
}

#[test]
fn the_penalty_is_rounded_up_for_the_protocol() {
	ExtBuilder::default().build_and_execute(|| {
		deposit(ALICE, 100);
		fill(ALICE, 0, size(19));
		let oracle = FixedU128::from_rational(29_261, 300);
		set_price(0, oracle);
		let info = Markets::<Test>::get(0).unwrap();
		margin_events();
		assert_ok!(liquidate(KEEPER, ALICE));
		let (closed, penalty) = liquidated_event();
		assert!(closed < FixedU128::from_u32(1), "a partial close");
		let part = math::closed_part(size(19), closed.into_inner()).unwrap();
		let notional = math::notional(part, oracle, Rounding::Up).unwrap();
		assert_eq!(penalty, info.params.liquidation_penalty.mul_ceil(notional));
		// Rounded down on a rounded-down notional, as before, it was less.
		let down = math::notional(part, oracle, Rounding::Down).unwrap();
		assert!(penalty > info.params.liquidation_penalty.mul_floor(down));
	});
}

#[test]
fn a_self_liquidation_sends_each_markets_keeper_share_to_its_own_fund() {
	ExtBuilder::default().build_and_execute(|| {
		deposit(ALICE, 110);
		fill(ALICE, 0, size(10));
		fill(ALICE, 1, size_rational(1, 2));
		// 3% down each: below maintenance, above the critical level (a partial close).
		set_price(0, price(97));
		set_price(1, price(1_940));
		let before: Vec<u128> =
			(0..2).map(|m| Markets::<Test>::get(m).unwrap().insurance_balance).collect();
		margin_events();
		assert_ok!(liquidate(ALICE, ALICE));
		let (_, penalty) = liquidated_event();
		let after: Vec<u128> =
			(0..2).map(|m| Markets::<Test>::get(m).unwrap().insurance_balance).collect();
		let gained: Vec<u128> = (0..2).map(|m| after[m] - before[m]).collect();
		// The whole penalty to insurance, and each market about half of it (equal notionals).
		assert_eq!(gained[0] + gained[1], penalty);
		assert!(gained[0].abs_diff(gained[1]) * 20 <= penalty, "{gained:?} of {penalty}");
	});
}

/// The share a partial liquidation of Alice (long 19 at about 100 on 100 bUSD, at 97.5) closes,
/// after `setup`.
fn closed_share(setup: impl FnOnce()) -> FixedU128 {
	let mut closed = FixedU128::from_u32(0);
	ExtBuilder::default().build_and_execute(|| {
		deposit(ALICE, 100);
		fill(ALICE, 0, size(19));
		set_price(0, FixedU128::from_rational(975, 10));
		setup();
		run_blocks(1);
		margin_events();
		assert_ok!(liquidate(KEEPER, ALICE));
		closed = liquidated_event().0;
		Restricted::set(vec![]);
	});
	closed
}

#[test]
fn a_restriction_or_volatility_does_not_deepen_a_partial_liquidation() {
	// The restored level is the maintenance requirement x 1.5, which neither a monitor
	// restriction (anyone can push a market into one) nor a volatility spike raises at once.
	let plain = closed_share(|| {});
	assert!(plain < FixedU128::from_rational(62, 100), "{plain:?}");
	assert_eq!(closed_share(|| Restricted::set(vec![0])), plain);
	// Volatility raises the maintenance fraction only by its ramp (a block's worth here).
	let volatile = closed_share(|| set_volatility(0, FixedU128::from_u32(4)));
	assert!(volatile < plain + FixedU128::from_rational(1, 100), "{volatile:?} vs {plain:?}");
	// A larger governed buffer closes more.
	let buffered = closed_share(|| {
		Markets::<Test>::mutate(0, |info| {
			if let Some(info) = info {
				info.params.liquidation_buffer = Perbill::from_percent(100);
			}
		})
	});
	assert!(buffered > plain);
}

#[test]
fn collateral_below_the_existential_deposit_stays_collateral_until_the_wallet_can_take_it() {
	use frame_support::traits::{
		fungible::{Inspect, Mutate},
		tokens::Preservation,
	};
	ExtBuilder::default().build_and_execute(|| {
		deposit(ALICE, 1);
		// Alice empties her wallet; half an existential deposit of collateral cannot be paid
		// to it (the wallet would be below the ED): a typed error, nothing moves.
		assert_ok!(Margin::withdraw(RuntimeOrigin::signed(ALICE), BUSD - ED / 2));
		let wallet = Balances::balance(&ALICE);
		assert_ok!(Balances::transfer(&ALICE, &BOB, wallet, Preservation::Expendable));
		assert_noop!(
			Margin::withdraw(RuntimeOrigin::signed(ALICE), ED / 2),
			Error::<Test>::BelowExistentialDeposit
		);
		assert_eq!(Accounts::<Test>::get(ALICE).map(|a| a.collateral), Some(ED / 2));
		// Once the wallet holds an existential deposit, the dust withdraws and the account goes.
		assert_ok!(Balances::transfer(&BOB, &ALICE, ED, Preservation::Preserve));
		assert_ok!(Margin::withdraw(RuntimeOrigin::signed(ALICE), ED / 2));
		assert_eq!(Accounts::<Test>::get(ALICE), None);
		assert_eq!(Balances::balance(&ALICE), ED + ED / 2);
	});
}
