//! # Security monitor pallet
//!
//! Watches whether attacking the chain still costs more than an attack could win, and restricts
//! a market by itself when it does not (design brief, section 9).
//!
//! ## Key terms
//!
//! - **Oracle ACR** (attack-cost ratio) of a market: what controlling its oracle median costs
//!   over what a manipulation inside the circuit breaker's band can win.
//! - **Consensus ACR**: what stalling finality costs (a third of the validators' exposure, in
//!   bUSD at the oracle's `BWK-USD` price) over the value the chain secures (trader collateral,
//!   vault stake, insurance). Chain-wide.
//! - **Vault cover** of a market: its vault's NAV over its open interest.
//! - **Restricted** market: reduce-only, its initial margin fraction multiplied by
//!   `restricted_imf_multiplier` (the margin engine asks through
//!   [`bulwark_primitives::MarketRestriction`]).
//!
//! ```text
//! oracle ACR     = control_bond x max_deviation_slash / (open_interest x max_price_jump)
//! consensus ACR  = bwk_in_busd(one third of active exposure) / (collateral + vault stake + insurance)
//! vault cover    = vault NAV / open_interest
//! restrict when  any ratio < its floor
//! release when   every ratio >= its floor x (1 + hysteresis)
//! ```
//!
//! The control bond is half the bond of the operators counted for the market: its median is the
//! lower bond-weighted median, so a coalition of them holding half sets it. The slash is the largest
//! a deviation offence can take: the ratio assumes the attacker is caught and slashed that much.
//!
//! ## Usage
//!
//! - The hook recomputes every market listed by the oracle every `MonitorPeriod` blocks, after
//!   the oracle aggregated and the margin engine refreshed (the pallet comes after both), and
//!   restricts or releases markets with [`Event::MarketRestricted`] / [`Event::MarketReleased`].
//! - [`Call::set_params`]: the risk council sets the floors within hard bounds.
//! - Runtime API [`runtime_api::SecurityApi`]: a market's ratios computed now, its floors and
//!   restriction; a stress test of price shocks (accounts liquidatable, bad debt, insurance
//!   cover, vault NAV after, per market).
//!
//! ## Limitations
//!
//! - BWK is valued at the lower of the `BWK-USD` median and its EMA; while that market is stale
//!   (or was never priced) the consensus ACR keeps its last value (none at first, which
//!   restricts nothing); a halted market's EMA values BWK meanwhile.
//! - The consensus ACR takes a third of the era's total stake: with stake spread unevenly, the
//!   cheapest third of the validators holds less.
//! - An operator serving several markets counts its whole bond in each, while one deviation
//!   offence per round and span is all it can be slashed for.
//! - Ratios are sampled once a period: anyone can push a market into restriction (open interest
//!   from a long and a short, idle collateral raising the value secured) for the fees and the
//!   capital it ties up; a restriction only stops new exposure and raises the initial margin,
//!   never the maintenance margin, so nobody is liquidated by it.
//! - A ratio is `None` (never restricting) when nothing is at stake: no open interest, nothing
//!   secured.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub mod math;
pub mod runtime_api;
pub mod types;
pub mod weights;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

pub use pallet::*;
pub use types::*;
pub use weights::WeightInfo;

use alloc::vec::Vec;
use bulwark_primitives::{
	Balance, BlockNumber, DeviationSlash, InsuranceBalances, MarginTotals, MarketId,
	MarketRestriction, MarketShock, MarketStatus, OpenInterest, OracleSecurity, Price, PriceFeed,
	ValidatorStake, VaultSettlement,
};
use frame_support::pallet_prelude::*;
use frame_system::pallet_prelude::*;
use sp_arithmetic::FixedU128;
use sp_runtime::traits::SaturatedConversion;

#[frame_support::pallet]
pub mod pallet {
	use super::*;

	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// Prices (the oracle): the BWK price.
		type Prices: PriceFeed;

		/// What controlling each market's median costs (the oracle).
		type Oracle: OracleSecurity;

		/// The largest deviation slash (the slashing pallet).
		type Slashing: DeviationSlash;

		/// The validators' exposure (pallet-staking, through the runtime).
		type Staking: ValidatorStake;

		/// Open interest per market (the margin engine).
		type OpenInterest: OpenInterest;

		/// Trader collateral (the margin engine).
		type Margin: MarginTotals;

		/// Vault NAV and stake (the vaults).
		type Vaults: VaultSettlement<Self::AccountId>;

		/// Insurance balances (the insurance pallet).
		type Insurance: InsuranceBalances;

		/// Sets the floors (the risk council).
		type RiskOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// The oracle market pricing BWK in bUSD.
		#[pallet::constant]
		type BwkMarket: Get<MarketId>;

		/// Blocks between two recomputations.
		#[pallet::constant]
		type MonitorPeriod: Get<BlockNumber>;

		/// Most markets the oracle lists (bounds the hook).
		#[pallet::constant]
		type MaxMarkets: Get<u32>;

		/// Weights of the calls and the hook.
		type WeightInfo: WeightInfo;

		/// Sets up markets for the benchmarks.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper;
	}

	/// The floors and what a restriction does.
	#[pallet::storage]
	pub type Params<T: Config> = StorageValue<_, MonitorParams, ValueQuery>;

	/// Each listed market's ratios as of the last period.
	#[pallet::storage]
	pub type Ratios<T: Config> = StorageMap<_, Twox64Concat, MarketId, MarketRatios, OptionQuery>;

	/// The last measured consensus ACR (kept while the BWK price is stale).
	#[pallet::storage]
	pub type ConsensusAcr<T: Config> = StorageValue<_, FixedU128, OptionQuery>;

	/// Restricted markets: why and since when.
	#[pallet::storage]
	pub type Restricted<T: Config> =
		StorageMap<_, Twox64Concat, MarketId, Restriction, OptionQuery>;

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// Initial parameters; `None` keeps the defaults.
		pub params: Option<MonitorParams>,
		#[serde(skip)]
		pub _config: core::marker::PhantomData<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			if let Some(params) = self.params {
				assert!(params.validate(), "invalid genesis monitor params"); // proof: genesis only, a bad spec must fail
				Params::<T>::put(params);
			}
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// `market` is restricted: `ratio` fell to `value`, under its `floor`.
		MarketRestricted { market: MarketId, ratio: Ratio, value: FixedU128, floor: FixedU128 },
		/// `market` is released: every ratio is above its floor plus the hysteresis.
		MarketReleased { market: MarketId },
		/// The risk council set the parameters.
		ParamsUpdated { params: MonitorParams },
	}

	#[pallet::error]
	#[cfg_attr(test, derive(PartialEq))]
	pub enum Error<T> {
		/// Parameters outside their hard bounds.
		InvalidParams,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn on_initialize(now: BlockNumberFor<T>) -> Weight {
			let now: BlockNumber = now.saturated_into();
			if !now.is_multiple_of(T::MonitorPeriod::get().max(1)) {
				return T::WeightInfo::on_initialize_idle();
			}
			let markets = Self::refresh(now);
			T::WeightInfo::on_initialize(markets)
		}

		fn integrity_test() {
			assert!(T::MonitorPeriod::get() > 0, "MonitorPeriod must be positive");
			assert!(MonitorParams::default().validate(), "default monitor params within bounds");
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Set the floors, the hysteresis and the restricted margin multiplier.
		///
		/// Origin: `RiskOrigin`. Takes effect at the next period.
		///
		/// Errors: `InvalidParams` outside the hard bounds. Emits `ParamsUpdated`.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::set_params())]
		pub fn set_params(origin: OriginFor<T>, params: MonitorParams) -> DispatchResult {
			T::RiskOrigin::ensure_origin(origin)?;
			ensure!(params.validate(), Error::<T>::InvalidParams);
			Params::<T>::put(params);
			Self::deposit_event(Event::ParamsUpdated { params });
			Ok(())
		}
	}
}

/// Sets up the worst case of the hook for the benchmarks: markets listed by the oracle, each
/// with a vault and an insurance fund, and value secured against a cheap BWK.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper {
	/// Lists `count` markets at the oracle (with the most operators serving each) and prices
	/// BWK so low that the consensus ACR is under any floor.
	fn setup(count: u32);
}

impl<T: Config> Pallet<T> {
	/// Value the chain secures, in bUSD: trader collateral, every listed market's vault stake and
	/// insurance fund, and the global fund.
	pub fn value_secured(markets: &[(MarketId, Balance, sp_arithmetic::Perbill)]) -> Balance {
		markets.iter().fold(
			T::Margin::total_collateral().saturating_add(T::Insurance::global_balance()),
			|acc, (market, ..)| {
				acc.saturating_add(T::Vaults::held_stake(*market))
					.saturating_add(T::Insurance::fund_balance(*market))
			},
		)
	}

	/// The consensus ACR now: at the lower of the `BWK-USD` median and its EMA while it is
	/// active, at its EMA while it is halted, and the last measured value while it is stale or
	/// unpriced.
	pub fn consensus_acr(
		markets: &[(MarketId, Balance, sp_arithmetic::Perbill)],
	) -> Option<FixedU128> {
		let price = T::Prices::price_info(T::BwkMarket::get()).and_then(|info| match info.status {
			// The lower of the median and its EMA: pumping BWK for a round must not switch the
			// check off.
			MarketStatus::Active => Some(info.price.min(info.ema_price)),
			MarketStatus::Halted => Some(info.ema_price),
			MarketStatus::Stale => None,
		});
		match price {
			Some(price) => math::consensus_acr(
				T::Staking::one_third_active_exposure(),
				price,
				Self::value_secured(markets),
			),
			None => ConsensusAcr::<T>::get(),
		}
	}

	/// `market`'s ratios now, given the chain's consensus ACR and the market's oracle security.
	pub fn market_ratios(
		(market, control_bond, max_price_jump): (MarketId, Balance, sp_arithmetic::Perbill),
		consensus_acr: Option<FixedU128>,
	) -> MarketRatios {
		let open_interest = T::OpenInterest::open_interest(market);
		MarketRatios {
			oracle_acr: math::oracle_acr(
				control_bond,
				T::Slashing::max_deviation_slash(),
				open_interest,
				max_price_jump,
			),
			consensus_acr,
			vault_cover: math::vault_cover(T::Vaults::nav(market), open_interest),
		}
	}

	/// Recomputes every listed market's ratios, restricting and releasing markets. Returns the
	/// number of markets.
	pub(crate) fn refresh(now: BlockNumber) -> u32 {
		let params = Params::<T>::get();
		let markets = T::Oracle::market_security();
		let consensus_acr = Self::consensus_acr(&markets);
		match consensus_acr {
			Some(acr) => ConsensusAcr::<T>::put(acr),
			None => ConsensusAcr::<T>::kill(),
		}
		for security in markets.iter() {
			let market = security.0;
			let ratios = Self::market_ratios(*security, consensus_acr);
			Ratios::<T>::insert(market, ratios);
			if Restricted::<T>::contains_key(market) {
				if math::clear_of_hysteresis(&ratios, &params) {
					Restricted::<T>::remove(market);
					Self::deposit_event(Event::MarketReleased { market });
				}
			} else if let Some((ratio, value, floor)) = math::breach(&ratios, &params) {
				Restricted::<T>::insert(market, Restriction { ratio, value, floor, since: now });
				Self::deposit_event(Event::MarketRestricted { market, ratio, value, floor });
			}
		}
		markets.len().saturated_into()
	}

	/// The runtime API's view of `market`: ratios computed now, floors, restriction.
	pub fn security_view(market: MarketId) -> Option<SecurityView> {
		let markets = T::Oracle::market_security();
		let security = *markets.iter().find(|(m, ..)| *m == market)?;
		let consensus_acr = Self::consensus_acr(&markets);
		Some(SecurityView {
			ratios: Self::market_ratios(security, consensus_acr),
			params: Params::<T>::get(),
			restriction: Restricted::<T>::get(market),
			value_secured: Self::value_secured(&markets),
			control_bond: security.1,
			open_interest: T::OpenInterest::open_interest(market),
		})
	}

	/// The runtime API's stress test: every market of `shocks` moved by its percentage at once;
	/// per market the accounts left liquidatable, their bad debt, what insurance would cover of
	/// it and the vault's NAV after. Reads every account: off-chain only.
	pub fn stress_test(shocks: Vec<(MarketId, i32)>) -> StressReport {
		let mut prices: Vec<(MarketId, Price, Price)> = shocks
			.iter()
			.filter_map(|(market, percent)| {
				let now = T::Prices::price_info(*market)?.price;
				Some((*market, now, math::shocked_price(now, *percent)))
			})
			.collect();
		prices.sort_by_key(|(market, ..)| *market);
		prices.dedup_by_key(|(market, ..)| *market);
		let shocked: Vec<(MarketId, Price)> =
			prices.iter().map(|(m, _, after)| (*m, *after)).collect();
		let shock = T::Margin::shock(&shocked);
		let mut global_left = T::Insurance::global_balance().min(T::Insurance::global_allowance());
		let mut report = StressReport {
			liquidatable_accounts: shock.liquidatable_accounts,
			..Default::default()
		};
		for (market, price_before, price_after) in prices {
			let outcome = shock
				.markets
				.iter()
				.find(|m| m.market == market)
				.copied()
				.unwrap_or(MarketShock { market, ..Default::default() });
			let from_market = outcome.bad_debt.min(T::Insurance::fund_balance(market));
			let from_global = outcome.bad_debt.saturating_sub(from_market).min(global_left);
			global_left = global_left.saturating_sub(from_global);
			let covered = from_market.saturating_add(from_global);
			let nav = T::Vaults::nav(market);
			report.bad_debt = report.bad_debt.saturating_add(outcome.bad_debt);
			report.insurance_covered = report.insurance_covered.saturating_add(covered);
			report.markets.push(MarketStress {
				market,
				price_before,
				price_after,
				liquidatable_accounts: outcome.liquidatable_accounts,
				bad_debt: outcome.bad_debt,
				insurance_covered: covered,
				vault_nav_before: nav,
				vault_nav_after: math::nav_after(
					nav,
					outcome.trader_pnl_before,
					outcome.trader_pnl_after,
					outcome.bad_debt.saturating_sub(covered),
				),
			});
		}
		report
	}

	/// Checks the pallet's invariants.
	///
	/// ## Invariants
	///
	/// - The parameters are within their hard bounds.
	/// - A market is restricted only if it has ratios (it was seen by a period).
	/// - At most `MaxMarkets` markets have ratios.
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		ensure!(Params::<T>::get().validate(), "parameters outside their bounds");
		for market in Restricted::<T>::iter_keys() {
			ensure!(Ratios::<T>::contains_key(market), "a restricted market without ratios");
		}
		ensure!(
			Ratios::<T>::iter_keys().count() <= T::MaxMarkets::get() as usize,
			"more markets than MaxMarkets"
		);
		Ok(())
	}
}

/// The margin engine asks here: restricted markets are reduce-only with a multiplied margin.
impl<T: Config> MarketRestriction for Pallet<T> {
	fn is_restricted(market: MarketId) -> bool {
		Restricted::<T>::contains_key(market)
	}

	fn imf_multiplier(market: MarketId) -> FixedU128 {
		if Self::is_restricted(market) {
			Params::<T>::get().restricted_imf_multiplier
		} else {
			FixedU128::from_u32(1)
		}
	}
}
