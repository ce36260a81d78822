// Pure planning of the keeper bot (issue 14): paging through the margin engine's keeper API and
// assigning nonces so that many liquidations from one keeper land in the same block.

/**
 * Every account `fetchPage(cursor, limit)` lists, following its cursor until it returns none.
 * `fetchPage` resolves `[views, nextCursor]` (nextCursor `null` at the end), as
 * `api.call.marginApi.liquidatable` does once decoded. Stops after `maxPages` pages.
 */
export async function collectPages(fetchPage, { limit = 500, maxPages = 1_000 } = {}) {
  const seen = new Set();
  const found = [];
  let cursor = null;
  for (let page = 0; page < maxPages; page++) {
    const [views, next] = await fetchPage(cursor, limit);
    for (const view of views) {
      if (!seen.has(view.who)) {
        seen.add(view.who);
        found.push(view);
      }
    }
    if (next === null || next === undefined) return found;
    cursor = next;
  }
  return found;
}

/**
 * Assigns `targets` to `keepers` round-robin, each keeper's transactions numbered from its next
 * nonce (`nonces`: address -> next nonce), skipping targets already pending (`pending`: a Set).
 * Returns `[{ keeper, target, nonce }]` in submission order and the keepers' next nonces.
 */
export function planSubmissions(targets, keepers, nonces, pending = new Set()) {
  if (keepers.length === 0) throw new Error('no keeper');
  const next = new Map(nonces);
  const plan = [];
  let turn = 0;
  for (const target of targets) {
    if (pending.has(target)) continue;
    const keeper = keepers[turn % keepers.length];
    turn += 1;
    const nonce = next.get(keeper);
    if (nonce === undefined) throw new Error(`no nonce for keeper ${keeper}`);
    plan.push({ keeper, target, nonce });
    next.set(keeper, nonce + 1);
  }
  return { plan, nonces: next };
}
