#!/usr/bin/env node
// A first trade in one command (issue 26): on a dev chain of its own (or a running one, --url),
// everything a trade needs, step by step: a staked vault, three oracle feeders with bonds the
// security monitor accepts, a keeper, a deposit and an order, then the account's health. The
// chain and the bots keep running for polkadot.js Apps until Ctrl-C (or, with --exit, stop).
//
//   ./scripts/demo.sh [--url ws://127.0.0.1:9944] [--port 9944] [--chain dev|fast] [--exit]
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  connect, devAccounts, helpText, parseOptions, rpcAnswers, startBot, startDevNode, untilEachBlock,
} from '../client/src/index.mjs';
import { readMarket } from '../examples/read-market.mjs';
import { stakeVault } from '../examples/stake-vault.mjs';
import { firstTrade } from '../examples/first-trade.mjs';

const OPTIONS = {
  url: { help: 'use the chain at this RPC instead of starting one' },
  port: { help: 'RPC port of the chain started (polkadot.js Apps looks at 9944)', type: 'number', default: 9944 },
  chain: { help: 'dev (3 s blocks, as `bulwark-node --dev`) or fast (1 s)', default: 'dev' },
  market: { help: 'the market traded', type: 'number', default: 0 },
  stake: { help: 'bUSD Dave stakes in the market\'s vault', type: 'number', default: 100_000 },
  bond: { help: 'bUSD each feeder bonds (the security monitor caps open interest by what it would cost to corrupt the median)', type: 'number', default: 100_000 },
  deposit: { help: 'bUSD Eve deposits', type: 'number', default: 1_000 },
  size: { help: 'contracts Eve buys (50 at 100 bUSD: 5x her deposit)', type: 'number', default: 50 },
  exit: { help: 'stop the bots (and the chain started) after the trade', type: 'boolean', default: false },
};
const LOG_DIR = fileURLToPath(new URL('../.demo/', import.meta.url));

async function main() {
  const opts = parseOptions(OPTIONS, process.argv.slice(2));
  if (opts.help) { console.log(helpText('usage: ./scripts/demo.sh [options]', OPTIONS)); return; }
  const started = Date.now();
  const step = (text) => console.log(`[demo +${String(Math.round((Date.now() - started) / 1000)).padStart(3)} s] ${text}`);
  mkdirSync(LOG_DIR, { recursive: true });
  const market = opts.market;

  let node = null;
  let url = opts.url;
  if (!url) {
    if (await rpcAnswers(opts.port)) {
      throw new Error(`a node already answers on port ${opts.port}: use it with --url ws://127.0.0.1:${opts.port}, or pick another --port`);
    }
    node = await startDevNode({ port: opts.port, name: 'node', chain: opts.chain, logDir: LOG_DIR });
    url = node.url;
    step(`1/6 dev chain started at ${url} (--chain ${opts.chain}, log ${node.logPath})`);
  } else {
    step(`1/6 using the chain at ${url}`);
  }
  const api = await connect(url, { throwOnConnect: true });
  const acc = devAccounts();
  const bots = [];
  const stopAll = async () => {
    await Promise.all(bots.map((b) => b.stop()));
    await api.disconnect().catch(() => {});
    if (node) await node.stop();
  };

  try {
    const { symbol } = await readMarket(api, market);
    // 2. Counterparty capital: the vault takes the other side of every trade.
    const staked = await stakeVault(api, acc.dave, market, opts.stake);
    step(`2/6 Dave staked ${opts.stake.toLocaleString('en')} bUSD in the ${symbol} vault (NAV now ${Number(BigInt(staked.nav) / 1_000_000n).toLocaleString('en')} bUSD)`);

    // 3. Prices: three operators, each bonding enough that the monitor does not restrict the market.
    for (const name of ['Alice', 'Bob', 'Charlie']) {
      bots.push(startBot('feeder', [
        '--url', url, '--dev-key', `//${name}`, '--market', String(market), '--bond', String(opts.bond),
        '--source', 'gbm', '--price', '100', '--rng-seed', '7',
      ], `feeder-${name.toLowerCase()}`, { logDir: LOG_DIR }));
    }
    await untilEachBlock(api, async () => {
      for (const bot of bots) if (bot.exited) throw new Error(`a feeder exited (${JSON.stringify(bot.exited)}): see ${bot.logPath}`);
      const info = await api.call.oracleApi.priceInfo(market);
      return info.isSome && info.unwrap().status.isActive;
    }, 180_000, 'the first oracle price');
    const view = await readMarket(api, market);
    step(`3/6 three feeders (Alice, Bob, Charlie, ${opts.bond.toLocaleString('en')} bUSD bond each) price ${symbol} at ${view.price}; `
      + `open interest capacity ${view.capacity.toLocaleString('en')} bUSD, restricted: ${view.restricted}`);
    if (view.restricted) throw new Error('the security monitor restricts the market: raise --bond');

    // 4. A keeper: liquidates accounts under their maintenance margin, for a reward.
    bots.push(startBot('keeper', ['--url', url, '--dev-key', '//Ferdie'], 'keeper', { logDir: LOG_DIR }));
    step(`4/6 keeper (Ferdie) watching every block (logs in ${LOG_DIR})`);

    // 5. The trade: it fills at a later round's median, no worse than the limit.
    step(`5/6 Eve deposits ${opts.deposit.toLocaleString('en')} bUSD and buys ${opts.size} ${symbol} (limit ${view.price * 1.02})`);
    const { outcome, health } = await firstTrade(api, acc.eve, { market, deposit: opts.deposit, size: opts.size, limit: view.price * 1.02 });
    if (outcome.method !== 'Traded') throw new Error(`the order was cancelled: ${JSON.stringify(outcome.toHuman())}`);
    const position = health.positions.find((p) => p.market === market);
    if (!position) throw new Error(`no open position after the trade: ${JSON.stringify(health)}`);
    const two = (x) => (x === null ? '-' : x.toFixed(2));
    const four = (x) => (x === null ? '-' : x.toFixed(4));
    step(`6/6 position open: ${position.size} ${symbol} at ${four(position.entryPrice)}, liquidation price ${four(position.liquidationPrice)}`);
    console.log(`       account health (marginApi.account): collateral ${two(health.collateral)} bUSD, equity ${two(health.equity)} bUSD, `
      + `maintenance margin ${two(health.maintenanceMargin)} bUSD, margin ratio ${two(health.marginRatio)}, liquidatable ${health.liquidatable}`);
    console.log(`[demo] done in ${Math.round((Date.now() - started) / 1000)} s`);

    if (opts.exit) {
      await stopAll();
      return;
    }
    console.log(`[demo] the chain runs on: https://polkadot.js.org/apps/?rpc=${encodeURIComponent(url)}#/explorer`);
    console.log('[demo] more: node examples/read-market.mjs, examples/first-trade.mjs --dev-key //Eve --size -2, examples/council-motion.mjs');
    console.log('[demo] Ctrl-C stops the bots' + (node ? ' and the chain' : ''));
    await new Promise((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await stopAll();
  } catch (e) {
    await stopAll();
    throw e;
  }
}

main().then(() => process.exit(0), (e) => { console.error(`[demo] ${e.message ?? e}`); process.exit(1); });
