// Price sources of the oracle feeder bot (issue 14): pure, deterministic given their inputs, so
// the feeder's behaviour can be tested without a chain. Each source is an object with
// `next(round)` returning the price (a positive number of bUSD per unit) to submit for a round.
import { readFileSync } from 'node:fs';

/** A seeded pseudo-random generator (mulberry32): returns floats in [0, 1). */
export function seededRandom(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal draw from `random` (Box-Muller). */
export function normal(random) {
  const u = 1 - random(); // (0, 1]: log is finite
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Always `price`. */
export function constantSource(price) {
  if (!(price > 0)) throw new Error(`a constant price must be positive, got ${price}`);
  return { next: () => price };
}

/**
 * Geometric Brownian motion from `start`: each round the price is multiplied by
 * `exp((drift - volatility^2 / 2) dt + volatility sqrt(dt) Z)`, `dt = 1 / roundsPerYear`, and
 * with probability `jumpProbability` by `1 + J` (J uniform in [-jumpSize, jumpSize]). The same
 * seed gives the same path.
 */
export function gbmSource({ start, drift = 0, volatility = 0.8, roundsPerYear = 5_256_000, seed = 1, jumpProbability = 0, jumpSize = 0 }) {
  if (!(start > 0)) throw new Error(`the start price must be positive, got ${start}`);
  const random = seededRandom(seed);
  const dt = 1 / roundsPerYear;
  let price = start;
  let first = true;
  return {
    next: () => {
      if (first) {
        first = false;
        return price;
      }
      price *= Math.exp((drift - (volatility * volatility) / 2) * dt + volatility * Math.sqrt(dt) * normal(random));
      if (jumpProbability > 0 && random() < jumpProbability) price *= 1 + (2 * random() - 1) * jumpSize;
      return price;
    },
  };
}

/**
 * `inner` until `after` calls, then a straight-line fall of `percent` over `rounds` calls from the
 * price reached, held at the bottom afterwards (the crash drill's 35% over ten rounds). With
 * `armed: false` the fall waits for `arm()` instead (the feeder arms it on SIGUSR2): it starts at
 * the first call after that.
 */
export function dropSource(inner, { percent, rounds, after = 0, armed = true }) {
  if (!(percent > 0 && percent < 100) || !(rounds > 0)) throw new Error('a drop needs 0 < percent < 100 and rounds > 0');
  let calls = 0;
  let start = armed ? after : Infinity;
  let from = null;
  return {
    next: (round) => {
      calls += 1;
      if (calls <= start) return inner.next(round);
      if (from === null) from = inner.next(round);
      const step = Math.min(calls - start, rounds);
      return from * (1 - (percent / 100) * (step / rounds));
    },
    /** Starts the fall at the next call (once; later calls change nothing). */
    arm: () => {
      if (start === Infinity) start = calls;
    },
    get falling() { return start !== Infinity && calls > start; },
  };
}

/**
 * Replays `timestamp,market,price` rows (a header row is skipped) of `market` in timestamp order,
 * one per call; the last price repeats once the file is spent.
 */
export function csvSource(text, market) {
  const rows = [];
  for (const [index, line] of text.split(/\r?\n/).entries()) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const [timestamp, id, price] = trimmed.split(',').map((cell) => cell.trim());
    if (index === 0 && Number.isNaN(Number(timestamp))) continue; // header
    const row = { timestamp: Number(timestamp), market: Number(id), price: Number(price) };
    if (![row.timestamp, row.market, row.price].every(Number.isFinite) || !(row.price > 0)) {
      throw new Error(`line ${index + 1}: expected timestamp,market,price with a positive price: ${line}`);
    }
    if (row.market === market) rows.push(row);
  }
  if (rows.length === 0) throw new Error(`no prices for market ${market}`);
  rows.sort((a, b) => a.timestamp - b.timestamp);
  let at = 0;
  return {
    next: () => {
      const row = rows[Math.min(at, rows.length - 1)];
      at += 1;
      return row.price;
    },
  };
}

/**
 * The price of `market` in the JSON file at `path` (`{"0": 100.5, "1": 2000}`), read again at every
 * call: an operator's own fetcher (or a test) writes the file, the feeder signs and submits. A
 * missing, unreadable or non-positive price throws, and that round is not submitted.
 */
export function fileSource(path, market, read = (file) => readFileSync(file, 'utf8')) {
  return {
    next: () => {
      const price = Number(JSON.parse(read(path))[String(market)]);
      if (!(price > 0) || !Number.isFinite(price)) throw new Error(`${path} has no positive price for market ${market}`);
      return price;
    },
  };
}

/** A price as the chain's FixedU128 (18 decimals), rounded to 6 decimals first. */
export function toFixed18(price) {
  if (!(price > 0) || !Number.isFinite(price)) throw new Error(`not a positive price: ${price}`);
  return BigInt(Math.round(price * 1e6)) * 10n ** 12n;
}

/** Remembers the last round submitted, so that a feeder never submits a round twice. */
export function roundGuard() {
  let last = -1;
  return {
    /** Whether `round` is after every round submitted so far; if so, it counts as submitted. */
    claim(round) {
      if (round <= last) return false;
      last = round;
      return true;
    },
    get last() { return last; },
  };
}
