// The security monitor on the dev chain (issues 13 and 29), tried as a new user would: with
// positions open in BTC-USD, read the market's attack-cost ratios and open-interest capacity with
// `api.call.securityApi.ratios`, ask `api.call.securityApi.stressTest` what a 30% drop would do,
// then try to grow the longs past what the oracle's security allows (refused at the fill), raise
// the floor through the risk origin and watch the monitor restrict the market on its own:
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
    node = await startDevNode({ name: 'monitor' });
    api = await connect(node.url);
    const staked = await signAndWait(api, api.tx.vaults.stake(BTC, 100_000n * BUSD, 0), acc.dave);
    assert.equal(staked.error, null);
    // 3 x 1,000 bUSD of bonds: half of the quorum (two thirds of them) controls BTC's median; a
    // 10% slash of it costs 100 bUSD.
    await registerOperators(api, operators, operators.map(() => 1_000n * BUSD), BTC);
    await submitRound(api, operators, BTC, [100n, 100n, 100n]);
  });

  after(async () => {
    if (api) await api.disconnect();
    if (node) await node.stop();
  });

  it('reports the ratios, the open-interest capacity and a stress test with positions open', async () => {
    // Ferdie: 20 bUSD on a 1 BTC long (5x: the initial margin is 13% with the oracle's initial
    // volatility); Eve: 1,000 bUSD on 8 BTC. Longs of 900 bUSD, within the 1,000 the oracle's
    // security allows (below).
    const orders = [];
    for (const [who, collateral, units] of [[acc.ferdie, 20n, 1n], [acc.eve, 1_000n, 8n]]) {
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
    // The quorum is two thirds of the 3,000 bUSD counted (and a unit): half of it, 1,000 bUSD
    // and a unit, sets the median. A 10% slash of it (100 bUSD) against a 10% jump: at most
    // 1,000 bUSD on the larger side for an oracle ACR of 1.
    assert.equal(view.controlBond.toBigInt(), 1_000n * BUSD + 1n);
    assert.equal(view.openInterestCapacity.unwrap().toBigInt(), 1_000n * BUSD);
    assert.equal(view.largestSide.toBigInt(), 900n * BUSD);
    // The ratios read the larger side averaged over 20 blocks (the dev chain's), which is
    // still catching up: the oracle ACR is 100 / (average x 10%), at least 100 / 90.
    const smoothed = view.smoothedLargestSide.toBigInt();
    assert.ok(smoothed > 0n && smoothed <= 900n * BUSD, `smoothed ${smoothed}`);
    const oracleAcr = view.ratios.oracleAcr.unwrap().toBigInt();
    const expected = (100n * BUSD * FIXED) / (smoothed / 10n);
    assert.ok(oracleAcr * 1000n >= expected * 999n && oracleAcr * 1000n <= expected * 1001n, `oracle ACR ${oracleAcr} vs ${expected}`);
    assert.ok(view.ratios.vaultCover.unwrap().toBigInt() > 100n * FIXED);
    assert.ok(view.ratios.consensusAcr.isNone, 'BWK-USD is not priced on a fresh dev chain');
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

  it('refuses a fill beyond the capacity between samples, and restricts the market once the council raises the floor', { timeout: 300_000 }, async () => {
    // Eve grows by 2 BTC: longs of 1,100 bUSD, beyond the 1,000 the oracle's security allows.
    // The fill is refused whenever it comes, not at the monitor's next sample.
    const beyond = await placeAndFill(api, acc.eve, BTC, 2n * FIXED, 101n * FIXED, () => submitRound(api, operators, BTC, [100n, 100n, 100n]));
    assert.equal(beyond.error, null);
    assert.equal(beyond.outcome.method, 'OrderCancelled', beyond.outcome.toString());
    const reason = api.registry.findMetaError(beyond.outcome.data.reason.asModule);
    assert.equal(`${reason.section}.${reason.name}`, 'margin.SecurityCapExceeded');

    // The risk origin (sudo on the dev chain) raises the oracle ACR floor to 2: the market's
    // ratio (about 1.1) is under it, and after 2 samples under it (the dev chain's) the monitor
    // restricts the market on its own.
    const params = (await api.query.monitor.params()).toJSON();
    const raised = await signAndWait(api, api.tx.sudo.sudo(api.tx.monitor.setParams({ ...params, minOracleAcr: 2n * FIXED })), acc.alice);
    assert.equal(raised.error, null);
    const imfBefore = (await api.call.marginApi.market(BTC)).unwrap().initialMarginFraction.toBigInt();
    let restricted = null;
    for (let round = 0; round < 16 && !restricted; round++) {
      await submitRound(api, operators, BTC, [100n, 100n, 100n], { now: round > 0 });
      const found = await api.query.monitor.restricted(BTC);
      if (found.isSome) restricted = found.unwrap();
    }
    assert.ok(restricted, 'BTC-USD was restricted');
    assert.equal(restricted.ratio.toString(), 'OracleAcr');
    assert.equal(restricted.floor.toBigInt(), 2n * FIXED);
    assert.ok(restricted.value.toBigInt() < restricted.floor.toBigInt());
    const market = (await api.call.marginApi.market(BTC)).unwrap();
    assert.equal(market.restricted.isTrue, true);
    // Twice the initial margin fraction (volatility decays meanwhile, so at least 1.5x).
    assert.ok(2n * market.initialMarginFraction.toBigInt() >= 3n * imfBefore, `imf ${imfBefore} -> ${market.initialMarginFraction.toBigInt()}`);

    // Reduce-only: a growing order is refused, a reducing one fills.
    const more = await placeOrder(api, acc.eve, BTC, FIXED, 101n * FIXED);
    assert.equal(more.error, 'margin.ReduceOnly');
    const less = await placeAndFill(api, acc.eve, BTC, -4n * FIXED, 90n * FIXED, () => submitRound(api, operators, BTC, [100n, 100n, 100n]));
    assert.equal(less.error, null);
    assert.equal(less.outcome.method, 'Traded', less.outcome.toString());
    const view = (await api.call.securityApi.ratios(BTC)).unwrap();
    assert.ok(view.restriction.isSome);
    const head = (await api.rpc.chain.getHeader()).number.toNumber();
    await waitBest(api, head + 1);
  });
});
