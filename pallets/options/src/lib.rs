//! # Options (issue 28, part 1 of 2)
//!
//! European calls and puts and cash-or-nothing binaries on oracle markets, bought from the
//! market's staking vault, which writes them, priced by Black-Scholes on the oracle's volatility
//! and settled at expiry (`docs/architecture.md`, design section 12). This far: the math
//! (`math`), pure fixed point, tested against an independent reference table. The pallet
//! (listing, orders, the vault as writer, settlement) follows.
#![cfg_attr(not(feature = "std"), no_std)]

pub mod math;
