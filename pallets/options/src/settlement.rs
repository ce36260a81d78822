//! The hook's work per market: the settlement windows' samples, expiries settled, the vault's
//! book revalued at a new median; then holders of settled series paid, a bounded number a block.

use crate::{pricing::Contract, *};
use alloc::vec::Vec;
use bulwark_primitives::PriceInfo;
use sp_arithmetic::Rounding;

impl<T: Config> Pallet<T> {
	/// Samples `market`'s settlement windows, settles what is due and revalues the book if the
	/// median is new or an expiry settled. Returns the weight.
	pub(crate) fn refresh_market(market: MarketId, time: Moment) -> Weight {
		let Some(price) = T::Prices::price_info(market) else {
			return T::DbWeight::get().reads(2);
		};
		let params = Params::<T>::get();
		let mut settled = false;
		let expiries: Vec<(Moment, ExpiryState)> = Expiries::<T>::iter_prefix(market).collect();
		let sampled: u32 = expiries.len().saturated_into();
		for (expiry, mut state) in expiries {
			if state.price.is_some() || time < state.window_start {
				continue;
			}
			if price.status != MarketStatus::Active {
				// The window restarts: its average would include a price nobody may use.
				if state.samples > 0 {
					Self::deposit_event(Event::SettlementWindowRestarted {
						market,
						expiry,
						window_start: time,
					});
				}
				state.window_start = time;
				state.sum = 0;
				state.samples = 0;
			} else if price.round > state.last_round {
				state.sum = state.sum.saturating_add(price.price.into_inner());
				state.samples = state.samples.saturating_add(1);
				state.last_round = price.round;
			}
			let window_done = time >= state.window_start.saturating_add(params.settlement_window);
			if time >= expiry && window_done && state.samples > 0 {
				let mean = state.sum / u128::from(state.samples);
				Self::settle_expiry(market, expiry, state, Price::from_inner(mean), state.samples);
				settled = true;
				continue;
			}
			if time >= expiry && !state.delayed {
				Self::deposit_event(Event::SettlementDelayed { market, expiry });
				state.delayed = true;
			}
			Expiries::<T>::insert(market, expiry, state);
		}
		let Some(mut book) = OptionMarkets::<T>::get(market) else {
			return T::DbWeight::get().reads(3);
		};
		let base = T::WeightInfo::refresh_market(sampled);
		if !settled && book.valued_round == price.round {
			return base;
		}
		let series = Self::revalue(&mut book, &price, &params, time);
		OptionMarkets::<T>::insert(market, book);
		base.saturating_add(T::WeightInfo::revalue(series))
	}

	/// Settles `market`'s series expiring at `expiry` at `price`: they stop trading and their
	/// holders are queued for payment.
	pub(crate) fn settle_expiry(
		market: MarketId,
		expiry: Moment,
		mut state: ExpiryState,
		price: Price,
		samples: u32,
	) {
		state.price = Some(price);
		Expiries::<T>::insert(market, expiry, state);
		let series = OptionMarkets::<T>::get(market).map(|m| m.series).unwrap_or_default();
		SettlingSeries::<T>::mutate(|queue| {
			for id in series {
				Series::<T>::mutate(id, |s| {
					if let Some(s) = s.as_mut().filter(|s| s.expiry == expiry) {
						s.status = SeriesStatus::Settled { price };
						if queue.try_push(id).is_err() {
							// Bounded by every listed series: cannot happen.
							log::error!(target: LOG_TARGET, "settlement queue full at {id}");
						}
					}
				});
			}
		});
		// The book is revalued at the settlement price in the hook that follows.
		OptionMarkets::<T>::mutate(market, |m| {
			if let Some(m) = m {
				m.valued_round = RoundIndex::MAX;
			}
		});
		Self::deposit_event(Event::ExpirySettled { market, expiry, price, samples });
	}

	/// Values `book`'s series at `price` now: settled ones at their payout, the rest at the
	/// model (an expired one waiting for its price at its intrinsic value). Returns how many
	/// series it read.
	pub(crate) fn revalue(
		book: &mut OptionMarket<T::MaxSeriesPerMarket>,
		price: &PriceInfo,
		params: &OptionsParams,
		time: Moment,
	) -> u32 {
		let spot = i128::try_from(price.price.into_inner()).unwrap_or(i128::MAX);
		let oracle_vol = i128::try_from(price.volatility.into_inner()).unwrap_or(i128::MAX);
		let vol = pricing::base_vol(params, oracle_vol).unwrap_or(oracle_vol);
		let (mut value, mut stressed, mut notional) = (0u128, 0u128, 0u128);
		let mut exposure = Exposure::default();
		for id in book.series.iter() {
			let Some(series) = Series::<T>::get(id) else { continue };
			let size = series.open.into_inner();
			if size.is_zero() {
				continue;
			}
			let strike = i128::try_from(series.strike.into_inner()).unwrap_or(i128::MAX);
			if let SeriesStatus::Settled { price: settled } = series.status {
				let settled = i128::try_from(settled.into_inner()).unwrap_or(i128::MAX);
				let owed = math::intrinsic(series.kind, settled, strike)
					.and_then(|per| pricing::amount(size, per, Rounding::Up))
					.unwrap_or(Balance::MAX);
				value = value.saturating_add(owed);
				stressed = stressed.saturating_add(owed);
				continue;
			}
			let contract = Contract {
				kind: series.kind,
				spot,
				strike,
				years: pricing::years_to(time, series.expiry),
				vol,
			};
			let Some(model) = contract.model() else {
				// An unpriceable series counts as owing everything: no staker leaves on it.
				value = Balance::MAX;
				stressed = Balance::MAX;
				continue;
			};
			let stress = contract.stressed(params.reserve_shock, model.price).unwrap_or(i128::MAX);
			value = value.saturating_add(
				pricing::amount(size, model.price, Rounding::Up).unwrap_or(Balance::MAX),
			);
			stressed = stressed.saturating_add(
				pricing::amount(size, stress, Rounding::Up).unwrap_or(Balance::MAX),
			);
			notional = notional.saturating_add(
				pricing::amount(size, pricing::contract_notional(series.kind, spot), Rounding::Up)
					.unwrap_or(Balance::MAX),
			);
			let signed = i128::try_from(size).unwrap_or(i128::MAX);
			exposure.delta =
				exposure.delta.saturating_sub(math::mul(signed, model.delta).unwrap_or(i128::MAX));
			exposure.vega =
				exposure.vega.saturating_sub(math::mul(signed, model.vega).unwrap_or(i128::MAX));
		}
		book.written_value = value;
		book.stressed_value = stressed.max(value);
		book.open_notional = notional;
		book.exposure = exposure;
		book.valued_round = price.round;
		book.series.len().saturated_into()
	}

	/// What `book`'s open options are worth at `price` instead of the oracle's `info.price`: the
	/// model value (price-only valuations), settled series at their payout, rounded up.
	pub(crate) fn book_value_at(
		book: &OptionMarket<T::MaxSeriesPerMarket>,
		price: Price,
		info: &PriceInfo,
		params: &OptionsParams,
		time: Moment,
	) -> Balance {
		let spot = i128::try_from(price.into_inner()).unwrap_or(i128::MAX);
		let oracle_vol = i128::try_from(info.volatility.into_inner()).unwrap_or(i128::MAX);
		let vol = pricing::base_vol(params, oracle_vol).unwrap_or(oracle_vol);
		book.series.iter().fold(0u128, |value, id| {
			let Some(series) = Series::<T>::get(id) else { return value };
			let size = series.open.into_inner();
			if size.is_zero() {
				return value;
			}
			let strike = i128::try_from(series.strike.into_inner()).unwrap_or(i128::MAX);
			let per_contract = match series.status {
				SeriesStatus::Settled { price: settled } => math::intrinsic(
					series.kind,
					i128::try_from(settled.into_inner()).unwrap_or(i128::MAX),
					strike,
				),
				SeriesStatus::Trading => math::black_scholes_price(
					series.kind,
					spot,
					strike,
					vol,
					pricing::years_to(time, series.expiry),
				),
			};
			let owed = per_contract
				.and_then(|per| pricing::amount(size, per, Rounding::Up))
				.unwrap_or(Balance::MAX);
			value.saturating_add(owed)
		})
	}

	/// Pays holders of settled series, oldest series first, at most `MaxPayoutsPerBlock`.
	/// Returns the weight.
	pub(crate) fn pay_out() -> Weight {
		let mut queue = SettlingSeries::<T>::get();
		if queue.is_empty() {
			return T::DbWeight::get().reads(1);
		}
		let mut budget = T::MaxPayoutsPerBlock::get();
		let mut paid = 0u32;
		while let Some(id) = queue.first().copied() {
			let Some(mut series) = Series::<T>::get(id) else {
				queue.remove(0);
				continue;
			};
			let SeriesStatus::Settled { price } = series.status else {
				queue.remove(0);
				continue;
			};
			let holders: Vec<(T::AccountId, Holding)> =
				Holdings::<T>::iter_prefix(id).take(budget.saturated_into()).collect();
			let mut failed = false;
			for (who, holding) in holders {
				budget = budget.saturating_sub(1);
				paid = paid.saturating_add(1);
				if let Err(error) = Self::pay_holder(id, &who, &series, holding, price) {
					Self::deposit_event(Event::PayoutFailed { who, series: id, error });
					failed = true;
					break;
				}
				series.open = FixedU128::from_inner(
					series.open.into_inner().saturating_sub(holding.contracts.into_inner()),
				);
			}
			// One read: whether a holding is left (a count in the series would cost every
			// new holder's order a write of the series).
			if !failed && Holdings::<T>::iter_prefix(id).next().is_none() {
				Self::remove_series(id, &series);
				queue.remove(0);
			} else {
				Series::<T>::insert(id, series);
			}
			if budget == 0 || failed {
				break;
			}
		}
		SettlingSeries::<T>::put(queue);
		T::WeightInfo::pay_out(paid)
	}

	/// Pays `who` for its contracts of `series` settled at `price` and refunds a pending
	/// order's escrow; removes the holding.
	fn pay_holder(
		id: SeriesId,
		who: &T::AccountId,
		series: &SeriesInfo,
		holding: Holding,
		price: Price,
	) -> DispatchResult {
		let settle = i128::try_from(price.into_inner()).map_err(|_| Error::<T>::Overflow)?;
		let strike =
			i128::try_from(series.strike.into_inner()).map_err(|_| Error::<T>::Overflow)?;
		let payout = pricing::payout(series.kind, strike, settle, holding.contracts.into_inner())
			.ok_or(Error::<T>::Overflow)?;
		if let Some(order) = holding.order.filter(|o| !o.escrowed.is_zero()) {
			T::Collateral::release(who, series.market, order.escrowed, 0, 0)?;
		}
		if !payout.is_zero() {
			T::Collateral::pay_from_vault(who, series.market, payout, 0)?;
		}
		OptionMarkets::<T>::mutate(series.market, |m| {
			if let Some(m) = m {
				m.written_value = m.written_value.saturating_sub(payout);
				m.stressed_value = m.stressed_value.saturating_sub(payout);
			}
		});
		Holdings::<T>::remove(id, who);
		Self::deposit_event(Event::PaidOut {
			who: who.clone(),
			series: id,
			contracts: holding.contracts,
			payout,
		});
		Ok(())
	}

	/// Removes a settled series whose holders were all paid, and its expiry with its last
	/// series.
	fn remove_series(id: SeriesId, series: &SeriesInfo) {
		Series::<T>::remove(id);
		OptionMarkets::<T>::mutate(series.market, |m| {
			if let Some(m) = m {
				m.series.retain(|s| *s != id);
			}
		});
		Expiries::<T>::mutate_exists(series.market, series.expiry, |state| {
			if let Some(s) = state {
				s.series = s.series.saturating_sub(1);
				if s.series == 0 {
					*state = None;
				}
			}
		});
		Self::deposit_event(Event::SeriesRemoved { series: id });
	}
}
