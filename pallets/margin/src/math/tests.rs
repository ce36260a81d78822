//! Reference values of the margin math, each with how it was computed, and properties.

use super::*;
use sp_arithmetic::traits::Zero;

fn price(x: u128) -> Price {
	FixedU128::saturating_from_integer(x)
}

fn size(x: i128) -> SignedSize {
	FixedI128::saturating_from_integer(x)
}

fn fixed(numerator: u128, denominator: u128) -> FixedU128 {
	FixedU128::from_rational(numerator, denominator)
}

mod fills {
	use super::*;

	#[test]
	fn the_fill_price_adds_the_average_skew_premium() {
		// By hand: oracle 100, skew scale 1,000.
		// Skew 0, buy 10: premium (0 + 10) / 2,000 = 0.5%: 100.5.
		assert_eq!(fill_price(price(100), size(0), size(10), price(1_000)), Some(fixed(1_005, 10)));
		// Skew 0, sell 10: premium -0.5%: 99.5.
		assert_eq!(fill_price(price(100), size(0), size(-10), price(1_000)), Some(fixed(995, 10)));
		// Skew -20 (traders short), buy 10: (-20 + -10) / 2,000 = -1.5%: 98.5, a discount for
		// the buyer who shrinks the skew.
		assert_eq!(fill_price(price(100), size(-20), size(10), price(1_000)), Some(fixed(985, 10)));
		// Skew +500 (half the scale), sell 10: (500 + 490) / 2,000 = 49.5%: 149.5.
		assert_eq!(
			fill_price(price(100), size(500), size(-10), price(1_000)),
			Some(fixed(1_495, 10))
		);
	}

	#[test]
	fn the_fill_rounds_against_the_trader() {
		// Oracle 1 unit of 10^-18 over, premium 1/3 of a part: a buy rounds up, a sell down.
		let oracle = FixedU128::from_inner(SCALE + 1);
		let buy = fill_price(oracle, size(0), size(1), price(3)).unwrap();
		let sell = fill_price(oracle, size(0), size(-1), price(3)).unwrap();
		// Exact: (10^18 + 1) x (1 +- 1/6).
		let exact_buy = (SCALE + 1) as f64 * (7.0 / 6.0);
		let exact_sell = (SCALE + 1) as f64 * (5.0 / 6.0);
		assert!(buy.into_inner() as f64 >= exact_buy - 1e3);
		assert!(sell.into_inner() as f64 <= exact_sell + 1e3);
		assert!(buy.into_inner() > SCALE && sell.into_inner() < SCALE);
	}

	#[test]
	fn the_premium_is_clamped_at_fifty_percent_and_a_zero_scale_has_no_fill() {
		// (-1,000 + -1,000) / 2,000 = -100%, clamped to -50%: a sell fills at 50.
		assert_eq!(fill_price(price(100), size(-1_000), size(0), price(1_000)), Some(price(50)));
		// (3,000 + 3,010) / 2,000 = +300%, clamped to +50%: a buy fills at 150.
		assert_eq!(fill_price(price(100), size(3_000), size(10), price(1_000)), Some(price(150)));
		assert_eq!(fill_price(price(100), size(0), size(1), FixedU128::zero()), None);
	}

	#[test]
	fn the_vault_marks_traders_at_the_price_of_closing_the_skew() {
		// Skew +100 of a 1,000 scale at 100: closing it sells from 100 to 0, average premium
		// 100 / 2,000 = 5%: 105. Skew -100: 95.
		assert_eq!(skew_marked_price(price(100), size(100), price(1_000)), Some(price(105)));
		assert_eq!(skew_marked_price(price(100), size(-100), price(1_000)), Some(price(95)));
		// Opening 100 from skew 0 fills at 105 (the same average): the vault's mark of it is
		// 100 x 105 - 100 x 105 = 0, so opening moves no NAV.
		let fill = fill_price(price(100), size(0), size(100), price(1_000)).unwrap();
		assert_eq!(Some(fill), skew_marked_price(price(100), size(100), price(1_000)));
	}
}

mod fees {
	use super::*;

	#[test]
	fn maker_and_taker_parts_follow_the_skew() {
		// Against a skew of -4, a buy of 10 shrinks it by 4 (maker) and grows it by 6 (taker).
		let unit = SCALE;
		assert_eq!(maker_taker_split(size(-4), size(10)), (4 * unit, 6 * unit));
		assert_eq!(maker_taker_split(size(4), size(10)), (0, 10 * unit));
		assert_eq!(maker_taker_split(size(0), size(-3)), (0, 3 * unit));
		assert_eq!(maker_taker_split(size(20), size(-3)), (3 * unit, 0));
	}

	#[test]
	fn the_fee_charges_maker_and_taker_rates_on_their_notional() {
		// By hand: fill 100, maker 4 x 100 = 400 bUSD at 0.02% = 0.08 bUSD, taker 6 x 100 =
		// 600 bUSD at 0.06% = 0.36 bUSD: 0.44 bUSD = 440,000 units.
		let maker = Perbill::from_parts(200_000);
		let taker = Perbill::from_parts(600_000);
		assert_eq!(trade_fee(size(-4), size(10), price(100), maker, taker), Some(440_000));
		// A trade with the skew pays taker on all of it: 10 x 100 x 0.06% = 0.6 bUSD.
		assert_eq!(trade_fee(size(4), size(10), price(100), maker, taker), Some(600_000));
	}
}

mod funding {
	use super::*;

	#[test]
	fn the_rate_follows_the_skew_up_to_its_cap() {
		// By hand: skew 100 over scale 1,000 at coefficient 0.1: 1% a day; capped at 0.5%.
		let coeff = fixed(1, 10);
		assert_eq!(
			funding_rate(size(100), price(1_000), coeff, fixed(1, 10)),
			Some(FixedI128::from_rational(1, 100))
		);
		assert_eq!(
			funding_rate(size(100), price(1_000), coeff, fixed(5, 1_000)),
			Some(FixedI128::from_rational(5, 1_000))
		);
		// Net short: shorts pay, the rate is negative.
		assert_eq!(
			funding_rate(size(-100), price(1_000), coeff, fixed(1, 10)),
			Some(FixedI128::from_inner(-10_000_000_000_000_000))
		);
	}

	#[test]
	fn the_index_accrues_rate_times_price_over_time_and_positions_owe_the_difference() {
		// By hand: 1% a day at price 100 for half a day: the index rises by 0.5 bUSD per unit.
		let rate = FixedI128::from_rational(1, 100);
		let index = accrue_index(FixedI128::zero(), rate, price(100), 43_200, 86_400).unwrap();
		assert_eq!(index, FixedI128::from_rational(1, 2));
		// A long of 10 owes 10 x 0.5 = 5 bUSD; a short of 10 is owed 5 bUSD.
		assert_eq!(funding_owed(size(10), FixedI128::zero(), index), Some(5_000_000));
		assert_eq!(funding_owed(size(-10), FixedI128::zero(), index), Some(-5_000_000));
		// A negative rate lowers the index.
		let down = accrue_index(index, -rate, price(100), 43_200, 86_400).unwrap();
		assert_eq!(down, FixedI128::zero());
	}
}

mod margin {
	use super::*;

	#[test]
	fn the_initial_fraction_follows_volatility_and_utilization_within_bounds() {
		// By hand: 5% + 0.1 x 80% + 0.05 x 50% = 5% + 8% + 2.5% = 15.5%.
		let imf = initial_margin_fraction(
			fixed(5, 100),
			fixed(1, 10),
			fixed(8, 10),
			fixed(5, 100),
			fixed(1, 2),
			fixed(1, 2),
		);
		assert_eq!(imf, fixed(155, 1_000));
		// Volatility of 1,000% a year: 5% + 100% + 0 -> capped at 50%.
		let capped = initial_margin_fraction(
			fixed(5, 100),
			fixed(1, 10),
			price(10),
			fixed(5, 100),
			FixedU128::zero(),
			fixed(1, 2),
		);
		assert_eq!(capped, fixed(1, 2));
		// The maintenance target: 60% of 15.5% = 9.3%.
		assert_eq!(target_maintenance_fraction(imf, Perbill::from_percent(60)), fixed(93, 1_000));
	}

	#[test]
	fn a_restricted_fraction_is_multiplied_above_max_imf_but_never_past_one() {
		// 15.5% x 2 = 31%; the 50% ceiling x 2 = 100% (no leverage); 60% x 2 stops at 100%.
		assert_eq!(restricted_margin_fraction(fixed(155, 1_000), price(2)), fixed(31, 100));
		assert_eq!(restricted_margin_fraction(fixed(1, 2), price(2)), FixedU128::one());
		assert_eq!(restricted_margin_fraction(fixed(6, 10), price(2)), FixedU128::one());
		// Unrestricted: the multiplier 1 changes nothing.
		assert_eq!(restricted_margin_fraction(fixed(155, 1_000), price(1)), fixed(155, 1_000));
	}

	#[test]
	fn the_effective_maintenance_fraction_rises_slowly_and_falls_at_once() {
		// By hand: from 3% towards 9.3% at 1 point an hour: half an hour later 3.5%, ten hours
		// later capped at 9.3%; a lower target applies at once.
		let ramp = fixed(1, 100);
		let hour = 1_200; // blocks of 3 s
		assert_eq!(
			ramped_maintenance_fraction(fixed(3, 100), fixed(93, 1_000), ramp, 600, hour),
			fixed(35, 1_000)
		);
		assert_eq!(
			ramped_maintenance_fraction(fixed(3, 100), fixed(93, 1_000), ramp, 12_000, hour),
			fixed(93, 1_000)
		);
		assert_eq!(
			ramped_maintenance_fraction(fixed(93, 1_000), fixed(3, 100), ramp, 0, hour),
			fixed(3, 100)
		);
	}

	#[test]
	fn a_position_keeps_the_maintenance_fraction_of_when_its_exposure_was_added() {
		// By hand: held to the lower of its own (floored at the governed 3%) and the market's.
		let (floor, own) = (fixed(3, 100), fixed(4, 100));
		assert_eq!(position_maintenance_fraction(own, floor, fixed(12, 100)), fixed(4, 100));
		assert_eq!(position_maintenance_fraction(own, floor, fixed(35, 1_000)), fixed(35, 1_000));
		assert_eq!(position_maintenance_fraction(fixed(2, 100), floor, fixed(12, 100)), floor);
		// 19 held at 3% plus 1 at 12%: (0.57 + 0.12) / 20 = 3.45%; growing a short alike.
		let mean = added_exposure_fraction(size(19), fixed(3, 100), size(20), fixed(12, 100));
		assert_eq!(mean, Some(fixed(345, 10_000)));
		let short = added_exposure_fraction(size(-19), fixed(3, 100), size(-20), fixed(12, 100));
		assert_eq!(short, Some(fixed(345, 10_000)));
		// 1 at 3% plus 2 at 4%: 11 / 300 = 3.6667%, rounded up in the last digit.
		let third = added_exposure_fraction(size(1), fixed(3, 100), size(3), fixed(4, 100));
		assert_eq!(third, Some(FixedU128::from_inner(36_666_666_666_666_667)));
		// A reduction keeps its own; a new or flipped position takes the market's.
		let reduced = added_exposure_fraction(size(19), fixed(3, 100), size(5), fixed(12, 100));
		assert_eq!(reduced, Some(fixed(3, 100)));
		let flipped = added_exposure_fraction(size(19), fixed(3, 100), size(-5), fixed(12, 100));
		assert_eq!(flipped, Some(fixed(12, 100)));
		assert_eq!(
			added_exposure_fraction(size(0), fixed(0, 1), size(5), fixed(7, 100)),
			Some(fixed(7, 100))
		);
	}

	#[test]
	fn requirements_pnl_and_equity() {
		// By hand: 2 BTC at 30,000 = 60,000 bUSD notional; 5% = 3,000 bUSD.
		assert_eq!(margin_requirement(size(2), price(30_000), fixed(5, 100)), Some(3_000_000_000));
		// A long of 2 from 30,000 to 31,000 gains 2,000 bUSD; a short loses it.
		assert_eq!(unrealized_pnl(size(2), price(30_000), price(31_000)), Some(2_000_000_000));
		assert_eq!(unrealized_pnl(size(-2), price(30_000), price(31_000)), Some(-2_000_000_000));
		// Equity: 1,000 collateral + 2,000 PnL - 50 funding = 2,950 bUSD.
		assert_eq!(equity(1_000_000_000, 2_000_000_000, 50_000_000), Some(2_950_000_000));
	}

	#[test]
	fn pnl_rounds_gains_down_and_losses_up() {
		// One 10^-18 of a unit over one 10^-18 of a price: 10^-36 bUSD, far below one unit.
		let tiny = FixedI128::from_inner(1);
		let up = FixedU128::from_inner(SCALE + 1);
		assert_eq!(unrealized_pnl(tiny, price(1), up), Some(0));
		assert_eq!(unrealized_pnl(-tiny, price(1), up), Some(-1));
	}

	#[test]
	fn the_liquidation_price_brings_equity_to_the_maintenance_requirement() {
		// By hand: a long of 1 from 100 with 10 bUSD of other equity at mmf 3%:
		// p = (100 - 10) / (1 x 0.97) = 92.7835...; check: 10 + (92.78 - 100) = 2.78 and
		// 92.78 x 3% = 2.78.
		let long = liquidation_price(size(1), price(100), 10_000_000, fixed(3, 100)).unwrap();
		assert!((long.to_float() - 90.0 / 0.97).abs() < 1e-9, "{long:?}");
		// A short of 1 from 100 with 10 bUSD: p = (-100 - 10) / (-1 x 1.03) = 106.796...
		let short = liquidation_price(size(-1), price(100), 10_000_000, fixed(3, 100)).unwrap();
		assert!((short.to_float() - 110.0 / 1.03).abs() < 1e-9, "{short:?}");
		// A long whose other equity covers its whole notional is never liquidated.
		assert_eq!(liquidation_price(size(1), price(100), 100_000_000, fixed(3, 100)), None);
		assert_eq!(liquidation_price(size(0), price(100), 0, fixed(3, 100)), None);
	}
}

mod liquidation {
	use super::*;

	#[test]
	fn partial_liquidation_closes_the_smallest_share_that_restores_the_initial_margin() {
		// Notional 10,000, IMR 500 (5%), MMR 300 (3%), equity 250, penalty 1.5% (150 on all):
		// f = (500 - 250) / (500 - 150) = 5/7. Check: closing 5/7 costs a penalty of 107.14,
		// leaves equity 142.86 = IMR of the 2/7 left (142.86).
		let f = liquidation_fraction(250, 500, 300, 150, Perbill::from_percent(50)).unwrap();
		assert_eq!(f, SCALE * 5 / 7 + 1);
		// Below 50% of the MMR (150): everything.
		assert_eq!(
			liquidation_fraction(149, 500, 300, 150, Perbill::from_percent(50)),
			Some(SCALE)
		);
		// Negative equity: everything.
		assert_eq!(liquidation_fraction(-1, 500, 300, 0, Perbill::from_percent(10)), Some(SCALE));
		// A penalty as large as the requirement it would free (5% of 10,000): everything.
		assert_eq!(
			liquidation_fraction(250, 500, 300, 500, Perbill::from_percent(10)),
			Some(SCALE)
		);
		// Equity at the IMR: nothing.
		assert_eq!(liquidation_fraction(500, 500, 300, 0, Perbill::from_percent(10)), Some(0));
	}

	#[test]
	fn the_closed_part_rounds_away_from_zero_within_the_position() {
		// A third of 10 units: 3.333...334, and of -10: -3.333...334.
		let third = SCALE / 3;
		assert_eq!(closed_part(size(10), third).unwrap().into_inner(), 3_333_333_333_333_333_330);
		assert_eq!(closed_part(size(-10), SCALE).unwrap(), size(-10));
		assert_eq!(closed_part(size(10), SCALE * 2), Some(size(10)));
	}
}

mod aggregates {
	use super::*;

	#[test]
	fn aggregates_give_open_interest_skew_pnl_and_funding_in_constant_time() {
		// By hand: a long of 2 at 100 (index 0) and a short of 1 at 110 (index 0.5).
		// At price 120 and index 1: PnL = 2 x 20 + (-1) x 10 = 30 bUSD; funding owed =
		// 2 x 1 + (-1) x 0.5 = 1.5 bUSD; OI = 3 x 120 = 360 bUSD; skew +1.
		let half = FixedI128::from_rational(1, 2);
		let mut agg = MarketAggregates::default();
		agg = aggregate_add(agg, size(2), price(100), FixedI128::zero()).unwrap();
		agg = aggregate_add(agg, size(-1), price(110), half).unwrap();
		assert_eq!(agg.positions, 2);
		assert_eq!(net_size(&agg), Some(size(1)));
		assert_eq!(aggregate_open_interest(&agg, price(120)), Some(360_000_000));
		assert_eq!(aggregate_unrealized_pnl(&agg, price(120)), Some(30_000_000));
		assert_eq!(
			aggregate_funding_owed(&agg, FixedI128::saturating_from_integer(1)),
			Some(1_500_000)
		);
		// Closing both leaves nothing behind, exactly.
		agg = aggregate_remove(agg, size(2), price(100), FixedI128::zero()).unwrap();
		agg = aggregate_remove(agg, size(-1), price(110), half).unwrap();
		assert_eq!(agg, MarketAggregates::default());
		// Removing what is not there is refused.
		assert_eq!(aggregate_remove(agg, size(1), price(1), FixedI128::zero()), None);
	}
}

mod properties {
	use super::*;
	use proptest::prelude::*;

	proptest! {
		/// The O(1) aggregates equal the sums over positions: PnL and funding within one unit
		/// per position, open interest and skew exactly; and removing every position returns
		/// the aggregates to zero.
		#[test]
		fn aggregates_equal_the_sums_over_positions(
			positions in prop::collection::vec(
				(-1_000i128..1_000, 1u128..100_000, -1_000i128..1_000),
				1..30,
			),
			mark in 1u128..100_000,
			index_now in -2_000i128..2_000,
		) {
			let index_at = |i: i128| FixedI128::checked_from_rational(i, 1_000i128).unwrap();
			let mut agg = MarketAggregates::default();
			for (s, e, i) in &positions {
				agg = aggregate_add(agg, size(*s), price(*e), index_at(*i)).unwrap();
			}
			let n = positions.len() as i128;
			let pnl: i128 = positions.iter().map(|(s, e, _)| unrealized_pnl(size(*s), price(*e), price(mark)).unwrap()).sum();
			let agg_pnl = aggregate_unrealized_pnl(&agg, price(mark)).unwrap();
			prop_assert!((agg_pnl - pnl).abs() <= n, "PnL {} vs {}", agg_pnl, pnl);
			let owed: i128 = positions.iter().map(|(s, _, i)| funding_owed(size(*s), index_at(*i), index_at(index_now)).unwrap()).sum();
			let agg_owed = aggregate_funding_owed(&agg, index_at(index_now)).unwrap();
			prop_assert!((agg_owed - owed).abs() <= n, "funding {} vs {}", agg_owed, owed);
			let net: i128 = positions.iter().map(|(s, _, _)| *s).sum();
			prop_assert_eq!(net_size(&agg), Some(size(net)));
			let oi: u128 = positions.iter().map(|(s, _, _)| s.unsigned_abs()).sum::<u128>() * mark * BUSD;
			prop_assert_eq!(aggregate_open_interest(&agg, price(mark)), Some(oi));
			for (s, e, i) in positions.iter().rev() {
				agg = aggregate_remove(agg, size(*s), price(*e), index_at(*i)).unwrap();
			}
			prop_assert_eq!(agg, MarketAggregates::default());
		}

		/// A buy never fills below, and a sell never above, the exact formula (computed in
		/// f64 with a relative tolerance of 1e-12).
		#[test]
		fn fills_never_favour_the_trader(
			oracle in 1u128..1_000_000,
			skew in -1_000i128..1_000,
			delta in -500i128..500,
			scale in 1_000u128..100_000,
		) {
			prop_assume!(delta != 0);
			let fill = fill_price(price(oracle), size(skew), size(delta), price(scale));
			// The formula, with the premium clamped at 50% either way.
			let factor = (1.0 + (2 * skew + delta) as f64 / (2.0 * scale as f64)).clamp(0.5, 1.5);
			let exact = oracle as f64 * factor;
			let got = fill.map(|f| f.to_float());
			prop_assert!(got.is_some(), "no fill");
			let got = got.unwrap_or_default();
			if delta > 0 {
				prop_assert!(got >= exact * (1.0 - 1e-12), "buy {} below {}", got, exact);
			} else {
				prop_assert!(got <= exact * (1.0 + 1e-12), "sell {} above {}", got, exact);
			}
		}

		/// A liquidation price really is where equity meets the maintenance requirement.
		#[test]
		fn at_the_liquidation_price_equity_meets_the_requirement(
			entry in 10u128..100_000,
			quantity in 1i128..100,
			long in any::<bool>(),
			rest_bps in 0u128..5_000,
			mmf_bps in 100u128..2_000,
		) {
			let s = if long { quantity } else { -quantity };
			let notional = entry * quantity.unsigned_abs();
			let rest = i128::try_from(notional * rest_bps * BUSD / 10_000).unwrap();
			let mmf = fixed(mmf_bps, 10_000);
			let p = liquidation_price(size(s), price(entry), rest, mmf).unwrap();
			let equity = rest as f64 / BUSD as f64 + s as f64 * (p.to_float() - entry as f64);
			let requirement = quantity as f64 * p.to_float() * mmf.to_float();
			prop_assert!((equity - requirement).abs() <= 1e-6 * notional as f64, "{} vs {}", equity, requirement);
		}
	}
}

#[test]
fn a_forced_fill_is_the_worse_of_oracle_and_skew_fill_for_the_trader() {
	let scale = FixedU128::from_u32(10_000);
	let oracle = FixedU128::from_u32(100);
	let units = |n: i128| FixedI128::from_inner(n * 1_000_000_000_000_000_000);
	// Buying 10 into a flat skew fills at 100 x (1 + 10 / 20,000) = 100.05: above the oracle.
	assert_eq!(
		forced_fill(oracle, units(0), units(10), scale),
		Some(FixedU128::from_rational(10_005, 100))
	);
	// Selling 10 into a flat skew: 99.95, below it.
	assert_eq!(
		forced_fill(oracle, units(0), units(-10), scale),
		Some(FixedU128::from_rational(9_995, 100))
	);
	// Selling 10 out of a long skew of 100 would fill at 100.95: the oracle's 100 instead.
	assert_eq!(forced_fill(oracle, units(100), units(-10), scale), Some(oracle));
}

/// Every rounding goes against the trader, checked where the two directions differ by one unit
/// (10^-6 bUSD): a wrong direction fails these, which a tolerance would not see.
mod rounding {
	use super::*;

	/// A third of a unit: `1/3 x 10^18` inner, so products with it are never whole.
	fn third() -> SignedSize {
		FixedI128::from_inner(333_333_333_333_333_333)
	}

	#[test]
	fn requirements_and_notionals_round_up_for_the_protocol() {
		// 1/3 unit at 1 bUSD: 333,333.333... units; up 333,334, down 333,333.
		assert_eq!(notional(third(), price(1), Rounding::Up), Some(333_334));
		assert_eq!(notional(third(), price(1), Rounding::Down), Some(333_333));
		// Its 5% requirement on the rounded-up notional, rounded up: 16,666.7 -> 16,667.
		assert_eq!(margin_requirement(third(), price(1), fixed(5, 100)), Some(16_667));
	}

	#[test]
	fn pnl_rounds_gains_down_and_losses_up() {
		// Long 1/3 from 1 to 2: a gain of 333,333.33 units, paid 333,333.
		assert_eq!(unrealized_pnl(third(), price(1), price(2)), Some(333_333));
		// Long 1/3 from 2 to 1: a loss of 333,333.33, charged 333,334.
		assert_eq!(unrealized_pnl(third(), price(2), price(1)), Some(-333_334));
		// A short alike.
		let short = FixedI128::from_inner(-333_333_333_333_333_333);
		assert_eq!(unrealized_pnl(short, price(2), price(1)), Some(333_333));
		assert_eq!(unrealized_pnl(short, price(1), price(2)), Some(-333_334));
	}

	#[test]
	fn funding_rounds_what_is_paid_up_and_what_is_received_down() {
		// The index moved by 1 bUSD a unit: a third of a unit long owes 333,333.33 -> 333,334;
		// a third short is owed it -> 333,333 (negative: received).
		let moved = FixedI128::saturating_from_integer(1);
		assert_eq!(funding_owed(third(), FixedI128::zero(), moved), Some(333_334));
		let short = FixedI128::from_inner(-333_333_333_333_333_333);
		assert_eq!(funding_owed(short, FixedI128::zero(), moved), Some(-333_333));
	}

	#[test]
	fn fees_round_up() {
		// A taker third of a unit at 1 bUSD: notional up to 333,334, 0.06% = 200.0004 -> 201.
		let taker = Perbill::from_parts(600_000);
		assert_eq!(trade_fee(size(0), third(), price(1), taker, taker), Some(201));
	}

	#[test]
	fn fills_round_against_the_trader() {
		// From skew 0, a buy of 1 at 3 with a scale of 7: 3 x (1 + 1/14) = 3.2142857142857142857...
		// up for a buy; a sell of 1: 3 x (1 - 1/14) = 2.7857142857142857142... down.
		// The premium and the product each round against the trader, so a fill may sit one
		// more 10^-18 step away; rounding towards the trader would give ...285 and ...715.
		let buy = fill_price(price(3), size(0), size(1), price(7)).unwrap();
		assert!(
			(3_214_285_714_285_714_286..=3_214_285_714_285_714_287).contains(&buy.into_inner()),
			"{buy:?}"
		);
		let sell = fill_price(price(3), size(0), size(-1), price(7)).unwrap();
		assert!(
			(2_785_714_285_714_285_713..=2_785_714_285_714_285_714).contains(&sell.into_inner()),
			"{sell:?}"
		);
	}
}

mod exposure {
	use super::*;

	#[test]
	fn only_a_reduction_towards_zero_on_the_same_side_adds_no_exposure() {
		// Opening, either side.
		assert!(adds_exposure(size(0), size(5)));
		assert!(adds_exposure(size(0), size(-5)));
		// Adding, either side.
		assert!(adds_exposure(size(10), size(1)));
		assert!(adds_exposure(size(-10), size(-1)));
		// Reducing, in part or in full.
		assert!(!adds_exposure(size(10), size(-4)));
		assert!(!adds_exposure(size(10), size(-10)));
		assert!(!adds_exposure(size(-10), size(10)));
		// Flipping past zero opens the other side.
		assert!(adds_exposure(size(10), size(-11)));
		assert!(adds_exposure(size(-10), size(11)));
		// Nothing traded adds nothing.
		assert!(!adds_exposure(size(10), size(0)));
		assert!(!adds_exposure(size(0), size(0)));
	}
}
