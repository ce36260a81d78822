//! The pallets whose benchmarks `bulwark-node benchmark pallet` runs against this runtime.

frame_benchmarking::define_benchmarks!(
	[frame_benchmarking, BaselineBench::<Runtime>]
	[frame_system, SystemBench::<Runtime>]
	[frame_system_extensions, SystemExtensionsBench::<Runtime>]
	[pallet_transaction_payment, TransactionPayment]
	[pallet_balances, Balances]
	[pallet_balances, Busd]
	[pallet_timestamp, Timestamp]
	[pallet_collective, Council]
	[pallet_staking, Staking]
	[pallet_bags_list, VoterList]
	[pallet_tx_pause, TxPause]
	[pallet_membership, CouncilMembership]
	[pallet_sudo, Sudo]
	[pallet_bulwark_oracle, Oracle]
	[pallet_bulwark_insurance, Insurance]
	[pallet_bulwark_vaults, Vaults]
	[pallet_bulwark_slashing, Slashing]
	[pallet_bulwark_margin, Margin]
	[pallet_bulwark_monitor, Monitor]
	[pallet_bulwark_options, Options]
);
