// Oracle feeds under congestion on the dev chain (issue 29, item 1). Measured before the fix: a
// pool kept full of about 16,000 bUSD transfers, and feeders that submit once per round as the
// feeder bot did, lost 45 of 48 submissions and BTC-USD went Stale. The submissions that reached
// the pool got in; the rest were refused as `WrongRound`, because for a few hundred milliseconds
// after each head a busy pool checks against the block before, which belongs to the previous
// round. The chain now accepts a submission for the next round in a round's last block, and
// orders feeds first in the pool.
//
// Here: three feeder bots with one try per round (`--retry-ms 0`) feed BTC-USD, whose
// `max_price_age` is cut to 3 rounds, while 5,000 senders keep the pool full of BWK transfers
// (it refuses more for its limit) for more than `max_price_age` rounds. Every round's three
// submissions are included, and the market is never Stale. Measured (this 2-core machine):
// 2,080 transfers a block on average over the 14 blocks watched (a full one holds 3,580), 8,092
// transfers refused by the full pool, every round's three submissions in.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  connect, cryptoWaitReady, devAccounts, floodAccounts, fundAll, signAndWait, startBot, startDevNode, waitBest,
} from './lib.mjs';

const BWK = 1_000_000_000_000n;
const BTC = 0;
/** Senders of the flood (one transfer each in the pool at a time), and transfers each. */
const SENDERS = 5_000;
const PER_SENDER = 10;

/** `system.account` of `pairs`, 1,000 keys a query. */
async function accountsOf(api, pairs) {
  const out = [];
  for (let i = 0; i < pairs.length; i += 1_000) {
    out.push(...await api.query.system.account.multi(pairs.slice(i, i + 1_000).map((p) => p.address)));
  }
  return out;
}
/** BTC-USD's `max_price_age` during the test, and the rounds the flood lasts (more). */
const MAX_PRICE_AGE = 3;
const FLOOD_ROUNDS = 6;

const log = (line) => console.log(`[congestion ${new Date().toISOString().slice(11, 19)}] ${line}`);

describe('oracle feeds under congestion (issue 29, item 1)', { timeout: 900_000 }, () => {
  let node;
  let api;
  const bots = [];
  const acc = devAccounts();

  before(async () => {
    // 3 s slots: the pool's refusals and the feeds' inclusion depend on the time a block takes.
    node = await startDevNode({ name: 'congestion', chain: 'dev' });
    api = await connect(node.url);
  });

  after(async () => {
    await Promise.all(bots.map((b) => b.stop()));
    if (api) await api.disconnect();
    if (node) await node.stop();
  });

  it(`a full pool for ${FLOOD_ROUNDS} rounds: one-try feeders get every round in, BTC-USD never Stale`, async () => {
    await cryptoWaitReady();
    const roundLength = api.consts.oracle.roundLength.toNumber();
    const markets = await api.call.oracleApi.markets();
    const params = markets.find(([id]) => id.toNumber() === BTC)[3].toJSON();
    const set = await signAndWait(api, api.tx.sudo.sudo(api.tx.oracle.setMarketParams(BTC, { ...params, maxPriceAge: MAX_PRICE_AGE })), acc.alice);
    assert.equal(set.error, null);

    // The flood's senders, funded by Dave, Eve and Ferdie (each funder's transfers in nonce order,
    // a block's worth at a time); a funding the pool lost is sent again.
    // ed25519 from hashed seeds: the flood's 50,000 signatures take a quarter of the time.
    let senders = floodAccounts('congestion', SENDERS);
    const funders = [acc.dave, acc.eve, acc.ferdie];
    let t0 = Date.now();
    const left = await fundAll(api, funders, senders, (s) => [api.tx.balances.transferKeepAlive(s.address, 10n * BWK)],
      async (targets) => (await accountsOf(api, targets)).map((a) => a.data.free.toBigInt() >= 10n * BWK),
      { attempts: 4, chunk: 2_400, log });
    // A re-send can collide with a transfer the pool still holds behind a lost nonce: the flood
    // goes on without the few senders left unfunded (setup, not what is tested).
    if (left.length * 100 > SENDERS) throw new Error(`${left.length} senders still unfunded`);
    const unfunded = new Set(left.map((u) => u.address));
    senders = senders.filter((x) => !unfunded.has(x.address));
    log(`funded ${senders.length} senders in ${((Date.now() - t0) / 1000).toFixed(0)} s`);

    // Three one-try feeders.
    for (const name of ['Alice', 'Bob', 'Charlie']) {
      bots.push(startBot('feeder', ['--url', node.url, '--dev-key', `//${name}`, '--market', String(BTC), '--bond', '10000',
        '--source', 'constant', '--price', '100', '--retry-ms', '0'], `congestion-feeder-${name.toLowerCase()}`));
    }
    for (let i = 0; ; i++) {
      const info = await api.call.oracleApi.priceInfo(BTC);
      if (info.isSome && info.unwrap().status.isActive) break;
      if (i > 40) throw new Error('BTC-USD did not get a price from the feeders');
      await waitBest(api, (await api.rpc.chain.getHeader()).number.toNumber() + 1);
    }

    // Sign the flood beforehand: PER_SENDER 1 planck BWK transfers from every sender, immortal,
    // nonces from 0. A sender has one transfer in the pool at a time: the fork-aware pool moves
    // transactions into a new block's view in no particular order, so a sender's chain of
    // nonces would land in its small future queue and be dropped.
    t0 = Date.now();
    const queues = [];
    for (const sender of senders) {
      const queue = [];
      queue.sent = 0;
      for (let k = 0; k < PER_SENDER; k++) {
        queue.push(await api.tx.balances.transferKeepAlive(acc.eve.address, 1n).signAsync(sender, { nonce: k, era: 0 }));
      }
      queues.push(queue);
    }
    log(`signed ${senders.length * PER_SENDER} transfers in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

    // At every head, each sender whose last transfer was included sends its next.
    const pending = async () => (await api.rpc.author.pendingExtrinsics()).length;
    let stopFlood = false;
    let sent = 0;
    const refused = new Map();
    const pump = (async () => {
      let best = 0;
      while (!stopFlood) {
        const infos = await accountsOf(api, senders);
        const ready = [];
        for (let i = 0; i < senders.length; i++) {
          const q = queues[i];
          const nonce = infos[i].nonce.toNumber();
          if (nonce === q.sent && q.sent < q.length) {
            ready.push([i, q.sent]);
            q.sent += 1;
            q.waited = 0;
          } else if (nonce < q.sent && (q.waited = (q.waited ?? 0) + 1) >= 3) {
            // Not included for three heads: the pool lost it (it moves transactions into a new
            // block's view in batches); send it again.
            ready.push([i, nonce]);
            q.waited = 0;
          }
        }
        await Promise.all(ready.map(([i, k]) => {
          return api.rpc.author.submitExtrinsic(queues[i][k]).then(() => { sent += 1; }, (e) => {
            const why = String(e.message).slice(0, 60);
            refused.set(why, (refused.get(why) ?? 0) + 1);
          });
        }));
        if (ready.length === 0 && queues.every((q) => q.sent >= q.length)) throw new Error(`the flood ran out after ${sent} transfers`);
        best = (await waitBest(api, best + 1)).number.toNumber();
      }
    })();
    pump.catch(() => {});

    // Wait until the pool holds more than a block, then watch FLOOD_ROUNDS rounds block by block.
    t0 = Date.now();
    while ((await pending()) < 4_000) {
      if (Date.now() - t0 > 120_000) throw new Error('the pool never filled');
      await new Promise((r) => { setTimeout(r, 500); });
    }
    // From the last block before the first whole round: a submission for a round may be
    // included there (early).
    const head = (await api.rpc.chain.getHeader()).number.toNumber();
    const firstRound = Math.ceil((head + 2) / roundLength);
    const start = firstRound * roundLength - 1;
    const lastRound = firstRound + FLOOD_ROUNDS - 1;
    const end = (lastRound + 1) * roundLength;
    log(`flood from #${start}: rounds ${firstRound} to ${lastRound} (blocks up to #${end})`);
    const submissions = new Map();
    const rows = [];
    for (let block = start; block <= end; block++) {
      await waitBest(api, block);
      const poolSize = await pending();
      const hash = await api.rpc.chain.getBlockHash(block);
      const at = await api.at(hash);
      const [events, info] = await Promise.all([at.query.system.events(), at.call.oracleApi.priceInfo(BTC)]);
      let transfers = 0;
      for (const { event } of events) {
        if (event.section === 'balances' && event.method === 'Transfer') transfers += 1;
        if (event.section === 'oracle' && event.method === 'PricesSubmitted') {
          const round = event.data.round.toNumber();
          submissions.set(round, (submissions.get(round) ?? 0) + 1);
        }
      }
      const status = info.unwrap().status.toString();
      rows.push({ block, transfers, poolSize, status });
      log(`#${block}: ${transfers} transfers, pool ${poolSize}, BTC-USD ${status}`);
    }
    stopFlood = true;
    await pump;

    assert.ok(rows.every((r) => r.status !== 'Stale'), 'BTC-USD is never Stale');
    // Congested: blocks full or nearly (a session's first block carries nothing: the session
    // pallet charges it whole; a block built while the pool moves transactions into the new
    // head's view carries fewer), and the pool full: it refused transfers for its limit.
    const blockFull = Math.max(...rows.map((r) => r.transfers));
    assert.ok(blockFull > 2_500, `blocks were full (at most ${blockFull} transfers)`);
    const mean = rows.reduce((sum, r) => sum + r.transfers, 0) / rows.length;
    log(`transfers per block: ${rows.map((r) => r.transfers)} (mean ${mean.toFixed(0)}, largest ${blockFull})`);
    assert.ok(mean >= 1_400, `blocks carried ${mean.toFixed(0)} transfers on average`);
    const poolFull = [...refused].filter(([why]) => /Immediately Dropped/.test(why)).reduce((n, [, count]) => n + count, 0);
    assert.ok(poolFull > 0, `the pool was full (it refused ${poolFull} transfers for its limit)`);
    for (let round = firstRound; round <= lastRound; round++) {
      assert.equal(submissions.get(round) ?? 0, 3, `round ${round}: three submissions included (${JSON.stringify([...submissions])})`);
    }
    log(`${sent} transfers sent, refused: ${JSON.stringify([...refused])}; every round of ${firstRound}..${lastRound} got its three submissions`);
  });
});
