//! # Vaults pallet
//!
//! One staking vault per market: the counterparty of every trade in that market and its
//! first-loss capital. Stakers own shares of the vault's net asset value.
//!
//! ## Key terms
//!
//! - **Vault account**: a keyless account derived from [`Config::PalletId`] and the market. All
//!   stake is on hold there under [`HoldReason::VaultStake`]; trader losses, fees, funding and
//!   insurance covers are added to that hold, trader profits, withdrawals and slashes are paid out
//!   of it.
//! - **NAV** (net asset value): `held + unsettled - unrealized trader PnL`, floored at zero:
//!   the vault is marked to market, including what the margin engine owes it and has not settled.
//! - **Shares**: a staker's claim on NAV. Unbonding chunks stay shares until withdrawn, so they
//!   bear losses and slashes like active stake and nobody front-runs a slash by unstaking.
//! - **Reserved**: `max(open interest / max_vault_leverage, |net skew| / max_skew_ratio)`: the
//!   capital open positions need. A withdrawal must leave held cash of at least reserved plus
//!   the traders' unrealized profit.
//! - **Epoch**: a vault written off (NAV 0 with shares outstanding) starts a new epoch; shares of
//!   earlier epochs are worth nothing and new stake mints fresh shares.
//!
//! ## Usage
//!
//! - [`Call::stake`]: deposit bUSD, receive `floor(amount * total_shares / NAV)` shares (1:1 in
//!   an empty vault), at least `min_shares`. Refused while a slash of the vault is pending. The
//!   first staker of a vault also pays one existential deposit that opens the vault account.
//! - [`Call::request_unstake`]: move shares into an unbonding chunk for
//!   [`Config::UnbondingPeriod`]. A matured chunk not withdrawn within
//!   [`Config::WithdrawWindow`] returns to active stake: no free exit option.
//! - [`Call::withdraw`]: burn matured chunks for `floor(shares * NAV / total_shares)`, at least
//!   `min_amount`, never 0. Frozen while a slash of the vault is pending or the market's price is
//!   not `Active`.
//! - [`Call::set_params`], [`Call::write_off`]: the risk origin sets leverage and skew limits
//!   within hard bounds, and writes off an insolvent vault.
//!
//! Rounding always favours the vault: a staker never receives more than their share, and the
//! remainder dust stays in the vault for the others. Value left with no shares (dust after the
//! last withdrawal) goes to the market's insurance fund, never to the next staker.
//!
//! The margin engine settles through [`VaultSettlement`] in batches; the slashing pallet slashes
//! through [`Slashable`], taking `fraction x NAV` from active and unbonding stake alike (all
//! shares lose alike), and tells the vault of a pending slash through [`SlashPending`].

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub mod runtime_api;
pub mod weights;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

pub use pallet::*;
pub use weights::WeightInfo;

use alloc::vec::Vec;
use bulwark_primitives::{
	Balance, BlockNumber, InsuranceFund, MarketId, MarketRegistry, MarketStatus, OpenInterest,
	PriceFeed, SlashPending, SlashTarget, Slashable, UnrealizedPnl, VaultSettlement,
	WrittenOptions,
};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{
	pallet_prelude::*,
	traits::{
		fungible::{Inspect, InspectHold, Mutate, MutateHold},
		tokens::{Fortitude, Precision, Preservation, Restriction},
	},
	PalletId,
};
use frame_system::pallet_prelude::*;
use scale_info::TypeInfo;
use sp_arithmetic::{
	helpers_128bit::multiply_by_rational_with_rounding, traits::Zero, FixedPointNumber, FixedU128,
	Perbill, Rounding,
};
use sp_runtime::traits::{AccountIdConversion, SaturatedConversion};

const LOG_TARGET: &str = "runtime::vaults";

/// Shares of a vault.
pub type Shares = u128;

/// Governed limits of every vault.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
	serde::Serialize,
	serde::Deserialize,
)]
pub struct VaultParams {
	/// Open-interest notional a vault may back, as a multiple of its NAV.
	pub max_vault_leverage: FixedU128,
	/// Net skew (|long - short| notional) a vault may back, as a multiple of its NAV.
	pub max_skew_ratio: FixedU128,
}

impl Default for VaultParams {
	/// The design brief's defaults: leverage 5x, skew 1x of NAV.
	fn default() -> Self {
		Self { max_vault_leverage: FixedU128::from_u32(5), max_skew_ratio: FixedU128::from_u32(1) }
	}
}

impl VaultParams {
	/// Hard bounds: leverage in `[1, 20]`, skew ratio in `[0.1, 5]`.
	pub fn validate(&self) -> bool {
		let leverage = (FixedU128::from_u32(1), FixedU128::from_u32(20));
		let skew = (FixedU128::from_rational(1, 10), FixedU128::from_u32(5));
		leverage.0 <= self.max_vault_leverage
			&& self.max_vault_leverage <= leverage.1
			&& skew.0 <= self.max_skew_ratio
			&& self.max_skew_ratio <= skew.1
	}
}

/// A vault's share supply.
#[derive(Clone, Copy, PartialEq, Eq, Default, Encode, Decode, MaxEncodedLen, TypeInfo, Debug)]
pub struct VaultInfo {
	/// All shares of the current epoch, active and unbonding.
	pub total_shares: Shares,
	/// Write-offs so far: shares of an earlier epoch are worth nothing.
	pub epoch: u32,
}

/// Shares waiting to be withdrawn.
#[derive(Clone, Copy, PartialEq, Eq, Encode, Decode, MaxEncodedLen, TypeInfo, Debug)]
pub struct UnbondingChunk {
	/// Shares in the chunk; they keep bearing losses and slashes.
	pub shares: Shares,
	/// First block at which they can be withdrawn; from `unlocks_at + WithdrawWindow` they
	/// return to active stake.
	pub unlocks_at: BlockNumber,
}

/// A staker's position in one vault.
#[derive(
	frame_support::CloneNoBound,
	frame_support::PartialEqNoBound,
	frame_support::EqNoBound,
	frame_support::DebugNoBound,
	Encode,
	Decode,
	MaxEncodedLen,
	TypeInfo,
)]
#[scale_info(skip_type_params(MaxChunks))]
pub struct StakerInfo<MaxChunks: Get<u32>> {
	/// Active shares.
	pub active: Shares,
	/// Unbonding chunks, oldest first.
	pub unbonding: BoundedVec<UnbondingChunk, MaxChunks>,
	/// The vault epoch these shares belong to.
	pub epoch: u32,
}

impl<MaxChunks: Get<u32>> Default for StakerInfo<MaxChunks> {
	fn default() -> Self {
		Self { active: 0, unbonding: BoundedVec::default(), epoch: 0 }
	}
}

impl<MaxChunks: Get<u32>> StakerInfo<MaxChunks> {
	/// Active plus unbonding shares.
	pub fn total_shares(&self) -> Shares {
		self.unbonding.iter().fold(self.active, |acc, c| acc.saturating_add(c.shares))
	}

	/// Returns chunks whose withdrawal window closed before `now` to active stake; the
	/// number of shares returned.
	pub fn return_expired(&mut self, now: BlockNumber, window: BlockNumber) -> Shares {
		let mut returned: Shares = 0;
		self.unbonding.retain(|chunk| {
			let expired = now >= chunk.unlocks_at.saturating_add(window);
			if expired {
				returned = returned.saturating_add(chunk.shares);
			}
			!expired
		});
		self.active = self.active.saturating_add(returned);
		returned
	}
}

/// A vault as reported by the runtime API.
#[derive(Clone, PartialEq, Eq, Encode, Decode, TypeInfo, Debug)]
pub struct VaultView {
	/// Net asset value in bUSD.
	pub nav: Balance,
	/// All shares of the current epoch.
	pub total_shares: Shares,
	/// Open-interest notional the vault may back (`NAV x max_vault_leverage`).
	pub capacity: Balance,
	/// Open interest over capacity.
	pub utilization: FixedU128,
	/// Capital open positions need (`max(OI / leverage, |skew| / skew ratio)`).
	pub reserved: Balance,
	/// Cash the vault can pay traders (held plus unsettled).
	pub payable_cash: Balance,
	/// Held cash a withdrawal may take now (held less reserved less traders' profit).
	pub withdrawable: Balance,
	/// Write-offs so far.
	pub epoch: u32,
}

/// A staker's position as reported by the runtime API.
#[derive(Clone, PartialEq, Eq, Encode, Decode, TypeInfo, Debug)]
pub struct StakerView {
	/// Active shares (including chunks whose withdrawal window closed).
	pub active_shares: Shares,
	/// Unbonding `(shares, unlocks_at)`.
	pub unbonding: Vec<(Shares, BlockNumber)>,
	/// Current value of all the staker's shares in bUSD.
	pub value: Balance,
}

#[frame_support::pallet]
pub mod pallet {
	use super::*;

	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// Stake (and trader settlements) held in a vault account.
		#[codec(index = 0)]
		VaultStake,
	}

	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// bUSD.
		type Currency: Inspect<Self::AccountId, Balance = Balance>
			+ Mutate<Self::AccountId>
			+ InspectHold<Self::AccountId, Reason = Self::RuntimeHoldReason>
			+ MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>;

		/// The overarching hold reason.
		type RuntimeHoldReason: From<HoldReason>;

		/// Sets vault limits and writes off insolvent vaults (the risk council).
		type RiskOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// Listed markets (the oracle).
		type Markets: MarketRegistry;

		/// Market prices (the oracle): withdrawals freeze while a market's price is not Active.
		type Prices: PriceFeed;

		/// Pending slashes (the slashing pallet): a vault with a pending slash takes no stake and
		/// pays no withdrawal.
		type SlashPending: SlashPending<Self::AccountId>;

		/// Insurance funds: covers of bad debt come from them; value left with no shares goes to
		/// them.
		type Insurance: InsuranceFund<Self::AccountId>;

		/// Open interest and net skew per market (the margin engine).
		type OpenInterest: OpenInterest;

		/// Traders' unrealized PnL and the engine's unsettled balance per market (the margin
		/// engine), for marking NAV.
		type UnrealizedPnl: UnrealizedPnl;

		/// The options the vault wrote (the options pallet), marked into its NAV and reserve.
		type WrittenOptions: WrittenOptions;

		/// Derives vault accounts.
		#[pallet::constant]
		type PalletId: Get<PalletId>;

		/// Smallest stake. Keeps share prices meaningful (no dust-share inflation).
		#[pallet::constant]
		type MinStake: Get<Balance>;

		/// Blocks between `request_unstake` and `withdraw`. Longer than the slash deferral.
		#[pallet::constant]
		type UnbondingPeriod: Get<BlockNumber>;

		/// Blocks a matured chunk may wait for `withdraw`; after it the chunk returns to active
		/// stake.
		#[pallet::constant]
		type WithdrawWindow: Get<BlockNumber>;

		/// Most unbonding chunks per staker and vault.
		#[pallet::constant]
		type MaxUnbondingChunks: Get<u32>;

		/// Weights of the calls.
		type WeightInfo: WeightInfo;

		/// Names a listed market for the benchmarks.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper;
	}

	/// Share supply and epoch per market; absent until the first stake.
	#[pallet::storage]
	pub type Vaults<T: Config> = StorageMap<_, Twox64Concat, MarketId, VaultInfo, OptionQuery>;

	/// Stakers' positions. TWOX-NOTE: safe, `AccountId` is a secure hash.
	#[pallet::storage]
	pub type Stakers<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		MarketId,
		Twox64Concat,
		T::AccountId,
		StakerInfo<T::MaxUnbondingChunks>,
		OptionQuery,
	>;

	/// Limits of every vault.
	#[pallet::storage]
	pub type Params<T: Config> = StorageValue<_, VaultParams, ValueQuery>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// `staker` staked `amount` into `market`'s vault for `shares`.
		Staked { market: MarketId, staker: T::AccountId, amount: Balance, shares: Shares },
		/// `shares` started unbonding until `unlocks_at`.
		UnstakeRequested {
			market: MarketId,
			staker: T::AccountId,
			shares: Shares,
			unlocks_at: BlockNumber,
		},
		/// Matured chunks whose withdrawal window closed returned to active stake.
		UnbondingExpired { market: MarketId, staker: T::AccountId, shares: Shares },
		/// Matured `shares` were burnt for `amount`.
		Withdrawn { market: MarketId, staker: T::AccountId, shares: Shares, amount: Balance },
		/// The vault received `amount` from `from` (a batch of trader losses, fees, funding).
		Collected { market: MarketId, from: T::AccountId, amount: Balance },
		/// The vault paid `amount` to `to` (a batch of trader profits).
		Paid { market: MarketId, to: T::AccountId, amount: Balance },
		/// Bad debt of `shortfall`: insurance covered `covered` into the vault's stake, the vault
		/// absorbed the rest.
		BadDebtAbsorbed {
			market: MarketId,
			shortfall: Balance,
			covered: Balance,
			absorbed: Balance,
		},
		/// `amount` of the vault was slashed to `beneficiary`.
		Slashed { market: MarketId, amount: Balance, beneficiary: T::AccountId },
		/// An insolvent vault's `shares` were cancelled; new stake mints fresh shares.
		WrittenOff { market: MarketId, shares: Shares, epoch: u32 },
		/// A staker's position of a written-off epoch was removed.
		WrittenOffPositionRemoved { market: MarketId, staker: T::AccountId },
		/// Value left in a vault with no shares went to the market's insurance fund.
		OrphanedValueSwept { market: MarketId, amount: Balance },
		/// New vault limits.
		ParamsUpdated { params: VaultParams },
	}

	#[pallet::error]
	#[cfg_attr(test, derive(PartialEq))]
	pub enum Error<T> {
		/// The market is not listed.
		UnknownMarket,
		/// The stake is below [`Config::MinStake`].
		StakeTooLow,
		/// The stake would mint no shares.
		ZeroShares,
		/// The vault's NAV is zero while shares exist: it must be written off first.
		VaultInsolvent,
		/// The caller has no position in this vault.
		NotStaker,
		/// More shares than the caller's active shares.
		InsufficientShares,
		/// [`Config::MaxUnbondingChunks`] chunks are unbonding already.
		TooManyChunks,
		/// No chunk has matured (or every matured chunk's window closed).
		NothingToWithdraw,
		/// The withdrawal would take cash that open positions reserve or traders are owed.
		CashReserved,
		/// The vault cannot pay that much.
		InsufficientVaultFunds,
		/// A parameter is outside its hard bound.
		InvalidParams,
		/// Amount is zero.
		ZeroAmount,
		/// A slash of the vault is pending: no stake in, no withdrawal out.
		SlashPending,
		/// The market's price is not Active: withdrawals are frozen.
		MarketNotActive,
		/// The shares are worth nothing: a withdrawal would burn them for 0.
		ZeroValue,
		/// Fewer shares or less bUSD than the caller's bound.
		SlippageExceeded,
		/// The vault is not insolvent (NAV above 0, or no shares).
		NotInsolvent,
		/// A vault with no shares still has value that is not cash (open positions or unsettled
		/// amounts): it takes no first stake until the margin engine settles it.
		ValueUnsettled,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn integrity_test() {
			assert!(
				T::MinStake::get() > T::Currency::minimum_balance(),
				"MinStake must exceed the existential deposit"
			);
			assert!(T::MaxUnbondingChunks::get() > 0, "MaxUnbondingChunks must be positive");
			assert!(T::WithdrawWindow::get() > 0, "WithdrawWindow must be positive");
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Stake `amount` bUSD into `market`'s vault, for at least `min_shares` shares.
		///
		/// Refused while a slash of the vault is pending, and while the market's price is not
		/// Active (unless nothing is exposed to it). A first stake into a vault with no shares
		/// is refused while the vault has a deficit or value that is not cash; cash value left
		/// in it goes to the market's insurance fund first.
		///
		/// Errors: `UnknownMarket`, `StakeTooLow`, `SlashPending`, `MarketNotActive`,
		/// `VaultInsolvent`, `ValueUnsettled`, `ZeroShares`, `SlippageExceeded`, or the
		/// currency's error. Emits `Staked` (and `OrphanedValueSwept`).
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::stake().max(T::WeightInfo::stake_opening()))]
		pub fn stake(
			origin: OriginFor<T>,
			market: MarketId,
			amount: Balance,
			min_shares: Shares,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			ensure!(T::Markets::market_exists(market), Error::<T>::UnknownMarket);
			ensure!(amount >= T::MinStake::get(), Error::<T>::StakeTooLow);
			ensure!(
				!T::SlashPending::slash_pending(&SlashTarget::Vault(market)),
				Error::<T>::SlashPending
			);
			let mut book = Self::book(market);
			// Shares are priced at NAV: not at a stale or halted mark.
			ensure!(Self::price_usable(market, &book), Error::<T>::MarketNotActive);
			let mut vault = Vaults::<T>::get(market).unwrap_or_default();
			if vault.total_shares.is_zero() {
				// A vault nobody owns: a deficit is not the next staker's to fill, and value
				// left in it is not the next staker's to take.
				ensure!(book.equity() >= 0, Error::<T>::VaultInsolvent);
				book.held = book.held.saturating_sub(Self::sweep_orphaned_value(market, &book));
				ensure!(book.equity() == 0, Error::<T>::ValueUnsettled);
			}
			let nav = book.nav();
			let shares = if vault.total_shares.is_zero() {
				amount
			} else {
				ensure!(!nav.is_zero(), Error::<T>::VaultInsolvent);
				mul_div_floor(amount, vault.total_shares, nav)
			};
			ensure!(!shares.is_zero(), Error::<T>::ZeroShares);
			ensure!(shares >= min_shares, Error::<T>::SlippageExceeded);

			let account = Self::vault_account(market);
			if T::Currency::total_balance(&account).is_zero() {
				// Opens the vault account; the deposit stays free there, outside NAV.
				T::Currency::transfer(
					&who,
					&account,
					T::Currency::minimum_balance(),
					Preservation::Preserve,
				)?;
			}
			T::Currency::transfer_and_hold(
				&HoldReason::VaultStake.into(),
				&who,
				&account,
				amount,
				Precision::Exact,
				Preservation::Preserve,
				Fortitude::Polite,
			)?;
			vault.total_shares = vault.total_shares.saturating_add(shares);
			Vaults::<T>::insert(market, vault);
			let mut info = Self::position(market, &who, vault.epoch).unwrap_or_default();
			info.epoch = vault.epoch;
			info.active = info.active.saturating_add(shares);
			Stakers::<T>::insert(market, &who, info);
			Self::deposit_event(Event::Staked { market, staker: who, amount, shares });
			Ok(())
		}

		/// Start unbonding `shares` of the caller's active shares in `market`'s vault.
		///
		/// Errors: `ZeroAmount`, `NotStaker`, `InsufficientShares`, `TooManyChunks`.
		/// Emits `UnstakeRequested` (and `UnbondingExpired` for chunks whose window closed).
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::request_unstake())]
		pub fn request_unstake(
			origin: OriginFor<T>,
			market: MarketId,
			shares: Shares,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			ensure!(!shares.is_zero(), Error::<T>::ZeroAmount);
			let epoch = Vaults::<T>::get(market).map_or(0, |v| v.epoch);
			let mut info = Self::position(market, &who, epoch).ok_or(Error::<T>::NotStaker)?;
			let now = Self::now();
			Self::return_expired(market, &who, &mut info, now);
			ensure!(info.active >= shares, Error::<T>::InsufficientShares);
			let unlocks_at = now.saturating_add(T::UnbondingPeriod::get());
			info.unbonding
				.try_push(UnbondingChunk { shares, unlocks_at })
				.map_err(|_| Error::<T>::TooManyChunks)?;
			info.active = info.active.saturating_sub(shares);
			Stakers::<T>::insert(market, &who, info);
			Self::deposit_event(Event::UnstakeRequested {
				market,
				staker: who,
				shares,
				unlocks_at,
			});
			Ok(())
		}

		/// Burn the caller's matured chunks in `market`'s vault (within their withdrawal
		/// window) for their value at the exit NAV (the NAV without traders' unrealized losses,
		/// which may be bad debt until realized), at least `min_amount`.
		///
		/// Frozen while a slash of the vault is pending or the market's price is not `Active`
		/// (unless nothing is exposed to the price: a market never priced, or without positions
		/// and unsettled amounts). Pays only what leaves held cash of at least reserved plus
		/// what traders are owed. A position of a written-off epoch is removed.
		///
		/// Errors: `NotStaker`, `SlashPending`, `MarketNotActive`, `NothingToWithdraw`,
		/// `ZeroValue`, `SlippageExceeded`, `CashReserved`. Emits `Withdrawn` (and
		/// `UnbondingExpired`, or `WrittenOffPositionRemoved`).
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::withdraw(T::MaxUnbondingChunks::get()))]
		pub fn withdraw(
			origin: OriginFor<T>,
			market: MarketId,
			min_amount: Balance,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let mut vault = Vaults::<T>::get(market).unwrap_or_default();
			let Some(mut info) = Self::position(market, &who, vault.epoch) else {
				// A position of a written-off epoch is worth nothing: remove it.
				ensure!(Stakers::<T>::contains_key(market, &who), Error::<T>::NotStaker);
				Stakers::<T>::remove(market, &who);
				Self::deposit_event(Event::WrittenOffPositionRemoved { market, staker: who });
				return Ok(());
			};
			ensure!(
				!T::SlashPending::slash_pending(&SlashTarget::Vault(market)),
				Error::<T>::SlashPending
			);
			let book = Self::book(market);
			ensure!(Self::price_usable(market, &book), Error::<T>::MarketNotActive);
			let now = Self::now();
			// Chunks whose window closed go back to active stake (and are written back even if
			// nothing is withdrawable, so the free option cannot be kept by failing).
			let returned = Self::return_expired(market, &who, &mut info, now);
			let matured: Shares = info
				.unbonding
				.iter()
				.filter(|c| c.unlocks_at <= now)
				.fold(0, |acc, c| acc.saturating_add(c.shares));
			if matured.is_zero() {
				if !returned.is_zero() {
					Stakers::<T>::insert(market, &who, info);
					return Ok(());
				}
				return Err(Error::<T>::NothingToWithdraw.into());
			}
			// At the exit NAV: traders' unrealized losses (some of which may be bad debt) are
			// not paid out before they are realized.
			let amount = mul_div_floor(matured, book.exit_nav(), vault.total_shares);
			ensure!(!amount.is_zero(), Error::<T>::ZeroValue);
			ensure!(amount >= min_amount, Error::<T>::SlippageExceeded);
			ensure!(amount <= book.withdrawable(&Params::<T>::get()), Error::<T>::CashReserved);
			Self::pay_out(market, &who, amount, Precision::Exact)?;
			info.unbonding.retain(|c| c.unlocks_at > now);
			vault.total_shares = vault.total_shares.saturating_sub(matured);
			Vaults::<T>::insert(market, vault);
			if info.active.is_zero() && info.unbonding.is_empty() {
				Stakers::<T>::remove(market, &who);
			} else {
				Stakers::<T>::insert(market, &who, info);
			}
			Self::deposit_event(Event::Withdrawn { market, staker: who, shares: matured, amount });
			Ok(())
		}

		/// Set the leverage and skew limits of every vault.
		///
		/// Origin: [`Config::RiskOrigin`]. Errors: `InvalidParams`. Emits `ParamsUpdated`.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::set_params())]
		pub fn set_params(origin: OriginFor<T>, params: VaultParams) -> DispatchResult {
			T::RiskOrigin::ensure_origin(origin)?;
			ensure!(params.validate(), Error::<T>::InvalidParams);
			Params::<T>::put(params);
			Self::deposit_event(Event::ParamsUpdated { params });
			Ok(())
		}

		/// Write off `market`'s vault: with NAV 0 and shares outstanding, cancel every share
		/// (a new epoch starts), so that new stake mints fresh shares instead of being refused.
		/// The bad-debt path does this on its own when it leaves a vault at NAV 0.
		///
		/// Origin: [`Config::RiskOrigin`]. Errors: `NotInsolvent`. Emits `WrittenOff`.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::write_off())]
		pub fn write_off(origin: OriginFor<T>, market: MarketId) -> DispatchResult {
			T::RiskOrigin::ensure_origin(origin)?;
			ensure!(Self::do_write_off(market), Error::<T>::NotInsolvent);
			Ok(())
		}
	}
}

/// Supplies what the benchmarks need from the runtime.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper {
	/// A listed market.
	fn market() -> MarketId;

	/// Makes the margin engine (or its stand-in) report traders' unrealized PnL of `pnl` in
	/// `market`.
	fn set_trader_pnl(market: MarketId, pnl: i128);

	/// Puts `amount` in the global insurance fund, with an allowance to pay it.
	fn fund_global_insurance(amount: Balance);
}

/// Market 0, which the dev genesis lists; no margin engine, no global fund.
#[cfg(feature = "runtime-benchmarks")]
impl BenchmarkHelper for () {
	fn market() -> MarketId {
		0
	}

	fn set_trader_pnl(_: MarketId, _: i128) {}

	fn fund_global_insurance(_: Balance) {}
}

/// `floor(a * b / c)` without overflow; zero if `c` is zero or the result overflows (callers
/// treat zero as "nothing", never as a windfall).
fn mul_div_floor(a: u128, b: u128, c: u128) -> u128 {
	if c.is_zero() {
		return 0;
	}
	multiply_by_rational_with_rounding(a, b, c, Rounding::Down).unwrap_or(0)
}

/// `value / ratio`, rounded up; the largest balance if the ratio is zero or the result overflows
/// (an unpriceable reserve reserves everything).
fn div_ceil_by(value: Balance, ratio: FixedU128) -> Balance {
	multiply_by_rational_with_rounding(value, FixedU128::DIV, ratio.into_inner(), Rounding::Up)
		.unwrap_or(Balance::MAX)
}

/// `base + delta`, saturating at 0 and at the largest balance.
fn add_signed(base: Balance, delta: i128) -> Balance {
	if delta >= 0 {
		base.saturating_add(delta.unsigned_abs())
	} else {
		base.saturating_sub(delta.unsigned_abs())
	}
}

/// A vault's held stake and its market's exposure, as read in one go by [`Pallet::book`]; the
/// vault's value and limits are derived from it without further reads.
#[derive(Clone, Copy, PartialEq, Eq, Default, Debug)]
pub struct VaultBook {
	/// bUSD held as stake.
	pub held: Balance,
	/// What the margin engine owes the vault unsettled (negative: the vault owes).
	pub unsettled: i128,
	/// Traders' unrealized PnL (positive: traders win).
	pub trader_pnl: i128,
	/// Open interest notional.
	pub open_interest: Balance,
	/// |Net skew| notional.
	pub net_skew: Balance,
	/// What the options the vault wrote are worth to their holders at the model price.
	pub options_value: Balance,
	/// The same at the worse of the reserve shock's two prices.
	pub options_stressed: Balance,
}

impl VaultBook {
	/// The stakers' equity, not floored: `held + unsettled - unrealized trader PnL - written
	/// options' value`. Negative when the vault owes more than it has (a deficit a new staker
	/// must not fill).
	pub fn equity(&self) -> i128 {
		i128::try_from(self.held)
			.unwrap_or(i128::MAX)
			.saturating_add(self.unsettled)
			.saturating_sub(self.trader_pnl)
			.saturating_sub(self.options())
	}

	/// The written options' value, signed.
	fn options(&self) -> i128 {
		i128::try_from(self.options_value).unwrap_or(i128::MAX)
	}

	/// Net asset value: the equity floored at zero.
	pub fn nav(&self) -> Balance {
		self.equity().max(0).unsigned_abs()
	}

	/// What a leaving staker's shares are worth: the NAV without traders' unrealized losses,
	/// their unrealized profit and the written options' value still owed. A loss beyond a trader's collateral is never paid
	/// (insurance and the vault absorb it at the liquidation), and marking cannot tell it from
	/// the rest in O(1): until it is realized, no staker leaves with it, and the stakers who
	/// stay keep it once it is.
	pub fn exit_nav(&self) -> Balance {
		i128::try_from(self.held)
			.unwrap_or(i128::MAX)
			.saturating_add(self.unsettled)
			.saturating_sub(self.trader_pnl.max(0))
			.saturating_sub(self.options())
			.max(0)
			.unsigned_abs()
	}

	/// Cash the vault owes or may owe traders: realized profits not yet paid (negative
	/// unsettled) plus their unrealized profit and the written options' value.
	pub fn owed_to_traders(&self) -> Balance {
		self.unsettled
			.min(0)
			.unsigned_abs()
			.saturating_add(self.trader_pnl.max(0).unsigned_abs())
			.saturating_add(self.options_value)
	}

	/// Held cash that is the stakers' own: held less what traders are owed.
	pub fn own_cash(&self) -> Balance {
		self.held.saturating_sub(self.owed_to_traders())
	}

	/// Whether positions or unsettled amounts exist, so that the vault's value moves with the
	/// price.
	pub fn exposed(&self) -> bool {
		!self.open_interest.is_zero()
			|| self.trader_pnl != 0
			|| self.unsettled != 0
			|| !self.options_value.is_zero()
	}

	/// Capital open positions need: `max(OI / max_vault_leverage, |net skew| /
	/// max_skew_ratio)`, each rounded up, plus what a reserve shock would add to the written
	/// options' value (their value itself is owed already).
	pub fn reserved(&self, params: &VaultParams) -> Balance {
		div_ceil_by(self.open_interest, params.max_vault_leverage)
			.max(div_ceil_by(self.net_skew, params.max_skew_ratio))
			.saturating_add(self.options_stressed.saturating_sub(self.options_value))
	}

	/// Held cash a withdrawal may take: the stakers' own cash less reserved.
	pub fn withdrawable(&self, params: &VaultParams) -> Balance {
		self.own_cash().saturating_sub(self.reserved(params))
	}

	/// Cash the vault can pay traders: held plus unsettled, floored at zero.
	pub fn payable(&self) -> Balance {
		add_signed(self.held, self.unsettled)
	}
}

impl<T: Config> Pallet<T> {
	fn now() -> BlockNumber {
		frame_system::Pallet::<T>::block_number().saturated_into()
	}

	/// The keyless account of `market`'s vault.
	pub fn vault_account(market: MarketId) -> T::AccountId {
		T::PalletId::get().into_sub_account_truncating(market)
	}

	/// bUSD held as stake in `market`'s vault (realized PnL included).
	pub fn held(market: MarketId) -> Balance {
		T::Currency::balance_on_hold(&HoldReason::VaultStake.into(), &Self::vault_account(market))
	}

	/// Everything a vault's value depends on, read once: its held stake and what the margin engine
	/// reports for its market.
	pub fn book(market: MarketId) -> VaultBook {
		VaultBook {
			held: Self::held(market),
			unsettled: T::UnrealizedPnl::unsettled_vault_balance(market),
			trader_pnl: T::UnrealizedPnl::unrealized_trader_pnl(market),
			open_interest: T::OpenInterest::open_interest(market),
			net_skew: T::OpenInterest::net_skew(market),
			options_value: T::WrittenOptions::written_value(market),
			options_stressed: T::WrittenOptions::stressed_value(market),
		}
	}

	/// Net asset value (see [`VaultBook::nav`]).
	pub fn nav_of(market: MarketId) -> Balance {
		Self::book(market).nav()
	}

	/// The stakers' equity, not floored (see [`VaultBook::equity`]).
	pub fn equity(market: MarketId) -> i128 {
		Self::book(market).equity()
	}

	/// Held cash that is the stakers' own (see [`VaultBook::own_cash`]).
	pub fn own_cash(market: MarketId) -> Balance {
		Self::book(market).own_cash()
	}

	/// Whether the market's price is usable for pricing shares: Active, or never priced (no
	/// positions can exist), or any status while nothing is exposed to it.
	fn price_usable(market: MarketId, book: &VaultBook) -> bool {
		T::Prices::price_info(market).is_none_or(|p| p.status == MarketStatus::Active)
			|| !book.exposed()
	}

	/// Capital open positions need (see [`VaultBook::reserved`]).
	pub fn reserved(market: MarketId) -> Balance {
		Self::book(market).reserved(&Params::<T>::get())
	}

	/// Held cash a withdrawal may take (see [`VaultBook::withdrawable`]).
	pub fn withdrawable_cash(market: MarketId) -> Balance {
		Self::book(market).withdrawable(&Params::<T>::get())
	}

	/// Current value of `shares` of `market`'s vault, rounded down.
	pub fn value_of(market: MarketId, shares: Shares) -> Balance {
		let total = Vaults::<T>::get(market).map_or(0, |v| v.total_shares);
		mul_div_floor(shares, Self::nav_of(market), total)
	}

	/// `who`'s position in `market`'s vault if it belongs to epoch `epoch` (shares of a
	/// written-off epoch are no position).
	fn position(
		market: MarketId,
		who: &T::AccountId,
		epoch: u32,
	) -> Option<StakerInfo<T::MaxUnbondingChunks>> {
		Stakers::<T>::get(market, who).filter(|info| info.epoch == epoch)
	}

	/// Returns `who`'s expired chunks to active stake, with an event.
	fn return_expired(
		market: MarketId,
		who: &T::AccountId,
		info: &mut StakerInfo<T::MaxUnbondingChunks>,
		now: BlockNumber,
	) -> Shares {
		let returned = info.return_expired(now, T::WithdrawWindow::get());
		if !returned.is_zero() {
			Self::deposit_event(Event::UnbondingExpired {
				market,
				staker: who.clone(),
				shares: returned,
			});
		}
		returned
	}

	/// Moves value nobody owns (a vault with no shares but NAV left, e.g. rounding dust after
	/// the last withdrawal, or trader losses after a write-off) to the market's insurance fund,
	/// so the next staker does not mint shares over it. Only the stakers' own cash moves (never
	/// what traders are owed): `min(NAV, held - owed)`. Best effort: an amount an empty fund
	/// cannot accept (below the existential deposit) stays, and the first stake is refused.
	fn sweep_orphaned_value(market: MarketId, book: &VaultBook) -> Balance {
		let amount = book.nav().min(book.own_cash());
		if amount.is_zero() {
			return 0;
		}
		match Self::pay_out(market, &T::Insurance::fund_account(market), amount, Precision::Exact) {
			Ok(moved) => {
				Self::deposit_event(Event::OrphanedValueSwept { market, amount: moved });
				moved
			},
			Err(error) => {
				log::warn!(target: LOG_TARGET, "orphaned value of market {market} stays: {error:?}");
				0
			},
		}
	}

	/// Moves `amount` of `market`'s held stake to `to`: every payment out of a vault (a
	/// withdrawal, a batch of trader profits, a slash, a sweep) goes through here.
	fn pay_out(
		market: MarketId,
		to: &T::AccountId,
		amount: Balance,
		precision: Precision,
	) -> Result<Balance, DispatchError> {
		T::Currency::transfer_on_hold(
			&HoldReason::VaultStake.into(),
			&Self::vault_account(market),
			to,
			amount,
			precision,
			Restriction::Free,
			Fortitude::Force,
		)
	}

	/// Writes off `market`'s vault if its NAV is 0 with shares outstanding: cancels the shares
	/// by starting a new epoch (O(1): old positions are ignored and pruned when touched).
	/// Returns whether it did.
	pub(crate) fn do_write_off(market: MarketId) -> bool {
		let Some(mut vault) = Vaults::<T>::get(market) else { return false };
		if vault.total_shares.is_zero() || Self::book(market).equity() > 0 {
			return false;
		}
		let shares = vault.total_shares;
		vault.total_shares = 0;
		vault.epoch = vault.epoch.saturating_add(1);
		Vaults::<T>::insert(market, vault);
		Self::deposit_event(Event::WrittenOff { market, shares, epoch: vault.epoch });
		true
	}

	/// The vault of `market` for the runtime API.
	pub fn api_vault(market: MarketId) -> VaultView {
		let book = Self::book(market);
		let params = Params::<T>::get();
		let capacity = params.max_vault_leverage.saturating_mul_int(book.nav());
		let vault = Vaults::<T>::get(market).unwrap_or_default();
		VaultView {
			nav: book.nav(),
			total_shares: vault.total_shares,
			capacity,
			utilization: FixedU128::checked_from_rational(book.open_interest, capacity)
				.unwrap_or_default(),
			reserved: book.reserved(&params),
			payable_cash: book.payable(),
			withdrawable: book.withdrawable(&params),
			epoch: vault.epoch,
		}
	}

	/// A staker's position for the runtime API (chunks whose window closed shown as active).
	pub fn api_staker(market: MarketId, who: &T::AccountId) -> Option<StakerView> {
		let epoch = Vaults::<T>::get(market).map_or(0, |v| v.epoch);
		let mut info = Self::position(market, who, epoch)?;
		info.return_expired(Self::now(), T::WithdrawWindow::get());
		Some(StakerView {
			active_shares: info.active,
			unbonding: info.unbonding.iter().map(|c| (c.shares, c.unlocks_at)).collect(),
			value: Self::value_of(market, info.total_shares()),
		})
	}

	/// Checks the pallet's invariants.
	///
	/// ## Invariants
	///
	/// - Every vault's `total_shares` is the sum of its current-epoch stakers' active and
	///   unbonding shares; no staker is of a later epoch than its vault.
	/// - Parameters are within their hard bounds.
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		ensure!(Params::<T>::get().validate(), "vault parameters out of bounds");
		for (market, vault) in Vaults::<T>::iter() {
			let sum = Stakers::<T>::iter_prefix(market)
				.filter(|(_, info)| info.epoch == vault.epoch)
				.fold(0u128, |acc, (_, info)| acc.saturating_add(info.total_shares()));
			ensure!(sum == vault.total_shares, "total shares differ from the stakers' shares");
		}
		for (market, _, info) in Stakers::<T>::iter() {
			let vault = Vaults::<T>::get(market).ok_or("a staker of a vault that never existed")?;
			ensure!(info.epoch <= vault.epoch, "a staker of a future epoch");
		}
		Ok(())
	}
}

impl<T: Config> VaultSettlement<T::AccountId> for Pallet<T> {
	fn nav(market: MarketId) -> Balance {
		Self::nav_of(market)
	}

	fn collect(market: MarketId, custody: &T::AccountId, amount: Balance) -> DispatchResult {
		ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
		ensure!(Vaults::<T>::contains_key(market), Error::<T>::UnknownMarket);
		T::Currency::transfer_and_hold(
			&HoldReason::VaultStake.into(),
			custody,
			&Self::vault_account(market),
			amount,
			Precision::Exact,
			Preservation::Expendable,
			Fortitude::Polite,
		)?;
		Self::deposit_event(Event::Collected { market, from: custody.clone(), amount });
		Ok(())
	}

	fn pay(market: MarketId, custody: &T::AccountId, amount: Balance) -> DispatchResult {
		ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
		ensure!(Self::held(market) >= amount, Error::<T>::InsufficientVaultFunds);
		Self::pay_out(market, custody, amount, Precision::Exact)?;
		Self::deposit_event(Event::Paid { market, to: custody.clone(), amount });
		Ok(())
	}

	fn absorb_bad_debt(market: MarketId, shortfall: Balance) -> (Balance, Balance) {
		if shortfall.is_zero() {
			return (0, 0);
		}
		let account = Self::vault_account(market);
		// The cover lands in the vault account and is held at once as stake: never stranded
		// as free balance outside NAV. Either both happen or neither.
		let covered = frame_support::storage::with_storage_layer(|| -> Result<_, DispatchError> {
			let covered = T::Insurance::cover(market, &account, shortfall)?;
			if !covered.is_zero() {
				T::Currency::hold(&HoldReason::VaultStake.into(), &account, covered)?;
			}
			Ok(covered)
		})
		.unwrap_or_else(|error| {
			log::warn!(target: LOG_TARGET, "cover of market {market} failed: {error:?}");
			0
		});
		let absorbed = shortfall.saturating_sub(covered);
		Self::deposit_event(Event::BadDebtAbsorbed { market, shortfall, covered, absorbed });
		Self::do_write_off(market);
		(covered, absorbed)
	}

	fn payable_cash(market: MarketId) -> Balance {
		// `VaultBook::payable` without valuing the open positions: a liquidation asks it once
		// per winning leg.
		add_signed(Self::held(market), T::UnrealizedPnl::unsettled_vault_balance(market))
	}

	fn held_stake(market: MarketId) -> Balance {
		Self::held(market)
	}

	fn max_open_interest(market: MarketId) -> Balance {
		Params::<T>::get().max_vault_leverage.saturating_mul_int(Self::nav_of(market))
	}

	fn max_skew(market: MarketId) -> Balance {
		Params::<T>::get().max_skew_ratio.saturating_mul_int(Self::nav_of(market))
	}

	fn settle_weight() -> Weight {
		T::WeightInfo::collect().max(T::WeightInfo::pay())
	}

	fn absorb_bad_debt_weight() -> Weight {
		T::WeightInfo::absorb_bad_debt()
	}
}

/// A vault is slashed as a whole: every share, active or unbonding, loses the same fraction of
/// the stakers' equity (NAV), never the cash owed to traders.
impl<T: Config> Slashable<MarketId, T::AccountId> for Pallet<T> {
	fn slashable_balance(market: &MarketId) -> Balance {
		let book = Self::book(*market);
		book.nav().min(book.own_cash())
	}

	fn unbonding_period() -> BlockNumber {
		T::UnbondingPeriod::get()
	}

	fn slash(
		market: &MarketId,
		fraction: Perbill,
		beneficiary: &T::AccountId,
	) -> Result<Balance, DispatchError> {
		let book = Self::book(*market);
		let amount = fraction.mul_floor(book.nav()).min(book.own_cash());
		if amount.is_zero() {
			return Ok(0);
		}
		let moved = Self::pay_out(*market, beneficiary, amount, Precision::BestEffort)?;
		Self::deposit_event(Event::Slashed {
			market: *market,
			amount: moved,
			beneficiary: beneficiary.clone(),
		});
		Ok(moved)
	}
}
