// A real network (issue 15): the `local` chain's four validators on loopback ports (started by
// scripts/network.mjs, stopped by process id). GRANDPA needs more than two thirds of the four:
// with one validator killed (SIGKILL) blocks are still produced and finalized by the other three;
// restarted from its base path it catches up, loses no finalized block, and votes again (with it
// back, a second validator can go down and finality still advances). Then the council upgrades
// the runtime without sudo: two thirds whitelist `system.authorizeUpgradeWithoutChecks(hash of
// the running wasm)`, three quarters dispatch it as Root, anyone applies the upgrade; a signed
// account and a bare majority are refused.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { blake2AsHex } from '@polkadot/util-crypto';
import { VALIDATORS, startValidator } from '../scripts/network.mjs';
import {
  connect, councilMotion, devAccounts, findEvent, freeBasePort, signAndWait, waitBest, waitFinalized,
} from './lib.mjs';

/** The four validators' RPC (base + i), peer-to-peer (+ 1000) and metrics (+ 2000) ports, free ones. */
const BASE_PORT = await freeBasePort({ offsets: [0, 1, 2, 3, 1000, 1001, 1002, 1003, 2000, 2001, 2002, 2003] });

/** The `local` chain at one-second slots: this test counts blocks, not seconds. */
const CHAIN = 'local-fast';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Watches `api` for `blocks` new best blocks and reports the mean time from a block's import to
 * its finalization (seconds), and how many slots were skipped (block time over 3 s).
 */
async function finalityLag(api, blocks) {
  const imported = new Map();
  const lags = [];
  const start = (await api.rpc.chain.getHeader()).number.toNumber();
  let unsubBest;
  let unsubFinal;
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no finality within the time allowed')), 30_000 + blocks * 9_000);
    api.rpc.chain.subscribeNewHeads((h) => {
      if (!imported.has(h.number.toNumber())) imported.set(h.number.toNumber(), Date.now());
    }).then((u) => { unsubBest = u; }, reject);
    api.rpc.chain.subscribeFinalizedHeads((h) => {
      const n = h.number.toNumber();
      // A finalized head may finalize several blocks at once: each counts from its own import.
      for (const [number, at] of imported) {
        if (number <= n && number > start) {
          lags.push((Date.now() - at) / 1000);
          imported.delete(number);
        }
      }
      if (lags.length >= blocks) { clearTimeout(timer); resolve(); }
    }).then((u) => { unsubFinal = u; }, reject);
  });
  unsubBest?.();
  unsubFinal?.();
  return lags.reduce((a, b) => a + b, 0) / lags.length;
}

describe('a four-validator local network', { timeout: 900_000 }, () => {
  const chainDir = join(dirname(fileURLToPath(import.meta.url)), '.chain');
  mkdirSync(chainDir, { recursive: true });
  const dir = mkdtempSync(join(chainDir, 'network-'));
  const nodes = {};
  let api;

  before(async () => {
    for (const name of VALIDATORS) nodes[name] = await startValidator(name, { dir, basePort: BASE_PORT, chain: CHAIN });
    api = await connect(nodes.alice.url);
    await waitFinalized(api, 3, 180_000);
  });

  after(async () => {
    if (api) await api.disconnect().catch(() => {});
    await Promise.all(Object.values(nodes).map((n) => n.stop()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps producing and finalizing with a validator killed; the restarted one catches up and votes', async () => {
    // At one-second slots block #3 can finalize before the last peer connection is made.
    let peers = 0;
    for (let i = 0; i < 60 && peers < 3; i++) {
      peers = (await api.rpc.system.peers()).length;
      if (peers < 3) await sleep(500);
    }
    assert.equal(peers, 3, 'Alice sees the three other validators');
    const lagBefore = await finalityLag(api, 4);
    console.log(`# finality: ${lagBefore.toFixed(1)} s from import to finalization with 4 of 4 validators`);

    // Dave crashes.
    const finalizedBefore = (await api.rpc.chain.getFinalizedHead());
    const finalizedNumber = (await api.rpc.chain.getHeader(finalizedBefore)).number.toNumber();
    const bestAtKill = (await api.rpc.chain.getHeader()).number.toNumber();
    await nodes.dave.kill();
    const killedAt = Date.now();
    const lagDown = await finalityLag(api, 4);
    const produced = (await api.rpc.chain.getHeader()).number.toNumber() - bestAtKill;
    const elapsed = (Date.now() - killedAt) / 1000;
    console.log(`# finality: ${lagDown.toFixed(1)} s with Dave killed; ${produced} blocks in ${elapsed.toFixed(0)} s (Dave's slots skipped)`);
    assert.ok(produced >= 4, `blocks are still produced: ${produced}`);

    // Dave restarts from its base path and catches up.
    nodes.dave = await startValidator('dave', { dir, basePort: BASE_PORT, chain: CHAIN });
    const dave = await connect(nodes.dave.url);
    try {
      const target = (await api.rpc.chain.getHeader()).number.toNumber();
      await waitBest(dave, target, 120_000);
      await waitFinalized(dave, target - 2, 120_000);
      // No finalized block lost: Dave has every block up to the old finalized head, the same as
      // Alice's.
      let lost = 0;
      for (let n = 1; n <= finalizedNumber; n++) {
        const [a, d] = await Promise.all([api.rpc.chain.getBlockHash(n), dave.rpc.chain.getBlockHash(n)]);
        if (a.toHex() !== d.toHex()) lost += 1;
      }
      console.log(`# Dave restarted: caught up to #${target}; blocks lost up to finalized #${finalizedNumber}: ${lost}`);
      assert.equal(lost, 0);

      // Dave votes again: with Bob down as well, only Alice, Charlie and Dave can finalize.
      await nodes.bob.kill();
      const lagAfter = await finalityLag(api, 3);
      console.log(`# finality: ${lagAfter.toFixed(1)} s with Dave back and Bob killed (Dave's vote needed)`);
      nodes.bob = await startValidator('bob', { dir, basePort: BASE_PORT, chain: CHAIN });
      await sleep(1_000);
    } finally {
      await dave.disconnect();
    }
  });

  it('upgrades the runtime through the council without sudo; a signed account and a bare majority are refused', async () => {
    const acc = devAccounts();
    assert.equal((await api.query.sudo.key()).isNone, true, 'the local chain has no sudo key');
    const code = (await api.rpc.state.getStorage(':code')).toHex();
    const codeHash = blake2AsHex(code, 256);
    const authorize = api.tx.system.authorizeUpgradeWithoutChecks(codeHash);
    const dispatch = api.tx.whitelist.dispatchWhitelistedCallWithPreimage(authorize.method);

    // A signed account can neither authorize an upgrade nor dispatch as Root.
    console.log('# a signed account tries');
    assert.equal((await signAndWait(api, authorize, acc.eve)).error, 'BadOrigin');
    assert.notEqual((await signAndWait(api, dispatch, acc.eve)).error, null);

    const motion = async (call, threshold, ayes) => {
      console.log(`# motion ${call.method.section}.${call.method.method}, threshold ${threshold}, ${ayes.length} ayes`);
      const passed = await councilMotion(api, call, ayes, { threshold, closer: acc.charlie });
      assert.ok(passed.result, 'the motion passed and executed');
      return passed;
    };

    // The council of five: two thirds (Alice to Dave) whitelist the exact call.
    const four = [acc.alice, acc.bob, acc.charlie, acc.dave];
    const whitelisted = await motion(api.tx.whitelist.whitelistCall(authorize.method.hash), 4, four);
    assert.ok(whitelisted.result.isOk, whitelisted.result.toString());
    assert.ok(findEvent(whitelisted.events, 'whitelist', 'CallWhitelisted'));

    // A bare majority cannot dispatch it as Root.
    const bare = await motion(dispatch, 3, four.slice(0, 3));
    assert.ok(bare.result.isErr, 'three of five cannot reach Root');
    assert.ok((await api.query.system.authorizedUpgrade()).isNone);
    assert.notEqual((await signAndWait(api, dispatch, acc.eve)).error, null, 'nor a signed account after the whitelisting');

    // Three quarters (four of five: Eve's key may be lost) dispatch it: the upgrade is authorized.
    const rooted = await motion(dispatch, 4, four);
    assert.ok(rooted.result.isOk, rooted.result.toString());
    assert.ok(findEvent(rooted.events, 'system', 'UpgradeAuthorized'));
    assert.equal((await api.query.system.authorizedUpgrade()).unwrap().codeHash.toHex(), codeHash);

    // Anyone may now apply exactly that code.
    console.log(`# applying the authorized upgrade (${(code.length - 2) / 2} bytes)`);
    const applied = await signAndWait(api, api.tx.system.applyAuthorizedUpgrade(code), acc.eve, { timeoutMs: 120_000 });
    assert.equal(applied.error, null);
    assert.ok(findEvent(applied.events, 'system', 'CodeUpdated'), 'system.CodeUpdated');
    assert.ok((await api.query.system.authorizedUpgrade()).isNone);

    // The network goes on producing and finalizing with the upgraded code.
    const best = (await api.rpc.chain.getHeader()).number.toNumber();
    await waitFinalized(api, best + 2, 120_000);
  });
});
