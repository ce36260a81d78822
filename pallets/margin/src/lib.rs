//! # Margin pallet (in progress, issue 11)
//!
//! The margin engine: margin accounts, trades against each market's vault, funding, margin that
//! follows volatility, and (issue 12) keeper liquidations. This first part holds its pure math
//! ([`math`]): fill price from skew, maker and taker fees, funding, the volatility-scaled margin
//! fractions with the maintenance ramp, margin requirements, equity and liquidation prices, each
//! tested against stated reference values; and the governed per-market parameters ([`types`]) with
//! their defaults and hard bounds. Storage, calls and hooks follow.

#![cfg_attr(not(feature = "std"), no_std)]

pub mod math;
pub mod types;
