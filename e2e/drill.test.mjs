// The crash drill of scripts/drill.sh with fewer traders (issue 14): feeder and keeper bots on a
// throw-away dev chain, BTC-USD falls 35% over ten rounds; the drill's own checks (nobody with a
// usable price below maintenance, every long liquidated, bUSD conserved, every bad debt covered
// or absorbed with its events) must pass. With the emergency brake (issue 24, item 4): the
// council pauses order placement before the fall, liquidations go on, and lifting the pause
// restores trading.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runDrill } from '../scripts/drill.mjs';

describe('crash drill', () => {
  it('feeders, a keeper and 40 traders through a 35% fall, order placement paused by the council', { timeout: 600_000 }, async () => {
    const result = await runDrill({ traders: 40, brake: true, log: (line) => console.log(`[drill] ${line}`) });
    assert.equal(result.brake.refused, 'system.CallFiltered', 'a new order is refused while paused');
    assert.equal(result.brake.filledAfterLift, true, 'an order fills after the lift');
    assert.ok(result.longs === 30 && result.liquidations >= 30, `${result.liquidations} liquidations`);
    assert.ok(result.rows.some((r) => r.liquidations > 0));
    assert.ok(result.checks.length >= 7);
  });
});
