//! Closing a round: the bond-weighted medians and quorums, the circuit breaker, EMA and
//! volatility, deviation and liveness offences.

use crate::*;

impl<T: Config> Pallet<T> {
	/// Closes `round`: aggregates every market's submissions, reports at most one deviation
	/// per operator (its largest), and checks operator liveness. Returns the number of
	/// offences reported.
	pub(crate) fn aggregate(round: RoundIndex, now: BlockNumber) -> u32 {
		let min_bond = OperatorRules::<T>::get().min_bond;
		// Read the operator set once: bonds weigh the medians and quorums, and the same entries
		// are then checked for liveness.
		let operators: Vec<(T::AccountId, OperatorInfo)> = Operators::<T>::iter().collect();
		let mut counted: BTreeMap<&T::AccountId, (Balance, ServedMarkets<T>)> = BTreeMap::new();
		for (operator, info) in operators.iter() {
			if info.counts_in(round, min_bond) {
				counted.insert(operator, (info.bond, OperatorMarkets::<T>::get(operator)));
			}
		}
		// Each operator's largest deviation of the round: (market, deviation).
		let mut deviations: BTreeMap<T::AccountId, (MarketId, Perbill)> = BTreeMap::new();
		for (market, info) in Markets::<T>::iter() {
			// The bond expected for this market: operators that count and serve it.
			let mut expected = counted
				.values()
				.filter(|(_, served)| served.as_ref().is_none_or(|s| s.contains(&market)))
				.fold(0u128, |acc, (bond, _)| acc.saturating_add(*bond));
			let submissions = RoundSubmissions::<T>::take(market);
			let early = EarlySubmissions::<T>::take(market);
			if !early.is_empty() {
				RoundSubmissions::<T>::insert(market, early);
			}
			let mut weighted: Vec<(Price, Balance)> = Vec::with_capacity(submissions.len());
			let mut submitters: Vec<(T::AccountId, Price)> = Vec::with_capacity(submissions.len());
			for (operator, price, bond_at_submission) in submissions.into_iter() {
				// Operators that left, fell below the minimum bond or stopped serving the market
				// since submitting weigh nothing (the expected bond no longer counts them
				// either); a bond weighs what it was at submission, or less if slashed since.
				let Some((bond, served)) = counted.get(&operator) else { continue };
				if served.as_ref().is_some_and(|s| !s.contains(&market)) {
					continue;
				}
				let weight = (*bond).min(bond_at_submission);
				// A top-up after submitting raises neither the weight nor the expected bond.
				expected = expected.saturating_sub(bond.saturating_sub(weight));
				weighted.push((price, weight));
				submitters.push((operator, price));
			}
			let submitted_bond = weighted.iter().fold(0u128, |acc, (_, w)| acc.saturating_add(*w));
			let Some(median) = Self::aggregate_market(
				market,
				&info.params,
				round,
				now,
				expected,
				submitted_bond,
				&mut weighted,
			) else {
				continue;
			};
			// An exact half of the weight at or below the median is a tie between two sides:
			// the lower median is a submitted price, but nobody can be judged off it.
			let at_or_below = weighted
				.iter()
				.filter(|(price, _)| *price <= median)
				.fold(0u128, |acc, (_, w)| acc.saturating_add(*w));
			if at_or_below.saturating_mul(2) == submitted_bond {
				continue;
			}
			for (operator, price) in submitters {
				let deviation = math::relative_deviation(price, median);
				if deviation <= info.params.deviation_threshold {
					continue;
				}
				let larger = deviations.get(&operator).is_none_or(|(other, largest)| {
					deviation > *largest || (deviation == *largest && market < *other)
				});
				if larger {
					deviations.insert(operator, (market, deviation));
				}
			}
		}
		let mut reports: u32 = 0;
		for (operator, (market, deviation)) in deviations {
			Self::report(OffenceKind::OracleDeviation { operator, market, round, deviation });
			reports = reports.saturating_add(1);
		}
		reports.saturating_add(Self::check_liveness(round, operators))
	}

	/// Aggregates one market's weighted submissions (`bond`: their total weight); returns the
	/// median if a quorum formed.
	fn aggregate_market(
		market: MarketId,
		params: &OracleParams,
		round: RoundIndex,
		now: BlockNumber,
		expected_bond: Balance,
		bond: Balance,
		weighted: &mut [(Price, Balance)],
	) -> Option<Price> {
		let count: u32 = weighted.len().saturated_into();
		let quorum = count >= params.min_submissions
			&& !bond.is_zero()
			&& bond >= params.min_bond_share.mul_ceil(expected_bond);
		let median = if quorum { math::weighted_median(weighted) } else { None };
		let Some(median) = median else {
			let previous = Prices::<T>::get(market);
			if count > 0 || previous.is_some() {
				Self::deposit_event(Event::NoQuorum { market, round, submissions: count, bond });
			}
			// A round without quorum breaks a halted market's run of confirming rounds.
			if let Some(mut state) = previous {
				if let Some(halt) = state.halt.as_mut().filter(|h| h.candidate.is_some()) {
					halt.candidate = None;
					Prices::<T>::insert(market, state);
				}
			}
			return None;
		};

		let state = match Prices::<T>::get(market) {
			None => {
				let variance = params.initial_volatility.saturating_mul(params.initial_volatility);
				PriceState {
					price: median,
					ema_price: median,
					variance,
					volatility: params.initial_volatility,
					updated_at: now,
					round,
					halt: None,
					max_price_age: params.max_price_age,
				}
			},
			Some(prev) => Self::next_state(market, params, prev, median, round, now),
		};
		Prices::<T>::insert(market, state);
		Self::deposit_event(Event::PriceAggregated {
			market,
			round,
			price: state.price,
			ema_price: state.ema_price,
			volatility: state.volatility,
			submissions: count,
		});
		Some(median)
	}

	/// The price state after a new quorum median: volatility, breaker and EMA.
	///
	/// ```text
	/// Active: |median - ema| / ema > max_price_jump -> Halted (EMA frozen at its pre-halt value)
	///         else ema += alpha (median - ema)
	/// Halted, before the cooldown ends: stays Halted, nothing counts as confirmation
	/// Halted, after:  |median - pre-halt ema| <= max_price_jump -> Active, ema = median
	///                 else the median confirms the candidate level (within
	///                 deviation_threshold) or starts a new one; confirm_rounds consecutive
	///                 quorum rounds on one level -> awaits the risk origin's `resume_market`
	///                 (Active, ema = median): operators that could resume at any level they
	///                 confirm could move the price by more than one `max_price_jump`
	/// ```
	fn next_state(
		market: MarketId,
		params: &OracleParams,
		prev: PriceState,
		median: Price,
		round: RoundIndex,
		now: BlockNumber,
	) -> PriceState {
		let mut next = prev;
		next.max_price_age = params.max_price_age;
		next.price = median;
		next.updated_at = now;
		next.round = round;
		match math::log_return(prev.price, median) {
			Some(r) => {
				let rounds = round.saturating_sub(prev.round);
				let sample = math::annualized_sample(r, rounds, Self::rounds_per_year());
				next.variance = math::ewma_variance(prev.variance, sample, params.volatility_decay);
				next.volatility = math::volatility(next.variance).unwrap_or(prev.volatility);
			},
			None => {
				log::warn!(target: LOG_TARGET, "market {market}: no log return from a zero price")
			},
		}

		let Some(mut halt) = prev.halt else {
			if math::relative_deviation(median, prev.ema_price) > params.max_price_jump {
				let until = now.saturating_add(params.breaker_cooldown);
				next.halt = Some(Halt { cooldown_until: until, candidate: None });
				Self::deposit_event(Event::CircuitBreakerTripped {
					market,
					price: median,
					ema_price: prev.ema_price,
					until,
				});
			} else {
				next.ema_price = math::ema(prev.ema_price, median, params.ema_alpha);
			}
			return next;
		};
		if now < halt.cooldown_until {
			// Cooldown: the EMA stays at its pre-halt value and nothing is confirmed yet.
			return next;
		}
		let back_in_band =
			math::relative_deviation(median, prev.ema_price) <= params.max_price_jump;
		let (candidate, confirmations) = match halt.candidate {
			Some((level, n))
				if math::relative_deviation(median, level) <= params.deviation_threshold =>
			{
				(level, n.saturating_add(1))
			},
			_ => (median, 1),
		};
		if back_in_band {
			next.halt = None;
			next.ema_price = median;
			Self::deposit_event(Event::MarketResumed { market, price: median, confirmations: 0 });
		} else if confirmations >= params.confirm_rounds {
			// Confirmed, but beyond what one jump allows: the risk origin decides.
			halt.candidate = Some((candidate, confirmations));
			next.halt = Some(halt);
			Self::deposit_event(Event::ResumeAwaitsRiskOrigin { market, candidate, confirmations });
		} else {
			halt.candidate = Some((candidate, confirmations));
			next.halt = Some(halt);
			Self::deposit_event(Event::HaltedPriceUnconfirmed {
				market,
				price: median,
				candidate,
				confirmations,
			});
		}
		next
	}

	/// Counts missed rounds of operators expected in `round`; reports those reaching the
	/// governed `max_missed_rounds`. A round is missed unless the operator submitted a price
	/// for every market it serves. Then records the early submissions for the next round
	/// ([`EarlySubmitters`]), which now belong to the open round.
	fn check_liveness(round: RoundIndex, operators: Vec<(T::AccountId, OperatorInfo)>) -> u32 {
		let OperatorParams { min_bond, max_missed_rounds: max_missed } = OperatorRules::<T>::get();
		let early: BTreeMap<T::AccountId, bool> = EarlySubmitters::<T>::drain().collect();
		let next = round.saturating_add(1);
		let mut reports = Vec::new();
		for (operator, mut info) in operators {
			let mut changed = false;
			// Only operators that count are expected: one below a raised minimum bond cannot
			// submit, so it is not punished for not submitting.
			if info.counts_in(round, min_bond) && info.last_complete != Some(round) {
				info.missed_rounds = info.missed_rounds.saturating_add(1);
				if info.missed_rounds >= max_missed {
					reports.push((operator.clone(), info.missed_rounds));
					info.missed_rounds = 0;
				}
				changed = true;
			}
			if early.get(&operator) == Some(&true) {
				info.last_complete = Some(next);
				info.missed_rounds = 0;
				changed = true;
			}
			if changed {
				Operators::<T>::insert(&operator, info);
			}
		}
		let count = reports.len().saturated_into();
		for (operator, missed) in reports {
			Self::report(OffenceKind::OracleLiveness { operator, missed });
		}
		count
	}

	fn report(offence: OffenceKind<T::AccountId>) {
		match T::OffenceReporter::report_offence(None, offence.clone()) {
			Ok(()) => Self::deposit_event(Event::OffenceReported { offence }),
			Err(e) => log::warn!(target: LOG_TARGET, "offence report refused: {e:?}"),
		}
	}
}
