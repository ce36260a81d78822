//! A seeded runtime fuzzer (issue 23): random calls against `bulwark_runtime::Runtime`
//! in-process, from the `dev` genesis preset, blocks built the way a node builds them, with
//! named invariants checked after every block.
//!
//! A run is a pure function of its seed and its number of calls: a failing seed replays. Each
//! block applies a random number of calls drawn from a weighted table of generators
//! ([`calls`]), from a pool of actors: oracle operators feeding a price path ([`prices`]),
//! vault stakers who nominate with BWK (operators and stakers are the five-member risk
//! council), traders leaning long or short, third-party keepers, an insurer, and a hedged
//! owner ([`owner`]). Most calls are dispatched with a signed origin (fast); a share goes
//! through `Executive::apply_extrinsic` as signed extrinsics, so fees, nonces and the
//! transaction extensions run too.
//!
//! Invariants after every block (each a named check):
//! 1. `no-panic` and `weight`: no dispatch or hook panics, and no dispatch reports (or is
//!    charged) more weight than it declared;
//! 2. `issuance` and `issuance-events`: each token's total issuance equals the sum of its
//!    accounts, and moves only by what the block's events announce;
//! 3. `try-state`: every Bulwark pallet's `try_state`;
//! 4. `no-risk-free-profit`: the hedged owner's value rises in no block by more than its own bad
//!    debt, its unhedged size's earnings and what other stakers left in its vault shares; at the
//!    end of the run, everything closed, by no more than the run allowed ([`owner`]);
//! 5. `liveness`: after a keeper pass, no account below maintenance with usable prices is left
//!    that `liquidate` would take or refuses (but for its market's liquidation cap), and a
//!    market with 30 rounds of honest prices is `Active`.
//!
//! Also `origin`: a privileged call from a signed origin never succeeds.

pub mod calls;
pub mod chain;
pub mod invariants;
pub mod owner;
pub mod prices;
pub mod rng;
pub mod run;

pub use run::{Config, Fault, Report, Run};
