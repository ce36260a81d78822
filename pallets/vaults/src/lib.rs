//! # Vaults pallet
//!
//! One staking vault per market: the counterparty of every trade in that market and its
//! first-loss capital. Stakers own shares of the vault's net asset value.
//!
//! ## Key terms
//!
//! - **Vault account**: a keyless account derived from [`Config::PalletId`] and the market. All
//!   stake is on hold there under [`HoldReason::VaultStake`]; trader losses, fees and funding are
//!   added to that hold, trader profits, withdrawals and slashes are paid out of it.
//! - **NAV** (net asset value): `held stake - unrealized trader PnL`, floored at zero. Realized
//!   profits and losses already moved funds, so the held balance carries them.
//! - **Shares**: a staker's claim on NAV. Unbonding chunks stay shares until withdrawn, so they
//!   bear losses and slashes like active stake and nobody front-runs a slash by unstaking.
//! - **Reserved**: `open interest / max_vault_leverage`, the NAV that open positions need; only
//!   NAV above it can be withdrawn.
//!
//! ## Usage
//!
//! - [`Call::stake`]: deposit bUSD, receive `floor(amount * total_shares / NAV)` shares (1:1 in
//!   an empty vault). The first staker of a vault also pays one existential deposit that opens
//!   the vault account and stays there.
//! - [`Call::request_unstake`]: move shares into an unbonding chunk for [`Config::UnbondingPeriod`].
//! - [`Call::withdraw`]: burn matured chunks for `floor(shares * NAV / total_shares)`, if that much
//!   NAV is not reserved by open interest.
//! - [`Call::set_params`]: the risk origin sets leverage and skew limits within hard bounds.
//!
//! Rounding always favours the vault: a staker never receives more than their share, and the
//! remainder dust stays in the vault for the others.
//!
//! The margin engine settles through [`VaultSettlement`]; the slashing pallet slashes through
//! [`Slashable`], taking the same fraction of active and unbonding stake (all shares lose alike).

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
	Balance, BlockNumber, MarketId, MarketRegistry, OpenInterest, Slashable, UnrealizedPnl,
	VaultSettlement,
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
	helpers_128bit::multiply_by_rational_with_rounding,
	traits::{CheckedDiv, Zero},
	FixedPointNumber, FixedU128, Perbill, Rounding,
};
use sp_runtime::traits::{AccountIdConversion, SaturatedConversion};

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
	/// All shares, active and unbonding.
	pub total_shares: Shares,
}

/// Shares waiting to be withdrawn.
#[derive(Clone, Copy, PartialEq, Eq, Encode, Decode, MaxEncodedLen, TypeInfo, Debug)]
pub struct UnbondingChunk {
	/// Shares in the chunk; they keep bearing losses and slashes.
	pub shares: Shares,
	/// First block at which they can be withdrawn.
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
}

impl<MaxChunks: Get<u32>> Default for StakerInfo<MaxChunks> {
	fn default() -> Self {
		Self { active: 0, unbonding: BoundedVec::default() }
	}
}

impl<MaxChunks: Get<u32>> StakerInfo<MaxChunks> {
	/// Active plus unbonding shares.
	pub fn total_shares(&self) -> Shares {
		self.unbonding.iter().fold(self.active, |acc, c| acc.saturating_add(c.shares))
	}
}

/// A vault as reported by the runtime API.
#[derive(Clone, PartialEq, Eq, Encode, Decode, TypeInfo, Debug)]
pub struct VaultView {
	/// Net asset value in bUSD.
	pub nav: Balance,
	/// All shares.
	pub total_shares: Shares,
	/// Open-interest notional the vault may back (`NAV x max_vault_leverage`).
	pub capacity: Balance,
	/// Open interest over capacity.
	pub utilization: FixedU128,
	/// NAV reserved by open interest (not withdrawable).
	pub reserved: Balance,
}

/// A staker's position as reported by the runtime API.
#[derive(Clone, PartialEq, Eq, Encode, Decode, TypeInfo, Debug)]
pub struct StakerView {
	/// Active shares.
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

		/// Sets vault limits (the risk council).
		type RiskOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// Listed markets (the oracle).
		type Markets: MarketRegistry;

		/// Open interest per market (the margin engine).
		type OpenInterest: OpenInterest;

		/// Traders' unrealized PnL per market (the margin engine), for marking NAV.
		type UnrealizedPnl: UnrealizedPnl;

		/// Derives vault accounts.
		#[pallet::constant]
		type PalletId: Get<PalletId>;

		/// Smallest stake. Keeps share prices meaningful (no dust-share inflation).
		#[pallet::constant]
		type MinStake: Get<Balance>;

		/// Blocks between `request_unstake` and `withdraw`. Longer than the slash deferral.
		#[pallet::constant]
		type UnbondingPeriod: Get<BlockNumber>;

		/// Most unbonding chunks per staker and vault.
		#[pallet::constant]
		type MaxUnbondingChunks: Get<u32>;

		/// Weights of the calls.
		type WeightInfo: WeightInfo;

		/// Names a listed market for the benchmarks.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper;
	}

	/// Share supply per market; absent until the first stake.
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
		/// Matured `shares` were burnt for `amount`.
		Withdrawn { market: MarketId, staker: T::AccountId, shares: Shares, amount: Balance },
		/// The vault received `amount` from `from` (trader loss, fee, funding).
		Collected { market: MarketId, from: T::AccountId, amount: Balance },
		/// The vault paid `amount` to `to` (trader profit).
		Paid { market: MarketId, to: T::AccountId, amount: Balance },
		/// `amount` of the vault was slashed to `beneficiary`.
		Slashed { market: MarketId, amount: Balance, beneficiary: T::AccountId },
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
		/// The vault's NAV is zero while shares exist: it cannot price new shares.
		VaultInsolvent,
		/// The caller has no position in this vault.
		NotStaker,
		/// More shares than the caller's active shares.
		InsufficientShares,
		/// [`Config::MaxUnbondingChunks`] chunks are unbonding already.
		TooManyChunks,
		/// No chunk has matured.
		NothingToWithdraw,
		/// The withdrawal would take NAV that open interest reserves.
		ReservedByOpenInterest,
		/// The vault cannot pay that much.
		InsufficientVaultFunds,
		/// A parameter is outside its hard bound.
		InvalidParams,
		/// Amount is zero.
		ZeroAmount,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn integrity_test() {
			assert!(
				T::MinStake::get() > T::Currency::minimum_balance(),
				"MinStake must exceed the existential deposit"
			);
			assert!(T::MaxUnbondingChunks::get() > 0, "MaxUnbondingChunks must be positive");
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Stake `amount` bUSD into `market`'s vault.
		///
		/// Errors: `UnknownMarket`, `StakeTooLow`, `VaultInsolvent`, `ZeroShares`, or the
		/// currency's error. Emits `Staked`.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::stake())]
		pub fn stake(origin: OriginFor<T>, market: MarketId, amount: Balance) -> DispatchResult {
			let who = ensure_signed(origin)?;
			ensure!(T::Markets::market_exists(market), Error::<T>::UnknownMarket);
			ensure!(amount >= T::MinStake::get(), Error::<T>::StakeTooLow);
			let mut vault = Vaults::<T>::get(market).unwrap_or_default();
			let nav = Self::nav_of(market);
			let shares = if vault.total_shares.is_zero() {
				amount
			} else {
				ensure!(!nav.is_zero(), Error::<T>::VaultInsolvent);
				mul_div_floor(amount, vault.total_shares, nav)
			};
			ensure!(!shares.is_zero(), Error::<T>::ZeroShares);

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
			Stakers::<T>::mutate(market, &who, |info| {
				let info = info.get_or_insert_with(Default::default);
				info.active = info.active.saturating_add(shares);
			});
			Self::deposit_event(Event::Staked { market, staker: who, amount, shares });
			Ok(())
		}

		/// Start unbonding `shares` of the caller's active shares in `market`'s vault.
		///
		/// Errors: `ZeroAmount`, `NotStaker`, `InsufficientShares`, `TooManyChunks`.
		/// Emits `UnstakeRequested`.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::request_unstake())]
		pub fn request_unstake(
			origin: OriginFor<T>,
			market: MarketId,
			shares: Shares,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			ensure!(!shares.is_zero(), Error::<T>::ZeroAmount);
			let mut info = Stakers::<T>::get(market, &who).ok_or(Error::<T>::NotStaker)?;
			ensure!(info.active >= shares, Error::<T>::InsufficientShares);
			let unlocks_at = Self::now().saturating_add(T::UnbondingPeriod::get());
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

		/// Burn the caller's matured chunks in `market`'s vault for their value at NAV.
		///
		/// Errors: `NotStaker`, `NothingToWithdraw`, `ReservedByOpenInterest`. Emits `Withdrawn`.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::withdraw(T::MaxUnbondingChunks::get()))]
		pub fn withdraw(origin: OriginFor<T>, market: MarketId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let mut info = Stakers::<T>::get(market, &who).ok_or(Error::<T>::NotStaker)?;
			let now = Self::now();
			let matured: Shares = info
				.unbonding
				.iter()
				.filter(|c| c.unlocks_at <= now)
				.fold(0, |acc, c| acc.saturating_add(c.shares));
			ensure!(!matured.is_zero(), Error::<T>::NothingToWithdraw);
			let mut vault = Vaults::<T>::get(market).unwrap_or_default();
			let nav = Self::nav_of(market);
			let amount = mul_div_floor(matured, nav, vault.total_shares);
			let free = nav.saturating_sub(Self::reserved(market));
			ensure!(amount <= free, Error::<T>::ReservedByOpenInterest);
			if !amount.is_zero() {
				T::Currency::transfer_on_hold(
					&HoldReason::VaultStake.into(),
					&Self::vault_account(market),
					&who,
					amount,
					Precision::Exact,
					Restriction::Free,
					Fortitude::Force,
				)?;
			}
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
	}
}

/// Supplies what the benchmarks need from the runtime.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper {
	/// A listed market.
	fn market() -> MarketId;
}

/// Market 0, which the dev genesis lists.
#[cfg(feature = "runtime-benchmarks")]
impl BenchmarkHelper for () {
	fn market() -> MarketId {
		0
	}
}

/// `floor(a * b / c)` without overflow; zero if `c` is zero or the result overflows (callers
/// treat zero as "nothing", never as a windfall).
fn mul_div_floor(a: u128, b: u128, c: u128) -> u128 {
	if c.is_zero() {
		return 0;
	}
	multiply_by_rational_with_rounding(a, b, c, Rounding::Down).unwrap_or(0)
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

	/// Net asset value: held stake minus traders' unrealized PnL, floored at zero.
	pub fn nav_of(market: MarketId) -> Balance {
		let held = Self::held(market);
		let pnl = T::UnrealizedPnl::unrealized_trader_pnl(market);
		if pnl >= 0 {
			held.saturating_sub(pnl.unsigned_abs())
		} else {
			held.saturating_add(pnl.unsigned_abs())
		}
	}

	/// NAV that open interest reserves: `open interest / max_vault_leverage`, rounded up.
	pub fn reserved(market: MarketId) -> Balance {
		let oi = T::OpenInterest::open_interest(market);
		let leverage = Params::<T>::get().max_vault_leverage;
		FixedU128::checked_from_integer(oi)
			.and_then(|oi| oi.checked_div(&leverage))
			.map(|r| r.into_inner().div_ceil(FixedU128::DIV))
			.unwrap_or(oi)
	}

	/// Current value of `shares` of `market`'s vault, rounded down.
	pub fn value_of(market: MarketId, shares: Shares) -> Balance {
		let total = Vaults::<T>::get(market).map_or(0, |v| v.total_shares);
		mul_div_floor(shares, Self::nav_of(market), total)
	}

	/// The vault of `market` for the runtime API.
	pub fn api_vault(market: MarketId) -> VaultView {
		let nav = Self::nav_of(market);
		let capacity = <Self as VaultSettlement<T::AccountId>>::max_open_interest(market);
		let oi = T::OpenInterest::open_interest(market);
		VaultView {
			nav,
			total_shares: Vaults::<T>::get(market).map_or(0, |v| v.total_shares),
			capacity,
			utilization: FixedU128::checked_from_rational(oi, capacity).unwrap_or_default(),
			reserved: Self::reserved(market),
		}
	}

	/// A staker's position for the runtime API.
	pub fn api_staker(market: MarketId, who: &T::AccountId) -> Option<StakerView> {
		let info = Stakers::<T>::get(market, who)?;
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
	/// - Every vault's `total_shares` is the sum of its stakers' active and unbonding shares.
	/// - A vault with shares has funds on hold, and a vault without shares has no stakers.
	/// - Parameters are within their hard bounds; unbonding chunks are within their bound.
	#[cfg(any(feature = "try-runtime", test))]
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		ensure!(Params::<T>::get().validate(), "vault parameters out of bounds");
		for (market, vault) in Vaults::<T>::iter() {
			let sum = Stakers::<T>::iter_prefix(market)
				.fold(0u128, |acc, (_, info)| acc.saturating_add(info.total_shares()));
			ensure!(sum == vault.total_shares, "total shares differ from the stakers' shares");
		}
		for (market, _, _) in Stakers::<T>::iter() {
			ensure!(Vaults::<T>::contains_key(market), "a staker of a vault without shares");
		}
		Ok(())
	}
}

impl<T: Config> VaultSettlement<T::AccountId> for Pallet<T> {
	fn nav(market: MarketId) -> Balance {
		Self::nav_of(market)
	}

	fn collect(market: MarketId, from: &T::AccountId, amount: Balance) -> DispatchResult {
		ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
		ensure!(Vaults::<T>::contains_key(market), Error::<T>::UnknownMarket);
		T::Currency::transfer_and_hold(
			&HoldReason::VaultStake.into(),
			from,
			&Self::vault_account(market),
			amount,
			Precision::Exact,
			Preservation::Expendable,
			Fortitude::Polite,
		)?;
		Self::deposit_event(Event::Collected { market, from: from.clone(), amount });
		Ok(())
	}

	fn pay(market: MarketId, to: &T::AccountId, amount: Balance) -> DispatchResult {
		ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
		ensure!(Self::held(market) >= amount, Error::<T>::InsufficientVaultFunds);
		T::Currency::transfer_on_hold(
			&HoldReason::VaultStake.into(),
			&Self::vault_account(market),
			to,
			amount,
			Precision::Exact,
			Restriction::Free,
			Fortitude::Force,
		)?;
		Self::deposit_event(Event::Paid { market, to: to.clone(), amount });
		Ok(())
	}

	fn max_open_interest(market: MarketId) -> Balance {
		Params::<T>::get().max_vault_leverage.saturating_mul_int(Self::nav_of(market))
	}

	fn max_skew(market: MarketId) -> Balance {
		Params::<T>::get().max_skew_ratio.saturating_mul_int(Self::nav_of(market))
	}
}

/// A vault is slashed as a whole: every share, active or unbonding, loses the same fraction.
impl<T: Config> Slashable<MarketId, T::AccountId> for Pallet<T> {
	fn slashable_balance(market: &MarketId) -> Balance {
		Self::held(*market)
	}

	fn unbonding_period() -> BlockNumber {
		T::UnbondingPeriod::get()
	}

	fn slash(
		market: &MarketId,
		fraction: Perbill,
		beneficiary: &T::AccountId,
	) -> Result<Balance, DispatchError> {
		let amount = fraction.mul_floor(Self::held(*market));
		if amount.is_zero() {
			return Ok(0);
		}
		let moved = T::Currency::transfer_on_hold(
			&HoldReason::VaultStake.into(),
			&Self::vault_account(*market),
			beneficiary,
			amount,
			Precision::BestEffort,
			Restriction::Free,
			Fortitude::Force,
		)?;
		Self::deposit_event(Event::Slashed {
			market: *market,
			amount: moved,
			beneficiary: beneficiary.clone(),
		});
		Ok(moved)
	}
}
