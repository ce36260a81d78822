//! One seeded run: setup, blocks of random calls, invariants after each block, a report.

use crate::{
	chain::{self, BlockBuilder},
	invariants::{self, Break},
	owner::{self, OwnerLedger, OWNER_MARKET},
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
use sp_runtime::{traits::Dispatchable, FixedU128};
use std::{
	collections::{BTreeMap, VecDeque},
	panic::{catch_unwind, AssertUnwindSafe},
	time::{Duration, Instant},
};

/// Markets the dev genesis lists, with the price each path starts at (bUSD): BTC-USD (the
/// traders'), ETH-USD (the hedged owner's) and BWK-USD (not traded: it values the validators'
/// stake for the monitor's consensus ACR).
const MARKETS: [(MarketId, u128); 3] = [(0, 100), (1, 2_000), (2, 1_000)];
/// The traded markets: a vault and an insurance fund each.
const TRADED: usize = 2;
/// Calls kept for a break's report.
const RECENT: usize = 64;
/// Passes of the runtime API's list a keeper makes in a round's first block.
const KEEPER_PASSES: usize = 8;
/// Rounds of honest prices within which a halted or stale market must be `Active` again (or,
/// at a level beyond one jump, confirmed and awaiting the council): the breaker's cooldown
/// (20 blocks, 10 rounds) and its 3 confirming rounds, with room to spare.
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

/// A fault written into the state (or, for `weight`, into what a call declares) as a bug would
/// leave it: each breaks one invariant. Injected in the first block from the configured one on
/// where it applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
	/// bUSD credited to an account without the issuance knowing (`issuance`).
	UnbackedBalance,
	/// bUSD minted into an account and the issuance raised, with no event (`issuance-events`).
	SilentMint,
	/// A market's open-interest aggregate no longer the sum over its positions (`try-state`).
	CorruptAggregates,
	/// Aura's slot set past the next block's (a migration that wrote the wrong slot): the next
	/// block's `on_initialize` panics (`no-panic`).
	SlotInTheFuture,
	/// Every call of the block declares a tenth of its benchmarked weight (a benchmark that
	/// missed the worst case), so a call that reports its actual weight (or is charged its
	/// declared weight) exceeds it (`weight`).
	UnderstatedWeight,
	/// The owner's long entry booked 1% better than its fill, in the position and the market's
	/// aggregates alike, while the owner is hedged (`no-risk-free-profit`).
	BetterEntry,
	/// Market 0's circuit breaker holding it until the last block (a cooldown a migration
	/// wrote wrong): it never resumes (`liveness`).
	StuckBreaker,
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
	/// Orders cancelled at their fill, by reason.
	pub cancelled: BTreeMap<String, u64>,
	/// The first broken invariant, with its block and the calls before it.
	pub broken: Option<(Break, u64, Vec<String>)>,
	/// The block in which the configured fault went in.
	pub fault_at: Option<u64>,
	/// The hedged owner at the end, everything closed: what it gained (bUSD units, negative
	/// for a loss) and what the run allowed it.
	pub owner: Option<(i128, i128)>,
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
		out.push_str(&format!(
			"episodes: {:?}\nevents: {:?}\norders cancelled at their fill: {:?}\n",
			self.episodes, self.events, self.cancelled
		));
		if let Some((gained, allowed)) = self.owner {
			out.push_str(&format!(
				"hedged owner: {:+.2} bUSD after closing (allowed {:.2})\n",
				gained as f64 / BUSD as f64,
				allowed as f64 / BUSD as f64
			));
		}
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

/// Writes `fault` into the state; `false` if it does not apply yet.
fn inject(fault: Fault, actors: &Actors) -> bool {
	type BusdAccount = pallet_balances::Account<Runtime, pallet_balances::Instance2>;
	let who = &actors.traders[0].id;
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
		Fault::SlotInTheFuture => {
			pallet_aura::CurrentSlot::<Runtime>::put(sp_consensus_aura::Slot::from(u64::MAX / 2))
		},
		Fault::UnderstatedWeight => {},
		Fault::BetterEntry => {
			let ledger = OwnerLedger::new(actors.owner.clone().map(|a| a.id));
			if ledger.current_net() != 0 {
				return false;
			}
			return owner::book_better_entry(&actors.owner[0].id).is_some();
		},
		Fault::StuckBreaker => pallet_bulwark_oracle::Prices::<Runtime>::mutate(0, |state| {
			if let Some(state) = state {
				state.halt =
					Some(pallet_bulwark_oracle::Halt { cooldown_until: u32::MAX, candidate: None });
			}
		}),
	}
	true
}

/// An account of the run and its key.
#[derive(Clone)]
pub(crate) struct Actor {
	pub(crate) id: AccountId,
	pub(crate) pair: sr25519::Pair,
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
pub(crate) struct Actors {
	/// Oracle operators, also members of the risk council.
	pub(crate) operators: Vec<Actor>,
	/// Vault stakers (and BWK nominators), the other members of the risk council.
	pub(crate) stakers: Vec<Actor>,
	/// Traders of market 0.
	pub(crate) traders: Vec<Actor>,
	/// Third-party keepers.
	pub(crate) keepers: Vec<Actor>,
	/// Funds insurance.
	pub(crate) insurer: Actor,
	/// The hedged owner: its long leg, its short leg, its keeper and vault staker.
	pub(crate) owner: [Actor; 3],
}

impl Actors {
	fn new() -> Self {
		use Sr25519Keyring::*;
		Self {
			operators: vec![Actor::dev(Alice), Actor::dev(Bob), Actor::dev(Charlie)],
			stakers: vec![Actor::dev(Dave), Actor::dev(Eve)],
			traders: (0..8).map(|i| Actor::derived(&format!("//Trader{i}"))).collect(),
			keepers: vec![Actor::dev(Ferdie), Actor::derived("//Keeper")],
			insurer: Actor::derived("//Insurer"),
			owner: [
				Actor::derived("//OwnerLong"),
				Actor::derived("//OwnerShort"),
				Actor::derived("//OwnerKeeper"),
			],
		}
	}

	/// The dev preset's risk council: the operators and the stakers (Alice to Eve).
	pub(crate) fn council(&self) -> Vec<Actor> {
		self.operators.iter().chain(self.stakers.iter()).cloned().collect()
	}

	fn everyone(&self) -> impl Iterator<Item = &Actor> {
		self.operators
			.iter()
			.chain(self.stakers.iter())
			.chain(self.traders.iter())
			.chain(self.keepers.iter())
			.chain(std::iter::once(&self.insurer))
			.chain(self.owner.iter())
	}
}

/// Blocks between commits of the externalities' overlay into their backend: the storage root
/// each block computes is over the overlay, which otherwise grows with every key the run
/// touched (throughput fell from 10,000 to 3,000 calls a second over a million calls).
const COMMIT_EVERY: u64 = 50;

/// A run under way.
pub struct Run {
	config: Config,
	pub(crate) rng: Rng,
	chain: BlockBuilder,
	pub(crate) actors: Actors,
	pub(crate) paths: Vec<Path>,
	report: Report,
	recent: VecDeque<String>,
	last_round: u32,
	issuance: Option<invariants::IssuanceTracker>,
	owner: Option<OwnerLedger>,
	/// Whether the configured fault went in, and in which block.
	fault_at: Option<u64>,
	/// Bad debt the block's events recorded for the owner's accounts.
	owner_bad_debt: u128,
}

/// A price in bUSD units as a fixed-point bUSD price.
pub(crate) fn fixed_busd(micro: u128) -> FixedU128 {
	FixedU128::from_rational(micro, BUSD)
}

/// The name of a dispatch error: `Pallet.Error` for a module error.
fn error_name(error: sp_runtime::DispatchError) -> String {
	match bulwark_runtime::RuntimeError::from_dispatch_error(error) {
		Some(error) => format!("{error:?}"),
		None => format!("{error:?}"),
	}
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
			owner: None,
			fault_at: None,
			owner_bad_debt: 0,
		};
		let started = Instant::now();
		ext.execute_with(|| {
			run.setup();
			run.issuance = Some(invariants::IssuanceTracker::new());
			run.owner = Some(OwnerLedger::new(run.actors.owner.clone().map(|a| a.id)));
		});
		let mut finished = false;
		while run.report.broken.is_none() && !finished {
			let ending = run.report.calls >= run.config.calls;
			let outcome = ext.execute_with(|| {
				catch_unwind(AssertUnwindSafe(|| {
					if ending {
						run.finish();
						true
					} else {
						run.block();
						false
					}
				}))
			});
			match outcome {
				Ok(done) => finished = done,
				Err(panic) => {
					let message = panic
						.downcast_ref::<String>()
						.cloned()
						.or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
						.unwrap_or_default();
					run.broken(Break::new("no-panic", message));
				},
			}
			if run.report.blocks.is_multiple_of(COMMIT_EVERY) && run.report.broken.is_none() {
				if let Err(error) = ext.commit_all() {
					run.broken(Break::new("no-panic", format!("committing the state: {error}")));
				}
			}
		}
		run.report.elapsed = started.elapsed();
		run.report.fault_at = run.fault_at;
		run.report
	}

	fn broken(&mut self, broken: Break) {
		if self.report.broken.is_none() {
			let recent = self.recent.iter().cloned().collect();
			self.report.broken = Some((broken, self.report.blocks, recent));
		}
	}

	/// Funds the actors and opens the markets: operators bonded and feeding, vaults staked,
	/// insurance funded, traders' margin deposited, the owner's legs funded and its stake in
	/// its market's vault.
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
					amount: 40_000 * BUSD,
					min_shares: 0,
				}),
			);
		}
		let insurer = self.actors.insurer.clone();
		for (market, _) in MARKETS.iter().take(TRADED) {
			self.setup_call(
				&insurer,
				RuntimeCall::Insurance(pallet_bulwark_insurance::Call::contribute {
					fund: pallet_bulwark_insurance::Fund::Market(*market),
					amount: 5_000 * BUSD,
				}),
			);
		}
		let [long, short, owner_keeper] = self.actors.owner.clone();
		let traders = self.actors.traders.clone();
		let keepers = self.actors.keepers.clone();
		for trader in traders.iter().chain(keepers.iter()).chain([&long, &short]) {
			self.setup_call(
				trader,
				RuntimeCall::Margin(pallet_bulwark_margin::Call::deposit { amount: 2_000 * BUSD }),
			);
		}
		self.setup_call(
			&owner_keeper,
			RuntimeCall::Vaults(pallet_bulwark_vaults::Call::stake {
				market: OWNER_MARKET,
				amount: 20_000 * BUSD,
				min_shares: 0,
			}),
		);
		self.chain.close();
	}

	fn setup_call(&mut self, actor: &Actor, call: RuntimeCall) {
		let result = call.clone().dispatch(RuntimeOrigin::signed(actor.id.clone()));
		assert!(result.is_ok(), "setup call {call:?}: {result:?}");
	}

	/// Whether the configured fault is due in this block (and not in yet).
	fn fault_due(&self) -> Option<Fault> {
		let (from, fault) = self.config.fault?;
		(self.fault_at.is_none() && self.report.blocks >= from).then_some(fault)
	}

	fn block(&mut self) {
		self.chain.open();
		self.feed_prices();
		let count = self.rng.below(self.config.calls_per_block.saturating_mul(2) + 1);
		for _ in 0..count {
			for (actor, call) in self.next_calls() {
				self.apply(&actor, call);
			}
		}
		if let Some(fault) = self.fault_due() {
			if inject(fault, &self.actors) {
				self.fault_at = Some(self.report.blocks);
			}
		}
		self.end_block();
	}

	/// Closes the block and checks every invariant.
	fn end_block(&mut self) {
		self.chain.close();
		self.report.blocks += 1;
		self.count_events();
		let issuance_events = self.issuance.as_mut().map_or(Ok(()), |tracker| tracker.check());
		let bad_debt = std::mem::take(&mut self.owner_bad_debt);
		let owner = self.owner.as_mut().map_or(Ok(()), |owner| owner.check(bad_debt));
		if let Err(broken) = invariants::issuance()
			.and(issuance_events)
			.and_then(|()| invariants::try_state())
			.and(owner)
		{
			self.broken(broken);
		}
	}

	/// The end of the run: the owner closes both legs and the chain runs on (prices, keepers,
	/// nothing else) until they are closed, at most 100 blocks; then the owner's value is
	/// checked against what the whole run allowed.
	fn finish(&mut self) {
		let mut closing = 0u32;
		while self.report.broken.is_none() && closing < 100 {
			let open = self.owner.as_ref().is_some_and(|owner| owner.has_positions());
			if !open {
				break;
			}
			self.chain.open();
			self.feed_prices();
			if closing.is_multiple_of(4) {
				for (actor, call) in self.owner_close() {
					self.apply(&actor, call);
				}
			}
			self.end_block();
			closing += 1;
		}
		if self.report.broken.is_none() {
			if let Some(owner) = &self.owner {
				self.report.owner = Some((owner.value - owner.start, owner.allowed));
				if let Err(broken) = owner.check_end() {
					self.broken(broken);
				}
			}
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
			// A level confirmed beyond one jump waits for the council, whose motions may fail
			// (and which resumes one market at a time: another may be waiting too).
			if crate::calls::awaits_risk_origin(*market) {
				continue;
			}
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
		let mut retried: Vec<AccountId> = Vec::new();
		// As a keeper does, until the runtime API lists nobody: a liquidation capped by its
		// market's window can leave an account that a full close (never capped) takes next.
		for _ in 0..KEEPER_PASSES {
			let mut listed_any = false;
			let mut cursor = None;
			loop {
				let (listed, next) =
					pallet_bulwark_margin::Pallet::<Runtime>::liquidatable_page(cursor, 1_000);
				for account in listed {
					if retried.contains(&account.who) {
						continue;
					}
					listed_any = true;
					let own = self.actors.owner[..2].iter().any(|leg| leg.id == account.who);
					let keeper = if own && self.rng.chance(50) {
						self.actors.owner[2].clone()
					} else {
						keeper.clone()
					};
					let outcome = self.apply(
						&keeper,
						RuntimeCall::Margin(pallet_bulwark_margin::Call::liquidate {
							who: account.who.clone(),
						}),
					);
					// A keeper's extrinsic the transaction pool refuses (a session's first
					// block is full: `pallet_session` charges the whole block) waits for the
					// next block; the chain did not refuse the liquidation.
					if outcome.starts_with("invalid:") {
						*self.report.events.entry("keeper refused by a full block").or_default() +=
							1;
						retried.push(account.who);
					}
				}
				match next {
					Some(next) => cursor = Some(next),
					None => break,
				}
			}
			if !listed_any {
				break;
			}
		}
		let accounts: Vec<AccountId> = self
			.actors
			.everyone()
			.map(|a| a.id.clone())
			.filter(|who| !retried.contains(who))
			.collect();
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

	/// Applies `call` from `actor`: dispatched with a signed origin, or (a share) as a signed
	/// extrinsic. Checks the weight it reports against the weight it declared.
	fn apply(&mut self, actor: &Actor, call: RuntimeCall) -> String {
		// Another staker's call into the owner's vault may move value into the owner's shares.
		let other_staker = matches!(call, RuntimeCall::Vaults(_))
			&& !self.actors.owner.iter().any(|a| a.id == actor.id);
		let stakes_before = match (&self.owner, other_staker) {
			(Some(owner), true) => Some(owner.stakes_value()),
			_ => None,
		};
		let outcome = self.dispatch(actor, call);
		if let (Some(before), Some(owner)) = (stakes_before, self.owner.as_mut()) {
			let moved = owner.stakes_value().saturating_sub(before).max(0);
			owner.from_other_stakers = owner.from_other_stakers.saturating_add(moved);
		}
		outcome
	}

	/// Dispatches `call` and records its outcome (`ok`, the error's name, or `invalid:` and
	/// why the transaction was refused), which it returns.
	fn dispatch(&mut self, actor: &Actor, call: RuntimeCall) -> String {
		let metadata = call.get_call_metadata();
		let name = format!("{}.{}", metadata.pallet_name, metadata.function_name);
		let outcome = if self.rng.chance(self.config.signed_percent) {
			match chain::apply(chain::signed(call.clone(), &actor.pair)) {
				Ok(Ok(())) => "ok".to_string(),
				Ok(Err(error)) => error_name(error),
				// A session's first block is full (`pallet_session` charges the whole block for
				// the rotation): every extrinsic is `ExhaustsResources` there.
				Err(invalid) => format!("invalid: {invalid:?}"),
			}
		} else {
			let mut declared = call.get_dispatch_info().call_weight;
			if self.fault_due() == Some(Fault::UnderstatedWeight) {
				declared = declared / 10;
				self.fault_at = Some(self.report.blocks);
			}
			let result = call.clone().dispatch(RuntimeOrigin::signed(actor.id.clone()));
			// A call that reports no actual weight is charged its declared weight.
			let actual = match &result {
				Ok(post) => post.actual_weight,
				Err(error) => error.post_info.actual_weight,
			}
			.unwrap_or_else(|| call.get_dispatch_info().call_weight);
			if actual.any_gt(declared) {
				self.broken(Break::new(
					"weight",
					format!("{name} reported {actual:?}, declared {declared:?}"),
				));
			}
			match result {
				Ok(_) => "ok".to_string(),
				Err(error) => error_name(error.error),
			}
		};
		if outcome == "ok" && is_privileged(&metadata) {
			self.broken(Break::new(
				"origin",
				format!("{name} succeeded from a signed origin: {call:?}"),
			));
		}
		if self.recent.len() == RECENT {
			self.recent.pop_front();
		}
		self.recent.push_back(format!("#{} {name} -> {outcome}: {call:?}", self.chain.number()));
		*self.report.outcomes.entry(name).or_default().entry(outcome.clone()).or_default() += 1;
		self.report.calls += 1;
		outcome
	}

	/// Counts the block's events: fills, cancelled orders, liquidations, bad debts (the
	/// owner's recorded for its check), deleveragings, council motions executed, markets
	/// resumed.
	fn count_events(&mut self) {
		for record in System::events() {
			let name = match record.event {
				RuntimeEvent::Margin(pallet_bulwark_margin::Event::Liquidated { .. }) => {
					"liquidated"
				},
				RuntimeEvent::Margin(pallet_bulwark_margin::Event::BadDebt {
					ref who,
					shortfall,
					..
				}) => {
					if self.actors.owner.iter().any(|a| &a.id == who) {
						self.owner_bad_debt = self.owner_bad_debt.saturating_add(shortfall);
					}
					"bad debt"
				},
				RuntimeEvent::Margin(pallet_bulwark_margin::Event::Deleveraged { .. }) => {
					"deleveraged"
				},
				RuntimeEvent::Margin(pallet_bulwark_margin::Event::Traded { .. }) => "filled",
				RuntimeEvent::Margin(pallet_bulwark_margin::Event::OrderCancelled {
					reason,
					..
				}) => {
					*self.report.cancelled.entry(error_name(reason)).or_default() += 1;
					"order cancelled"
				},
				// Only the risk origin resumes with confirmations (the operators' own resume,
				// back within one jump, has none).
				RuntimeEvent::Oracle(pallet_bulwark_oracle::Event::MarketResumed {
					confirmations,
					..
				}) => {
					if confirmations > 0 {
						"resumed by the council"
					} else {
						"resumed in band"
					}
				},
				RuntimeEvent::Council(pallet_collective::Event::Executed {
					ref result, ..
				}) => {
					if result.is_ok() {
						"motion executed"
					} else {
						"motion failed"
					}
				},
				_ => continue,
			};
			*self.report.events.entry(name).or_default() += 1;
		}
	}
}

/// Calls that only the risk origin (or root) may make: from a signed origin they must fail.
fn is_privileged(metadata: &frame_support::traits::CallMetadata) -> bool {
	matches!(
		(metadata.pallet_name, metadata.function_name),
		("Margin", "set_min_collateral" | "set_market_params" | "enable_market")
			| (
				"Oracle",
				"set_market_params" | "create_market" | "set_operator_params" | "resume_market"
			) | ("Vaults", "write_off" | "set_params")
			| ("Slashing", "cancel_slashes" | "governance_slash" | "set_schedule")
			| ("Insurance", "set_params" | "transfer_between_funds")
			| ("Monitor", "set_params")
	)
}
