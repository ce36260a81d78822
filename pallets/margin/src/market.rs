//! A market's running state: marking (price, funding index, margin fractions), funding
//! accrual, the maintenance ramp, the block's refresh and batch settlement with the vault and
//! insurance.

use crate::*;

impl<T: Config> Pallet<T> {
	/// The funding index of `info` accrued to `now` at `price`, with the rate of its current
	/// skew.
	pub fn accrued_index(
		info: &MarketInfo,
		price: Price,
		now: BlockNumber,
	) -> Result<FixedI128, DispatchError> {
		let elapsed = now.saturating_sub(info.funding_updated_at);
		if elapsed == 0 {
			return Ok(info.funding_index);
		}
		let rate = Self::funding_rate(info)?;
		math::accrue_index(info.funding_index, rate, price, u64::from(elapsed), Self::day())
			.ok_or(Error::<T>::Overflow.into())
	}

	/// The price funding accrues at: the median while `Active`, the EMA otherwise (a jumped or
	/// stale print must not set what the paying side owes).
	pub fn funding_price(price: &PriceInfo) -> Price {
		if price.status == MarketStatus::Active {
			price.price
		} else {
			price.ema_price
		}
	}

	/// The daily funding rate of `info`'s skew.
	pub fn funding_rate(info: &MarketInfo) -> Result<FixedI128, DispatchError> {
		let params = &info.params;
		let skew = math::net_size(&info.aggregates).ok_or(Error::<T>::Overflow)?;
		math::funding_rate(skew, params.skew_scale, params.funding_coeff, params.max_funding_rate)
			.ok_or(Error::<T>::Overflow.into())
	}

	/// The initial margin fraction of `market` at `volatility` with `open_interest` open.
	pub(crate) fn initial_fraction(
		market: MarketId,
		params: &MarginParams,
		volatility: FixedU128,
		open_interest: Balance,
	) -> FixedU128 {
		let utilization = math::utilization(open_interest, T::Vaults::max_open_interest(market));
		math::initial_margin_fraction(
			params.base_imf,
			params.vol_coeff,
			volatility,
			params.oi_coeff,
			utilization,
			params.max_imf,
		)
	}

	/// `market` marked now: its price, funding index, imf and effective mmf.
	pub fn mark(
		market: MarketId,
		info: &MarketInfo,
		price: PriceInfo,
		now: BlockNumber,
	) -> Result<Mark, DispatchError> {
		let open_interest = math::aggregate_open_interest(&info.aggregates, price.price)
			.ok_or(Error::<T>::Overflow)?;
		let unrestricted =
			Self::initial_fraction(market, &info.params, price.volatility, open_interest);
		// A restriction multiplies the initial margin only (see `plan_trade`).
		let imf =
			math::restricted_margin_fraction(unrestricted, T::Restriction::imf_multiplier(market));
		let target =
			math::target_maintenance_fraction(unrestricted, info.params.maintenance_fraction);
		Ok(Mark {
			price,
			index: Self::accrued_index(info, Self::funding_price(&price), now)?,
			imf,
			mmf: Self::effective_mmf(info, target, now),
			mmf_floor: Self::maintenance_floor(&info.params),
		})
	}

	/// Keeps `mark`'s margin fractions as the block's: liquidations read them from here.
	pub(crate) fn store_fractions(info: &mut MarketInfo, mark: &Mark, now: BlockNumber) {
		info.effective_mmf = mark.mmf;
		info.initial_fraction = mark.imf;
		info.mmf_updated_at = now;
	}

	/// `market` marked for a liquidation: with the margin fractions of the block's refresh
	/// when there was one (every enabled market is refreshed as the block opens), so that a
	/// liquidation does not value the vault again per position; otherwise as [`Self::mark`].
	pub(crate) fn liquidation_mark(
		market: MarketId,
		info: &MarketInfo,
		price: PriceInfo,
		now: BlockNumber,
	) -> Result<Mark, DispatchError> {
		if info.mmf_updated_at != now {
			return Self::mark(market, info, price, now);
		}
		Ok(Mark {
			price,
			index: Self::accrued_index(info, Self::funding_price(&price), now)?,
			imf: info.initial_fraction,
			mmf: info.effective_mmf,
			mmf_floor: Self::maintenance_floor(&info.params),
		})
	}

	/// The governed floor of every position's maintenance fraction in a market of `params`.
	pub(crate) fn maintenance_floor(params: &MarginParams) -> FixedU128 {
		math::target_maintenance_fraction(params.base_imf, params.maintenance_fraction)
	}

	/// The effective maintenance fraction at `now`, ramping from the stored one to `target`.
	pub(crate) fn effective_mmf(
		info: &MarketInfo,
		target: FixedU128,
		now: BlockNumber,
	) -> FixedU128 {
		if info.aggregates.positions == 0 {
			return target;
		}
		math::ramped_maintenance_fraction(
			info.effective_mmf,
			target,
			info.params.mmf_ramp_per_hour,
			u64::from(now.saturating_sub(info.mmf_updated_at)),
			Self::hour(),
		)
	}

	/// Accrues `market`'s funding, brings its effective maintenance fraction towards the target
	/// and settles its unsettled balances.
	pub(crate) fn refresh_market(market: MarketId, now: BlockNumber) {
		let Some(mut info) = Markets::<T>::get(market) else { return };
		if let Some(price) = T::Prices::price_info(market) {
			match Self::mark(market, &info, price, now) {
				Ok(mark) => {
					info.funding_index = mark.index;
					info.funding_updated_at = now;
					Self::store_fractions(&mut info, &mark, now);
				},
				Err(error) => log::warn!(target: LOG_TARGET, "market {market}: {error:?}"),
			}
		}
		// An auto-deleveraging episode ends once traders' profit is back under the trigger.
		if info.adl_in_progress && !Self::deleverage_needed(market, &info) {
			info.adl_episode = info.adl_episode.saturating_add(1);
			info.adl_in_progress = false;
		}
		Self::settle_balances(market, &mut info);
		Markets::<T>::insert(market, info);
	}

	/// Moves `info`'s unsettled balances between custody, the vault and the insurance fund;
	/// what fails stays pending, with an event.
	pub(crate) fn settle_balances(market: MarketId, info: &mut MarketInfo) {
		if !info.unsettled() {
			return;
		}
		let custody = Self::custody_account();
		let mut vault_moved: i128 = 0;
		let mut insurance_moved: Balance = 0;
		let amount = info.vault_balance.unsigned_abs();
		// Custody pays only what it holds above its existential deposit; the rest waits for the
		// vaults that owe custody to pay first.
		let payable = |amount: Balance| {
			T::Currency::reducible_balance(&custody, Preservation::Preserve, Fortitude::Polite)
				>= amount
		};
		if !amount.is_zero() && (info.vault_balance < 0 || payable(amount)) {
			let result = frame_support::storage::with_storage_layer(|| {
				if info.vault_balance > 0 {
					T::Vaults::collect(market, &custody, amount)
				} else {
					T::Vaults::pay(market, &custody, amount)
				}
			});
			match result {
				Ok(()) => {
					vault_moved = info.vault_balance;
					info.vault_balance = 0;
				},
				Err(error) => Self::deposit_event(Event::SettlementFailed { market, error }),
			}
		}
		// Below the existential deposit a share could not open an empty fund: it waits.
		let amount = info.insurance_balance;
		if amount >= T::Currency::minimum_balance() && payable(amount) {
			match frame_support::storage::with_storage_layer(|| {
				T::Insurance::deposit(market, &custody, amount)
			}) {
				Ok(()) => {
					insurance_moved = amount;
					info.insurance_balance = 0;
				},
				Err(error) => Self::deposit_event(Event::SettlementFailed { market, error }),
			}
		}
		if vault_moved != 0 || !insurance_moved.is_zero() {
			Self::deposit_event(Event::Settled {
				market,
				vault: vault_moved,
				insurance: insurance_moved,
			});
		}
	}

	pub(crate) fn do_enable_market(market: MarketId, params: MarginParams) -> DispatchResult {
		ensure!(T::Markets::market_exists(market), Error::<T>::UnknownMarket);
		ensure!(!Markets::<T>::contains_key(market), Error::<T>::MarketAlreadyEnabled);
		ensure!(params.validate(), Error::<T>::InvalidParams);
		EnabledMarkets::<T>::try_append(market).map_err(|_| Error::<T>::TooManyMarkets)?;
		Markets::<T>::insert(market, MarketInfo::new(params, Self::now()));
		Self::deposit_event(Event::MarketEnabled { market, params });
		Ok(())
	}
}
