//! Orders: every trader-chosen fill (open, grow, reduce, close) is an order written into the
//! trader's account item and filled by the hook at a price nobody knew when it was placed.
//!
//! ## Why
//!
//! A round's submissions are public in the blocks of that round and become the median only when
//! the next round opens; operators also copy exchange prices seconds late. A fill at the last
//! median would let anyone who reads the pending submissions trade against a price already
//! known to be wrong, risk-free, and the vault's stakers would pay (GMX v1's toxic flow;
//! Synthetix v3's async orders and GMX v2's request-then-execute were redesigned around it).
//!
//! ## Rules
//!
//! - An order placed in block `b` of round `r` is due in block `b + 2 x OracleRoundLength`, in
//!   round `r + 2`, whose first block aggregated the submissions of round `r + 1`: made after
//!   the order. The margin hook, which runs after the oracle's, executes every order due in its
//!   block before any extrinsic, so neither the trader nor anyone else picks the moment.
//! - If the newest median is not from a round after `r` (no quorum), the order waits a round at
//!   a time until round `r + expires_in_rounds`'s median could have filled it, then expires.
//! - At execution the fill is a trade's: skew fill, maker/taker fees, the limit price, IMR at
//!   the fill price, OI and skew caps, the market's status then. An order failing any check is
//!   removed with `OrderCancelled` naming the reason; nothing else moves.
//! - A pending order cannot be cancelled. A newer order in the same market replaces it only
//!   within the round it was placed in: later, the submissions its fill depends on are public,
//!   and a replacement (say, by a dust order) would be a cancellation made with them in view.
//! - An exposure-increasing order reserves its initial margin (at the current margin fraction)
//!   at the limit price for a buy, at the greater of the limit and the median for a sell (whose
//!   limit is a floor); withdrawals leave it. Reducing orders reserve nothing.
//! - At most `MaxOrdersPerBlock` orders are due in a block: a placement whose due block is full
//!   is refused (`OrderQueueFull`). The hook charges each execution at its benchmarked weight.

use crate::*;

impl<T: Config> Pallet<T> {
	/// The block an order placed in block `now` is first due in: two rounds later, in the round
	/// after the one whose submissions it fills at.
	pub fn order_due_block(now: BlockNumber) -> BlockNumber {
		now.saturating_add(T::OracleRoundLength::get().saturating_mul(2))
	}

	/// The round block `block` belongs to.
	pub fn round_of(block: BlockNumber) -> RoundIndex {
		block / T::OracleRoundLength::get().max(1)
	}

	pub(crate) fn do_place_order(
		who: T::AccountId,
		market: MarketId,
		action: OrderAction,
		limit_price: Price,
		expires_in_rounds: RoundIndex,
	) -> DispatchResultWithPostInfo {
		ensure!(
			(1..=T::MaxOrderRounds::get()).contains(&expires_in_rounds),
			Error::<T>::InvalidExpiry
		);
		let mut account = Accounts::<T>::get(&who).ok_or(Error::<T>::NoAccount)?;
		let positions: u32 = account.positions.len().saturated_into();
		let info = Markets::<T>::get(market).ok_or(Error::<T>::MarketNotEnabled)?;
		let price = T::Prices::price_info(market).ok_or(Error::<T>::NoPrice)?;
		ensure!(price.status != MarketStatus::Stale, Error::<T>::PriceStale);
		let now = Self::now();
		let round = T::Prices::current_round();

		// Only an order of this round may be replaced: its fill round has not begun.
		let replaced = match account.take_order(market) {
			Some(order) => {
				ensure!(order.round == round, Error::<T>::OrderPending);
				Some(order)
			},
			None => None,
		};

		let size = account.size_in(market);
		let delta = match action {
			OrderAction::Trade(delta) => delta,
			OrderAction::Close => {
				ensure!(!size.is_zero(), Error::<T>::NoPosition);
				size.into_inner()
					.checked_neg()
					.map(FixedI128::from_inner)
					.ok_or(Error::<T>::Overflow)?
			},
		};
		// No dust legs (checked again at the fill): a position is left at the market's minimum
		// notional or more, at the median now.
		let size_after = size
			.into_inner()
			.checked_add(delta.into_inner())
			.map(FixedI128::from_inner)
			.ok_or(Error::<T>::Overflow)?;
		ensure!(
			size_after.is_zero()
				|| math::notional(size_after, price.price, Rounding::Down)
					.ok_or(Error::<T>::Overflow)?
					>= info.params.min_position_notional,
			Error::<T>::PositionTooSmall
		);
		let mut reserved: Balance = 0;
		if math::increases_exposure(size, delta) {
			ensure!(
				price.status == MarketStatus::Active && !T::Restriction::is_restricted(market),
				Error::<T>::ReduceOnly
			);
			if size.is_zero() {
				ensure!(
					account.positions.len() < T::MaxPositions::get() as usize,
					Error::<T>::TooManyPositions
				);
			}
			// The fractions the block's refresh stored (no second valuation of the vault).
			let mark = Self::liquidation_mark(market, &info, price, now)?;
			// A buy fills at most at its limit; a sell at least at its limit, and near the
			// median whatever its limit.
			let at = if delta.is_positive() { limit_price } else { limit_price.max(price.price) };
			reserved = math::margin_requirement(delta, at, mark.imf).ok_or(Error::<T>::Overflow)?;
			// A pre-check (execution checks the IMR at the fill): every market at the fractions
			// of the block's refresh.
			let health = Self::health_marked(
				&account,
				Some((market, &mark)),
				false,
				Self::liquidation_mark,
			)?;
			let required = health
				.initial
				.checked_add(account.reserved())
				.and_then(|r| r.checked_add(reserved))
				.ok_or(Error::<T>::Overflow)?;
			ensure!(health.equity >= Self::signed(required)?, Error::<T>::MarginTooLow);
		}

		let due_block = replaced.map_or_else(|| Self::order_due_block(now), |o| o.due_block);
		let expires_round = round.saturating_add(expires_in_rounds);
		let order =
			PendingOrder { market, action, limit_price, round, due_block, expires_round, reserved };
		account.orders.try_push(order).map_err(|_| Error::<T>::TooManyPositions)?;
		// A replacement keeps the queue slot of the order it replaces.
		if replaced.is_none() {
			OrderQueue::<T>::try_append(due_block, (who.clone(), market))
				.map_err(|_| Error::<T>::OrderQueueFull)?;
		}
		Accounts::<T>::insert(&who, account);
		Self::deposit_event(Event::OrderPlaced {
			who,
			market,
			action,
			limit_price,
			round,
			due_block,
			expires_round,
			reserved,
			replaced: replaced.is_some(),
		});
		Ok(Some(T::WeightInfo::place_order(positions.max(1))).into())
	}

	/// Executes the orders due in block `now`, in the order they were placed; returns their
	/// weight: the batch of that many orders of one-position accounts (the queue read once),
	/// plus for each order what its account's further positions add.
	pub(crate) fn execute_due_orders(now: BlockNumber) -> Weight {
		let due = OrderQueue::<T>::take(now);
		let count: u32 = due.len().saturated_into();
		if count == 0 {
			return T::DbWeight::get().reads(1);
		}
		let one = T::WeightInfo::execute_order(1);
		let paused = T::OrderPlacementPaused::get();
		due.into_iter().fold(T::WeightInfo::execute_orders(count), |weight, (who, market)| {
			let positions = Self::execute_order(&who, market, now, paused);
			let extra = T::WeightInfo::execute_order(positions.max(1)).saturating_sub(one);
			weight.saturating_add(extra)
		})
	}

	/// Executes `who`'s order in `market` if it is due in block `now`: fills it at the newest
	/// median when that is from a round after the order's, or lets it wait a round, or removes
	/// it with the reason (while order placement is `paused`, an order that would add to its
	/// position). Returns the positions the account held (what the weight depends on).
	fn execute_order(who: &T::AccountId, market: MarketId, now: BlockNumber, paused: bool) -> u32 {
		let Some(mut account) = Accounts::<T>::get(who) else { return 0 };
		let positions: u32 = account.positions.len().saturated_into();
		if account.order(market).is_none_or(|order| order.due_block != now) {
			return positions;
		}
		let Some(order) = account.take_order(market) else { return positions };
		let fresh = T::Prices::price_info(market).is_some_and(|p| p.round > order.round);
		if !fresh {
			// The median of this round's submissions is the next chance.
			let round = T::Prices::current_round();
			let reason = if round > order.expires_round {
				Error::<T>::OrderExpired
			} else {
				let next = now.saturating_add(T::OracleRoundLength::get());
				let waiting = PendingOrder { due_block: next, ..order };
				if OrderQueue::<T>::try_append(next, (who.clone(), market)).is_ok()
					&& account.orders.try_push(waiting).is_ok()
				{
					Accounts::<T>::insert(who, account);
					return positions;
				}
				Error::<T>::OrderQueueFull
			};
			Self::cancel_order(who, account, &order, reason.into());
			return positions;
		}
		let delta: Result<SignedSize, DispatchError> = match order.action {
			OrderAction::Trade(delta) => Ok(delta),
			OrderAction::Close => {
				let size = account.size_in(market);
				if size.is_zero() {
					Err(Error::<T>::NoPosition.into())
				} else {
					size.into_inner()
						.checked_neg()
						.map(FixedI128::from_inner)
						.ok_or(Error::<T>::Overflow.into())
				}
			},
		};
		let size = account.size_in(market);
		let delta = delta.and_then(|delta| {
			if paused && math::adds_exposure(size, delta) {
				Err(Error::<T>::OrderPlacementPaused.into())
			} else {
				Ok(delta)
			}
		});
		let filled = delta.and_then(|delta| {
			Self::do_trade(
				who,
				account.clone(),
				market,
				delta,
				Some(order.limit_price),
				order.round,
			)
		});
		match filled {
			Ok(traded) => traded,
			Err(reason) => {
				Self::cancel_order(who, account, &order, reason);
				positions
			},
		}
	}

	/// Stores `account` without `order` (already taken out of it) and says why.
	fn cancel_order(
		who: &T::AccountId,
		account: MarginAccount<T::MaxPositions>,
		order: &PendingOrder,
		reason: DispatchError,
	) {
		Self::store_account(who, account);
		Self::deposit_event(Event::OrderCancelled {
			who: who.clone(),
			market: order.market,
			round: order.round,
			reason,
		});
	}
}
