//! The pallet's helpers: submission checks, rounds, listing, and what it serves to other pallets
//! (`PriceFeed`, `OracleSecurity`, `MarketRegistry`) and to the runtime API.

use crate::*;

impl<T: Config> Pallet<T> {
	/// The checks of [`Call::submit`], shared with the [`CheckOracleSubmission`] transaction
	/// extension, which refuses an invalid submission before it enters the pool or a block.
	/// Returns the operator and its served markets.
	pub fn check_submission(
		who: &T::AccountId,
		round: RoundIndex,
		prices: &[(MarketId, Price)],
	) -> Result<(OperatorInfo, ServedMarkets<T>), Error<T>> {
		let info = Operators::<T>::get(who).ok_or(Error::<T>::NotOperator)?;
		ensure!(info.is_active(), Error::<T>::OperatorNotActive);
		ensure!(info.bond >= OperatorRules::<T>::get().min_bond, Error::<T>::BondTooLow);
		ensure!(Self::accepts_round(round), Error::<T>::WrongRound);
		ensure!(round >= info.active_since, Error::<T>::NotYetExpected);
		// Rounds are submitted in order: after an early submission for the next round, the
		// current one is closed to the operator.
		ensure!(info.last_submitted.is_none_or(|last| last < round), Error::<T>::AlreadySubmitted);
		ensure!(!prices.is_empty(), Error::<T>::EmptySubmission);
		let served = OperatorMarkets::<T>::get(who);
		let max_price = FixedU128::saturating_from_integer(MAX_PRICE_INTEGER);
		let mut seen = BTreeMap::new();
		for (market, price) in prices {
			ensure!(Markets::<T>::contains_key(market), Error::<T>::UnknownMarket);
			ensure!(
				served.as_ref().is_none_or(|served| served.contains(market)),
				Error::<T>::MarketNotServed
			);
			ensure!(seen.insert(*market, ()).is_none(), Error::<T>::DuplicateMarket);
			ensure!(!price.is_zero(), Error::<T>::ZeroPrice);
			ensure!(*price <= max_price, Error::<T>::AbsurdPrice);
		}
		Ok((info, served))
	}

	/// Whether a submission for `round` is on time: the current round, or the next one in the
	/// current round's last block (see [`EarlySubmissions`]).
	pub fn accepts_round(round: RoundIndex) -> bool {
		let current = Self::current_round();
		round == current
			|| (Some(round) == current.checked_add(1) && Self::blocks_left_in_round() == 1)
	}

	/// Whether `round` is after the current round.
	pub fn is_early(round: RoundIndex) -> bool {
		round > Self::current_round()
	}

	/// Blocks left in the current round, at least one.
	pub fn blocks_left_in_round() -> BlockNumber {
		let length = T::RoundLength::get().max(1);
		length.saturating_sub(Self::now() % length).max(1)
	}

	/// The current block number.
	pub fn now() -> BlockNumber {
		frame_system::Pallet::<T>::block_number().saturated_into()
	}

	/// The round the current block belongs to.
	pub fn current_round() -> RoundIndex {
		Self::now() / T::RoundLength::get().max(1)
	}

	/// The round closed at block `now`, if `now` starts a round.
	pub(crate) fn round_to_close(now: BlockNumber) -> Option<RoundIndex> {
		let length = T::RoundLength::get().max(1);
		now.is_multiple_of(length).then(|| now / length).and_then(|r| r.checked_sub(1))
	}

	/// Lists a market (also used by genesis).
	pub fn do_create_market(
		symbol: BoundedVec<u8, T::MaxSymbolLen>,
		decimals: u8,
		params: OracleParams,
	) -> Result<MarketId, DispatchError> {
		ensure!(params.validate(T::MaxOperators::get()), Error::<T>::InvalidParams);
		ensure!(Markets::<T>::count() < T::MaxMarkets::get(), Error::<T>::TooManyMarkets);
		let market = NextMarketId::<T>::get();
		let next = market.checked_add(1).ok_or(Error::<T>::TooManyMarkets)?;
		Markets::<T>::insert(market, MarketInfo { symbol: symbol.clone(), decimals, params });
		NextMarketId::<T>::put(next);
		Self::deposit_event(Event::MarketCreated {
			market,
			symbol: symbol.into_inner(),
			decimals,
			params,
		});
		Ok(market)
	}

	/// Rounds in a year, at least one.
	pub fn rounds_per_year() -> u32 {
		(T::BlocksPerYear::get() / T::RoundLength::get().max(1)).max(1)
	}

	/// The price info of `market` with its status as of now.
	pub fn price_info(market: MarketId) -> Option<PriceInfo> {
		// Prices exist only for listed markets (markets are never removed).
		let state = Prices::<T>::get(market)?;
		let status = state.status(Self::current_round(), state.max_price_age);
		Some(state.info(status))
	}

	/// Markets and their oracle parameters, for the runtime API.
	pub fn api_markets() -> Vec<(MarketId, Vec<u8>, u8, OracleParams)> {
		let mut markets: Vec<_> = Markets::<T>::iter()
			.map(|(id, info)| (id, info.symbol.into_inner(), info.decimals, info.params))
			.collect();
		markets.sort_by_key(|(id, ..)| *id);
		markets
	}

	/// Operators with their bonds and status, for the runtime API.
	pub fn api_operators() -> Vec<(T::AccountId, OperatorInfo)> {
		let mut operators: Vec<_> = Operators::<T>::iter().collect();
		operators.sort_by(|a, b| a.0.cmp(&b.0));
		operators
	}
}

impl<T: Config> MarketRegistry for Pallet<T> {
	fn market_exists(market: MarketId) -> bool {
		Markets::<T>::contains_key(market)
	}
}

/// The bond that controls a market's median is half the smallest quorum: a round aggregates
/// once operators holding `min_bond_share` of the counted bond submit, and the median is the
/// lower bond-weighted median (the first price where twice the cumulative bond reaches the
/// total submitted), so with the rest absent a coalition holding half of that quorum sets the
/// median by submitting below the others: a third of the counted bond at the default two
/// thirds. (An outsider would need as much as all of them.) At least the minimum operator bond,
/// without which nobody submits at all.
impl<T: Config> OracleSecurity for Pallet<T> {
	fn market_security() -> Vec<(MarketId, Balance, Perbill)> {
		let min_bond = OperatorRules::<T>::get().min_bond;
		let round = Self::current_round();
		let counted: Vec<(Balance, ServedMarkets<T>)> = Operators::<T>::iter()
			.filter(|(_, info)| info.counts_in(round, min_bond))
			.map(|(operator, info)| (info.bond, OperatorMarkets::<T>::get(&operator)))
			.collect();
		let mut markets: Vec<(MarketId, Balance, Perbill)> = Markets::<T>::iter()
			.map(|(market, info)| {
				let bond = counted
					.iter()
					.filter(|(_, served)| served.as_ref().is_none_or(|s| s.contains(&market)))
					.fold(0u128, |acc, (bond, _)| acc.saturating_add(*bond));
				let quorum = info.params.min_bond_share.mul_ceil(bond);
				(market, quorum.div_ceil(2).max(min_bond), info.params.max_price_jump)
			})
			.collect();
		markets.sort_by_key(|(market, ..)| *market);
		markets
	}
}

impl<T: Config> PriceFeed for Pallet<T> {
	fn price_info(market: MarketId) -> Option<PriceInfo> {
		Pallet::<T>::price_info(market)
	}

	fn current_round() -> RoundIndex {
		Pallet::<T>::current_round()
	}
}
