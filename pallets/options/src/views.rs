//! What the runtime API serves, and the `try_state` invariants.

use crate::{pricing::Contract, runtime_api::*, *};
use alloc::vec::Vec;
use sp_arithmetic::{FixedI128, Rounding};
use sp_runtime::DispatchError;

impl<T: Config> Pallet<T> {
	fn contract_now(series: &SeriesInfo, params: &OptionsParams) -> Option<(Contract, u128)> {
		let price = T::Prices::price_info(series.market)?;
		let oracle_vol = i128::try_from(price.volatility.into_inner()).ok()?;
		let spot = match series.status {
			SeriesStatus::Settled { price } => price,
			SeriesStatus::Trading => price.price,
		};
		let years = match series.status {
			SeriesStatus::Settled { .. } => 0,
			SeriesStatus::Trading => pricing::years_to(Self::time(), series.expiry),
		};
		let contract = Contract {
			kind: series.kind,
			spot: i128::try_from(spot.into_inner()).ok()?,
			strike: i128::try_from(series.strike.into_inner()).ok()?,
			years,
			vol: pricing::base_vol(params, oracle_vol)?,
		};
		Some((contract, price.volatility.into_inner()))
	}

	/// Listed series of `market` (all with `None`), valued now.
	pub fn series_views(market: Option<MarketId>) -> Vec<SeriesView> {
		let params = Params::<T>::get();
		let time = Self::time();
		let markets: Vec<MarketId> = match market {
			Some(m) => alloc::vec![m],
			None => EnabledMarkets::<T>::get().into_inner(),
		};
		let mut views = Vec::new();
		for m in markets {
			let Some(book) = OptionMarkets::<T>::get(m) else { continue };
			let nav = T::Vaults::nav(m);
			for id in book.series.iter() {
				let Some(series) = Series::<T>::get(id) else { continue };
				let Some((contract, _)) = Self::contract_now(&series, &params) else { continue };
				let Some(model) = contract.model() else { continue };
				let one = math::ONE;
				let after = pricing::quote(&params, &contract, nav, book.exposure, one)
					.map(|q| q.book_after)
					.unwrap_or(book.exposure);
				let usage = pricing::usage(&params, contract.spot, nav, book.exposure)
					.max(pricing::usage(&params, contract.spot, nav, after))
					.unwrap_or(one);
				let implied = pricing::implied_vol(&params, contract.vol, usage).unwrap_or(0);
				views.push(SeriesView {
					series: *id,
					market: m,
					expiry: series.expiry,
					strike: series.strike,
					kind: series.kind,
					open: series.open,
					status: series.status,
					trading: Self::trading_open(&series, &params, time),
					model_price: Price::from_inner(model.price.unsigned_abs()),
					base_vol: FixedU128::from_inner(contract.vol.unsigned_abs()),
					implied_vol: FixedU128::from_inner(implied.unsigned_abs()),
					delta: FixedI128::from_inner(model.delta),
					gamma: FixedI128::from_inner(model.gamma),
					vega: FixedI128::from_inner(model.vega),
					theta: FixedI128::from_inner(model.theta),
				});
			}
		}
		views
	}

	/// What `size` contracts of `id` would fill at now.
	pub fn quote_view(id: SeriesId, size: SignedSize) -> Result<QuoteView, DispatchError> {
		ensure!(!size.is_zero(), Error::<T>::ZeroSize);
		let series = Series::<T>::get(id).ok_or(Error::<T>::UnknownSeries)?;
		let params = Params::<T>::get();
		let book = OptionMarkets::<T>::get(series.market).ok_or(Error::<T>::MarketNotEnabled)?;
		let price = T::Prices::price_info(series.market).ok_or(Error::<T>::NoPrice)?;
		let contract = Self::contract(&series, &price, &params, Self::time())?;
		let nav = T::Vaults::nav(series.market);
		let quote = Self::quote_fill(&contract, &book, &price, &params, size, nav)?;
		let premium = Price::from_inner(quote.premium.unsigned_abs());
		let escrow = if size.is_positive() {
			Self::escrow_for(size.into_inner().unsigned_abs(), premium, &params)
				.ok_or(Error::<T>::Overflow)?
		} else {
			0
		};
		Ok(QuoteView {
			premium,
			amount: quote.amount,
			fee: quote.fee,
			model_price: Price::from_inner(quote.model.price.unsigned_abs()),
			escrow_at_premium: escrow,
		})
	}

	/// `who`'s options, valued now.
	pub fn account_views(who: &T::AccountId) -> Vec<HoldingView> {
		let params = Params::<T>::get();
		let mut views = Vec::new();
		for m in EnabledMarkets::<T>::get() {
			let Some(book) = OptionMarkets::<T>::get(m) else { continue };
			for id in book.series.iter() {
				let Some(holding) = Holdings::<T>::get(id, who) else { continue };
				let Some(series) = Series::<T>::get(id) else { continue };
				let model = Self::contract_now(&series, &params).and_then(|(c, _)| c.model());
				let size = holding.contracts.into_inner();
				let signed = i128::try_from(size).unwrap_or(i128::MAX);
				let (value, delta, vega) = model.map_or((0, 0, 0), |g| {
					(
						pricing::amount(size, g.price, Rounding::Down).unwrap_or(0),
						math::mul(signed, g.delta).unwrap_or(0),
						math::mul(signed, g.vega).unwrap_or(0),
					)
				});
				views.push(HoldingView {
					series: *id,
					contracts: holding.contracts,
					value,
					delta: FixedI128::from_inner(delta),
					vega: FixedI128::from_inner(vega),
					order: holding.order,
				});
			}
		}
		views
	}

	/// The options `market`'s vault wrote.
	pub fn exposure_view(market: MarketId) -> Option<ExposureView> {
		let book = OptionMarkets::<T>::get(market)?;
		Some(ExposureView {
			written_value: book.written_value,
			stressed_value: book.stressed_value,
			net_delta: FixedI128::from_inner(book.exposure.delta),
			net_vega: FixedI128::from_inner(book.exposure.vega),
			open_notional: book.open_notional,
			nav: T::Vaults::nav(market),
			series: book.series.len().saturated_into(),
		})
	}

	/// The invariants: each series' open contracts are the sum of its holdings, and it is listed in its market and expiry; every pending order is queued for a
	/// block to come; the escrow of pending orders is the margin engine's whole escrow; the
	/// settlement queue holds settled series only.
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		use alloc::collections::btree_set::BTreeSet;
		let now = Self::now();
		let mut queued: BTreeSet<(BlockNumber, T::AccountId, SeriesId)> = BTreeSet::new();
		for (block, who, id) in Self::queued() {
			ensure!(block > now, "an order queued for a block that has passed");
			queued.insert((block, who, id));
		}
		let mut escrowed: Balance = 0;
		let mut listed = 0usize;
		for (id, series) in Series::<T>::iter() {
			let book = OptionMarkets::<T>::get(series.market).ok_or("a series without market")?;
			ensure!(book.series.contains(&id), "a series missing from its market");
			let state = Expiries::<T>::get(series.market, series.expiry)
				.ok_or("a series without expiry")?;
			if let SeriesStatus::Settled { price } = series.status {
				ensure!(state.price == Some(price), "a series settled at another price");
				ensure!(SettlingSeries::<T>::get().contains(&id), "a settled series not queued");
			}
			let mut open = 0u128;
			for (who, holding) in Holdings::<T>::iter_prefix(id) {
				ensure!(!holding.is_empty(), "an empty holding is stored");
				open = open.saturating_add(holding.contracts.into_inner());
				if let Some(order) = holding.order {
					escrowed = escrowed.saturating_add(order.escrowed);
					ensure!(
						queued.remove(&(order.due_block, who, id)),
						"a pending order not queued for its due block"
					);
				}
			}
			ensure!(open == series.open.into_inner(), "open contracts differ from the holdings");
			listed += 1;
		}
		let mut in_markets = 0usize;
		for (market, book) in OptionMarkets::<T>::iter() {
			ensure!(EnabledMarkets::<T>::get().contains(&market), "a market not enabled");
			in_markets += book.series.len();
		}
		ensure!(listed == in_markets, "a market lists a series that does not exist");
		ensure!(
			escrowed == T::Collateral::total_escrowed(),
			"pending orders' escrow differs from the margin engine's"
		);
		for id in SettlingSeries::<T>::get() {
			let series = Series::<T>::get(id).ok_or("a removed series queued for payment")?;
			ensure!(series.status != SeriesStatus::Trading, "a trading series queued for payment");
		}
		Ok(())
	}
}
