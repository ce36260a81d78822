//! [`CheckOracleSubmission`]: a transaction extension that refuses an invalid oracle submission
//! before it enters the transaction pool or a block.
//!
//! A valid `submit` is `Operational` and free, and the pool orders it first
//! ([`Config::SubmissionPriority`](crate::Config::SubmissionPriority)), so it cannot be crowded out
//! of a block. A submission for the next round is valid in the current round's last block, so a
//! busy pool that still checks against the block before the head the feeder saw keeps it. Without
//! this check an invalid one (from a non-operator, for the wrong round, a second one in a round)
//! would still be `Operational`: it would fail and pay a fee, but it could use the operational
//! share of the block that honest feeds rely on. With it, only submissions that would succeed
//! are valid transactions, one per operator and round (the pool deduplicates by the tag
//! `(operator, round)`), and they live no longer than their round.

use crate::{Call, Config, Pallet};
use codec::{Decode, DecodeWithMemTracking, Encode};
use core::marker::PhantomData;
use frame_support::{
	dispatch::DispatchInfo,
	pallet_prelude::TransactionSource,
	traits::{Get, IsSubType},
};
use scale_info::TypeInfo;
use sp_runtime::{
	traits::{
		AsSystemOriginSigner, DispatchInfoOf, Dispatchable, TransactionExtension, ValidateResult,
	},
	transaction_validity::{InvalidTransaction, ValidTransaction},
	SaturatedConversion,
};

/// Refuses `Oracle::submit` transactions that would fail. Add it to the runtime's transaction
/// extensions; it carries no data.
#[derive(Encode, Decode, DecodeWithMemTracking, Clone, Eq, PartialEq, TypeInfo)]
#[scale_info(skip_type_params(T))]
pub struct CheckOracleSubmission<T>(PhantomData<T>);

impl<T> CheckOracleSubmission<T> {
	/// The extension (it has no data).
	pub fn new() -> Self {
		Self(PhantomData)
	}
}

impl<T> Default for CheckOracleSubmission<T> {
	fn default() -> Self {
		Self::new()
	}
}

impl<T> core::fmt::Debug for CheckOracleSubmission<T> {
	fn fmt(&self, f: &mut core::fmt::Formatter) -> core::fmt::Result {
		write!(f, "CheckOracleSubmission")
	}
}

impl<T: Config + Send + Sync> TransactionExtension<T::RuntimeCall> for CheckOracleSubmission<T>
where
	T::RuntimeCall: Dispatchable<Info = DispatchInfo> + IsSubType<Call<T>>,
	<T::RuntimeCall as Dispatchable>::RuntimeOrigin: AsSystemOriginSigner<T::AccountId> + Clone,
{
	const IDENTIFIER: &'static str = "CheckOracleSubmission";
	type Implicit = ();
	type Val = ();
	type Pre = ();

	/// The checks read what `submit` reads: its benchmarked weight bounds them (an
	/// overestimate, never short). Other calls cost nothing here.
	fn weight(&self, call: &T::RuntimeCall) -> frame_support::weights::Weight {
		use crate::WeightInfo;
		match call.is_sub_type() {
			Some(Call::submit { prices, .. }) => {
				T::WeightInfo::submit(prices.len().saturated_into())
			},
			_ => frame_support::weights::Weight::zero(),
		}
	}

	fn validate(
		&self,
		origin: <T::RuntimeCall as Dispatchable>::RuntimeOrigin,
		call: &T::RuntimeCall,
		_info: &DispatchInfoOf<T::RuntimeCall>,
		_len: usize,
		_self_implicit: Self::Implicit,
		_inherited_implication: &impl Encode,
		_source: TransactionSource,
	) -> ValidateResult<Self::Val, T::RuntimeCall> {
		let Some(Call::submit { round, prices }) = call.is_sub_type() else {
			return Ok((ValidTransaction::default(), (), origin));
		};
		// An unsigned origin fails in the call itself (`BadOrigin`); nothing to add here.
		let Some(who) = origin.as_system_origin_signer() else {
			return Ok((ValidTransaction::default(), (), origin));
		};
		if let Err(error) = Pallet::<T>::check_submission(who, *round, prices) {
			// The module error's index, so clients can tell why.
			let index = error.encode().first().copied().unwrap_or(u8::MAX);
			return Err(InvalidTransaction::Custom(index).into());
		}
		// A submission for the next round (in the current round's last block) lives through it.
		let mut longevity = Pallet::<T>::blocks_left_in_round();
		if Pallet::<T>::is_early(*round) {
			longevity = longevity.saturating_add(T::RoundLength::get());
		}
		let validity = ValidTransaction {
			priority: T::SubmissionPriority::get(),
			provides: alloc::vec![(b"oracle-submission", who, *round).encode()],
			longevity: longevity.into(),
			..ValidTransaction::default()
		};
		Ok((validity, (), origin))
	}

	sp_runtime::impl_tx_ext_default!(T::RuntimeCall; prepare);
}
