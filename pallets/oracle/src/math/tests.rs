//! Tests of the oracle math: reference values (stated per test) and properties.

use super::*;

fn p(x: f64) -> Price {
	FixedU128::from_float(x)
}

fn n(x: u128) -> Price {
	FixedU128::from_u32(x as u32)
}

mod median {
	use super::*;

	#[test]
	fn odd_count_equal_weights_is_the_middle_price() {
		let mut e = vec![(n(3), 1), (n(1), 1), (n(2), 1)];
		assert_eq!(weighted_median(&mut e), Some(n(2)));
	}

	#[test]
	fn even_count_equal_weights_is_the_lower_of_the_middle_two() {
		let mut e = vec![(n(4), 10), (n(1), 10), (n(3), 10), (n(2), 10)];
		assert_eq!(weighted_median(&mut e), Some(n(2)));
	}

	#[test]
	fn two_equal_clusters_give_a_submitted_price_not_their_midpoint() {
		// The review's case: 100 and 107 with equal bonds. The mean, 103.5, is a price nobody
		// submitted and 3.4% from both clusters, so every honest submitter would be reported.
		let mut e = vec![(n(107), 1_000), (n(100), 1_000)];
		assert_eq!(weighted_median(&mut e), Some(n(100)));
		// Three operators, 100 / 100 / 107 with bonds 1,000 / 1,000 / 2,000.
		let mut e = vec![(n(100), 1_000), (n(100), 1_000), (n(107), 2_000)];
		assert_eq!(weighted_median(&mut e), Some(n(100)));
	}

	#[test]
	fn unequal_weights_follow_the_bond() {
		// 100 @ weight 5 outweighs 101, 102 @ weight 2 each: cumulative 5 > 4 at 100.
		let mut e = vec![(n(102), 2), (n(100), 5), (n(101), 2)];
		assert_eq!(weighted_median(&mut e), Some(n(100)));
		// Weights 1, 1, 3, 1 over 10, 11, 12, 13: cumulative 2 < 4, 5 > 1 at 12.
		let mut e = vec![(n(10), 1), (n(11), 1), (n(12), 3), (n(13), 1)];
		assert_eq!(weighted_median(&mut e), Some(n(12)));
	}

	#[test]
	fn an_exact_half_split_takes_the_lower_price() {
		let mut e = vec![(n(10), 3), (n(20), 1), (n(30), 2)];
		// cumulative: 3 == 3 at 10 -> 10.
		assert_eq!(weighted_median(&mut e), Some(n(10)));
	}

	#[test]
	fn zero_weights_are_ignored_and_all_zero_is_none() {
		let mut e = vec![(n(1), 0), (n(7), 4), (n(1_000), 0)];
		assert_eq!(weighted_median(&mut e), Some(n(7)));
		let mut e = vec![(n(1), 0), (n(2), 0)];
		assert_eq!(weighted_median(&mut e), None);
		assert_eq!(weighted_median(&mut []), None);
	}

	#[test]
	fn a_single_entry_is_the_median() {
		let mut e = vec![(p(0.5), 1)];
		assert_eq!(weighted_median(&mut e), Some(p(0.5)));
	}
}

mod deviation {
	use super::*;

	#[test]
	fn relative_to_the_reference() {
		assert_eq!(relative_deviation(n(103), n(100)), Perbill::from_percent(3));
		assert_eq!(relative_deviation(n(97), n(100)), Perbill::from_percent(3));
		assert_eq!(relative_deviation(n(100), n(100)), Perbill::zero());
		assert_eq!(relative_deviation(n(300), n(100)), Perbill::one());
		assert_eq!(relative_deviation(n(1), FixedU128::zero()), Perbill::one());
		assert_eq!(relative_deviation(FixedU128::zero(), FixedU128::zero()), Perbill::zero());
	}
}

mod ema {
	use super::*;

	#[test]
	fn moves_alpha_of_the_way() {
		assert_eq!(ema(n(100), n(110), Perbill::from_percent(10)), n(101));
		assert_eq!(ema(n(100), n(90), Perbill::from_percent(10)), n(99));
		assert_eq!(ema(n(100), n(200), Perbill::one()), n(200));
		assert_eq!(ema(n(100), n(200), Perbill::zero()), n(100));
	}

	#[test]
	fn matches_the_closed_form_of_a_constant_input() {
		// Reference: after k steps towards a constant c from e0, e_k = c + (e0 - c)(1 - a)^k.
		// From 100 towards 200 with a = 0.2, k = 10: 200 - 100 * 0.8^10 = 189.26258176.
		let mut e = n(100);
		for _ in 0..10 {
			e = ema(e, n(200), Perbill::from_percent(20));
		}
		let expected = 200.0 - 100.0 * 0.8f64.powi(10);
		assert!((e.to_float() - expected).abs() < 1e-9, "{} vs {}", e.to_float(), expected);
	}
}

mod logarithm {
	use super::*;

	#[test]
	fn matches_f64_ln_across_the_range() {
		// Reference: Rust's f64::ln (correctly rounded to ~1e-16 relative).
		for x in [
			1e-18,
			1e-9,
			0.001,
			0.5,
			0.9,
			0.99,
			1.0,
			1.01,
			1.1,
			2.0,
			core::f64::consts::E,
			10.0,
			1e6,
			1e12,
			3.4e20,
		] {
			let got = ln(FixedU128::from_float(x)).unwrap().to_float();
			// from_float truncates x to 18 decimals; compare with ln of what was represented.
			let represented = FixedU128::from_float(x).to_float();
			let want = represented.ln();
			assert!(
				(got - want).abs() < 1e-12 * want.abs().max(1.0),
				"ln({x}) = {got}, want {want}"
			);
		}
	}

	#[test]
	fn exact_reference_values() {
		assert_eq!(ln(FixedU128::from_u32(1)), Some(FixedI128::zero()));
		// ln 2 = 0.693147180559945309417...; series sum rounds down by at most a few units.
		let ln2 = ln(n(2)).unwrap().into_inner();
		assert!((LN_2 - ln2).abs() < 100, "{ln2}");
		// ln(e) = 1 with e = 2.718281828459045235 (18 decimals).
		let e = FixedU128::from_inner(2_718_281_828_459_045_235);
		let ln_e = ln(e).unwrap().into_inner();
		assert!((ln_e - 1_000_000_000_000_000_000).abs() < 1_000, "{ln_e}");
	}

	#[test]
	fn zero_has_no_logarithm_and_extremes_do() {
		assert_eq!(ln(FixedU128::zero()), None);
		assert!(ln(FixedU128::from_inner(1)).is_some());
		assert!(ln(FixedU128::from_inner(u128::MAX)).is_some());
	}

	#[test]
	fn log_return_is_antisymmetric() {
		let up = log_return(n(100), n(110)).unwrap();
		let down = log_return(n(110), n(100)).unwrap();
		assert_eq!(up.into_inner(), -down.into_inner());
		assert!((up.to_float() - (1.1f64).ln()).abs() < 1e-15);
		assert_eq!(log_return(FixedU128::zero(), n(1)), None);
	}
}

mod volatility {
	use super::*;

	/// Rounds in a year at 2-block rounds of 3 s: 365 x 24 x 3,600 / 6.
	const ROUNDS_PER_YEAR: u32 = 5_256_000;

	#[test]
	fn ewma_variance_reference_values() {
		// Reference: RiskMetrics with decay 0.94 from variance 0 on returns r1 = ln(101/100),
		// r2 = ln(99/101), one round each, annualized: v1 = 0.06 N r1^2,
		// v2 = 0.94 v1 + 0.06 N r2^2 with N = 5,256,000 rounds a year (computed in f64).
		let decay = Perbill::from_percent(94);
		let year = f64::from(ROUNDS_PER_YEAR);
		let r1 = log_return(n(100), n(101)).unwrap();
		let r2 = log_return(n(101), n(99)).unwrap();
		let v1 = ewma_variance(FixedU128::zero(), annualized_sample(r1, 1, ROUNDS_PER_YEAR), decay);
		let v2 = ewma_variance(v1, annualized_sample(r2, 1, ROUNDS_PER_YEAR), decay);
		let f1 = 0.06 * year * (1.01f64).ln().powi(2);
		let f2 = 0.94 * f1 + 0.06 * year * (99.0f64 / 101.0).ln().powi(2);
		assert!((v1.to_float() - f1).abs() < 1e-9 * f1, "{} vs {}", v1.to_float(), f1);
		assert!((v2.to_float() - f2).abs() < 1e-9 * f2, "{} vs {}", v2.to_float(), f2);
		// sqrt(f2) = 12.47...: a 1% move every 6-second round is a volatility of over 1,000%
		// a year.
		let vol = volatility(v2).unwrap().to_float();
		assert!((vol - f2.sqrt()).abs() < 1e-9, "{vol} vs {}", f2.sqrt());
	}

	#[test]
	fn a_one_percent_daily_move_is_about_nineteen_percent_a_year() {
		// Reference: one round a day (365 a year), r = ln(1.01) every round, decay 0: the
		// annualized volatility is ln(1.01) x sqrt(365) = 0.19010...
		let r = log_return(n(100), n(101)).unwrap();
		let v = ewma_variance(FixedU128::zero(), annualized_sample(r, 1, 365), Perbill::zero());
		let vol = volatility(v).unwrap().to_float();
		let want = (1.01f64).ln() * 365f64.sqrt();
		assert!((vol - want).abs() < 1e-9, "{vol} vs {want}");
		assert!((vol - 0.190_10).abs() < 1e-4);
	}

	#[test]
	fn a_return_across_k_rounds_counts_as_k_rounds() {
		// Reference: the same 4% move over 4 rounds is a per-round standard deviation of
		// 4% / sqrt(4), so its variance sample is a quarter of a one-round 4% move's.
		let r = log_return(n(100), n(104)).unwrap();
		let one = annualized_sample(r, 1, ROUNDS_PER_YEAR);
		let four = annualized_sample(r, 4, ROUNDS_PER_YEAR);
		let ratio = one.to_float() / four.to_float();
		assert!((ratio - 4.0).abs() < 1e-9, "{ratio}");
		// Volatility ratio sqrt(4) = 2.
		let vol_ratio = volatility(one).unwrap().to_float() / volatility(four).unwrap().to_float();
		assert!((vol_ratio - 2.0).abs() < 1e-9, "{vol_ratio}");
		// Zero rounds counts as one.
		assert_eq!(annualized_sample(r, 0, ROUNDS_PER_YEAR), one);
	}

	#[test]
	fn constant_prices_decay_the_variance() {
		let decay = Perbill::from_percent(90);
		let v = ewma_variance(n(1), annualized_sample(FixedI128::zero(), 1, 100), decay);
		assert_eq!(v, p(0.9));
	}

	#[test]
	fn huge_returns_saturate_instead_of_overflowing() {
		let r = FixedI128::from_inner(i128::MAX);
		let sample = annualized_sample(r, 1, u32::MAX);
		assert_eq!(sample, FixedU128::from_inner(u128::MAX));
		let v = ewma_variance(FixedU128::from_inner(u128::MAX), sample, Perbill::from_percent(50));
		assert!(v > FixedU128::zero());
	}
}

mod properties {
	use super::*;
	use proptest::prelude::*;

	fn price() -> impl Strategy<Value = u128> {
		// 1e-6 .. 1e9 in 18-decimal units.
		1_000_000_000_000u128..1_000_000_000_000_000_000_000_000_000u128
	}

	proptest! {
		/// A coalition holding less than half the bond weight cannot move the median outside
		/// the range of the honest prices, whatever prices it submits.
		#[test]
		fn minority_coalition_cannot_escape_the_honest_range(
			honest in prop::collection::vec((price(), 1u128..1_000_000), 1..20),
			attackers in prop::collection::vec((price(), 1u128..1_000_000), 0..20),
		) {
			let honest_weight: u128 = honest.iter().map(|(_, w)| w).sum();
			let attacker_weight: u128 = attackers.iter().map(|(_, w)| w).sum();
			// Scale the attackers down below the honest weight if needed.
			let attackers: Vec<(u128, u128)> = if attacker_weight >= honest_weight {
				let mut budget = honest_weight - 1;
				attackers.into_iter().filter_map(|(p, w)| {
					let w = w.min(budget);
					budget -= w;
					(w > 0).then_some((p, w))
				}).collect()
			} else { attackers };
			let lo = honest.iter().map(|(p, _)| *p).min().unwrap();
			let hi = honest.iter().map(|(p, _)| *p).max().unwrap();
			let mut all: Vec<(Price, Balance)> = honest.iter().chain(attackers.iter())
				.map(|(p, w)| (FixedU128::from_inner(*p), *w)).collect();
			let median = weighted_median(&mut all).unwrap().into_inner();
			prop_assert!(lo <= median && median <= hi, "median {} outside [{}, {}]", median, lo, hi);
		}

		/// The median is always one of the submitted prices, and it lies in the range of the
		/// heavier half: the prices of the lightest entries from either end whose weight stays
		/// under half the total cannot contain it. Prices are drawn from a few clusters so that
		/// exact half splits (the case that used to average) occur often.
		#[test]
		fn median_is_a_submitted_price_within_the_heavier_half(
			entries in prop::collection::vec((0usize..4, 1u128..6), 1..12),
			clusters in prop::collection::vec(price(), 4),
		) {
			let entries: Vec<(u128, u128)> = entries.iter().map(|(c, w)| (clusters[*c], *w)).collect();
			let total: u128 = entries.iter().map(|(_, w)| w).sum();
			let mut all: Vec<(Price, Balance)> = entries.iter().map(|(p, w)| (FixedU128::from_inner(*p), *w)).collect();
			let median = weighted_median(&mut all).unwrap().into_inner();
			prop_assert!(entries.iter().any(|(p, _)| *p == median), "median {} was not submitted", median);
			// Weight strictly below and strictly above the median: each at most half.
			let below: u128 = entries.iter().filter(|(p, _)| *p < median).map(|(_, w)| w).sum();
			let above: u128 = entries.iter().filter(|(p, _)| *p > median).map(|(_, w)| w).sum();
			prop_assert!(2 * below < total, "weight below the median {} of {}", below, total);
			prop_assert!(2 * above <= total, "weight above the median {} of {}", above, total);
		}

		/// ln agrees with f64 to 1e-12 relative on the price range.
		#[test]
		fn ln_matches_f64(x in price()) {
			let fx = FixedU128::from_inner(x);
			let got = ln(fx).unwrap().to_float();
			let want = fx.to_float().ln();
			prop_assert!((got - want).abs() < 1e-12 * want.abs().max(1.0), "ln({}) = {} want {}", fx.to_float(), got, want);
		}

		/// The EMA stays between the previous value and the new one.
		#[test]
		fn ema_is_between(prev in price(), value in price(), alpha in 0u32..=1_000_000_000) {
			let e = ema(FixedU128::from_inner(prev), FixedU128::from_inner(value), Perbill::from_parts(alpha)).into_inner();
			prop_assert!(prev.min(value) <= e && e <= prev.max(value));
		}
	}
}
