// Oracle on the dev chain (issue 3): operators register with bUSD bonds, submit prices for the
// genesis market BTC-USD (id 0) in one round, for free, and the aggregate is read through the
// runtime API `OracleApi` with no custom types. A far-off price then shows up as a pending slash
// through `SlashingApi` (issue 5), which the risk origin cancels.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FIXED, connect, devAccounts, findEvent, signAndWait, startDevNode, submitRound } from './lib.mjs';

const BUSD = 1_000_000n;
const BTC = 0;

describe('oracle on the dev chain', { timeout: 300_000 }, () => {
  let node;
  let api;
  const acc = devAccounts();
  const operators = [acc.alice, acc.bob, acc.charlie];

  before(async () => {
    node = await startDevNode({ name: 'oracle' });
    api = await connect(node.url);
  });

  after(async () => {
    if (api) await api.disconnect();
    if (node) await node.stop();
  });

  it('lists the genesis markets through the runtime API', async () => {
    const markets = await api.call.oracleApi.markets();
    const symbols = markets.map(([, symbol]) => Buffer.from(symbol.toU8a(true)).toString());
    assert.deepEqual(symbols, ['BTC-USD', 'ETH-USD', 'BWK-USD']);
  });

  it('registers operators with held bonds', async () => {
    const bond = 10_000n * BUSD;
    const results = await Promise.all(operators.map((op) => signAndWait(api, api.tx.oracle.registerOperator(bond), op)));
    for (const r of results) {
      assert.equal(r.error, null);
      assert.ok(findEvent(r.events, 'oracle', 'OperatorRegistered'));
    }
    // They feed BTC only: declared, so a BTC price is a complete submission (no liveness
    // offence for skipping ETH).
    for (const op of operators) {
      const r = await signAndWait(api, api.tx.oracle.setMarkets([BTC]), op);
      assert.equal(r.error, null);
    }
    const listed = await api.call.oracleApi.operators();
    assert.equal(listed.length, 3);
    for (const [, info] of listed) assert.equal(info.bond.toBigInt(), bond);
    const held = (await api.query.busd.account(acc.alice.address)).reserved.toBigInt();
    assert.equal(held, bond, "Alice's bond is on hold");
  });

  // Submits `prices[i]` for BTC from operator i, all in one round; returns that round.
  async function submitBtc(prices, { checkFree = false } = {}) {
    const { round, results } = await submitRound(api, operators, BTC, prices);
    for (const r of results) {
      assert.ok(findEvent(r.events, 'oracle', 'PricesSubmitted'));
      if (checkFree) {
        const fee = findEvent(r.events, 'transactionPayment', 'TransactionFeePaid');
        assert.equal(fee.data.actualFee.toBigInt(), 0n, 'a valid submission is free');
      }
    }
    return round;
  }

  it('aggregates a round of free submissions into a bond-weighted median', async () => {
    await submitBtc([100n, 101n, 102n], { checkFree: true });
    const answer = await api.call.oracleApi.priceInfo(BTC);
    assert.ok(answer.isSome, 'BTC-USD has an aggregated price');
    const info = answer.unwrap();
    assert.equal(info.price.toBigInt(), 101n * FIXED, 'median of 100, 101, 102 with equal bonds');
    assert.equal(info.emaPrice.toBigInt(), 101n * FIXED);
    assert.equal(info.status.toString(), 'Active');
    assert.ok(info.updatedAt.toNumber() > 0);
  });

  it('turns a far-off price into a pending slash that the risk origin cancels', async () => {
    const round = await submitBtc([100n, 100n, 150n]);
    const pending = await api.call.slashingApi.pendingSlashes();
    const charlies = pending.filter((p) => p.offender.isOperator && p.offender.asOperator.eq(acc.charlie.address));
    assert.equal(charlies.length, 1, JSON.stringify(pending.toHuman()));
    const slash = charlies[0];
    const offence = slash.offence.asOracleDeviation;
    assert.equal(offence.round.toNumber(), round);
    // 50% off the median: 1% x 50/3, capped at the schedule's 10%.
    assert.equal(slash.fraction.toNumber(), 100_000_000);
    assert.equal(slash.amountEstimate.toBigInt(), 1_000n * BUSD);
    const defer = api.consts.slashing.slashDeferDuration.toNumber();
    assert.equal(slash.applyAt.toNumber(), (round + 1) * api.consts.oracle.roundLength.toNumber() + defer);

    // Root is part of RiskOrigin (the council's two-thirds motion is the other way in).
    const cancel = api.tx.slashing.cancelSlashes({ Operator: acc.charlie.address });
    const r = await signAndWait(api, api.tx.sudo.sudo(cancel), acc.alice);
    assert.equal(r.error, null);
    const sudid = findEvent(r.events, 'sudo', 'Sudid');
    assert.ok(sudid.data.sudoResult.isOk, JSON.stringify(sudid.data.toHuman()));
    assert.ok(findEvent(r.events, 'slashing', 'SlashCancelled'));
    const after = await api.call.slashingApi.pendingSlashes();
    assert.ok(!after.some((p) => p.offender.isOperator && p.offender.asOperator.eq(acc.charlie.address)));
  });
});
