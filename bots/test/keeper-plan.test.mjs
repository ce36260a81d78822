// Unit tests of the keeper's planning: paging through the keeper API and nonce assignment.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { collectPages, planSubmissions } from '../lib/keeper-plan.mjs';

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

describe('keeper planning', () => {
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

  it('assigns targets round-robin with consecutive nonces per keeper, skipping pending ones', () => {
    const { plan, nonces } = planSubmissions(
      ['t1', 't2', 't3', 't4', 't5'],
      ['k1', 'k2'],
      new Map([['k1', 7], ['k2', 0]]),
      new Set(['t3']),
    );
    assert.deepEqual(plan, [
      { keeper: 'k1', target: 't1', nonce: 7 },
      { keeper: 'k2', target: 't2', nonce: 0 },
      { keeper: 'k1', target: 't4', nonce: 8 },
      { keeper: 'k2', target: 't5', nonce: 1 },
    ]);
    assert.deepEqual([...nonces], [['k1', 9], ['k2', 2]]);
    assert.throws(() => planSubmissions(['t'], [], new Map()), /no keeper/);
    assert.throws(() => planSubmissions(['t'], ['k'], new Map()), /no nonce/);
  });
});
