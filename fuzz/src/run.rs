//! One seeded run: setup, blocks of random calls, invariants after each block, a report.

use crate::{
	chain::{self, BlockBuilder},
	invariants::{self, Break},
	prices::Path,
	rng::Rng,
};
use bulwark_primitives::MarketId;
use bulwark_runtime::{
	AccountId, Balances, Busd, Runtime, RuntimeCall, RuntimeEvent, RuntimeOrigin, System, BUSD, BWK,
};
use frame_support::{
	dispatch::GetDispatchInfo,
	traits::{fungible::Mutate, GetCallMetadata},
};
use sp_core::{sr25519, Pair};
use sp_keyring::Sr25519Keyring;
use sp_runtime::{traits::Dispatchable, FixedI128, FixedU128};
use std::{
	collections::{BTreeMap, VecDeque},
	panic::{catch_unwind, AssertUnwindSafe},
	time::{Duration, Instant},
};

/// Markets the dev genesis lists, with the price each path starts at (bUSD).
const MARKETS: [(MarketId, u128); 2] = [(0, 100), (1, 2_000)];
/// Calls kept for a break's report.
const RECENT: usize = 64;
/// Rounds of honest prices within which a halted or stale market must be `Active` again: the
/// breaker's cooldown (20 blocks, 10 rounds) and its 3 confirming rounds, with room to spare.
const RESUME_ROUNDS: u32 = 30;

/// What to run.
#[derive(Clone, Copy, Debug)]
pub struct Config {
	/// The seed: a run is a pure function of it and `calls`.
	pub seed: u64,
	/// Calls to apply (the run stops at the first block that reaches it).
	pub calls: u64,
	/// Mean calls per block (each block draws from 0 to twice this).
	pub calls_per_block: u64,
	/// Share of calls applied as signed extrinsics through the transaction extensions, percent.
	pub signed_percent: u64,
	/// A fault injected into the state at a block, to show that an invariant catches it.
	pub fault: Option<(u64, Fault)>,
}

/// A fault written straight into the state, as a bug would leave it: each breaks one invariant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
	/// bUSD credited to an account without the issuance knowing (`issuance`).
	UnbackedBalance,
	/// bUSD minted into an account and the issuance raised, with no event (`issuance-events`).
	SilentMint,
	/// A market's open-interest aggregate no longer the sum over its positions (`try-state`).
	CorruptAggregates,
}

impl Config {
	/// `calls` calls from `seed`, 40 a block on average, 10% signed.
	pub fn new(seed: u64, calls: u64) -> Self {
		Self { seed, calls, calls_per_block: 40, signed_percent: 10, fault: None }
	}
}

/// What a run did and found.
#[derive(Clone, Debug, Default)]
pub struct Report {
	/// The seed.
	pub seed: u64,
	/// Calls applied.
	pub calls: u64,
	/// Blocks built.
	pub blocks: u64,
	/// Wall time.
	pub elapsed: Duration,
	/// Outcomes by `pallet.call`: `ok` or the error.
	pub outcomes: BTreeMap<String, BTreeMap<String, u64>>,
	/// Price episodes started, by kind.
	pub episodes: BTreeMap<&'static str, u64>,
	/// Events counted: liquidations, bad debts, deleveragings, fills, cancelled orders.
	pub events: BTreeMap<&'static str, u64>,
	/// The first broken invariant, with its block and the calls before it.
	pub broken: Option<(Break, u64, Vec<String>)>,
}

impl Report {
	/// Calls per second of wall time.
	pub fn calls_per_second(&self) -> f64 {
		self.calls as f64 / self.elapsed.as_secs_f64().max(1e-9)
	}

	/// A human-readable summary.
	pub fn summary(&self) -> String {
		let mut out = format!(
			"seed {}: {} calls in {} blocks, {:.1} s, {:.0} calls/s\n",
			self.seed,
			self.calls,
			self.blocks,
			self.elapsed.as_secs_f64(),
			self.calls_per_second()
		);
		out.push_str(&format!("episodes: {:?}\nevents: {:?}\n", self.episodes, self.events));
		for (call, outcomes) in &self.outcomes {
			out.push_str(&format!("  {call}: {outcomes:?}\n"));
		}
		match &self.broken {
			None => out.push_str("invariants: all held\n"),
			Some((broken, block, recent)) => {
				out.push_str(&format!(
					"BROKEN {} at block {} (seed {}): {}\nlast calls:\n",
					broken.check, block, self.seed, broken.message
				));
				for call in recent {
					out.push_str(&format!("  {call}\n"));
				}
			},
		}
		out
	}
}

/// Writes `fault` into the state, touching `who`'s balance where it needs an account.
fn inject(fault: Fault, who: &AccountId) {
	type BusdAccount = pallet_balances::Account<Runtime, pallet_balances::Instance2>;
	match fault {
		Fault::UnbackedBalance => BusdAccount::mutate(who, |data| data.free += BUSD),
		Fault::SilentMint => {
			BusdAccount::mutate(who, |data| data.free += BUSD);
			pallet_balances::TotalIssuance::<Runtime, pallet_balances::Instance2>::mutate(|t| {
				*t += BUSD
			});
		},
		Fault::CorruptAggregates => pallet_bulwark_margin::Markets::<Runtime>::mutate(0, |info| {
			if let Some(info) = info {
				info.aggregates.long_size += 1;
			}
		}),
	}
}

/// An account of the run and its key.
#[derive(Clone)]
struct Actor {
	id: AccountId,
	pair: sr25519::Pair,
}

impl Actor {
	fn dev(keyring: Sr25519Keyring) -> Self {
		Self { id: keyring.to_account_id(), pair: keyring.pair() }
	}

	fn derived(path: &str) -> Self {
		let pair = sr25519::Pair::from_string(path, None).expect("a valid derivation path");
		Self { id: pair.public().into(), pair }
	}
}

/// The pool of actors.
struct Actors {
	operators: Vec<Actor>,
	stakers: Vec<Actor>,
	traders: Vec<Actor>,
	keepers: Vec<Actor>,
}

impl Actors {
	fn new() -> Self {
		use Sr25519Keyring::*;
		Self {
			operators: vec![Actor::dev(Alice), Actor::dev(Bob), Actor::dev(Charlie)],
			stakers: vec![Actor::dev(Dave), Actor::dev(Eve)],
			traders: (0..8).map(|i| Actor::derived(&format!("//Trader{i}"))).collect(),
			keepers: vec![Actor::dev(Ferdie), Actor::derived("//Keeper")],
		}
	}

	fn everyone(&self) -> impl Iterator<Item = &Actor> {
		self.operators
			.iter()
			.chain(self.stakers.iter())
			.chain(self.traders.iter())
			.chain(self.keepers.iter())
	}
}

/// A run under way.
pub struct Run {
	config: Config,
	rng: Rng,
	chain: BlockBuilder,
	actors: Actors,
	paths: Vec<Path>,
	report: Report,
	recent: VecDeque<String>,
	last_round: u32,
	issuance: Option<invariants::IssuanceTracker>,
}

fn fixed_busd(micro: u128) -> FixedU128 {
	FixedU128::from_rational(micro, BUSD)
}

impl Run {
	/// Runs `config` to the end or the first broken invariant.
	pub fn execute(config: Config) -> Report {
		let mut ext = chain::dev_genesis();
		let mut run = Run {
			config,
			rng: Rng::new(config.seed),
			chain: BlockBuilder::new(),
			actors: Actors::new(),
			paths: MARKETS.iter().map(|(_, p)| Path::new(p.saturating_mul(BUSD))).collect(),
			report: Report { seed: config.seed, ..Report::default() },
			recent: VecDeque::with_capacity(RECENT),
			last_round: 0,
			issuance: None,
		};
		let started = Instant::now();
		ext.execute_with(|| {
			run.setup();
			run.issuance = Some(invariants::IssuanceTracker::new());
			while run.report.calls < run.config.calls && run.report.broken.is_none() {
				let outcome = catch_unwind(AssertUnwindSafe(|| run.block()));
				if let Err(panic) = outcome {
					let message = panic
						.downcast_ref::<String>()
						.cloned()
						.or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
						.unwrap_or_default();
					run.broken(Break::new("no-panic", message));
				}
			}
		});
		run.report.elapsed = started.elapsed();
		run.report
	}

	fn broken(&mut self, broken: Break) {
		if self.report.broken.is_none() {
			let recent = self.recent.iter().cloned().collect();
			self.report.broken = Some((broken, self.report.blocks, recent));
		}
	}

	/// Funds the actors and opens the markets: operators bonded and feeding, vaults staked,
	/// insurance funded, traders' margin deposited.
	fn setup(&mut self) {
		self.chain.open();
		for actor in self.actors.everyone() {
			let busd = <Busd as frame_support::traits::fungible::Inspect<_>>::balance(&actor.id);
			if busd < 1_000_000 * BUSD {
				assert!(Busd::mint_into(&actor.id, 1_000_000 * BUSD - busd).is_ok());
			}
			let bwk = <Balances as frame_support::traits::fungible::Inspect<_>>::balance(&actor.id);
			if bwk < 10_000 * BWK {
				assert!(Balances::mint_into(&actor.id, 10_000 * BWK - bwk).is_ok());
			}
		}
		let operators = self.actors.operators.clone();
		for operator in &operators {
			self.setup_call(
				operator,
				RuntimeCall::Oracle(pallet_bulwark_oracle::Call::register_operator {
					bond: 300_000 * BUSD,
				}),
			);
		}
		let stakers = self.actors.stakers.clone();
		for (staker, (market, _)) in stakers.iter().zip(MARKETS.iter()) {
			self.setup_call(
				staker,
				RuntimeCall::Vaults(pallet_bulwark_vaults::Call::stake {
					market: *market,
					amount: 300_000 * BUSD,
					min_shares: 0,
				}),
			);
			self.setup_call(
				staker,
				RuntimeCall::Insurance(pallet_bulwark_insurance::Call::contribute {
					fund: pallet_bulwark_insurance::Fund::Market(*market),
					amount: 5_000 * BUSD,
				}),
			);
		}
		let traders = self.actors.traders.clone();
		for trader in traders.iter().chain(self.actors.keepers.clone().iter()) {
			self.setup_call(
				trader,
				RuntimeCall::Margin(pallet_bulwark_margin::Call::deposit { amount: 2_000 * BUSD }),
			);
		}
		self.chain.close();
	}

	fn setup_call(&mut self, actor: &Actor, call: RuntimeCall) {
		let result = call.clone().dispatch(RuntimeOrigin::signed(actor.id.clone()));
		assert!(result.is_ok(), "setup call {call:?}: {result:?}");
	}

	fn block(&mut self) {
		self.chain.open();
		self.feed_prices();
		let count = self.rng.below(self.config.calls_per_block.saturating_mul(2) + 1);
		for _ in 0..count {
			if let Some((actor, call)) = self.next_call() {
				self.apply(&actor, call);
			}
		}
		if let Some((block, fault)) = self.config.fault {
			if block == self.report.blocks {
				inject(fault, &self.actors.traders[0].id);
			}
		}
		self.chain.close();
		self.report.blocks += 1;
		self.count_events();
		let issuance_events = self.issuance.as_mut().map_or(Ok(()), |tracker| tracker.check());
		if let Err(broken) =
			invariants::issuance().and(issuance_events).and_then(|()| invariants::try_state())
		{
			self.broken(broken);
		}
	}

	/// In the first block of each round, the operators submit what their markets' paths say.
	fn feed_prices(&mut self) {
		let round = pallet_bulwark_oracle::Pallet::<Runtime>::current_round();
		if round == self.last_round {
			return;
		}
		self.last_round = round;
		let operators = self.actors.operators.len();
		let mut by_operator: Vec<Vec<(MarketId, FixedU128)>> = vec![Vec::new(); operators];
		for (index, (market, _)) in MARKETS.iter().enumerate() {
			let path = &mut self.paths[index];
			if let Some(episode) = path.advance(&mut self.rng) {
				*self.report.episodes.entry(episode.name()).or_default() += 1;
			}
			let submissions = self.paths[index].submissions(operators, &mut self.rng);
			for (operator, price) in submissions.into_iter().enumerate() {
				if let Some(price) = price {
					by_operator[operator].push((*market, fixed_busd(price)));
				}
			}
		}
		for (operator, prices) in by_operator.into_iter().enumerate() {
			if prices.is_empty() {
				continue;
			}
			let Ok(prices) = prices.try_into() else { continue };
			let actor = self.actors.operators[operator].clone();
			self.apply(
				&actor,
				RuntimeCall::Oracle(pallet_bulwark_oracle::Call::submit { round, prices }),
			);
		}
		self.check_markets_resume();
		self.keeper_pass();
	}

	/// `liveness`: a market whose operators have submitted honest prices for
	/// [`RESUME_ROUNDS`] rounds is `Active`.
	fn check_markets_resume(&mut self) {
		for (index, (market, _)) in MARKETS.iter().enumerate() {
			if self.paths[index].honest_rounds < RESUME_ROUNDS {
				continue;
			}
			let status =
				pallet_bulwark_oracle::Pallet::<Runtime>::price_info(*market).map(|p| p.status);
			if status != Some(bulwark_primitives::MarketStatus::Active) {
				self.broken(Break::new(
					"liveness",
					format!(
						"market {market} is {status:?} after {} rounds of honest prices",
						self.paths[index].honest_rounds
					),
				));
			}
		}
	}

	/// A keeper's pass in the first block of each round: every account the runtime API lists
	/// is liquidated. Then `liveness`: no account below maintenance whose prices are all usable
	/// is left that `liquidate` would take (the API missed it) or refuses for any reason but
	/// its market's liquidation cap.
	fn keeper_pass(&mut self) {
		let keeper = self.actors.keepers[0].clone();
		let mut cursor = None;
		loop {
			let (listed, next) =
				pallet_bulwark_margin::Pallet::<Runtime>::liquidatable_page(cursor, 1_000);
			for account in listed {
				self.apply(
					&keeper,
					RuntimeCall::Margin(pallet_bulwark_margin::Call::liquidate {
						who: account.who,
					}),
				);
			}
			match next {
				Some(next) => cursor = Some(next),
				None => break,
			}
		}
		let accounts: Vec<AccountId> = self.actors.everyone().map(|a| a.id.clone()).collect();
		for who in accounts {
			let Some(view) = pallet_bulwark_margin::Pallet::<Runtime>::account_view(&who) else {
				continue;
			};
			let usable = view.positions.iter().all(|p| {
				pallet_bulwark_oracle::Pallet::<Runtime>::price_info(p.market)
					.is_some_and(|i| i.status == bulwark_primitives::MarketStatus::Active)
			});
			if !view.below_maintenance || !usable {
				continue;
			}
			let refused = frame_support::storage::with_transaction(|| {
				let result = RuntimeCall::Margin(pallet_bulwark_margin::Call::liquidate {
					who: who.clone(),
				})
				.dispatch(RuntimeOrigin::signed(keeper.id.clone()));
				sp_runtime::TransactionOutcome::Rollback(Ok::<_, sp_runtime::DispatchError>(
					result.err().map(|e| e.error),
				))
			})
			.ok()
			.flatten();
			let cap: sp_runtime::DispatchError =
				pallet_bulwark_margin::Error::<Runtime>::LiquidationCapReached.into();
			match refused {
				Some(error) if error == cap => {},
				other => self.broken(Break::new(
					"liveness",
					format!(
						"after a keeper pass {who:?} is below maintenance with usable prices: \
						 liquidate would {}",
						match other {
							None => "succeed (the keeper API did not list it)".to_string(),
							Some(error) => format!("fail with {error:?}"),
						}
					),
				)),
			}
		}
	}

	/// The next random call and who makes it.
	fn next_call(&mut self) -> Option<(Actor, RuntimeCall)> {
		use pallet_bulwark_margin::Call as Margin;
		let rng = &mut self.rng;
		let weights = [2, 3, 20, 2, 5, 6, 3, 1, 2, 2, 2, 1, 3, 1, 1];
		let market = rng.pick(&MARKETS).0;
		let trader = rng.pick(&self.actors.traders).clone();
		let keeper = rng.pick(&self.actors.keepers).clone();
		let staker = rng.pick(&self.actors.stakers).clone();
		let median = self.paths.get(market as usize).map_or(100 * BUSD, |p| p.price);
		let call = match rng.weighted(&weights) {
			0 => (
				trader,
				RuntimeCall::Margin(Margin::deposit { amount: rng.range(10, 300) as u128 * BUSD }),
			),
			1 => (
				trader,
				RuntimeCall::Margin(Margin::withdraw { amount: rng.range(1, 500) as u128 * BUSD }),
			),
			2 => {
				// Either way, 5 to 50,000 bUSD of notional at the honest price, or (half the
				// orders) 1x to 25x the trader's collateral: leverage that crashes liquidate.
				let collateral = pallet_bulwark_margin::Accounts::<Runtime>::get(&trader.id)
					.map_or(0, |a| a.collateral);
				let imf = pallet_bulwark_margin::Pallet::<Runtime>::market_view(market)
					.map_or(FixedU128::from_rational(1, 20), |v| v.initial_margin_fraction);
				let notional = if rng.chance(80) {
					// 30% to 90% of what the initial margin allows.
					let most = collateral.saturating_mul(1_000_000_000_000_000_000)
						/ imf.into_inner().max(1);
					most.saturating_mul(rng.range(30, 90) as u128) / 100
				} else {
					rng.range(5, 50_000) as u128 * BUSD
				};
				let units = notional.saturating_mul(1_000_000_000_000_000_000) / median.max(1);
				let size = i128::try_from(units).unwrap_or(i128::MAX);
				let buy = rng.chance(50);
				let slack = rng.range(-1, 10) as u128;
				let limit = if buy {
					median.saturating_mul(100 + slack) / 100
				} else {
					median.saturating_mul(100u128.saturating_sub(slack)) / 100
				};
				(
					trader,
					RuntimeCall::Margin(Margin::place_order {
						market,
						size_delta: FixedI128::from_inner(if buy { size } else { -size }),
						limit_price: fixed_busd(limit),
						expires_in_rounds: rng.range(0, 11) as u32,
					}),
				)
			},
			3 => {
				let long = pallet_bulwark_margin::Accounts::<Runtime>::get(&trader.id)
					.is_some_and(|a| a.size_in(market).into_inner() > 0);
				let limit = if long { median / 2 } else { median.saturating_mul(2) };
				(
					trader,
					RuntimeCall::Margin(Margin::place_close_order {
						market,
						limit_price: fixed_busd(limit),
						expires_in_rounds: rng.range(1, 10) as u32,
					}),
				)
			},
			4 => {
				let who = rng.pick(&self.actors.traders).id.clone();
				(keeper, RuntimeCall::Margin(Margin::liquidate { who }))
			},
			5 => {
				// A keeper pass: the first account the runtime API lists.
				let (listed, _) =
					pallet_bulwark_margin::Pallet::<Runtime>::liquidatable_page(None, 100);
				let who = listed.first()?.who.clone();
				(keeper, RuntimeCall::Margin(Margin::liquidate { who }))
			},
			6 => {
				let who = rng.pick(&self.actors.traders).id.clone();
				(keeper, RuntimeCall::Margin(Margin::deleverage { market, who }))
			},
			7 => (keeper, RuntimeCall::Margin(Margin::settle { market })),
			8 => (
				staker,
				RuntimeCall::Vaults(pallet_bulwark_vaults::Call::stake {
					market,
					amount: rng.range(10, 50_000) as u128 * BUSD,
					min_shares: 0,
				}),
			),
			9 => {
				let shares = pallet_bulwark_vaults::Stakers::<Runtime>::get(market, &staker.id)
					.map_or(1, |s| s.active);
				(
					staker,
					RuntimeCall::Vaults(pallet_bulwark_vaults::Call::request_unstake {
						market,
						shares: shares.saturating_mul(rng.range(1, 50) as u128) / 100,
					}),
				)
			},
			10 => (
				staker,
				RuntimeCall::Vaults(pallet_bulwark_vaults::Call::withdraw {
					market,
					min_amount: 0,
				}),
			),
			11 => (
				staker,
				RuntimeCall::Insurance(pallet_bulwark_insurance::Call::contribute {
					fund: pallet_bulwark_insurance::Fund::Market(market),
					amount: rng.range(1, 1_000) as u128 * BUSD,
				}),
			),
			12 => {
				let to = rng.pick(&self.actors.traders).id.clone();
				(
					trader,
					RuntimeCall::Busd(pallet_balances::Call::transfer_keep_alive {
						dest: to.into(),
						value: rng.range(1, 1_000) as u128 * BUSD,
					}),
				)
			},
			13 => {
				let to = rng.pick(&self.actors.traders).id.clone();
				(
					trader,
					RuntimeCall::Balances(pallet_balances::Call::transfer_keep_alive {
						dest: to.into(),
						value: rng.range(1, 100) as u128 * BWK,
					}),
				)
			},
			_ => {
				let operator = rng.pick(&self.actors.operators).clone();
				(
					operator,
					RuntimeCall::Oracle(pallet_bulwark_oracle::Call::top_up {
						amount: rng.range(1, 100) as u128 * BUSD,
					}),
				)
			},
		};
		Some(call)
	}

	/// Applies `call` from `actor`: dispatched with a signed origin, or (a share) as a signed
	/// extrinsic. Checks the weight it reports against the weight it declared.
	fn apply(&mut self, actor: &Actor, call: RuntimeCall) {
		let metadata = call.get_call_metadata();
		let name = format!("{}.{}", metadata.pallet_name, metadata.function_name);
		let outcome = if self.rng.chance(self.config.signed_percent) {
			match chain::apply(chain::signed(call.clone(), &actor.pair)) {
				Ok(Ok(())) => "ok".to_string(),
				Ok(Err(error)) => <&'static str>::from(error).to_string(),
				// A session's first block is full (`pallet_session` charges the whole block for
				// the rotation): every extrinsic is `ExhaustsResources` there.
				Err(invalid) => format!("invalid: {invalid:?}"),
			}
		} else {
			let declared = call.get_dispatch_info().call_weight;
			let result = call.clone().dispatch(RuntimeOrigin::signed(actor.id.clone()));
			let actual = match &result {
				Ok(post) => post.actual_weight,
				Err(error) => error.post_info.actual_weight,
			};
			if let Some(actual) = actual {
				if actual.any_gt(declared) {
					self.broken(Break::new(
						"weight",
						format!("{name} reported {actual:?}, declared {declared:?}"),
					));
				}
			}
			match result {
				Ok(_) => "ok".to_string(),
				Err(error) => <&'static str>::from(error.error).to_string(),
			}
		};
		if self.recent.len() == RECENT {
			self.recent.pop_front();
		}
		self.recent.push_back(format!("#{} {name} -> {outcome}: {call:?}", self.chain.number()));
		*self.report.outcomes.entry(name).or_default().entry(outcome).or_default() += 1;
		self.report.calls += 1;
	}

	fn count_events(&mut self) {
		for record in System::events() {
			let name = match record.event {
				RuntimeEvent::Margin(pallet_bulwark_margin::Event::Liquidated { .. }) => {
					"liquidated"
				},
				RuntimeEvent::Margin(pallet_bulwark_margin::Event::BadDebt { .. }) => "bad debt",
				RuntimeEvent::Margin(pallet_bulwark_margin::Event::Deleveraged { .. }) => {
					"deleveraged"
				},
				RuntimeEvent::Margin(pallet_bulwark_margin::Event::Traded { .. }) => "filled",
				RuntimeEvent::Margin(pallet_bulwark_margin::Event::OrderCancelled { .. }) => {
					"order cancelled"
				},
				_ => continue,
			};
			*self.report.events.entry(name).or_default() += 1;
		}
	}
}
