// Oracle on the dev chain (issue 3): operators register with bUSD bonds, submit prices for the
// genesis market BTC-USD (id 0) in one round, for free, and the aggregate is read through the
// runtime API `OracleApi` with no custom types.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect, devAccounts, findEvent, signAndWait, startDevNode, waitBest } from './lib.mjs';

const BUSD = 1_000_000n;
const FIXED = 10n ** 18n; // FixedU128 scale
const BTC = 0;

describe('oracle on the dev chain', { timeout: 300_000 }, () => {
  let node;
  let api;
  const acc = devAccounts();
  const operators = [acc.alice, acc.bob, acc.charlie];

  before(async () => {
    node = await startDevNode({ port: 9966, name: 'oracle' });
    api = await connect(node.url);
  });

  after(async () => {
    if (api) await api.disconnect();
    if (node) await node.stop();
  });

  it('lists the genesis markets through the runtime API', async () => {
    const markets = await api.call.oracleApi.markets();
    const symbols = markets.map(([, symbol]) => Buffer.from(symbol.toU8a(true)).toString());
    assert.deepEqual(symbols, ['BTC-USD', 'ETH-USD']);
  });

  it('registers operators with held bonds', async () => {
    const bond = 10_000n * BUSD;
    const results = await Promise.all(operators.map((op) => signAndWait(api, api.tx.oracle.registerOperator(bond), op)));
    for (const r of results) {
      assert.equal(r.error, null);
      assert.ok(findEvent(r.events, 'oracle', 'OperatorRegistered'));
    }
    const listed = await api.call.oracleApi.operators();
    assert.equal(listed.length, 3);
    for (const [, info] of listed) assert.equal(info.bond.toBigInt(), bond);
    const held = (await api.query.busd.account(acc.alice.address)).reserved.toBigInt();
    assert.equal(held, bond, "Alice's bond is on hold");
  });

  it('aggregates a round of free submissions into a bond-weighted median', async () => {
    const roundLength = api.consts.oracle.roundLength.toNumber();
    // Wait until the operators are expected (the round after registration).
    const first = (await api.call.oracleApi.currentRound()).toNumber() + 1;
    let submittedRound = null;
    let best = (await api.rpc.chain.getHeader()).number.toNumber();
    for (let attempt = 0; attempt < 8 && submittedRound === null; attempt++) {
      // Submit right after a new block: the next block, which includes the submissions,
      // decides the round they belong to.
      best = (await waitBest(api, best + 1)).number.toNumber();
      const round = Math.floor((best + 1) / roundLength);
      if (round < first) continue;
      const prices = [100n, 101n, 102n];
      const results = await Promise.all(operators.map((op, i) =>
        signAndWait(api, api.tx.oracle.submit(round, [[BTC, prices[i] * FIXED]]), op)));
      if (results.every((r) => r.error === null)) {
        submittedRound = round;
        for (const r of results) {
          const fee = findEvent(r.events, 'transactionPayment', 'TransactionFeePaid');
          assert.equal(fee.data.actualFee.toBigInt(), 0n, 'a valid submission is free');
          assert.ok(findEvent(r.events, 'oracle', 'PricesSubmitted'));
        }
      } else {
        // A submission landed in the next round (WrongRound): try again in a later round.
        assert.ok(results.every((r) => r.error === null || r.error === 'oracle.WrongRound' || r.error === 'oracle.AlreadySubmitted'),
          JSON.stringify(results.map((r) => r.error)));
      }
    }
    assert.notEqual(submittedRound, null, 'all three operators submitted in one round');

    // The round closes in the first block of the next round.
    await waitBest(api, (submittedRound + 1) * roundLength);
    const answer = await api.call.oracleApi.priceInfo(BTC);
    assert.ok(answer.isSome, 'BTC-USD has an aggregated price');
    const info = answer.unwrap();
    assert.equal(info.price.toBigInt(), 101n * FIXED, 'median of 100, 101, 102 with equal bonds');
    assert.equal(info.emaPrice.toBigInt(), 101n * FIXED);
    assert.equal(info.status.toString(), 'Active');
    assert.ok(info.updatedAt.toNumber() > 0);
  });
});
