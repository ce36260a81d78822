// The security monitor on the dev chain (issue 13), tried as a new user would: with positions
// open in BTC-USD, read the market's attack-cost ratios with `api.call.securityApi.ratios`, ask
// `api.call.securityApi.stressTest` what a 30% drop would do, then open a position large enough
// that corrupting the oracle would pay, and watch the monitor restrict the market on its own:
// reduce-only, twice the initial margin. No custom types.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  FIXED, connect, devAccounts, orderOutcome, placeAndFill, placeOrder, registerOperators, signAndWait, startDevNode,
  submitRound, waitBest,
} from './lib.mjs';

const BUSD = 1_000_000n;
const BTC = 0;

describe('the security monitor on the dev chain', { timeout: 600_000 }, () => {
  let node;
  let api;
  const acc = devAccounts();
  const operators = [acc.alice, acc.bob, acc.charlie];

  before(async () => {
    node = await startDevNode({ port: 9992, name: 'monitor' });
    api = await connect(node.url);
    const staked = await signAndWait(api, api.tx.vaults.stake(BTC, 100_000n * BUSD, 0), acc.dave);
    assert.equal(staked.error, null);
    // 3 x 1,000 bUSD of bonds: half of them (1,500) controls BTC's median; a 10% slash of it costs
    // 150 bUSD.
    await registerOperators(api, operators, operators.map(() => 1_000n * BUSD), BTC);
    await submitRound(api, operators, BTC, [100n, 100n, 100n]);
  });

  after(async () => {
    if (api) await api.disconnect();
    if (node) await node.stop();
  });

  it('reports the ratios and a stress test with positions open', async () => {
    // Ferdie: 20 bUSD on a 1 BTC long (5x: the initial margin is 13% with the oracle's initial
    // volatility); Eve: 1,000 bUSD on 10 BTC (1x).
    const orders = [];
    for (const [who, collateral, units] of [[acc.ferdie, 20n, 1n], [acc.eve, 1_000n, 10n]]) {
      assert.equal((await signAndWait(api, api.tx.margin.deposit(collateral * BUSD), who)).error, null);
      const { error, placed } = await placeOrder(api, who, BTC, units * FIXED, 101n * FIXED);
      assert.equal(error, null);
      orders.push([who, placed]);
    }
    const [, ...outcomes] = await Promise.all([
      submitRound(api, operators, BTC, [100n, 100n, 100n]),
      ...orders.map(([who, placed]) => orderOutcome(api, who, BTC, placed)),
    ]);
    for (const outcome of outcomes) assert.equal(outcome.method, 'Traded', outcome.toString());
    const view = (await api.call.securityApi.ratios(BTC)).unwrap();
    // OI about 1,100 bUSD: oracle ACR = 150 / (1,100 x 10%), about 1.36; vault cover about 90.
    const oracleAcr = Number(view.ratios.oracleAcr.unwrap().toBigInt() * 1000n / FIXED) / 1000;
    assert.ok(oracleAcr > 1.3 && oracleAcr < 1.4, `oracle ACR ${oracleAcr}`);
    assert.ok(view.ratios.vaultCover.unwrap().toBigInt() > 80n * FIXED);
    assert.ok(view.ratios.consensusAcr.isNone, 'BWK-USD is not priced on a fresh dev chain');
    assert.equal(view.controlBond.toBigInt(), 1_500n * BUSD);
    assert.equal(view.params.minOracleAcr.toBigInt(), FIXED);
    assert.ok(view.restriction.isNone);

    // -30%: Ferdie (5x) is wiped out, Eve is not even liquidatable.
    const report = await api.call.securityApi.stressTest([[BTC, -30]]);
    assert.equal(report.markets.length, 1);
    const btc = report.markets[0];
    assert.equal(btc.priceAfter.toBigInt(), 70n * FIXED);
    assert.equal(btc.liquidatableAccounts.toNumber(), 1);
    assert.equal(report.liquidatableAccounts.toNumber(), 1);
    // Ferdie's 1 unit from about 100.05 to 70 on 20 bUSD: about 10 bUSD of bad debt, and the
    // flat 5 bUSD a keeper earns for liquidating a bankrupt account, charged with it.
    const badDebt = btc.badDebt.toBigInt();
    assert.ok(badDebt > 14n * BUSD && badDebt < 16n * BUSD, `bad debt ${badDebt}`);
    assert.ok(btc.vaultNavAfter.toBigInt() > btc.vaultNavBefore.toBigInt(), 'the vault is the longs\' counterparty');
  });

  it('restricts the market on its own once a large position makes the oracle cheap to corrupt', { timeout: 300_000 }, async () => {
    // Eve grows to 60 BTC: OI about 6,100 bUSD, oracle ACR 150 / 610, under its floor of 1.
    const grown = await placeAndFill(api, acc.eve, BTC, 50n * FIXED, 101n * FIXED, () => submitRound(api, operators, BTC, [100n, 100n, 100n]));
    assert.equal(grown.error, null);
    assert.equal(grown.outcome.method, 'Traded', grown.outcome.toString());
    const imfBefore = (await api.call.marginApi.market(BTC)).unwrap().initialMarginFraction.toBigInt();
    // The monitor recomputes every 10 blocks; keep the price fresh meanwhile.
    let restricted = null;
    for (let round = 0; round < 8 && !restricted; round++) {
      await submitRound(api, operators, BTC, [100n, 100n, 100n], { now: round > 0 });
      const found = await api.query.monitor.restricted(BTC);
      if (found.isSome) restricted = found.unwrap();
    }
    assert.ok(restricted, 'BTC-USD was restricted');
    assert.equal(restricted.ratio.toString(), 'OracleAcr');
    assert.ok(restricted.value.toBigInt() < restricted.floor.toBigInt());
    const market = (await api.call.marginApi.market(BTC)).unwrap();
    assert.equal(market.restricted.isTrue, true);
    // Twice the initial margin fraction (volatility decays meanwhile, so at least 1.5x).
    assert.ok(2n * market.initialMarginFraction.toBigInt() >= 3n * imfBefore, `imf ${imfBefore} -> ${market.initialMarginFraction.toBigInt()}`);

    // Reduce-only: a growing order is refused, a reducing one fills.
    const more = await placeOrder(api, acc.eve, BTC, FIXED, 101n * FIXED);
    assert.equal(more.error, 'margin.ReduceOnly');
    const less = await placeAndFill(api, acc.eve, BTC, -10n * FIXED, 90n * FIXED, () => submitRound(api, operators, BTC, [100n, 100n, 100n]));
    assert.equal(less.error, null);
    assert.equal(less.outcome.method, 'Traded', less.outcome.toString());
    const view = (await api.call.securityApi.ratios(BTC)).unwrap();
    assert.ok(view.restriction.isSome);
    const head = (await api.rpc.chain.getHeader()).number.toNumber();
    await waitBest(api, head + 1);
  });
});
