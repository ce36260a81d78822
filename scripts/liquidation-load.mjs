#!/usr/bin/env node
// Liquidation load on a throw-away `bulwark-node --dev` (issue 12): opens ACCOUNTS leveraged
// single-position longs in BTC-USD, moves the price down through the oracle (three staked
// operators, one round at a time), finds the liquidatable accounts through
// `api.call.marginApi.liquidatable`, submits `margin.liquidate` for all of them at once from
// KEEPERS keeper accounts, and reports how many landed in each block with the block's normal-class
// weight. Usage (after scripts/setup.sh and scripts/build.sh):
//
//   node scripts/liquidation-load.mjs [--accounts 1500] [--keepers 4] [--port 9970] [--out FILE]
//                                     [--collateral 13] [--step 1]
//
// Trader i deposits `collateral + (i mod 4) x step` bUSD (default 13 to 16: at 86 about half of
// them are bankrupt, so their liquidations also absorb bad debt; `--collateral 14.5 --step 0.5`
// leaves every one liquidatable and none bankrupt).
//
// With `--stress`, it instead opens ACCOUNTS positions (alternately long and short, so that the
// skew stays small) and times `api.call.securityApi.stressTest` of a 30% drop over all of them
// (issue 13):
//
//   node scripts/liquidation-load.mjs --stress --accounts 10000
//
// The table it prints (also written to FILE with --out) is the one in docs/performance.md.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  FIXED, connect, cryptoWaitReady, devAccounts, newKeyring, registerOperators, signAndWait, startDevNode, startFeeder,
  submitAll, untilEachBlock, waitBest, cliOption as option,
} from '../client/src/index.mjs';

/** The node's log, beside the e2e suite's. */
const LOG_DIR = fileURLToPath(new URL('../e2e/.chain', import.meta.url));

const BUSD = 1_000_000n;
const BWK = 1_000_000_000_000n;
const BTC = 0;

const ACCOUNTS = Number(option('accounts', 1500));
const KEEPERS = Number(option('keepers', 4));
const PORT = Number(option('port', 9970));
const OUT = option('out', null);
const STRESS = process.argv.includes('--stress');
/** bUSD in micro-units from a decimal option. */
const micro = (text) => BigInt(Math.round(Number(text) * 1e6));
const COLLATERAL = micro(option('collateral', 13));
const STEP = micro(option('step', 1));
const log = (...args) => console.log(`[load ${new Date().toISOString().slice(11, 19)}]`, ...args);

async function main() {
  // Derive the accounts first: it blocks the event loop (about 10 ms an account), which a live
  // connection would take for a dead node.
  await cryptoWaitReady();
  const keyring = newKeyring();
  const traders = Array.from({ length: ACCOUNTS }, (_, i) => keyring.addFromUri(`//load/trader/${i}`));
  log(`derived ${traders.length} trader accounts`);
  const node = await startDevNode({ port: PORT, name: 'liquidation-load', chain: 'dev', logDir: LOG_DIR });
  log(`node up at ${node.url} (log ${node.logPath})`);
  const api = await connect(node.url);
  let feeder = null;
  try {
    const acc = devAccounts();
    const operators = [acc.alice, acc.bob, acc.charlie];
    const funders = [acc.dave, acc.eve, acc.ferdie];
    const extraKeepers = Array.from({ length: Math.max(0, KEEPERS - funders.length) }, (_, i) => keyring.addFromUri(`//load/keeper/${i}`));
    const keepers = [...funders, ...extraKeepers].slice(0, KEEPERS);

    // The market: a deep vault, an oracle that may follow a crash without halting, margin that
    // ignores volatility (the crash itself would lift it to its ceiling) and a skew scale wide
    // enough that every long fills near the oracle price.
    const staked = await signAndWait(api, api.tx.vaults.stake(BTC, 500_000n * BUSD, 0), acc.dave);
    if (staked.error) throw new Error(`stake: ${staked.error}`);
    // Bonds large enough that the security monitor's oracle ACR stays above its floor with the
    // open interest and price band below: half of 3 x 900,000 at a 10% slash is 135,000 bUSD,
    // against 150,000 of open interest x the 50% band (or 1,000,000 x 10% with --stress).
    await registerOperators(api, operators, operators.map(() => 900_000n * BUSD), BTC);
    const oracleParams = (await api.call.oracleApi.markets()).find(([id]) => id.toNumber() === BTC)[3].toJSON();
    const marginParams = (await api.call.marginApi.market(BTC)).unwrap().params.toJSON();
    for (const call of [
      api.tx.oracle.setMarketParams(BTC, { ...oracleParams, maxPriceJump: STRESS ? oracleParams.maxPriceJump : 500_000_000 }),
      api.tx.margin.setMarketParams(BTC, { ...marginParams, volCoeff: 0, skewScale: 1_000_000_000n * FIXED }),
    ]) {
      const r = await signAndWait(api, api.tx.sudo.sudo(call), acc.alice);
      if (r.error) throw new Error(`${call.method.section}.${call.method.method}: ${r.error}`);
    }
    feeder = startFeeder(api, operators, BTC);

    // Fund the traders (1 BWK for fees, 20 bUSD) and the extra keepers from Dave, Eve and Ferdie.
    const nonces = new Map();
    for (const f of funders) nonces.set(f.address, (await api.rpc.system.accountNextIndex(f.address)).toNumber());
    const next = (pair) => { const n = nonces.get(pair.address); nonces.set(pair.address, n + 1); return n; };
    const funding = [];
    traders.forEach((t, i) => {
      const f = funders[i % funders.length];
      funding.push([api.tx.balances.transferKeepAlive(t.address, BWK), f, next(f)]);
      funding.push([api.tx.busd.transferKeepAlive(t.address, 20n * BUSD), f, next(f)]);
    });
    extraKeepers.forEach((k, i) => {
      const f = funders[i % funders.length];
      funding.push([api.tx.balances.transferKeepAlive(k.address, 1_000n * BWK), f, next(f)]);
    });
    let started = Date.now();
    await submitAll(api, funding);
    await untilEachBlock(api, async () => {
      const accounts = await api.query.busd.account.multi(traders.map((t) => t.address));
      return accounts.every((a) => a.free.toBigInt() >= 20n * BUSD);
    }, 600_000, 'the funding transfers');
    log(`funded ${traders.length} traders and ${extraKeepers.length} extra keepers (${funding.length} transfers, ${((Date.now() - started) / 1000).toFixed(0)} s)`);

    await untilEachBlock(api, async () => {
      if (feeder.failed) throw feeder.failed;
      return feeder.rounds >= 1;
    }, 120_000, 'the first oracle price');

    // Each trader deposits `collateral` to `collateral + 3 x step` bUSD and goes long 1 BTC at
    // about 100 (13 to 16 bUSD: 6x to 8x leverage).
    started = Date.now();
    const opening = [];
    traders.forEach((t, i) => {
      const collateral = COLLATERAL + BigInt(i % 4) * STEP;
      opening.push([api.tx.margin.deposit(collateral), t, 0]);
      // Orders fill two rounds later at the feeder's next median (2% limits either way).
      if (STRESS && i % 2 === 1) opening.push([api.tx.margin.placeOrder(BTC, -FIXED, 98n * FIXED, 10), t, 1]);
      else opening.push([api.tx.margin.placeOrder(BTC, FIXED, 102n * FIXED, 10), t, 1]);
    });
    await submitAll(api, opening);
    await untilEachBlock(api, async () => {
      const accounts = await api.query.margin.accounts.multi(traders.map((t) => t.address));
      return accounts.every((a) => a.isSome && a.unwrap().positions.length === 1);
    }, 600_000, 'the positions to open');
    log(`opened ${traders.length} positions (${((Date.now() - started) / 1000).toFixed(0)} s)`);

    if (STRESS) {
      const timings = [];
      let report = null;
      for (let run = 0; run < 5; run++) {
        const t0 = process.hrtime.bigint();
        report = await api.call.securityApi.stressTest([[BTC, -30]]);
        timings.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
      const sorted = [...timings].sort((a, b) => a - b);
      const btc = report.markets[0];
      const lines = [
        `\`node scripts/liquidation-load.mjs --stress --accounts ${ACCOUNTS}\` on ${new Date().toISOString().slice(0, 10)}:`,
        `${traders.length} accounts with one BTC position each (alternately long and short 1 BTC on ${Number(COLLATERAL) / 1e6} to ${Number(COLLATERAL + 3n * STEP) / 1e6} bUSD),`,
        `\`api.call.securityApi.stressTest([[0, -30]])\` over RPC, 5 runs: ${sorted.map((t) => `${t.toFixed(0)} ms`).join(', ')}`,
        `(median ${sorted[2].toFixed(0)} ms); it found ${btc.liquidatableAccounts.toNumber()} accounts liquidatable and ${Number(btc.badDebt.toBigInt() / BUSD)} bUSD of bad debt.`,
      ];
      const out = lines.join('\n');
      console.log(`\n${out}\n`);
      if (OUT) writeFileSync(OUT, `${out}\n`);
      return;
    }

    // The crash: 100 -> 93 -> 86, one oracle round each.
    const expected = async () => {
      let cursor = null;
      const found = [];
      do {
        const [page, nextCursor] = await api.call.marginApi.liquidatable(cursor, 500);
        for (const view of page) found.push(view.who.toString());
        cursor = nextCursor.isSome ? nextCursor.unwrap() : null;
      } while (cursor);
      return found;
    };
    for (const price of [93n, 86n]) {
      feeder.price = price;
      const rounds = feeder.rounds;
      await untilEachBlock(api, async () => {
        if (feeder.failed) throw feeder.failed;
        return feeder.rounds >= rounds + 2;
      }, 120_000, `the oracle at ${price}`);
    }
    const targets = await expected();
    const oracle = (await api.call.oracleApi.priceInfo(BTC)).unwrap();
    log(`oracle ${Number(oracle.price.toBigInt() * 100n / FIXED) / 100} (${oracle.status.toString()}): ${targets.length} of ${traders.length} accounts liquidatable`);
    if (targets.length === 0) throw new Error('nobody is liquidatable');

    // All liquidations at once, round-robin over the keepers, sequential nonces each.
    for (const k of keepers) nonces.set(k.address, (await api.rpc.system.accountNextIndex(k.address)).toNumber());
    const liquidations = targets.map((who, i) => {
      const k = keepers[i % keepers.length];
      return [api.tx.margin.liquidate(who), k, next(k)];
    });
    const firstBlock = (await api.rpc.chain.getHeader()).number.toNumber() + 1;
    started = Date.now();
    await submitAll(api, liquidations);
    log(`submitted ${liquidations.length} liquidations from ${keepers.length} keepers in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    const limits = api.consts.system.blockWeights;
    const normalMax = limits.perClass.normal.maxTotal.unwrap().refTime.toBigInt();
    const rows = [];
    let landed = 0;
    let failed = 0;
    let block = firstBlock;
    const deadline = Date.now() + 300_000;
    while (landed + failed < liquidations.length && Date.now() < deadline) {
      const header = await waitBest(api, block);
      const hash = await api.rpc.chain.getBlockHash(block);
      const at = await api.at(hash);
      const [events, weight, signed] = await Promise.all([
        at.query.system.events(),
        at.query.system.blockWeight(),
        api.rpc.chain.getBlock(hash),
      ]);
      let ok = 0;
      let badDebt = 0;
      let refused = 0;
      const liquidateIndexes = new Set();
      signed.block.extrinsics.forEach((ex, i) => {
        if (ex.method.section === 'margin' && ex.method.method === 'liquidate') liquidateIndexes.add(i);
      });
      for (const { phase, event } of events) {
        if (event.section === 'margin' && event.method === 'Liquidated') ok += 1;
        if (event.section === 'margin' && event.method === 'BadDebt') badDebt += 1;
        if (event.section === 'system' && event.method === 'ExtrinsicFailed' && phase.isApplyExtrinsic
          && liquidateIndexes.has(phase.asApplyExtrinsic.toNumber())) refused += 1;
      }
      const normal = weight.normal.refTime.toBigInt();
      rows.push({
        block: header.number.toNumber(),
        extrinsics: signed.block.extrinsics.length,
        liquidated: ok,
        badDebt,
        refused,
        normalMs: Number(normal / 1_000_000n) / 1000,
        share: Number((normal * 1000n) / normalMax) / 10,
      });
      landed += ok;
      failed += refused;
      log(`block #${block}: ${ok} liquidated (${badDebt} with bad debt), ${refused} refused, normal weight ${rows.at(-1).normalMs} ms (${rows.at(-1).share}% of ${Number(normalMax / 1_000_000n) / 1000} ms)`);
      block += 1;
    }
    const left = await expected();
    const accounts = await api.query.margin.accounts.multi(traders.map((t) => t.address));
    const open = accounts.filter((a) => a.isSome && a.unwrap().positions.length > 0).length;

    const lines = [
      `\`node scripts/liquidation-load.mjs ${process.argv.slice(2).filter((a, i, all) => a !== '--out' && all[i - 1] !== '--out').join(' ')}\` on ${new Date().toISOString().slice(0, 10)}:`,
      `${traders.length} accounts long 1 BTC each on ${Number(COLLATERAL) / 1e6} to ${Number(COLLATERAL + 3n * STEP) / 1e6} bUSD, oracle 100 -> 93 -> 86;`,
      `${targets.length} liquidatable, ${liquidations.length} \`liquidate\` submitted at once from ${keepers.length} keepers.`,
      '',
      '| block | extrinsics | liquidated | with bad debt | refused | normal-class weight used | share of the normal class |',
      '|---|---|---|---|---|---|---|',
      ...rows.map((r) => `| #${r.block} | ${r.extrinsics} | ${r.liquidated} | ${r.badDebt} | ${r.refused} | ${r.normalMs} ms | ${r.share}% |`),
      '',
      `Landed ${landed}, refused ${failed}; afterwards ${left.length} accounts liquidatable, ${open} still hold a (partly liquidated) position.`,
    ];
    const report = lines.join('\n');
    console.log(`\n${report}\n`);
    if (OUT) writeFileSync(OUT, `${report}\n`);
    if (landed + failed < liquidations.length) throw new Error(`only ${landed + failed} of ${liquidations.length} liquidations were included`);
  } finally {
    if (feeder) feeder.stopped = true;
    await api.disconnect().catch(() => {});
    await node.stop();
  }
}

main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
