//! The emergency brake (issue 24, item 4): two thirds of the risk council may pause chosen user
//! calls at once (`txPause.pause`), and three quarters, or Root, lift the pause
//! (`txPause.unpause`).
//!
//! Only the calls in [`PAUSABLE_CALLS`] can be paused: the ones that move traders', stakers' and
//! insurers' money into or out of the markets. Governance (the council, its membership, the
//! whitelist, preimages, every risk parameter), oracle submissions, liquidations,
//! deleveraging, settlement, staking and the chain's inherents cannot be: a brake that could
//! stop the council could not be lifted, and one that stopped prices or liquidations would
//! turn a pause into bad debt.

use frame_support::{parameter_types, traits::Contains};

use super::super::{Runtime, RuntimeCall, RuntimeEvent};
use super::governance::{RiskOrigin, RootDispatchOrigin};

/// `(pallet, call)` names, as the runtime names them, that the council may pause.
pub const PAUSABLE_CALLS: &[(&str, &[&str])] = &[
	("Margin", &["deposit", "withdraw", "place_order", "place_close_order"]),
	("Vaults", &["stake", "request_unstake", "withdraw"]),
	("Insurance", &["contribute"]),
	("Busd", &["transfer_allow_death", "transfer_keep_alive", "transfer_all"]),
];

/// Whether `pallet`'s call `call` is one of [`PAUSABLE_CALLS`].
pub fn is_pausable(pallet: &[u8], call: &[u8]) -> bool {
	PAUSABLE_CALLS.iter().any(|(pallet_name, calls)| {
		pallet_name.as_bytes() == pallet && calls.iter().any(|name| name.as_bytes() == call)
	})
}

/// Every call but [`PAUSABLE_CALLS`]: `pallet-tx-pause` refuses to pause these.
pub struct NotPausable;
impl Contains<pallet_tx_pause::RuntimeCallNameOf<Runtime>> for NotPausable {
	fn contains((pallet, call): &pallet_tx_pause::RuntimeCallNameOf<Runtime>) -> bool {
		!is_pausable(pallet, call) && !is_benchmark_name(pallet)
	}
}

/// pallet-tx-pause's benchmarks pause a name of `MaxNameLen` bytes of 1, which names no pallet:
/// pausing it stops nothing.
fn is_benchmark_name(pallet: &[u8]) -> bool {
	cfg!(feature = "runtime-benchmarks")
		&& !pallet.is_empty()
		&& pallet.iter().all(|byte| *byte == 1)
}

parameter_types! {
	/// Longer than any pallet's or call's name in this runtime.
	pub const MaxCallNameLen: u32 = 64;
}

impl pallet_tx_pause::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	/// Two thirds of the council act at once.
	type PauseOrigin = RiskOrigin;
	/// Three quarters lift it: the same threshold as Root, so that the majority that paused
	/// cannot flap the brake alone.
	type UnpauseOrigin = RootDispatchOrigin;
	type WhitelistedCalls = NotPausable;
	type MaxNameLen = MaxCallNameLen;
	type WeightInfo = crate::weights::pallet_tx_pause::WeightInfo<Runtime>;
}
