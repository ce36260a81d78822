//! The invariants can fail: a fault written into the state in the 51st block (after 50 whole
//! blocks), as a bug would leave it, is caught by the invariant it breaks at the end of that
//! block: within one block's calls (40 on average).

use bulwark_fuzz::{Config, Fault, Run};

fn caught(fault: Fault) -> (&'static str, u64) {
	let config = Config { fault: Some((50, fault)), ..Config::new(7, 20_000) };
	let report = Run::execute(config);
	let (broken, block, _) = report.broken.expect("the fault is caught");
	(broken.check, block)
}

#[test]
fn an_unbacked_balance_breaks_issuance() {
	assert_eq!(caught(Fault::UnbackedBalance), ("issuance", 51));
}

#[test]
fn a_silent_mint_breaks_issuance_events() {
	assert_eq!(caught(Fault::SilentMint), ("issuance-events", 51));
}

#[test]
fn corrupt_aggregates_break_try_state() {
	assert_eq!(caught(Fault::CorruptAggregates), ("try-state", 51));
}
