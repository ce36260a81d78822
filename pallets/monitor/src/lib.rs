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
pub mod migrations;
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
	ValidatorStake, VaultSettlement, WrittenOptions,
};
use frame_support::pallet_prelude::*;
use frame_system::pallet_prelude::*;
use sp_arithmetic::FixedU128;
use sp_runtime::traits::SaturatedConversion;

#[frame_support::pallet]
pub mod pallet {
	use super::*;

	const STORAGE_VERSION: StorageVersion = StorageVersion::new(1);

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

		/// The options the vaults wrote (the options pallet): what a price move wins their
		/// holders counts as open interest, and the stress test revalues them.
		type Options: WrittenOptions;

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

	/// Each listed market's smoothed larger side, open-interest capacity and breach count, as
	/// of the last sample.
	#[pallet::storage]
	pub type Watch<T: Config> = StorageMap<_, Twox64Concat, MarketId, MarketWatch, OptionQuery>;

	/// The moving average of the value secured, as of the last sample.
	#[pallet::storage]
	pub type SmoothedValueSecured<T: Config> = StorageValue<_, Balance, OptionQuery>;

	/// BWK's price at each of the last `bwk_window_samples` samples it was priced at, oldest
	/// first.
	#[pallet::storage]
	pub type BwkPrices<T: Config> =
		StorageValue<_, BoundedVec<Price, ConstU32<{ bounds::MAX_BWK_WINDOW }>>, ValueQuery>;

	/// The first sample since which `BWK-USD` has had no usable price (stale or never priced).
	#[pallet::storage]
	pub type BwkStaleSince<T: Config> = StorageValue<_, BlockNumber, OptionQuery>;

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
			let smoothed = Self::smooth(&Params::<T>::get());
			let smoothing = T::WeightInfo::smooth(smoothed);
			if !now.is_multiple_of(T::MonitorPeriod::get().max(1)) {
				return smoothing;
			}
			let markets = Self::refresh(now);
			// Three valuations of each market's written options (`option_exposure`).
			let options = T::Options::value_at_weight(markets).saturating_mul(3);
			smoothing.saturating_add(T::WeightInfo::on_initialize(markets)).saturating_add(options)
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
	fn now() -> BlockNumber {
		frame_system::Pallet::<T>::block_number().saturated_into()
	}

	/// Value the chain secures, in bUSD: trader collateral, the vault stake and insurance fund
	/// of each of `markets`, and the global fund.
	pub fn value_secured_of(markets: &[MarketId]) -> Balance {
		markets.iter().fold(
			T::Margin::total_collateral().saturating_add(T::Insurance::global_balance()),
			|acc, market| {
				acc.saturating_add(T::Vaults::held_stake(*market))
					.saturating_add(T::Insurance::fund_balance(*market))
			},
		)
	}

	/// BWK's price at this sample: the lower of the `BWK-USD` median and its EMA while it is
	/// active (pumping BWK for a round must not switch the check off), its EMA while it is
	/// halted; `None` while it is stale or unpriced.
	fn bwk_sample() -> Option<Price> {
		T::Prices::price_info(T::BwkMarket::get()).and_then(|info| match info.status {
			MarketStatus::Active => Some(info.price.min(info.ema_price)),
			MarketStatus::Halted => Some(info.ema_price),
			MarketStatus::Stale => None,
		})
	}

	/// Records BWK's price at a sample: into the window, or the start of a stale spell.
	fn record_bwk_price(now: BlockNumber, params: &MonitorParams) {
		match Self::bwk_sample() {
			Some(price) => {
				let keep = params.bwk_window_samples.clamp(1, bounds::MAX_BWK_WINDOW);
				let mut window = BwkPrices::<T>::get().into_inner();
				window.push(price);
				// The newest `keep`, oldest first.
				let newest = window.split_off(window.len().saturating_sub(keep.saturated_into()));
				BwkPrices::<T>::put(BoundedVec::truncate_from(newest));
				BwkStaleSince::<T>::kill();
			},
			None => {
				if BwkStaleSince::<T>::get().is_none() {
					BwkStaleSince::<T>::put(now);
				}
			},
		}
	}

	/// The consensus ACR now: BWK at its lowest over the window (this sample's price
	/// included); while `BWK-USD` is stale or unpriced, the last measured value, and zero (a
	/// breach) once that has lasted `bwk_grace_blocks`.
	pub fn consensus_acr(value_secured: Balance, now: BlockNumber) -> Option<FixedU128> {
		match Self::bwk_sample() {
			Some(price) => {
				let lowest = BwkPrices::<T>::get().iter().copied().fold(price, |low, p| low.min(p));
				math::consensus_acr(T::Staking::cheapest_stall_exposure(), lowest, value_secured)
			},
			None => {
				let since = BwkStaleSince::<T>::get().unwrap_or(now);
				if now.saturating_sub(since) >= Params::<T>::get().bwk_grace_blocks {
					Some(FixedU128::from_inner(0))
				} else {
					ConsensusAcr::<T>::get()
				}
			},
		}
	}

	/// `market`'s ratios given the chain's consensus ACR, the market's oracle security and its
	/// (smoothed) larger side.
	pub fn market_ratios(
		(market, control_bond, max_price_jump): (MarketId, Balance, sp_arithmetic::Perbill),
		consensus_acr: Option<FixedU128>,
		largest_side: Balance,
	) -> MarketRatios {
		MarketRatios {
			oracle_acr: math::oracle_acr(
				control_bond,
				T::Slashing::max_deviation_slash(),
				largest_side,
				max_price_jump,
			),
			consensus_acr,
			vault_cover: math::vault_cover(T::Vaults::nav(market), largest_side),
		}
	}

	/// Steps the moving averages of the value secured and of every watched market's larger side
	/// (every block, so that capital parked for a sample's block barely moves them). Returns the
	/// number of markets.
	pub(crate) fn smooth(params: &MonitorParams) -> u32 {
		let markets: Vec<MarketId> = Watch::<T>::iter_keys().collect();
		// Before the first sample nothing is watched: the first sample starts the averages.
		if markets.is_empty() {
			return 0;
		}
		let value_secured = math::moving_average(
			SmoothedValueSecured::<T>::get(),
			Self::value_secured_of(&markets),
			params.smoothing_blocks,
		);
		SmoothedValueSecured::<T>::put(value_secured);
		for market in markets.iter() {
			Watch::<T>::mutate(market, |watch| {
				if let Some(watch) = watch {
					watch.smoothed_largest_side = math::moving_average(
						Some(watch.smoothed_largest_side),
						T::OpenInterest::largest_side(*market),
						params.smoothing_blocks,
					);
				}
			});
		}
		markets.len().saturated_into()
	}

	/// Takes a sample: every listed market's ratios (from the moving averages) and open-interest
	/// capacity are recomputed, and markets are restricted (after `breach_samples` consecutive
	/// samples under a floor) or released. A market listed since the last sample starts its
	/// average at its larger side now. Returns the number of markets.
	pub(crate) fn refresh(now: BlockNumber) -> u32 {
		let params = Params::<T>::get();
		let markets = T::Oracle::market_security();
		let value_secured = SmoothedValueSecured::<T>::get().unwrap_or_else(|| {
			let ids: Vec<MarketId> = markets.iter().map(|(market, ..)| *market).collect();
			Self::value_secured_of(&ids)
		});
		SmoothedValueSecured::<T>::put(value_secured);
		Self::record_bwk_price(now, &params);
		let consensus_acr = Self::consensus_acr(value_secured, now);
		match consensus_acr {
			Some(acr) => ConsensusAcr::<T>::put(acr),
			None => ConsensusAcr::<T>::kill(),
		}
		for security in markets.iter() {
			let (market, control_bond, max_price_jump) = *security;
			let previous = Watch::<T>::get(market);
			let smoothed_largest_side = previous
				.map_or_else(|| T::OpenInterest::largest_side(market), |w| w.smoothed_largest_side);
			let option_exposure = Self::option_exposure(market, max_price_jump);
			let exposed = smoothed_largest_side.saturating_add(option_exposure);
			let ratios = Self::market_ratios(*security, consensus_acr, exposed);
			Ratios::<T>::insert(market, ratios);
			let breach = math::breach(&ratios, &params);
			let breach_samples = match breach {
				Some(_) => previous.map_or(0, |w| w.breach_samples).saturating_add(1),
				None => 0,
			};
			Watch::<T>::insert(
				market,
				MarketWatch {
					smoothed_largest_side,
					// What the options already take of it is not left for perpetuals.
					open_interest_capacity: math::open_interest_capacity(
						control_bond,
						T::Slashing::max_deviation_slash(),
						max_price_jump,
						params.min_oracle_acr,
					)
					.map(|capacity| capacity.saturating_sub(option_exposure)),
					breach_samples,
					restricted: Restricted::<T>::contains_key(market),
				},
			);
			if Restricted::<T>::contains_key(market) {
				if math::clear_of_hysteresis(&ratios, &params) {
					Restricted::<T>::remove(market);
					Self::set_restricted(market, false);
					Self::deposit_event(Event::MarketReleased { market });
				}
			} else if let Some((ratio, value, floor)) = breach {
				if breach_samples >= params.breach_samples {
					Restricted::<T>::insert(
						market,
						Restriction { ratio, value, floor, since: now },
					);
					Self::set_restricted(market, true);
					Self::deposit_event(Event::MarketRestricted { market, ratio, value, floor });
				}
			}
		}
		markets.len().saturated_into()
	}

	/// The open interest that the options `market`'s vault wrote amount to: what moving the
	/// price by `max_price_jump` (the breaker's allowance) the worse way for the vault would add to
	/// their value, over that jump (the notional a perpetual would need to win as much), rounded
	/// up. Added to the larger side in the oracle ACR and the vault cover.
	pub fn option_exposure(market: MarketId, max_price_jump: sp_arithmetic::Perbill) -> Balance {
		let Some(price) = T::Prices::price_info(market).map(|p| p.price) else { return 0 };
		if max_price_jump.is_zero() {
			return 0;
		}
		let now = T::Options::value_at(market, price);
		let up = T::Options::value_at(market, math::shocked_by(price, max_price_jump, true));
		let down = T::Options::value_at(market, math::shocked_by(price, max_price_jump, false));
		let gain = up.max(down).saturating_sub(now);
		sp_arithmetic::helpers_128bit::multiply_by_rational_with_rounding(
			gain,
			1_000_000_000,
			u128::from(max_price_jump.deconstruct()),
			sp_arithmetic::Rounding::Up,
		)
		.unwrap_or(Balance::MAX)
	}

	/// Mirrors a restriction into the market's [`Watch`], which the margin engine reads.
	fn set_restricted(market: MarketId, restricted: bool) {
		Watch::<T>::mutate(market, |watch| {
			if let Some(watch) = watch {
				watch.restricted = restricted;
			}
		});
	}

	/// The runtime API's view of `market`: ratios computed now from the smoothed inputs of the
	/// last sample, floors, restriction, open-interest capacity.
	pub fn security_view(market: MarketId) -> Option<SecurityView> {
		let markets = T::Oracle::market_security();
		let security = *markets.iter().find(|(m, ..)| *m == market)?;
		let watch = Watch::<T>::get(market);
		let largest_side = T::OpenInterest::largest_side(market);
		let smoothed_largest_side = watch.map_or(largest_side, |w| w.smoothed_largest_side);
		let value_secured = SmoothedValueSecured::<T>::get().unwrap_or_else(|| {
			let ids: Vec<MarketId> = markets.iter().map(|(market, ..)| *market).collect();
			Self::value_secured_of(&ids)
		});
		let consensus_acr = Self::consensus_acr(value_secured, Self::now());
		let option_exposure = Self::option_exposure(market, security.2);
		Some(SecurityView {
			ratios: Self::market_ratios(
				security,
				consensus_acr,
				smoothed_largest_side.saturating_add(option_exposure),
			),
			option_exposure,
			params: Params::<T>::get(),
			restriction: Restricted::<T>::get(market),
			value_secured,
			control_bond: security.1,
			open_interest: T::OpenInterest::open_interest(market),
			largest_side,
			smoothed_largest_side,
			open_interest_capacity: watch.and_then(|w| w.open_interest_capacity),
			breach_samples: watch.map_or(0, |w| w.breach_samples),
		})
	}

	/// The runtime API's stress test: every market of `shocks` moved by its percentage at once;
	/// per market the accounts left liquidatable, their bad debt, what insurance would cover of
	/// it and the vault's NAV after. Reads every account: off-chain only.
	pub fn stress_test(mut shocks: Vec<(MarketId, i32)>) -> StressReport {
		// At most one shock per market: a longer list only costs the node.
		shocks.truncate(T::MaxMarkets::get().saturated_into());
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
			let options_before = T::Options::value_at(market, price_before);
			let options_after = T::Options::value_at(market, price_after);
			let signed = |v: Balance| i128::try_from(v).unwrap_or(i128::MAX);
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
				options_value_before: options_before,
				options_value_after: options_after,
				vault_nav_after: math::nav_after(
					nav,
					outcome.trader_pnl_before.saturating_add(signed(options_before)),
					outcome.trader_pnl_after.saturating_add(signed(options_after)),
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
		for (market, watch) in Watch::<T>::iter() {
			ensure!(
				watch.restricted == Restricted::<T>::contains_key(market),
				"a market's watch and restriction disagree"
			);
		}
		ensure!(
			Ratios::<T>::iter_keys().count() <= T::MaxMarkets::get() as usize,
			"more markets than MaxMarkets"
		);
		ensure!(
			Watch::<T>::iter_keys().count() <= T::MaxMarkets::get() as usize,
			"more watched markets than MaxMarkets"
		);
		Ok(())
	}
}

/// The margin engine asks here: restricted markets are reduce-only with a multiplied margin.
impl<T: Config> MarketRestriction for Pallet<T> {
	/// From [`Watch`], the item the capacity comes from too: one read at a fill.
	fn is_restricted(market: MarketId) -> bool {
		Watch::<T>::get(market).is_some_and(|w| w.restricted)
	}

	fn imf_multiplier(market: MarketId) -> FixedU128 {
		if Self::is_restricted(market) {
			Params::<T>::get().restricted_imf_multiplier
		} else {
			FixedU128::from_u32(1)
		}
	}

	/// As of the last sample (one read on the hot path); the control bond moves between samples
	/// only when an operator registers, leaves or is slashed.
	fn open_interest_capacity(market: MarketId) -> Option<Balance> {
		Watch::<T>::get(market).and_then(|w| w.open_interest_capacity)
	}
}
