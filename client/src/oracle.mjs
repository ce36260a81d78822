// The oracle from a script's side: operators registered and fed one round at a time, and a
// feeder loop that keeps a market priced (the feeder bot, bots/feeder.mjs, is the operator's own).
import { signAndWait, untilEachBlock, waitBest } from './chain.mjs';

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
 * Keeps `operators` pricing `market` at `feeder.price` (an integer, 100 at first), one oracle
 * round after another, until `feeder.stopped`; `feeder.rounds` counts the rounds closed and
 * `feeder.failed` holds the error that stopped it.
 */
export function startFeeder(api, operators, market) {
  const feeder = { price: 100n, stopped: false, rounds: 0, failed: null, done: null };
  // `done` settles once the loop has ended after `stopped` (await it before disconnecting, so
  // that no submission's timer outlives the test).
  feeder.done = (async () => {
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
