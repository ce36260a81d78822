// The margin engine on the dev chain (issues 11 and 21), tried as a new user would: a staker
// backs the BTC-USD vault, three operators price it, a trader deposits bUSD, places a long order
// with `api.tx.margin.placeOrder` that fills two oracle rounds later at a median nobody knew when
// it was placed, reads its health with `api.call.marginApi.account`, and after the oracle price
// rises closes at a profit the vault pays (`placeCloseOrder`), then withdraws it. No custom types.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  FIXED, connect, devAccounts, findEvent, orderOutcome, placeAndFill, placeOrder, registerOperators, signAndWait,
  startDevNode, submitRound, waitBest,
} from './lib.mjs';

const BUSD = 1_000_000n;
const BTC = 0;

describe('margin trading on the dev chain', { timeout: 600_000 }, () => {
  let node;
  let api;
  const acc = devAccounts();
  const operators = [acc.alice, acc.bob, acc.charlie];
  const trader = acc.eve;

  before(async () => {
    node = await startDevNode({ name: 'margin' });
    api = await connect(node.url);
    const staked = await signAndWait(api, api.tx.vaults.stake(BTC, 100_000n * BUSD, 0), acc.dave);
    assert.equal(staked.error, null);
    await registerOperators(api, operators, operators.map(() => 10_000n * BUSD), BTC);
  });

  after(async () => {
    if (api) await api.disconnect();
    if (node) await node.stop();
  });

  it('lists the genesis markets as enabled for trading', async () => {
    const market = (await api.call.marginApi.market(BTC)).unwrap();
    assert.equal(market.longOpenInterest.toBigInt(), 0n);
    assert.equal(market.params.baseImf.toBigInt(), FIXED / 20n, 'base imf 5%');
  });

  it('deposits, opens a long and reads the account through the runtime API', async () => {
    await submitRound(api, operators, BTC, [100n, 100n, 100n]);
    const deposited = await signAndWait(api, api.tx.margin.deposit(1_000n * BUSD), trader);
    assert.equal(deposited.error, null);
    assert.ok(findEvent(deposited.events, 'margin', 'Deposited'));

    // The quote estimates the fill at today's median: 100 x (1 + 10 / 20,000) = 100.05; taker
    // fee 0.06% of 1,000.5 = 0.6003 bUSD.
    const quote = (await api.call.marginApi.quote(trader.address, BTC, 10n * FIXED)).asOk;
    assert.equal(quote.fillPrice.toBigInt(), 10_005n * FIXED / 100n);
    assert.equal(quote.fee.toBigInt(), 600_300n);

    // The order is pending, with its margin reserved (imf x 10 x 101), until the hook fills it
    // at the median of the next round's submissions.
    const { error, placed } = await placeOrder(api, trader, BTC, 10n * FIXED, 101n * FIXED);
    assert.equal(error, null);
    const pending = (await api.call.marginApi.account(trader.address)).unwrap();
    assert.equal(pending.positions.length, 0);
    assert.equal(pending.orders.length, 1);
    assert.equal(pending.orders[0].round.toNumber(), placed.data.round.toNumber());
    assert.equal(pending.orders[0].dueRound.toNumber(), placed.data.round.toNumber() + 2);
    const reserved = pending.reservedMargin.toBigInt();
    assert.equal(pending.orders[0].reserved.toBigInt(), reserved);
    // At least the base 5% of 1,010 bUSD (volatility raises it).
    assert.ok(reserved >= 50_500_000n, `reserved ${reserved}`);
    const [, event] = await Promise.all([
      submitRound(api, operators, BTC, [100n, 100n, 100n]),
      orderOutcome(api, trader, BTC, placed),
    ]);
    assert.equal(event.method, 'Traded', event.toString());
    assert.equal(event.data.fillPrice.toBigInt(), 10_005n * FIXED / 100n);
    assert.equal(event.data.sizeAfter.toBigInt(), 10n * FIXED);
    assert.ok(event.data.priceRound.toNumber() > event.data.orderRound.toNumber());

    const account = (await api.call.marginApi.account(trader.address)).unwrap();
    assert.equal(account.collateral.toBigInt(), 1_000n * BUSD - 600_300n);
    assert.equal(account.positions.length, 1);
    const position = account.positions[0];
    assert.equal(position.market.toNumber(), BTC);
    assert.equal(position.signedSize.toBigInt(), 10n * FIXED);
    assert.equal(position.entryPrice.toBigInt(), 10_005n * FIXED / 100n);
    assert.equal(account.liquidatable.isTrue, false);
    assert.ok(account.initialMargin.toBigInt() > 0n && account.maintenanceMargin.toBigInt() > 0n);
    assert.ok(position.liquidationPrice.isSome);

    const market = (await api.call.marginApi.market(BTC)).unwrap();
    assert.equal(market.skew.toBigInt(), 10n * FIXED);
    assert.equal(market.longOpenInterest.toBigInt(), 1_000n * BUSD);
  });

  it('closes at a profit the vault pays after the oracle price rises, and withdraws it', async () => {
    await submitRound(api, operators, BTC, [105n, 105n, 105n]);
    const account = (await api.call.marginApi.account(trader.address)).unwrap();
    assert.ok(account.positions[0].unrealizedPnl.toBigInt() > 45n * BUSD, account.toString());

    const closed = await placeAndFill(api, trader, BTC, null, 0, () => submitRound(api, operators, BTC, [105n, 105n, 105n]));
    assert.equal(closed.error, null);
    assert.equal(closed.outcome.method, 'Traded', closed.outcome.toString());
    const realized = closed.outcome.data.realizedPnl.toBigInt();
    // Sold 10 at 105 x (1 + 10 / 20,000) = 105.0525 against an entry of 100.05, less funding.
    assert.ok(realized > 49n * BUSD && realized <= 50_025_000n, `realized ${realized}`);

    // The next block's hook settles: the vault pays custody the trader's profit.
    const block = (await api.rpc.chain.getHeader()).number.toNumber();
    await waitBest(api, block + 2);
    const vault = await api.call.vaultsApi.vault(BTC);
    assert.ok(vault.nav.toBigInt() < 100_000n * BUSD, `vault NAV ${vault.nav.toBigInt()}`);

    const collateral = (await api.call.marginApi.account(trader.address)).unwrap().collateral.toBigInt();
    assert.ok(collateral > 1_045n * BUSD, `collateral ${collateral}`);
    const before = (await api.query.busd.account(trader.address)).free.toBigInt();
    const withdrawn = await signAndWait(api, api.tx.margin.withdraw(collateral), trader);
    assert.equal(withdrawn.error, null);
    const after = (await api.query.busd.account(trader.address)).free.toBigInt();
    assert.equal(after - before, collateral);
    assert.ok((await api.call.marginApi.account(trader.address)).isNone);
  });

  it('liquidates leveraged accounts after a 30% crash, found through the keeper API', { timeout: 300_000 }, async () => {
    // Let the oracle follow a crash without halting: the largest jump governance may allow.
    const markets = await api.call.oracleApi.markets();
    const params = markets.find(([id]) => id.toNumber() === BTC)[3].toJSON();
    const set = await signAndWait(api, api.tx.sudo.sudo(api.tx.oracle.setMarketParams(BTC, { ...params, maxPriceJump: 500_000_000 })), acc.alice);
    assert.equal(set.error, null);
    // The earlier 5% moves in 6-second rounds drove the annualized volatility, and with it the
    // initial margin, to its ceiling (50%): margin that follows volatility. For this test the
    // council (Root here) sets the volatility coefficient to 0: 5% initial margin.
    const marginParams = (await api.call.marginApi.market(BTC)).unwrap().params.toJSON();
    const setMargin = await signAndWait(api, api.tx.sudo.sudo(api.tx.margin.setMarketParams(BTC, { ...marginParams, volCoeff: 0 })), acc.alice);
    assert.equal(setMargin.error, null);
    assert.ok(findEvent(setMargin.events, 'margin', 'MarketParamsSet'));
    await submitRound(api, operators, BTC, [100n, 100n, 100n]);

    // Eve: 3.2 units on 100 bUSD (about 31x her equity at 70); Ferdie: 4 units (bankrupt at 70).
    const keeper = acc.dave;
    const positions = [[acc.eve, 32n * FIXED / 10n], [acc.ferdie, 4n * FIXED]];
    const orders = [];
    for (const [who, units] of positions) {
      const deposited = await signAndWait(api, api.tx.margin.deposit(100n * BUSD), who);
      assert.equal(deposited.error, null);
      const { error, placed } = await placeOrder(api, who, BTC, units, 101n * FIXED);
      assert.equal(error, null);
      orders.push([who, placed]);
    }
    const [, ...outcomes] = await Promise.all([
      submitRound(api, operators, BTC, [100n, 100n, 100n]),
      ...orders.map(([who, placed]) => orderOutcome(api, who, BTC, placed)),
    ]);
    for (const outcome of outcomes) assert.equal(outcome.method, 'Traded', outcome.toString());
    const none = await api.call.marginApi.liquidatable(null, 10);
    assert.equal(none[0].length, 0, 'nobody is liquidatable before the crash');

    // 100 -> 85 -> 70 over two rounds.
    await submitRound(api, operators, BTC, [85n, 85n, 85n]);
    await submitRound(api, operators, BTC, [70n, 70n, 70n], { now: true });
    const [page, cursor] = await api.call.marginApi.liquidatable(null, 10);
    const found = page.map((v) => v.who.toString()).sort();
    assert.deepEqual(found, [acc.eve.address, acc.ferdie.address].sort());
    assert.ok(cursor.isNone);

    // Eve: equity left, closed in full (below half her maintenance): penalty and keeper reward.
    const fundBefore = (await api.call.insuranceApi.fundInfo(BTC))[0].toBigInt();
    const eve = await signAndWait(api, api.tx.margin.liquidate(acc.eve.address), keeper);
    assert.equal(eve.error, null);
    const liquidated = findEvent(eve.events, 'margin', 'Liquidated').data;
    const reward = liquidated.keeperReward.toBigInt();
    const penalty = liquidated.penalty.toBigInt();
    assert.ok(reward > 0n && penalty > reward, `penalty ${penalty}, reward ${reward}`);
    const keeperAccount = (await api.call.marginApi.account(keeper.address)).unwrap();
    assert.equal(keeperAccount.collateral.toBigInt(), reward);
    // The insurance share reaches the fund with the next block's settlement.
    const block = (await api.rpc.chain.getHeader()).number.toNumber();
    await waitBest(api, block + 2);
    const fundAfter = (await api.call.insuranceApi.fundInfo(BTC))[0].toBigInt();
    assert.ok(fundAfter - fundBefore >= penalty - reward, `fund grew ${fundAfter - fundBefore}`);

    // Ferdie: bankrupt; insurance covers what it can into the vault, the vault absorbs the rest.
    const ferdie = await signAndWait(api, api.tx.margin.liquidate(acc.ferdie.address), keeper);
    assert.equal(ferdie.error, null);
    const badDebt = findEvent(ferdie.events, 'margin', 'BadDebt').data;
    const shortfall = badDebt.shortfall.toBigInt();
    assert.ok(shortfall > 0n);
    assert.equal(badDebt.covered.toBigInt() + badDebt.absorbed.toBigInt(), shortfall);
    assert.ok(findEvent(ferdie.events, 'vaults', 'BadDebtAbsorbed'));
    assert.ok((await api.call.marginApi.account(acc.ferdie.address)).isNone);
    assert.equal((await api.call.marginApi.liquidatable(null, 10))[0].length, 0);
  });
});
