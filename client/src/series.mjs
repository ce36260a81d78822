// Options from a trader's side (issue 28): series listed by the council, bought and sold back by
// orders that fill at a later round's median (as margin orders), settled at expiry into margin
// collateral.
import { findEvent, signAndWait, waitBest } from './chain.mjs';

/**
 * The grid expiry at least `afterMs` milliseconds after the chain's clock (`timestamp.now`), for
 * the options parameters `params` (`options.params`, or the pallet's as stored).
 */
export async function nextExpiry(api, afterMs, params = null) {
  const p = params ?? (await api.query.options.params()).toJSON();
  const grid = BigInt(p.expiryGrid);
  const offset = BigInt(p.expiryOffset);
  const earliest = (await api.query.timestamp.now()).toBigInt() + BigInt(afterMs);
  let expiry = (earliest / grid) * grid + offset;
  while (expiry < earliest) expiry += grid;
  return expiry;
}

/**
 * Places an option order for `trader`: `contracts` (18-decimal fixed point; negative sells back)
 * of `series`, at a premium per contract no worse than `limit` (18 decimals). Resolves with
 * `{ error, placed }` (`placed`: the `OrderPlaced` event).
 */
export async function placeOptionOrder(api, trader, series, contracts, limit, { expiresInRounds = 10 } = {}) {
  const r = await signAndWait(api, api.tx.options.placeOrder(series, contracts, limit, expiresInRounds), trader);
  return { error: r.error, placed: findEvent(r.events, 'options', 'OrderPlaced') };
}

/**
 * Resolves with the event that ended `trader`'s option order placed as `placed`: `Traded` or
 * `OrderCancelled`, read from the blocks from its due block on.
 */
export async function optionOrderOutcome(api, trader, placed, { timeoutMs = 120_000, rounds = 11 } = {}) {
  const roundLength = api.consts.oracle.roundLength.toNumber();
  const due = placed.data.dueBlock.toNumber();
  const series = placed.data.series.toNumber();
  const who = trader.address ?? trader.toString();
  for (let block = due; block <= due + rounds * roundLength; block++) {
    await waitBest(api, block, timeoutMs);
    const hash = await api.rpc.chain.getBlockHash(block);
    const events = (await api.query.system.events.at(hash)).map(({ event }) => event);
    const end = events.find((e) => e.section === 'options'
      && (e.method === 'Traded' || e.method === 'OrderCancelled')
      && e.data.who.toString() === who && e.data.series.toNumber() === series);
    if (end) return end;
  }
  throw new Error(`the option order of ${who} in series ${series} neither filled nor was cancelled`);
}
