//! Liquidation with the bad-debt waterfall, and auto-deleveraging.

use crate::*;

/// What closing part of an account left: the collateral (signed: negative is bad debt), the
/// notional closed and the PnL realized per position, and what the fills cost beyond the marks.
type Closed = (i128, Vec<(Balance, i128)>, Balance);

impl<T: Config> Pallet<T> {
	/// Marks every market of `account` for a liquidation: each must be enabled with an `Active`
	/// price. Returns the markets, their marks and the account's health.
	pub(crate) fn mark_for_liquidation(
		account: &MarginAccount<T::MaxPositions>,
		now: BlockNumber,
	) -> Result<(Vec<(MarketInfo, Mark)>, Health), DispatchError> {
		let mut health = Health { equity: Self::signed(account.collateral)?, ..Health::default() };
		let mut marked = Vec::with_capacity(account.positions.len());
		for position in account.positions.iter() {
			let info = Markets::<T>::get(position.market).ok_or(Error::<T>::MarketNotEnabled)?;
			let price = T::Prices::price_info(position.market).ok_or(Error::<T>::NoPrice)?;
			let mut mark = Self::liquidation_mark(position.market, &info, price, now)?;
			// A leg whose market is halted or stale cannot shield the account: it is valued at
			// the price worse for the trader of its median and EMA (a stale market's last ones).
			if price.status != MarketStatus::Active {
				mark.price.price = Self::conservative_mark(position.size, &price);
			}
			Self::add_position(&mut health, position, &mark)?;
			marked.push((info, mark));
		}
		Ok((marked, health))
	}

	/// The price worse for the holder of `size` of `price`'s median and EMA: what a leg whose
	/// market is not `Active` is valued and closed at.
	pub(crate) fn conservative_mark(size: SignedSize, price: &PriceInfo) -> Price {
		math::conservative_price(price.price, price.ema_price, size.is_negative())
	}

	/// The price a liquidation closes `part` of a position in `info`'s market at: the worse for
	/// the trader of the mark (the oracle in an `Active` market, the conservative mark in a
	/// `Halted` one) and the skew fill at it. A halted close pays the skew premium too:
	/// otherwise a hedged owner's other leg, closed later through the skew the halted close
	/// left, would collect it.
	pub(crate) fn liquidation_fill(
		info: &MarketInfo,
		mark: &Mark,
		part: SignedSize,
	) -> Option<Price> {
		let price = mark.price.price;
		let skew = math::net_size(&info.aggregates)?;
		let delta = FixedI128::from_inner(part.into_inner().checked_neg()?);
		math::forced_fill(price, skew, delta, info.params.skew_scale)
	}

	/// Closes `fraction` (10^18 = all) of every position of `account` whose market is not
	/// `Stale` (a stale leg stays open; a leg that would be left below its market's minimum
	/// notional closes in full): `Active` legs at the worse for the trader of the oracle
	/// and the skew fill (the vault marks traders at the skew price: closing at the oracle would
	/// hand the premium to a self-liquidating hedger), `Halted` legs at their conservative mark.
	/// Realizes PnL and funding against each market's vault and moves the aggregates. Returns
	/// the collateral left signed (negative: bad debt), the notional closed (at the mark,
	/// rounded up) and the PnL realized per position, and what the fills cost the trader
	/// beyond the marks.
	pub(crate) fn close_fraction(
		account: &mut MarginAccount<T::MaxPositions>,
		marked: &mut [(MarketInfo, Mark)],
		fraction: u128,
		now: BlockNumber,
	) -> Result<Closed, DispatchError> {
		let overflow = || DispatchError::from(Error::<T>::Overflow);
		let mut collateral = Self::signed(account.collateral)?;
		let mut closed = Vec::with_capacity(marked.len());
		let mut premium: Balance = 0;
		for (position, (info, mark)) in account.positions.iter_mut().zip(marked.iter_mut()) {
			let price = mark.price.price;
			if mark.price.status == MarketStatus::Stale {
				closed.push((0, 0));
				continue;
			}
			let part = math::closed_part_without_dust(
				position.size,
				fraction,
				price,
				info.params.min_position_notional,
			)
			.ok_or_else(overflow)?;
			let fill = Self::liquidation_fill(info, mark, part).ok_or_else(overflow)?;
			let at_mark =
				math::unrealized_pnl(part, position.entry_price, price).ok_or_else(overflow)?;
			let pnl =
				math::unrealized_pnl(part, position.entry_price, fill).ok_or_else(overflow)?;
			premium = premium.saturating_add(at_mark.saturating_sub(pnl).max(0).unsigned_abs());
			let funding = math::funding_owed(position.size, position.entry_index, mark.index)
				.ok_or_else(overflow)?;
			let mut realized = pnl.checked_sub(funding).ok_or_else(overflow)?;
			if realized > 0 {
				// A winning leg is paid no more than its vault can pay (held stake and what it is
				// owed unsettled, `info` as stored): the rest is lost to the liquidated trader
				// rather than paid out of other traders' collateral.
				let payable = Self::signed(T::Vaults::held_stake(position.market))?
					.saturating_add(info.vault_balance);
				realized = realized.min(payable.max(0));
			}
			Self::shrink_position(info, position, part, realized, mark.index, now)?;
			Self::count_liquidated(info, part, now);
			collateral = collateral.checked_add(realized).ok_or_else(overflow)?;
			closed
				.push((math::notional(part, price, Rounding::Up).ok_or_else(overflow)?, realized));
		}
		Ok((collateral, closed, premium))
	}

	/// Size (`FixedI128` inner) partial liquidations may still close in `info`'s market in the
	/// window open at `now`.
	pub(crate) fn liquidation_cap_left(info: &MarketInfo, now: BlockNumber) -> u128 {
		let params = &info.params;
		let cap = params.liquidation_cap.mul_floor(params.skew_scale.into_inner());
		if now >= info.liquidation_window_start.saturating_add(params.liquidation_window) {
			cap
		} else {
			cap.saturating_sub(info.liquidated_in_window)
		}
	}

	/// Counts `part` closed by a liquidation at `now` in `info`'s window (a new one if the last
	/// has passed).
	pub(crate) fn count_liquidated(info: &mut MarketInfo, part: SignedSize, now: BlockNumber) {
		let closed = part.into_inner().unsigned_abs();
		if now >= info.liquidation_window_start.saturating_add(info.params.liquidation_window) {
			info.liquidation_window_start = now;
			info.liquidated_in_window = closed;
		} else {
			info.liquidated_in_window = info.liquidated_in_window.saturating_add(closed);
		}
	}

	/// Takes `part` off `position` at its entry price, settling its funding at `index` (now):
	/// moves the market's aggregates and funding clock, and books `realized` (PnL net of
	/// funding, positive: the vault pays) against the vault. Shared by liquidation and ADL.
	pub(crate) fn shrink_position(
		info: &mut MarketInfo,
		position: &mut Position,
		part: SignedSize,
		realized: i128,
		index: FixedI128,
		now: BlockNumber,
	) -> DispatchResult {
		let overflow = || DispatchError::from(Error::<T>::Overflow);
		let remaining = position
			.size
			.into_inner()
			.checked_sub(part.into_inner())
			.map(FixedI128::from_inner)
			.ok_or_else(overflow)?;
		let aggregates = math::aggregate_remove(
			info.aggregates,
			position.size,
			position.entry_price,
			position.entry_index,
		)
		.and_then(|a| math::aggregate_add(a, remaining, position.entry_price, index))
		.ok_or_else(overflow)?;
		info.aggregates = aggregates;
		info.funding_index = index;
		info.funding_updated_at = now;
		info.vault_balance = info.vault_balance.checked_sub(realized).ok_or_else(overflow)?;
		position.size = remaining;
		position.entry_index = index;
		Ok(())
	}

	pub(crate) fn do_liquidate(
		keeper: T::AccountId,
		who: T::AccountId,
	) -> DispatchResultWithPostInfo {
		let overflow = || DispatchError::from(Error::<T>::Overflow);
		let now = Self::now();
		// Refused before any close is worked out: charged what it read (keepers race for the
		// same accounts, and the loser should not pay for a liquidation).
		let refused = |positions: u32, error: Error<T>| sp_runtime::DispatchErrorWithPostInfo {
			post_info: Some(T::WeightInfo::liquidate_refused(positions)).into(),
			error: error.into(),
		};
		let account = Accounts::<T>::get(&who).ok_or_else(|| refused(0, Error::<T>::NoAccount))?;
		let positions: u32 = account.positions.len().saturated_into();
		ensure!(positions > 0, refused(0, Error::<T>::NotLiquidatable));
		let (marked, health) = Self::mark_for_liquidation(&account, now)?;
		ensure!(
			health.equity < Self::signed(health.maintenance)?,
			refused(positions, Error::<T>::NotLiquidatable)
		);

		// Nothing to close while every leg is stale.
		ensure!(
			marked.iter().any(|(_, mark)| mark.price.status != MarketStatus::Stale),
			refused(positions, Error::<T>::PriceNotUsable)
		);
		let stale_leg = marked.iter().any(|(_, mark)| mark.price.status == MarketStatus::Stale);

		// What closing everything costs beyond the requirement it frees (the penalty, and what
		// the fills cost beyond the marks: no more than that share of it for a partial close),
		// and the strictest critical fraction.
		let mut penalty_all: Balance = 0;
		let mut target: Balance = 0;
		let mut critical = sp_arithmetic::Perbill::zero();
		for (position, (info, mark)) in account.positions.iter().zip(marked.iter()) {
			if mark.price.status == MarketStatus::Stale {
				continue;
			}
			let price = mark.price.price;
			let notional =
				math::notional(position.size, price, Rounding::Up).ok_or_else(overflow)?;
			let fill = Self::liquidation_fill(info, mark, position.size).ok_or_else(overflow)?;
			let premium = math::unrealized_pnl(position.size, position.entry_price, price)
				.zip(math::unrealized_pnl(position.size, position.entry_price, fill))
				.map(|(at_mark, at_fill)| at_mark.saturating_sub(at_fill).max(0).unsigned_abs())
				.ok_or_else(overflow)?;
			penalty_all = penalty_all
				.saturating_add(info.params.liquidation_penalty.mul_ceil(notional))
				.saturating_add(premium);
			critical = critical.max(info.params.critical_fraction);
		}
		// What a partial close restores: each leg's maintenance requirement times 1 + its
		// market's buffer (never the initial margin, which volatility and a restriction raise).
		for (position, (info, mark)) in account.positions.iter().zip(marked.iter()) {
			let maintenance = math::margin_requirement(
				position.size,
				mark.price.price,
				mark.maintenance_fraction(position),
			)
			.ok_or_else(overflow)?;
			target = target
				.saturating_add(maintenance)
				.saturating_add(info.params.liquidation_buffer.mul_ceil(maintenance));
		}
		let mut fraction = math::liquidation_fraction(
			health.equity,
			target,
			health.maintenance,
			penalty_all,
			critical,
		)
		.ok_or_else(overflow)?;
		// The per-window cap: a partial liquidation closes no more of a market than its
		// window has left (a full close is never delayed: it only deepens the loss).
		if fraction < math::SCALE {
			for (position, (info, mark)) in account.positions.iter().zip(marked.iter()) {
				if mark.price.status == MarketStatus::Stale {
					continue;
				}
				let size = position.size.into_inner().unsigned_abs();
				let allowed = math::mul_div(
					Self::liquidation_cap_left(info, now),
					math::SCALE,
					size,
					Rounding::Down,
				)
				.ok_or_else(overflow)?;
				fraction = fraction.min(allowed);
			}
			ensure!(fraction > 0, refused(positions, Error::<T>::LiquidationCapReached));
		}
		let mut liquidated = account.clone();
		let mut markets = marked.clone();
		let (mut collateral, mut closed, mut premium) =
			Self::close_fraction(&mut liquidated, &mut markets, fraction, now)?;
		if collateral < 0 && fraction < math::SCALE {
			// A partial close whose losses exceed the collateral (the rest in profit): close
			// everything instead, so that no collateral is left negative.
			fraction = math::SCALE;
			liquidated = account.clone();
			markets = marked;
			(collateral, closed, premium) =
				Self::close_fraction(&mut liquidated, &mut markets, fraction, now)?;
		}
		// A stale leg stays open: an account that would end below zero with one waits for its
		// price, rather than write off a loss that leg might still pay or keep its upside.
		ensure!(collateral >= 0 || !stale_leg, Error::<T>::PriceNotUsable);

		// Bad debt: the loss the collateral cannot pay, pro rata over the losing markets (their
		// realized losses), so that the trader does not choose which market's insurance pays.
		let mut bad_debts: Vec<(MarketId, Balance)> = Vec::new();
		// A keeper liquidating a bankrupt account (not its own) earns the flat fee, charged
		// with the bad debt.
		let bankruptcy_fee =
			if collateral < 0 && keeper != who { T::BankruptcyKeeperFee::get() } else { 0 };
		if collateral < 0 {
			let shortfall = collateral.unsigned_abs().saturating_add(bankruptcy_fee);
			let losses: Balance = closed
				.iter()
				.filter(|(_, realized)| *realized < 0)
				.fold(0, |sum, (_, realized)| sum.saturating_add(realized.unsigned_abs()));
			let mut left_to_charge = shortfall;
			let losing = closed.iter().filter(|(_, realized)| *realized < 0).count();
			let mut seen = 0usize;
			for (position, ((info, _), (_, realized))) in
				liquidated.positions.iter().zip(markets.iter_mut().zip(closed.iter()))
			{
				if *realized >= 0 {
					continue;
				}
				seen += 1;
				// The last losing market takes what rounding left.
				let part = if seen == losing {
					left_to_charge
				} else {
					math::mul_div(shortfall, realized.unsigned_abs(), losses, Rounding::Down)
						.ok_or_else(overflow)?
						.min(left_to_charge)
				};
				left_to_charge = left_to_charge.saturating_sub(part);
				info.vault_balance =
					info.vault_balance.checked_sub(Self::signed(part)?).ok_or_else(overflow)?;
				bad_debts.push((position.market, part));
			}
			collateral = 0;
		}

		// The penalty, market by market, rounded up, never more than the equity left (the
		// equity before, less what the fills cost beyond the marks) nor the collateral.
		let mut left = collateral.unsigned_abs();
		let equity_left = health.equity.saturating_sub(Self::signed(premium)?);
		let mut chargeable = left.min(equity_left.max(0).unsigned_abs());
		let mut penalty: Balance = 0;
		let mut keeper_reward: Balance = 0;
		let mut keeper_shares: Vec<Balance> = Vec::with_capacity(markets.len());
		for ((info, _), (notional, _)) in markets.iter_mut().zip(closed.iter()) {
			let params = info.params;
			let charged = params.liquidation_penalty.mul_ceil(*notional).min(chargeable);
			chargeable = chargeable.saturating_sub(charged);
			let to_keeper = params
				.keeper_reward
				.mul_floor(*notional)
				.min(params.max_keeper_reward)
				.min(charged);
			info.insurance_balance = info
				.insurance_balance
				.checked_add(charged.saturating_sub(to_keeper))
				.ok_or_else(overflow)?;
			left = left.saturating_sub(charged);
			penalty = penalty.saturating_add(charged);
			keeper_reward = keeper_reward.saturating_add(to_keeper);
			keeper_shares.push(to_keeper);
		}
		liquidated.collateral = left;
		// No reward for liquidating oneself (it would discount the penalty), nor dust accounts
		// for keepers: a reward below the existential deposit for a keeper without an account
		// goes to insurance with the rest.
		let rewarded = keeper != who
			&& (Accounts::<T>::contains_key(&keeper)
				|| keeper_reward >= T::Currency::minimum_balance());
		if !rewarded && !keeper_reward.is_zero() {
			// Each market's share to its own insurance fund.
			for ((info, _), share) in markets.iter_mut().zip(keeper_shares.iter()) {
				info.insurance_balance =
					info.insurance_balance.checked_add(*share).ok_or_else(overflow)?;
			}
			keeper_reward = 0;
		}
		keeper_reward = keeper_reward.checked_add(bankruptcy_fee).ok_or_else(overflow)?;

		for (position, (info, _)) in liquidated.positions.iter().zip(markets.iter()) {
			Markets::<T>::insert(position.market, info);
		}
		liquidated.positions.retain(|p| !p.size.is_zero());
		Self::store_account(&who, liquidated);
		if !keeper_reward.is_zero() {
			Accounts::<T>::try_mutate(&keeper, |maybe| -> DispatchResult {
				let account = maybe.get_or_insert_with(MarginAccount::default);
				account.collateral =
					account.collateral.checked_add(keeper_reward).ok_or_else(overflow)?;
				Ok(())
			})?;
		}
		Self::deposit_event(Event::Liquidated {
			who: who.clone(),
			keeper,
			closed: FixedU128::from_inner(fraction),
			penalty,
			keeper_reward,
		});
		// The closed positions left the aggregates before the vaults read their equity.
		let absorptions: u32 = bad_debts.len().saturated_into();
		for (market, shortfall) in bad_debts {
			let (covered, absorbed) = T::Vaults::absorb_bad_debt(market, shortfall);
			Self::deposit_event(Event::BadDebt {
				who: who.clone(),
				market,
				shortfall,
				covered,
				absorbed,
			});
		}
		Ok(Some(Self::liquidate_weight(positions, absorptions)).into())
	}

	/// Weight of a liquidation of `positions` positions with bad debt absorbed in `absorbed`
	/// markets: the benchmark (a full close without bad debt), plus each absorption at the
	/// vaults' benchmarked weight of `absorb_bad_debt`.
	pub fn liquidate_weight(positions: u32, absorbed: u32) -> Weight {
		T::WeightInfo::liquidate(positions)
			.saturating_add(T::Vaults::absorb_bad_debt_weight().saturating_mul(absorbed.into()))
	}

	/// Traders' unrealized profit in `market` and the vault's payable cash: `(profit, payable
	/// cash)`.
	pub(crate) fn deleverage_pressure(market: MarketId) -> (i128, Balance) {
		(Self::unrealized_trader_pnl(market), T::Vaults::payable_cash(market))
	}

	/// Whether traders' unrealized profit in `market` (in state `info`) is above `adl_trigger`
	/// of the vault's payable cash.
	pub(crate) fn deleverage_needed(market: MarketId, info: &MarketInfo) -> bool {
		let Some(price) = T::Prices::price_info(market) else { return false };
		let profit = Self::trader_pnl_at(info, &price, price.price, Self::now());
		let payable = T::Vaults::payable_cash(market);
		Self::signed(info.params.adl_trigger.mul_floor(payable)).is_ok_and(|t| profit > t)
	}

	pub(crate) fn do_deleverage(
		caller: T::AccountId,
		market: MarketId,
		who: T::AccountId,
	) -> DispatchResultWithPostInfo {
		ensure!(caller != who, Error::<T>::SelfDeleverage);
		let overflow = || DispatchError::from(Error::<T>::Overflow);
		let now = Self::now();
		let mut info = Markets::<T>::get(market).ok_or(Error::<T>::MarketNotEnabled)?;
		let price = T::Prices::price_info(market).ok_or(Error::<T>::NoPrice)?;
		ensure!(price.status == MarketStatus::Active, Error::<T>::PriceNotUsable);
		let params = info.params;
		let (profit, payable) = Self::deleverage_pressure(market);
		let trigger = Self::signed(params.adl_trigger.mul_floor(payable))?;
		ensure!(profit > trigger, Error::<T>::DeleverageNotNeeded);

		let mut account = Accounts::<T>::get(&who).ok_or(Error::<T>::NoAccount)?;
		let positions: u32 = account.positions.len().saturated_into();
		let position = account
			.positions
			.iter_mut()
			.find(|p| p.market == market)
			.ok_or(Error::<T>::NoPosition)?;
		ensure!(position.adl_episode != info.adl_episode, Error::<T>::AlreadyDeleveraged);
		let index = Self::accrued_index(&info, Self::funding_price(&price), now)?;
		let funding =
			math::funding_owed(position.size, position.entry_index, index).ok_or_else(overflow)?;
		let gain = math::unrealized_pnl(position.size, position.entry_price, price.price)
			.and_then(|pnl| pnl.checked_sub(funding))
			.ok_or_else(overflow)?;
		ensure!(gain > 0, Error::<T>::NotInProfit);

		// Realizing R moves it out of the profit and out of payable cash alike: the ratio is
		// at the target once (profit - R) <= target x (payable - R), that is R >= (profit -
		// target x payable) / (1 - target). Every winner gives up the same share of its
		// position, R over traders' net profit (their gains are at least that), once per
		// episode: the caller picks the order, not who loses how much.
		let target = params.adl_target;
		let excess = profit
			.checked_sub(Self::signed(target.mul_floor(payable))?)
			.ok_or_else(overflow)?
			.max(0)
			.unsigned_abs();
		let keep = sp_arithmetic::PerThing::left_from_one(target);
		let needed =
			if keep.is_zero() { excess } else { keep.saturating_reciprocal_mul_ceil(excess) };
		let fraction = sp_arithmetic::helpers_128bit::multiply_by_rational_with_rounding(
			needed,
			math::SCALE,
			profit.unsigned_abs(),
			Rounding::Up,
		)
		.ok_or_else(overflow)?
		.min(math::SCALE);
		let part = math::closed_part_without_dust(
			position.size,
			fraction,
			price.price,
			params.min_position_notional,
		)
		.ok_or_else(overflow)?;
		// The reduction fills at the worse of the oracle and the skew fill for the trader: never
		// better than closing by trading, so nobody deleverages their own position to skip the
		// premium (no fee is charged: the trader did not choose it).
		let skew = math::net_size(&info.aggregates).ok_or_else(overflow)?;
		let delta =
			part.into_inner().checked_neg().map(FixedI128::from_inner).ok_or_else(overflow)?;
		let fill =
			math::forced_fill(price.price, skew, delta, params.skew_scale).ok_or_else(overflow)?;
		let realized = math::unrealized_pnl(part, position.entry_price, fill)
			.and_then(|pnl| pnl.checked_sub(funding))
			.ok_or_else(overflow)?;
		// Never more profit than the vault can pay.
		ensure!(realized <= 0 || realized.unsigned_abs() <= payable, Error::<T>::VaultCannotPay);
		Self::shrink_position(&mut info, position, part, realized, index, now)?;
		position.adl_episode = info.adl_episode;
		info.adl_in_progress = true;
		// A realized loss (funding above the gain at the rounding edge) is paid from collateral.
		let collateral =
			Self::signed(account.collateral)?.checked_add(realized).ok_or_else(overflow)?;
		ensure!(collateral >= 0, Error::<T>::NotInProfit);
		account.collateral = collateral.unsigned_abs();
		account.positions.retain(|p| !p.size.is_zero());
		Self::store_account(&who, account);
		Markets::<T>::insert(market, info);
		Self::deposit_event(Event::Deleveraged {
			who,
			market,
			closed: part,
			realized_pnl: realized,
		});
		Ok(Some(T::WeightInfo::deleverage(positions)).into())
	}
}
