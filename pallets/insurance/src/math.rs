//! Pure arithmetic of the insurance waterfall: the global fund's rolling allowance. No storage;
//! tested below against stated reference values.

use bulwark_primitives::{Balance, BlockNumber};
use sp_arithmetic::{helpers_128bit::multiply_by_rational_with_rounding, Rounding};

/// What is still counted against the global fund's cap `elapsed` blocks after the outstanding
/// draws were `drawn`: the cap refills linearly over `window` blocks, so draws are forgiven at
/// `cap / window` per block. Rounded up (the allowance never refills early).
///
/// ```text
/// outstanding = max(0, drawn - cap x elapsed / window)
/// allowance   = cap - outstanding
/// ```
///
/// A fixed window let two full caps be drawn in consecutive blocks across its boundary; with a
/// rolling allowance, at most `cap + cap x k / window` can be drawn in any `k` blocks.
pub fn outstanding_draw(
	drawn: Balance,
	cap: Balance,
	elapsed: BlockNumber,
	window: BlockNumber,
) -> Balance {
	if window == 0 {
		return 0;
	}
	let refilled = multiply_by_rational_with_rounding(
		cap,
		u128::from(elapsed),
		u128::from(window),
		Rounding::Down,
	)
	.unwrap_or(Balance::MAX);
	drawn.saturating_sub(refilled)
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn the_cap_refills_linearly_over_the_window() {
		// Reference: cap 500 over 10 blocks refills 50 per block.
		assert_eq!(outstanding_draw(500, 500, 0, 10), 500);
		assert_eq!(outstanding_draw(500, 500, 1, 10), 450);
		assert_eq!(outstanding_draw(500, 500, 5, 10), 250);
		assert_eq!(outstanding_draw(500, 500, 10, 10), 0);
		assert_eq!(outstanding_draw(500, 500, 1_000, 10), 0);
		// Partial draws are forgiven at the same rate: 120 drawn, 3 blocks later 0.
		assert_eq!(outstanding_draw(120, 500, 3, 10), 0);
		assert_eq!(outstanding_draw(120, 500, 2, 10), 20);
	}

	#[test]
	fn refill_rounds_down_so_the_allowance_never_refills_early() {
		// 100 over 3 blocks: 33.3 per block, forgiven as 33 after one block.
		assert_eq!(outstanding_draw(100, 100, 1, 3), 67);
		assert_eq!(outstanding_draw(100, 100, 2, 3), 34);
	}

	#[test]
	fn huge_values_do_not_overflow() {
		assert_eq!(outstanding_draw(Balance::MAX, Balance::MAX, u32::MAX, 1), 0);
		assert_eq!(
			outstanding_draw(Balance::MAX, Balance::MAX, 1, u32::MAX),
			Balance::MAX - Balance::MAX / u128::from(u32::MAX)
		);
		assert_eq!(outstanding_draw(7, 7, 3, 0), 0);
	}
}
