//! The named checks run after every block. Each returns `Err(message)` when broken; the runner
//! prints the check's name with the seed, the block and the calls that led there.

use bulwark_runtime::{Busd, Runtime};
use frame_support::traits::fungible::Inspect;

/// A broken invariant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Break {
	/// The check's name.
	pub check: &'static str,
	/// What it found.
	pub message: String,
}

impl Break {
	/// A break of `check`.
	pub fn new(check: &'static str, message: impl Into<String>) -> Self {
		Self { check, message: message.into() }
	}
}

/// `issuance`: each token's total issuance equals the sum of its accounts (free and reserved,
/// holds included).
pub fn issuance() -> Result<(), Break> {
	let bwk: u128 = frame_system::Account::<Runtime>::iter_values()
		.map(|info| info.data.free.saturating_add(info.data.reserved))
		.sum();
	let bwk_issuance = pallet_balances::TotalIssuance::<Runtime>::get();
	if bwk != bwk_issuance {
		return Err(Break::new(
			"issuance",
			format!("BWK: accounts hold {bwk}, total issuance is {bwk_issuance}"),
		));
	}
	let busd: u128 = pallet_balances::Account::<Runtime, pallet_balances::Instance2>::iter_values()
		.map(|data| data.free.saturating_add(data.reserved))
		.sum();
	let busd_issuance = <Busd as Inspect<_>>::total_issuance();
	if busd != busd_issuance {
		return Err(Break::new(
			"issuance",
			format!("bUSD: accounts hold {busd}, total issuance is {busd_issuance}"),
		));
	}
	Ok(())
}

/// A pallet's `try_state` check.
type TryState = fn() -> Result<(), sp_runtime::TryRuntimeError>;

/// `try-state`: every Bulwark pallet's `try_state` (custody = ledger + unsettled, vault holds,
/// fund balances, aggregates = sums over positions, the order queue, bonds, option holdings and
/// their escrow).
pub fn try_state() -> Result<(), Break> {
	let checks: [(&str, TryState); 7] = [
		("margin", pallet_bulwark_margin::Pallet::<Runtime>::do_try_state),
		("oracle", pallet_bulwark_oracle::Pallet::<Runtime>::do_try_state),
		("vaults", pallet_bulwark_vaults::Pallet::<Runtime>::do_try_state),
		("insurance", pallet_bulwark_insurance::Pallet::<Runtime>::do_try_state),
		("slashing", pallet_bulwark_slashing::Pallet::<Runtime>::do_try_state),
		("monitor", pallet_bulwark_monitor::Pallet::<Runtime>::do_try_state),
		("options", pallet_bulwark_options::Pallet::<Runtime>::do_try_state),
	];
	for (pallet, check) in checks {
		check().map_err(|e| Break::new("try-state", format!("{pallet}: {e:?}")))?;
	}
	Ok(())
}

/// What a balances event announces about the total issuance: minted (+) or burned (-).
fn announced<I: 'static>(event: &pallet_balances::Event<Runtime, I>) -> i128
where
	Runtime: pallet_balances::Config<I, Balance = u128>,
{
	use pallet_balances::Event::*;
	let signed = |amount: &u128| i128::try_from(*amount).unwrap_or(i128::MAX);
	match event {
		Minted { amount, .. } | MintedCredit { amount } | Issued { amount } => signed(amount),
		Burned { amount, .. } | BurnedDebt { amount } | Rescinded { amount } => -signed(amount),
		_ => 0,
	}
}

/// `issuance-events`: each token's total issuance moves only by what the block's events announce
/// (mints, burns, credits issued, debts rescinded: staking rewards, slashes, fees).
pub struct IssuanceTracker {
	bwk: u128,
	busd: u128,
}

impl IssuanceTracker {
	/// Starts from the issuance now.
	pub fn new() -> Self {
		Self {
			bwk: pallet_balances::TotalIssuance::<Runtime>::get(),
			busd: <Busd as Inspect<_>>::total_issuance(),
		}
	}

	/// Checks the issuance after a block against the block's events, and moves on to it.
	pub fn check(&mut self) -> Result<(), Break> {
		let (mut bwk_announced, mut busd_announced) = (0i128, 0i128);
		for record in frame_system::Pallet::<Runtime>::read_events_no_consensus() {
			match &record.event {
				bulwark_runtime::RuntimeEvent::Balances(event) => bwk_announced += announced(event),
				bulwark_runtime::RuntimeEvent::Busd(event) => busd_announced += announced(event),
				_ => {},
			}
		}
		let bwk = pallet_balances::TotalIssuance::<Runtime>::get();
		let busd = <Busd as Inspect<_>>::total_issuance();
		let moved = |now: u128, before: u128| {
			i128::try_from(now).unwrap_or(i128::MAX) - i128::try_from(before).unwrap_or(i128::MAX)
		};
		let (bwk_moved, busd_moved) = (moved(bwk, self.bwk), moved(busd, self.busd));
		self.bwk = bwk;
		self.busd = busd;
		if bwk_moved != bwk_announced {
			return Err(Break::new(
				"issuance-events",
				format!("BWK issuance moved {bwk_moved}, the events announce {bwk_announced}"),
			));
		}
		if busd_moved != busd_announced {
			return Err(Break::new(
				"issuance-events",
				format!("bUSD issuance moved {busd_moved}, the events announce {busd_announced}"),
			));
		}
		Ok(())
	}
}

impl Default for IssuanceTracker {
	fn default() -> Self {
		Self::new()
	}
}
