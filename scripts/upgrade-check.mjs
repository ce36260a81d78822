#!/usr/bin/env node
// The live-state half of scripts/upgrade-check.sh (issue 24, item 6): checks a runtime built
// with `--features try-runtime` against a chain's state with chopsticks' `try-runtime`, which
// runs the new runtime's migrations (with their `pre_upgrade` / `post_upgrade`) on that state
// and then every pallet's `try_state`.
//
// Without --endpoint it makes the state itself: a throw-away dev node (of the built
// `bulwark-node`, or with --old-node of a previous release's binary, whose state is then the old
// layout the migrations start from), the crash drill on it (positions, liquidations, bad debt,
// insurance, operator bonds), then a pending slash, a staking unbonding chunk and a nominator, a
// vault unbonding chunk and an open council motion.
//
//   node scripts/upgrade-check.mjs --runtime WASM [--endpoint ws://127.0.0.1:9944 | --old-node BIN]
//                                  [--port 9957] [--disable-spec-check]
//
// Prints each migration's log, each pallet's try-state line and a summary; exits 1 if the
// upgrade or any try_state failed.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect, cryptoWaitReady, devAccounts, findEvent, signAndWait, startDevNode , cliOption as option,
} from '../client/src/index.mjs';
import { runDrill } from './drill.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const BUSD = 1_000_000n;
const BWK = 1_000_000_000_000n;
const BTC = 0;


const log = (line) => console.log(`[upgrade-check] ${line}`);

/** A signed extrinsic that must succeed. */
async function must(api, tx, signer, what) {
  const r = await signAndWait(api, tx, signer);
  if (r.error) throw new Error(`${what}: ${r.error}`);
  return r;
}

/** What the drill leaves out: a pending slash, unbonding chunks, a nominator, an open motion. */
async function fillState(api) {
  const acc = devAccounts();
  const slash = api.tx.slashing.governanceSlash({ Operator: acc.charlie.address }, 10_000_000, 'upgrade check', null);
  const slashed = await must(api, api.tx.sudo.sudo(slash), acc.alice, 'governance slash');
  const sudid = findEvent(slashed.events, 'sudo', 'Sudid');
  if (!sudid || !sudid.data.sudoResult.isOk) throw new Error(`governance slash: ${sudid?.data.sudoResult.toString()}`);
  await must(api, api.tx.staking.bond(100n * BWK, 'Staked'), acc.ferdie, 'staking.bond');
  await must(api, api.tx.staking.nominate([acc.alice.address]), acc.ferdie, 'staking.nominate');
  await must(api, api.tx.staking.unbond(10n * BWK), acc.ferdie, 'staking.unbond');
  const staker = (await api.call.vaultsApi.staker(BTC, acc.dave.address)).unwrap();
  await must(api, api.tx.vaults.requestUnstake(BTC, staker.activeShares.toBigInt() / 100n), acc.dave, 'vaults.requestUnstake');
  const motion = api.tx.staking.setMinCommission(50_000_000);
  await must(api, api.tx.council.propose(4, motion.method, motion.method.encodedLength), acc.bob, 'council.propose');

  const [accounts, pending, ledger, vault, proposals, fund] = await Promise.all([
    api.query.margin.accounts.keys(),
    api.call.slashingApi.pendingSlashes(),
    api.query.staking.ledger(acc.ferdie.address),
    api.call.vaultsApi.staker(BTC, acc.dave.address),
    api.query.council.proposals(),
    api.call.insuranceApi.fundInfo(BTC),
  ]);
  log(`state: ${accounts.length} margin accounts, ${pending.length} pending slashes, `
    + `${ledger.unwrap().unlocking.length} staking unbonding chunk(s), ${vault.unwrap().unbonding.length} vault unbonding chunk(s), `
    + `${proposals.length} open council motion(s), BTC insurance ${fund[0].toBigInt() / BUSD} bUSD`);
}

/**
 * Runs chopsticks' try-runtime (scripts/chopsticks/try-runtime.cjs, on chopsticks-core: the dev
 * runtime imports benchmarking host functions that chopsticks' own command refuses); resolves
 * with its exit code and output lines.
 */
function tryRuntime(endpoint, wasm, sameBuild) {
  const dir = join(root, 'scripts', 'chopsticks');
  if (!existsSync(join(dir, 'node_modules', '@acala-network', 'chopsticks-core'))) {
    throw new Error(`chopsticks not installed in ${dir} (scripts/upgrade-check.sh installs it)`);
  }
  const args = [join(dir, 'try-runtime.cjs'), endpoint, wasm, '--checks', 'All'];
  // A dev node of this very build runs the runtime under test: the same spec_version.
  if (sameBuild) args.push('--disable-spec-check');
  log(`node ${args.join(' ')}`);
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, args, { cwd: dir });
    const lines = [];
    const take = (chunk) => { for (const line of chunk.toString().split('\n')) if (line.trim()) lines.push(line); };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('exit', (code, signal) => resolvePromise({ code: code ?? (signal ? 1 : 0), lines }));
  });
}

async function main() {
  const wasm = option('runtime', null);
  if (!wasm || !existsSync(wasm)) throw new Error(`--runtime WASM (built with --features try-runtime) not found: ${wasm}`);
  let endpoint = option('endpoint', null);
  const oldNode = option('old-node', null);
  if (oldNode) {
    if (!existsSync(oldNode)) throw new Error(`--old-node ${oldNode} not found`);
    process.env.BULWARK_NODE = oldNode;
  }
  // A dev node of this very build runs the runtime under test: the same spec_version. Or the
  // caller says so (--disable-spec-check: a runtime checked against its own chain).
  const sameBuild = (endpoint === null && oldNode === null) || process.argv.includes('--disable-spec-check');
  let node = null;
  try {
    if (endpoint === null) {
      await cryptoWaitReady();
      node = await startDevNode({ port: Number(option('port', 9957)), name: 'upgrade-check', chain: 'dev', logDir: join(root, 'e2e', '.chain') });
      log(`dev node up at ${node.url} (log ${node.logPath}); the crash drill fills its state`);
      await runDrill({ traders: 20, node, log: (line) => log(`[drill] ${line}`) });
      const api = await connect(node.url);
      try { await fillState(api); } finally { await api.disconnect().catch(() => {}); }
      endpoint = node.url;
    }
    const { code, lines } = await tryRuntime(endpoint, wasm, sameBuild);
    // Polkadot.js' duplicate-package warnings are noise here.
    const relevant = lines.filter((l) => !/@polkadot\/|cjs \d|Either remove|conflicting packages/.test(l));
    const migrations = relevant.filter((l) => /migrat|storage version|New pallet|upgrade weight|spec_version|chain at #/i.test(l));
    for (const l of migrations) log(`migration: ${l.trim()}`);
    // Each pallet's try_state: "Running <pallet> try-state checks", and a failure names it.
    const pallets = [...new Set(relevant.map((l) => l.match(/Running "?([A-Za-z]+)"? try-state checks/)?.[1]).filter(Boolean))];
    const failedPallets = new Set(relevant.map((l) => l.match(/❌ "?([A-Za-z]+)"? try_state checks failed/)?.[1]).filter(Boolean));
    for (const pallet of pallets) log(`try_state ${pallet}: ${failedPallets.has(pallet) ? 'FAILED' : 'ok'}`);
    const failures = relevant.filter((l) => /❌|Detected errors|panicked|wasm trap|TryRuntime_on_runtime_upgrade|Error:/.test(l));
    if (code !== 0 || failures.length > 0 || pallets.length === 0) {
      for (const l of relevant.slice(-40)) log(`| ${l}`);
      log(`FAIL: chopsticks exited ${code}; ${failedPallets.size} pallet(s) failed try_state; ${failures.length} failure line(s)`
        + `${pallets.length === 0 ? '; no try_state ran' : ''}`);
      process.exitCode = 1;
    } else {
      log(`PASS: ${migrations.length} migration line(s); try_state ok for all ${pallets.length} pallets`);
    }
  } finally {
    if (node) await node.stop();
  }
}

main().catch((e) => { console.error(`[upgrade-check] FAIL: ${e.stack ?? e}`); process.exit(1); });
