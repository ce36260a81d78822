// Paging through the keeper API (moved from the bots' keeper planning).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { collectPages } from '../src/pages.mjs';

/** A fake `liquidatable(cursor, limit)` over `accounts`, in pages of `limit`. */
function fakeApi(accounts) {
  const calls = [];
  const fetchPage = async (cursor, limit) => {
    calls.push(cursor);
    const start = cursor === null ? 0 : accounts.indexOf(cursor) + 1;
    const page = accounts.slice(start, start + limit).map((who) => ({ who }));
    const more = start + limit < accounts.length;
    return [page, more ? accounts[start + limit - 1] : null];
  };
  return { fetchPage, calls };
}

describe('collectPages', () => {
  it('follows the cursor through every page', async () => {
    const accounts = Array.from({ length: 1_234 }, (_, i) => `acc${i}`);
    const { fetchPage, calls } = fakeApi(accounts);
    const found = await collectPages(fetchPage, { limit: 500 });
    assert.deepEqual(found.map((v) => v.who), accounts);
    assert.deepEqual(calls, [null, 'acc499', 'acc999']);
  });

  it('stops at the page bound and drops duplicates', async () => {
    const pages = [[[{ who: 'a' }, { who: 'b' }], 'b'], [[{ who: 'b' }, { who: 'c' }], 'c']];
    let at = 0;
    const found = await collectPages(async () => pages[Math.min(at++, 1)], { maxPages: 2 });
    assert.deepEqual(found.map((v) => v.who), ['a', 'b', 'c']);
  });
});
