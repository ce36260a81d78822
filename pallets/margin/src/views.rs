//! Read-only views: the runtime API's account, market, quote and keeper pages, the stress test,
//! and the totals other pallets read.

use crate::*;

impl<T: Config> Pallet<T> {
	/// Most accounts one page of [`Self::liquidatable_page`] or [`Self::deleverage_candidates`]
	/// reads: a runtime API call's work is bounded by the keys it reads, not by what it finds.
	pub const MAX_ACCOUNTS_READ: u32 = 1_000;

	/// The account keys after `cursor` (from the first without one), at most `limit` (and
	/// [`Self::MAX_ACCOUNTS_READ`]) of them, and the cursor to resume from (`None`: the end).
	fn account_page(
		cursor: Option<T::AccountId>,
		limit: u32,
	) -> (Vec<T::AccountId>, Option<T::AccountId>) {
		let limit = limit.min(Self::MAX_ACCOUNTS_READ) as usize;
		let mut iter = match cursor {
			Some(who) => Accounts::<T>::iter_keys_from(Accounts::<T>::hashed_key_for(who)),
			None => Accounts::<T>::iter_keys(),
		};
		let keys: Vec<T::AccountId> = iter.by_ref().take(limit).collect();
		// More to read only if the page is full and a key follows it.
		let next =
			if keys.len() == limit && iter.next().is_some() { keys.last().cloned() } else { None };
		(keys, next)
	}

	/// Of the accounts after `cursor`, at most `limit` read (and [`Self::MAX_ACCOUNTS_READ`]),
	/// those in profit in `market`, ranked by profit x leverage (profit x notional / equity, as
	/// Hyperliquid ranks them), and the cursor to resume from (`None`: the end). Deleveraging
	/// is pro rata ([`Pallet::deleverage`]), so the ranking only orders a keeper's work.
	pub fn deleverage_candidates(
		market: MarketId,
		cursor: Option<T::AccountId>,
		limit: u32,
	) -> (Vec<DeleverageCandidate<T::AccountId>>, Option<T::AccountId>) {
		let (keys, next) = Self::account_page(cursor, limit);
		let (Some(price), Some(info)) =
			(T::Prices::price_info(market).map(|p| p.price), Markets::<T>::get(market))
		else {
			return (Vec::new(), next);
		};
		let mut candidates: Vec<DeleverageCandidate<T::AccountId>> = keys
			.into_iter()
			.filter_map(|who| {
				// Not one already deleveraged in this episode.
				let account = Accounts::<T>::get(&who)?;
				let held = account.positions.iter().find(|p| p.market == market)?;
				if held.adl_episode == info.adl_episode {
					return None;
				}
				let view = Self::account_view(&who)?;
				let position = view.positions.iter().find(|p| p.market == market)?;
				let profit = position.unrealized_pnl.saturating_sub(position.funding_owed);
				if profit <= 0 || view.equity <= 0 {
					return None;
				}
				let notional = math::notional(position.signed_size, price, Rounding::Down)?;
				let score = FixedU128::checked_from_rational(
					profit.unsigned_abs().saturating_mul(notional),
					view.equity.unsigned_abs(),
				)
				.unwrap_or(FixedU128::from_inner(u128::MAX));
				Some(DeleverageCandidate { who, profit, score })
			})
			.collect();
		candidates.sort_by_key(|c| core::cmp::Reverse(c.score));
		(candidates, next)
	}

	/// Of the accounts after `cursor` (from the first without one), at most `limit` read (and
	/// [`Self::MAX_ACCOUNTS_READ`]), the liquidatable ones with their equity and maintenance
	/// requirement, and the cursor to resume from (`None`: the end). A page may hold none and
	/// still have a cursor: keepers read on until it is `None`.
	pub fn liquidatable_page(
		cursor: Option<T::AccountId>,
		limit: u32,
	) -> (Vec<LiquidatableView<T::AccountId>>, Option<T::AccountId>) {
		let (keys, next) = Self::account_page(cursor, limit);
		let found = keys
			.into_iter()
			.filter_map(|who| {
				let view = Self::account_view(&who).filter(|v| v.liquidatable)?;
				Some(LiquidatableView {
					who,
					equity: view.equity,
					maintenance_margin: view.maintenance_margin,
				})
			})
			.collect();
		(found, next)
	}

	/// Traders' unrealized PnL in `market` net of funding, as the vault marks it (at the price of
	/// closing the whole skew), with the oracle's price replaced by `price`.
	pub(crate) fn trader_pnl_at(
		info: &MarketInfo,
		oracle: &PriceInfo,
		price: Price,
		now: BlockNumber,
	) -> i128 {
		let pnl = math::net_size(&info.aggregates)
			.and_then(|skew| math::skew_marked_price(price, skew, info.params.skew_scale))
			.and_then(|mark| math::aggregate_unrealized_pnl(&info.aggregates, mark));
		let funding = Self::accrued_index(info, Self::funding_price(oracle), now)
			.ok()
			.and_then(|index| math::aggregate_funding_owed(&info.aggregates, index));
		match (pnl, funding) {
			(Some(pnl), Some(funding)) => pnl.saturating_sub(funding),
			// Absurd sizes: mark traders as winning everything the vault has.
			_ => i128::MAX,
		}
	}

	/// See [`MarginTotals::shock`]. Replays a liquidation's arithmetic on each account: it is
	/// liquidatable when its equity is below its maintenance margin, and one with negative equity
	/// is closed in full, its shortfall taken off its losing legs in position order (winning legs
	/// are assumed paid in full). Markets without a price are left out.
	pub fn shock_report(prices: &[(MarketId, Price)]) -> ShockReport {
		let now = Self::now();
		let mut shocked: BTreeMap<MarketId, Mark> = BTreeMap::new();
		let mut markets: Vec<MarketShock> = Vec::new();
		for (market, price) in prices.iter() {
			let (Some(info), Some(oracle)) =
				(Markets::<T>::get(market), T::Prices::price_info(*market))
			else {
				continue;
			};
			let Ok(mut mark) = Self::liquidation_mark(*market, &info, oracle, now) else {
				continue;
			};
			mark.price.price = *price;
			if shocked.insert(*market, mark).is_none() {
				markets.push(MarketShock {
					market: *market,
					trader_pnl_before: Self::trader_pnl_at(&info, &oracle, oracle.price, now),
					trader_pnl_after: Self::trader_pnl_at(&info, &oracle, *price, now),
					..Default::default()
				});
			}
		}
		let mut liquidatable_accounts: u32 = 0;
		for account in Accounts::<T>::iter_values() {
			if !account.positions.iter().any(|p| shocked.contains_key(&p.market)) {
				continue;
			}
			let Some((health, realized)) = Self::shocked_health(&account, &shocked, now) else {
				continue;
			};
			let maintenance = i128::try_from(health.maintenance).unwrap_or(i128::MAX);
			if health.equity >= maintenance {
				continue;
			}
			liquidatable_accounts = liquidatable_accounts.saturating_add(1);
			// A bankrupt account's bad debt, with the keeper's flat fee charged along with it.
			let mut shortfall = health.equity.min(0).unsigned_abs();
			if !shortfall.is_zero() {
				shortfall = shortfall.saturating_add(T::BankruptcyKeeperFee::get());
			}
			for (position, leg) in account.positions.iter().zip(realized.iter()) {
				let row = markets.iter_mut().find(|m| m.market == position.market);
				if let Some(row) = row {
					row.liquidatable_accounts = row.liquidatable_accounts.saturating_add(1);
				}
				if *leg < 0 && !shortfall.is_zero() {
					let part = shortfall.min(leg.unsigned_abs());
					shortfall = shortfall.saturating_sub(part);
					if let Some(row) = markets.iter_mut().find(|m| m.market == position.market) {
						row.bad_debt = row.bad_debt.saturating_add(part);
					}
				}
			}
		}
		ShockReport { markets, liquidatable_accounts }
	}

	/// `account`'s health with the markets of `shocked` at their shocked marks (the others at
	/// the oracle's), and each position's PnL net of funding; `None` if a market has no price.
	pub(crate) fn shocked_health(
		account: &MarginAccount<T::MaxPositions>,
		shocked: &BTreeMap<MarketId, Mark>,
		now: BlockNumber,
	) -> Option<(Health, Vec<i128>)> {
		let mut health =
			Health { equity: Self::signed(account.collateral).ok()?, ..Default::default() };
		let mut realized = Vec::with_capacity(account.positions.len());
		for position in account.positions.iter() {
			let mark = match shocked.get(&position.market) {
				Some(mark) => *mark,
				None => {
					let info = Markets::<T>::get(position.market)?;
					let oracle = T::Prices::price_info(position.market)?;
					Self::liquidation_mark(position.market, &info, oracle, now).ok()?
				},
			};
			let (pnl, funding) = Self::add_position(&mut health, position, &mark).ok()?;
			realized.push(pnl.saturating_sub(funding));
		}
		Some((health, realized))
	}

	/// The runtime API's account view.
	pub fn account_view(who: &T::AccountId) -> Option<AccountView> {
		let account = Accounts::<T>::get(who)?;
		let now = Self::now();
		let mut health =
			Health { equity: Self::signed(account.collateral).ok()?, ..Default::default() };
		let mut rows = Vec::new();
		let mut closeable_leg = false;
		for position in account.positions.iter() {
			let info = Markets::<T>::get(position.market)?;
			let price = T::Prices::price_info(position.market)?;
			closeable_leg |= price.status != MarketStatus::Stale;
			// The initial fraction a trade or withdrawal now needs, and the maintenance
			// fraction a liquidation in this block would use; a leg whose market is not
			// `Active` at the price worse for the trader, as a liquidation values it.
			let mut mark = Self::mark(position.market, &info, price, now).ok()?;
			mark.mmf = Self::liquidation_mark(position.market, &info, price, now).ok()?.mmf;
			if price.status != MarketStatus::Active {
				mark.price.price = Self::conservative_mark(position.size, &price);
			}
			let maintenance_before = health.maintenance;
			let (pnl, funding) = Self::add_position(&mut health, position, &mark).ok()?;
			let own_maintenance = health.maintenance.saturating_sub(maintenance_before);
			rows.push((
				*position,
				mark.maintenance_fraction(position),
				pnl,
				funding,
				own_maintenance,
			));
		}
		let positions = rows
			.iter()
			.map(|(position, mmf, pnl, funding, own_maintenance)| {
				// Equity without this position's PnL, less the other positions' maintenance.
				let others_maintenance = health.maintenance.saturating_sub(*own_maintenance);
				let rest = health
					.equity
					.saturating_sub(*pnl)
					.saturating_sub(Self::signed(others_maintenance).unwrap_or(i128::MAX));
				PositionView {
					market: position.market,
					signed_size: position.size,
					entry_price: position.entry_price,
					unrealized_pnl: *pnl,
					funding_owed: *funding,
					liquidation_price: math::liquidation_price(
						position.size,
						position.entry_price,
						rest,
						*mmf,
					),
					maintenance_fraction: *mmf,
				}
			})
			.collect();
		let margin_ratio = (!health.maintenance.is_zero())
			.then(|| {
				FixedU128::checked_from_rational(
					health.equity.max(0).unsigned_abs(),
					health.maintenance,
				)
			})
			.flatten();
		let below_maintenance = !account.positions.is_empty()
			&& health.equity < Self::signed(health.maintenance).unwrap_or(i128::MAX);
		Some(AccountView {
			collateral: account.collateral,
			equity: health.equity,
			initial_margin: health.initial,
			maintenance_margin: health.maintenance,
			margin_ratio,
			below_maintenance,
			// With a stale leg (which stays open) an account below zero waits for its price.
			// What `liquidate` does, not an estimate of it: a dry run, rolled back (a keeper
			// must never pay for a refusal the view did not predict: a stale leg with a close
			// that would end below zero, or a market's liquidation cap).
			liquidatable: below_maintenance
				&& closeable_leg
				&& Self::liquidation_would_succeed(who),
			positions,
			reserved_margin: account.reserved(),
			orders: account
				.orders
				.iter()
				.map(|order| OrderView {
					market: order.market,
					action: order.action,
					limit_price: order.limit_price,
					round: order.round,
					due_round: Self::round_of(order.due_block),
					due_block: order.due_block,
					expires_round: order.expires_round,
					reserved: order.reserved,
				})
				.collect(),
		})
	}

	/// Whether `who`'s equity is below its maintenance requirement.
	/// Whether `liquidate` of `who` would succeed now: run and rolled back.
	fn liquidation_would_succeed(who: &T::AccountId) -> bool {
		frame_support::storage::with_transaction(|| {
			let succeeded = Self::do_liquidate(who.clone(), who.clone()).is_ok();
			sp_runtime::TransactionOutcome::Rollback(Ok::<bool, DispatchError>(succeeded))
		})
		.unwrap_or(false)
	}

	pub fn is_liquidatable(who: &T::AccountId) -> bool {
		Self::account_view(who).is_some_and(|view| view.liquidatable)
	}

	/// The runtime API's market view.
	pub fn market_view(market: MarketId) -> Option<MarketView> {
		let info = Markets::<T>::get(market)?;
		let price = T::Prices::price_info(market);
		let mark_price = price.map_or(FixedU128::zero(), |p| p.price);
		let notional = |size: u128| {
			math::notional(
				FixedI128::from_inner(size.try_into().unwrap_or(i128::MAX)),
				mark_price,
				Rounding::Up,
			)
			.unwrap_or(Balance::MAX)
		};
		let (imf, effective_mmf, target_mmf, index) = match price {
			Some(p) => {
				let mark = Self::mark(market, &info, p, Self::now()).ok()?;
				let open_interest = math::aggregate_open_interest(&info.aggregates, p.price)
					.unwrap_or(Balance::MAX);
				let unrestricted =
					Self::initial_fraction(market, &info.params, p.volatility, open_interest);
				(
					mark.imf,
					mark.mmf,
					math::target_maintenance_fraction(
						unrestricted,
						info.params.maintenance_fraction,
					),
					mark.index,
				)
			},
			None => {
				(info.params.base_imf, info.effective_mmf, info.effective_mmf, info.funding_index)
			},
		};
		let (trader_unrealized_pnl, payable_cash) = Self::deleverage_pressure(market);
		let deleverage_needed = price.is_some_and(|p| p.status == MarketStatus::Active)
			&& Self::signed(info.params.adl_trigger.mul_floor(payable_cash))
				.is_ok_and(|trigger| trader_unrealized_pnl > trigger);
		Some(MarketView {
			long_open_interest: notional(info.aggregates.long_size),
			short_open_interest: notional(info.aggregates.short_size),
			skew: math::net_size(&info.aggregates)?,
			funding_rate: Self::funding_rate(&info).ok()?,
			funding_index: index,
			initial_margin_fraction: imf,
			effective_mmf,
			target_mmf,
			status: price.map(|p| p.status),
			restricted: T::Restriction::is_restricted(market),
			capacity: T::Vaults::max_open_interest(market),
			vault_balance: info.vault_balance,
			trader_unrealized_pnl,
			payable_cash,
			deleverage_needed,
			params: info.params,
		})
	}

	/// The runtime API's quote: what a trade of `size_delta` by `who` would do at the current
	/// median, or its error. An order fills at a later median: this is an estimate.
	pub fn quote(
		who: &T::AccountId,
		market: MarketId,
		size_delta: SignedSize,
	) -> Result<QuoteView, DispatchError> {
		let account = Accounts::<T>::get(who).unwrap_or_default();
		let plan = Self::plan_trade(account, market, size_delta, None, true)?;
		let health = plan.health.unwrap_or_default();
		Ok(QuoteView {
			fill_price: plan.fill,
			fee: plan.fee,
			realized_pnl: plan.realized,
			equity_after: health.equity,
			initial_margin_after: health.initial,
		})
	}

	/// What custody must hold beyond its existential deposit: collateral, escrow and unsettled
	/// balances (tests compare it with the custody balance exactly).
	pub fn custody_ledger() -> i128 {
		let escrowed = i128::try_from(Escrowed::<T>::get()).unwrap_or(i128::MAX);
		let collateral = Accounts::<T>::iter_values().fold(escrowed, |acc, a| {
			acc.saturating_add(i128::try_from(a.collateral).unwrap_or(i128::MAX))
		});
		Markets::<T>::iter_values()
			.fold(collateral, |acc, info| acc.saturating_add(info.unsettled_total()))
	}
}

/// Bounded: custody holds its existential deposit, the collateral and each enabled market's
/// unsettled balances (the `try_state` invariant), so the collateral is what is left of it.
impl<T: Config> MarginTotals for Pallet<T> {
	fn total_collateral() -> Balance {
		// Escrow (option orders in flight) counts as collateral: it is traders' bUSD at stake in
		// custody, and the monitor reads this every block without a read more.
		let custody = T::Currency::balance(&Self::custody_account())
			.saturating_sub(T::Currency::minimum_balance());
		let unsettled = EnabledMarkets::<T>::get().iter().fold(0i128, |acc, market| {
			Markets::<T>::get(market).map_or(acc, |info| acc.saturating_add(info.unsettled_total()))
		});
		if unsettled >= 0 {
			custody.saturating_sub(unsettled.unsigned_abs())
		} else {
			custody.saturating_add(unsettled.unsigned_abs())
		}
	}

	fn shock(prices: &[(MarketId, Price)]) -> ShockReport {
		Self::shock_report(prices)
	}
}

impl<T: Config> OpenInterest for Pallet<T> {
	fn open_interest(market: MarketId) -> Balance {
		let (Some(info), Some(price)) = (Markets::<T>::get(market), T::Prices::price_info(market))
		else {
			return 0;
		};
		math::aggregate_open_interest(&info.aggregates, price.price).unwrap_or(Balance::MAX)
	}

	fn net_skew(market: MarketId) -> Balance {
		let (Some(info), Some(price)) = (Markets::<T>::get(market), T::Prices::price_info(market))
		else {
			return 0;
		};
		math::net_size(&info.aggregates)
			.and_then(|skew| math::notional(skew, price.price, Rounding::Up))
			.unwrap_or(Balance::MAX)
	}

	fn largest_side(market: MarketId) -> Balance {
		let (Some(info), Some(price)) = (Markets::<T>::get(market), T::Prices::price_info(market))
		else {
			return 0;
		};
		math::largest_side_open_interest(&info.aggregates, price.price).unwrap_or(Balance::MAX)
	}
}

impl<T: Config> UnrealizedPnl for Pallet<T> {
	/// Marked at the price of closing the whole skew (the oracle price plus the average
	/// premium, [`math::skew_marked_price`]), net of the funding traders owe at the index
	/// accrued to now. Opening or closing a position therefore moves the vault's NAV by no more
	/// than its fee: nobody can lift NAV with a position to sell shares into it.
	fn unrealized_trader_pnl(market: MarketId) -> i128 {
		let (Some(info), Some(price)) = (Markets::<T>::get(market), T::Prices::price_info(market))
		else {
			return 0;
		};
		Self::trader_pnl_at(&info, &price, price.price, Self::now())
	}

	fn unsettled_vault_balance(market: MarketId) -> i128 {
		Markets::<T>::get(market).map_or(0, |info| info.vault_balance)
	}
}
