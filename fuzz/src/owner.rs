//! Invariant 4, `no-risk-free-profit`: one owner holds mirrored positions on two margin accounts
//! (a long and a short of the same size, placed together, so they fill together), keeps a keeper
//! account that liquidates and deleverages them, and stakes in the same market's vault around it
//! all. Market [`OWNER_MARKET`] is the owner's alone (the other traders trade market 0), so every
//! bUSD the owner gains there comes out of another party: the other stakers, insurance.
//!
//! The owner's value is the bUSD its three accounts hold, their margin equity (collateral plus
//! unrealized PnL less funding, at the market's median whatever its status) and its vault
//! shares at the vault's NAV. After every block, its rise in the block is at most:
//! - the bad debt its own accounts left that block (a hedged pair gains the bankrupt leg's
//!   shortfall: the residual risk that margins, the breaker and insurance price);
//! - what its unhedged size earns from the price move (`|net| x |Δprice|`, with `net` the larger
//!   of before and after: a liquidation or deleveraging of one leg, a cancelled leg);
//! - what closing its unhedged size could earn from the skew premium (`net² x price / skew
//!   scale`, before and after: the owner's net is the market's skew);
//! - what other stakers' calls moved into its vault shares (a leaver's `exit_nav` haircut, the
//!   rounding of minted shares);
//! - one unit per account of rounding.
//!
//! Everything else the owner can do (trade, liquidate or deleverage itself, stake and unstake
//! around it) must cost it fees and penalties, never pay.

use crate::invariants::Break;
use bulwark_primitives::{MarketId, MarketStatus};
use bulwark_runtime::{AccountId, Busd, Runtime};
use frame_support::traits::fungible::Inspect;

/// The owner's market: nobody else trades it.
pub const OWNER_MARKET: MarketId = 1;

/// Units of rounding allowed per account per block.
const ROUNDING: i128 = 1;

/// What the owner had at the end of the last block.
#[derive(Clone, Debug)]
pub struct OwnerLedger {
	/// Its accounts: the long leg, the short leg, the keeper and staker.
	pub accounts: [AccountId; 3],
	/// Its value then.
	pub value: i128,
	/// Its value when the run started.
	pub start: i128,
	/// Its net size then (long leg plus short leg), base units x 10^18.
	net: i128,
	/// The oracle price then, bUSD units.
	price: i128,
	/// The sum of what each block allowed, for the end of the run.
	pub allowed: i128,
	/// What other stakers' calls moved into the owner's vault shares this block: a leaving
	/// staker is paid `exit_nav` and leaves the rest of its shares' NAV to those who stay, and
	/// shares are minted rounded down.
	pub from_other_stakers: i128,
}

/// bUSD units (10^-6) of a price in bUSD per base unit.
fn price_units(price: sp_runtime::FixedU128) -> i128 {
	i128::try_from(price.into_inner() / 1_000_000_000_000).unwrap_or(i128::MAX)
}

/// `size x price / 10^18`: bUSD units of `size` base units (x 10^18) at `price` bUSD units.
fn notional(size: i128, price: i128) -> i128 {
	let product = sp_core::U256::from(size.unsigned_abs())
		* sp_core::U256::from(price.unsigned_abs())
		/ sp_core::U256::from(1_000_000_000_000_000_000u128);
	i128::try_from(product.low_u128()).unwrap_or(i128::MAX)
}

impl OwnerLedger {
	/// Starts from the owner's value now.
	pub fn new(accounts: [AccountId; 3]) -> Self {
		let mut ledger = Self {
			accounts,
			value: 0,
			start: 0,
			net: 0,
			price: 0,
			allowed: 0,
			from_other_stakers: 0,
		};
		ledger.value = ledger.current_value();
		ledger.start = ledger.value;
		ledger.net = ledger.current_net();
		ledger.price = Self::current_price();
		ledger
	}

	fn current_price() -> i128 {
		pallet_bulwark_oracle::Pallet::<Runtime>::price_info(OWNER_MARKET)
			.map_or(0, |info| price_units(info.price))
	}

	/// The owner's net size in its market.
	pub fn current_net(&self) -> i128 {
		self.accounts
			.iter()
			.filter_map(pallet_bulwark_margin::Accounts::<Runtime>::get)
			.map(|account| account.size_in(OWNER_MARKET).into_inner())
			.fold(0i128, |sum, size| sum.saturating_add(size))
	}

	/// The owner's value: bUSD held, margin equity, vault shares at what a withdrawal pays.
	pub fn current_value(&self) -> i128 {
		let mut value: i128 = 0;
		for who in &self.accounts {
			let held = <Busd as Inspect<_>>::total_balance(who);
			value = value.saturating_add(i128::try_from(held).unwrap_or(i128::MAX));
			value = value.saturating_add(Self::equity_at_median(who));
			value = value.saturating_add(Self::stake_value(who));
		}
		value
	}

	/// `who`'s margin equity with every leg at its market's median, whatever the status (a
	/// liquidation values a halted leg at the price worse for it; valued so, a hedged pair would
	/// seem to lose while a market is halted and gain when it resumes).
	fn equity_at_median(who: &AccountId) -> i128 {
		let Some(view) = pallet_bulwark_margin::Pallet::<Runtime>::account_view(who) else {
			return 0;
		};
		let mut equity = i128::try_from(view.collateral).unwrap_or(i128::MAX);
		for position in view.positions {
			let median = pallet_bulwark_oracle::Pallet::<Runtime>::price_info(position.market)
				.map_or(0, |info| info.price.into_inner());
			let entry = position.entry_price.into_inner();
			let size = position.signed_size.into_inner();
			// size x (median - entry): base units and prices both x 10^18, bUSD x 10^6.
			let magnitude = sp_core::U256::from(size.unsigned_abs())
				* sp_core::U256::from(median.abs_diff(entry))
				/ sp_core::U256::from(10u128.pow(30));
			let magnitude = i128::try_from(magnitude.low_u128()).unwrap_or(i128::MAX);
			let pnl = if (size < 0) == (median < entry) { magnitude } else { -magnitude };
			equity = equity.saturating_add(pnl).saturating_sub(position.funding_owed);
		}
		equity
	}

	/// What the owner's vault shares are worth at the vault's NAV.
	pub fn stakes_value(&self) -> i128 {
		self.accounts.iter().map(Self::stake_value).fold(0i128, |sum, v| sum.saturating_add(v))
	}

	/// What `who`'s shares in the owner's vault are worth at its NAV (active and unbonding).
	/// Not at `exit_nav`, what a withdrawal pays now: that leaves out traders' unrealized
	/// losses, which the owner's equity counts, so realizing a loss would seem to pay the owner
	/// its share of it.
	fn stake_value(who: &AccountId) -> i128 {
		pallet_bulwark_vaults::Pallet::<Runtime>::api_staker(OWNER_MARKET, who)
			.map_or(0, |staker| i128::try_from(staker.value).unwrap_or(i128::MAX))
	}

	/// What closing `net` at the skew it makes could earn from the premium: `net² x price /
	/// skew scale`.
	fn premium_potential(net: i128, price: i128) -> i128 {
		let scale = pallet_bulwark_margin::Markets::<Runtime>::get(OWNER_MARKET)
			.map_or(0, |info| info.params.skew_scale.into_inner());
		if scale == 0 {
			return 0;
		}
		let scale = i128::try_from(scale).unwrap_or(i128::MAX);
		// net / scale as a ratio (both x 10^18), times the notional.
		let notional = notional(net, price);
		let product = sp_core::U256::from(notional.unsigned_abs())
			* sp_core::U256::from(net.unsigned_abs())
			/ sp_core::U256::from(scale.unsigned_abs());
		i128::try_from(product.low_u128()).unwrap_or(i128::MAX)
	}

	/// After a block: the owner's value rose by no more than the block allows. `bad_debt` is
	/// what the block's `BadDebt` events record for the owner's accounts.
	pub fn check(&mut self, bad_debt: u128) -> Result<(), Break> {
		let value = self.current_value();
		let net = self.current_net();
		let price = Self::current_price();
		let exposed = self.net.unsigned_abs().max(net.unsigned_abs());
		let exposed = i128::try_from(exposed).unwrap_or(i128::MAX);
		let moved = notional(exposed, price.saturating_sub(self.price).abs());
		let premium = Self::premium_potential(self.net, self.price)
			.saturating_add(Self::premium_potential(net, price));
		let from_other_stakers = std::mem::take(&mut self.from_other_stakers);
		let allowed = i128::try_from(bad_debt)
			.unwrap_or(i128::MAX)
			.saturating_add(from_other_stakers)
			.saturating_add(moved)
			.saturating_add(premium)
			.saturating_add(ROUNDING.saturating_mul(3));
		let rose = value.saturating_sub(self.value);
		let result = if rose > allowed {
			Err(Break::new(
				"no-risk-free-profit",
				format!(
					"the hedged owner's value rose {rose} bUSD units in the block, at most \
					 {allowed} allowed (own bad debt {bad_debt}, from other stakers \
					 {from_other_stakers}, unhedged size {exposed} moved {moved}, premium \
					 {premium}); net {} -> {net}, price {} -> {price}",
					self.net, self.price
				),
			))
		} else {
			Ok(())
		};
		// Over the run, a premium is earned when the unhedged size shrinks, once.
		let run_allowed = if net.unsigned_abs() < self.net.unsigned_abs() {
			allowed
		} else {
			allowed.saturating_sub(premium)
		};
		self.allowed = self.allowed.saturating_add(run_allowed);
		self.value = value;
		self.net = net;
		self.price = price;
		result
	}

	/// At the end of the run, with everything closed: the owner ended with no more than it
	/// started with and what the blocks allowed.
	pub fn check_end(&self) -> Result<(), Break> {
		let gained = self.value.saturating_sub(self.start);
		if gained > self.allowed {
			return Err(Break::new(
				"no-risk-free-profit",
				format!(
					"the hedged owner ended {gained} bUSD units up, more than the {} the run \
					 allowed",
					self.allowed
				),
			));
		}
		Ok(())
	}

	/// Whether either leg still holds a position.
	pub fn has_positions(&self) -> bool {
		self.accounts[..2].iter().any(|who| {
			pallet_bulwark_margin::Accounts::<Runtime>::get(who)
				.is_some_and(|account| !account.positions.is_empty())
		})
	}

	/// Whether the owner's market is usable for closing.
	pub fn market_active() -> bool {
		pallet_bulwark_oracle::Pallet::<Runtime>::price_info(OWNER_MARKET)
			.is_some_and(|info| info.status == MarketStatus::Active)
	}
}

/// Lowers the owner's long entry by 1%, in its position and the market's aggregates alike (as
/// a fill booked at a better price than the market's would): consistent state that only the
/// owner's value can show. `None` if the long leg has no position.
pub fn book_better_entry(long: &AccountId) -> Option<()> {
	let mut account = pallet_bulwark_margin::Accounts::<Runtime>::get(long)?;
	let position = account.positions.iter_mut().find(|p| p.market == OWNER_MARKET)?;
	let mut info = pallet_bulwark_margin::Markets::<Runtime>::get(OWNER_MARKET)?;
	let aggregates = pallet_bulwark_margin::math::aggregate_remove(
		info.aggregates,
		position.size,
		position.entry_price,
		position.entry_index,
	)?;
	position.entry_price =
		sp_runtime::FixedU128::from_inner(position.entry_price.into_inner() / 100 * 99);
	info.aggregates = pallet_bulwark_margin::math::aggregate_add(
		aggregates,
		position.size,
		position.entry_price,
		position.entry_index,
	)?;
	pallet_bulwark_margin::Markets::<Runtime>::insert(OWNER_MARKET, info);
	pallet_bulwark_margin::Accounts::<Runtime>::insert(long, account);
	Some(())
}
