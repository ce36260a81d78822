//! Trades: an account's health, and a trade worked out ([`Pallet::plan_trade`]) then stored
//! ([`Pallet::do_trade`]). Traders reach them only through orders ([`crate::orders`]).

use crate::*;

impl<T: Config> Pallet<T> {
	/// Equity and margin requirements of `account`. `traded` overrides one market's state and
	/// mark (a trade's, before it is stored). With `require_active`, every market must have an
	/// `Active` price. Other markets are marked now ([`Self::mark`]).
	pub fn health(
		account: &MarginAccount<T::MaxPositions>,
		traded: Option<(MarketId, &Mark)>,
		require_active: bool,
	) -> Result<Health, DispatchError> {
		Self::health_marked(account, traded, require_active, Self::mark)
	}

	/// [`Self::health`] with the other markets marked by `mark`.
	pub(crate) fn health_marked(
		account: &MarginAccount<T::MaxPositions>,
		traded: Option<(MarketId, &Mark)>,
		require_active: bool,
		mark: fn(MarketId, &MarketInfo, PriceInfo, BlockNumber) -> Result<Mark, DispatchError>,
	) -> Result<Health, DispatchError> {
		let now = Self::now();
		let mut health = Health { equity: Self::signed(account.collateral)?, ..Health::default() };
		for position in account.positions.iter() {
			let marked = match traded {
				Some((market, traded)) if market == position.market => *traded,
				_ => {
					let info =
						Markets::<T>::get(position.market).ok_or(Error::<T>::MarketNotEnabled)?;
					let price =
						T::Prices::price_info(position.market).ok_or(Error::<T>::NoPrice)?;
					mark(position.market, &info, price, now)?
				},
			};
			ensure!(
				!require_active || marked.price.status == MarketStatus::Active,
				Error::<T>::PriceNotUsable
			);
			Self::add_position(&mut health, position, &marked)?;
		}
		Ok(health)
	}

	pub(crate) fn add_position(
		health: &mut Health,
		position: &Position,
		mark: &Mark,
	) -> Result<(i128, i128), DispatchError> {
		let price = mark.price.price;
		let pnl = math::unrealized_pnl(position.size, position.entry_price, price)
			.ok_or(Error::<T>::Overflow)?;
		let funding = math::funding_owed(position.size, position.entry_index, mark.index)
			.ok_or(Error::<T>::Overflow)?;
		let initial =
			math::margin_requirement(position.size, price, mark.imf).ok_or(Error::<T>::Overflow)?;
		let maintenance =
			math::margin_requirement(position.size, price, mark.maintenance_fraction(position))
				.ok_or(Error::<T>::Overflow)?;
		health.equity = health
			.equity
			.checked_add(pnl)
			.and_then(|e| e.checked_sub(funding))
			.ok_or(Error::<T>::Overflow)?;
		health.initial = health.initial.checked_add(initial).ok_or(Error::<T>::Overflow)?;
		health.maintenance =
			health.maintenance.checked_add(maintenance).ok_or(Error::<T>::Overflow)?;
		Ok((pnl, funding))
	}

	/// Works out a trade of `delta` in `market` by `account` without writing anything. The
	/// account's health after it is worked out for exposure-increasing trades (which need the
	/// initial margin) and when `with_health` asks.
	pub fn plan_trade(
		mut account: MarginAccount<T::MaxPositions>,
		market: MarketId,
		delta: SignedSize,
		limit_price: Option<Price>,
		with_health: bool,
	) -> Result<TradePlan<T>, DispatchError> {
		ensure!(!delta.is_zero(), Error::<T>::ZeroSize);
		let now = Self::now();
		let mut info = Markets::<T>::get(market).ok_or(Error::<T>::MarketNotEnabled)?;
		let price_info = T::Prices::price_info(market).ok_or(Error::<T>::NoPrice)?;
		ensure!(price_info.status != MarketStatus::Stale, Error::<T>::PriceStale);
		let params = info.params;
		let price = price_info.price;
		let index = Self::accrued_index(&info, Self::funding_price(&price_info), now)?;
		info.funding_index = index;
		info.funding_updated_at = now;

		let slot = account.positions.iter().position(|p| p.market == market);
		let old = slot.and_then(|i| account.positions.get(i).copied());
		let old_size = old.map_or(FixedI128::zero(), |p| p.size);
		let increasing = math::increases_exposure(old_size, delta);
		if increasing {
			ensure!(
				price_info.status == MarketStatus::Active && !T::Restriction::is_restricted(market),
				Error::<T>::ReduceOnly
			);
		}

		// The fill.
		let overflow = || DispatchError::from(Error::<T>::Overflow);
		let skew_before = math::net_size(&info.aggregates).ok_or_else(overflow)?;
		let buy = delta.into_inner() > 0;
		let fill = if price_info.status == MarketStatus::Halted {
			// The worse of median and EMA, and no better than the skew fill at it.
			let conservative = math::conservative_price(price, price_info.ema_price, buy);
			math::forced_fill(conservative, skew_before, delta, params.skew_scale)
				.ok_or_else(overflow)?
		} else {
			math::fill_price(price, skew_before, delta, params.skew_scale).ok_or_else(overflow)?
		};
		if let Some(limit) = limit_price {
			ensure!(
				if buy { fill <= limit } else { fill >= limit },
				Error::<T>::LimitPriceExceeded
			);
		}
		let fee = math::trade_fee(skew_before, delta, fill, params.maker_fee, params.taker_fee)
			.ok_or_else(overflow)?;

		// The position: its funding settles, the fill changes it.
		let funding = match old {
			Some(p) => math::funding_owed(p.size, p.entry_index, index).ok_or_else(overflow)?,
			None => 0,
		};
		let entry = old.map_or(fill, |p| p.entry_price);
		let filled = math::apply_fill(old_size, entry, delta, fill).ok_or_else(overflow)?;

		let mut aggregates = info.aggregates;
		if let Some(p) = old {
			aggregates = math::aggregate_remove(aggregates, p.size, p.entry_price, p.entry_index)
				.ok_or_else(overflow)?;
		}
		aggregates = math::aggregate_add(aggregates, filled.size, filled.entry, index)
			.ok_or_else(overflow)?;
		let oi_before =
			math::aggregate_open_interest(&info.aggregates, price).ok_or_else(overflow)?;
		let oi_after = math::aggregate_open_interest(&aggregates, price).ok_or_else(overflow)?;
		let skew_after = math::net_size(&aggregates).ok_or_else(overflow)?;
		let aggregates_before = info.aggregates;
		info.aggregates = aggregates;

		// Its own maintenance fraction is set once the block's fraction is known, below.
		let position = Position {
			market,
			size: filled.size,
			entry_price: filled.entry,
			entry_index: index,
			mmf: old.map_or(FixedU128::zero(), |p| p.mmf),
			adl_episode: old.map_or(0, |p| p.adl_episode),
		};
		match (slot, filled.size.is_zero()) {
			(Some(i), true) => {
				account.positions.remove(i);
			},
			(Some(i), false) => {
				if let Some(p) = account.positions.get_mut(i) {
					*p = position;
				}
			},
			(None, false) => {
				account.positions.try_push(position).map_err(|_| Error::<T>::TooManyPositions)?;
			},
			// A non-zero trade of no position leaves a position.
			(None, true) => return Err(overflow()),
		}

		// Money: PnL and funding against the vault, fees to the vault and insurance.
		let realized = filled.realized_pnl.checked_sub(funding).ok_or_else(overflow)?;
		if realized > 0 {
			ensure!(
				realized.unsigned_abs() <= T::Vaults::payable_cash(market),
				Error::<T>::VaultCannotPay
			);
		}
		let collateral = Self::signed(account.collateral)?;
		let before_fee = collateral.checked_add(realized).ok_or_else(overflow)?;
		let fee_signed = Self::signed(fee)?;
		// A trader never leaves a loss it cannot pay by trading: a fill it does not care about
		// (its collateral is gone either way) could be pushed to any price through the skew,
		// and insurance and the vault would pay the difference. Such accounts wait for
		// liquidation. Only the fee of closing the last position may be cut to what is left.
		ensure!(before_fee >= 0, Error::<T>::LossExceedsCollateral);
		let charged = if before_fee >= fee_signed {
			fee
		} else {
			ensure!(!increasing, Error::<T>::MarginTooLow);
			ensure!(account.positions.is_empty(), Error::<T>::LossExceedsCollateral);
			before_fee.unsigned_abs()
		};
		account.collateral =
			before_fee.checked_sub(Self::signed(charged)?).ok_or_else(overflow)?.unsigned_abs();
		info.vault_balance = info.vault_balance.checked_sub(realized).ok_or_else(overflow)?;
		let insurance_fee = params.fee_insurance_share.mul_floor(charged);
		info.insurance_balance =
			info.insurance_balance.checked_add(insurance_fee).ok_or_else(overflow)?;
		info.vault_balance = info
			.vault_balance
			.checked_add(Self::signed(charged.saturating_sub(insurance_fee))?)
			.ok_or_else(overflow)?;

		// Caps and margin for exposure-increasing trades.
		let capacity = T::Vaults::max_open_interest(market);
		if increasing {
			if oi_after > oi_before {
				ensure!(oi_after <= capacity, Error::<T>::OpenInterestCapExceeded);
			}
			// Enforced at every fill, not once a monitor period: exposure opened right after a
			// sample and closed before the next is held to the same bound.
			if let Some(security) = T::Restriction::open_interest_capacity(market) {
				let side = |a| math::largest_side_open_interest(a, price).ok_or_else(overflow);
				let side_after = side(&info.aggregates)?;
				if side_after > side(&aggregates_before)? {
					ensure!(side_after <= security, Error::<T>::SecurityCapExceeded);
				}
			}
			let magnitude = skew_after.into_inner().unsigned_abs();
			if magnitude > skew_before.into_inner().unsigned_abs() {
				let skew = math::notional(skew_after, price, Rounding::Up).ok_or_else(overflow)?;
				ensure!(skew <= T::Vaults::max_skew(market), Error::<T>::SkewCapExceeded);
				// Past half the scale fills would reach the premium clamp.
				ensure!(
					magnitude <= params.skew_scale.into_inner() / 2,
					Error::<T>::SkewCapExceeded
				);
			}
		}
		let unrestricted = math::initial_margin_fraction(
			params.base_imf,
			params.vol_coeff,
			price_info.volatility,
			params.oi_coeff,
			math::utilization(oi_after, capacity),
			params.max_imf,
		);
		// A restriction multiplies the initial margin only: the maintenance target follows the
		// market, not the restriction (which anyone can push a market into).
		let imf =
			math::restricted_margin_fraction(unrestricted, T::Restriction::imf_multiplier(market));
		let target = math::target_maintenance_fraction(unrestricted, params.maintenance_fraction);
		let mark = Mark {
			price: price_info,
			index,
			imf,
			mmf: Self::effective_mmf(&info, target, now),
			mmf_floor: Self::maintenance_floor(&params),
		};
		// Added exposure is held to the fraction of now; what was there keeps its own.
		if let Some(position) = account.positions.iter_mut().find(|p| p.market == market) {
			position.mmf = math::added_exposure_fraction(
				old_size,
				old.map_or(FixedU128::zero(), |p| p.mmf),
				position.size,
				mark.mmf,
			)
			.ok_or_else(overflow)?;
			// No dust legs: a trade leaves a position of at least the market's minimum notional.
			ensure!(
				math::notional(position.size, fill, Rounding::Down).ok_or_else(overflow)?
					>= params.min_position_notional,
				Error::<T>::PositionTooSmall
			);
		}
		// A reducing trade needs no margin, so it never depends on other markets' prices.
		let health = if increasing || with_health {
			// The other markets at the fractions of the block's refresh (as liquidations read
			// them): orders execute in the hook right after it.
			Some(Self::health_marked(
				&account,
				Some((market, &mark)),
				increasing,
				Self::liquidation_mark,
			)?)
		} else {
			None
		};
		if let (true, Some(health)) = (increasing, health) {
			ensure!(health.equity >= Self::signed(health.initial)?, Error::<T>::MarginTooLow);
		}
		Ok(TradePlan {
			account,
			info,
			fill,
			price_round: price_info.round,
			fee: charged,
			realized,
			size_after: filled.size,
			health,
		})
	}

	/// Fills a trade of `size_delta` in `market` for `who`, whose `account` is given as read
	/// (an executing order already taken out of it), and stores it; the fill is an order's
	/// placed in `order_round`. Returns the positions the account held before or after, the
	/// larger (what the weight depends on). Nothing is written on an error.
	pub(crate) fn do_trade(
		who: &T::AccountId,
		account: MarginAccount<T::MaxPositions>,
		market: MarketId,
		size_delta: SignedSize,
		limit_price: Option<Price>,
		order_round: RoundIndex,
	) -> Result<u32, DispatchError> {
		let positions_before: u32 = account.positions.len().saturated_into();
		let plan = Self::plan_trade(account, market, size_delta, limit_price, false)?;
		let positions_after: u32 = plan.account.positions.len().saturated_into();
		Self::store_account(who, plan.account);
		// The closed position leaves the aggregates before the vault reads its equity.
		Markets::<T>::insert(market, plan.info);
		Self::deposit_event(Event::Traded {
			who: who.clone(),
			market,
			size_delta,
			fill_price: plan.fill,
			fee: plan.fee,
			realized_pnl: plan.realized,
			size_after: plan.size_after,
			order_round,
			price_round: plan.price_round,
		});
		Ok(positions_before.max(positions_after))
	}
}
