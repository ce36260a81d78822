#!/usr/bin/env node
// Crash drill (issue 14): a throw-away `bulwark-node --dev`, three oracle feeder bots, one keeper
// bot, a staked BTC-USD vault and TRADERS traders at 3x to 10x leverage (three in four long). Once
// every position is open the feeders' source falls 35% over ten rounds; the drill reports, per
// block, the oracle price, the accounts below maintenance, liquidations, bad debt, the insurance
// fund and the vault's NAV, and checks at the end:
//   - no account whose markets have a usable price is below its maintenance margin, and every
//     long (each of them bankrupt at the bottom without a liquidation) was liquidated;
//   - bUSD is conserved: total issuance unchanged and equal to the sum of every account;
//   - every bad debt was covered or absorbed (`margin.BadDebt` shortfall = covered + absorbed),
//     each with the vault's `vaults.BadDebtAbsorbed` event in the same block.
//
// With `--brake` (issue 24, item 4) the risk council (four of the dev council's five, in real
// motions) pauses `margin.place_order` before the crash: a trader's new order is refused while
// liquidations go on; once the market is calm the council lifts the pause and a trader's order
// fills again.
//
//   node scripts/drill.mjs [--traders 200] [--port P (default: a free one)] [--brake]   (scripts/drill.sh runs this)
//
// The e2e suite runs the same drill with fewer traders (e2e/drill.test.mjs).
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  FIXED, connect, councilMotion, cryptoWaitReady, devAccounts, newKeyring, nonceBook, orderOutcome, placeOrder,
  signAndWait, startDevNode, submitAll, untilEachBlock, waitBest, cliOption as option, startBot as startClientBot,
} from '../client/src/index.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const BUSD = 1_000_000n;
const BWK = 1_000_000_000_000n;
const BTC = 0;

/** A bot (`bots/NAME.mjs ARGS`) with its output in e2e/.chain/LOGNAME.log. */
export function startBot(name, args, logName) {
  return startClientBot(name, args, logName, { logDir: join(root, 'e2e', '.chain') });
}

const toBusd = (micro) => Number(BigInt(micro) / 10_000n) / 100;
const toPrice = (fixed) => Number(BigInt(fixed) / 10n ** 14n) / 10_000;

/** Every account `api.call.marginApi.liquidatable` returns at `at` (an api or `api.at(hash)`). */
async function liquidatableAccounts(at) {
  const found = [];
  let cursor = null;
  do {
    const [page, next] = await at.call.marginApi.liquidatable(cursor, 500);
    for (const view of page) found.push(view.who.toString());
    cursor = next.isSome ? next.unwrap() : null;
  } while (cursor);
  return found;
}

/** `section.method: error` of every extrinsic that failed from block `from` to the best block. */
async function failedExtrinsics(api, from) {
  const best = (await api.rpc.chain.getHeader()).number.toNumber();
  const out = [];
  for (let n = from; n <= best; n++) {
    const hash = await api.rpc.chain.getBlockHash(n);
    const [block, events] = await Promise.all([api.rpc.chain.getBlock(hash), (await api.at(hash)).query.system.events()]);
    for (const { phase, event } of events) {
      if (event.section !== 'system' || event.method !== 'ExtrinsicFailed' || !phase.isApplyExtrinsic) continue;
      const ex = block.block.extrinsics[phase.asApplyExtrinsic.toNumber()];
      const error = event.data.dispatchError;
      const name = error.isModule ? (({ section, name: n2 }) => `${section}.${n2}`)(api.registry.findMetaError(error.asModule)) : error.toString();
      out.push(`#${n} ${ex.method.section}.${ex.method.method}: ${name}`);
    }
  }
  return out;
}

/** Total bUSD issuance and the sum of every bUSD account (free + reserved, holds included). */
async function busdBooks(api) {
  const [issuance, entries] = await Promise.all([api.query.busd.totalIssuance(), api.query.busd.account.entries()]);
  let sum = 0n;
  for (const [, data] of entries) sum += data.free.toBigInt() + data.reserved.toBigInt();
  return { issuance: issuance.toBigInt(), sum, accounts: entries.length };
}

/**
 * Runs the drill; resolves with `{ rows, liquidations, badDebts, checks }` or rejects on a failed
 * check. `log` receives one line per step and per block.
 */
export async function runDrill({
  traders: count = 200, port = null, dropPercent = 35, dropRounds = 10, brake = false, log = console.log, node: given = null,
} = {}) {
  await cryptoWaitReady();
  const keyring = newKeyring();
  const traders = Array.from({ length: count }, (_, i) => keyring.addFromUri(`//drill/trader/${i}`));
  // A node of the caller's (`given`, from startDevNode) is left running for it.
  const node = given ?? await startDevNode({ port, name: 'drill', logDir: join(root, 'e2e', '.chain') });
  log(`node up at ${node.url} (log ${node.logPath})`);
  const api = await connect(node.url);
  const bots = [];
  try {
    const acc = devAccounts();

    // The market: a vault staked with 500,000 bUSD, margin for up to about 13x at today's
    // volatility estimate (the default would stop at 7.5x: a volatility coefficient of 0.1
    // on the genesis estimate of 80%), fills close to the oracle price for this skew.
    const staked = await signAndWait(api, api.tx.vaults.stake(BTC, 500_000n * BUSD, 0), acc.dave);
    if (staked.error) throw new Error(`stake: ${staked.error}`);
    const marginParams = (await api.call.marginApi.market(BTC)).unwrap().params.toJSON();
    const params = await signAndWait(api, api.tx.sudo.sudo(api.tx.margin.setMarketParams(BTC, {
      ...marginParams, volCoeff: FIXED / 40n, skewScale: 1_000_000n * FIXED,
    })), acc.alice);
    if (params.error) throw new Error(`margin.setMarketParams: ${params.error}`);

    // Three operators, each a feeder bot: they register themselves (bonds large enough for the
    // security monitor's oracle floor at this open interest) and feed 100 until armed.
    const wsUrl = node.url;
    for (const name of ['Alice', 'Bob', 'Charlie']) {
      bots.push(startBot('feeder', [
        '--url', wsUrl, '--dev-key', `//${name}`, '--market', String(BTC), '--bond', '900000',
        '--source', 'constant', '--price', '100', '--drop', String(dropPercent), '--drop-rounds', String(dropRounds),
        '--drop-on-signal',
      ], `drill-feeder-${name.toLowerCase()}`));
    }
    const feeders = [...bots];
    await untilEachBlock(api, async () => {
      for (const bot of feeders) if (bot.exited) throw new Error(`a feeder exited: ${JSON.stringify(bot.exited)}, see ${bot.logPath}`);
      const info = await api.call.oracleApi.priceInfo(BTC);
      return info.isSome && info.unwrap().status.isActive;
    }, 180_000, 'the feeders\' first active price');
    log('feeders registered; BTC-USD active at 100');

    // Traders: trader i deposits 100 + 10 x (i mod 10) bUSD and trades 3x + (i mod 8) of it;
    // three in four go long.
    const next = await nonceBook(api, [acc.dave, acc.eve]);
    const plan = traders.map((t, i) => {
      const collateral = (100n + 10n * BigInt(i % 10)) * BUSD;
      const leverage = 3n + BigInt(i % 8);
      const long = i % 4 !== 3;
      // Size in FixedI128: collateral x leverage / 100 bUSD per BTC.
      const size = (collateral * leverage * FIXED) / (100n * BUSD);
      return { pair: t, collateral, leverage, long, size: long ? size : -size };
    });
    const funding = [];
    plan.forEach(({ pair, collateral }, i) => {
      const funder = i % 2 === 0 ? acc.dave : acc.eve;
      funding.push([api.tx.balances.transferKeepAlive(pair.address, BWK), funder, next(funder)]);
      funding.push([api.tx.busd.transferKeepAlive(pair.address, collateral + 10n * BUSD), funder, next(funder)]);
    });
    await submitAll(api, funding);
    await untilEachBlock(api, async () => {
      const accounts = await api.query.busd.account.multi(traders.map((t) => t.address));
      return accounts.every((a, i) => a.free.toBigInt() >= plan[i].collateral);
    }, 300_000, 'the funding transfers');
    log(`funded ${count} traders`);

    const opening = [];
    for (const { pair, collateral, long, size } of plan) {
      opening.push([api.tx.margin.deposit(collateral), pair, 0]);
      // An order fills two rounds later at the feeders' next median; the limit (2% either way)
      // bounds the fill and the margin the order reserves.
      opening.push([api.tx.margin.placeOrder(BTC, size, long ? 102n * FIXED : 98n * FIXED, 10), pair, 1]);
    }
    const openedFrom = (await api.rpc.chain.getHeader()).number.toNumber() + 1;
    await submitAll(api, opening);
    await untilEachBlock(api, async () => {
      // The nonces on chain (the RPC's next index counts the pool too).
      const accounts = await api.query.system.account.multi(traders.map((t) => t.address));
      if (!accounts.every((a) => a.nonce.toNumber() >= 2)) return false;
      // And the orders filled (or were cancelled: reported below).
      const margin = await api.query.margin.accounts.multi(traders.map((t) => t.address));
      return margin.every((a) => a.isNone || a.unwrap().orders.length === 0);
    }, 300_000, 'the positions to open');
    const opened = await api.query.margin.accounts.multi(traders.map((t) => t.address));
    const missing = opened.map((a, i) => (a.isSome && a.unwrap().positions.length === 1 ? null : i)).filter((i) => i !== null);
    if (missing.length > 0) {
      const first = plan[missing[0]];
      const quote = await api.call.marginApi.quote(first.pair.address, BTC, first.size);
      const why = quote.isErr ? JSON.stringify(quote.asErr.toHuman()) : 'the quote is fine now';
      const failures = await failedExtrinsics(api, openedFrom);
      const view = (await api.call.marginApi.market(BTC)).unwrap();
      const price = (await api.call.oracleApi.priceInfo(BTC)).unwrap();
      throw new Error(`${missing.length} traders could not open their position (trader ${missing[0]}: ${why}; `
        + `market: initial margin fraction ${view.initialMarginFraction.toHuman()}, restricted ${view.restricted.toHuman()}; `
        + `price: ${JSON.stringify(price.toHuman())}; failed: ${JSON.stringify(failures.slice(0, 5))})`);
    }
    const longs = new Set(plan.filter((p) => p.long).map((p) => p.pair.address));
    log(`${count} positions open (${longs.size} long, ${count - longs.size} short, 3x to 10x)`);

    const before = await busdBooks(api);
    bots.push(startBot('keeper', ['--url', wsUrl, '--dev-key', '//Ferdie'], 'drill-keeper'));
    await waitBest(api, (await api.rpc.chain.getHeader()).number.toNumber() + 2);

    // The emergency brake: two thirds of the council pause order placement (close orders,
    // deposits and liquidations stay open: a reduce-only market).
    // Dave and Eve propose and close; Alice and Bob, also feeders, race their bots for nonces
    // (`councilMotion` signs again).
    const council = [acc.dave, acc.eve, acc.alice, acc.bob];
    const orderPlacement = ['Margin', 'place_order'];
    const brakeLog = {};
    if (brake) {
      const paused = await councilMotion(api, api.tx.txPause.pause(orderPlacement), council);
      if (!paused.result?.isOk) throw new Error(`txPause.pause: ${paused.result}`);
      const refused = await placeOrder(api, plan[3].pair, BTC, FIXED, 102n * FIXED);
      if (refused.error !== 'system.CallFiltered') throw new Error(`a paused order was not refused: ${refused.error}`);
      brakeLog.refused = refused.error;
      log(`the council paused margin.place_order: a new order is refused (${refused.error})`);
    }

    // The crash.
    for (const bot of feeders) bot.child.kill('SIGUSR2');
    const roundLength = api.consts.oracle.roundLength.toNumber();
    const bottom = (100 * (100 - dropPercent)) / 100;
    log(`drop armed: BTC-USD falls ${dropPercent}% over ${dropRounds} rounds (${dropRounds * roundLength} blocks)`);

    const rows = [];
    const liquidated = new Map();
    const badDebts = [];
    const absorbed = [];
    let block = (await api.rpc.chain.getHeader()).number.toNumber() + 1;
    const lastBlock = block + (dropRounds + 12) * roundLength + 20;
    let calm = 0;
    let resumeSent = false;
    log('| block | BTC-USD | status | below maintenance | liquidatable now | liquidated | bad debt (bUSD) | insurance (bUSD) | vault NAV (bUSD) |');
    while (block <= lastBlock) {
      for (const bot of bots) if (bot.exited) throw new Error(`a bot exited: ${JSON.stringify(bot.exited)}, see ${bot.logPath}`);
      await waitBest(api, block);
      const hash = await api.rpc.chain.getBlockHash(block);
      const at = await api.at(hash);
      const [events, price, listed, views, fund, vault] = await Promise.all([
        at.query.system.events(),
        at.call.oracleApi.priceInfo(BTC),
        liquidatableAccounts(at),
        Promise.all(traders.map((t) => at.call.marginApi.account(t.address))),
        at.call.insuranceApi.fundInfo(BTC),
        at.call.vaultsApi.vault(BTC),
      ]);
      const below = views.filter((v) => v.isSome && v.unwrap().belowMaintenance.isTrue).length;
      let liquidations = 0;
      let shortfall = 0n;
      for (const { event } of events) {
        if (event.section === 'margin' && event.method === 'Liquidated') {
          liquidations += 1;
          const who = event.data.who.toString();
          liquidated.set(who, (liquidated.get(who) ?? 0) + 1);
        }
        if (event.section === 'margin' && event.method === 'BadDebt') {
          const d = event.data;
          badDebts.push({ block, who: d.who.toString(), shortfall: d.shortfall.toBigInt(), covered: d.covered.toBigInt(), absorbed: d.absorbed.toBigInt() });
          shortfall += d.shortfall.toBigInt();
        }
        if (event.section === 'oracle' && event.method === 'ResumeAwaitsRiskOrigin' && !resumeSent) {
          // The operators confirmed the new level, more than one jump from the pre-halt EMA: the
          // risk council (sudo on dev) resumes the market (issue 29, item 4).
          resumeSent = true;
          log(`BTC-USD confirmed at ${toPrice(event.data.candidate.toBigInt())} beyond one jump: the council resumes it`);
          signAndWait(api, api.tx.sudo.sudo(api.tx.oracle.resumeMarket(BTC)), acc.alice).then((r) => {
            if (r.error) log(`resume_market: ${r.error}`);
            resumeSent = r.error === null;
          }, (e) => { log(`resume_market refused: ${e.message}`); resumeSent = false; });
        }
        if (event.section === 'vaults' && event.method === 'BadDebtAbsorbed') {
          const d = event.data;
          absorbed.push({ block, shortfall: d.shortfall.toBigInt(), covered: d.covered.toBigInt(), absorbed: d.absorbed.toBigInt() });
        }
      }
      const info = price.unwrap();
      const row = {
        block,
        price: toPrice(info.price.toBigInt()),
        status: info.status.toString(),
        below,
        listed: listed.length,
        liquidations,
        badDebt: toBusd(shortfall),
        insurance: toBusd(fund[0].toBigInt()),
        nav: toBusd(vault.nav.toBigInt()),
      };
      rows.push(row);
      log(`| #${row.block} | ${row.price} | ${row.status} | ${row.below} | ${row.listed} | ${row.liquidations} | ${row.badDebt} | ${row.insurance} | ${row.nav} |`);
      // Done once the price sits at the bottom, active, with nobody below maintenance for two
      // blocks in a row.
      calm = row.price <= bottom + 1e-6 && row.status === 'Active' && row.below === 0 ? calm + 1 : 0;
      if (calm >= 2) break;
      block += 1;
    }
    if (brake) {
      // Three quarters lift the pause, and a short (in profit) halves its position again.
      const lifted = await councilMotion(api, api.tx.txPause.unpause(orderPlacement), council);
      if (!lifted.result?.isOk) throw new Error(`txPause.unpause: ${lifted.result}`);
      const short = plan.find((p) => !p.long);
      const held = (await api.call.marginApi.account(short.pair.address)).unwrap().positions
        .find((p) => p.market.toNumber() === BTC).signedSize.toBigInt();
      if (held >= 0n) throw new Error(`trader ${short.pair.address} holds no short: ${held}`);
      // A buy of half the short (it only reduces), at most 10% above the bottom.
      const { error, placed } = await placeOrder(api, short.pair, BTC, -held / 2n, BigInt(Math.ceil(bottom * 1.1)) * FIXED);
      if (error !== null) throw new Error(`an order after the lift: ${error}`);
      const outcome = await orderOutcome(api, short.pair, BTC, placed);
      if (outcome.method !== 'Traded') throw new Error(`the order after the lift ended ${outcome.method}`);
      brakeLog.filledAfterLift = true;
      log('the council lifted the pause: a short\'s new order filled');
    }
    await Promise.all(bots.map((b) => b.stop()));
    bots.length = 0;

    // The checks, at the best block.
    const checks = [];
    const check = (ok, what) => {
      checks.push(what);
      if (!ok) throw new Error(`drill check failed: ${what}`);
      log(`ok: ${what}`);
    };
    const info = (await api.call.oracleApi.priceInfo(BTC)).unwrap();
    check(toPrice(info.price.toBigInt()) <= bottom + 1e-6, `BTC-USD fell ${dropPercent}% to ${toPrice(info.price.toBigInt())}`);
    check(info.status.isActive, 'BTC-USD is active (a usable price)');
    const views = await Promise.all(traders.map((t) => api.call.marginApi.account(t.address)));
    const underwater = views.filter((v) => v.isSome && (v.unwrap().belowMaintenance.isTrue
      || (v.unwrap().positions.length > 0 && v.unwrap().equity.toBigInt() < v.unwrap().maintenanceMargin.toBigInt())));
    check(underwater.length === 0 && (await liquidatableAccounts(api)).length === 0,
      'no account with a usable price is below its maintenance margin');
    const missed = [...longs].filter((who) => !liquidated.has(who));
    check(missed.length === 0, `every long was liquidated (${longs.size} longs, ${[...liquidated.values()].reduce((a, b) => a + b, 0)} liquidations)`);
    const after = await busdBooks(api);
    check(after.issuance === before.issuance, `bUSD issuance unchanged (${toBusd(after.issuance)})`);
    check(after.sum === after.issuance, `bUSD accounts sum to the issuance (${after.accounts} accounts)`);
    const unmatched = [...absorbed];
    for (const d of badDebts) {
      if (d.covered + d.absorbed !== d.shortfall) check(false, `bad debt of ${d.who} at #${d.block} covered + absorbed = shortfall`);
      const at = unmatched.findIndex((a) => a.block === d.block && a.shortfall === d.shortfall && a.covered === d.covered && a.absorbed === d.absorbed);
      if (at < 0) check(false, `bad debt of ${d.who} at #${d.block} has its vaults.BadDebtAbsorbed event`);
      unmatched.splice(at, 1);
    }
    const totalBadDebt = badDebts.reduce((a, d) => a + d.shortfall, 0n);
    check(unmatched.length === 0, `every bad debt (${badDebts.length}, ${toBusd(totalBadDebt)} bUSD) was covered or absorbed, with its events`);
    return {
      rows, liquidations: [...liquidated.values()].reduce((a, b) => a + b, 0), badDebts, checks, longs: longs.size, brake: brakeLog,
    };
  } finally {
    await Promise.all(bots.map((b) => b.stop()));
    await api.disconnect().catch(() => {});
    if (!given) await node.stop();
  }
}


if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const stamp = () => new Date().toISOString().slice(11, 19);
  const started = Date.now();
  runDrill({
    traders: Number(option('traders', 200)),
    port: option('port', null) === null ? null : Number(option('port')),
    brake: process.argv.includes('--brake'),
    log: (line) => console.log(`[drill ${stamp()}] ${line}`),
  })
    .then((result) => {
      console.log(`[drill] PASS: ${result.longs} longs liquidated in ${result.liquidations} liquidations, ${result.badDebts.length} bad debts covered or absorbed, bUSD conserved (${((Date.now() - started) / 1000).toFixed(0)} s)`);
      process.exit(0);
    }, (e) => {
      console.error(`[drill] FAIL: ${e.stack ?? e}`);
      process.exit(1);
    });
}
