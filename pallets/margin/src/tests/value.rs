//! Tests that can see value move (issue 22): conservation checks sum a closed system, which no
//! transfer between its parties can change. Here each party's value is tracked on its own.
//!
//! An owner H holds three accounts: `A` and `B` with mirrored positions (A long, B short, the
//! same size in the same market) and its own keeper `K`. Another trader `C` holds background
//! positions (a skew, and the profit that triggers ADL) and a keeper `D` competes. Prices walk in steps and gaps, markets halt and go stale,
//! volatility spikes, the monitor restricts; anyone, H's own accounts included, liquidates and
//! deleverages; markets settle. After every operation:
//!
//! - **H never gains**: its value (wallets, collateral, and the positions at the oracle median,
//!   funding owed deducted) is never above its start plus the bad debt its accounts left
//!   (a loss beyond collateral, tracked from `BadDebt`: insurance's and the vault's loss, not a
//!   profit H made by trading), plus what its net exposure earned while it was not hedged
//!   (tracked: the price moves and funding of that exposure). After every operation H
//!   rebalances (the larger leg trades down to the other): a liquidation or deleveraging of one
//!   leg by anyone, H's own keeper included, followed by closing the other, is the attack of
//!   issue 22 item 2. A hedged owner can only pay fees, premiums and penalties.
//! - **Insurance changes only by what events say**: its funds and unsettled balances move by the
//!   insurance share of fees, the penalties less keeper rewards, less the bad debt it covered.
//! - **bUSD is conserved** and the pallet's invariants hold.
//!
//! At the end H closes what it holds: its realized value (wallets and collateral only, no mark)
//! obeys the same bound. Over the run a stated share of cases liquidates and deleverages.

use crate::{mock::*, Accounts, Error, Event, Markets};
use bulwark_primitives::{currency::BUSD, MarketStatus, Price};
use frame_support::traits::fungible::Inspect;
use proptest::{prelude::*, test_runner::TestRunner};
use sp_runtime::{traits::Zero, DispatchError, FixedI128, FixedPointNumber, FixedU128, Perbill};

const A: AccountId = 1;
const B: AccountId = 2;
const K: AccountId = 3;
const C: AccountId = 4;
const D: AccountId = 5;
const OWNER: [AccountId; 3] = [A, B, K];
const TRADERS: [AccountId; 5] = [A, B, K, C, D];
/// Markets of the test and their starting prices.
const MARKETS: [(u32, u128); 2] = [(0, 100), (1, 2_000)];
/// Rounding allowed per operation, bUSD units (10^-6 bUSD): fills, funding and fees round.
const ROUNDING: i128 = 20;

#[derive(Clone, Debug)]
enum Op {
	/// H opens mirrored positions in the market: A buys and B sells the same size, tenths of
	/// 10x the 5,000 bUSD each account starts with.
	Mirror(u32, u32),
	/// The median moves by `bps` basis points (the EMA stays).
	Step(u32, i32),
	/// The median jumps by `pct` percent and the breaker halts the market.
	Gap(u32, i32),
	/// The market's status: 0 Active (the EMA catches up), 1 Halted, 2 Stale.
	Status(u32, u8),
	/// Annualized volatility, percent.
	Volatility(u32, u32),
	/// The monitor restricts the market or lifts it.
	Restrict(u32, bool),
	/// Blocks pass (funding accrues, the maintenance ramp moves, markets settle).
	Wait(u32),
	/// A keeper pass by this keeper (H's own accounts included).
	Liquidate(AccountId),
	/// This caller deleverages this account in this market.
	Deleverage(AccountId, AccountId, u32),
}

fn op() -> impl Strategy<Value = Op> {
	let market = 0u32..2;
	let keeper = prop_oneof![Just(K), Just(D), Just(A), Just(B)];
	prop_oneof![
		2 => (market.clone(), 5u32..10).prop_map(|(m, t)| Op::Mirror(m, t)),
		10 => (market.clone(), -400i32..400).prop_map(|(m, b)| Op::Step(m, b)),
		1 => (market.clone(), -15i32..15).prop_map(|(m, p)| Op::Gap(m, p)),
		1 => (market.clone(), 0u8..3).prop_map(|(m, s)| Op::Status(m, s)),
		1 => (market.clone(), 0u32..300).prop_map(|(m, v)| Op::Volatility(m, v)),
		1 => (market.clone(), any::<bool>()).prop_map(|(m, r)| Op::Restrict(m, r)),
		1 => (1u32..50).prop_map(Op::Wait),
		6 => keeper.clone().prop_map(Op::Liquidate),
		2 => (keeper, prop_oneof![Just(A), Just(B)], market)
			.prop_map(|(k, w, m)| Op::Deleverage(k, w, m)),
	]
}

/// What a run counted, over all cases.
#[derive(Default, Debug)]
struct Stats {
	cases: u32,
	liquidations: u32,
	owner_liquidated: u32,
	bad_debts: u32,
	deleverages: u32,
	mirrors: u32,
}

/// `who`'s value: wallet, collateral and positions at the oracle median (whatever the status),
/// funding owed deducted.
fn value_of(who: AccountId) -> i128 {
	let wallet = i128::try_from(Balances::balance(&who)).unwrap();
	let Some(view) = Margin::account_view(&who) else { return wallet };
	let positions: i128 = view
		.positions
		.iter()
		.map(|p| {
			let median = median(p.market);
			crate::math::unrealized_pnl(p.signed_size, p.entry_price, median).unwrap()
				- p.funding_owed
		})
		.sum();
	wallet + i128::try_from(view.collateral).unwrap() + positions
}

fn owner_value() -> i128 {
	OWNER.iter().map(|w| value_of(*w)).sum()
}

/// Insurance's value: every fund and what custody holds for it.
fn insurance() -> i128 {
	MARKETS
		.iter()
		.map(|(m, _)| {
			i128::try_from(Balances::balance(&fund_of(*m)) + market_info(*m).insurance_balance)
				.unwrap()
		})
		.sum()
}

fn market_info(market: u32) -> crate::MarketInfo {
	Markets::<Test>::get(market).unwrap()
}

fn busd_total() -> u128 {
	let mut total = Balances::balance(&Margin::custody_account());
	for who in TRADERS {
		total += Balances::balance(&who);
	}
	for m in 0..5 {
		total += Balances::balance(&vault_of(m)) + Balances::balance(&fund_of(m));
	}
	total
}

/// What the events since the last call say moved.
#[derive(Default)]
struct Tally {
	/// Insurance's expected change.
	insurance: i128,
	/// Bad debt H's accounts left (with the flat fee a keeper earned for it).
	owner_debt: i128,
	/// Keeper rewards H's keeper earned liquidating others: a service, not a trading gain.
	owner_rewards: i128,
	liquidations: u32,
	owner_liquidated: u32,
	bad_debts: u32,
	deleverages: u32,
}

fn tally(events: Vec<Event<Test>>) -> Tally {
	let share = Perbill::from_percent(20);
	let mut t = Tally::default();
	let mut bankrupt_fee_paid = Vec::new();
	for event in events.iter() {
		if let Event::BadDebt { who, shortfall, covered, .. } = event {
			t.insurance -= i128::try_from(*covered).unwrap();
			t.bad_debts += 1;
			if OWNER.contains(who) {
				t.owner_debt += i128::try_from(*shortfall).unwrap();
			}
			bankrupt_fee_paid.push(*who);
		}
	}
	for event in events {
		match event {
			Event::Traded { fee, .. } => {
				t.insurance += i128::try_from(share.mul_floor(fee)).unwrap();
			},
			Event::Liquidated { who, keeper, penalty, keeper_reward, .. } => {
				t.liquidations += 1;
				t.owner_liquidated += u32::from(OWNER.contains(&who));
				if OWNER.contains(&keeper) && !OWNER.contains(&who) {
					t.owner_rewards += i128::try_from(keeper_reward).unwrap();
				}
				// The flat fee for a bankrupt account is charged with the bad debt, not the
				// penalty.
				let fee =
					if keeper != who && bankrupt_fee_paid.contains(&who) { 5 * BUSD } else { 0 };
				t.insurance +=
					i128::try_from(penalty).unwrap() - i128::try_from(keeper_reward - fee).unwrap();
			},
			Event::Deleveraged { .. } => t.deleverages += 1,
			_ => {},
		}
	}
	t
}

/// Every account a keeper pass looks at.
fn keeper_pass(keeper: AccountId) -> Result<(), TestCaseError> {
	for who in TRADERS {
		if !Margin::is_liquidatable(&who) {
			continue;
		}
		let result =
			Margin::liquidate(RuntimeOrigin::signed(keeper), who).map(|_| ()).map_err(|e| e.error);
		prop_assert!(
			result.is_ok() || result == Err(Error::<Test>::LiquidationCapReached.into()),
			"liquidating {}: {:?}",
			who,
			result
		);
	}
	Ok(())
}

fn trade(who: AccountId, market: u32, delta: FixedI128) -> Result<(), DispatchError> {
	let account = Accounts::<Test>::get(who).ok_or(Error::<Test>::NoAccount)?;
	let limit = if delta.is_positive() { price(u32::MAX as u128) } else { price(0) };
	Margin::do_trade(&who, account, market, delta, Some(limit), current_round()).map(|_| ())
}

/// Trade refusals a generated trade may meet.
fn refused(error: DispatchError) -> bool {
	[
		Error::<Test>::MarginTooLow,
		Error::<Test>::ReduceOnly,
		Error::<Test>::PriceStale,
		Error::<Test>::PriceNotUsable,
		Error::<Test>::SkewCapExceeded,
		Error::<Test>::OpenInterestCapExceeded,
		Error::<Test>::LossExceedsCollateral,
		Error::<Test>::PositionTooSmall,
		Error::<Test>::ZeroSize,
		Error::<Test>::VaultCannotPay,
		Error::<Test>::TooManyPositions,
		Error::<Test>::NoAccount,
	]
	.into_iter()
	.any(|e| error == e.into())
}

fn set_median(market: u32, price: Price) {
	aggregate(market, price);
}

/// The oracle's median of `market`.
fn median(market: u32) -> Price {
	use bulwark_primitives::PriceFeed;
	PricesStub::price_info(market).unwrap().price
}

/// H's net size in `market` (A's long and B's short).
fn exposure(market: u32) -> FixedI128 {
	OWNER
		.iter()
		.filter_map(Accounts::<Test>::get)
		.fold(FixedI128::zero(), |net, a| net + a.size_in(market))
}

/// Funding H's positions owe now (negative: they are owed).
fn owner_funding() -> i128 {
	OWNER
		.iter()
		.filter_map(Margin::account_view)
		.flat_map(|v| v.positions.into_iter().map(|p| p.funding_owed))
		.sum()
}

/// H trades its larger leg down to the other, so that it holds no net exposure.
fn rebalance() -> Result<(), TestCaseError> {
	for (m, _) in MARKETS {
		let net = exposure(m);
		if net.is_zero() {
			continue;
		}
		let (who, delta) = if net.is_positive() { (A, -net) } else { (B, -net) };
		if let Err(error) = trade(who, m, delta) {
			prop_assert!(refused(error), "rebalancing: {:?}", error);
		}
	}
	Ok(())
}

fn run_case(
	(background, ops): (Vec<i32>, Vec<Op>),
	stats: &mut Stats,
) -> Result<(), TestCaseError> {
	ExtBuilder::default().build().execute_with(|| {
		// ADL in reach: it starts at 0.01% of the vault's payable cash (100 bUSD of traders'
		// profit), stops at 0.005%.
		for (m, _) in MARKETS {
			Markets::<Test>::mutate(m, |info| {
				let params = &mut info.as_mut().unwrap().params;
				params.adl_trigger = Perbill::from_parts(100_000);
				params.adl_target = Perbill::from_parts(50_000);
			});
		}
		for who in TRADERS {
			assert!(Margin::deposit(RuntimeOrigin::signed(who), 5_000 * BUSD).is_ok());
		}
		// C's background positions (bUSD of notional per market), opened before H trades and
		// never liquidatable: they give the markets a skew and, as prices move, the traders'
		// profit that triggers ADL. C trades no more: a third trader's trades and forced
		// closes move the skew, and whoever closes against it next collects the premium, a
		// transfer between traders that this test keeps out of H's account.
		assert!(Margin::deposit(RuntimeOrigin::signed(C), 90_000 * BUSD).is_ok());
		for ((m, _), notional) in MARKETS.iter().zip(background) {
			let units = FixedU128::from_u32(notional.unsigned_abs()) / median(*m);
			let units = i128::try_from(units.into_inner()).unwrap();
			let delta = FixedI128::from_inner(if notional < 0 { -units } else { units });
			prop_assert!(trade(C, *m, delta).is_ok());
		}
		margin_events();
		let start_total = busd_total();
		let start = owner_value();
		let start_insurance = insurance();
		let (mut expected_insurance, mut owner_debt) = (start_insurance, 0i128);
		let mut steps: i128 = 0;
		// What H's net exposure earned while it was not hedged (price moves, funding), and its
		// keeper's rewards for liquidating others.
		let mut exposure_earned = 0i128;
		for op in ops {
			steps += 1;
			let moved_market = match op {
				Op::Step(m, _) | Op::Gap(m, _) => Some((m, exposure(m), median(m))),
				_ => None,
			};
			let funding_before = owner_funding();
			run_one(op.clone(), stats)?;
			if let Some((m, net, before)) = moved_market {
				exposure_earned +=
					crate::math::unrealized_pnl(net, before, median(m)).unwrap().max(0);
			}
			if let Op::Wait(_) = op {
				exposure_earned += (funding_before - owner_funding()).max(0);
			}
			rebalance()?;
			let t = tally(margin_events());
			expected_insurance += t.insurance;
			owner_debt += t.owner_debt;
			exposure_earned += t.owner_rewards;
			stats.liquidations += t.liquidations;
			stats.owner_liquidated += t.owner_liquidated;
			stats.bad_debts += t.bad_debts;
			stats.deleverages += t.deleverages;
			let value = owner_value();
			prop_assert!(
				value <= start + owner_debt + exposure_earned + ROUNDING * steps,
				"H gained {} (bad debt {}, exposure {}) after {:?}",
				value - start,
				owner_debt,
				exposure_earned,
				(0..3).map(|w| Margin::account_view(&OWNER[w])).collect::<Vec<_>>()
			);
			prop_assert!(
				(insurance() - expected_insurance).abs() <= steps,
				"insurance {} expected {}",
				insurance(),
				expected_insurance
			);
			prop_assert_eq!(busd_total(), start_total);
			check_invariants();
		}
		// H closes everything it can at the last prices, every market Active again.
		for (m, _) in MARKETS {
			set_price(m, median(m));
		}
		Restricted::set(Vec::new());
		for who in OWNER {
			for (m, _) in MARKETS {
				let size = Accounts::<Test>::get(who).map_or(FixedI128::zero(), |a| a.size_in(m));
				if !size.is_zero() {
					if let Err(error) = trade(who, m, FixedI128::from_inner(-size.into_inner())) {
						prop_assert!(refused(error), "{:?}", error);
					}
				}
			}
		}
		owner_debt += tally(margin_events()).owner_debt;
		let open =
			OWNER.iter().any(|w| Accounts::<Test>::get(w).is_some_and(|a| !a.positions.is_empty()));
		if !open {
			let realized: i128 = OWNER
				.iter()
				.map(|w| {
					i128::try_from(
						Balances::balance(w) + Accounts::<Test>::get(w).map_or(0, |a| a.collateral),
					)
					.unwrap()
				})
				.sum();
			prop_assert!(
				realized <= start + owner_debt + exposure_earned + ROUNDING * steps,
				"H realized a gain of {} (bad debt {}, exposure {})",
				realized - start,
				owner_debt,
				exposure_earned
			);
		}
		stats.cases += 1;
		Ok(())
	})
}

/// 1,000 random runs. A stated share of them liquidates and deleverages (see the closing
/// assertions), so that the bound is tested where value moves.
#[test]
fn a_hedged_owner_never_gains_and_insurance_moves_only_by_its_events() {
	let mut runner = TestRunner::new(ProptestConfig::with_cases(1_000));
	let stats = std::cell::RefCell::new(Stats::default());
	let background = proptest::collection::vec(
		prop_oneof![(1_000i32..20_000).prop_map(|n| -n), 1_000i32..20_000],
		2,
	);
	let strategy = (background, proptest::collection::vec(op(), 20..80));
	let result = runner.run(&strategy, |ops| run_case(ops, &mut stats.borrow_mut()));
	assert!(result.is_ok(), "{result:?}");
	let stats = stats.into_inner();
	std::eprintln!("{stats:?}");
	// Measured over 1,000 cases: about 0.9 mirrored openings, 0.28 liquidations (all of H's
	// accounts, 0.16 with bad debt) and 0.06 deleveragings per case.
	assert!(stats.mirrors * 10 >= stats.cases * 7, "{stats:?}");
	assert!(stats.owner_liquidated * 5 >= stats.cases, "{stats:?}");
	assert!(stats.bad_debts * 10 >= stats.cases, "{stats:?}");
	assert!(stats.deleverages * 30 >= stats.cases, "{stats:?}");
}

fn run_one(op: Op, stats: &mut Stats) -> Result<(), TestCaseError> {
	match op {
		Op::Mirror(m, tenths) => {
			// A liquidated leg's account may be gone: it deposits again from its wallet.
			for who in [A, B] {
				if Accounts::<Test>::get(who).is_none() {
					assert!(Margin::deposit(RuntimeOrigin::signed(who), 1_000 * BUSD).is_ok());
				}
			}
			let base = median(m);
			// Tenths of 10x the 5,000 bUSD each account holds.
			let notional = FixedU128::from_u32(5_000 * tenths);
			let units = (notional / base).into_inner() as i128;
			let long = trade(A, m, FixedI128::from_inner(units));
			let short = long.and_then(|()| trade(B, m, FixedI128::from_inner(-units)));
			match short {
				Ok(()) => stats.mirrors += 1,
				Err(error) => prop_assert!(refused(error), "{:?}", error),
			}
		},
		Op::Step(m, bps) => {
			let median = median(m);
			let moved = FixedU128::from_rational((10_000 + bps) as u128, 10_000);
			set_median(m, median * moved);
		},
		Op::Gap(m, pct) => {
			let median = median(m);
			let moved = FixedU128::from_rational((100 + pct) as u128, 100);
			set_median(m, median * moved);
			set_status(m, MarketStatus::Halted);
		},
		Op::Status(m, status) => match status {
			// Resuming: the EMA has caught up with the median.
			0 => set_price(m, median(m)),
			1 => set_status(m, MarketStatus::Halted),
			_ => set_status(m, MarketStatus::Stale),
		},
		Op::Volatility(m, v) => set_volatility(m, FixedU128::from_rational(v as u128, 100)),
		Op::Restrict(m, on) => {
			let mut restricted = Restricted::get();
			restricted.retain(|r| *r != m);
			if on {
				restricted.push(m);
			}
			Restricted::set(restricted);
		},
		Op::Wait(n) => run_blocks(n),
		Op::Liquidate(keeper) => keeper_pass(keeper)?,
		Op::Deleverage(caller, who, m) => {
			let result = Margin::deleverage(RuntimeOrigin::signed(caller), m, who)
				.map(|_| ())
				.map_err(|e| e.error);
			let allowed = [
				Error::<Test>::DeleverageNotNeeded,
				Error::<Test>::NotInProfit,
				Error::<Test>::NoPosition,
				Error::<Test>::NoAccount,
				Error::<Test>::SelfDeleverage,
				Error::<Test>::AlreadyDeleveraged,
				Error::<Test>::PriceNotUsable,
				Error::<Test>::VaultCannotPay,
			];
			prop_assert!(
				result.is_ok() || allowed.into_iter().any(|e| result == Err(e.into())),
				"{:?}",
				result
			);
		},
	}
	Ok(())
}
