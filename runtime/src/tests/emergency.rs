//! The emergency brake (issue 24, item 4): two thirds of the council pause chosen user calls,
//! three quarters lift the pause, and governance, oracle submissions, liquidations and a
//! trader's ways to lower its risk (a deposit, a close order) are never paused.

use super::*;
use crate::{configs::emergency::PAUSABLE_CALLS, Margin, TxPause};
use frame_support::traits::Get as _;
use frame_support::{traits::GetCallMetadata, BoundedVec};
use sp_keyring::Sr25519Keyring::Ferdie;
use sp_runtime::{traits::Dispatchable, DispatchErrorWithPostInfo};

type Collective = pallet_collective::RawOrigin<AccountId, crate::RiskCouncilInstance>;

fn name(pallet: &str, call: &str) -> pallet_tx_pause::RuntimeCallNameOf<Runtime> {
	(BoundedVec::truncate_from(pallet.into()), BoundedVec::truncate_from(call.into()))
}

/// Whether the runtime's call filter refused `call` from `who`.
fn filtered(who: sp_keyring::Sr25519Keyring, call: RuntimeCall) -> bool {
	let result = call.dispatch(RuntimeOrigin::signed(acc(who)));
	matches!(
		result,
		Err(DispatchErrorWithPostInfo { error, .. })
			if error == frame_system::Error::<Runtime>::CallFiltered.into()
	)
}

fn place_order() -> RuntimeCall {
	RuntimeCall::Margin(pallet_bulwark_margin::Call::place_order {
		market: 0,
		size_delta: sp_runtime::FixedI128::from_u32(1),
		limit_price: sp_runtime::FixedU128::from_u32(110),
		expires_in_rounds: 10,
	})
}

#[test]
fn item_4_two_thirds_pause_order_placement_liquidations_go_on_three_quarters_lift_it() {
	dev_ext().execute_with(|| {
		// BTC-USD priced at 100.
		let length: u32 = crate::configs::bulwark::OracleRoundLength::get();
		super::orders::register_btc_operators(10_000 * BUSD);
		run_to(2 * length);
		submit_btc(100);
		run_to(3 * length);
		assert_ok!(Margin::deposit(RuntimeOrigin::signed(acc(Eve)), 1_000 * BUSD));
		let order_placement = name("Margin", "place_order");

		// Nobody but two thirds of the council pauses: not a member, nor three of five.
		for origin in [
			RuntimeOrigin::signed(acc(Alice)),
			RuntimeOrigin::from(Collective::Member(acc(Alice))),
			RuntimeOrigin::from(Collective::Members(3, 5)),
		] {
			assert_noop!(TxPause::pause(origin, order_placement.clone()), DispatchError::BadOrigin);
		}
		assert_ok!(TxPause::pause(
			RuntimeOrigin::from(Collective::Members(COUNCIL_AYES, 5)),
			order_placement.clone()
		));
		assert!(filtered(Eve, place_order()));
		// What was not paused goes on: deposits, liquidations, oracle submissions, council
		// motions (each fails or succeeds on its own terms, never by the filter).
		assert!(!filtered(
			Eve,
			RuntimeCall::Margin(pallet_bulwark_margin::Call::deposit { amount: BUSD })
		));
		assert!(!filtered(
			Ferdie,
			RuntimeCall::Margin(pallet_bulwark_margin::Call::liquidate { who: acc(Eve) })
		));
		assert!(!filtered(
			Alice,
			RuntimeCall::Oracle(pallet_bulwark_oracle::Call::submit {
				round: 0,
				prices: BoundedVec::truncate_from(vec![(0, sp_runtime::FixedU128::from_u32(100))]),
			})
		));
		let unpause =
			RuntimeCall::TxPause(pallet_tx_pause::Call::unpause { ident: order_placement.clone() });
		assert!(!filtered(
			Alice,
			RuntimeCall::Council(pallet_collective::Call::propose {
				threshold: COUNCIL_AYES,
				length_bound: unpause.encoded_size() as u32,
				proposal: Box::new(unpause),
			})
		));

		// Two thirds cannot lift it alone (of a six-member council: four ayes is two thirds,
		// not three quarters); three quarters can.
		assert_noop!(
			TxPause::unpause(
				RuntimeOrigin::from(Collective::Members(4, 6)),
				order_placement.clone()
			),
			DispatchError::BadOrigin
		);
		assert!(filtered(Eve, place_order()));
		assert_ok!(TxPause::unpause(
			RuntimeOrigin::from(Collective::Members(COUNCIL_AYES, 5)),
			order_placement
		));
		assert_ok!(place_order().dispatch(RuntimeOrigin::signed(acc(Eve))));
		assert_eq!(
			pallet_bulwark_margin::Accounts::<Runtime>::get(acc(Eve)).map(|a| a.orders.len()),
			Some(1)
		);
	});
}

#[test]
fn item_4_governance_oracle_submissions_liquidations_deposits_and_closes_cannot_be_paused() {
	dev_ext().execute_with(|| {
		let two_thirds = || RuntimeOrigin::from(Collective::Members(COUNCIL_AYES, 5));
		for (pallet, call) in [
			("Council", "propose"),
			("Council", "vote"),
			("Council", "close"),
			("CouncilMembership", "swap_member"),
			("Whitelist", "dispatch_whitelisted_call_with_preimage"),
			("TxPause", "unpause"),
			("Oracle", "submit"),
			("Oracle", "resume_market"),
			("Margin", "liquidate"),
			("Margin", "deleverage"),
			("Margin", "settle"),
			("Margin", "deposit"),
			("Margin", "place_close_order"),
			("Margin", "set_market_params"),
			("Timestamp", "set"),
			("System", "set_code"),
			("Staking", "unbond"),
		] {
			assert_noop!(
				TxPause::pause(two_thirds(), name(pallet, call)),
				pallet_tx_pause::Error::<Runtime>::Unpausable
			);
		}
	});
}

#[test]
fn item_4_every_pausable_call_exists_and_every_call_name_fits_the_bound() {
	// A name longer than `MaxNameLen` counts as paused (pallet-tx-pause), and a misspelt
	// pausable name would pause nothing.
	let max_len: u32 = crate::configs::emergency::MaxCallNameLen::get();
	for pallet in RuntimeCall::get_module_names() {
		assert!(pallet.len() as u32 <= max_len, "{pallet}");
		for call in RuntimeCall::get_call_names(pallet) {
			assert!(call.len() as u32 <= max_len, "{pallet}::{call}");
		}
	}
	for (pallet, calls) in PAUSABLE_CALLS {
		let names = RuntimeCall::get_call_names(pallet);
		for call in *calls {
			assert!(names.contains(call), "{pallet}::{call} is not a call of this runtime");
		}
	}
	dev_ext().execute_with(|| {
		for (pallet, calls) in PAUSABLE_CALLS {
			for call in *calls {
				assert_ok!(TxPause::pause(RuntimeOrigin::root(), name(pallet, call)));
			}
		}
	});
}
