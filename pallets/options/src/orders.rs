//! Orders: buying options and selling them back fill at a price nobody knew when the order was
//! placed, as margin orders do.
//!
//! - An order placed in block `b` of round `r` is due in block `b + 2 x OracleRoundLength`,
//!   when the newest median is that of round `r + 1`'s submissions, made after it. The hook,
//!   which runs after the oracle's, fills every order due in its block before any extrinsic.
//! - Without a median from a round after `r` the order waits a round at a time, up to
//!   `expires_in_rounds`, then expires.
//! - A buy escrows `size x limit` and the largest fee (`fee_cap` of that) when placed, so that
//!   withdrawing collateral cannot turn a pending order into a free option; the fill releases
//!   what it costs to the vault and insurance and refunds the rest. A sale back locks the
//!   contracts it sells (one pending order per holding).
//! - A pending order cannot be cancelled; a newer one in the series replaces it only within the
//!   round it was placed in.

use crate::{pricing::Contract, *};
use sp_arithmetic::Rounding;
use sp_runtime::DispatchError;

impl<T: Config> Pallet<T> {
	/// The block an order placed in block `now` is first due in.
	pub fn order_due_block(now: BlockNumber) -> BlockNumber {
		now.saturating_add(T::OracleRoundLength::get().saturating_mul(2))
	}

	/// Whether `series` still trades at `time`: not settled and its settlement window not
	/// open.
	pub fn trading_open(series: &SeriesInfo, params: &OptionsParams, time: Moment) -> bool {
		series.status == SeriesStatus::Trading
			&& time < series.expiry.saturating_sub(params.settlement_window)
	}

	/// The most a buy of `size` contracts at `limit` can cost: the premium at the limit and
	/// the largest fee.
	pub fn escrow_for(size: u128, limit: Price, params: &OptionsParams) -> Option<Balance> {
		let premium =
			pricing::amount(size, i128::try_from(limit.into_inner()).ok()?, Rounding::Up)?;
		premium.checked_add(params.fee_cap.mul_ceil(premium))
	}

	pub(crate) fn do_place_order(
		who: T::AccountId,
		id: SeriesId,
		size: SignedSize,
		limit: Price,
		expires_in_rounds: RoundIndex,
	) -> DispatchResult {
		ensure!(!size.is_zero(), Error::<T>::ZeroSize);
		ensure!(
			(1..=T::MaxOrderRounds::get()).contains(&expires_in_rounds),
			Error::<T>::InvalidOrderExpiry
		);
		let series = Series::<T>::get(id).ok_or(Error::<T>::UnknownSeries)?;
		let params = Params::<T>::get();
		ensure!(Self::trading_open(&series, &params, Self::time()), Error::<T>::TradingClosed);
		let price = T::Prices::price_info(series.market).ok_or(Error::<T>::NoPrice)?;
		ensure!(price.status != MarketStatus::Stale, Error::<T>::PriceStale);
		let mut holding = Holdings::<T>::get(id, &who).unwrap_or_default();
		let round = T::Prices::current_round();
		let replaced = match holding.order.take() {
			Some(order) => {
				ensure!(order.round == round, Error::<T>::OrderPending);
				if !order.escrowed.is_zero() {
					T::Collateral::release(&who, series.market, order.escrowed, 0, 0)?;
				}
				Some(order)
			},
			None => None,
		};
		let contracts = size.into_inner().unsigned_abs();
		let spot = i128::try_from(price.price.into_inner()).map_err(|_| Error::<T>::Overflow)?;
		let notional = pricing::amount(
			contracts,
			pricing::contract_notional(series.kind, spot),
			Rounding::Down,
		)
		.ok_or(Error::<T>::Overflow)?;
		let mut escrowed = 0;
		if size.is_positive() {
			ensure!(
				price.status == MarketStatus::Active
					&& !T::Restriction::is_restricted(series.market),
				Error::<T>::ReduceOnly
			);
			ensure!(notional >= params.min_order_notional, Error::<T>::OrderTooSmall);
			escrowed = Self::escrow_for(contracts, limit, &params).ok_or(Error::<T>::Overflow)?;
			T::Collateral::escrow(&who, escrowed)?;
		} else {
			let held = holding.contracts.into_inner();
			let left = held.checked_sub(contracts).ok_or(Error::<T>::InsufficientHolding)?;
			// No dust: a sale is of the minimum notional and leaves it, or sells everything (a
			// dust holder would cost every settlement a payout).
			let left_notional = pricing::amount(
				left,
				pricing::contract_notional(series.kind, spot),
				Rounding::Down,
			)
			.ok_or(Error::<T>::Overflow)?;
			ensure!(
				left == 0
					|| (notional >= params.min_order_notional
						&& left_notional >= params.min_order_notional),
				Error::<T>::OrderTooSmall
			);
		}
		let now = Self::now();
		let due_block = replaced.map_or_else(|| Self::order_due_block(now), |o| o.due_block);
		holding.order = Some(PendingOrder {
			contracts: size,
			limit,
			round,
			due_block,
			expires_round: round.saturating_add(expires_in_rounds),
			escrowed,
		});
		if replaced.is_none() {
			OrderQueue::<T>::try_append(due_block, (who.clone(), id))
				.map_err(|_| Error::<T>::OrderQueueFull)?;
		}
		Holdings::<T>::insert(id, &who, holding);
		Self::deposit_event(Event::OrderPlaced {
			who,
			series: id,
			contracts: size,
			limit,
			round,
			due_block,
			escrowed,
			replaced: replaced.is_some(),
		});
		Ok(())
	}

	/// Executes the orders due in block `now`; returns their weight.
	pub(crate) fn execute_due_orders(now: BlockNumber, time: Moment) -> Weight {
		let due = OrderQueue::<T>::take(now);
		if due.is_empty() {
			return T::DbWeight::get().reads(1);
		}
		let count: u32 = due.len().saturated_into();
		for (who, id) in due {
			Self::execute_order(&who, id, now, time);
		}
		// Benchmarked with every order in its own series and no market shared by consecutive
		// orders: what a batch costs whatever it holds.
		T::WeightInfo::execute_orders(count)
	}

	/// Fills `who`'s order in `id` if due in block `now`, lets it wait a round, or cancels it.
	fn execute_order(who: &T::AccountId, id: SeriesId, now: BlockNumber, time: Moment) {
		let Some(mut holding) = Holdings::<T>::get(id, who) else { return };
		let Some(order) = holding.order.filter(|o| o.due_block == now) else { return };
		let Some(mut series) = Series::<T>::get(id) else { return };
		let price = T::Prices::price_info(series.market);
		if price.is_none_or(|p| p.round <= order.round) {
			let reason = if T::Prices::current_round() > order.expires_round {
				Error::<T>::OrderExpired
			} else {
				let next = now.saturating_add(T::OracleRoundLength::get());
				if OrderQueue::<T>::try_append(next, (who.clone(), id)).is_ok() {
					holding.order = Some(PendingOrder { due_block: next, ..order });
					Holdings::<T>::insert(id, who, holding);
					return;
				}
				Error::<T>::OrderQueueFull
			};
			Self::cancel_order(who, id, series, holding, order, reason.into());
			return;
		}
		match Self::fill(who, id, &mut series, &mut holding, &order, time) {
			Ok(()) => {
				holding.order = None;
				Self::store_holding(id, who, holding);
				Series::<T>::insert(id, series);
			},
			Err(reason) => Self::cancel_order(who, id, series, holding, order, reason),
		}
	}

	/// Stores `holding`, or removes it once empty.
	pub(crate) fn store_holding(id: SeriesId, who: &T::AccountId, holding: Holding) {
		if holding.is_empty() {
			Holdings::<T>::remove(id, who);
		} else {
			Holdings::<T>::insert(id, who, holding);
		}
	}

	/// Removes `order` from `holding`, refunds its escrow and says why.
	fn cancel_order(
		who: &T::AccountId,
		id: SeriesId,
		series: SeriesInfo,
		mut holding: Holding,
		order: PendingOrder,
		reason: DispatchError,
	) {
		if !order.escrowed.is_zero() {
			if let Err(error) = T::Collateral::release(who, series.market, order.escrowed, 0, 0) {
				// Cannot happen (a refund needs no market): keep the order for try_state to see.
				log::error!(target: LOG_TARGET, "refund of {id} failed: {error:?}");
				return;
			}
		}
		holding.order = None;
		Self::store_holding(id, who, holding);
		Self::deposit_event(Event::OrderCancelled { who: who.clone(), series: id, reason });
	}

	/// `series` priced at `price` now: the oracle's price and the base volatility.
	pub fn contract(
		series: &SeriesInfo,
		price: &bulwark_primitives::PriceInfo,
		params: &OptionsParams,
		time: Moment,
	) -> Result<Contract, DispatchError> {
		let fixed = |p: Price| i128::try_from(p.into_inner()).map_err(|_| Error::<T>::Overflow);
		let oracle_vol = i128::try_from(price.volatility.into_inner()).unwrap_or(i128::MAX);
		Ok(Contract {
			kind: series.kind,
			spot: fixed(price.price)?,
			strike: fixed(series.strike)?,
			years: pricing::years_to(time, series.expiry),
			vol: pricing::base_vol(params, oracle_vol).ok_or(Error::<T>::PricingFailed)?,
		})
	}

	/// The quote for `size` contracts of `contract` against `market`'s book and a vault of `nav`:
	/// for a sale in a halted market, the lower of the bids at the median and at the EMA.
	pub fn quote_fill(
		contract: &Contract,
		market: &OptionMarket<T::MaxSeriesPerMarket>,
		price: &bulwark_primitives::PriceInfo,
		params: &OptionsParams,
		size: SignedSize,
		nav: Balance,
	) -> Result<pricing::Quote, DispatchError> {
		let quote = pricing::quote(params, contract, nav, market.exposure, size.into_inner())
			.ok_or(Error::<T>::PricingFailed)?;
		if size.is_negative() && price.status == MarketStatus::Halted {
			let ema =
				i128::try_from(price.ema_price.into_inner()).map_err(|_| Error::<T>::Overflow)?;
			let at_ema = Contract { spot: ema, ..*contract };
			let other = pricing::quote(params, &at_ema, nav, market.exposure, size.into_inner())
				.ok_or(Error::<T>::PricingFailed)?;
			if other.amount < quote.amount {
				return Ok(other);
			}
		}
		Ok(quote)
	}

	/// Fills `order` against the vault, or says why not (nothing changed then).
	fn fill(
		who: &T::AccountId,
		id: SeriesId,
		series: &mut SeriesInfo,
		holding: &mut Holding,
		order: &PendingOrder,
		time: Moment,
	) -> DispatchResult {
		let params = Params::<T>::get();
		ensure!(Self::trading_open(series, &params, time), Error::<T>::TradingClosed);
		let price = T::Prices::price_info(series.market).ok_or(Error::<T>::NoPrice)?;
		ensure!(price.status != MarketStatus::Stale, Error::<T>::PriceStale);
		let buy = order.contracts.is_positive();
		if buy {
			ensure!(
				price.status == MarketStatus::Active
					&& !T::Restriction::is_restricted(series.market),
				Error::<T>::ReduceOnly
			);
		}
		let mut market =
			OptionMarkets::<T>::get(series.market).ok_or(Error::<T>::MarketNotEnabled)?;
		let contract = Self::contract(series, &price, &params, time)?;
		let nav = T::Vaults::nav(series.market);
		let quote = Self::quote_fill(&contract, &market, &price, &params, order.contracts, nav)?;
		let limit = i128::try_from(order.limit.into_inner()).unwrap_or(i128::MAX);
		let within = if buy { quote.premium <= limit } else { quote.premium >= limit };
		ensure!(within, Error::<T>::LimitPriceExceeded);
		let contracts = order.contracts.into_inner().unsigned_abs();
		let spot = i128::try_from(price.price.into_inner()).map_err(|_| Error::<T>::Overflow)?;
		let per_contract_stress = contract
			.stressed(params.reserve_shock, quote.model.price)
			.ok_or(Error::<T>::PricingFailed)?;
		let value = pricing::amount(contracts, quote.model.price, Rounding::Up)
			.ok_or(Error::<T>::Overflow)?;
		let stressed = pricing::amount(contracts, per_contract_stress, Rounding::Up)
			.ok_or(Error::<T>::Overflow)?;
		if buy {
			let open =
				series.open.into_inner().checked_add(contracts).ok_or(Error::<T>::Overflow)?;
			let series_notional =
				pricing::amount(open, pricing::contract_notional(series.kind, spot), Rounding::Up)
					.ok_or(Error::<T>::Overflow)?;
			let market_notional =
				market.open_notional.checked_add(quote.notional).ok_or(Error::<T>::Overflow)?;
			pricing::check_caps(
				&params,
				spot,
				nav,
				series_notional,
				market_notional,
				quote.book_after,
			)
			.map_err(|cap| match cap {
				pricing::Cap::Series => Error::<T>::SeriesCapExceeded,
				pricing::Cap::Market => Error::<T>::MarketCapExceeded,
				pricing::Cap::Delta => Error::<T>::DeltaCapExceeded,
				pricing::Cap::Vega => Error::<T>::VegaCapExceeded,
			})?;
			let to_vault = quote
				.amount
				.checked_add(quote.fee)
				.and_then(|paid| paid.checked_sub(quote.fee_to_insurance))
				.ok_or(Error::<T>::Overflow)?;
			T::Collateral::release(
				who,
				series.market,
				order.escrowed,
				to_vault,
				quote.fee_to_insurance,
			)?;
			series.open = FixedU128::from_inner(open);
			holding.contracts = FixedU128::from_inner(
				holding
					.contracts
					.into_inner()
					.checked_add(contracts)
					.ok_or(Error::<T>::Overflow)?,
			);
			market.open_notional = market_notional;
			market.written_value = market.written_value.saturating_add(value);
			market.stressed_value = market.stressed_value.saturating_add(stressed);
		} else {
			let received = quote.amount.checked_sub(quote.fee).ok_or(Error::<T>::Overflow)?;
			let held = holding
				.contracts
				.into_inner()
				.checked_sub(contracts)
				.ok_or(Error::<T>::InsufficientHolding)?;
			T::Collateral::pay_from_vault(who, series.market, received, quote.fee_to_insurance)?;
			series.open = FixedU128::from_inner(series.open.into_inner().saturating_sub(contracts));
			holding.contracts = FixedU128::from_inner(held);
			market.open_notional = market.open_notional.saturating_sub(quote.notional);
			market.written_value = market.written_value.saturating_sub(value);
			market.stressed_value = market.stressed_value.saturating_sub(stressed);
		}
		market.exposure = quote.book_after;
		OptionMarkets::<T>::insert(series.market, market);
		Self::deposit_event(Event::Traded {
			who: who.clone(),
			series: id,
			contracts: order.contracts,
			premium: Price::from_inner(quote.premium.unsigned_abs()),
			amount: quote.amount,
			fee: quote.fee,
			order_round: order.round,
			price_round: price.round,
		});
		Ok(())
	}

	/// The orders queued for blocks after `now` (for `try_state`).
	pub(crate) fn queued() -> alloc::vec::Vec<(BlockNumber, T::AccountId, SeriesId)> {
		OrderQueue::<T>::iter()
			.flat_map(|(block, entries)| entries.into_iter().map(move |(who, id)| (block, who, id)))
			.collect()
	}
}
