// Paging through the runtime APIs that answer a page and a cursor (`marginApi.liquidatable`,
// `marginApi.deleverageCandidates`).

/**
 * Every item `fetchPage(cursor, limit)` lists, following its cursor until it returns none, each
 * `key(item)` once. `fetchPage` resolves `[items, nextCursor]` (`null` at the end). Stops after
 * `maxPages` pages, so a cursor that never ends cannot hold the caller forever.
 */
export async function collectPages(fetchPage, { limit = 500, maxPages = 1_000, key = (item) => item.who } = {}) {
  const seen = new Set();
  const found = [];
  let cursor = null;
  for (let page = 0; page < maxPages; page++) {
    const [items, next] = await fetchPage(cursor, limit);
    for (const item of items) {
      const k = key(item);
      if (!seen.has(k)) {
        seen.add(k);
        found.push(item);
      }
    }
    if (next === null || next === undefined) return found;
    cursor = next;
  }
  return found;
}
