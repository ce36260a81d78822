#!/usr/bin/env node
// Oracle feeder bot (issue 14): an operator that registers if needed and submits a price for its
// market every round, one line of log per round. See --help.
import { readFileSync } from 'node:fs';
import { connect, errorName, loadKey, log, parseArgs } from './lib/chain.mjs';
import { constantSource, csvSource, dropSource, gbmSource, roundGuard, toFixed18 } from './lib/price-sources.mjs';

const HELP = `usage: node bots/feeder.mjs --seed //Alice [options]
  --url URL            node RPC (default ws://127.0.0.1:9944)
  --seed URI           operator key (or --key-file FILE holding it)
  --market ID          market to price (default 0)
  --bond BUSD          bond to register with if not an operator yet (default 1000)
  --source KIND        constant | gbm | csv (default constant)
  --price P            constant price, or the GBM's start (default 100)
  --csv FILE           timestamp,market,price rows to replay (--source csv)
  --rng-seed N         GBM seed (default 1); --volatility V (default 0.8); --jump-probability P
                       and --jump-size S (default 0)
  --drop PCT           after --drop-after rounds (default 0) fall PCT% over --drop-rounds (10)
  --drop-on-signal     with --drop: wait for SIGUSR2 instead of --drop-after, then fall
  --rounds N           stop after N rounds (default: run until SIGINT)
  --retry-ms MS        retry a submission the pool refused every MS ms while its round is open
                       (default 200; 0: one try per round)`;

function makeSource(opts) {
  const price = Number(opts.price ?? 100);
  let source;
  switch (opts.source ?? 'constant') {
    case 'constant': source = constantSource(price); break;
    case 'gbm': source = gbmSource({
      start: price,
      seed: Number(opts['rng-seed'] ?? 1),
      volatility: Number(opts.volatility ?? 0.8),
      jumpProbability: Number(opts['jump-probability'] ?? 0),
      jumpSize: Number(opts['jump-size'] ?? 0),
    }); break;
    case 'csv': source = csvSource(readFileSync(opts.csv, 'utf8'), Number(opts.market ?? 0)); break;
    default: throw new Error(`unknown --source ${opts.source}`);
  }
  if (opts.drop) {
    source = dropSource(source, {
      percent: Number(opts.drop),
      rounds: Number(opts['drop-rounds'] ?? 10),
      after: Number(opts['drop-after'] ?? 0),
      armed: !opts['drop-on-signal'],
    });
  }
  return source;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2), { flags: ['help', 'drop-on-signal'] });
  const retryMs = Number(opts['retry-ms'] ?? 200);
  if (opts.help) { console.log(HELP); return; }
  const market = Number(opts.market ?? 0);
  const source = makeSource(opts);
  if (source.arm) {
    process.on('SIGUSR2', () => {
      source.arm();
      log('feeder', `drop of ${opts.drop}% armed: it starts next round`);
    });
  }
  const key = await loadKey({ seed: opts.seed, keyFile: opts['key-file'] });
  const api = await connect(opts.url ?? 'ws://127.0.0.1:9944');
  const busd = 1_000_000n;

  const operators = await api.call.oracleApi.operators();
  if (!operators.some(([who]) => who.toString() === key.address)) {
    for (const tx of [api.tx.oracle.registerOperator(BigInt(opts.bond ?? 1000) * busd), api.tx.oracle.setMarkets([market])]) {
      const error = await new Promise((resolve, reject) => {
        tx.signAndSend(key, ({ status, dispatchError }) => {
          if (status.isInBlock) resolve(errorName(api, dispatchError));
        }).catch(reject);
      });
      if (error) throw new Error(`${tx.method.method}: ${error}`);
    }
    log('feeder', `${key.address} registered, serving market ${market}`);
  }

  const roundLength = api.consts.oracle.roundLength.toNumber();
  const guard = roundGuard();
  const limit = opts.rounds ? Number(opts.rounds) : Infinity;
  let submitted = 0;
  let best = 0;
  let stop;
  const done = new Promise((resolve) => { stop = resolve; });
  const sleep = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });
  // The round a submission sent now would land in: the next block's.
  const openRound = () => Math.floor((best + 1) / roundLength);
  const unsubscribe = await api.rpc.chain.subscribeNewHeads(async (header) => {
    best = Math.max(best, header.number.toNumber());
    const round = Math.floor((header.number.toNumber() + 1) / roundLength);
    if (!guard.claim(round)) return;
    const price = source.next(round);
    // The chain accepts a submission for the next round in a round's last block, but a busy pool
    // can still refuse one (it checks against an older block, or is full): retry while the round
    // is open, as long as the refusal is not final (already submitted).
    for (let attempt = 1; ; attempt++) {
      try {
        await api.tx.oracle.submit(round, [[market, toFixed18(price)]]).signAndSend(key, ({ status, dispatchError }) => {
          if (status.isInBlock) log('feeder', `round ${round} market ${market} price ${price.toFixed(4)}: ${errorName(api, dispatchError) ?? 'in block'}${attempt > 1 ? ` (try ${attempt})` : ''}`);
        });
        break;
      } catch (e) {
        const final = /Custom error: 13\b/.test(e.message) || retryMs <= 0 || openRound() > round;
        if (final) {
          log('feeder', `round ${round} market ${market} price ${price.toFixed(4)}: refused (${e.message}) after ${attempt} tries`);
          break;
        }
        await sleep(retryMs);
      }
    }
    submitted += 1;
    if (submitted >= limit) stop();
  });
  process.once('SIGINT', () => stop());
  await done;
  unsubscribe();
  await api.disconnect();
  log('feeder', `stopped after ${submitted} rounds`);
}

main().then(() => process.exit(0), (e) => { console.error(e.message ?? e); process.exit(1); });
