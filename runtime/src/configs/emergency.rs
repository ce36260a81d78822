//! The emergency brake (issue 24, item 4): two thirds of the risk council may pause chosen user
//! calls at once (`txPause.pause`), and three quarters, or Root, lift the pause
//! (`txPause.unpause`).
//!
//! Only the calls in [`PAUSABLE_CALLS`] can be paused: the ones that take on new risk or move
//! money out of (or into) the markets. Governance (the council, its membership, the whitelist,
//! preimages, every risk parameter), oracle submissions, liquidations, deleveraging,
//! settlement, staking and the chain's inherents cannot be: a brake that could stop the council
//! could not be lifted, and one that stopped prices or liquidations would turn a pause into bad
//! debt. Nor can a trader's ways to lower its risk, a margin deposit and a close order: a pause
//! that left liquidations running while traders could neither top up nor close would hand
//! their collateral to the liquidators.

use frame_support::{
	parameter_types,
	traits::{Contains, Get},
	BoundedVec,
};

use super::super::{Runtime, RuntimeCall, RuntimeEvent, TxPause};
use super::governance::{RiskOrigin, RootDispatchOrigin};

/// `(pallet, call)` names, as the runtime names them, that the council may pause.
pub const PAUSABLE_CALLS: &[(&str, &[&str])] = &[
	("Margin", &["withdraw", "place_order"]),
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

/// Whether the council paused `Margin::place_order`: the margin engine then cancels queued
/// orders that would add to a position instead of filling them.
pub struct OrderPlacementPaused;
impl Get<bool> for OrderPlacementPaused {
	fn get() -> bool {
		TxPause::is_paused(&(
			BoundedVec::truncate_from(b"Margin".to_vec()),
			BoundedVec::truncate_from(b"place_order".to_vec()),
		))
	}
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
	/// Three quarters lift it: the threshold of Root. For the five-member council both are
	/// four ayes; a larger council needs more to lift than to pause.
	type UnpauseOrigin = RootDispatchOrigin;
	type WhitelistedCalls = NotPausable;
	type MaxNameLen = MaxCallNameLen;
	type WeightInfo = crate::weights::pallet_tx_pause::WeightInfo<Runtime>;
}
