#!/usr/bin/env node
// Oracle feeder bot (issues 14 and 26): an operator that registers if needed (bond, markets) and
// submits one price per market it feeds, all in one `oracle.submit` per round. Every submission is
// followed to its final status and logged with its decoded error; a refused one is retried while
// its round is open; after `--recheck-after` refusals in a row it reads its registration again
// (a slash or a governance change can have removed it). See --help.
import { readFileSync } from 'node:fs';
import {
  BOT_OPTIONS, connect, createLogger, devKeyUri, helpText, loadKey, Metrics, parseOptions, readSecretFile, serveBotMetrics,
  submitAndWatch,
} from '@bulwark/client';
import {
  constantSource, csvSource, dropSource, fileSource, gbmSource, roundGuard, toFixed18,
} from './lib/price-sources.mjs';

const OPTIONS = {
  ...BOT_OPTIONS,
  'key-file': { help: 'a file (mode 0600) holding the operator\'s secret URI' },
  seed: { help: 'the operator\'s secret URI', secret: true },
  'dev-key': { help: 'a well-known development key (//Alice ... //Ferdie, dev chains only)' },
  market: { help: 'markets to price, comma-separated', type: 'list', default: '0' },
  bond: { help: 'bUSD to register with if not an operator yet', type: 'number', default: 1000 },
  source: { help: 'constant | gbm | csv | file', default: 'constant' },
  price: { help: 'constant price, or the GBM\'s start (the same for every market)', type: 'number', default: 100 },
  csv: { help: 'timestamp,market,price rows to replay (--source csv)' },
  'price-file': { help: 'a JSON file {"market": price, ...} read again every round (--source file: your own fetcher writes it)' },
  'rng-seed': { help: 'GBM seed (market m uses seed + m)', type: 'number', default: 1 },
  volatility: { help: 'GBM volatility', type: 'number', default: 0.8 },
  'jump-probability': { help: 'GBM jump probability a round', type: 'number', default: 0 },
  'jump-size': { help: 'GBM jump size', type: 'number', default: 0 },
  drop: { help: 'after --drop-after rounds, fall this many percent over --drop-rounds', type: 'number', default: 0 },
  'drop-after': { help: 'rounds before the drop', type: 'number', default: 0 },
  'drop-rounds': { help: 'rounds the drop takes', type: 'number', default: 10 },
  'drop-on-signal': { help: 'with --drop: wait for SIGUSR2 instead of --drop-after', type: 'boolean', default: false },
  rounds: { help: 'stop after this many rounds (0: run until SIGTERM or SIGINT)', type: 'number', default: 0 },
  'retry-ms': { help: 'retry a refused submission every this many ms while its round is open (0: one try)', type: 'number', default: 200 },
  'recheck-after': { help: 'read the registration again after this many refused rounds in a row', type: 'number', default: 3 },
};
const USAGE = 'usage: node bots/feeder.mjs --key-file FILE [--market 0,1] [options]\n'
  + '       BULWARK_SEED=URI node bots/feeder.mjs [options]';
const BUSD = 1_000_000n;
const sleep = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });

function makeSource(opts, market) {
  let source;
  switch (opts.source) {
    case 'constant': source = constantSource(opts.price); break;
    case 'gbm': source = gbmSource({
      start: opts.price,
      seed: opts['rng-seed'] + market,
      volatility: opts.volatility,
      jumpProbability: opts['jump-probability'],
      jumpSize: opts['jump-size'],
    }); break;
    case 'csv': source = csvSource(readFileSync(opts.csv, 'utf8'), market); break;
    case 'file':
      if (!opts['price-file']) throw new Error('--source file needs --price-file FILE');
      source = fileSource(opts['price-file'], market);
      break;
    default: throw new Error(`unknown --source ${opts.source}`);
  }
  if (opts.drop) {
    source = dropSource(source, {
      percent: opts.drop, rounds: opts['drop-rounds'], after: opts['drop-after'], armed: !opts['drop-on-signal'],
    });
  }
  return source;
}

function operatorKey(opts) {
  if (opts['key-file']) return loadKey({ uri: readSecretFile(opts['key-file']) });
  if (opts.seed) return loadKey({ uri: opts.seed });
  if (opts['dev-key']) return loadKey({ uri: devKeyUri(opts['dev-key']) });
  throw new Error('no operator key: give --key-file FILE, BULWARK_SEED or (dev chains) --dev-key //Alice');
}

async function main() {
  const opts = parseOptions(OPTIONS, process.argv.slice(2));
  if (opts.help) { console.log(helpText(USAGE, OPTIONS)); return; }
  const log = createLogger('feeder', { format: opts['log-format'], level: opts['log-level'] });
  const markets = opts.market.map(Number);
  if (markets.length === 0 || markets.some((m) => !Number.isInteger(m) || m < 0)) throw new Error(`--market: ${opts.market} is not a list of market ids`);
  const sources = new Map(markets.map((m) => [m, makeSource(opts, m)]));
  if (opts['drop-on-signal']) {
    process.on('SIGUSR2', () => {
      for (const source of sources.values()) source.arm?.();
      log.info(`drop of ${opts.drop}% armed: it starts next round`);
    });
  }
  const key = await operatorKey(opts);
  const metrics = new Metrics('bulwark_feeder')
    .define('rounds_submitted_total', 'counter', 'rounds whose submission was included')
    .define('rounds_missed_total', 'counter', 'rounds whose submission never got in')
    .define('refusals_total', 'counter', 'submissions refused by the pool or failed in a block')
    .define('rpc_errors_total', 'counter', 'errors talking to the node')
    .define('last_block', 'gauge', 'the last best block seen')
    .define('last_round', 'gauge', 'the last round submitted');
  const { server, heard } = await serveBotMetrics(metrics, opts, { stallMs: 30_000 });
  const api = await connect(opts.url);

  /** Registers `key` (bond) and makes it serve `markets`, as far as it does not already. */
  async function ensureRegistered() {
    const operators = await api.call.oracleApi.operators();
    const mine = operators.find(([who]) => who.toString() === key.address);
    if (mine && !mine[1].status.isActive) throw new Error(`${key.address} is unbonding: it can register again once that ends`);
    const calls = [];
    if (!mine) {
      calls.push(api.tx.oracle.registerOperator(BigInt(opts.bond) * BUSD), api.tx.oracle.setMarkets(markets));
    } else {
      // No entry: it serves every market. A list without one of ours gets ours added.
      const served = await api.query.oracle.operatorMarkets(key.address);
      const list = served.isSome ? served.unwrap().map((m) => m.toNumber()) : null;
      if (list && markets.some((m) => !list.includes(m))) calls.push(api.tx.oracle.setMarkets([...new Set([...list, ...markets])]));
    }
    for (const call of calls) {
      const r = await submitAndWatch(api, call, key, { customSection: 'oracle' });
      if (!r.ok) {
        const error = new Error(`${call.method.section}.${call.method.method}: ${r.error ?? r.status}`);
        // Failed in a block: final. Refused, dropped or lost by the pool (a busy or just
        // restarted node; a resubmission after a reconnection is `AlreadyImported`): it may
        // still land, so the registration is read again before anything is sent again.
        error.retry = r.status !== 'InBlock' && r.status !== 'Finalized';
        throw error;
      }
    }
    if (calls.length > 0) log.info(`${key.address} registered, serving markets ${markets.join(',')}`);
  }

  /** `ensureRegistered`, read and tried again (up to 5 times, 2 s apart) after a pool refusal. */
  async function register() {
    for (let attempt = 1; ; attempt++) {
      try {
        await ensureRegistered();
        return;
      } catch (e) {
        if (!e.retry || attempt >= 5) throw e;
        log.warn(`registration: ${e.message}; reading it again (try ${attempt + 1})`);
        await sleep(2_000);
      }
    }
  }
  await register();

  const roundLength = api.consts.oracle.roundLength.toNumber();
  const guard = roundGuard();
  let rounds = 0;
  let refusedInARow = 0;
  let best = 0;
  let stop;
  const done = new Promise((resolve) => { stop = resolve; });
  // The round a submission sent now would land in: the next block's.
  const openRound = () => Math.floor((best + 1) / roundLength);

  async function submitRound(round) {
    const prices = markets.map((m) => [m, sources.get(m).next(round)]);
    const text = prices.map(([m, p]) => `${m}:${p.toFixed(4)}`).join(' ');
    // The chain accepts a submission for the next round in a round's last block, but a busy pool
    // can still refuse one (it checks against an older block, or is full): retried while the
    // round is open, unless the refusal is final.
    for (let attempt = 1; ; attempt++) {
      const result = await submitAndWatch(api, api.tx.oracle.submit(round, prices.map(([m, p]) => [m, toFixed18(p)])), key, { customSection: 'oracle' });
      if (result.ok) {
        metrics.inc('rounds_submitted_total');
        metrics.set('last_round', round);
        refusedInARow = 0;
        log.info(`round ${round} ${text}: ${result.status}${attempt > 1 ? ` (try ${attempt})` : ''}`);
        return;
      }
      metrics.inc('refusals_total');
      const final = result.status !== 'Refused' || result.error === 'oracle.AlreadySubmitted' || opts['retry-ms'] <= 0 || openRound() > round;
      if (final) {
        metrics.inc('rounds_missed_total');
        refusedInARow += 1;
        log.warn(`round ${round} ${text}: ${result.status}`, { error: result.error, tries: attempt });
        if (refusedInARow >= opts['recheck-after']) {
          refusedInARow = 0;
          log.warn(`${opts['recheck-after']} rounds refused in a row: reading the registration again`);
          await register();
        }
        return;
      }
      await sleep(opts['retry-ms']);
    }
  }

  const unsubscribe = await api.rpc.chain.subscribeNewHeads((header) => {
    heard();
    best = Math.max(best, header.number.toNumber());
    metrics.set('last_block', best);
    const round = Math.floor((header.number.toNumber() + 1) / roundLength);
    if (!guard.claim(round)) return;
    submitRound(round).catch((e) => {
      metrics.inc('rpc_errors_total');
      log.warn(`round ${round}: ${e.message}`);
    }).finally(() => {
      rounds += 1;
      if (opts.rounds > 0 && rounds >= opts.rounds) stop();
    });
  });
  log.info(`feeding markets ${markets.join(',')} as ${key.address}`, { url: opts.url });
  process.once('SIGINT', () => stop());
  process.once('SIGTERM', () => stop());
  await done;
  unsubscribe();
  if (server) server.close();
  await api.disconnect();
  log.info(`stopped after ${rounds} rounds`);
}

main().then(() => process.exit(0), (e) => { console.error(e.message ?? e); process.exit(1); });
