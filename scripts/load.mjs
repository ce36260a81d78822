#!/usr/bin/env node
// Block capacity on a throw-away `bulwark-node --dev` (issue 14): how many bUSD
// `transferKeepAlive`, `margin.placeOrder` and `margin.liquidate` extrinsics a block holds, and
// how many orders the hook executes per block, measured in one run on one node. ACCOUNTS funded
// accounts each pre-sign their extrinsics (immortal, nonces planned locally), all submitted at
// once per phase:
//
//   1. transfers:    every account sends two bUSD `transferKeepAlive`;
//   2. orders:       every account (after a deposit) places one `margin.placeOrder` (0.2 BTC
//                    long); the hook fills each two oracle rounds later: orders executed per
//                    block, and the time from placing (the block including it) to filling;
//   3. liquidations: after a second order to 8x the oracle falls from 100 to 88, so that every
//                    account is liquidatable (none bankrupt); KEEPERS keepers send one
//                    `margin.liquidate` per account.
//
// For each block of each phase it reports the count of the phase's extrinsic that succeeded, the
// normal-class weight used (of its 1.5 s) and the block's length (of its 3.75 MiB), and each
// phase's best block as a ratio to the transfers' best block. Usage (after scripts/setup.sh and
// scripts/build.sh; scripts/load.sh runs this):
//
//   node scripts/load.mjs [--accounts 3000] [--keepers 4] [--port 9971] [--out FILE]
//
// With `--network` (issue 25, "blocks that fit their slot") the same phases run on the `local`
// chain's four validators (scripts/network.mjs; RPC on PORT to PORT + 3, Prometheus on PORT + 2000
// to PORT + 2003), the market set by council motions instead of sudo, and each block of each
// phase also gets its authoring time (the author's log), its import time on the three others
// (their Prometheus histograms), when the last validator had it and when it was finalized, both
// from its slot's start (scripts/block-timing.mjs).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  COUNCIL_AYES, FIXED, connect, councilMotion, cryptoWaitReady, devAccounts, fundAll, newKeyring, nonceBook, registerOperators,
  signAndWait, startDevNode, feederRounds, startFeeder, submitAll, untilEachBlock, waitBest, waitFinalized,
  cliOption as option, dispatchErrorName,
} from '../client/src/index.mjs';
import { VALIDATORS, startValidator } from './network.mjs';
import { authoringTimes, startFinalityWatch, startImportSampler, timingRows } from './block-timing.mjs';

/** The node's log, beside the e2e suite's. */
const LOG_DIR = fileURLToPath(new URL('../e2e/.chain', import.meta.url));

const BUSD = 1_000_000n;
const BWK = 1_000_000_000_000n;
const BTC = 0;

const ACCOUNTS = Number(option('accounts', 3000));
const KEEPERS = Number(option('keepers', 4));
const PORT = Number(option('port', 9971));
const OUT = option('out', null);
const NETWORK = process.argv.includes('--network');
const CHAIN = option('chain', NETWORK ? 'local' : 'dev');
/** Each block's `timestamp.now` (its slot's start), as `measure` reads them. */
const timestamps = new Map();
const log = (...args) => console.log(`[load ${new Date().toISOString().slice(11, 19)}]`, ...args);

/**
 * Signs every `[tx, pair, nonce]` first (so that submission is not slowed by signing), then, right
 * after a new head (so that the pool holds them when the next slot's block is built), submits
 * them all, each sender's in nonce order, senders in parallel, spread over `submitters` (the
 * validators' APIs with --network: four RPC servers take them faster than one).
 */
async function presignAndSubmit(api, txs, submitters = [api]) {
  const t0 = Date.now();
  const bySender = new Map();
  for (const [tx, pair, nonce] of txs) {
    const signed = await tx.signAsync(pair, { nonce, era: 0 });
    if (!bySender.has(pair.address)) bySender.set(pair.address, []);
    bySender.get(pair.address).push(signed);
  }
  const signedMs = Date.now() - t0;
  const head = await waitBest(api, (await api.rpc.chain.getHeader()).number.toNumber() + 1);
  const firstBlock = head.number.toNumber() + 1;
  const t1 = Date.now();
  await Promise.all([...bySender.values()].map(async (list, i) => {
    const via = submitters[i % submitters.length];
    for (const signed of list) await via.rpc.author.submitExtrinsic(signed);
  }));
  return { firstBlock, signedMs, submittedMs: Date.now() - t1 };
}

/**
 * Follows blocks from `firstBlock` until `expected` extrinsics `section.method` were included;
 * one row per block: included (succeeded), failed, normal-class weight and block length.
 */
async function measure(api, { firstBlock, section, method, expected, name, placed = null }) {
  const limits = api.consts.system.blockWeights;
  const normalMax = limits.perClass.normal.maxTotal.unwrap().refTime.toBigInt();
  const lengthMax = api.consts.system.blockLength.max.normal.toNumber();
  const rows = [];
  let included = 0;
  let block = firstBlock;
  let idle = 0;
  const deadline = Date.now() + 600_000;
  while (included < expected) {
    if (Date.now() > deadline) throw new Error(`${name}: only ${included} of ${expected} included`);
    // The node's pool sometimes drops a few ready transactions under this load: once it is
    // empty and 5 blocks included none, what is missing is reported as lost, not waited for.
    if (idle >= 5 && (await api.rpc.author.pendingExtrinsics()).length === 0) {
      log(`${name}: ${expected - included} of ${expected} lost by the pool (never included)`);
      break;
    }
    await waitBest(api, block);
    const hash = await api.rpc.chain.getBlockHash(block);
    const at = await api.at(hash);
    const [events, weight, signed, now] = await Promise.all([
      at.query.system.events(), at.query.system.blockWeight(), api.rpc.chain.getBlock(hash), at.query.timestamp.now(),
    ]);
    timestamps.set(block, now.toNumber());
    const ours = new Set();
    signed.block.extrinsics.forEach((ex, i) => {
      if (ex.method.section === section && ex.method.method === method) ours.add(i);
    });
    let ok = 0;
    let failed = 0;
    for (const { phase, event } of events) {
      if (placed && event.section === 'margin' && event.method === 'OrderPlaced') placed.set(event.data.who.toString(), block);
      if (!phase.isApplyExtrinsic || !ours.has(phase.asApplyExtrinsic.toNumber()) || event.section !== 'system') continue;
      if (event.method === 'ExtrinsicSuccess') ok += 1;
      if (event.method === 'ExtrinsicFailed') failed += 1;
    }
    const normal = weight.normal.refTime.toBigInt();
    const row = {
      block,
      extrinsics: signed.block.extrinsics.length,
      ok,
      failed,
      normalMs: Number(normal / 1_000_000n) / 1000,
      weightShare: Number((normal * 1000n) / normalMax) / 10,
      lengthKiB: Math.round(signed.block.encodedLength / 1024),
      lengthShare: Math.round((signed.block.encodedLength * 1000) / lengthMax) / 10,
    };
    rows.push(row);
    included += ok + failed;
    idle = ok + failed === 0 ? idle + 1 : 0;
    log(`${name} #${block}: ${ok} ok, ${failed} failed, ${row.extrinsics} extrinsics, normal weight ${row.normalMs} ms (${row.weightShare}%), ${row.lengthKiB} KiB (${row.lengthShare}%)`);
    block += 1;
  }
  rows.included = included;
  return rows;
}

/**
 * Follows blocks from `firstBlock` until `expected` orders (placed in the blocks of `placed`:
 * account -> block) filled or were cancelled by the margin hook; one row per block with orders
 * executed, cancelled and the hook's (mandatory) weight. Returns the rows and the blocks from
 * placement to fill of each filled order.
 */
async function measureExecutions(api, { firstBlock, expected, placed }) {
  const rows = [];
  const latencies = [];
  let ended = 0;
  let block = firstBlock;
  const deadline = Date.now() + 600_000;
  while (ended < expected) {
    if (Date.now() > deadline) throw new Error(`orders: only ${ended} of ${expected} executed`);
    await waitBest(api, block);
    const at = await api.at(await api.rpc.chain.getBlockHash(block));
    const [events, weight] = await Promise.all([at.query.system.events(), at.query.system.blockWeight()]);
    let executed = 0;
    let cancelled = 0;
    for (const { event } of events) {
      if (event.section !== 'margin') continue;
      if (event.method === 'Traded') {
        executed += 1;
        const from = placed.get(event.data.who.toString());
        if (from !== undefined) latencies.push(block - from);
      }
      if (event.method === 'OrderCancelled') cancelled += 1;
    }
    ended += executed + cancelled;
    const hookMs = Number(weight.mandatory.refTime.toBigInt() / 1_000_000n) / 1000;
    if (executed + cancelled > 0 || rows.length > 0) rows.push({ block, executed, cancelled, hookMs });
    if (executed + cancelled > 0) log(`orders #${block}: ${executed} executed, ${cancelled} cancelled, mandatory weight ${hookMs} ms`);
    block += 1;
  }
  return { rows, latencies };
}

/**
 * How the orders placed from block `from` to the best block ended: fills, the hook's
 * cancellations and the placements refused, by reason.
 */
async function orderOutcomes(api, from) {
  const counts = new Map();
  const add = (key) => counts.set(key, (counts.get(key) ?? 0) + 1);
  const best = (await api.rpc.chain.getHeader()).number.toNumber();
  for (let block = from; block <= best; block++) {
    const at = await api.at(await api.rpc.chain.getBlockHash(block));
    for (const { event } of await at.query.system.events()) {
      if (event.section === 'margin' && event.method === 'Traded') add('filled');
      if (event.section === 'margin' && event.method === 'OrderCancelled') add(`cancelled: ${dispatchErrorName(api.registry, event.data.reason)}`);
      if (event.section === 'system' && event.method === 'ExtrinsicFailed') add(`refused: ${dispatchErrorName(api.registry, event.data.dispatchError)}`);
    }
  }
  return counts;
}

/** The `local` chain's four validators with Prometheus, in a temporary directory. */
async function startNetwork() {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-load-'));
  const validators = [];
  try {
    for (const name of VALIDATORS) validators.push(await startValidator(name, { dir, basePort: PORT, chain: CHAIN, prometheus: true }));
  } catch (e) {
    await Promise.all(validators.map((v) => v.stop()));
    throw e;
  }
  return {
    url: validators[0].url,
    logPath: join(dir, '*.log'),
    validators,
    async stop() {
      await Promise.all(validators.map((v) => v.stop()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The slot table of each phase's blocks (those that included any of its extrinsics) and the
 * verdict: authoring plus the slowest import against 80% of the slot.
 */
async function slotReport(api, node, sampler, finality, phases) {
  // Let the last blocks reach every validator and finality.
  const last = Math.max(...phases.flatMap(([, rows]) => rows.map((r) => r.block)));
  await waitFinalized(api, last, 120_000).catch(() => {});
  await new Promise((r) => setTimeout(r, 1_000));
  const slotMs = (await api.call.auraApi.slotDuration()).toNumber();
  const built = authoringTimes(node.validators);
  const names = node.validators.map((v) => v.name);
  const lines = [
    `Block timings (${node.validators.length} validators on \`${CHAIN}\`, ${slotMs / 1000} s slots; authoring from the author's log,`,
    'import on the other three from their Prometheus `substrate_block_verification_and_import_time`;',
    'arrival and finality from the slot\'s start):',
    '',
  ];
  let worst = null;
  for (const [title, rows] of phases) {
    const busy = rows.filter((r) => r.ok + r.failed > 0);
    const timed = timingRows(busy.map((r) => r.block), { timestamps, built, sampler, finality, names });
    lines.push(`${title}:`, '',
      '| block | succeeded | normal weight | author | authoring | import (slowest / mean of 3) | authoring + slowest import | on all 4 | finalized |',
      '|---|---|---|---|---|---|---|---|---|');
    timed.forEach((t, i) => {
      const r = busy[i];
      const total = t.authoringMs !== null && t.importMaxMs !== null ? t.authoringMs + t.importMaxMs : null;
      if (total !== null && (!worst || total > worst.total)) worst = { total, title, block: t.block };
      const s = (x) => (x === null ? '-' : `${x.toFixed(1)} s`);
      lines.push(`| #${t.block} | ${r.ok} | ${r.normalMs} ms | ${t.author} | ${t.authoringMs ?? '-'} ms | ${t.importMaxMs ?? '-'} / ${t.importMeanMs ?? '-'} ms | ${total ?? '-'} ms (${total === null ? '-' : Math.round((total * 100) / slotMs)}% of the slot) | ${s(t.allHaveItS)} | ${s(t.finalizedS)} |`);
    });
    lines.push('');
  }
  if (worst) {
    const share = Math.round((worst.total * 100) / slotMs);
    lines.push(`Slowest: ${worst.title} #${worst.block}, ${worst.total} ms of authoring and import, ${share}% of a ${slotMs / 1000} s slot (${share > 80 ? 'over' : 'within'} 80%).`);
  }
  return lines;
}

async function main() {
  // Derive the accounts before connecting: it blocks the event loop (about 10 ms an account).
  await cryptoWaitReady();
  const keyring = newKeyring();
  const senders = Array.from({ length: ACCOUNTS }, (_, i) => keyring.addFromUri(`//load/sender/${i}`));
  const keepers = Array.from({ length: KEEPERS }, (_, i) => keyring.addFromUri(`//load/keeper/${i}`));
  log(`derived ${senders.length} accounts and ${keepers.length} keepers`);
  const node = NETWORK ? await startNetwork() : await startDevNode({ port: PORT, name: 'load', chain: CHAIN, logDir: LOG_DIR });
  log(`${NETWORK ? 'network' : 'node'} up at ${node.url} (log ${node.logPath})`);
  const api = await connect(node.url);
  let feeder = null;
  let sampler = null;
  let finality = null;
  let submitters = [api];
  try {
    if (NETWORK) {
      await waitFinalized(api, 2, 180_000);
      sampler = await startImportSampler(node.validators, connect);
      finality = await startFinalityWatch(api);
      submitters = await Promise.all(node.validators.map((v) => connect(v.url)));
      log('following the four validators\' heads, imports and finality');
    }
    const acc = devAccounts();
    const operators = [acc.alice, acc.bob, acc.charlie];
    const funders = [acc.dave, acc.eve, acc.ferdie];

    // The market: a deep vault, an oracle that follows a 12% fall without halting, margin that
    // ignores volatility, fills at the oracle price.
    // 1.5M bUSD: the open interest the vault may back covers every account's 1.4 BTC.
    for (const staker of funders) {
      const staked = await signAndWait(api, api.tx.vaults.stake(BTC, 500_000n * BUSD, 0), staker);
      if (staked.error) throw new Error(`stake: ${staked.error}`);
    }
    await registerOperators(api, operators, operators.map(() => 900_000n * BUSD), BTC);
    log('vault staked, operators registered');
    const oracleParams = (await api.call.oracleApi.markets()).find(([id]) => id.toNumber() === BTC)[3].toJSON();
    const marginParams = (await api.call.marginApi.market(BTC)).unwrap().params.toJSON();
    // A 10% jump: enough for 100 -> 95 -> 88 a round each, and small enough that the monitor's
    // cap on open interest (bonds x slash / (jump x floor)) holds every account's 1.2 BTC (at a 50%
    // jump 1,641 of 3,000 second orders were cancelled `SecurityCapExceeded`).
    for (const call of [
      api.tx.oracle.setMarketParams(BTC, { ...oracleParams, maxPriceJump: 100_000_000 }),
      api.tx.margin.setMarketParams(BTC, { ...marginParams, volCoeff: 0, skewScale: 1_000_000_000n * FIXED }),
    ]) {
      if (api.query.sudo && (await api.query.sudo.key()).isSome) {
        const r = await signAndWait(api, api.tx.sudo.sudo(call), acc.alice);
        if (r.error) throw new Error(`${call.method.section}.${call.method.method}: ${r.error}`);
      } else {
        // No sudo key (`local`): two thirds of the risk council.
        const { result } = await councilMotion(api, call, [acc.dave, acc.eve, acc.alice, acc.bob].slice(0, COUNCIL_AYES));
        if (!result.isOk) throw new Error(`${call.method.section}.${call.method.method}: the council's motion failed`);
        log(`the council set ${call.method.section}.${call.method.method}`);
      }
    }
    feeder = startFeeder(api, operators, BTC);

    // Fund every account (1 BWK for fees, 20 bUSD) and the keepers.
    let started = Date.now();
    const busdOf = async (pairs) => {
      const out = [];
      for (let i = 0; i < pairs.length; i += 1_000) {
        out.push(...await api.query.busd.account.multi(pairs.slice(i, i + 1_000).map((p) => p.address)));
      }
      return out;
    };
    const left = await fundAll(api, funders, [...senders, ...keepers], (target) => (keepers.includes(target)
      ? [api.tx.balances.transferKeepAlive(target.address, 1_000n * BWK)]
      : [api.tx.balances.transferKeepAlive(target.address, BWK), api.tx.busd.transferKeepAlive(target.address, 20n * BUSD)]),
    async (targets) => {
      const [busd, native] = [await busdOf(targets), await api.query.system.account.multi(targets.map((t) => t.address))];
      return targets.map((t, i) => native[i].data.free.toBigInt() >= BWK && (keepers.includes(t) || busd[i].free.toBigInt() >= 20n * BUSD));
    }, { log });
    if (left.length > 0) throw new Error(`${left.length} accounts left unfunded`);
    log(`funded ${senders.length} accounts and ${keepers.length} keepers (${((Date.now() - started) / 1000).toFixed(0)} s)`);

    // 1. Transfers: two of 1 bUSD from each account to the next.
    const transfers = [];
    senders.forEach((s, i) => {
      const to = senders[(i + 1) % senders.length].address;
      transfers.push([api.tx.busd.transferKeepAlive(to, BUSD), s, 0], [api.tx.busd.transferKeepAlive(to, BUSD), s, 1]);
    });
    let sent = await presignAndSubmit(api, transfers, submitters);
    log(`transfers: ${transfers.length} signed in ${sent.signedMs} ms, submitted in ${sent.submittedMs} ms`);
    const transferRows = await measure(api, { ...sent, section: 'busd', method: 'transferKeepAlive', expected: transfers.length, name: 'transfers' });

    // 2. Trades: a deposit each first (not measured), then two 0.1 BTC longs each.
    await feederRounds(api, feeder, 1, 'an oracle price');
    started = Date.now();
    // Nonces from the chain: the pool may have lost a sender's second transfer.
    const nonces = async () => (await api.query.system.account.multi(senders.map((s) => s.address))).map((a) => a.nonce.toNumber());
    let nonce = await nonces();
    await submitAll(api, senders.map((s, i) => [api.tx.margin.deposit(15n * BUSD), s, nonce[i]]));
    await untilEachBlock(api, async () => {
      const accounts = await api.query.margin.accounts.multi(senders.map((s) => s.address));
      return accounts.every((a) => a.isSome);
    }, 600_000, 'the deposits');
    log(`deposits in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    nonce = await nonces();
    const trades = senders.map((s, i) => [api.tx.margin.placeOrder(BTC, FIXED / 5n, 102n * FIXED, 10), s, nonce[i]]);
    sent = await presignAndSubmit(api, trades, submitters);
    log(`orders: ${trades.length} signed in ${sent.signedMs} ms, submitted in ${sent.submittedMs} ms`);
    const placed = new Map();
    const tradeRows = await measure(api, { ...sent, section: 'margin', method: 'placeOrder', expected: trades.length, name: 'orders', placed });
    const { rows: executionRows, latencies } = await measureExecutions(api, { firstBlock: sent.firstBlock, expected: placed.size, placed });
    latencies.sort((a, b) => a - b);
    const medianBlocks = latencies.length ? latencies[Math.floor(latencies.length / 2)] : NaN;

    // 3. Liquidations: 0.2 BTC long on 15 bUSD is far from maintenance, so a second order of
    // 1 BTC takes an account to 1.2 BTC (8x at 100), and one whose first order the full queue
    // refused gets 1.2 BTC at once. At 88 each has lost 14.4 of its 14.9 or 15 bUSD: below
    // maintenance (0.6 x 5.8% x 88 a BTC), not bankrupt.
    nonce = await nonces();
    const moreFrom = (await api.rpc.chain.getHeader()).number.toNumber() + 1;
    const holding = await api.query.margin.accounts.multi(senders.map((s) => s.address));
    const more = senders.map((s, i) => {
      const open = holding[i].isSome && holding[i].unwrap().positions.length > 0;
      return [api.tx.margin.placeOrder(BTC, open ? FIXED : (12n * FIXED) / 10n, 102n * FIXED, 10), s, nonce[i]];
    });
    // A round's orders fall due in one block, whose queue holds 2,000: 1,500 a round.
    for (let i = 0; i < more.length; i += 1_500) {
      if (i > 0) await feederRounds(api, feeder, 1, 'the next round');
      await submitAll(api, more.slice(i, i + 1_500));
    }
    // Included once the nonces on chain pass the orders' (the RPC's next index counts the pool too) and
    // filled once no order is pending.
    // (Or the pool is empty: a dropped order leaves its account at 0.2 BTC, not liquidatable.)
    await untilEachBlock(api, async () => {
      const onChain = await nonces();
      const included = onChain.every((n, i) => n > nonce[i]) || (await api.rpc.author.pendingExtrinsics()).length === 0;
      if (!included) return false;
      const margin = await api.query.margin.accounts.multi(senders.map((s) => s.address));
      return margin.every((a) => a.isNone || a.unwrap().orders.length === 0);
    }, 600_000, 'the leveraged positions');
    log(`second orders: ${JSON.stringify(Object.fromEntries(await orderOutcomes(api, moreFrom)))}`);
    feeder.price = 95n;
    await feederRounds(api, feeder, 2, 'the oracle at 95');
    feeder.price = 88n;
    await feederRounds(api, feeder, 2, 'the oracle at 88');
    const targets = [];
    let cursor = null;
    do {
      const [page, nextCursor] = await api.call.marginApi.liquidatable(cursor, 1000);
      for (const view of page) targets.push(view.who.toString());
      cursor = nextCursor.isSome ? nextCursor.unwrap() : null;
    } while (cursor);
    log(`${targets.length} of ${senders.length} accounts liquidatable`);
    const keeperNext = await nonceBook(api, keepers);
    const liquidations = targets.map((who, i) => {
      const k = keepers[i % keepers.length];
      return [api.tx.margin.liquidate(who), k, keeperNext(k)];
    });
    sent = await presignAndSubmit(api, liquidations, submitters);
    log(`liquidations: ${liquidations.length} signed in ${sent.signedMs} ms, submitted in ${sent.submittedMs} ms`);
    const liquidationRows = await measure(api, { ...sent, section: 'margin', method: 'liquidate', expected: liquidations.length, name: 'liquidations' });

    const best = (rows) => rows.reduce((a, r) => (r.ok > a.ok ? r : a), rows[0]);
    const bestTransfers = best(transferRows);
    const normalMaxMs = Number(api.consts.system.blockWeights.perClass.normal.maxTotal.unwrap().refTime.toBigInt() / 1_000_000n) / 1000;
    const lengthMaxMiB = Math.round((api.consts.system.blockLength.max.normal.toNumber() / 1024 / 1024) * 100) / 100;
    const table = (title, rows) => [
      `${title}:`,
      '',
      `| block | succeeded | failed | extrinsics in block | normal-class weight | of ${normalMaxMs} ms | length | of ${lengthMaxMiB} MiB |`,
      '|---|---|---|---|---|---|---|---|',
      ...rows.map((r) => `| #${r.block} | ${r.ok} | ${r.failed} | ${r.extrinsics} | ${r.normalMs} ms | ${r.weightShare}% | ${r.lengthKiB} KiB | ${r.lengthShare}% |`),
      '',
    ];
    const summary = [
      '| extrinsic | best block | vs transfers | weight used | length used |',
      '|---|---|---|---|---|',
      ...[['bUSD `transferKeepAlive`', transferRows], ['`margin.placeOrder`', tradeRows], ['`margin.liquidate`', liquidationRows]].map(([name, rows]) => {
        const b = best(rows);
        return `| ${name} | ${b.ok} | ${(b.ok / bestTransfers.ok).toFixed(2)}x | ${b.weightShare}% | ${b.lengthShare}% |`;
      }),
      (() => {
        const b = executionRows.reduce((a, r) => (r.executed > a.executed ? r : a), executionRows[0]);
        return `| orders executed by the hook | ${b.executed} | ${(b.executed / bestTransfers.ok).toFixed(2)}x | ${b.hookMs} ms mandatory | - |`;
      })(),
      '',
      `Orders: median ${medianBlocks} blocks from the block including the order to the block filling it (${api.consts.oracle.roundLength.toNumber()}-block rounds; ${latencies.length} filled).`,
    ];
    const lines = [
      `\`node scripts/load.mjs ${process.argv.slice(2).filter((a, i, all) => a !== '--out' && all[i - 1] !== '--out').join(' ')}\` on ${new Date().toISOString().slice(0, 10)}`,
      `(${cpus().length} cores, ${cpus()[0]?.model ?? 'unknown CPU'}): ${senders.length} accounts, ${transfers.length} transfers (${transferRows.included} included), ${trades.length} orders (${tradeRows.included} included), ${liquidations.length} liquidations (${liquidationRows.included} included) from ${keepers.length} keepers.`,
      '',
      ...summary,
      '',
      ...table('Transfers', transferRows),
      ...table('Order placements', tradeRows),
      'Order executions:',
      '',
      '| block | executed | cancelled | mandatory weight |',
      '|---|---|---|---|',
      ...executionRows.map((r) => `| #${r.block} | ${r.executed} | ${r.cancelled} | ${r.hookMs} ms |`),
      '',
      ...table('Liquidations', liquidationRows),
    ];
    if (NETWORK) lines.push(...await slotReport(api, node, sampler, finality, [
      ['Transfers', transferRows], ['Order placements', tradeRows], ['Liquidations', liquidationRows],
    ]));
    const report = lines.join('\n');
    console.log(`\n${report}`);
    if (OUT) writeFileSync(OUT, `${report}\n`);
  } finally {
    if (feeder) feeder.stopped = true;
    if (sampler) await sampler.stop();
    if (finality) finality.stop();
    await Promise.all(submitters.filter((s) => s !== api).map((s) => s.disconnect().catch(() => {})));
    await api.disconnect().catch(() => {});
    await node.stop();
  }
}

main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
