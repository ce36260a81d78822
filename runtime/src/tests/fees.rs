//! Block space and fees: oracle submissions cannot be crowded out by normal-class traffic, and
//! fees rise with block fullness.

use super::{acc, dev_ext};
use crate::{Runtime, RuntimeCall};
use bulwark_primitives::Price;
use frame_support::traits::Get as _;
use frame_support::{
	assert_err, assert_ok,
	dispatch::{DispatchClass, GetDispatchInfo},
};
use frame_system::CheckWeight;
use pallet_transaction_payment::Multiplier;
use sp_keyring::Sr25519Keyring::Bob;
use sp_runtime::{
	traits::{Convert, One},
	transaction_validity::InvalidTransaction,
};

fn oracle_submission() -> RuntimeCall {
	RuntimeCall::Oracle(pallet_bulwark_oracle::Call::submit {
		round: 1,
		prices: vec![(0, Price::from_u32(100))].try_into().unwrap(),
	})
}

fn transfer() -> RuntimeCall {
	RuntimeCall::Busd(pallet_balances::Call::transfer_keep_alive {
		dest: acc(Bob).into(),
		value: 1_000_000,
	})
}

/// Fills the normal class of the current block to its limit.
fn fill_normal_class() {
	let limits: frame_system::limits::BlockWeights =
		<Runtime as frame_system::Config>::BlockWeights::get();
	let normal_max = limits.get(DispatchClass::Normal).max_total.expect("normal has a limit");
	frame_system::BlockWeight::<Runtime>::mutate(|weight| {
		weight.set(normal_max, DispatchClass::Normal)
	});
}

#[test]
fn with_normal_class_space_full_an_oracle_submission_still_fits() {
	dev_ext().execute_with(|| {
		// Review case: feeds were normal-class transactions at a constant fee, so spam filling
		// blocks pushed honest operators into liveness slashes.
		let submission = oracle_submission().get_dispatch_info();
		let spam = transfer().get_dispatch_info();
		assert_eq!(submission.class, DispatchClass::Operational);
		assert_eq!(spam.class, DispatchClass::Normal);
		fill_normal_class();
		let len = 100;
		let (_, next_len) = CheckWeight::<Runtime>::do_validate(&spam, len).unwrap();
		assert_err!(
			CheckWeight::<Runtime>::do_prepare(&spam, len, next_len),
			InvalidTransaction::ExhaustsResources
		);
		let (_, next_len) = CheckWeight::<Runtime>::do_validate(&submission, len).unwrap();
		assert_ok!(CheckWeight::<Runtime>::do_prepare(&submission, len, next_len));
	});
}

#[test]
fn fees_rise_while_blocks_are_full_and_fall_back_to_the_base_while_they_are_empty() {
	dev_ext().execute_with(|| {
		type Update = <Runtime as pallet_transaction_payment::Config>::FeeMultiplierUpdate;
		let one = Multiplier::one();
		fill_normal_class();
		let after_full = Update::convert(one);
		assert!(after_full > one, "a full block raises fees: {after_full:?}");
		// Ten full blocks compound.
		let mut multiplier = one;
		for _ in 0..10 {
			multiplier = Update::convert(multiplier);
		}
		assert!(multiplier > after_full);
		frame_system::BlockWeight::<Runtime>::kill();
		let after_empty = Update::convert(multiplier);
		assert!(after_empty < multiplier, "an empty block lowers fees: {after_empty:?}");
		// Never below the base fee: an idle chain does not make spam cheaper.
		assert_eq!(Update::convert(one), one);
	});
}

#[test]
fn the_runtime_refuses_an_invalid_oracle_submission_before_the_pool() {
	use frame_support::pallet_prelude::TransactionSource;
	use sp_runtime::traits::DispatchTransaction;
	dev_ext().execute_with(|| {
		// Bob is no operator: his submission would fail, so it is not a valid transaction at
		// all and cannot take operational block space.
		let call = oracle_submission();
		let info = call.get_dispatch_info();
		let refused = pallet_bulwark_oracle::CheckOracleSubmission::<Runtime>::new().validate_only(
			crate::RuntimeOrigin::signed(acc(Bob)),
			&call,
			&info,
			100,
			TransactionSource::External,
			0,
		);
		assert!(matches!(
			refused,
			Err(sp_runtime::transaction_validity::TransactionValidityError::Invalid(
				InvalidTransaction::Custom(_)
			))
		));
		// A transfer is no business of the extension.
		let transfer = transfer();
		let passed = pallet_bulwark_oracle::CheckOracleSubmission::<Runtime>::new().validate_only(
			crate::RuntimeOrigin::signed(acc(Bob)),
			&transfer,
			&transfer.get_dispatch_info(),
			100,
			TransactionSource::External,
			0,
		);
		assert!(passed.is_ok());
	});
}

#[test]
fn stuffing_a_block_with_bytes_costs_real_money() {
	dev_ext().execute_with(|| {
		// Review case: a signed account padded an operational Root-only call (refused at dispatch,
		// but included) to 3.8 MiB. Its length counts against the normal class's 3.75 MiB, so it
		// shut every liquidation out of the block, for 0.00012 BWK at one planck a byte.
		let call = RuntimeCall::System(frame_system::Call::set_storage { items: vec![] });
		let info = call.get_dispatch_info();
		assert_eq!(info.class, DispatchClass::Operational);
		let fee = pallet_transaction_payment::Pallet::<Runtime>::compute_fee(3_800_000, &info, 0);
		assert!(fee >= 35 * crate::BWK, "stuffing one block costs {fee}");
		// An ordinary transfer stays cheap.
		let transfer_fee = pallet_transaction_payment::Pallet::<Runtime>::compute_fee(
			150,
			&transfer().get_dispatch_info(),
			0,
		);
		assert!(transfer_fee <= crate::BWK / 100, "a transfer costs {transfer_fee}");
	});
}

/// The priority the pool gives `call` from `who` with `tip`, through every transaction
/// extension of the runtime (the fee charger's and the oracle's add up).
fn pool_priority(
	who: sp_keyring::Sr25519Keyring,
	call: &RuntimeCall,
	tip: crate::Balance,
) -> sp_runtime::transaction_validity::TransactionPriority {
	use codec::Encode;
	use frame_support::pallet_prelude::TransactionSource;
	use sp_runtime::{generic::Era, traits::DispatchTransaction};
	let extensions: crate::TxExtension = (
		frame_system::CheckNonZeroSender::new(),
		frame_system::CheckSpecVersion::new(),
		frame_system::CheckTxVersion::new(),
		frame_system::CheckGenesis::new(),
		frame_system::CheckEra::from(Era::Immortal),
		frame_system::CheckNonce::from(frame_system::Pallet::<Runtime>::account_nonce(acc(who))),
		CheckWeight::new(),
		pallet_bulwark_oracle::CheckOracleSubmission::new(),
		pallet_transaction_payment::ChargeTransactionPayment::from(tip),
		frame_metadata_hash_extension::CheckMetadataHash::new(false),
		frame_system::WeightReclaim::new(),
	);
	let len = call.encoded_size() + 110;
	extensions
		.validate_only(
			crate::RuntimeOrigin::signed(acc(who)),
			call,
			&call.get_dispatch_info(),
			len,
			TransactionSource::External,
			0,
		)
		.expect("a valid transaction")
		.0
		.priority
}

#[test]
fn item_1_the_pool_orders_an_oracle_submission_before_tipped_normal_traffic() {
	dev_ext().execute_with(|| {
		// Issue 29, item 1: the submission's priority came only from the fee charger's
		// `Operational` virtual tip (about 3.5e13), which a transfer outbids with a tip of a few
		// BWK; with a pool fuller than a block, the author's block ends before it reaches the
		// feeds. The oracle's extension now gives feeds the largest priority.
		let length: u32 = crate::configs::bulwark::OracleRoundLength::get();
		super::orders::register_btc_operators(10_000 * crate::BUSD);
		super::run_to(2 * length);
		let submission = RuntimeCall::Oracle(pallet_bulwark_oracle::Call::submit {
			round: crate::Oracle::current_round(),
			prices: vec![(0, Price::from_u32(100))].try_into().unwrap(),
		});
		let feed = pool_priority(sp_keyring::Sr25519Keyring::Alice, &submission, 0);
		assert_eq!(feed, u64::MAX);
		let untipped = pool_priority(sp_keyring::Sr25519Keyring::Dave, &transfer(), 0);
		assert!(untipped < feed);
		// The smallest power-of-ten tip with which a transfer ties (never passes) a feed; at a
		// tie the pool takes the transaction that expires first, and a feed lives at most to the
		// end of its round (a mortal era lives at least 4 blocks).
		let mut tip: crate::Balance = 1;
		while pool_priority(sp_keyring::Sr25519Keyring::Dave, &transfer(), tip) < feed {
			tip = tip.saturating_mul(10);
		}
		println!("a transfer ties a feed's priority with a tip of {} BWK", tip / crate::BWK);
		assert!(tip >= 1_000 * crate::BWK, "tie at {tip}");
	});
}
