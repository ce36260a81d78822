//! The pallet's invariants (`try_state`).

use crate::*;

impl<T: Config> Pallet<T> {
	/// Checks the pallet's invariants.
	///
	/// ## Invariants
	///
	/// - Every operator's recorded bond equals its bUSD on hold for `OperatorBond`.
	/// - `TotalActiveBond` is the sum of active operators' bonds.
	/// - At most `MaxOperators` operators and `MaxMarkets` markets; `NextMarketId` is above
	///   every market id.
	/// - Submissions and prices exist only for listed markets, and come from operators; each
	///   price carries its market's `max_price_age`.
	/// - Early submissions (for the next round) exist only in a round's last block, each with
	///   its operator's record in `EarlySubmitters`.
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		let mut active_total: Balance = 0;
		for (operator, info) in Operators::<T>::iter() {
			let held = T::Currency::balance_on_hold(&HoldReason::OperatorBond.into(), &operator);
			ensure!(held == info.bond, "held bond differs from the recorded bond");
			if info.is_active() {
				active_total = active_total.saturating_add(info.bond);
			}
		}
		ensure!(
			active_total == TotalActiveBond::<T>::get(),
			"TotalActiveBond is not the sum of active bonds"
		);
		ensure!(Operators::<T>::count() <= T::MaxOperators::get(), "too many operators");
		ensure!(Markets::<T>::count() <= T::MaxMarkets::get(), "too many markets");
		let next = NextMarketId::<T>::get();
		for (market, _) in Markets::<T>::iter() {
			ensure!(market < next, "a market id is not below NextMarketId");
		}
		for (market, entries) in RoundSubmissions::<T>::iter() {
			ensure!(Markets::<T>::contains_key(market), "submissions for an unknown market");
			for (operator, _, _) in entries {
				ensure!(
					Operators::<T>::contains_key(&operator),
					"a submission from a non-operator"
				);
			}
		}
		let last_block = Self::blocks_left_in_round() == 1;
		ensure!(
			last_block || EarlySubmitters::<T>::count() == 0,
			"early submitters outside a round's last block"
		);
		for (market, entries) in EarlySubmissions::<T>::iter() {
			ensure!(last_block, "early submissions outside a round's last block");
			ensure!(Markets::<T>::contains_key(market), "early submissions for an unknown market");
			for (operator, _, _) in entries {
				ensure!(
					EarlySubmitters::<T>::contains_key(&operator)
						&& Operators::<T>::contains_key(&operator),
					"an early submission from a non-operator or without its record"
				);
			}
		}
		for (market, state) in Prices::<T>::iter() {
			let info = Markets::<T>::get(market).ok_or("a price for an unknown market")?;
			ensure!(
				state.max_price_age == info.params.max_price_age,
				"a price's max_price_age differs from its market's"
			);
			if let Some((_, confirmations)) = state.halt.and_then(|h| h.candidate) {
				ensure!(confirmations >= 1, "a halted market's candidate has no confirmation");
			}
		}
		for (operator, markets) in OperatorMarkets::<T>::iter() {
			ensure!(Operators::<T>::contains_key(&operator), "served markets of a non-operator");
			ensure!(!markets.is_empty(), "an empty served-markets declaration");
			for market in markets.iter() {
				ensure!(Markets::<T>::contains_key(market), "an operator serves an unknown market");
			}
		}
		Ok(())
	}
}
