//! Tests of the security monitor: each ratio against reference values worked by hand, the
//! restriction and its hysteresis, the period, the consensus ACR's BWK price, governance.

use crate::{mock::*, Error, Event, MarketRatios, MonitorParams, Ratio, Ratios, Restricted};
use bulwark_primitives::{
	currency::{BUSD, BWK},
	MarketRestriction, MarketStatus,
};
use frame_support::{assert_noop, assert_ok};
use sp_runtime::{DispatchError, FixedU128, Perbill};

fn fixed(n: u128, d: u128) -> FixedU128 {
	FixedU128::from_rational(n, d)
}

fn ratios(market: u32) -> MarketRatios {
	Ratios::<Test>::get(market).expect("computed at a period")
}

mod ratios {
	use super::*;

	#[test]
	fn the_hook_recomputes_every_period_only() {
		ExtBuilder::new().build_and_execute(|| {
			set_open_interest(BTC, 10_000 * BUSD);
			run_to(PERIOD - 1);
			assert!(Ratios::<Test>::get(BTC).is_none());
			run_to(PERIOD);
			assert!(Ratios::<Test>::get(BTC).is_some());
			set_open_interest(BTC, 20_000 * BUSD);
			run_to(2 * PERIOD - 1);
			assert_eq!(ratios(BTC).oracle_acr, Some(fixed(3, 10)));
			run_to(2 * PERIOD);
			assert_eq!(ratios(BTC).oracle_acr, Some(fixed(15, 100)));
		});
	}

	#[test]
	fn each_ratio_matches_its_reference_value() {
		ExtBuilder::new().build_and_execute(|| {
			// Oracle: 3,000 bUSD of bonds x 10% slash = 300 over 10,000 x 10% jump = 1,000: 0.3.
			// Vault: 100,000 NAV over 10,000 open: 10.
			set_open_interest(BTC, 10_000 * BUSD);
			// Consensus: 90,000 BWK (one third) at 2 bUSD = 180,000 over 100,000 + 100,000
			// vault stake + 30,000 collateral + 10,000 + 10,000 insurance = 250,000: 0.72.
			OneThirdExposure::set(90_000 * BWK);
			set_bwk_price(FixedU128::from_u32(2), MarketStatus::Active);
			Collateral::set(30_000 * BUSD);
			InsuranceFunds::set([(BTC, 10_000 * BUSD)].into_iter().collect());
			GlobalFund::set(10_000 * BUSD);
			next_period();
			assert_eq!(
				ratios(BTC),
				MarketRatios {
					oracle_acr: Some(fixed(3, 10)),
					consensus_acr: Some(fixed(72, 100)),
					vault_cover: Some(FixedU128::from_u32(10)),
				}
			);
			// Nothing open in ETH: no oracle or vault ratio, the chain's consensus ACR.
			assert_eq!(
				ratios(ETH),
				MarketRatios {
					oracle_acr: None,
					consensus_acr: Some(fixed(72, 100)),
					vault_cover: None
				}
			);
			// The runtime API computes the same now, with its inputs.
			let view = Monitor::security_view(BTC).unwrap();
			assert_eq!(view.ratios, ratios(BTC));
			assert_eq!(view.value_secured, 250_000 * BUSD);
			assert_eq!(view.control_bond, 3_000 * BUSD);
			assert_eq!(view.open_interest, 10_000 * BUSD);
			assert!(Monitor::security_view(7).is_none());
		});
	}

	#[test]
	fn the_consensus_acr_values_bwk_low_uses_the_ema_while_halted_and_keeps_its_value_while_stale()
	{
		ExtBuilder::new().build_and_execute(|| {
			OneThirdExposure::set(100_000 * BWK);
			Collateral::set(800_000 * BUSD);
			// Secured: 800,000 + 2 x 100,000 stake = 1,000,000 bUSD. At 10 bUSD: 1.
			set_bwk_price(FixedU128::from_u32(10), MarketStatus::Active);
			next_period();
			assert_eq!(ratios(BTC).consensus_acr, Some(FixedU128::from_u32(1)));
			// A pump: the median at 40 while the EMA has only reached 20 values BWK at 20.
			set_bwk_price_and_ema(
				FixedU128::from_u32(40),
				FixedU128::from_u32(20),
				MarketStatus::Active,
			);
			next_period();
			assert_eq!(ratios(BTC).consensus_acr, Some(FixedU128::from_u32(2)));
			// Halted: the EMA (5), not the jumped print.
			set_bwk_price_and_ema(
				FixedU128::from_u32(10),
				FixedU128::from_u32(5),
				MarketStatus::Halted,
			);
			next_period();
			assert_eq!(ratios(BTC).consensus_acr, Some(fixed(1, 2)));
			// Stale: the last measured value stays, whatever the stale print says.
			set_bwk_price(FixedU128::from_u32(1_000), MarketStatus::Stale);
			next_period();
			assert_eq!(ratios(BTC).consensus_acr, Some(fixed(1, 2)));
		});
	}
}

mod restriction {
	use super::*;

	#[test]
	fn a_big_position_restricts_the_market_until_open_interest_falls_past_the_hysteresis() {
		ExtBuilder::new().build_and_execute(|| {
			// Floor 1: the oracle ACR is 300 / (OI x 10%), under 1 above 3,000 bUSD of OI.
			set_open_interest(BTC, 2_000 * BUSD);
			next_period();
			assert_eq!(ratios(BTC).oracle_acr, Some(fixed(3, 2)));
			assert!(!Monitor::is_restricted(BTC));
			monitor_events();
			// A big position: OI 4,000, ACR 0.75.
			set_open_interest(BTC, 4_000 * BUSD);
			next_period();
			assert!(Monitor::is_restricted(BTC));
			assert!(!Monitor::is_restricted(ETH));
			assert_eq!(
				monitor_events(),
				vec![Event::MarketRestricted {
					market: BTC,
					ratio: Ratio::OracleAcr,
					value: fixed(3, 4),
					floor: FixedU128::from_u32(1),
				}]
			);
			let restriction = Restricted::<Test>::get(BTC).unwrap();
			assert_eq!(restriction.since, System::block_number());
			// Restricted: twice the initial margin, for the margin engine.
			assert_eq!(Monitor::imf_multiplier(BTC), FixedU128::from_u32(2));
			assert_eq!(Monitor::imf_multiplier(ETH), FixedU128::from_u32(1));
			// OI down to 2,800: ACR 1.07, above the floor but under floor x 1.1: still restricted.
			set_open_interest(BTC, 2_800 * BUSD);
			next_period();
			assert!(Monitor::is_restricted(BTC));
			assert!(monitor_events().is_empty());
			// OI down to 2,700: ACR 1.11: released.
			set_open_interest(BTC, 2_700 * BUSD);
			next_period();
			assert!(!Monitor::is_restricted(BTC));
			assert_eq!(monitor_events(), vec![Event::MarketReleased { market: BTC }]);
		});
	}

	#[test]
	fn a_vault_loss_restricts_by_vault_cover() {
		ExtBuilder::new().build_and_execute(|| {
			OracleMarkets::set(vec![(BTC, 1_000_000 * BUSD, Perbill::from_percent(10))]);
			set_open_interest(BTC, 200_000 * BUSD);
			next_period();
			assert_eq!(ratios(BTC).vault_cover, Some(fixed(1, 2)));
			assert!(!Monitor::is_restricted(BTC));
			monitor_events();
			// The vault loses 85%: NAV 15,000 over 200,000 = 0.075, under 0.1.
			set_vault(BTC, 15_000 * BUSD, 15_000 * BUSD);
			next_period();
			assert_eq!(
				monitor_events(),
				vec![Event::MarketRestricted {
					market: BTC,
					ratio: Ratio::VaultCover,
					value: fixed(75, 1_000),
					floor: fixed(1, 10),
				}]
			);
		});
	}

	#[test]
	fn validators_unbonding_restrict_every_market_by_consensus_acr() {
		ExtBuilder::new().build_and_execute(|| {
			// 150,000 BWK at 2 bUSD = 300,000 over 200,000 of vault stake: 1.5.
			OneThirdExposure::set(150_000 * BWK);
			set_bwk_price(FixedU128::from_u32(2), MarketStatus::Active);
			next_period();
			assert_eq!(ratios(BTC).consensus_acr, Some(fixed(3, 2)));
			assert!(!Monitor::is_restricted(BTC));
			monitor_events();
			// Validators unbond: a third of the exposure is now 90,000 BWK: 0.9.
			OneThirdExposure::set(90_000 * BWK);
			next_period();
			for market in [BTC, ETH, BWK_USD] {
				assert!(Monitor::is_restricted(market), "{market}");
				assert_eq!(
					Restricted::<Test>::get(market).map(|r| r.ratio),
					Some(Ratio::ConsensusAcr)
				);
			}
			assert_eq!(monitor_events().len(), 3);
			// They bond again: back above 1.1.
			OneThirdExposure::set(120_000 * BWK);
			next_period();
			assert!(!Monitor::is_restricted(BTC));
		});
	}

	#[test]
	fn new_floors_apply_at_the_next_period() {
		ExtBuilder::new().build_and_execute(|| {
			set_open_interest(BTC, 2_000 * BUSD);
			next_period();
			assert!(!Monitor::is_restricted(BTC));
			let params = MonitorParams {
				min_oracle_acr: FixedU128::from_u32(2),
				..crate::Params::<Test>::get()
			};
			assert_ok!(Monitor::set_params(RuntimeOrigin::root(), params));
			assert!(!Monitor::is_restricted(BTC));
			next_period();
			assert_eq!(Restricted::<Test>::get(BTC).map(|r| r.floor), Some(FixedU128::from_u32(2)));
		});
	}
}

mod governance {
	use super::*;

	#[test]
	fn set_params_needs_the_risk_origin_and_valid_bounds() {
		ExtBuilder::new().build_and_execute(|| {
			let params =
				MonitorParams { hysteresis: Perbill::from_percent(20), ..Default::default() };
			assert_noop!(
				Monitor::set_params(RuntimeOrigin::signed(1), params),
				DispatchError::BadOrigin
			);
			for bad in [
				MonitorParams { min_oracle_acr: fixed(1, 10), ..params },
				MonitorParams { min_consensus_acr: FixedU128::from_u32(101), ..params },
				MonitorParams { min_vault_cover: FixedU128::from_u32(0), ..params },
				MonitorParams { hysteresis: Perbill::zero(), ..params },
				MonitorParams { restricted_imf_multiplier: fixed(1, 2), ..params },
				MonitorParams { smoothing_blocks: 0, ..params },
				MonitorParams { smoothing_blocks: 28_801, ..params },
				MonitorParams { breach_samples: 0, ..params },
				MonitorParams { breach_samples: 121, ..params },
				MonitorParams { bwk_window_samples: 0, ..params },
				MonitorParams { bwk_window_samples: 361, ..params },
				MonitorParams { bwk_grace_blocks: 99, ..params },
			] {
				assert_noop!(
					Monitor::set_params(RuntimeOrigin::root(), bad),
					Error::<Test>::InvalidParams
				);
			}
			assert_ok!(Monitor::set_params(RuntimeOrigin::root(), params));
			assert_eq!(crate::Params::<Test>::get(), params);
			assert_eq!(monitor_events(), vec![Event::ParamsUpdated { params }]);
		});
	}
}

mod stress {
	use super::*;
	use crate::MarketStress;

	#[test]
	fn a_stress_test_prices_the_shock_and_runs_the_insurance_waterfall() {
		ExtBuilder::new().build_and_execute(|| {
			// BTC -30%: 4 accounts liquidatable, 5,000 bUSD of bad debt; traders' PnL from
			// +1,000 to -20,000 (the vault gains 21,000). ETH +10%: 1 account, 3,000 of bad
			// debt; traders from 0 to +8,000.
			Shocks::set(
				[
					(BTC, (4, 5_000 * BUSD, 1_000 * BUSD as i128, -20_000 * BUSD as i128)),
					(ETH, (1, 3_000 * BUSD, 0, 8_000 * BUSD as i128)),
				]
				.into_iter()
				.collect(),
			);
			// BTC's fund holds 2,000, ETH's nothing; the global fund 4,000 but may pay 3,500.
			InsuranceFunds::set([(BTC, 2_000 * BUSD)].into_iter().collect());
			GlobalFund::set(4_000 * BUSD);
			GlobalAllowance::set(3_500 * BUSD);
			// Unknown markets are left out; ETH given twice counts once.
			let report = Monitor::stress_test(vec![(ETH, 10), (BTC, -30), (7, -50), (ETH, 20)]);
			assert_eq!(
				ShockedWith::get(),
				vec![(BTC, FixedU128::from_u32(70)), (ETH, FixedU128::from_u32(11))]
			);
			assert_eq!(
				report.markets,
				vec![
					// BTC: 2,000 from its fund, 3,000 from the global fund; NAV 100,000 +
					// 1,000 + 20,000 = 121,000.
					MarketStress {
						market: BTC,
						price_before: FixedU128::from_u32(100),
						price_after: FixedU128::from_u32(70),
						liquidatable_accounts: 4,
						bad_debt: 5_000 * BUSD,
						insurance_covered: 5_000 * BUSD,
						vault_nav_before: 100_000 * BUSD,
						options_value_before: 0,
						options_value_after: 0,
						vault_nav_after: 121_000 * BUSD,
					},
					// ETH: what is left of the allowance, 500; NAV 100,000 - 8,000 - 2,500.
					MarketStress {
						market: ETH,
						price_before: FixedU128::from_u32(10),
						price_after: FixedU128::from_u32(11),
						liquidatable_accounts: 1,
						bad_debt: 3_000 * BUSD,
						insurance_covered: 500 * BUSD,
						vault_nav_before: 100_000 * BUSD,
						options_value_before: 0,
						options_value_after: 0,
						vault_nav_after: 89_500 * BUSD,
					},
				]
			);
			assert_eq!(report.liquidatable_accounts, 5);
			assert_eq!(report.bad_debt, 8_000 * BUSD);
			assert_eq!(report.insurance_covered, 5_500 * BUSD);
		});
	}
}

/// Issue 29: the monitor cannot be griefed (items 2 and 3) and its runtime API is bounded
/// (item 6). Each test failed on 8fbebc7.
mod issue_29 {
	use super::*;
	use crate::{SmoothedValueSecured, Watch};

	fn defaults() {
		crate::Params::<Test>::put(MonitorParams::default());
	}

	/// Item 2: on 8fbebc7 a deposit in the block before each sample, withdrawn after, restricted
	/// every market at the first sample, with no capital at risk. Now the value secured is an
	/// average over 1,200 blocks updated every block: the same deposit, repeated at every
	/// sample for 50 samples, moves it by a tenth of itself and restricts nothing.
	#[test]
	fn item_2_a_deposit_parked_for_each_sample_restricts_nothing() {
		ExtBuilder::new().build_and_execute(|| {
			defaults();
			// One third of exposure 60,000 BWK at 5 bUSD = 300,000 over 200,000 secured (the
			// two vaults' stake): ACR 1.5, over the floor of 1.
			OneThirdExposure::set(60_000 * BWK);
			set_bwk_price(FixedU128::from_u32(5), MarketStatus::Active);
			next_period();
			assert_eq!(ratios(BTC).consensus_acr, Some(fixed(3, 2)));
			// 400,000 bUSD parked in the block of each sample: 600,000 secured at the sample,
			// an ACR of 0.5 as 8fbebc7 read it.
			for _ in 0..50 {
				let sample = System::block_number() + PERIOD;
				run_to(sample - 1);
				Collateral::set(400_000 * BUSD);
				run_to(sample);
				Collateral::set(0);
			}
			assert!(!Monitor::is_restricted(BTC) && !Monitor::is_restricted(ETH));
			assert!(monitor_events().is_empty());
			// The average moved by about a tenth of the deposit (one block in ten).
			let average = SmoothedValueSecured::<Test>::get().unwrap();
			assert!(average < 250_000 * BUSD, "{average}");
			assert!(ratios(BTC).consensus_acr.unwrap() > FixedU128::from_u32(1));
		});
	}

	/// Item 2: a hedged long/short pair gains nothing from a price move; 8fbebc7 counted both
	/// sides and restricted the market. The ratios use the larger side.
	#[test]
	fn item_2_a_hedged_pair_counts_its_larger_side_once() {
		ExtBuilder::new().build_and_execute(|| {
			// 4,000 bUSD of open interest, 2,000 long and 2,000 short: the oracle ACR is 300 /
			// (2,000 x 10%) = 1.5, not 0.75.
			set_open_interest(BTC, 4_000 * BUSD);
			LargestSides::set([(BTC, 2_000 * BUSD)].into_iter().collect());
			next_period();
			assert_eq!(ratios(BTC).oracle_acr, Some(fixed(3, 2)));
			assert!(!Monitor::is_restricted(BTC));
		});
	}

	/// Item 2: a restriction needs `breach_samples` consecutive samples under a floor; one
	/// sample over it starts the count again.
	#[test]
	fn item_2_a_market_is_restricted_after_breach_samples_consecutive_samples() {
		ExtBuilder::new().build_and_execute(|| {
			crate::Params::<Test>::put(MonitorParams {
				smoothing_blocks: 1,
				..MonitorParams::default()
			});
			// 6,000 bUSD on one side: oracle ACR 0.5, under the floor of 1.
			set_open_interest(BTC, 6_000 * BUSD);
			for sample in 1..=5 {
				next_period();
				assert!(!Monitor::is_restricted(BTC), "sample {sample}");
				assert_eq!(Watch::<Test>::get(BTC).map(|w| w.breach_samples), Some(sample));
			}
			// Back over the floor for one sample: the count starts again.
			set_open_interest(BTC, 1_000 * BUSD);
			next_period();
			assert_eq!(Watch::<Test>::get(BTC).map(|w| w.breach_samples), Some(0));
			set_open_interest(BTC, 6_000 * BUSD);
			for _ in 1..=5 {
				next_period();
			}
			assert!(!Monitor::is_restricted(BTC));
			next_period();
			assert!(Monitor::is_restricted(BTC));
			assert_eq!(Monitor::security_view(BTC).map(|v| v.breach_samples), Some(6));
		});
	}

	/// Item 2: the larger side is averaged too: a position opened for the block of a sample
	/// barely moves it.
	#[test]
	fn item_2_open_interest_parked_for_each_sample_restricts_nothing() {
		ExtBuilder::new().build_and_execute(|| {
			defaults();
			set_open_interest(BTC, 1_000 * BUSD);
			next_period();
			for _ in 0..50 {
				let sample = System::block_number() + PERIOD;
				run_to(sample - 1);
				// 60,000 bUSD on one side: an oracle ACR of 0.05 as 8fbebc7 read it.
				set_open_interest(BTC, 60_000 * BUSD);
				run_to(sample);
				set_open_interest(BTC, 1_000 * BUSD);
			}
			assert!(!Monitor::is_restricted(BTC));
			let view = Monitor::security_view(BTC).unwrap();
			assert_eq!(view.largest_side, 1_000 * BUSD);
			assert!(view.smoothed_largest_side < 10_000 * BUSD, "{}", view.smoothed_largest_side);
		});
	}

	/// Item 3: the monitor keeps each market's open-interest capacity, the larger side at
	/// which the oracle ACR is at its floor, and the margin engine reads it at every fill.
	#[test]
	fn item_3_each_sample_keeps_the_open_interest_capacity_the_oracle_acr_floor_allows() {
		ExtBuilder::new().build_and_execute(|| {
			assert_eq!(Monitor::open_interest_capacity(BTC), None);
			next_period();
			// 3,000 bUSD of bond x 10% slash / (10% jump x floor 1) = 3,000 bUSD.
			assert_eq!(Monitor::open_interest_capacity(BTC), Some(3_000 * BUSD));
			assert_eq!(
				Monitor::security_view(BTC).and_then(|v| v.open_interest_capacity),
				Some(3_000 * BUSD)
			);
			let params = MonitorParams {
				min_oracle_acr: FixedU128::from_u32(2),
				..crate::Params::<Test>::get()
			};
			assert_ok!(Monitor::set_params(RuntimeOrigin::root(), params));
			next_period();
			assert_eq!(Monitor::open_interest_capacity(BTC), Some(1_500 * BUSD));
		});
	}

	/// Item 5: on 8fbebc7 BWK was valued at this sample's price, so a pump lasting one sample
	/// lifted the consensus ACR; now at its lowest over `bwk_window_samples` samples.
	#[test]
	fn item_5_bwk_is_valued_at_its_lowest_over_the_window() {
		ExtBuilder::new().build_and_execute(|| {
			defaults();
			crate::Params::<Test>::mutate(|p| p.smoothing_blocks = 1);
			OneThirdExposure::set(100_000 * BWK);
			Collateral::set(800_000 * BUSD);
			// Secured 1,000,000 bUSD; BWK at 10: 1.
			set_bwk_price(FixedU128::from_u32(10), MarketStatus::Active);
			next_period();
			assert_eq!(ratios(BTC).consensus_acr, Some(FixedU128::from_u32(1)));
			// Pumped to 40, median and EMA alike, for 119 samples: still valued at 10.
			set_bwk_price(FixedU128::from_u32(40), MarketStatus::Active);
			for _ in 0..119 {
				next_period();
			}
			assert_eq!(ratios(BTC).consensus_acr, Some(FixedU128::from_u32(1)));
			// The whole window at 40: 4.
			next_period();
			assert_eq!(ratios(BTC).consensus_acr, Some(FixedU128::from_u32(4)));
		});
	}

	/// Item 5: on 8fbebc7 a `BWK-USD` market never priced (or stale for good) switched the
	/// consensus check off. After `bwk_grace_blocks` it is a breach.
	#[test]
	fn item_5_a_bwk_price_stale_past_its_grace_restricts_every_market() {
		ExtBuilder::new().build_and_execute(|| {
			defaults();
			crate::Params::<Test>::mutate(|p| {
				p.bwk_grace_blocks = 100;
				p.breach_samples = 2;
			});
			// Never priced: nothing for 100 blocks after the first sample.
			next_period();
			let first = System::block_number();
			run_to(first + 90);
			assert!(ratios(BTC).consensus_acr.is_none());
			assert!(!Monitor::is_restricted(BTC));
			// The sample at 100 blocks reads zero; the next one restricts.
			run_to(first + 100);
			assert_eq!(ratios(BTC).consensus_acr, Some(FixedU128::from_u32(0)));
			run_to(first + 110);
			assert!(Monitor::is_restricted(BTC) && Monitor::is_restricted(ETH));
			assert_eq!(Restricted::<Test>::get(BTC).map(|r| r.ratio), Some(Ratio::ConsensusAcr));
		});
	}

	/// Item 6: the stress test takes at most one shock per market (`MaxMarkets`); on 8fbebc7 a
	/// list of any length was priced and shocked.
	#[test]
	fn item_6_the_stress_test_takes_at_most_max_markets_shocks() {
		ExtBuilder::new().build_and_execute(|| {
			let max =
				<<Test as crate::Config>::MaxMarkets as frame_support::traits::Get<u32>>::get();
			let shocks: Vec<(u32, i32)> = (0..10_000).map(|i| (i % 2, -10)).collect();
			PriceReads::set(0);
			let report = Monitor::stress_test(shocks);
			// Each of the first `MaxMarkets` shocks read its market's price once: 10,000 reads
			// on 8fbebc7.
			assert!(PriceReads::get() <= max, "{} price reads", PriceReads::get());
			assert_eq!(report.markets.len(), 2);
		});
	}
}

/// Issue 28: the options a vault wrote count in its market's security (what the breaker's largest
/// move wins their holders, as open interest) and in the stress test (revalued at the shock).
mod options {
	use super::*;

	#[test]
	fn written_options_count_as_open_interest_in_the_ratios_and_the_capacity() {
		ExtBuilder::new().build_and_execute(|| {
			next_period();
			let before = ratios(BTC);
			assert_eq!(Monitor::open_interest_capacity(BTC), Some(3_000 * BUSD));
			// 10 calls struck at 100 with BTC at 100: worth nothing now, 100 bUSD after the
			// breaker's 10% jump: the exposure of a 1,000 bUSD larger side.
			WrittenCalls::set([(BTC, (10 * BUSD, 100))].into_iter().collect());
			assert_eq!(Monitor::option_exposure(BTC, Perbill::from_percent(10)), 1_000 * BUSD);
			next_period();
			let after = ratios(BTC);
			// 3,000 of bond x 10% slash over 10% of 1,000: an oracle ACR of 3; cover 100.
			assert_eq!(after.oracle_acr, Some(FixedU128::from_u32(3)));
			assert_eq!(after.vault_cover, Some(FixedU128::from_u32(100)));
			assert!(before.oracle_acr.is_none() || before.oracle_acr > after.oracle_acr);
			// The perpetuals are left what the options do not take of the capacity.
			assert_eq!(Monitor::open_interest_capacity(BTC), Some(2_000 * BUSD));
			assert_eq!(Monitor::security_view(BTC).map(|v| v.option_exposure), Some(1_000 * BUSD));
		});
	}

	#[test]
	fn the_stress_test_revalues_written_options() {
		ExtBuilder::new().build_and_execute(|| {
			// 10 calls struck at 90 with BTC at 100: 100 bUSD now, 300 at +20%.
			WrittenCalls::set([(BTC, (10 * BUSD, 90))].into_iter().collect());
			let report = Monitor::stress_test(vec![(BTC, 20)]);
			let btc = report.markets.first().copied().expect("BTC shocked");
			assert_eq!(
				(btc.options_value_before, btc.options_value_after),
				(100 * BUSD, 300 * BUSD)
			);
			assert_eq!(btc.vault_nav_after, btc.vault_nav_before - 200 * BUSD);
		});
	}
}
