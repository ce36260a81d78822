//! Option premiums and payouts through margin collateral ([`CollateralLedger`]): an escrow for
//! pending orders and the per-market unsettled balances, all ledgers on the custody account, so
//! that no bUSD moves per trade and `try_state`'s custody invariant covers them.

use crate::*;
use bulwark_primitives::CollateralLedger;

impl<T: Config> CollateralLedger<T::AccountId> for Pallet<T> {
	fn escrow(who: &T::AccountId, amount: Balance) -> DispatchResult {
		ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
		let mut account = Accounts::<T>::get(who).ok_or(Error::<T>::NoAccount)?;
		account.collateral =
			account.collateral.checked_sub(amount).ok_or(Error::<T>::InsufficientCollateral)?;
		Self::ensure_margin_left(&account)?;
		let escrowed = Escrowed::<T>::get().checked_add(amount).ok_or(Error::<T>::Overflow)?;
		Escrowed::<T>::put(escrowed);
		Self::store_account(who, account);
		Ok(())
	}

	fn release(
		who: &T::AccountId,
		market: MarketId,
		escrowed: Balance,
		to_vault: Balance,
		to_insurance: Balance,
	) -> DispatchResult {
		let refund = escrowed
			.checked_sub(to_vault)
			.and_then(|left| left.checked_sub(to_insurance))
			.ok_or(Error::<T>::InsufficientCollateral)?;
		let total = Escrowed::<T>::get().checked_sub(escrowed).ok_or(Error::<T>::Overflow)?;
		let mut info = Markets::<T>::get(market).ok_or(Error::<T>::MarketNotEnabled)?;
		info.vault_balance =
			info.vault_balance.checked_add(Self::signed(to_vault)?).ok_or(Error::<T>::Overflow)?;
		info.insurance_balance =
			info.insurance_balance.checked_add(to_insurance).ok_or(Error::<T>::Overflow)?;
		let mut account = Accounts::<T>::get(who).unwrap_or_default();
		account.collateral = account.collateral.checked_add(refund).ok_or(Error::<T>::Overflow)?;
		Escrowed::<T>::put(total);
		Markets::<T>::insert(market, info);
		Self::store_account(who, account);
		Ok(())
	}

	fn pay_from_vault(
		who: &T::AccountId,
		market: MarketId,
		amount: Balance,
		to_insurance: Balance,
	) -> DispatchResult {
		let owed = amount.checked_add(to_insurance).ok_or(Error::<T>::Overflow)?;
		let mut info = Markets::<T>::get(market).ok_or(Error::<T>::MarketNotEnabled)?;
		info.vault_balance =
			info.vault_balance.checked_sub(Self::signed(owed)?).ok_or(Error::<T>::Overflow)?;
		info.insurance_balance =
			info.insurance_balance.checked_add(to_insurance).ok_or(Error::<T>::Overflow)?;
		let mut account = Accounts::<T>::get(who).unwrap_or_default();
		account.collateral = account.collateral.checked_add(amount).ok_or(Error::<T>::Overflow)?;
		Markets::<T>::insert(market, info);
		Self::store_account(who, account);
		Ok(())
	}

	fn total_escrowed() -> Balance {
		Escrowed::<T>::get()
	}
}
