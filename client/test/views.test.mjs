// The views' unit conversions and the liquidation feed's event selection, on plain values.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fromFixed, fromPerbill, riskEvents, toBusd } from '../src/views.mjs';

const codec = (v) => ({ toString: () => String(v), toNumber: () => Number(v) });
const event = (section, method, data) => ({ event: { section, method, data } });

describe('views', () => {
  it('converts bUSD units, 18-decimal fixed point and Perbill', () => {
    assert.equal(toBusd(codec(1_234_560_000n)), 1234.56);
    assert.equal(fromFixed(codec(100n * 10n ** 18n + 5n * 10n ** 17n)), 100.5);
    assert.equal(fromFixed(-(3n * 10n ** 17n)), -0.3);
    // Beyond 2^53 units the whole part keeps its digits.
    assert.equal(fromFixed(codec(123_456_789_012n * 10n ** 18n)), 123_456_789_012);
    assert.equal(fromPerbill(codec(250_000_000)), 0.25);
  });

  it('keeps liquidations, bad debt, insurance cover and deleveraging, in bUSD', () => {
    const who = codec('5Who');
    const out = riskEvents([
      event('margin', 'Liquidated', { who, keeper: codec('5Keeper'), closed: codec(10n ** 18n), penalty: codec(2_500_000), keeperReward: codec(500_000) }),
      event('balances', 'Transfer', {}),
      event('margin', 'BadDebt', { who, market: codec(0), shortfall: codec(3_000_000), covered: codec(2_000_000), absorbed: codec(1_000_000) }),
      event('insurance', 'Covered', { market: codec(0), shortfall: codec(3_000_000), fromMarket: codec(1_500_000), fromGlobal: codec(500_000) }),
      event('margin', 'Deleveraged', { who, market: codec(0), closed: codec(-(2n * 10n ** 18n)), realizedPnl: codec(-7_000_000) }),
    ], 42);
    assert.deepEqual(out.map((e) => e.kind), ['Liquidated', 'BadDebt', 'InsuranceCovered', 'Deleveraged']);
    assert.deepEqual(out[0], { block: 42, kind: 'Liquidated', who: '5Who', keeper: '5Keeper', closed: 100, penalty: 2.5, keeperReward: 0.5 });
    assert.equal(out[2].fromMarket + out[2].fromGlobal, 2);
    assert.equal(out[3].closed, -2);
    assert.equal(out[3].realizedPnl, -7);
  });
});
