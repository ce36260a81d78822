//! # Bulwark primitives
//!
//! Shared types and the traits through which Bulwark's pallets talk to each other. A pallet never
//! names another pallet's crate: it asks for one of these traits in its `Config`, the runtime wires
//! the implementing pallet, and the pallet's mock runtime stubs it.
//!
//! ```text
//! primitives  <-  oracle, vaults, insurance, slashing  <-  margin  <-  runtime  <-  node
//! ```
//!
//! | trait | implemented by | used by |
//! |---|---|---|
//! | [`PriceFeed`] | oracle | margin, security monitor |
//! | [`OffenceReporter`] | slashing | oracle (deviation, liveness) |
//! | [`Slashable`] | oracle (operator bonds), vaults (stake) | slashing |
//! | [`VaultSettlement`] | vaults | margin |
//! | [`InsuranceFund`] | insurance | margin, slashing, vaults |
//! | [`OpenInterest`] | margin | insurance, vaults, security monitor |
//! | [`UnrealizedPnl`] | margin | vaults (NAV) |
//! | [`MarketRegistry`] | oracle | vaults |
//! | [`ValidatorSlashes`] | runtime (pallet-staking) | slashing |
//! | [`SlashPending`] | slashing | oracle (bond withdrawal), vaults |
//! | [`MarketRestriction`] | security monitor | margin |
//! | [`OracleSecurity`] | oracle | security monitor |
//! | [`DeviationSlash`] | slashing | security monitor |
//! | [`ValidatorStake`] | runtime (pallet-staking) | security monitor |
//! | [`InsuranceBalances`] | insurance | security monitor |
//! | [`MarginTotals`] | margin | security monitor |
//! | [`CollateralLedger`] | margin | options |
//! | [`WrittenOptions`] | options | vaults (NAV, reserve) |
//!
//! Conventions (design brief, section 2): prices are [`Price`] (`FixedU128`, bUSD per unit of base
//! asset); position sizes are [`SignedSize`] (`FixedI128` base units, positive = long); notional,
//! collateral and PnL are [`Balance`] in bUSD's smallest unit (6 decimals).

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

use alloc::vec::Vec;

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{
	pallet_prelude::{ConstU32, DispatchResult, Weight},
	BoundedVec,
};
use scale_info::TypeInfo;
use sp_runtime::{DispatchError, FixedI128, FixedU128, Perbill};

/// Balance of either token (BWK or bUSD), in the token's smallest unit.
pub type Balance = u128;
/// Block number of the Bulwark chain.
pub type BlockNumber = u32;
/// Identifier of a perpetual market (and of its vault and insurance fund).
pub type MarketId = u32;
/// An oracle price: bUSD per one unit of the base asset.
pub type Price = FixedU128;
/// A signed position size in base units: positive is long, negative is short.
pub type SignedSize = FixedI128;
/// Oracle round number; a round is a fixed number of blocks.
pub type RoundIndex = u32;

/// Token units.
pub mod currency {
	use super::Balance;

	/// Decimals of BWK, the native token (fees, validator staking, council).
	pub const BWK_DECIMALS: u8 = 12;
	/// One BWK.
	pub const BWK: Balance = 1_000_000_000_000;
	/// Decimals of bUSD, the settlement token (margin, vault stake, bonds, insurance).
	pub const BUSD_DECIMALS: u8 = 6;
	/// One bUSD.
	pub const BUSD: Balance = 1_000_000;
}

/// Whether a market's price may be used, as reported by the oracle.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
	Default,
)]
pub enum MarketStatus {
	/// Fresh price from a quorum of operators: trading and liquidations allowed.
	#[default]
	Active,
	/// No quorum for longer than the maximum price age: the last price is not fresh and must
	/// not be used to open exposure or to liquidate.
	Stale,
	/// The circuit breaker tripped (the median jumped too far from the EMA): no new exposure and
	/// no liquidations at the jumped price until a price is validated (a median back near the
	/// pre-halt EMA, or the new level confirmed by consecutive rounds after a cooldown).
	Halted,
}

/// A market's price as served to consumers.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
)]
pub struct PriceInfo {
	/// Last aggregated (median) price.
	pub price: Price,
	/// Exponential moving average of the median.
	pub ema_price: Price,
	/// EWMA estimate of the **annualized** volatility of log returns: the standard deviation
	/// of a year's log return under a random walk, `sqrt(variance per round x rounds per year)`
	/// with a year of 365 days of 24 hours (markets never close). 0.8 is 80% a year. A return
	/// spanning `k` rounds without a price counts as `k` rounds of variance, not one.
	pub volatility: FixedU128,
	/// Block at which `price` was last aggregated.
	pub updated_at: BlockNumber,
	/// The oracle round whose submissions `price` is the median of (aggregated in the first
	/// block of the round after it). A consumer that must not fill at a price already public
	/// when an order was placed compares it with the order's round.
	pub round: RoundIndex,
	/// Whether the price may be used.
	pub status: MarketStatus,
}

/// Source of market prices. Implemented by the oracle pallet.
pub trait PriceFeed {
	/// The price info of `market`, or `None` if the market does not exist or never had a price.
	/// Callers must check [`PriceInfo::status`]: a `Stale` or `Halted` price is not fresh.
	fn price_info(market: MarketId) -> Option<PriceInfo>;

	/// The oracle round the current block belongs to: submissions made in it are public at
	/// once and aggregate in the first block of the next round.
	fn current_round() -> RoundIndex;
}

/// Longest reason a governance slash may carry, in bytes.
pub const MAX_GOVERNANCE_REASON_LEN: u32 = 128;
/// Why the risk council slashed: free text or a hash of the motion's rationale.
pub type GovernanceReason = BoundedVec<u8, ConstU32<MAX_GOVERNANCE_REASON_LEN>>;

/// What a slash falls on.
#[derive(
	Clone,
	PartialEq,
	Eq,
	PartialOrd,
	Ord,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
)]
pub enum SlashTarget<AccountId> {
	/// An oracle operator's bond (active and unbonding).
	Operator(AccountId),
	/// A market's staking vault: every share, active or unbonding, loses the same fraction.
	Vault(MarketId),
}

/// A misbehaviour to be punished by the slashing pallet.
#[derive(
	Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug,
)]
pub enum OffenceKind<AccountId> {
	/// An oracle operator's submission deviated from the round's median by more than the
	/// deviation threshold.
	OracleDeviation {
		/// The operator.
		operator: AccountId,
		/// The market of the deviating price.
		market: MarketId,
		/// The round of the submission.
		round: RoundIndex,
		/// |submitted - median| / median.
		deviation: Perbill,
	},
	/// An oracle operator missed `missed` rounds in a row.
	OracleLiveness {
		/// The operator.
		operator: AccountId,
		/// Consecutive rounds missed.
		missed: u32,
	},
	/// A slash decided by the risk council (`RiskOrigin`), for what no automatic rule catches.
	Governance {
		/// Whose stake is slashed.
		target: SlashTarget<AccountId>,
		/// The fraction of the target's stake the council asked for.
		fraction: Perbill,
		/// Why.
		reason: GovernanceReason,
	},
}

impl<AccountId: Clone> OffenceKind<AccountId> {
	/// Whose stake the offence puts at risk.
	pub fn offender(&self) -> SlashTarget<AccountId> {
		match self {
			Self::OracleDeviation { operator, .. } | Self::OracleLiveness { operator, .. } => {
				SlashTarget::Operator(operator.clone())
			},
			Self::Governance { target, .. } => target.clone(),
		}
	}

	/// The market whose insurance fund receives the proceeds; `None` for the global fund (an
	/// offence not tied to one market).
	pub fn market(&self) -> Option<MarketId> {
		match self {
			Self::OracleDeviation { market, .. } => Some(*market),
			Self::OracleLiveness { .. } => None,
			Self::Governance { target: SlashTarget::Vault(market), .. } => Some(*market),
			Self::Governance { target: SlashTarget::Operator(_), .. } => None,
		}
	}
}

/// Receiver of offence reports. Implemented by the slashing pallet; the oracle reports through
/// it. Reports are deferred there and may be cancelled by governance before they apply.
pub trait OffenceReporter<AccountId> {
	/// Record an offence. `reporter`, if any, is paid a governed share of the slash.
	fn report_offence(
		reporter: Option<AccountId>,
		offence: OffenceKind<AccountId>,
	) -> DispatchResult;

	/// Upper bound of the weight of one [`Self::report_offence`], which the reporting pallet
	/// adds to its own (the oracle's aggregation hook charges it per report).
	fn report_offence_weight() -> Weight;
}

/// `()` drops reports: for runtimes or mocks without a slashing pallet.
impl<AccountId> OffenceReporter<AccountId> for () {
	fn report_offence(_: Option<AccountId>, _: OffenceKind<AccountId>) -> DispatchResult {
		Ok(())
	}

	fn report_offence_weight() -> Weight {
		Weight::zero()
	}
}

/// Something whose stake can be slashed: an oracle operator's bond, a market's vault.
/// Implemented by the oracle and vaults pallets; called by the slashing pallet.
pub trait Slashable<Target, AccountId> {
	/// The stake currently exposed to a slash of `target` (active and unbonding), so that the
	/// slashing pallet can estimate a pending slash.
	fn slashable_balance(target: &Target) -> Balance;

	/// Blocks that stake stays slashable after its owner asks to leave. The slashing pallet
	/// checks that this is longer than its deferral, so that no one escapes a pending slash.
	fn unbonding_period() -> BlockNumber;

	/// Slash `fraction` of `target`'s exposed stake and pay the proceeds to `beneficiary`
	/// (normally an insurance fund). Returns the amount actually moved, which may be less than
	/// asked if the stake shrank since the offence.
	fn slash(
		target: &Target,
		fraction: Perbill,
		beneficiary: &AccountId,
	) -> Result<Balance, DispatchError>;
}

/// The settlement counterparty of a market: its staking vault. Implemented by the vaults pallet,
/// used by the margin engine, which settles each market in batches (design brief section 7):
/// trades move no bUSD; what traders, the vault and insurance owe each other accrues per market
/// in the engine, and one `collect` or `pay` per market settles it between the engine's custody
/// account and the vault's stake.
pub trait VaultSettlement<AccountId> {
	/// Net asset value of the market's vault in bUSD: held stake, plus what the engine owes the
	/// vault and has not settled, minus traders' unrealized PnL, floored at zero.
	fn nav(market: MarketId) -> Balance;

	/// Credit the vault's stake with `amount` taken from `custody` (a batch of trader losses,
	/// fees and funding). Fails, moving nothing, if `custody` lacks it.
	fn collect(market: MarketId, custody: &AccountId, amount: Balance) -> DispatchResult;

	/// Pay `amount` of the vault's stake to `custody` (a batch of trader profits). Fails, moving
	/// nothing, above the vault's held stake.
	fn pay(market: MarketId, custody: &AccountId, amount: Balance) -> DispatchResult;

	/// Bad debt of `shortfall` (a trader's loss beyond their collateral, owed to the vault and
	/// never to be paid): the market's insurance covers what it can straight into the vault's
	/// stake, the vault absorbs the rest, and an event records both. A vault left with no
	/// equity and shares outstanding is written off. Returns `(covered, absorbed)`.
	///
	/// Call it after the engine removed the closed position from its aggregates (so that
	/// [`UnrealizedPnl`] no longer counts it): the write-off reads the vault's equity.
	fn absorb_bad_debt(market: MarketId, shortfall: Balance) -> (Balance, Balance);

	/// Cash the vault can pay traders: held stake plus what the engine owes it unsettled
	/// (negative when the vault owes), floored at zero. The engine auto-deleverages when
	/// traders' unrealized profit grows too large against it.
	fn payable_cash(market: MarketId) -> Balance;

	/// bUSD held as the vault's stake: [`Self::payable_cash`] before what the engine owes it
	/// unsettled, for an engine that holds that balance itself (one read, not a valuation).
	fn held_stake(market: MarketId) -> Balance;

	/// Open-interest notional the vault may back: NAV x max vault leverage.
	fn max_open_interest(market: MarketId) -> Balance;

	/// Net skew notional the vault may back: NAV x max skew ratio.
	fn max_skew(market: MarketId) -> Balance;

	/// Upper bound of the weight of [`Self::collect`] or [`Self::pay`], which the caller
	/// charges per settlement.
	fn settle_weight() -> Weight;

	/// Upper bound of the weight of [`Self::absorb_bad_debt`].
	fn absorb_bad_debt_weight() -> Weight;
}

/// Whether a slash of a target is pending. Implemented by the slashing pallet; the oracle (an
/// operator's bond) and the vaults (a vault's stake) refuse to release stake while one is, so
/// that a slash reported late in an unbonding period, or raised with a fresh deferral, still
/// finds the stake.
pub trait SlashPending<AccountId> {
	/// Whether `target` has a slash reported and not yet applied or cancelled.
	fn slash_pending(target: &SlashTarget<AccountId>) -> bool;
}

/// `()`: nothing is ever pending.
impl<AccountId> SlashPending<AccountId> for () {
	fn slash_pending(_: &SlashTarget<AccountId>) -> bool {
		false
	}
}

/// Deferred validator slashes of pallet-staking, cancelled by who they fall on rather than by
/// their position in the era's list (positions shift when another slash is cancelled first).
/// Implemented by the runtime; used by the slashing pallet's `cancel_validator_slash`.
pub trait ValidatorSlashes<AccountId> {
	/// Cancel every deferred slash of `validator` in `era`. Returns how many were cancelled
	/// (0: none found, nothing changed).
	fn cancel(era: u32, validator: &AccountId) -> Result<u32, DispatchError>;

	/// Upper bound of the weight of one [`Self::cancel`].
	fn cancel_weight() -> Weight;
}

/// `()`: no validator slashes to cancel.
impl<AccountId> ValidatorSlashes<AccountId> for () {
	fn cancel(_: u32, _: &AccountId) -> Result<u32, DispatchError> {
		Ok(0)
	}

	fn cancel_weight() -> Weight {
		Weight::zero()
	}
}

/// Which markets exist. Implemented by the oracle, where markets are listed.
pub trait MarketRegistry {
	/// Whether `market` is listed.
	fn market_exists(market: MarketId) -> bool;
}

/// Traders' aggregate position in a market, as the vault (their counterparty) marks it.
/// Implemented by the margin engine; the vaults mark NAV to it.
///
/// Contract, for both methods: **O(1)** in the number of positions (read from per-market
/// aggregates, never by iterating accounts), marked to the oracle's current price, and **net of
/// accrued funding** (funding traders owe the vault lowers their PnL). A stale or halted price
/// is still the mark: the vaults freeze withdrawals themselves while the price is not Active.
pub trait UnrealizedPnl {
	/// Sum of the unrealized PnL of all open positions in `market`: positive when traders are
	/// winning (the vault is losing).
	fn unrealized_trader_pnl(market: MarketId) -> i128;

	/// What the engine owes the vault of `market` and has not settled yet: trader losses, fees
	/// and funding collected into custody (positive), less realized trader profits the vault
	/// owes and has not paid (negative).
	fn unsettled_vault_balance(market: MarketId) -> i128;
}

/// `()`: no open positions anywhere.
impl UnrealizedPnl for () {
	fn unrealized_trader_pnl(_: MarketId) -> i128 {
		0
	}

	fn unsettled_vault_balance(_: MarketId) -> i128 {
		0
	}
}

/// Open interest per market. Implemented by the margin engine; read by insurance (coverage
/// ratio), the vaults (reserved capital) and the security monitor. O(1) per call.
pub trait OpenInterest {
	/// Notional open interest (longs plus shorts) of `market` in bUSD at the current price.
	fn open_interest(market: MarketId) -> Balance;

	/// Net skew notional, `|longs - shorts|`, of `market` in bUSD at the current price: what
	/// the vault holds as the other side.
	fn net_skew(market: MarketId) -> Balance;

	/// The larger side's notional, `max(longs, shorts)`, of `market` in bUSD at the current
	/// price: the most one price move can win (a hedged book wins nothing from it).
	fn largest_side(market: MarketId) -> Balance;
}

/// `()` reports no open interest: for runtimes or mocks without a margin engine.
impl OpenInterest for () {
	fn open_interest(_: MarketId) -> Balance {
		0
	}

	fn net_skew(_: MarketId) -> Balance {
		0
	}

	fn largest_side(_: MarketId) -> Balance {
		0
	}
}

/// Per-market insurance funds and a global fund. Implemented by the insurance pallet.
pub trait InsuranceFund<AccountId> {
	/// The account holding `market`'s fund; slashes and fees are paid into it.
	fn fund_account(market: MarketId) -> AccountId;
	/// Move `amount` from `from` into `market`'s fund.
	fn deposit(market: MarketId, from: &AccountId, amount: Balance) -> DispatchResult;
	/// Move `amount` from `from` into the global fund (proceeds not tied to one market).
	fn deposit_global(from: &AccountId, amount: Balance) -> DispatchResult;
	/// Pay up to `shortfall` to `to`: from the market fund, then from the global fund within its
	/// rolling allowance. Returns what was covered, or the error of a payment that failed (for
	/// example to an account that cannot be opened with that amount); nothing moves then.
	fn cover(
		market: MarketId,
		to: &AccountId,
		shortfall: Balance,
	) -> Result<Balance, DispatchError>;

	/// Upper bound of the weight of [`Self::deposit`] or [`Self::deposit_global`].
	fn deposit_weight() -> Weight;

	/// Upper bound of the weight of [`Self::cover`].
	fn cover_weight() -> Weight;
}

/// Markets the security monitor restricted to reducing trades (design brief section 9).
/// Implemented by the monitor; read by the margin engine, which then refuses exposure-increasing
/// trades in the market.
pub trait MarketRestriction {
	/// Whether `market` is restricted to reducing trades.
	fn is_restricted(market: MarketId) -> bool;

	/// What the market's initial margin fraction is multiplied by (1 unless restricted).
	fn imf_multiplier(_market: MarketId) -> FixedU128 {
		FixedU128::from_u32(1)
	}

	/// The most the market's larger side may hold, in bUSD notional, for attacking its oracle
	/// to still cost more than it wins (`None`: no limit): an order that takes the larger side
	/// beyond it is refused.
	fn open_interest_capacity(_market: MarketId) -> Option<Balance> {
		None
	}
}

/// `()`: no market is ever restricted.
impl MarketRestriction for () {
	fn is_restricted(_: MarketId) -> bool {
		false
	}
}

/// What corrupting each market's oracle costs. Implemented by the oracle, read by the security
/// monitor.
pub trait OracleSecurity {
	/// Every listed market, in id order: `(market, control bond, max price jump)`. The control
	/// bond is the least bond that sets the market's bond-weighted median: half the bond of the
	/// operators counted for it (a coalition of them), and at least the minimum operator bond;
	/// the max price jump bounds the move a controlled median can make without tripping the
	/// breaker.
	fn market_security() -> Vec<(MarketId, Balance, Perbill)>;
}

/// The largest fraction of an operator's bond a deviation offence can slash. Implemented by the
/// slashing pallet.
pub trait DeviationSlash {
	/// The cap of the deviation slash schedule.
	fn max_deviation_slash() -> Perbill;
}

/// What corrupting consensus costs. Implemented by the runtime over pallet-staking.
pub trait ValidatorStake {
	/// The least slashable exposure behind enough validators to stall finality, in BWK's
	/// smallest unit: the sum of the smallest `ceil(n / 3)` exposures of the `n` active
	/// validators, an invulnerable validator's counted as zero (its stake cannot be slashed).
	fn cheapest_stall_exposure() -> Balance;
}

/// `()`: nothing is staked.
impl ValidatorStake for () {
	fn cheapest_stall_exposure() -> Balance {
		0
	}
}

/// Insurance fund balances, read without moving anything. Implemented by the insurance pallet.
pub trait InsuranceBalances {
	/// bUSD in `market`'s fund.
	fn fund_balance(market: MarketId) -> Balance;
	/// bUSD in the global fund.
	fn global_balance() -> Balance;
	/// What the global fund may still pay out in its current draw window.
	fn global_allowance() -> Balance;
}

/// Totals of the margin engine. Implemented by the margin engine.
pub trait MarginTotals {
	/// Traders' collateral in custody, all markets.
	fn total_collateral() -> Balance;

	/// Off-chain only (it reads every account): what moving each market of `prices` to its
	/// price would do. Accounts with a position in a shocked market are marked at the shocked
	/// prices (their other positions at the oracle's), with the margin fractions a liquidation
	/// would use now.
	fn shock(prices: &[(MarketId, Price)]) -> ShockReport;
}

/// One market's share of a [`ShockReport`].
#[derive(Clone, Copy, PartialEq, Eq, Default, Encode, Decode, TypeInfo, Debug)]
pub struct MarketShock {
	/// The shocked market.
	pub market: MarketId,
	/// Accounts with a position in it that the shock leaves liquidatable.
	pub liquidatable_accounts: u32,
	/// Bad debt those accounts' liquidations would leave to this market (attributed as a
	/// liquidation does: to the account's losing markets in position order).
	pub bad_debt: Balance,
	/// Traders' unrealized PnL net of funding as the vault marks it, now.
	pub trader_pnl_before: i128,
	/// The same at the shocked price.
	pub trader_pnl_after: i128,
}

/// What a price shock does to the margin engine's accounts.
#[derive(Clone, PartialEq, Eq, Default, Encode, Decode, TypeInfo, Debug)]
pub struct ShockReport {
	/// Per shocked market, in the order given.
	pub markets: Vec<MarketShock>,
	/// Accounts left liquidatable, each counted once.
	pub liquidatable_accounts: u32,
}

/// Option premiums and payouts, moved through traders' margin collateral. Implemented by the
/// margin engine, used by the options pallet. No bUSD moves: collateral, an escrow and each
/// market's unsettled vault and insurance balances are ledgers on the engine's custody account,
/// which the engine settles with the vault and the insurance fund in batches.
pub trait CollateralLedger<AccountId> {
	/// Move `amount` of `who`'s collateral into escrow (an order's most it may pay), by a
	/// withdrawal's rules: what is left covers the initial margin of `who`'s positions and the
	/// margin its pending orders reserve, every market it is in having an `Active` price.
	/// Fails, changing nothing, otherwise.
	fn escrow(who: &AccountId, amount: Balance) -> DispatchResult;

	/// Release `escrowed` of `who`'s escrow: `to_vault` becomes owed to `market`'s vault,
	/// `to_insurance` to its insurance fund, the rest returns to `who`'s collateral. Fails,
	/// changing nothing, if the two exceed `escrowed`, escrow holds less, or the market has no
	/// settlement ledger.
	fn release(
		who: &AccountId,
		market: MarketId,
		escrowed: Balance,
		to_vault: Balance,
		to_insurance: Balance,
	) -> DispatchResult;

	/// Credit `amount` to `who`'s collateral (opening its account if needed), owed by
	/// `market`'s vault, which also owes `to_insurance` to the market's insurance fund.
	fn pay_from_vault(
		who: &AccountId,
		market: MarketId,
		amount: Balance,
		to_insurance: Balance,
	) -> DispatchResult;

	/// All escrow, for the caller's invariant: it equals the sum of what the caller escrowed.
	fn total_escrowed() -> Balance;
}

/// The options the vaults wrote, as a vault's value counts them. Implemented by the options
/// pallet, read by the vaults. O(1): per-market values the options pallet revalues every oracle
/// round and moves at every fill.
pub trait WrittenOptions {
	/// What `market`'s vault owes its option holders at the model price (at the settlement price
	/// once settled and not yet paid): a liability its NAV subtracts.
	fn written_value(market: MarketId) -> Balance;

	/// The same at the worse of two shocked prices (the price moved by the governed reserve
	/// shock either way): the vault holds back the difference from withdrawals.
	fn stressed_value(market: MarketId) -> Balance;

	/// The written options valued now at `price` instead of the oracle's (the model, settled
	/// series at their payout). O(series): for the security monitor's samples and stress test.
	fn value_at(market: MarketId, price: Price) -> Balance;

	/// Upper bound of the weight of [`Self::value_at`] once for each of `markets` markets
	/// (only the markets the options pallet allows can have a book to value).
	fn value_at_weight(markets: u32) -> Weight;
}

/// `()`: no options written.
impl WrittenOptions for () {
	fn written_value(_: MarketId) -> Balance {
		0
	}

	fn stressed_value(_: MarketId) -> Balance {
		0
	}

	fn value_at(_: MarketId, _: Price) -> Balance {
		0
	}

	fn value_at_weight(_: u32) -> Weight {
		Weight::zero()
	}
}
