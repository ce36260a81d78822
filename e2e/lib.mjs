// Shared helpers of the end-to-end suite: start a throw-away `bulwark-node --dev --tmp`, connect
// @polkadot/api with no custom types, submit extrinsics and wait for their events.
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApiPromise, WsProvider } from '@polkadot/api';
import { Keyring } from '@polkadot/keyring';
import { blake2AsU8a, cryptoWaitReady } from '@polkadot/util-crypto';

const here = dirname(fileURLToPath(import.meta.url));

/** Path of the node binary: $BULWARK_NODE, else the release build in the shared target dir. */
export function nodeBinary() {
  if (process.env.BULWARK_NODE) return process.env.BULWARK_NODE;
  const target = process.env.CARGO_TARGET_DIR || join(process.env.HOME, '.cache/bulwark/target');
  return join(target, 'release', 'bulwark-node');
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts `bulwark-node --dev --tmp` (or, with `basePath`, a dev chain kept in that directory) on
 * `port` and resolves once its RPC answers. The node's output goes to e2e/.chain/<name>.log.
 * `stop()` ends it with SIGINT, `kill()` with SIGKILL (a crash).
 *
 * `chain` is the chain spec: `fast` (the default: the dev chain at one-second slots, for tests
 * that do not measure time themselves) or `dev` (3 s slots, as a user's `--dev` chain).
 */
export async function startDevNode({ port = 9955, name = 'node', basePath = null, chain = 'fast' } = {}) {
  const bin = nodeBinary();
  if (!existsSync(bin)) throw new Error(`node binary not found at ${bin}: run scripts/build.sh`);
  // A node left over on this port would answer in place of ours.
  const taken = await fetch(`http://127.0.0.1:${port}`, { method: 'POST' }).then(() => true, () => false);
  if (taken) throw new Error(`port ${port} is already in use (a node left running?)`);
  const logDir = join(here, '.chain');
  mkdirSync(logDir, { recursive: true });
  const logPath = join(logDir, `${name}.log`);
  const log = createWriteStream(logPath, { flags: basePath ? 'a' : 'w' });
  const storage = basePath ? ['--base-path', basePath] : ['--tmp'];
  const child = spawn(
    bin,
    // Peer-to-peer on loopback only (`--port` alone would listen on every interface).
    ['--dev', '--chain', chain, ...storage, '--rpc-port', String(port), '--no-prometheus', '--no-telemetry',
      '--listen-addr', `/ip4/127.0.0.1/tcp/${port + 1000}`],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  let exited = null;
  child.on('exit', (code, signal) => { exited = { code, signal }; });

  const url = `ws://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (exited) throw new Error(`node exited early (${JSON.stringify(exited)}); see ${logPath}:\n${tail(logPath)}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ id: 1, jsonrpc: '2.0', method: 'system_health', params: [] }),
      });
      if (res.ok) break;
    } catch { /* not up yet */ }
    if (Date.now() > deadline) throw new Error(`node RPC did not come up on ${url}; see ${logPath}`);
    await sleep(500);
  }

  const stop = async () => {
    if (exited) return exited;
    child.kill('SIGINT');
    for (let i = 0; i < 100 && !exited; i++) await sleep(100);
    if (!exited) child.kill('SIGKILL');
    for (let i = 0; i < 50 && !exited; i++) await sleep(100);
    return exited;
  };
  const kill = async () => {
    if (exited) return exited;
    child.kill('SIGKILL');
    for (let i = 0; i < 50 && !exited; i++) await sleep(100);
    return exited;
  };
  return { url, port, logPath, stop, kill, child };
}

export function tail(path, lines = 40) {
  try {
    return readFileSync(path, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** Connects @polkadot/api with no custom types. */
export async function connect(url) {
  await cryptoWaitReady();
  const api = await ApiPromise.create({ provider: new WsProvider(url), noInitWarn: true, throwOnConnect: true });
  return api;
}

export { cryptoWaitReady };

/** The value after `--NAME` on the command line, or `fallback`. */
export function cliOption(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 && process.argv[at + 1] !== undefined ? process.argv[at + 1] : fallback;
}

/** An sr25519 keyring with the generic address format. */
export function newKeyring() {
  return new Keyring({ type: 'sr25519', ss58Format: 42 });
}

/**
 * `count` throw-away ed25519 accounts for a flood, account i from the seed blake2-256(`TAG/i`).
 * Measured here: a dev URI costs about 4 ms of key derivation (2,048 PBKDF2 rounds) and an sr25519
 * signature 0.6 ms; these cost no derivation and a quarter of the signature. Call after
 * `cryptoWaitReady`.
 */
export function floodAccounts(tag, count) {
  const keyring = new Keyring({ type: 'ed25519', ss58Format: 42 });
  return Array.from({ length: count }, (_, i) => keyring.addFromSeed(blake2AsU8a(`${tag}/${i}`)));
}

/** The well-known dev accounts (sr25519, //Alice ...). */
export function devAccounts() {
  const keyring = newKeyring();
  const out = {};
  for (const n of ['Alice', 'Bob', 'Charlie', 'Dave', 'Eve', 'Ferdie']) out[n.toLowerCase()] = keyring.addFromUri(`//${n}`);
  return out;
}

/**
 * Signs and submits `tx`, resolves when it is in a block with its events and the decoded
 * dispatch error (if any). Rejects if the pool refuses it.
 */
export function signAndWait(api, tx, signer, { timeoutMs = 60_000 } = {}) {
  return new Promise((resolvePromise, reject) => {
    let unsub = null;
    const timer = setTimeout(() => { if (unsub) unsub(); reject(new Error('timed out waiting for inclusion')); }, timeoutMs);
    tx.signAndSend(signer, (result) => {
      const { status, events, dispatchError } = result;
      if (status.isInBlock || status.isFinalized) {
        clearTimeout(timer);
        if (unsub) unsub();
        let error = null;
        if (dispatchError) {
          if (dispatchError.isModule) {
            const meta = api.registry.findMetaError(dispatchError.asModule);
            error = `${meta.section}.${meta.name}`;
          } else {
            error = dispatchError.toString();
          }
        }
        resolvePromise({
          blockHash: status.isInBlock ? status.asInBlock.toHex() : status.asFinalized.toHex(),
          events: events.map(({ event }) => event),
          error,
        });
      } else if (status.isInvalid || status.isDropped || status.isUsurped) {
        clearTimeout(timer);
        if (unsub) unsub();
        reject(new Error(`transaction ${status.type}`));
      }
    }).then((u) => { unsub = u; }).catch((e) => { clearTimeout(timer); reject(e); });
  });
}

/** The dev and local presets' risk council: four of its five are two thirds and three quarters. */
export const COUNCIL_AYES = 4;

/**
 * `signAndWait`, signed again (with a fresh nonce) when the pool refuses the transaction, or
 * replaces it, because another of the signer's sent at the same time (a feeder bot's submission,
 * at the oracle's top priority) took its nonce.
 */
async function signAndWaitRacing(api, tx, signer, tries = 8) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await signAndWait(api, tx, signer);
    } catch (e) {
      if (attempt >= tries || !/Priority is too low|outdated|Stale|1014|1010|Usurped|Dropped|Invalid/.test(String(e.message ?? e))) throw e;
      // The other transaction holds the nonce until it is in a block.
      await sleep(1_000 * attempt);
    }
  }
}

/**
 * Passes `tx` as a motion of the risk council: `ayes[0]` proposes it with `threshold` (at least
 * 2), every one of `ayes` votes aye (at once), and `closer` closes it, which the pallet allows
 * once the ayes reach the threshold. Resolves with the close's events and the
 * `council.Executed` result (`isOk` or `isErr` as the call's origin check and dispatch went).
 * Throws if a step is refused.
 */
export async function councilMotion(api, tx, ayes, { threshold = COUNCIL_AYES, closer = ayes[0] } = {}) {
  const length = tx.method.encodedLength;
  const proposed = await signAndWaitRacing(api, api.tx.council.propose(threshold, tx.method, length), ayes[0]);
  if (proposed.error) throw new Error(`council.propose: ${proposed.error}`);
  const ev = findEvent(proposed.events, 'council', 'Proposed');
  if (!ev) throw new Error('council.propose: no Proposed event (a threshold below 2 executes at once)');
  const index = ev.data.proposalIndex.toNumber();
  const hash = ev.data.proposalHash.toHex();
  const votes = await Promise.all(ayes.map((member) => signAndWaitRacing(api, api.tx.council.vote(hash, index, true), member)));
  for (const vote of votes) if (vote.error) throw new Error(`council.vote: ${vote.error}`);
  const { weight } = await api.call.transactionPaymentCallApi.queryCallInfo(tx.method, length);
  const closed = await signAndWaitRacing(api, api.tx.council.close(hash, index, weight, length), closer);
  if (closed.error) throw new Error(`council.close: ${closed.error}`);
  const executed = findEvent(closed.events, 'council', 'Executed');
  if (!executed) throw new Error('council.close: the motion did not execute');
  return { events: closed.events, result: executed.data.result, hash, index };
}

/** The first event `section.method` in `events`, or undefined. */
export function findEvent(events, section, method) {
  return events.find((e) => e.section === section && e.method === method);
}

/** Resolves with the finalized header once its number reaches `n`. */
export async function waitFinalized(api, n, timeoutMs = 120_000) {
  return new Promise((resolvePromise, reject) => {
    let unsub = null;
    const timer = setTimeout(() => { if (unsub) unsub(); reject(new Error(`block #${n} not finalized in time`)); }, timeoutMs);
    api.rpc.chain.subscribeFinalizedHeads((header) => {
      if (header.number.toNumber() >= n) {
        clearTimeout(timer);
        if (unsub) unsub();
        resolvePromise(header);
      }
    }).then((u) => { unsub = u; }).catch(reject);
  });
}

/** Resolves with the best header once its number reaches `n`. */
export async function waitBest(api, n, timeoutMs = 120_000) {
  return new Promise((resolvePromise, reject) => {
    let unsub = null;
    let done = false;
    const timer = setTimeout(() => { if (unsub) unsub(); reject(new Error(`block #${n} not reached in time`)); }, timeoutMs);
    api.rpc.chain.subscribeNewHeads((header) => {
      if (done || header.number.toNumber() < n) return;
      done = true;
      clearTimeout(timer);
      if (unsub) unsub(); else setTimeout(() => unsub && unsub(), 0);
      resolvePromise(header);
    }).then((u) => { unsub = u; if (done) u(); }).catch(reject);
  });
}


/** FixedU128 scale: a price of 1 is 10^18. */
export const FIXED = 10n ** 18n;

/**
 * Submits `prices[i]` (integers) for `market` from `operators[i]`, all in one oracle round, and
 * waits for the block that closes that round. Returns `{ round, results }`.
 *
 * By default it starts with the round after the current one (operators are expected from the
 * round after their registration) and retries in a later round if a submission lands in the
 * next one. With `{ now: true }` it submits at once for the round of the next block: called
 * right after a previous `submitRound` returned (at the block that closed that round), it feeds
 * the very next round, so that consecutive calls feed consecutive rounds.
 */
export async function submitRound(api, operators, market, prices, { now = false } = {}) {
  const roundLength = api.consts.oracle.roundLength.toNumber();
  const first = (await api.call.oracleApi.currentRound()).toNumber() + (now ? 0 : 1);
  let best = (await api.rpc.chain.getHeader()).number.toNumber();
  for (let attempt = 0; attempt < 8; attempt++) {
    // Submit right after a new block: the next block, which includes the submissions,
    // decides the round they belong to.
    if (!now || attempt > 0) best = (await waitBest(api, best + 1)).number.toNumber();
    const round = Math.floor((best + 1) / roundLength);
    if (round < first) continue;
    const results = await Promise.all(operators.map((op, i) =>
      signAndWait(api, api.tx.oracle.submit(round, [[market, BigInt(prices[i]) * FIXED]]), op)
        .catch((e) => {
          // The pool refuses a submission for a closed round (the oracle's transaction
          // extension, custom error = the module error's index): retry in a later round.
          const poolError = { 12: 'oracle.WrongRound', 13: 'oracle.AlreadySubmitted' }[/Custom error: (\d+)/.exec(String(e))?.[1]];
          if (poolError) return { error: poolError, events: [] };
          // Or dropped from the pool once its round closed (a busy node).
          if (/transaction (Invalid|Dropped|Usurped)/.test(String(e))) return { error: 'oracle.WrongRound', events: [] };
          throw e;
        })));
    if (results.every((r) => r.error === null)) {
      // The round closes in the first block of the next round.
      await waitBest(api, (round + 1) * roundLength);
      return { round, results };
    }
    // A submission landed in the next round (WrongRound): try again in a later round.
    if (!results.every((r) => r.error === null || r.error === 'oracle.WrongRound' || r.error === 'oracle.AlreadySubmitted')) {
      throw new Error(`submissions refused: ${JSON.stringify(results.map((r) => r.error))}`);
    }
  }
  throw new Error('the operators could not submit in one round');
}

/** Registers each operator with its bond and declares that it serves `market` only. */
export async function registerOperators(api, operators, bonds, market) {
  await Promise.all(operators.map(async (op, i) => {
    for (const tx of [api.tx.oracle.registerOperator(bonds[i]), api.tx.oracle.setMarkets([market])]) {
      const r = await signAndWait(api, tx, op);
      if (r.error !== null) throw new Error(`${tx.method.method} failed: ${r.error}`);
    }
  }));
}

/**
 * Signs `txs` (`[tx, pair, nonce]`) immortal, without a round trip each, and submits them all,
 * in chunks of `chunk` (the pool holds 8,192 ready transactions), waiting for the pool to drain
 * below half a chunk between chunks. Resolves with the transaction hashes.
 */
export async function submitAll(api, txs, { chunk = 3_000 } = {}) {
  const hashes = [];
  for (let start = 0; start < txs.length; start += chunk) {
    if (start > 0) {
      await untilEachBlock(api, async () => (await api.rpc.author.pendingExtrinsics()).length < chunk / 2, 300_000, 'the pool to drain');
    }
    // Each sender's transactions go in nonce order, one after the other (out of order they
    // would wait in the pool's small future queue, which drops them when full); senders in
    // parallel.
    const bySender = new Map();
    for (const [tx, pair, nonce] of txs.slice(start, start + chunk)) {
      const signed = await tx.signAsync(pair, { nonce, era: 0 });
      if (!bySender.has(pair.address)) bySender.set(pair.address, []);
      bySender.get(pair.address).push(signed);
    }
    const sent = await Promise.all([...bySender.values()].map(async (list) => {
      const out = [];
      for (const signed of list) out.push(await api.rpc.author.submitExtrinsic(signed));
      return out;
    }));
    hashes.push(...sent.flat());
  }
  return hashes;
}

/**
 * Funds `targets` from `funders` in turn: each target `funded` (a batch query: targets -> one
 * boolean each) says is not funded yet gets `callsFor(target)` (its transfers), all submitted with
 * `submitAll`; then, once the funders' transactions left the pool (included or lost: each
 * funder's nonce on chain equals its next index), the targets are checked again and the missing
 * ones sent again, up to `attempts` times. A busy fork-aware pool loses some of a long chain of one
 * sender's nonces, and every later one with it. Resolves with the targets still unfunded.
 */
export async function fundAll(api, funders, targets, callsFor, funded, { attempts = 5, chunk = 3_000, log = () => {} } = {}) {
  let unfunded = targets;
  for (let attempt = 0; attempt < attempts; attempt++) {
    const state = await funded(unfunded);
    unfunded = unfunded.filter((_, i) => !state[i]);
    if (unfunded.length === 0) return [];
    if (attempt > 0) log(`funding: ${unfunded.length} of ${targets.length} missing, sending again`);
    const next = await nonceBook(api, funders);
    const txs = [];
    unfunded.forEach((target, i) => {
      const funder = funders[i % funders.length];
      for (const call of callsFor(target)) txs.push([call, funder, next(funder)]);
    });
    try {
      await submitAll(api, txs, { chunk });
    } catch (e) {
      log(`funding attempt ${attempt}: ${e.message}`);
    }
    await untilEachBlock(api, async () => {
      const onChain = await api.query.system.account.multi(funders.map((f) => f.address));
      const pooled = await Promise.all(funders.map((f) => api.rpc.system.accountNextIndex(f.address)));
      return funders.every((_, i) => onChain[i].nonce.toNumber() === pooled[i].toNumber());
    }, 300_000, 'the funding transfers to leave the pool');
  }
  const state = await funded(unfunded);
  return unfunded.filter((_, i) => !state[i]);
}

/** Resolves once `done()` holds, checking at every new block; rejects after `timeoutMs`. */
export async function untilEachBlock(api, done, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  let best = (await api.rpc.chain.getHeader()).number.toNumber();
  for (;;) {
    if (await done()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    best = (await waitBest(api, best + 1)).number.toNumber();
  }
}

/** Next nonces of `pairs`, handed out one by one: `next(pair)`. */
export async function nonceBook(api, pairs) {
  const nonces = new Map();
  for (const p of pairs) nonces.set(p.address, (await api.rpc.system.accountNextIndex(p.address)).toNumber());
  return (pair) => {
    const n = nonces.get(pair.address);
    nonces.set(pair.address, n + 1);
    return n;
  };
}

/**
 * Keeps `operators` pricing `market` at `feeder.price` (an integer, 100 at first), one oracle
 * round after another, until `feeder.stopped`; `feeder.rounds` counts the rounds closed and
 * `feeder.failed` holds the error that stopped it.
 */
export function startFeeder(api, operators, market) {
  const feeder = { price: 100n, stopped: false, rounds: 0, failed: null };
  (async () => {
    let first = true;
    while (!feeder.stopped) {
      const p = feeder.price;
      await submitRound(api, operators, market, operators.map(() => p), { now: !first });
      first = false;
      feeder.rounds += 1;
    }
  })().catch((e) => {
    if (!feeder.stopped) { console.error('[feeder] the oracle feeder stopped:', e); feeder.failed = e; }
  });
  return feeder;
}

/** Waits for `rounds` more rounds of a `startFeeder` feeder. */
export async function feederRounds(api, feeder, rounds, what) {
  const target = feeder.rounds + rounds;
  await untilEachBlock(api, async () => {
    if (feeder.failed) throw feeder.failed;
    return feeder.rounds >= target;
  }, 180_000, what);
}

/**
 * Places a margin order for `trader`: `size` (18-decimal fixed point, signed) in `market` at a
 * fill no worse than `limit`, or a close of the whole position when `size` is null. Orders fill
 * two oracle rounds later, at a median nobody knew when they were placed. Resolves with `{ error,
 * placed }`: `placed` is the `OrderPlaced` event (its `dueBlock` is when the hook tries it).
 */
export async function placeOrder(api, trader, market, size, limit, { expiresInRounds = 10 } = {}) {
  const tx = size === null
    ? api.tx.margin.placeCloseOrder(market, limit, expiresInRounds)
    : api.tx.margin.placeOrder(market, size, limit, expiresInRounds);
  const r = await signAndWait(api, tx, trader);
  return { error: r.error, placed: findEvent(r.events, 'margin', 'OrderPlaced') };
}

/**
 * Resolves with the event that ended `trader`'s order in `market` placed as `placed` (an
 * `OrderPlaced` event): `Traded` or `OrderCancelled`, read from the blocks from its due block on
 * (an order waits a round at a time while the oracle has no newer median).
 */
export async function orderOutcome(api, trader, market, placed, { timeoutMs = 120_000 } = {}) {
  const roundLength = api.consts.oracle.roundLength.toNumber();
  const due = placed.data.dueBlock.toNumber();
  // It waits at most until its expiry round, a round at a time.
  const rounds = placed.data.expiresRound.toNumber() - placed.data.round.toNumber();
  const last = due + (rounds + 1) * roundLength;
  const who = trader.address ?? trader.toString();
  for (let block = due; block <= last; block++) {
    await waitBest(api, block, timeoutMs);
    const hash = await api.rpc.chain.getBlockHash(block);
    const events = (await api.query.system.events.at(hash)).map(({ event }) => event);
    const end = events.find((e) => e.section === 'margin'
      && (e.method === 'Traded' || e.method === 'OrderCancelled')
      && e.data.who.toString() === who && e.data.market.toNumber() === Number(market));
    if (end) return end;
  }
  throw new Error(`the order of ${who} in market ${market} neither filled nor was cancelled`);
}

/**
 * Places an order and prices the rounds it needs: `feed()` (for example one `submitRound`) runs
 * right after placement, then the order's end is awaited. Resolves with `{ error, placed,
 * outcome }`; `outcome` is the `Traded` or `OrderCancelled` event.
 */
export async function placeAndFill(api, trader, market, size, limit, feed) {
  const { error, placed } = await placeOrder(api, trader, market, size, limit);
  if (error !== null) return { error, placed, outcome: null };
  const [, outcome] = await Promise.all([feed(), orderOutcome(api, trader, market, placed)]);
  return { error, placed, outcome };
}
