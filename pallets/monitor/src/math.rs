//! Pure functions of the security monitor: the three ratios and the restriction rule. Each
//! rounds against the system (a ratio rounds down), and is total: `None` means nothing is at
//! stake (a zero denominator), a ratio too large to represent saturates.

use crate::types::{MarketRatios, MonitorParams, Ratio};
use bulwark_primitives::{
	currency::{BUSD, BWK},
	Balance, Price,
};
use sp_arithmetic::{
	helpers_128bit::multiply_by_rational_with_rounding, traits::Saturating, FixedPointNumber,
	FixedU128, Perbill, Rounding,
};

/// `numerator / denominator` rounded down, saturating; `None` when the denominator is zero.
pub fn ratio(numerator: Balance, denominator: Balance) -> Option<FixedU128> {
	if denominator == 0 {
		return None;
	}
	Some(
		multiply_by_rational_with_rounding(numerator, FixedU128::DIV, denominator, Rounding::Down)
			.map_or(FixedU128::from_inner(u128::MAX), FixedU128::from_inner),
	)
}

/// `price` moved by `percent` (clamped to -100%..+1,000%), rounded down.
pub fn shocked_price(price: Price, percent: i32) -> Price {
	let factor = 100i64.saturating_add(i64::from(percent.clamp(-100, 1_000)));
	let factor = u128::try_from(factor).unwrap_or(0);
	FixedU128::from_inner(
		multiply_by_rational_with_rounding(price.into_inner(), factor, 100, Rounding::Down)
			.unwrap_or(u128::MAX),
	)
}

/// `price` moved by `jump` up or down, rounded down.
pub fn shocked_by(price: Price, jump: Perbill, up: bool) -> Price {
	let moved = jump.mul_floor(price.into_inner());
	FixedU128::from_inner(if up {
		price.into_inner().saturating_add(moved)
	} else {
		price.into_inner().saturating_sub(moved)
	})
}

/// The vault's NAV after a shock: `nav + pnl_before - pnl_after - uncovered bad debt`, floored
/// at zero (traders' gains are the vault's losses).
pub fn nav_after(nav: Balance, pnl_before: i128, pnl_after: i128, uncovered: Balance) -> Balance {
	let nav = i128::try_from(nav).unwrap_or(i128::MAX);
	let uncovered = i128::try_from(uncovered).unwrap_or(i128::MAX);
	nav.saturating_add(pnl_before)
		.saturating_sub(pnl_after)
		.saturating_sub(uncovered)
		.max(0)
		.unsigned_abs()
}

/// Oracle ACR: `(control_bond x max_deviation_slash) / (open_interest x max_price_jump)`. The
/// slash rounds down and the gain up.
pub fn oracle_acr(
	control_bond: Balance,
	max_deviation_slash: Perbill,
	open_interest: Balance,
	max_price_jump: Perbill,
) -> Option<FixedU128> {
	ratio(max_deviation_slash.mul_floor(control_bond), max_price_jump.mul_ceil(open_interest))
}

/// The most the larger side may hold for the oracle ACR to stay at `floor`:
/// `control_bond x max_deviation_slash / (max_price_jump x floor)`, rounded down. `None` (no
/// limit) when the breaker allows no jump or the floor is zero.
pub fn open_interest_capacity(
	control_bond: Balance,
	max_deviation_slash: Perbill,
	max_price_jump: Perbill,
	floor: FixedU128,
) -> Option<Balance> {
	if max_price_jump.is_zero() || floor.into_inner() == 0 {
		return None;
	}
	let slashable = max_deviation_slash.mul_floor(control_bond);
	let over_floor = multiply_by_rational_with_rounding(
		slashable,
		FixedU128::DIV,
		floor.into_inner(),
		Rounding::Down,
	)
	.unwrap_or(Balance::MAX);
	Some(max_price_jump.saturating_reciprocal_mul_floor(over_floor))
}

/// One step of an exponential moving average over `samples` samples (blocks): `previous +
/// (sample - previous) / samples`, the step rounded up in size so that the average reaches a
/// constant input; the first sample is taken as it is.
pub fn moving_average(previous: Option<Balance>, sample: Balance, samples: u32) -> Balance {
	let Some(previous) = previous else { return sample };
	let samples = Balance::from(samples.max(1));
	if sample >= previous {
		previous.saturating_add((sample - previous).div_ceil(samples))
	} else {
		previous.saturating_sub((previous - sample).div_ceil(samples))
	}
}

/// Vault cover: `vault_nav / open_interest`.
pub fn vault_cover(vault_nav: Balance, open_interest: Balance) -> Option<FixedU128> {
	ratio(vault_nav, open_interest)
}

/// `amount` of BWK (smallest units) valued in bUSD (smallest units) at `price` (bUSD per BWK),
/// rounded down, saturating.
pub fn bwk_in_busd(amount: Balance, price: Price) -> Balance {
	// amount / BWK x price x BUSD = amount x price.inner / (DIV x BWK / BUSD).
	let scale = FixedU128::DIV.saturating_mul(BWK / BUSD);
	multiply_by_rational_with_rounding(amount, price.into_inner(), scale, Rounding::Down)
		.unwrap_or(Balance::MAX)
}

/// Consensus ACR: `bwk_in_busd(one third of the active exposure) / value secured`.
pub fn consensus_acr(
	one_third_exposure: Balance,
	bwk_price: Price,
	value_secured: Balance,
) -> Option<FixedU128> {
	ratio(bwk_in_busd(one_third_exposure, bwk_price), value_secured)
}

/// The first ratio (oracle ACR, consensus ACR, vault cover) below its floor, with its value and
/// floor; `None` if none is.
pub fn breach(
	ratios: &MarketRatios,
	params: &MonitorParams,
) -> Option<(Ratio, FixedU128, FixedU128)> {
	ratios.values().into_iter().find_map(|(kind, value)| {
		let floor = params.floor(kind);
		value.filter(|v| *v < floor).map(|v| (kind, v, floor))
	})
}

/// Whether a restricted market may be released: every ratio at or above its floor x (1 +
/// hysteresis).
pub fn clear_of_hysteresis(ratios: &MarketRatios, params: &MonitorParams) -> bool {
	ratios.values().into_iter().all(|(kind, value)| {
		let floor = params.floor(kind);
		let bar = floor
			.saturating_add(FixedU128::from_inner(params.hysteresis.mul_ceil(floor.into_inner())));
		value.is_none_or(|v| v >= bar)
	})
}

#[cfg(test)]
mod tests {
	use super::*;

	fn fixed(n: u128, d: u128) -> FixedU128 {
		FixedU128::from_rational(n, d)
	}

	#[test]
	fn open_interest_capacity_matches_reference_values() {
		// 3,000 bUSD control the median, a 10% slash costs 300; a 10% jump on 3,000 bUSD of
		// the larger side wins 300: the capacity at floor 1 is 3,000, at floor 2 it is 1,500.
		let capacity = |floor| {
			open_interest_capacity(
				3_000 * BUSD,
				Perbill::from_percent(10),
				Perbill::from_percent(10),
				floor,
			)
		};
		assert_eq!(capacity(FixedU128::from_u32(1)), Some(3_000 * BUSD));
		assert_eq!(capacity(FixedU128::from_u32(2)), Some(1_500 * BUSD));
		// At the capacity the oracle ACR is exactly the floor.
		assert_eq!(
			oracle_acr(
				3_000 * BUSD,
				Perbill::from_percent(10),
				1_500 * BUSD,
				Perbill::from_percent(10)
			),
			Some(FixedU128::from_u32(2))
		);
		// A breaker that allows no jump: nothing to win, no limit.
		assert_eq!(
			open_interest_capacity(1, Perbill::one(), Perbill::zero(), FixedU128::from_u32(1)),
			None
		);
	}

	#[test]
	fn the_moving_average_moves_a_sample_by_its_share_and_reaches_a_constant_input() {
		assert_eq!(moving_average(None, 500, 120), 500);
		// A 12,000 bUSD deposit for one block of 120 moves the average by 100.
		assert_eq!(moving_average(Some(1_000), 13_000, 120), 1_100);
		assert_eq!(moving_average(Some(1_100), 1_000, 120), 1_099);
		// Rounded up in size: a constant input is reached, not approached forever.
		let mut average = Some(0);
		for _ in 0..2_000 {
			average = Some(moving_average(average, 1_000, 120));
		}
		assert_eq!(average, Some(1_000));
		assert_eq!(moving_average(Some(7), 9, 1), 9);
	}

	#[test]
	fn oracle_acr_matches_reference_values() {
		// 3 operators x 1,000 bUSD control the median; a 10% slash costs 300 bUSD. 10,000 bUSD
		// of open interest moved 10% wins 1,000: ACR 0.3.
		let acr = oracle_acr(
			3_000 * BUSD,
			Perbill::from_percent(10),
			10_000 * BUSD,
			Perbill::from_percent(10),
		);
		assert_eq!(acr, Some(fixed(3, 10)));
		// Nothing open: nothing to win, no ratio.
		assert_eq!(
			oracle_acr(3_000 * BUSD, Perbill::from_percent(10), 0, Perbill::from_percent(10)),
			None
		);
		// Rounds down: 1 / 3.
		assert_eq!(ratio(1, 3), Some(FixedU128::from_inner(333_333_333_333_333_333)));
		// Saturates rather than fails.
		assert_eq!(ratio(u128::MAX, 1), Some(FixedU128::from_inner(u128::MAX)));
	}

	#[test]
	fn consensus_acr_values_bwk_at_the_oracle_price() {
		// 30,000 BWK (one third of 90,000) at 2 bUSD = 60,000 bUSD over 120,000 secured: 0.5.
		assert_eq!(bwk_in_busd(30_000 * BWK, FixedU128::from_u32(2)), 60_000 * BUSD);
		assert_eq!(bwk_in_busd(BWK / 2, fixed(3, 2)), 750_000);
		assert_eq!(
			consensus_acr(30_000 * BWK, FixedU128::from_u32(2), 120_000 * BUSD),
			Some(fixed(1, 2))
		);
		assert_eq!(consensus_acr(30_000 * BWK, FixedU128::from_u32(2), 0), None);
	}

	#[test]
	fn shocks_move_the_price_by_whole_percents_and_the_nav_by_the_pnl_and_uncovered_debt() {
		assert_eq!(shocked_price(FixedU128::from_u32(100), -30), FixedU128::from_u32(70));
		assert_eq!(shocked_price(FixedU128::from_u32(100), 25), FixedU128::from_u32(125));
		assert_eq!(shocked_price(FixedU128::from_u32(100), -150), FixedU128::from_u32(0));
		assert_eq!(shocked_price(FixedU128::from_u32(1), 5_000), FixedU128::from_u32(11));
		// NAV 1,000; traders went from +50 to -200 (the vault gains 250); 100 uncovered.
		assert_eq!(nav_after(1_000, 50, -200, 100), 1_150);
		// Traders win more than the vault holds: floored.
		assert_eq!(nav_after(1_000, 0, 5_000, 0), 0);
	}

	#[test]
	fn vault_cover_is_nav_over_open_interest() {
		assert_eq!(vault_cover(50_000 * BUSD, 200_000 * BUSD), Some(fixed(1, 4)));
		assert_eq!(vault_cover(50_000 * BUSD, 0), None);
	}

	#[test]
	fn a_breach_names_the_first_ratio_under_its_floor_and_a_release_needs_the_hysteresis() {
		let params = MonitorParams::default();
		let healthy = MarketRatios {
			oracle_acr: Some(fixed(2, 1)),
			consensus_acr: None,
			vault_cover: Some(fixed(1, 2)),
		};
		assert_eq!(breach(&healthy, &params), None);
		assert!(clear_of_hysteresis(&healthy, &params));
		let thin_vault = MarketRatios { vault_cover: Some(fixed(5, 100)), ..healthy };
		assert_eq!(
			breach(&thin_vault, &params),
			Some((Ratio::VaultCover, fixed(5, 100), fixed(1, 10)))
		);
		let both = MarketRatios { oracle_acr: Some(fixed(9, 10)), ..thin_vault };
		assert_eq!(breach(&both, &params).map(|b| b.0), Some(Ratio::OracleAcr));
		// Back above the floor (1.05) but under floor x 1.1: no breach, yet not clear.
		let recovering = MarketRatios { oracle_acr: Some(fixed(105, 100)), ..healthy };
		assert_eq!(breach(&recovering, &params), None);
		assert!(!clear_of_hysteresis(&recovering, &params));
		let recovered = MarketRatios { oracle_acr: Some(fixed(110, 100)), ..healthy };
		assert!(clear_of_hysteresis(&recovered, &params));
	}
}
