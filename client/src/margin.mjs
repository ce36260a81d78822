// Margin orders from a trader's side: orders fill at a later round's median (nobody knew it when
// they were placed), so a caller places, feeds the rounds it needs and reads the outcome.
import { findEvent, signAndWait, waitBest } from './chain.mjs';

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
