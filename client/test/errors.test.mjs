// Pool refusals and dispatch errors as names a person can read.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { dispatchErrorName, poolErrorName, refusalNeedsResync } from '../src/errors.mjs';

describe('poolErrorName', () => {
  it('names the pool\'s refusals by code and reason', () => {
    const cases = [
      ['1010: Invalid Transaction: Transaction is outdated', 'Invalid', 'Stale', true],
      ['1010: Invalid Transaction: Inability to pay some fees (e.g. account balance too low)', 'Invalid', 'Payment', false],
      ['1010: Invalid Transaction: Transaction has a bad signature', 'Invalid', 'BadProof', false],
      ['1012: Transaction is temporarily banned', 'Banned', null, true],
      ['1013: Transaction Already Imported: Any { .. }', 'AlreadyImported', null, true],
      ['1014: Priority is too low: (4776 vs 4776)', 'PriorityTooLow', null, true],
      ["1016: Immediately Dropped: The transaction couldn't enter the pool because of the limit", 'PoolFull', null, false],
    ];
    for (const [message, kind, reason, resync] of cases) {
      const r = poolErrorName(message);
      assert.equal(r.kind, kind, message);
      assert.equal(r.reason, reason, message);
      assert.equal(refusalNeedsResync(r), resync, message);
    }
  });

  it('decodes a custom invalidity through the metadata when it knows the pallet, else keeps the number', () => {
    const registry = {
      metadata: { pallets: [{ name: { toString: () => 'Oracle' }, index: 7 }] },
      findMetaError: ({ index, error }) => {
        if (index === 7 && error === 13) return { section: 'oracle', name: 'AlreadySubmitted' };
        throw new Error('unknown');
      },
    };
    assert.equal(poolErrorName('1010: Invalid Transaction: Custom error: 13', { registry, customSection: 'oracle' }).name, 'oracle.AlreadySubmitted');
    assert.equal(poolErrorName('1010: Invalid Transaction: Custom error: 99', { registry, customSection: 'oracle' }).name, 'Custom(99)');
    assert.equal(poolErrorName('1010: Invalid Transaction: Custom error: 13').name, 'Custom(13)');
    assert.equal(poolErrorName('socket hang up').kind, 'Unknown');
  });
});

describe('dispatchErrorName', () => {
  it('module errors as section.Name, token and arithmetic errors by kind, none as null', () => {
    const registry = { findMetaError: () => ({ section: 'vaults', name: 'StakeTooSmall' }) };
    assert.equal(dispatchErrorName(registry, { isModule: true, asModule: {} }), 'vaults.StakeTooSmall');
    assert.equal(dispatchErrorName(registry, { isModule: false, isToken: true, asToken: { type: 'FundsUnavailable' } }), 'Token.FundsUnavailable');
    assert.equal(dispatchErrorName(registry, { isModule: false, isToken: false, isArithmetic: true, asArithmetic: { type: 'Overflow' } }), 'Arithmetic.Overflow');
    assert.equal(dispatchErrorName(registry, { isModule: false, isToken: false, isArithmetic: false, type: 'BadOrigin' }), 'BadOrigin');
    assert.equal(dispatchErrorName(registry, null), null);
  });
});
