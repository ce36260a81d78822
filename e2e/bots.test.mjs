// The bots as an operator runs them (issue 26): three feeder bots, each one key pricing two markets
// in one submission, and a keeper bot, taken through a node restart and through a refused
// submission (its nonce taken by another transaction of its key: it reads the nonce again and its
// next liquidation lands), their Prometheus endpoints scraped and checked.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CHAIN_DIR, FIXED, connect, devAccounts, findEvent, freeBasePort, newKeyring, placeAndFill, signAndWait, startBot,
  startDevNode, untilEachBlock, waitBest,
} from './lib.mjs';

const BUSD = 1_000_000n;
const BWK = 1_000_000_000_000n;
const BTC = 0;
const ETH = 1;

const log = (line) => console.log(`[bots ${new Date().toISOString().slice(11, 19)}] ${line}`);

/** A Prometheus text page as `{ name: value }`. */
async function scrape(port) {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const values = {};
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+) (\S+)$/.exec(line);
    if (m) values[m[1]] = Number(m[2]);
  }
  return values;
}

describe('feeder and keeper bots through a refusal and a node restart', { timeout: 600_000 }, () => {
  const basePath = mkdtempSync(join(CHAIN_DIR, 'bots-chain-'));
  const work = mkdtempSync(join(CHAIN_DIR, 'bots-work-'));
  const priceFile = join(work, 'prices.json');
  const setPrices = (btc, eth) => writeFileSync(priceFile, JSON.stringify({ [BTC]: btc, [ETH]: eth }));
  const acc = devAccounts();
  const keyring = newKeyring();
  const [t1, t2] = [keyring.addFromUri('//bots/t1'), keyring.addFromUri('//bots/t2')];
  const bots = [];
  let feederPort;
  let keeperPort;
  let keeper;
  let node;
  let api;

  before(async () => {
    node = await startDevNode({ name: 'bots', basePath });
    api = await connect(node.url);
    feederPort = await freeBasePort({ offsets: [0, 1] });
    keeperPort = feederPort + 1;
  });

  after(async () => {
    await Promise.all(bots.map((b) => b.stop()));
    if (api) await api.disconnect().catch(() => {});
    if (node) await node.stop();
    rmSync(basePath, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  const keeperLiquidated = (who) => readFileSync(keeper.logPath, 'utf8').includes(`(finalized) liquidated ${who.address}`);

  /**
   * Lowers BTC by `step` at a time, each once the oracle's median has followed, until the keeper
   * has liquidated `who` (a finalized liquidation, partial or whole). Resolves with the price.
   */
  async function lowerUntilLiquidated(who, from, step) {
    let price = from;
    const median = async () => Number((await api.call.oracleApi.priceInfo(BTC)).unwrap().price.toBigInt() / 10n ** 12n) / 1e6;
    await untilEachBlock(api, async () => {
      for (const bot of bots) if (bot.exited) throw new Error(`a bot exited: ${JSON.stringify(bot.exited)}, see ${bot.logPath}`);
      if (keeperLiquidated(who)) return true;
      const [page] = await api.call.marginApi.liquidatable(null, 500);
      // Liquidatable: the keeper's turn. Else one step lower, once the median is where we put it.
      if (page.some((v) => v.who.toString() === who.address) || (await median()) > price + 1e-6) return false;
      price -= step;
      setPrices(price, 100);
      return false;
    }, 240_000, `${who.address} to be liquidated`);
    return price;
  }

  it('one feeder key prices two markets in one submission', async () => {
    assert.equal((await signAndWait(api, api.tx.vaults.stake(BTC, 500_000n * BUSD, 0), acc.dave)).error, null);
    // Margin for up to about 13x at today's volatility estimate, as the drill.
    const marginParams = (await api.call.marginApi.market(BTC)).unwrap().params.toJSON();
    const params = await signAndWait(api, api.tx.sudo.sudo(api.tx.margin.setMarketParams(BTC, {
      ...marginParams, volCoeff: FIXED / 40n, skewScale: 1_000_000n * FIXED,
    })), acc.alice);
    assert.equal(params.error, null);

    setPrices(100, 100);
    for (const name of ['Alice', 'Bob', 'Charlie']) {
      bots.push(startBot('feeder', [
        '--url', node.url, '--dev-key', `//${name}`, '--market', `${BTC},${ETH}`, '--bond', '900000',
        '--source', 'file', '--price-file', priceFile,
        ...(name === 'Alice' ? ['--metrics-port', String(feederPort)] : []),
      ], `bots-feeder-${name.toLowerCase()}`));
    }
    await untilEachBlock(api, async () => {
      for (const bot of bots) if (bot.exited) throw new Error(`a feeder exited: ${JSON.stringify(bot.exited)}, see ${bot.logPath}`);
      const [btc, eth] = await Promise.all([api.call.oracleApi.priceInfo(BTC), api.call.oracleApi.priceInfo(ETH)]);
      return btc.isSome && btc.unwrap().status.isActive && eth.isSome && eth.unwrap().status.isActive;
    }, 180_000, 'both markets priced by the feeders');
    const aliceLog = readFileSync(bots[0].logPath, 'utf8');
    assert.match(aliceLog, /round \d+ 0:100\.0000 1:100\.0000: InBlock/, 'one submission carries both markets');
    const served = (await api.query.oracle.operatorMarkets(acc.alice.address)).unwrap().map((m) => m.toNumber());
    assert.deepEqual(served.sort(), [BTC, ETH]);
    log('three feeders price BTC and ETH, each with one key and one submission a round');
  });

  it('the keeper liquidates after a node restart, and after a refused submission', async () => {
    // Two longs: t1 at 10x (liquidated first), t2 at 4x.
    for (const [trader, collateral, size] of [[t1, 100n, 10n], [t2, 100n, 4n]]) {
      assert.equal((await signAndWait(api, api.tx.balances.transferKeepAlive(trader.address, BWK), acc.dave)).error, null);
      assert.equal((await signAndWait(api, api.tx.busd.transferKeepAlive(trader.address, (collateral + 10n) * BUSD), acc.dave)).error, null);
      assert.equal((await signAndWait(api, api.tx.margin.deposit(collateral * BUSD), trader)).error, null);
      const traded = await placeAndFill(api, trader, BTC, size * FIXED, 102n * FIXED, async () => {});
      assert.equal(traded.error, null);
      assert.equal(traded.outcome.method, 'Traded', traded.outcome.toString());
    }
    keeper = startBot('keeper', [
      '--url', node.url, '--dev-key', '//Ferdie', '--metrics-port', String(keeperPort),
      // Only a refusal makes it read its nonce again in this test.
      '--resync-blocks', '100000',
    ], 'bots-keeper');
    bots.push(keeper);
    await waitBest(api, (await api.rpc.chain.getHeader()).number.toNumber() + 3);

    // The node restarts (SIGKILL); the bots reconnect by themselves.
    await api.disconnect();
    api = null;
    assert.equal((await node.kill()).signal, 'SIGKILL');
    node = await startDevNode({ port: node.port, name: 'bots', basePath });
    api = await connect(node.url);
    await untilEachBlock(api, async () => (await scrape(keeperPort)).bulwark_keeper_reconnects_total >= 1, 60_000, 'the keeper to reconnect');
    log('node restarted; the keeper reconnected');

    // t1 falls under its maintenance margin: the keeper, reconnected, liquidates it.
    let price = await lowerUntilLiquidated(t1, 100, 2);
    log(`t1 liquidated by the keeper after the restart at BTC ${price}`);

    // Another transaction of the keeper's key takes the nonce it planned next, once nothing of the
    // keeper's is in flight (t1 no longer liquidatable, its submissions final).
    await untilEachBlock(api, async () => {
      const [page] = await api.call.marginApi.liquidatable(null, 500);
      return page.length === 0;
    }, 60_000, 'no account liquidatable');
    await waitBest(api, (await api.rpc.chain.getHeader()).number.toNumber() + 2);
    for (let attempt = 1; ; attempt++) {
      try {
        const taken = await signAndWait(api, api.tx.system.remarkWithEvent('the keeper\'s next nonce'), acc.ferdie);
        assert.ok(findEvent(taken.events, 'system', 'Remarked'));
        break;
      } catch (e) {
        if (attempt >= 5) throw e;
        await waitBest(api, (await api.rpc.chain.getHeader()).number.toNumber() + 1);
      }
    }
    const resyncsBefore = (await scrape(keeperPort)).bulwark_keeper_nonce_resyncs_total;

    // BTC falls on: the keeper's next submission is refused (its nonce is spent), it reads the
    // nonce again, and the next lands: t2 is liquidated.
    price = await lowerUntilLiquidated(t2, price, 3);
    const keeperLog = readFileSync(keeper.logPath, 'utf8');
    assert.match(keeperLog, /liquidate \S+: Refused error=Stale .*resync=true/, 'the stale nonce was refused');
    const metrics = await scrape(keeperPort);
    assert.ok(metrics.bulwark_keeper_nonce_resyncs_total > resyncsBefore, JSON.stringify(metrics));
    log(`t2 liquidated by the keeper at BTC ${price} after one refused submission`);

    // The endpoints: the keeper's counters, the feeder's rounds, both healthy.
    assert.ok(metrics.bulwark_keeper_liquidations_total >= 2, JSON.stringify(metrics));
    assert.ok(metrics.bulwark_keeper_rewards_total > 0, JSON.stringify(metrics));
    assert.ok(metrics.bulwark_keeper_liquidations_submitted_total >= 3, JSON.stringify(metrics));
    assert.ok(metrics.bulwark_keeper_last_finalized_block > 0);
    const feeder = await scrape(feederPort);
    assert.ok(feeder.bulwark_feeder_rounds_submitted_total >= 5, JSON.stringify(feeder));
    assert.ok(feeder.bulwark_feeder_last_block >= metrics.bulwark_keeper_last_finalized_block, JSON.stringify(feeder));
    for (const port of [feederPort, keeperPort]) {
      const health = await fetch(`http://127.0.0.1:${port}/health`);
      assert.equal(health.status, 200);
      assert.equal((await health.json()).ok, true);
    }
    log(`metrics: keeper ${JSON.stringify(metrics)}; feeder rounds ${feeder.bulwark_feeder_rounds_submitted_total}`);
  });
});
