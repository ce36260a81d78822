//! The pallet's invariants, checked by `try_state` and after every test.

use crate::*;

impl<T: Config> Pallet<T> {
	/// Invariants: custody backs every ledger 1:1, the aggregates are the sums over positions,
	/// parameters are within bounds, accounts hold at most one non-zero position per enabled
	/// market; every pending order (at most one per market, due after this block) has exactly
	/// one entry in the queue of its due block, and every queue entry is a pending order.
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		use alloc::collections::{btree_map::BTreeMap, btree_set::BTreeSet};
		let enabled = EnabledMarkets::<T>::get();
		let mut sums: BTreeMap<MarketId, MarketAggregates> = BTreeMap::new();
		let mut ledger: i128 = 0;
		let now = Self::now();
		let mut queued: BTreeSet<(BlockNumber, T::AccountId, MarketId)> = BTreeSet::new();
		for (due, entries) in OrderQueue::<T>::iter() {
			ensure!(due > now, "orders queued for a block that has passed");
			for (who, market) in entries {
				ensure!(queued.insert((due, who, market)), "an order is queued twice");
			}
		}
		for (who, account) in Accounts::<T>::iter() {
			ensure!(!account.is_empty(), "an empty account is stored");
			for (i, order) in account.orders.iter().enumerate() {
				ensure!(
					account.orders.iter().skip(i + 1).all(|o| o.market != order.market),
					"two orders in one market"
				);
				ensure!(
					queued.remove(&(order.due_block, who.clone(), order.market)),
					"a pending order is not queued for its due block"
				);
			}
			ledger =
				ledger.saturating_add(Self::signed(account.collateral).map_err(|_| "overflow")?);
			for (i, position) in account.positions.iter().enumerate() {
				ensure!(!position.size.is_zero(), "a zero position is stored");
				ensure!(
					account.positions.iter().skip(i + 1).all(|p| p.market != position.market),
					"two positions in one market"
				);
				let sum = sums.entry(position.market).or_default();
				*sum = math::aggregate_add(
					*sum,
					position.size,
					position.entry_price,
					position.entry_index,
				)
				.ok_or("aggregate overflow")?;
			}
		}
		let mut count = 0usize;
		for (market, info) in Markets::<T>::iter() {
			count += 1;
			ensure!(enabled.contains(&market), "a market missing from the enabled list");
			ensure!(info.params.validate(), "market parameters out of bounds");
			ensure!(
				info.aggregates == sums.remove(&market).unwrap_or_default(),
				"market aggregates differ from the sum over positions"
			);
			ledger = ledger
				.saturating_add(info.vault_balance)
				.saturating_add(Self::signed(info.insurance_balance).map_err(|_| "overflow")?);
		}
		ledger = ledger.saturating_add(Self::signed(Escrowed::<T>::get()).map_err(|_| "overflow")?);
		ensure!(count == enabled.len(), "an enabled market without state");
		ensure!(sums.is_empty(), "a position in a market not enabled");
		ensure!(queued.is_empty(), "a queued order is not pending");
		let custody = T::Currency::balance(&Self::custody_account());
		let backed = Self::signed(custody.saturating_sub(T::Currency::minimum_balance()))
			.map_err(|_| "overflow")?;
		ensure!(
			custody.is_zero() && ledger == 0 || backed >= ledger,
			"custody does not back collateral and unsettled balances"
		);
		Ok(())
	}
}
