//! The invariants can fail: each fault, written into the state from the 51st block on (after 50
//! whole blocks, about 2,000 calls) as a bug would leave it, is caught by the invariant it
//! breaks, within the number of blocks each test states (40 calls a block on average).

use bulwark_fuzz::{Config, Fault, Run};

/// The check that broke, the block the fault went in and the block the break was seen.
fn caught(fault: Fault) -> (&'static str, u64, u64) {
	let config = Config { fault: Some((50, fault)), ..Config::new(7, 40_000) };
	let report = Run::execute(config);
	let injected = report.fault_at.expect("the fault went in");
	let Some((broken, block, _)) = report.broken.clone() else { panic!("{}", report.summary()) };
	println!("{fault:?}: {} in block {block}, injected in block {injected}", broken.check);
	(broken.check, injected, block)
}

#[test]
fn a_panic_in_a_hook_breaks_no_panic() {
	// The slot is written at the end of a block; the next block's `on_initialize` panics.
	let (check, injected, block) = caught(Fault::SlotInTheFuture);
	assert_eq!(check, "no-panic");
	assert!(block <= injected + 1, "{block} {injected}");
}

#[test]
fn an_understated_weight_breaks_weight() {
	let (check, injected, block) = caught(Fault::UnderstatedWeight);
	assert_eq!((check, block), ("weight", injected));
}

#[test]
fn an_unbacked_balance_breaks_issuance() {
	let (check, injected, block) = caught(Fault::UnbackedBalance);
	assert_eq!((check, injected, block), ("issuance", 50, 51));
}

#[test]
fn a_silent_mint_breaks_issuance_events() {
	let (check, injected, block) = caught(Fault::SilentMint);
	assert_eq!((check, injected, block), ("issuance-events", 50, 51));
}

#[test]
fn corrupt_aggregates_break_try_state() {
	let (check, injected, block) = caught(Fault::CorruptAggregates);
	assert_eq!((check, injected, block), ("try-state", 50, 51));
}

#[test]
fn a_fill_booked_better_than_the_market_breaks_no_risk_free_profit() {
	// Consistent state (position and aggregates agree, every balance backed): only the hedged
	// owner's value shows it, at the end of the block it went in.
	let (check, injected, block) = caught(Fault::BetterEntry);
	assert_eq!((check, block), ("no-risk-free-profit", injected + 1));
}

#[test]
fn a_breaker_that_never_lets_go_breaks_liveness() {
	// Market 0 is caught once its path has had 30 honest rounds (60 blocks), here within 200
	// blocks of the fault.
	let (check, injected, block) = caught(Fault::StuckBreaker);
	assert_eq!(check, "liveness");
	assert!(block <= injected + 200, "{block} {injected}");
}
