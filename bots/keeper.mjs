#!/usr/bin/env node
// Keeper bot (issue 14): every block, pages through `marginApi.liquidatable` and submits
// `margin.liquidate` for each account found, from one or more keys with their own nonces so that
// many land in one block, deleverages a market whose `marginApi.market` view says it needs it, and
// logs what each liquidation paid. See --help.
import { collectPages, planSubmissions } from './lib/keeper-plan.mjs';
import { connect, loadKey, log, parseArgs } from './lib/chain.mjs';

const HELP = `usage: node bots/keeper.mjs --seed //Dave [--seed //Eve ...] [options]
  --url URL       node RPC (default ws://127.0.0.1:9944)
  --seed URI      a keeper key, repeatable (or --key-file FILE, repeatable)
  --limit N       accounts per page of marginApi.liquidatable (default 500)
  --blocks N      stop after N blocks (default: run until SIGINT)`;

async function main() {
  const opts = parseArgs(process.argv.slice(2), { repeatable: ['seed', 'key-file'], flags: ['help'] });
  if (opts.help) { console.log(HELP); return; }
  const keys = [
    ...(opts.seed ?? []).map((seed) => loadKey({ seed })),
    ...(opts['key-file'] ?? []).map((keyFile) => loadKey({ keyFile })),
  ];
  const keepers = await Promise.all(keys);
  if (keepers.length === 0) throw new Error('give at least one --seed or --key-file');
  const byAddress = new Map(keepers.map((k) => [k.address, k]));
  const api = await connect(opts.url ?? 'ws://127.0.0.1:9944');
  const limit = Number(opts.limit ?? 500);
  const maxBlocks = opts.blocks ? Number(opts.blocks) : Infinity;

  let nonces = new Map();
  for (const k of keepers) nonces.set(k.address, (await api.rpc.system.accountNextIndex(k.address)).toNumber());
  // Targets submitted and not yet seen in a block: not submitted again meanwhile.
  const pending = new Map();
  let blocks = 0;
  let busy = false;
  let stop;
  const done = new Promise((resolve) => { stop = resolve; });

  // Auto-deleveraging: when a market's view says traders' profit is above the vault's trigger,
  // reduce the top-ranked candidates (profit x leverage) that are not our own keys. ADL is pro
  // rata (each winner gives up the same share, once per episode), so several winners are
  // reduced per block, ranked first.
  const markets = (await api.call.oracleApi.markets()).map(([id]) => id.toNumber());
  const tried = new Map();
  const ADL_PER_BLOCK = 20;
  async function deleverageCandidates(market) {
    const all = [];
    let cursor = null;
    do {
      const [page, next] = await api.call.marginApi.deleverageCandidates(market, cursor, 1000);
      all.push(...page);
      cursor = next.isSome ? next.unwrap() : null;
    } while (cursor);
    return all.sort((a, b) => b.score.cmp(a.score));
  }
  async function deleverageWhereNeeded(number) {
    for (const market of markets) {
      const view = await api.call.marginApi.market(market);
      if (view.isNone || !view.unwrap().deleverageNeeded.isTrue) continue;
      const candidates = await deleverageCandidates(market);
      // A candidate tried in the last 10 blocks is skipped: if the call failed for it (the
      // vault could not pay its profit, or it closed first), others are tried instead of
      // paying for the same refusal every block.
      for (const [who, at] of tried) if (number - at > 10) tried.delete(who);
      const targets = candidates.map((c) => c.who.toString())
        .filter((who) => !byAddress.has(who) && !tried.has(who))
        .slice(0, ADL_PER_BLOCK);
      const keeper = keepers[0];
      for (const target of targets) {
        const nonce = nonces.get(keeper.address);
        const signed = await api.tx.margin.deleverage(market, target).signAsync(keeper, { nonce, era: 0 });
        try {
          await api.rpc.author.submitExtrinsic(signed);
          nonces.set(keeper.address, nonce + 1);
          tried.set(target, number);
          log('keeper', `#${number}: market ${market} over its deleverage trigger, deleveraging ${target}`);
        } catch (e) {
          log('keeper', `deleverage ${target} refused by the pool: ${e.message}`);
          break;
        }
      }
    }
  }

  const unsubscribe = await api.rpc.chain.subscribeNewHeads(async (header) => {
    blocks += 1;
    const number = header.number.toNumber();
    // What our liquidations of the last block paid.
    const events = await (await api.at(header.hash)).query.system.events();
    for (const { event } of events) {
      if (event.section === 'margin' && event.method === 'Deleveraged') {
        log('keeper', `#${number} deleveraged ${event.data.who.toString()} in market ${event.data.market.toString()}`);
      }
      if (event.section === 'margin' && event.method === 'Liquidated' && byAddress.has(event.data.keeper.toString())) {
        pending.delete(event.data.who.toString());
        log('keeper', `#${number} liquidated ${event.data.who.toString()}: closed ${Number(event.data.closed.toBigInt() * 100n / 10n ** 18n)}%, penalty ${event.data.penalty.toString()}, reward ${event.data.keeperReward.toString()}`);
      }
    }
    for (const [who, at] of pending) if (number - at > 5) pending.delete(who);
    if (!busy) {
      busy = true;
      try {
        const found = await collectPages(async (cursor, size) => {
          const [page, next] = await api.call.marginApi.liquidatable(cursor, size);
          return [page.map((v) => ({ who: v.who.toString() })), next.isSome ? next.unwrap().toString() : null];
        }, { limit });
        const planned = planSubmissions(found.map((v) => v.who), [...byAddress.keys()], nonces, new Set(pending.keys()));
        for (const { keeper, target, nonce } of planned.plan) {
          const signed = await api.tx.margin.liquidate(target).signAsync(byAddress.get(keeper), { nonce, era: 0 });
          try {
            await api.rpc.author.submitExtrinsic(signed);
            pending.set(target, number);
          } catch (e) {
            log('keeper', `liquidate ${target} refused by the pool: ${e.message}`);
          }
        }
        nonces = planned.nonces;
        if (planned.plan.length > 0) log('keeper', `#${number}: ${found.length} liquidatable, ${planned.plan.length} submitted`);
        await deleverageWhereNeeded(number);
      } catch (e) {
        log('keeper', `#${number}: ${e.message}`);
        // Resynchronize nonces with the chain after a failure.
        for (const k of keepers) nonces.set(k.address, (await api.rpc.system.accountNextIndex(k.address)).toNumber());
      } finally {
        busy = false;
      }
    }
    if (blocks >= maxBlocks) stop();
  });
  process.once('SIGINT', () => stop());
  await done;
  unsubscribe();
  await api.disconnect();
  log('keeper', `stopped after ${blocks} blocks`);
}

main().then(() => process.exit(0), (e) => { console.error(e.message ?? e); process.exit(1); });
