// Oracle feeds under congestion on the dev chain (issue 29, item 1). Measured before the fix: a
// pool kept full of about 16,000 bUSD transfers, and feeders that submit once per round as the
// feeder bot did, lost 45 of 48 submissions and BTC-USD went Stale. The submissions that reached
// the pool got in; the rest were refused as `WrongRound`, because for a few hundred milliseconds
// after each head a busy pool checks against the block before, which belongs to the previous
// round. The chain now accepts a submission for the next round in a round's last block, and
// orders feeds first in the pool.
//
// Here: three feeder bots with one try per round (`--retry-ms 0`) feed BTC-USD, whose
// `max_price_age` is cut to 3 rounds, while the pool is kept fuller than a block holds for more
// than `max_price_age` rounds. Every round's three submissions are included, and the market is
// never Stale.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  connect, cryptoWaitReady, devAccounts, newKeyring, signAndWait, startDevNode, waitBest,
} from './lib.mjs';
import { startBot } from '../scripts/drill.mjs';

const BUSD = 1_000_000n;
const BWK = 1_000_000_000_000n;
const BTC = 0;
const PORT = 9962;
/** Senders of the flood, and transfers signed for each. */
const SENDERS = 40;
const PER_SENDER = 1_000;
/** The pool is topped up to this many transactions whenever it falls below. */
const POOL_TARGET = 7_000;
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
    node = await startDevNode({ port: PORT, name: 'congestion' });
    api = await connect(node.url);
  });

  after(async () => {
    await Promise.all(bots.map((b) => b.stop()));
    if (api) await api.disconnect();
    if (node) await node.stop();
  });

  it(`a pool fuller than a block for ${FLOOD_ROUNDS} rounds: one-try feeders get every round in, BTC-USD never Stale`, async () => {
    await cryptoWaitReady();
    const roundLength = api.consts.oracle.roundLength.toNumber();
    const markets = await api.call.oracleApi.markets();
    const params = markets.find(([id]) => id.toNumber() === BTC)[3].toJSON();
    const set = await signAndWait(api, api.tx.sudo.sudo(api.tx.oracle.setMarketParams(BTC, { ...params, maxPriceAge: MAX_PRICE_AGE })), acc.alice);
    assert.equal(set.error, null);

    // The flood's senders, funded by Dave (BWK for fees, which rise while blocks are full).
    const keyring = newKeyring();
    const senders = Array.from({ length: SENDERS }, (_, i) => keyring.addFromUri(`//congestion/${i}`));
    const funded = await signAndWait(api, api.tx.utility.batchAll(senders.flatMap((s) => [
      api.tx.balances.transferKeepAlive(s.address, 2_000n * BWK),
      api.tx.busd.transferKeepAlive(s.address, 10_000n * BUSD),
    ])), acc.dave);
    assert.equal(funded.error, null);

    // Three one-try feeders.
    for (const name of ['Alice', 'Bob', 'Charlie']) {
      bots.push(startBot('feeder', ['--url', node.url, '--seed', `//${name}`, '--market', String(BTC), '--bond', '10000',
        '--source', 'constant', '--price', '100', '--retry-ms', '0'], `congestion-feeder-${name.toLowerCase()}`));
    }
    for (let i = 0; ; i++) {
      const info = await api.call.oracleApi.priceInfo(BTC);
      if (info.isSome && info.unwrap().status.isActive) break;
      if (i > 40) throw new Error('BTC-USD did not get a price from the feeders');
      await waitBest(api, (await api.rpc.chain.getHeader()).number.toNumber() + 1);
    }

    // Sign the flood beforehand: 1 micro-bUSD transfers, immortal, nonces planned here.
    let t0 = Date.now();
    const queues = [];
    for (const sender of senders) {
      const nonce = (await api.rpc.system.accountNextIndex(sender.address)).toNumber();
      const queue = [];
      for (let k = 0; k < PER_SENDER; k++) {
        queue.push(await api.tx.busd.transferKeepAlive(acc.eve.address, 1n).signAsync(sender, { nonce: nonce + k, era: 0 }));
      }
      queues.push(queue);
    }
    log(`signed ${SENDERS * PER_SENDER} transfers in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

    // Keep the pool topped up at every head, each sender's transfers in nonce order.
    const pending = async () => (await api.rpc.author.pendingExtrinsics()).length;
    let stopFlood = false;
    let sent = 0;
    const pump = (async () => {
      let best = 0;
      while (!stopFlood) {
        const missing = POOL_TARGET - (await pending());
        if (missing > 0) {
          const share = Math.ceil(missing / SENDERS);
          await Promise.all(queues.map(async (queue) => {
            for (const signed of queue.splice(0, share)) {
              await api.rpc.author.submitExtrinsic(signed).then(() => { sent += 1; }, () => {});
            }
          }));
        }
        if (queues.every((q) => q.length === 0)) throw new Error(`the flood ran out after ${sent} transfers`);
        best = (await waitBest(api, best + 1)).number.toNumber();
      }
    })();

    // Wait until the pool holds more than a block, then watch FLOOD_ROUNDS rounds block by block.
    t0 = Date.now();
    while ((await pending()) < 5_000) {
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
        if (event.section === 'busd' && event.method === 'Transfer') transfers += 1;
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
    // Congested: the pool held more than a block at each head, and blocks were full.
    const blockFull = Math.max(...rows.map((r) => r.transfers));
    assert.ok(blockFull > 2_000, `blocks were full (at most ${blockFull} transfers)`);
    assert.ok(rows.every((r) => r.poolSize > blockFull), `the pool held more than a block at every head: ${rows.map((r) => r.poolSize)}`);
    for (let round = firstRound; round <= lastRound; round++) {
      assert.equal(submissions.get(round) ?? 0, 3, `round ${round}: three submissions included (${JSON.stringify([...submissions])})`);
    }
    log(`${sent} transfers sent; every round of ${firstRound}..${lastRound} got its three submissions; full block ${blockFull} transfers`);
  });
});
