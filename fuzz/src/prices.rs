//! The price path the oracle operators follow, per market, in episodes: calm, trending, a crash
//! (steps down under the breaker), a jump (one step past it: the market halts), stale (nobody
//! submits), and a deviating operator (the median must not follow it).

use crate::rng::Rng;

/// What the operators of a market do for some rounds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Episode {
	/// Small steps around the price.
	Calm,
	/// Steps with a drift, in basis points a round.
	Trend(i64),
	/// Steps of -1% to -3% a round (up, a squeeze, once the price has halved from the origin).
	Crash,
	/// One jump of 12% to 30% (either way), then calm: the breaker halts the market.
	Jump,
	/// No submissions: the market goes stale.
	Stale,
	/// One operator submits 20% off; the others are honest.
	Deviate,
}

impl Episode {
	/// A short name, for the report.
	pub fn name(&self) -> &'static str {
		match self {
			Episode::Calm => "calm",
			Episode::Trend(_) => "trend",
			Episode::Crash => "crash",
			Episode::Jump => "jump",
			Episode::Stale => "stale",
			Episode::Deviate => "deviate",
		}
	}
}

/// One market's path.
#[derive(Clone, Debug)]
pub struct Path {
	/// The honest price, in millionths of a bUSD.
	pub price: u128,
	/// The episode under way.
	pub episode: Episode,
	/// Rounds left in it.
	pub left: u32,
	/// The price it started from (the floor of a crash is a fraction of it).
	pub start: u128,
	/// Consecutive rounds of honest prices a quorum submits (calm, trend, one deviating
	/// operator): what a halted or stale market needs to resume.
	pub honest_rounds: u32,
	/// Where the path began: a crash below half of it is a squeeze (the same steps up) and a
	/// trend leans back towards it, so that a long run does not drift to the floor (a market
	/// at a hundredth of its price, and BWK's with it, restricted most of a million calls).
	pub origin: u128,
}

impl Path {
	/// A calm path at `price` (bUSD, millionths).
	pub fn new(price: u128) -> Self {
		Self {
			price,
			episode: Episode::Calm,
			left: 5,
			start: price,
			honest_rounds: 0,
			origin: price,
		}
	}

	/// Moves to the next round: maybe a new episode, then the honest price moves. Returns the
	/// episode that just started, if one did.
	pub fn advance(&mut self, rng: &mut Rng) -> Option<Episode> {
		let mut started = None;
		if self.left == 0 {
			let episode = match rng.weighted(&[45, 15, 12, 6, 7, 10]) {
				0 => Episode::Calm,
				1 => {
					let drift = rng.range(-30, 30);
					// Away from the origin by more than 2x: the trend leans back.
					let lean = if self.price < self.origin / 2 {
						drift.abs()
					} else if self.price > self.origin.saturating_mul(2) {
						-drift.abs()
					} else {
						drift
					};
					Episode::Trend(lean)
				},
				2 => Episode::Crash,
				3 => Episode::Jump,
				4 => Episode::Stale,
				_ => Episode::Deviate,
			};
			self.episode = episode;
			self.left = match episode {
				Episode::Jump => 1,
				Episode::Crash => rng.range(3, 8) as u32,
				Episode::Stale => rng.range(2, 12) as u32,
				// Calm long enough for the volatility estimate to settle and leverage to build.
				Episode::Calm => rng.range(10, 80) as u32,
				_ => rng.range(3, 15) as u32,
			};
			self.start = self.price;
			started = Some(episode);
		}
		self.left = self.left.saturating_sub(1);
		self.honest_rounds = match self.episode {
			Episode::Calm | Episode::Trend(_) | Episode::Deviate => {
				self.honest_rounds.saturating_add(1)
			},
			Episode::Crash | Episode::Jump | Episode::Stale => 0,
		};
		let bps: i64 = match self.episode {
			// A round is 6 s on the dev chain: 4 bps a round is about 90% a year annualized.
			Episode::Calm | Episode::Deviate | Episode::Stale => rng.range(-4, 4),
			Episode::Trend(drift) => drift.saturating_add(rng.range(-4, 4)),
			// Under the breaker's 10% while the EMA follows: longs are liquidated while the
			// market is still `Active`, then it halts.
			Episode::Crash if self.start < self.origin / 2 => rng.range(100, 300),
			Episode::Crash => rng.range(-300, -100),
			Episode::Jump => {
				let size = rng.range(1_200, 3_000);
				if rng.chance(50) {
					size
				} else {
					-size
				}
			},
		};
		let moved = (self.price as i128).saturating_mul(10_000 + bps as i128) / 10_000;
		// Never below a hundredth of where the run began, nor zero.
		self.price = u128::try_from(moved.max(10_000)).unwrap_or(u128::MAX);
		started
	}

	/// What each of `operators` submits this round (`None`: nothing).
	pub fn submissions(&self, operators: usize, rng: &mut Rng) -> Vec<Option<u128>> {
		if self.episode == Episode::Stale {
			return vec![None; operators];
		}
		let deviant = if self.episode == Episode::Deviate {
			Some(rng.below(operators as u64) as usize)
		} else {
			None
		};
		(0..operators)
			.map(|i| {
				// Honest operators differ by up to 0.01%.
				let noise = rng.range(-1, 1) as i128;
				let honest = (self.price as i128).saturating_mul(10_000 + noise) / 10_000;
				let price =
					if Some(i) == deviant { honest.saturating_mul(12) / 10 } else { honest };
				Some(u128::try_from(price.max(1)).unwrap_or(u128::MAX))
			})
			.collect()
	}
}
