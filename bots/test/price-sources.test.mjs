// Unit tests of the feeder's price sources: reference values worked by hand, determinism of the
// seeded paths, and the guard against submitting a round twice.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  constantSource, csvSource, dropSource, fileSource, gbmSource, roundGuard, seededRandom, toFixed18,
} from '../lib/price-sources.mjs';

const take = (source, n) => Array.from({ length: n }, (_, round) => source.next(round));

describe('price sources', () => {
  it('a file source reads its market\'s price again every round, and refuses a missing one', () => {
    let text = '{"0": 100, "1": 2000.5}';
    const btc = fileSource('prices.json', 0, () => text);
    const eth = fileSource('prices.json', 1, () => text);
    assert.deepEqual([btc.next(), eth.next()], [100, 2000.5]);
    text = '{"0": 93.25}';
    assert.equal(btc.next(), 93.25);
    assert.throws(() => eth.next(), /no positive price for market 1/);
    text = '{"0": -1}';
    assert.throws(() => btc.next(), /no positive price for market 0/);
    text = 'not json';
    assert.throws(() => btc.next(), SyntaxError);
  });

  it('a constant source repeats its price and refuses a non-positive one', () => {
    assert.deepEqual(take(constantSource(100), 3), [100, 100, 100]);
    assert.throws(() => constantSource(0));
  });

  it('a seeded path is the same for the same seed and differs for another', () => {
    const a = take(gbmSource({ start: 100, seed: 7 }), 50);
    const b = take(gbmSource({ start: 100, seed: 7 }), 50);
    const c = take(gbmSource({ start: 100, seed: 8 }), 50);
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
    assert.equal(a[0], 100, 'the first round submits the start price');
    assert.ok(a.every((p) => p > 0));
    // Uniform draws stay in [0, 1).
    const random = seededRandom(3);
    const draws = Array.from({ length: 1_000 }, random);
    assert.ok(draws.every((u) => u >= 0 && u < 1));
  });

  it('without volatility the path is the drift: 100 x e^(0.5 x 1/2) after half a year', () => {
    const source = gbmSource({ start: 100, drift: 0.5, volatility: 0, roundsPerYear: 2 });
    const [start, half] = take(source, 2);
    assert.equal(start, 100);
    assert.ok(Math.abs(half - 100 * Math.exp(0.25)) < 1e-9, `${half}`);
  });

  it('jumps of a fixed size move the price by at most that share', () => {
    const source = gbmSource({ start: 100, volatility: 0, jumpProbability: 1, jumpSize: 0.1, seed: 2 });
    const prices = take(source, 20);
    for (let i = 1; i < prices.length; i++) {
      const move = Math.abs(prices[i] / prices[i - 1] - 1);
      assert.ok(move <= 0.1 + 1e-12, `move ${move}`);
    }
    assert.ok(prices.some((p, i) => i > 0 && p !== prices[i - 1]), 'it jumped');
  });

  it('a drop falls 35% in a straight line over ten rounds, then holds', () => {
    const source = dropSource(constantSource(100), { percent: 35, rounds: 10, after: 2 });
    const prices = take(source, 14);
    assert.deepEqual(prices.slice(0, 2), [100, 100]);
    assert.ok(Math.abs(prices[2] - 96.5) < 1e-9, `${prices[2]}`);
    assert.ok(Math.abs(prices[11] - 65) < 1e-9, `${prices[11]}`);
    assert.ok(Math.abs(prices[13] - 65) < 1e-9);
  });

  it('an unarmed drop holds until armed, then falls from the next call', () => {
    const source = dropSource(constantSource(100), { percent: 35, rounds: 10, armed: false });
    assert.deepEqual(take(source, 5), [100, 100, 100, 100, 100]);
    assert.equal(source.falling, false);
    source.arm();
    const fall = take(source, 12);
    assert.ok(Math.abs(fall[0] - 96.5) < 1e-9, `${fall[0]}`);
    assert.equal(source.falling, true);
    assert.ok(Math.abs(fall[9] - 65) < 1e-9, `${fall[9]}`);
    assert.ok(Math.abs(fall[11] - 65) < 1e-9);
    // Arming again does not restart the fall.
    source.arm();
    assert.ok(Math.abs(source.next(99) - 65) < 1e-9);
  });

  it('a CSV replays one market in timestamp order and repeats its last price', () => {
    const text = 'timestamp,market,price\n3,0,102\n1,0,100\n2,1,2000\n2,0,101\n';
    assert.deepEqual(take(csvSource(text, 0), 5), [100, 101, 102, 102, 102]);
    assert.deepEqual(take(csvSource(text, 1), 2), [2000, 2000]);
    assert.throws(() => csvSource(text, 5), /no prices/);
    assert.throws(() => csvSource('1,0,-3\n', 0), /positive price/);
  });

  it('prices become 18-decimal fixed point, rounded to 6 decimals', () => {
    assert.equal(toFixed18(100), 100n * 10n ** 18n);
    assert.equal(toFixed18(0.1234567), 123_457n * 10n ** 12n);
    assert.throws(() => toFixed18(0));
  });

  it('the round guard never lets a round through twice', () => {
    const guard = roundGuard();
    assert.equal(guard.claim(5), true);
    assert.equal(guard.claim(5), false);
    assert.equal(guard.claim(4), false);
    assert.equal(guard.claim(6), true);
    assert.equal(guard.last, 6);
  });
});
