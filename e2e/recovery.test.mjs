// Crash recovery (issue 15): a dev node keeping its chain in a base path is killed with SIGKILL
// while transactions are in flight; restarted from the same base path it has every block it had
// finalized, with the same hashes, and their state (bUSD balances, a margin position) intact, and
// it goes on producing and finalizing. An oracle feeder bot running through the crash reconnects
// by itself and submits again (issue 14).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  FIXED, connect, devAccounts, placeAndFill, registerOperators, signAndWait, startBot, startDevNode, submitRound,
  waitBest, waitFinalized,
} from './lib.mjs';

const BUSD = 1_000_000n;
const BTC = 0;

describe('crash recovery', { timeout: 600_000 }, () => {
  const chainDir = join(dirname(fileURLToPath(import.meta.url)), '.chain');
  mkdirSync(chainDir, { recursive: true });
  const basePath = mkdtempSync(join(chainDir, 'recovery-'));
  const acc = devAccounts();
  let node;
  let api;

  before(async () => {
    node = await startDevNode({ name: 'recovery', basePath });
    api = await connect(node.url);
  });

  after(async () => {
    if (api) await api.disconnect().catch(() => {});
    if (node) await node.stop();
    rmSync(basePath, { recursive: true, force: true });
  });

  it('a node killed with SIGKILL restarts with its finalized blocks and state intact', async () => {
    // State worth keeping: a bUSD transfer, a staked vault and Eve's BTC long.
    assert.equal((await signAndWait(api, api.tx.busd.transferKeepAlive(acc.ferdie.address, 1_234n * BUSD), acc.dave)).error, null);
    assert.equal((await signAndWait(api, api.tx.vaults.stake(BTC, 100_000n * BUSD, 0), acc.dave)).error, null);
    const operators = [acc.alice, acc.bob, acc.charlie];
    await registerOperators(api, operators, operators.map(() => 10_000n * BUSD), BTC);
    await submitRound(api, operators, BTC, [100n, 100n, 100n]);
    assert.equal((await signAndWait(api, api.tx.margin.deposit(1_000n * BUSD), acc.eve)).error, null);
    const traded = await placeAndFill(api, acc.eve, BTC, 5n * FIXED, 101n * FIXED, () => submitRound(api, operators, BTC, [100n, 100n, 100n]));
    assert.equal(traded.error, null);
    assert.equal(traded.outcome.method, 'Traded', traded.outcome.toString());
    const best = (await api.rpc.chain.getHeader()).number.toNumber();
    await waitFinalized(api, best);

    // What was finalized before the crash.
    const finalizedHash = await api.rpc.chain.getFinalizedHead();
    const finalized = (await api.rpc.chain.getHeader(finalizedHash)).number.toNumber();
    const hashes = [];
    for (let n = 0; n <= finalized; n++) hashes.push((await api.rpc.chain.getBlockHash(n)).toHex());
    const snapshot = async (at) => {
      const view = await api.at(at);
      const [ferdie, dave, eve, account] = await Promise.all([
        view.query.busd.account(acc.ferdie.address),
        view.query.busd.account(acc.dave.address),
        view.query.busd.account(acc.eve.address),
        view.query.margin.accounts(acc.eve.address),
      ]);
      return { ferdie: ferdie.toHex(), dave: dave.toHex(), eve: eve.toHex(), account: account.toHex() };
    };
    const kept = await snapshot(finalizedHash);
    assert.ok((await api.query.margin.accounts(acc.eve.address)).unwrap().positions.length === 1);

    // Alice's feeder bot runs through the crash.
    const feeder = startBot('feeder', ['--url', node.url, '--dev-key', '//Alice', '--market', String(BTC), '--price', '100'], 'recovery-feeder');
    const submittedRounds = () => [...readFileSync(feeder.logPath, 'utf8').matchAll(/round (\d+) 0:[\d.]+: InBlock/g)].map((m) => Number(m[1]));
    await waitBest(api, (await api.rpc.chain.getHeader()).number.toNumber() + 4);
    assert.ok(submittedRounds().length > 0, 'the feeder submits before the crash');

    // Crash mid-run: transfers in flight, then SIGKILL.
    await Promise.all([1n, 2n, 3n].map((i) => api.tx.busd.transferKeepAlive(acc.ferdie.address, i * BUSD).signAndSend(acc.bob).catch(() => {})));
    await api.disconnect();
    api = null;
    const exit = await node.kill();
    assert.equal(exit.signal, 'SIGKILL');

    // Restart from the same base path, on the same port (the feeder reconnects to it).
    node = await startDevNode({ port: node.port, name: 'recovery', basePath });
    api = await connect(node.url);
    const finalizedAfter = (await api.rpc.chain.getHeader(await api.rpc.chain.getFinalizedHead())).number.toNumber();
    assert.ok(finalizedAfter >= finalized, `finalized #${finalizedAfter} after the restart, #${finalized} before`);
    let lost = 0;
    for (let n = 0; n <= finalized; n++) if ((await api.rpc.chain.getBlockHash(n)).toHex() !== hashes[n]) lost += 1;
    assert.equal(lost, 0, 'no finalized block lost');
    console.log(`# recovery: finalized #${finalized} before the SIGKILL, #${finalizedAfter} after the restart, ${lost} blocks lost`);
    assert.deepEqual(await snapshot(finalizedHash), kept, 'the finalized state is intact');

    // And the chain goes on, with Eve's position still open.
    const bestAfter = (await api.rpc.chain.getHeader()).number.toNumber();
    const roundAfterRestart = (await api.call.oracleApi.currentRound()).toNumber();
    await waitBest(api, bestAfter + 6);
    await waitFinalized(api, bestAfter + 1);
    const account = (await api.query.margin.accounts(acc.eve.address)).unwrap();
    assert.equal(account.positions.length, 1);

    // The feeder reconnected by itself and submitted rounds after the restart, each once.
    const rounds = submittedRounds();
    await feeder.stop();
    assert.ok(rounds.some((r) => r >= roundAfterRestart), `the feeder submitted after the restart: rounds ${rounds.join(', ')}`);
    assert.equal(new Set(rounds).size, rounds.length, 'no round submitted twice');
  });
});
