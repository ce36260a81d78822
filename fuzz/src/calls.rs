//! The call generators: a weighted table of what the actors do, each generator drawing its
//! arguments from the run's random stream and the state (sizes from collateral, limits from the
//! honest price, shares from the staker's own).

use crate::{
	owner::OWNER_MARKET,
	rng::Rng,
	run::{fixed_busd, Actor, Run},
};
use bulwark_primitives::MarketId;
use bulwark_runtime::{Runtime, RuntimeCall, BUSD, BWK};
use codec::{Decode, Encode};
use frame_support::dispatch::GetDispatchInfo;
use pallet_bulwark_margin::Call as Margin;
use sp_runtime::{FixedI128, FixedU128, Perbill};

/// The market the traders other than the owner trade.
pub const TRADERS_MARKET: MarketId = 0;

/// Generators and their weights, in the order of [`Run::next_calls`]'s match.
const WEIGHTS: [u64; 24] = [
	2,  // 0 margin deposit
	3,  // 1 margin withdraw
	20, // 2 place_order
	1,  // 3 place_close_order
	5,  // 4 liquidate a random trader
	6,  // 5 liquidate the first account the runtime API lists
	3,  // 6 deleverage
	1,  // 7 settle
	2,  // 8 vault stake
	2,  // 9 vault request_unstake
	2,  // 10 vault withdraw
	1,  // 11 insurance contribution
	3,  // 12 bUSD transfer
	1,  // 13 BWK transfer
	1,  // 14 oracle bond top-up
	3,  // 15 staking
	2,  // 16 a council motion's next step
	1,  // 17 a privileged call from a signed origin
	4,  // 18 the owner opens mirrored legs
	1,  // 19 the owner closes both legs
	2,  // 20 the owner's keeper liquidates a leg
	1,  // 21 the owner's keeper deleverages a leg
	2,  // 22 the owner stakes, unstakes or withdraws in its market's vault
	1,  // 23 the owner moves margin in or out
];

/// Both markets.
const MARKET_IDS: [MarketId; 2] = [0, 1];

/// `lo` to `hi` whole bUSD, in units.
fn busd(rng: &mut Rng, lo: i64, hi: i64) -> u128 {
	rng.range(lo, hi).unsigned_abs() as u128 * BUSD
}

/// The base units (x 10^18) of `notional` bUSD units at `price` bUSD units.
fn size_of(notional: u128, price: u128) -> i128 {
	let units = notional.saturating_mul(1_000_000_000_000_000_000) / price.max(1);
	i128::try_from(units).unwrap_or(i128::MAX)
}

impl Run {
	/// The honest price of `market` on its path, bUSD units.
	fn honest_price(&self, market: MarketId) -> u128 {
		self.paths.get(market as usize).map_or(100 * BUSD, |path| path.price)
	}

	/// `percent` of the notional `who`'s free margin (equity less the initial margin its
	/// positions need) allows at `market`'s initial margin fraction.
	fn leveraged_notional(&self, who: &Actor, market: MarketId, percent: u128) -> u128 {
		let free = match pallet_bulwark_margin::Pallet::<Runtime>::account_view(&who.id) {
			Some(view) => view.equity.max(0).unsigned_abs().saturating_sub(view.initial_margin),
			None => 0,
		};
		let imf = pallet_bulwark_margin::Pallet::<Runtime>::market_view(market)
			.map_or(FixedU128::from_rational(1, 20), |v| v.initial_margin_fraction);
		let most = free.saturating_mul(1_000_000_000_000_000_000) / imf.into_inner().max(1);
		most.saturating_mul(percent) / 100
	}

	/// The next calls and who makes them: usually one, two for the owner's mirrored legs.
	pub(crate) fn next_calls(&mut self) -> Vec<(Actor, RuntimeCall)> {
		let market = TRADERS_MARKET;
		let trader = self.rng.pick(&self.actors.traders).clone();
		let keeper = self.rng.pick(&self.actors.keepers).clone();
		let staker = self.rng.pick(&self.actors.stakers).clone();
		let median = self.honest_price(market);
		let rng = &mut self.rng;
		let call = match rng.weighted(&WEIGHTS) {
			0 => (trader, RuntimeCall::Margin(Margin::deposit { amount: busd(rng, 10, 300) })),
			1 => (trader, RuntimeCall::Margin(Margin::withdraw { amount: busd(rng, 1, 500) })),
			2 => {
				// Either 30% to 90% of what the initial margin allows (most orders: leverage
				// that crashes liquidate) or 5 to 50,000 bUSD of notional.
				let notional = if self.rng.chance(80) {
					let percent = self.rng.range(50, 100) as u128;
					self.leveraged_notional(&trader, market, percent)
				} else {
					busd(&mut self.rng, 5, 50_000)
				};
				let size = size_of(notional, median);
				// Half the traders lean long, half short: most of their orders add to one side,
				// so they carry leverage into the crashes and squeezes that liquidate them.
				let leans_long = self
					.actors
					.traders
					.iter()
					.position(|t| t.id == trader.id)
					.is_some_and(|index| index % 2 == 0);
				let buy = self.rng.chance(if leans_long { 85 } else { 15 });
				let slack = u128::try_from(self.rng.range(-1, 10)).unwrap_or(0);
				let limit = if buy {
					median.saturating_mul(100 + slack) / 100
				} else {
					median.saturating_mul(100u128.saturating_sub(slack)) / 100
				};
				let expires_in_rounds = self.rng.below(11) as u32;
				(
					trader,
					RuntimeCall::Margin(Margin::place_order {
						market,
						size_delta: FixedI128::from_inner(if buy { size } else { -size }),
						limit_price: fixed_busd(limit),
						expires_in_rounds,
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
				let (listed, _) =
					pallet_bulwark_margin::Pallet::<Runtime>::liquidatable_page(None, 100);
				let Some(first) = listed.first() else { return Vec::new() };
				(keeper, RuntimeCall::Margin(Margin::liquidate { who: first.who.clone() }))
			},
			6 => {
				let who = rng.pick(&self.actors.traders).id.clone();
				(keeper, RuntimeCall::Margin(Margin::deleverage { market, who }))
			},
			7 => (keeper, RuntimeCall::Margin(Margin::settle { market: *rng.pick(&MARKET_IDS) })),
			8 => (
				staker,
				RuntimeCall::Vaults(pallet_bulwark_vaults::Call::stake {
					market: *rng.pick(&MARKET_IDS),
					amount: busd(rng, 10, 5_000),
					min_shares: 0,
				}),
			),
			9 => {
				let market = *rng.pick(&MARKET_IDS);
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
					market: *rng.pick(&MARKET_IDS),
					min_amount: 0,
				}),
			),
			11 => (
				// Contributions come from their own account: the stakers' wallets fund the
				// vaults (when they funded insurance too, the vaults drained within 7,000 blocks
				// and most orders were cancelled for want of capacity).
				self.actors.insurer.clone(),
				RuntimeCall::Insurance(pallet_bulwark_insurance::Call::contribute {
					fund: pallet_bulwark_insurance::Fund::Market(*rng.pick(&MARKET_IDS)),
					amount: busd(rng, 1, 200),
				}),
			),
			12 => {
				let to = rng.pick(&self.actors.traders).id.clone();
				(
					trader,
					RuntimeCall::Busd(pallet_balances::Call::transfer_keep_alive {
						dest: to.into(),
						value: busd(rng, 1, 1_000),
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
			14 => {
				let operator = rng.pick(&self.actors.operators).clone();
				(
					operator,
					RuntimeCall::Oracle(pallet_bulwark_oracle::Call::top_up {
						amount: busd(rng, 1, 100),
					}),
				)
			},
			15 => return vec![self.staking_call()],
			16 => return self.council_step().into_iter().collect(),
			17 => return vec![self.privileged_call()],
			18 => return self.owner_open(),
			19 => return self.owner_close(),
			20 => {
				let leg = rng.pick(&self.actors.owner[..2]).id.clone();
				(self.actors.owner[2].clone(), RuntimeCall::Margin(Margin::liquidate { who: leg }))
			},
			21 => {
				let leg = rng.pick(&self.actors.owner[..2]).id.clone();
				(
					self.actors.owner[2].clone(),
					RuntimeCall::Margin(Margin::deleverage { market: OWNER_MARKET, who: leg }),
				)
			},
			22 => {
				let owner = self.actors.owner[2].clone();
				let call = match rng.below(3) {
					0 => pallet_bulwark_vaults::Call::stake {
						market: OWNER_MARKET,
						amount: busd(rng, 100, 20_000),
						min_shares: 0,
					},
					1 => {
						let shares =
							pallet_bulwark_vaults::Stakers::<Runtime>::get(OWNER_MARKET, &owner.id)
								.map_or(1, |s| s.active);
						pallet_bulwark_vaults::Call::request_unstake {
							market: OWNER_MARKET,
							shares: shares.saturating_mul(rng.range(10, 100) as u128) / 100,
						}
					},
					_ => pallet_bulwark_vaults::Call::withdraw {
						market: OWNER_MARKET,
						min_amount: 0,
					},
				};
				(owner, RuntimeCall::Vaults(call))
			},
			_ => {
				let leg = rng.pick(&self.actors.owner[..2]).clone();
				let call = if rng.chance(50) {
					Margin::deposit { amount: busd(rng, 10, 500) }
				} else {
					Margin::withdraw { amount: busd(rng, 10, 500) }
				};
				(leg, RuntimeCall::Margin(call))
			},
		};
		vec![call]
	}

	/// A staking call of a staker or trader: bond, bond more, nominate the validator, validate,
	/// chill, unbond, withdraw what unbonded.
	fn staking_call(&mut self) -> (Actor, RuntimeCall) {
		use pallet_staking::Call as Staking;
		let actors: Vec<Actor> =
			self.actors.stakers.iter().chain(self.actors.traders.iter().take(4)).cloned().collect();
		let who = self.rng.pick(&actors).clone();
		let validator = self.actors.operators[0].id.clone();
		let rng = &mut self.rng;
		let value = rng.range(1, 2_000) as u128 * BWK;
		let call = match rng.below(7) {
			0 => Staking::bond { value, payee: pallet_staking::RewardDestination::Staked },
			1 => Staking::bond_extra { max_additional: value },
			2 => Staking::nominate { targets: vec![validator.into()] },
			3 => Staking::validate { prefs: Default::default() },
			4 => Staking::chill {},
			5 => Staking::unbond { value },
			_ => Staking::withdraw_unbonded { num_slashing_spans: 0 },
		};
		(who, RuntimeCall::Staking(call))
	}

	/// The risk council's next step: a member proposes a risk motion (resuming a halted market
	/// that awaits it first; else market 0's fees and liquidation penalty, sometimes invalid, or
	/// the minimum collateral), votes on the open one, or closes it.
	fn council_step(&mut self) -> Option<(Actor, RuntimeCall)> {
		type Council = pallet_collective::Instance1;
		let council = self.actors.council();
		let member = self.rng.pick(&council).clone();
		let open = pallet_collective::Proposals::<Runtime, Council>::get();
		if let Some(hash) = open.first().copied() {
			// `Votes` keeps its fields private; its encoding starts with the motion's index.
			let voting = pallet_collective::Voting::<Runtime, Council>::get(hash)?.encode();
			let index = u32::decode(&mut &voting[..]).ok()?;
			let proposal = pallet_collective::ProposalOf::<Runtime, Council>::get(hash)?;
			let call = if self.rng.chance(60) {
				pallet_collective::Call::vote {
					proposal: hash,
					index,
					approve: self.rng.chance(80),
				}
			} else {
				pallet_collective::Call::close {
					proposal_hash: hash,
					index,
					proposal_weight_bound: proposal.get_dispatch_info().call_weight,
					length_bound: u32::try_from(proposal.encoded_size()).unwrap_or(u32::MAX),
				}
			};
			return Some((member, RuntimeCall::Council(call)));
		}
		// A closed motion's deposit stays held until released (anyone may): a member holds at most
		// five, and the proposer's next motion would be refused.
		let closed = pallet_collective::CostOf::<Runtime, Council>::iter_keys()
			.find(|hash| !pallet_collective::ProposalOf::<Runtime, Council>::contains_key(hash));
		if let Some(proposal_hash) = closed {
			return Some((
				member,
				RuntimeCall::Council(pallet_collective::Call::release_proposal_cost {
					proposal_hash,
				}),
			));
		}
		let motion = if let Some(market) = awaiting_risk_origin() {
			// A halted market whose new level the operators confirmed beyond one jump.
			RuntimeCall::Oracle(pallet_bulwark_oracle::Call::resume_market { market })
		} else if self.rng.chance(50) {
			RuntimeCall::Margin(Margin::set_min_collateral { amount: busd(&mut self.rng, 1, 60) })
		} else {
			let mut params = pallet_bulwark_margin::Markets::<Runtime>::get(TRADERS_MARKET)?.params;
			params.taker_fee = Perbill::from_parts(self.rng.range(0, 3_000_000) as u32);
			params.maker_fee = Perbill::from_parts(params.taker_fee.deconstruct() / 2);
			params.liquidation_penalty = Perbill::from_parts(self.rng.range(0, 30_000_000) as u32);
			params.keeper_reward = Perbill::from_parts(self.rng.range(0, 10_000_000) as u32);
			RuntimeCall::Margin(Margin::set_market_params { market: TRADERS_MARKET, params })
		};
		let length_bound = u32::try_from(motion.encoded_size()).unwrap_or(u32::MAX);
		Some((
			member,
			RuntimeCall::Council(pallet_collective::Call::propose {
				// Two thirds of the council (four of the dev council's five).
				threshold: u32::try_from((2 * council.len()).div_ceil(3)).unwrap_or(u32::MAX),
				proposal: Box::new(motion),
				length_bound,
			}),
		))
	}

	/// A privileged call from a trader's signed origin: `origin` checks that it fails.
	fn privileged_call(&mut self) -> (Actor, RuntimeCall) {
		let trader = self.rng.pick(&self.actors.traders).clone();
		let call = match self.rng.below(6) {
			0 => RuntimeCall::Margin(Margin::set_min_collateral { amount: BUSD }),
			5 => RuntimeCall::Oracle(pallet_bulwark_oracle::Call::resume_market {
				market: TRADERS_MARKET,
			}),
			1 => RuntimeCall::Margin(Margin::set_market_params {
				market: TRADERS_MARKET,
				params: Default::default(),
			}),
			2 => RuntimeCall::Vaults(pallet_bulwark_vaults::Call::write_off { market: 0 }),
			3 => RuntimeCall::Slashing(pallet_bulwark_slashing::Call::cancel_slashes {
				offender: bulwark_primitives::SlashTarget::Vault(TRADERS_MARKET),
			}),
			_ => RuntimeCall::Oracle(pallet_bulwark_oracle::Call::set_market_params {
				market: TRADERS_MARKET,
				params: Default::default(),
			}),
		};
		(trader, call)
	}

	/// The owner's mirrored legs: the same size long and short, limits 10% either side of the
	/// honest price, placed one after the other so that they fill together. When a leg was cut
	/// (a liquidation, a deleveraging, a cancelled order), the larger leg is cut to match first.
	fn owner_open(&mut self) -> Vec<(Actor, RuntimeCall)> {
		let [long, short, _] = self.actors.owner.clone();
		let price = self.honest_price(OWNER_MARKET);
		let order = |size: i128, limit: u128| {
			RuntimeCall::Margin(Margin::place_order {
				market: OWNER_MARKET,
				size_delta: FixedI128::from_inner(size),
				limit_price: fixed_busd(limit),
				expires_in_rounds: 2,
			})
		};
		let size_of_leg = |leg: &Actor| {
			pallet_bulwark_margin::Accounts::<Runtime>::get(&leg.id)
				.map_or(0, |a| a.size_in(OWNER_MARKET).into_inner())
		};
		let net = size_of_leg(&long).saturating_add(size_of_leg(&short));
		if net > 0 {
			return vec![(long, order(-net, price.saturating_mul(90) / 100))];
		}
		if net < 0 {
			return vec![(short, order(-net, price.saturating_mul(110) / 100))];
		}
		let percent = self.rng.range(30, 90) as u128;
		let notional = self
			.leveraged_notional(&long, OWNER_MARKET, percent)
			.min(self.leveraged_notional(&short, OWNER_MARKET, percent));
		let size = size_of(notional, price);
		if size == 0 {
			return Vec::new();
		}
		vec![
			(long, order(size, price.saturating_mul(110) / 100)),
			(short, order(-size, price.saturating_mul(90) / 100)),
		]
	}

	/// Both of the owner's legs closed, at any price.
	pub(crate) fn owner_close(&mut self) -> Vec<(Actor, RuntimeCall)> {
		let [long, short, _] = self.actors.owner.clone();
		let price = self.honest_price(OWNER_MARKET);
		let close = |limit: u128| {
			RuntimeCall::Margin(Margin::place_close_order {
				market: OWNER_MARKET,
				limit_price: fixed_busd(limit),
				expires_in_rounds: 3,
			})
		};
		vec![(long, close(price / 2)), (short, close(price.saturating_mul(2)))]
	}
}

/// A halted market whose new level is confirmed but beyond one jump from its pre-halt EMA: only
/// the risk origin resumes it (issue 29, item 4).
pub(crate) fn awaiting_risk_origin() -> Option<bulwark_primitives::MarketId> {
	pallet_bulwark_oracle::Prices::<Runtime>::iter_keys().find(|market| awaits_risk_origin(*market))
}

/// Whether `market` is halted at a level confirmed beyond one jump, waiting for the council.
pub(crate) fn awaits_risk_origin(market: bulwark_primitives::MarketId) -> bool {
	let Some(state) = pallet_bulwark_oracle::Prices::<Runtime>::get(market) else { return false };
	pallet_bulwark_oracle::Markets::<Runtime>::get(market)
		.is_some_and(|info| state.awaits_risk_origin(info.params.confirm_rounds).is_some())
}
