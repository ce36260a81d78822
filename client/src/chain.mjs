// Following a chain and getting transactions into it: heads, events, signing and waiting,
// council motions, bulk submission with planned nonces, and funding many accounts.
import { Keyring } from '@polkadot/keyring';
import { blake2AsU8a } from '@polkadot/util-crypto';
import { newKeyring } from './keys.mjs';
import { submitAndWatch } from './submit.mjs';

const sleep = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });

/** The well-known dev accounts (sr25519, //Alice ... //Ferdie), by lower-case name. Call after `cryptoWaitReady`. */
export function devAccounts() {
  const keyring = newKeyring();
  const out = {};
  for (const n of ['Alice', 'Bob', 'Charlie', 'Dave', 'Eve', 'Ferdie']) out[n.toLowerCase()] = keyring.addFromUri(`//${n}`);
  return out;
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

/** The first event `section.method` in `events`, or undefined. */
export function findEvent(events, section, method) {
  return events.find((e) => e.section === section && e.method === method);
}

/**
 * Signs and submits `tx` (`submitAndWatch`), resolves when it is in a block with
 * `{ blockHash, events, error }` (`error`: the dispatch error as `section.Name`, or null).
 * Rejects if the pool refuses it (with the pool's message), or it is invalid, dropped or usurped
 * (`transaction Invalid`...), or nothing happens within `timeoutMs`.
 */
export async function signAndWait(api, tx, signer, { timeoutMs = 60_000 } = {}) {
  const r = await submitAndWatch(api, tx, signer, { timeoutMs });
  if (r.status === 'InBlock' || r.status === 'Finalized') return { blockHash: r.blockHash, events: r.events, error: r.error };
  if (r.status === 'Refused') throw new Error(r.refusal.message);
  if (r.status === 'Timeout') throw new Error('timed out waiting for inclusion');
  throw new Error(`transaction ${r.status}`);
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

/** Resolves with the finalized header once its number reaches `n`. */
export async function waitFinalized(api, n, timeoutMs = 120_000) {
  return new Promise((resolve, reject) => {
    let unsub = null;
    const timer = setTimeout(() => { if (unsub) unsub(); reject(new Error(`block #${n} not finalized in time`)); }, timeoutMs);
    api.rpc.chain.subscribeFinalizedHeads((header) => {
      if (header.number.toNumber() >= n) {
        clearTimeout(timer);
        if (unsub) unsub();
        resolve(header);
      }
    }).then((u) => { unsub = u; }).catch(reject);
  });
}

/** Resolves with the best header once its number reaches `n`. */
export async function waitBest(api, n, timeoutMs = 120_000) {
  return new Promise((resolve, reject) => {
    let unsub = null;
    let done = false;
    const timer = setTimeout(() => { if (unsub) unsub(); reject(new Error(`block #${n} not reached in time`)); }, timeoutMs);
    api.rpc.chain.subscribeNewHeads((header) => {
      if (done || header.number.toNumber() < n) return;
      done = true;
      clearTimeout(timer);
      if (unsub) unsub(); else setTimeout(() => unsub && unsub(), 0);
      resolve(header);
    }).then((u) => { unsub = u; if (done) u(); }).catch(reject);
  });
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
