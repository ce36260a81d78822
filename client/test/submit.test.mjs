// submitAndWatch against a fake API and transaction: every final status resolves (never hangs,
// never rejects), a pool refusal is decoded, and the nonce is marked for resync when it must be.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { submitAndWatch } from '../src/submit.mjs';
import { NonceBook } from '../src/nonces.mjs';
import { signAndWait } from '../src/chain.mjs';

/** A registry whose metadata knows the oracle (pallet 7) and its error 12, `WrongRound`. */
const registry = {
  metadata: { pallets: [{ name: { toString: () => 'Oracle' }, index: 7 }] },
  findMetaError({ index, error }) {
    if (index === 7 && error === 12) return { section: 'oracle', name: 'WrongRound' };
    if (index === 9 && error === 3) return { section: 'margin', name: 'MarginTooLow' };
    throw new Error('unknown');
  },
};
const api = { registry };

const status = (type, hash = '0xabc') => ({
  type,
  isInBlock: type === 'InBlock',
  isFinalized: type === 'Finalized',
  isInvalid: type === 'Invalid',
  isDropped: type === 'Dropped',
  isUsurped: type === 'Usurped',
  isFinalityTimeout: type === 'FinalityTimeout',
  asInBlock: { toHex: () => hash },
  asFinalized: { toHex: () => hash },
});

/** A transaction whose `send` plays `statuses` (or rejects with `refusal`). */
function fakeTx({ statuses = [], refusal = null, dispatchError = null } = {}) {
  const signedWith = [];
  const tx = {
    signedWith,
    async signAsync(signer, options) {
      signedWith.push(options);
      return {
        send(callback) {
          if (refusal) return Promise.reject(new Error(refusal));
          setImmediate(() => {
            for (const s of statuses) callback({ status: status(s), events: [], dispatchError: s === 'InBlock' || s === 'Finalized' ? dispatchError : undefined });
          });
          return Promise.resolve(() => {});
        },
      };
    },
  };
  return tx;
}

describe('submitAndWatch', () => {
  it('resolves InBlock with ok, and with the decoded error of a failed call', async () => {
    const ok = await submitAndWatch(api, fakeTx({ statuses: ['Ready', 'InBlock'] }), {}, { nonce: 4 });
    assert.equal(ok.status, 'InBlock');
    assert.equal(ok.ok, true);
    assert.equal(ok.blockHash, '0xabc');
    const failed = await submitAndWatch(api, fakeTx({
      statuses: ['InBlock'],
      dispatchError: { isModule: true, asModule: { index: 9, error: 3 } },
    }), {});
    assert.equal(failed.ok, false);
    assert.equal(failed.error, 'margin.MarginTooLow');
  });

  it('waits for finality when asked', async () => {
    const r = await submitAndWatch(api, fakeTx({ statuses: ['InBlock', 'Finalized'] }), {}, { until: 'finalized' });
    assert.equal(r.status, 'Finalized');
  });

  it('a refusal by the pool resolves Refused with its cause decoded, and asks for a resync', async () => {
    const r = await submitAndWatch(api, fakeTx({ refusal: '1010: Invalid Transaction: Custom error: 12' }), {}, { customSection: 'oracle' });
    assert.equal(r.status, 'Refused');
    assert.equal(r.error, 'oracle.WrongRound');
    assert.equal(r.resync, false, 'a wrong round says nothing about the nonce');
    const stale = await submitAndWatch(api, fakeTx({ refusal: '1010: Invalid Transaction: Transaction is outdated' }), {});
    assert.equal(stale.error, 'Stale');
    assert.equal(stale.resync, true);
    const low = await submitAndWatch(api, fakeTx({ refusal: '1014: Priority is too low: (4776 vs 4776)' }), {});
    assert.equal(low.error, 'PriorityTooLow');
    assert.equal(low.resync, true);
  });

  it('Dropped, Usurped and Invalid end the watch and ask for a resync; silence times out', async () => {
    for (const end of ['Dropped', 'Usurped', 'Invalid']) {
      const r = await submitAndWatch(api, fakeTx({ statuses: ['Ready', end] }), {});
      assert.equal(r.status, end);
      assert.equal(r.resync, true);
    }
    const silent = await submitAndWatch(api, fakeTx({ statuses: ['Ready'] }), {}, { timeoutMs: 50 });
    assert.equal(silent.status, 'Timeout');
  });
});

describe('signAndWait', () => {
  it('resolves with events and the decoded error once in a block; rejects with the pool\'s own message otherwise', async () => {
    const inBlock = await signAndWait(api, fakeTx({
      statuses: ['Ready', 'InBlock'],
      dispatchError: { isModule: true, asModule: { index: 9, error: 3 } },
    }), {});
    assert.deepEqual(inBlock, { blockHash: '0xabc', events: [], error: 'margin.MarginTooLow' });
    // Callers match the pool's text (`Custom error: 12` is the oracle's WrongRound).
    await assert.rejects(
      signAndWait(api, fakeTx({ refusal: '1010: Invalid Transaction: Custom error: 12' }), {}),
      { message: '1010: Invalid Transaction: Custom error: 12' },
    );
    await assert.rejects(signAndWait(api, fakeTx({ statuses: ['Ready', 'Dropped'] }), {}), { message: 'transaction Dropped' });
    await assert.rejects(signAndWait(api, fakeTx({ statuses: ['Ready'] }), {}, { timeoutMs: 50 }), { message: 'timed out waiting for inclusion' });
  });
});

describe('NonceBook', () => {
  it('plans nonces locally, and reads the node again after a refusal (the keeper\'s stuck nonce)', async () => {
    let onChain = 10;
    const reads = [];
    const book = new NonceBook(async (address) => { reads.push(address); return onChain; });
    assert.equal(await book.take('k'), 10);
    assert.equal(await book.take('k'), 11);
    assert.equal(await book.take('k'), 12);
    assert.equal(reads.length, 1, 'one read for three nonces');
    // Nonce 12 was refused: without a resync the next would be 13, behind a gap, forever.
    onChain = 12;
    book.invalidate('k');
    assert.equal(await book.take('k'), 12);
    assert.equal(reads.length, 2);
  });

  it('reads the node again every resyncEvery blocks (a node restart or a lost transaction)', async () => {
    let onChain = 0;
    const book = new NonceBook(async () => onChain, { resyncEvery: 5 });
    assert.equal(await book.take('k'), 0);
    book.onBlock(100);
    assert.equal(await book.take('k'), 1);
    onChain = 7;
    book.onBlock(104);
    assert.equal(await book.take('k'), 2, 'not yet');
    book.onBlock(105);
    assert.equal(await book.take('k'), 7, 'read again after 5 blocks');
  });
});
