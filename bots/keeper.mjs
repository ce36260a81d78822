#!/usr/bin/env node
// Keeper bot (issues 14 and 26): at every new best block, pages through `marginApi.liquidatable`
// and submits `margin.liquidate` for each account found, from one or more keys with nonces planned
// locally (many land in one block), and deleverages a market whose `marginApi.market` view says it
// needs it. Every submission is followed to its final status; a refusal, a drop or every
// `--resync-blocks` blocks reads the key's nonce from the node again. RPC errors and node restarts
// are survived (the provider reconnects; a watchdog subscribes again when heads stop). What the
// keeper earned is counted from finalized blocks. Orders are executed by the runtime's hook, not
// by keepers. See --help.
import {
  BOT_OPTIONS, collectPages, connect, createLogger, devKeyUri, helpText, loadKey, Metrics, NonceBook, parseOptions,
  readSecretFile, serveBotMetrics, submitAndWatch,
} from '@bulwark/client';

const OPTIONS = {
  ...BOT_OPTIONS,
  'key-file': { help: 'a file (mode 0600) holding a keeper\'s secret URI; repeatable or comma-separated', type: 'list', default: '' },
  seed: { help: 'keepers\' secret URIs, comma-separated', secret: true },
  'dev-key': { help: 'a well-known development key (//Alice ... //Ferdie, dev chains only); repeatable', type: 'list', default: '' },
  limit: { help: 'accounts per page of marginApi.liquidatable', type: 'number', default: 500 },
  blocks: { help: 'stop after this many blocks (0: run until SIGTERM or SIGINT)', type: 'number', default: 0 },
  'resync-blocks': { help: 'read each key\'s nonce from the node again every this many blocks', type: 'number', default: 20 },
  'stall-seconds': { help: 'subscribe again when no head came for this long', type: 'number', default: 30 },
};
const USAGE = 'usage: node bots/keeper.mjs --key-file FILE [--key-file FILE ...] [options]\n'
  + '       BULWARK_SEED=URI[,URI] node bots/keeper.mjs [options]';
/** Deleveraged accounts a block, ranked first (ADL is pro rata: each gives up the same share). */
const ADL_PER_BLOCK = 20;

async function keepersFrom(opts) {
  const uris = [
    ...opts['key-file'].map((file) => readSecretFile(file)),
    ...(opts.seed ? opts.seed.split(',').map((s) => s.trim()).filter(Boolean) : []),
  ];
  uris.push(...opts['dev-key'].map(devKeyUri));
  if (uris.length === 0) throw new Error('no keeper key: give --key-file FILE, BULWARK_SEED or (dev chains) --dev-key //Dave');
  return Promise.all(uris.map((uri) => loadKey({ uri })));
}

async function main() {
  const opts = parseOptions(OPTIONS, process.argv.slice(2));
  if (opts.help) { console.log(helpText(USAGE, OPTIONS)); return; }
  const log = createLogger('keeper', { format: opts['log-format'], level: opts['log-level'] });
  const keepers = await keepersFrom(opts);
  const byAddress = new Map(keepers.map((k) => [k.address, k]));

  const metrics = new Metrics('bulwark_keeper')
    .define('liquidations_submitted_total', 'counter', 'margin.liquidate submitted')
    .define('liquidations_total', 'counter', 'liquidations by our keys in finalized blocks')
    .define('liquidations_failed_total', 'counter', 'liquidations refused by the pool or failed in a block')
    .define('rewards_total', 'counter', 'keeper rewards in finalized blocks, bUSD units')
    .define('deleverages_submitted_total', 'counter', 'margin.deleverage submitted')
    .define('nonce_resyncs_total', 'counter', 'nonces read from the node again after a refusal')
    .define('rpc_errors_total', 'counter', 'errors talking to the node')
    .define('reconnects_total', 'counter', 'connections to the node made again')
    .define('last_block', 'gauge', 'the last best block seen')
    .define('last_finalized_block', 'gauge', 'the last finalized block seen');
  const { server, heard, sinceHeadMs } = await serveBotMetrics(metrics, opts, { stallMs: opts['stall-seconds'] * 1000 });

  const api = await connect(opts.url);
  const book = new NonceBook((address) => api.rpc.system.accountNextIndex(address).then((n) => n.toNumber()), { resyncEvery: opts['resync-blocks'] });
  // Targets submitted and not yet final: not submitted again meanwhile.
  const pending = new Map();
  const tried = new Map();
  let markets = [];
  let blocks = 0;
  let busy = false;
  let stop;
  const done = new Promise((resolve) => { stop = resolve; });

  /** Submits `tx` from `keeper` and follows it; a refusal or drop frees the target and resyncs the nonce. */
  async function send(keeper, tx, what, onEnd) {
    const nonce = await book.take(keeper.address);
    // Signed before the next is planned, so that one key's transactions reach the pool in nonce
    // order (out of order they wait in its small future queue, which drops them when full).
    const signed = await tx.signAsync(keeper, { nonce, era: 0 });
    submitAndWatch(api, signed, null).then((result) => {
      if (result.resync) {
        book.invalidate(keeper.address);
        metrics.inc('nonce_resyncs_total');
      }
      if (!result.ok) log.warn(`${what}: ${result.status}`, { error: result.error, nonce, keeper: keeper.address, resync: result.resync });
      else log.debug(`${what}: ${result.status}`, { block: result.blockHash });
      onEnd(result);
    }, (e) => {
      metrics.inc('rpc_errors_total');
      book.invalidate(keeper.address);
      log.warn(`${what}: ${e.message}`);
      onEnd({ ok: false });
    });
  }

  async function deleverageWhereNeeded(number) {
    for (const market of markets) {
      const view = await api.call.marginApi.market(market);
      if (view.isNone || !view.unwrap().deleverageNeeded.isTrue) continue;
      const candidates = await collectPages(async (cursor, size) => {
        const [page, next] = await api.call.marginApi.deleverageCandidates(market, cursor, size);
        return [page.map((c) => ({ who: c.who.toString(), score: c.score.toBigInt() })), next.isSome ? next.unwrap() : null];
      }, { limit: 1000 });
      candidates.sort((a, b) => (b.score > a.score ? 1 : b.score < a.score ? -1 : 0));
      // A candidate tried in the last 10 blocks is skipped, so that others are tried instead of
      // paying for the same refusal every block.
      for (const [who, at] of tried) if (number - at > 10) tried.delete(who);
      const targets = candidates.map((c) => c.who).filter((who) => !byAddress.has(who) && !tried.has(who)).slice(0, ADL_PER_BLOCK);
      for (const target of targets) {
        tried.set(target, number);
        metrics.inc('deleverages_submitted_total');
        log.info(`#${number}: market ${market} over its deleverage trigger, deleveraging ${target}`);
        await send(keepers[0], api.tx.margin.deleverage(market, target), `deleverage ${target}`, () => {});
      }
    }
  }

  async function onBest(header) {
    const number = header.number.toNumber();
    heard();
    blocks += 1;
    metrics.set('last_block', number);
    book.onBlock(number);
    if (busy) return;
    busy = true;
    try {
      const found = await collectPages(async (cursor, size) => {
        const [page, next] = await api.call.marginApi.liquidatable(cursor, size);
        return [page.map((v) => ({ who: v.who.toString() })), next.isSome ? next.unwrap() : null];
      }, { limit: opts.limit });
      const targets = found.map((v) => v.who).filter((who) => !pending.has(who));
      let turn = 0;
      for (const target of targets) {
        const keeper = keepers[turn % keepers.length];
        turn += 1;
        pending.set(target, number);
        metrics.inc('liquidations_submitted_total');
        await send(keeper, api.tx.margin.liquidate(target), `liquidate ${target}`, (result) => {
          pending.delete(target);
          if (!result.ok) metrics.inc('liquidations_failed_total');
        });
      }
      if (targets.length > 0) log.info(`#${number}: ${found.length} liquidatable, ${targets.length} submitted`);
      await deleverageWhereNeeded(number);
    } catch (e) {
      metrics.inc('rpc_errors_total');
      log.warn(`#${number}: ${e.message}`);
      for (const k of keepers) book.invalidate(k.address);
    } finally {
      busy = false;
    }
    if (opts.blocks > 0 && blocks >= opts.blocks) stop();
  }

  // GRANDPA finalizes blocks in batches and announces only the last: each block since the last
  // one counted is read (from the first finalized head seen on).
  let counted = null;
  async function onFinalized(header) {
    const last = header.number.toNumber();
    const from = counted === null ? last : counted + 1;
    for (let number = from; number <= last; number++) {
      await countFinalized(number, number === last ? header.hash : await api.rpc.chain.getBlockHash(number));
      counted = number;
    }
    metrics.set('last_finalized_block', last);
  }

  async function countFinalized(number, hash) {
    const events = await (await api.at(hash)).query.system.events();
    for (const { event } of events) {
      if (event.section === 'margin' && event.method === 'Liquidated' && byAddress.has(event.data.keeper.toString())) {
        metrics.inc('liquidations_total');
        metrics.inc('rewards_total', Number(event.data.keeperReward.toBigInt()));
        log.info(`#${number} (finalized) liquidated ${event.data.who.toString()}`, {
          closedPercent: Number((event.data.closed.toBigInt() * 100n) / 10n ** 18n),
          penalty: event.data.penalty.toString(),
          reward: event.data.keeperReward.toString(),
        });
      }
      if (event.section === 'margin' && event.method === 'Deleveraged') {
        log.info(`#${number} (finalized) deleveraged ${event.data.who.toString()} in market ${event.data.market.toString()}`);
      }
    }
  }

  /** The markets the keeper deleverages in, read at each (re)subscription and reconnection. */
  async function readMarkets() {
    markets = (await api.call.oracleApi.markets()).map(([id]) => id.toNumber());
  }

  // Subscriptions, made again by the watchdog when heads stop (a node restart the provider's
  // resubscription missed).
  let unsubscribe = [];
  async function subscribe() {
    for (const u of unsubscribe) u();
    await readMarkets();
    const guard = (handler) => (header) => handler(header).catch((e) => {
      metrics.inc('rpc_errors_total');
      log.warn(`#${header.number.toNumber()}: ${e.message}`);
    });
    unsubscribe = [
      await api.rpc.chain.subscribeNewHeads(guard(onBest)),
      await api.rpc.chain.subscribeFinalizedHeads(guard(onFinalized)),
    ];
    heard();
  }
  await subscribe();
  const watchdog = setInterval(() => {
    if (sinceHeadMs() < opts['stall-seconds'] * 1000 || !api.isConnected) return;
    log.warn(`no head for ${opts['stall-seconds']} s: subscribing again`);
    for (const k of keepers) book.invalidate(k.address);
    subscribe().catch((e) => {
      metrics.inc('rpc_errors_total');
      log.warn(`subscribing again: ${e.message}`);
    });
  }, 5_000);
  // After a reconnection (a node restart: its pool is empty), what was in flight may be lost: the
  // nonces are read again, the targets freed, and the markets read again.
  let away = false;
  api.on('disconnected', () => {
    away = true;
    log.warn('disconnected from the node; reconnecting');
  });
  api.on('connected', () => {
    log.info('connected to the node');
    if (!away) return;
    away = false;
    metrics.inc('reconnects_total');
    for (const k of keepers) book.invalidate(k.address);
    pending.clear();
    api.isReady
      .then(readMarkets)
      .catch((e) => {
        metrics.inc('rpc_errors_total');
        log.warn(`reading the markets again: ${e.message}`);
      });
  });
  log.info(`keeping with ${keepers.length} key(s)`, { keepers: keepers.map((k) => k.address), url: opts.url });

  process.once('SIGINT', () => stop());
  process.once('SIGTERM', () => stop());
  await done;
  clearInterval(watchdog);
  for (const u of unsubscribe) u();
  if (server) server.close();
  await api.disconnect();
  log.info(`stopped after ${blocks} blocks`);
}

main().then(() => process.exit(0), (e) => { console.error(e.message ?? e); process.exit(1); });
