//! Operator bonds as slashable stake, for the slashing pallet.

use crate::*;

/// Operator bonds are slashable; the slashing pallet calls this when a deferred slash applies.
impl<T: Config> Slashable<T::AccountId, T::AccountId> for Pallet<T> {
	fn slashable_balance(operator: &T::AccountId) -> Balance {
		Operators::<T>::get(operator).map_or(0, |o| o.bond)
	}

	fn unbonding_period() -> BlockNumber {
		T::UnbondingPeriod::get()
	}

	fn slash(
		operator: &T::AccountId,
		fraction: Perbill,
		beneficiary: &T::AccountId,
	) -> Result<Balance, DispatchError> {
		let mut info = Operators::<T>::get(operator).ok_or(Error::<T>::NotOperator)?;
		let amount = fraction.mul_floor(info.bond);
		if amount.is_zero() {
			return Ok(0);
		}
		let moved = T::Currency::transfer_on_hold(
			&HoldReason::OperatorBond.into(),
			operator,
			beneficiary,
			amount,
			Precision::BestEffort,
			Restriction::Free,
			Fortitude::Force,
		)?;
		info.bond = info.bond.saturating_sub(moved);
		let mut deactivated = None;
		if info.is_active() {
			TotalActiveBond::<T>::mutate(|total| *total = total.saturating_sub(moved));
			if info.bond < OperatorRules::<T>::get().min_bond {
				// Slashed out: no free submissions, no slot in the quorum; the rest of the bond
				// stays slashable while it unbonds.
				let unlocks_at = Self::now().saturating_add(T::UnbondingPeriod::get());
				info.status = OperatorStatus::Unbonding { unlocks_at };
				TotalActiveBond::<T>::mutate(|total| *total = total.saturating_sub(info.bond));
				deactivated = Some(unlocks_at);
			}
		}
		let bond = info.bond;
		Operators::<T>::insert(operator, info);
		Self::deposit_event(Event::BondSlashed {
			operator: operator.clone(),
			amount: moved,
			beneficiary: beneficiary.clone(),
		});
		if let Some(unlocks_at) = deactivated {
			Self::deposit_event(Event::OperatorDeactivated {
				operator: operator.clone(),
				bond,
				unlocks_at,
			});
		}
		Ok(moved)
	}
}
