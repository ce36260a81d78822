//! Tests of the options pallet on the mock runtime; each ends with `try_state` and the ledger's
//! conservation.

use crate::{
	mock::*, Error, Event, Expiries, Holdings, OptionKind, OptionMarkets, OptionsParams, Params,
	Series, SeriesStatus, SettlingSeries,
};
use bulwark_primitives::{currency::BUSD, MarketStatus, WrittenOptions};
use frame_support::{assert_noop, assert_ok};
use sp_runtime::{DispatchError, FixedI128, FixedPointNumber, FixedU128};

const ALICE: AccountId = 1;
const BOB: AccountId = 2;

fn root() -> RuntimeOrigin {
	RuntimeOrigin::root()
}

fn contracts(n: i128) -> FixedI128 {
	FixedI128::from_inner(n * 1_000_000_000_000_000_000)
}

/// Market 0 open with a tick of 5, and a call and a put struck at 100 expiring on `EXPIRY`.
fn listed() -> (u32, u32) {
	assert_ok!(Options::enable_market(root(), 0, price(5)));
	assert_ok!(Options::list_series(root(), 0, EXPIRY, price(100), OptionKind::Call));
	assert_ok!(Options::list_series(root(), 0, EXPIRY, price(100), OptionKind::Put));
	(0, 1)
}

#[test]
fn a_bought_call_fills_at_the_next_median_and_pays_vault_and_insurance() {
	ExtBuilder::build_and_execute(|| {
		let (call, _) = listed();
		give(ALICE, 10_000 * BUSD);
		let total = ledger_total();
		assert_ok!(Options::place_order(
			RuntimeOrigin::signed(ALICE),
			call,
			contracts(10),
			price(20),
			3
		));
		// Escrow: 10 x 20 = 200 and a fee of at most 12.5%: 225.
		assert_eq!(collateral(ALICE), 10_000 * BUSD - 225 * BUSD);
		options_events();
		run_blocks(4);
		let traded = options_events()
			.into_iter()
			.find_map(|e| match e {
				Event::Traded { amount, fee, premium, .. } => Some((amount, fee, premium)),
				_ => None,
			})
			.expect("the order filled");
		let (amount, fee, premium) = traded;
		assert!(premium < price(20) && premium > price(1));
		assert_eq!(collateral(ALICE), 10_000 * BUSD - amount - fee);
		assert_eq!(
			vault_owed(0) + i128::try_from(insurance_owed(0)).unwrap(),
			i128::try_from(amount + fee).unwrap()
		);
		assert_eq!(ledger_total(), total);
		assert_eq!(Holdings::<Test>::get(call, ALICE).unwrap().size, FixedU128::from_u32(10));
		assert!(Options::written_value(0) > 0);
	});
}
