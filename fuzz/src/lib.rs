//! A seeded runtime fuzzer (issue 23): random calls against `bulwark_runtime::Runtime`
//! in-process, from the `dev` genesis preset, blocks built the way a node builds them, with
//! named invariants checked after every block.
//!
//! A run is a pure function of its seed and its number of calls: a failing seed replays. Each
//! block applies a random number of calls drawn from a weighted table of generators, from a pool
//! of actors (oracle operators feeding a price path, vault stakers, traders, keepers). Most calls
//! are dispatched with a signed origin (fast); a share goes through `Executive::apply_extrinsic`
//! as signed extrinsics, so fees, nonces and the transaction extensions run too.
//!
//! Invariants after every block (each a named check, see [`invariants`]):
//! 1. `no-panic` and `weight`: no dispatch panics, and none reports more weight than it declared;
//! 2. `issuance`: each token's total issuance equals the sum of its accounts;
//! 3. `try-state`: every Bulwark pallet's `try_state`.

pub mod chain;
pub mod invariants;
pub mod prices;
pub mod rng;
pub mod run;

pub use run::{Config, Fault, Report, Run};
