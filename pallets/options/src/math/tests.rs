//! The options math against mpmath's values (`reference.rs`) and as properties: put-call parity,
//! monotonicity in strike, spot and volatility, and the bounds of every price.
use super::{reference, *};
use proptest::prelude::*;

/// Fixed point of a decimal given as an integer numerator and a power of ten.
const fn fx(units: i128, decimals: u32) -> i128 {
	units * ONE / 10i128.pow(decimals)
}

#[test]
fn exp_and_ln_match_the_reference_to_1e_17_relative() {
	for (x, expected) in reference::EXP {
		let got = exp(x).unwrap();
		let tolerance = (expected.abs() / 50_000_000_000_000_000).max(2);
		assert!((got - expected).abs() <= tolerance, "exp({x}): {got} != {expected}");
	}
	for (x, expected) in reference::LN {
		let got = ln(x).unwrap();
		assert!((got - expected).abs() <= 40, "ln({x}): {got} != {expected}");
	}
	assert_eq!(exp(0), Some(ONE));
	assert_eq!(ln(ONE), Some(0));
	assert_eq!(ln(0), None);
	assert_eq!(ln(-ONE), None);
	assert_eq!(exp(-50 * ONE), Some(0));
	assert_eq!(exp(47 * ONE), None);
}

#[test]
fn normal_cdf_matches_the_reference_to_1e_12() {
	for (x, expected) in reference::NORMAL_CDF {
		let got = normal_cdf(x).unwrap();
		assert!((got - expected).abs() <= 1_000_000, "N({x}): {got} != {expected}");
	}
	assert_eq!(normal_cdf(0), Some(ONE / 2));
	// Either side of the switch from the series to the continued fraction.
	let below = normal_cdf(CDF_SERIES_LIMIT - 1).unwrap();
	let above = normal_cdf(CDF_SERIES_LIMIT + 1).unwrap();
	assert!(above >= below && above - below < 1_000_000);
}

#[test]
fn black_scholes_matches_the_reference_to_1e_9_of_the_underlying() {
	let mut worst_price = 0f64;
	for (kind, spot, strike, vol, years, price, delta, gamma, vega, theta) in
		reference::BLACK_SCHOLES
	{
		let got = black_scholes(kind, spot, strike, vol, years).unwrap();
		let case = format!("{kind:?} S={spot} K={strike} vol={vol} T={years}");
		// The price-only valuation is the same computation.
		assert_eq!(black_scholes_price(kind, spot, strike, vol, years), Some(got.price), "{case}");
		// A binary pays 1, not the underlying: its price is held to 1e-9 absolute.
		let scale = if matches!(kind, OptionKind::Call | OptionKind::Put) { spot } else { ONE };
		let error = (got.price - price).abs();
		assert!(error <= scale / 1_000_000_000, "{case}: price {} != {price}", got.price);
		worst_price = worst_price.max(error as f64 / scale as f64);
		// Greeks: 1e-8 relative, or 1e-9 absolute where the value is near zero.
		for (name, got, expected) in [
			("delta", got.delta, delta),
			("gamma", got.gamma, gamma),
			("vega", got.vega, vega),
			("theta", got.theta, theta),
		] {
			let tolerance = expected.abs() / 100_000_000 + 1_000_000_000;
			assert!((got - expected).abs() <= tolerance, "{case}: {name} {got} != {expected}");
		}
	}
	println!(
		"worst price error: {worst_price:e} of the underlying over {} rows",
		reference::BLACK_SCHOLES.len()
	);
}

#[test]
fn stated_values_worked_by_hand() {
	// At the money, a year, 20% volatility, no rate: d1 = 0.1, d2 = -0.1, call = put =
	// 100 (N(0.1) - N(-0.1)) = 7.965567455405796293 (mpmath).
	let call = black_scholes(OptionKind::Call, fx(100, 0), fx(100, 0), fx(2, 1), ONE).unwrap();
	let put = black_scholes(OptionKind::Put, fx(100, 0), fx(100, 0), fx(2, 1), ONE).unwrap();
	assert!((call.price - 7_965_567_455_405_796_293).abs() < 1_000_000, "{}", call.price);
	assert!((call.price - put.price).abs() < 1_000);
	// At expiry: the payoff.
	let expired = black_scholes(OptionKind::Call, fx(110, 0), fx(100, 0), fx(5, 1), 0).unwrap();
	assert_eq!(expired, Greeks { price: fx(10, 0), delta: ONE, ..Greeks::default() });
	assert_eq!(
		black_scholes(OptionKind::BinaryPut, fx(90, 0), fx(100, 0), 0, ONE).unwrap().price,
		ONE
	);
	assert_eq!(
		black_scholes(OptionKind::BinaryCall, fx(100, 0), fx(100, 0), 0, ONE).unwrap().price,
		0
	);
	// Refused inputs.
	assert_eq!(black_scholes(OptionKind::Call, 0, ONE, ONE, ONE), None);
	assert_eq!(black_scholes(OptionKind::Call, ONE, 0, ONE, ONE), None);
	assert_eq!(black_scholes(OptionKind::Call, ONE, ONE, -1, ONE), None);
	assert_eq!(black_scholes(OptionKind::Call, ONE, ONE, ONE, -1), None);
}

/// Spot 1..100,000, strike 0.5x..2x the spot, volatility 1%..300%, one block..two years.
fn market() -> impl Strategy<Value = (i128, i128, i128, i128)> {
	(1i128..=100_000, 500i128..=2_000, 1i128..=300, 6i128..=63_072_000).prop_map(
		|(spot, ratio, vol, seconds)| {
			let spot = spot * ONE;
			(spot, spot / 1_000 * ratio, vol * ONE / 100, seconds * ONE / 31_536_000)
		},
	)
}

proptest! {
	#![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

	#[test]
	fn put_call_parity_and_bounds((spot, strike, vol, years) in market()) {
		let call = black_scholes(OptionKind::Call, spot, strike, vol, years);
		let put = black_scholes(OptionKind::Put, spot, strike, vol, years);
		let binary_call = black_scholes(OptionKind::BinaryCall, spot, strike, vol, years);
		let binary_put = black_scholes(OptionKind::BinaryPut, spot, strike, vol, years);
		// Every input of the strategy is priced (none refused).
		prop_assert!(call.is_some() && put.is_some() && binary_call.is_some() && binary_put.is_some());
		let (call, put) = (call.unwrap(), put.unwrap());
		let (binary_call, binary_put) = (binary_call.unwrap(), binary_put.unwrap());
		// C - P = S - K with no rate, to 1e-9 of the spot.
		let parity = (call.price - put.price) - (spot - strike);
		prop_assert!(parity.abs() <= spot / 1_000_000_000, "parity off by {}", parity);
		prop_assert!((binary_call.price + binary_put.price - ONE).abs() <= 10, "binaries sum to 1");
		// No arbitrage bounds.
		prop_assert!(call.price >= (spot - strike).max(0) - spot / 1_000_000_000 && call.price <= spot);
		prop_assert!(put.price >= (strike - spot).max(0) - spot / 1_000_000_000 && put.price <= strike);
		prop_assert!((0..=ONE).contains(&binary_call.price));
		prop_assert!((0..=ONE).contains(&call.delta) && (-ONE..=0).contains(&put.delta));
		prop_assert!(call.gamma >= 0 && call.vega >= 0 && call.theta <= 0);
	}

	#[test]
	fn monotonic_in_strike_spot_and_volatility((spot, strike, vol, years) in market()) {
		let price = |kind, s, k, v| black_scholes(kind, s, k, v, years).unwrap().price;
		let (higher_strike, higher_spot, higher_vol) = (strike + strike / 100, spot + spot / 100, vol + vol / 10 + ONE / 100);
		// A call is worth less at a higher strike, more at a higher spot or volatility; a put the
		// opposite in strike and spot. Equal within the rounding (a price pinned at 0 or intrinsic).
		let eps = spot / 1_000_000_000;
		prop_assert!(price(OptionKind::Call, spot, higher_strike, vol) <= price(OptionKind::Call, spot, strike, vol) + eps);
		prop_assert!(price(OptionKind::Put, spot, higher_strike, vol) + eps >= price(OptionKind::Put, spot, strike, vol));
		prop_assert!(price(OptionKind::Call, higher_spot, strike, vol) + eps >= price(OptionKind::Call, spot, strike, vol));
		prop_assert!(price(OptionKind::Put, higher_spot, strike, vol) <= price(OptionKind::Put, spot, strike, vol) + eps);
		prop_assert!(price(OptionKind::Call, spot, strike, higher_vol) + eps >= price(OptionKind::Call, spot, strike, vol));
		prop_assert!(price(OptionKind::Put, spot, strike, higher_vol) + eps >= price(OptionKind::Put, spot, strike, vol));
		prop_assert!(price(OptionKind::BinaryCall, spot, higher_strike, vol) <= price(OptionKind::BinaryCall, spot, strike, vol) + 10);
	}
}

/// The time of one price with its greeks, natively (the bound: 20 us on this machine).
/// `cargo test --release -p pallet-bulwark-options -- --ignored --nocapture pricing_time`
#[test]
#[ignore]
fn pricing_time() {
	let rows = &reference::BLACK_SCHOLES;
	let rounds = 20;
	let started = std::time::Instant::now();
	let mut checksum = 0i128;
	for _ in 0..rounds {
		for &(kind, spot, strike, vol, years, ..) in rows.iter() {
			checksum =
				checksum.wrapping_add(black_scholes(kind, spot, strike, vol, years).unwrap().price);
		}
	}
	let per = started.elapsed().as_secs_f64() * 1e6 / (rounds * rows.len()) as f64;
	println!(
		"black_scholes with greeks: {per:.2} us each over {} calls (checksum {checksum})",
		rounds * rows.len()
	);
	assert!(per < 20.0, "{per} us");
}
