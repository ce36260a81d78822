// How long blocks take on a network of validators (issue 25, "blocks that fit their slot"):
// - authoring: each validator's log line `Prepared block for proposing at N (X ms)`, the time its
//   proposer took to build block N;
// - import: each validator's Prometheus `substrate_block_verification_and_import_time` histogram,
//   scraped at each new best head the node announces: the growth of its sum is the import of
//   that block (an author does not import its own block through the queue, so each block is
//   counted once on each of the others);
// - arrival: the wall-clock time each validator announced N as its best head;
// - finality: the wall-clock time a finalized head at or above N was first announced.
// All times are this machine's clock, compared with the block's `timestamp.now` (its slot's start).
import { readFileSync } from 'node:fs';

/** The value of the Prometheus sample `name` (first labels matching `labels`), or null. */
export function metricValue(text, name, labels = '') {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== ' ' && rest[0] !== '{') continue;
    if (labels && !rest.includes(labels)) continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (Number.isFinite(value)) return value;
  }
  return null;
}

/**
 * Follows each of `validators` (`[{ name, url, prometheusPort }]`): on each new best head it
 * announces over RPC, the time it arrived, and a scrape of its Prometheus histogram, whose growth
 * since the previous scrape is the import of the heights since the previous head (the node's
 * metrics gauge of the best height is refreshed only every few seconds, so the head comes from
 * the RPC). `connect(url)` opens an API. Returns `{ stop(), imports: Map<name, Map<height, ms>>,
 * arrivals: Map<name, Map<height, epoch ms>> }`.
 */
export async function startImportSampler(validators, connect) {
  const imports = new Map(validators.map((v) => [v.name, new Map()]));
  const arrivals = new Map(validators.map((v) => [v.name, new Map()]));
  const follows = await Promise.all(validators.map(async (v) => {
    const api = await connect(v.url);
    const scrape = async () => {
      const text = await (await fetch(`http://127.0.0.1:${v.prometheusPort}/metrics`)).text();
      return {
        count: metricValue(text, 'substrate_block_verification_and_import_time_count'),
        sum: metricValue(text, 'substrate_block_verification_and_import_time_sum'),
      };
    };
    let last = await scrape();
    let lastHeight = (await api.rpc.chain.getHeader()).number.toNumber();
    // One scrape at a time, in the order the heads came.
    let chain = Promise.resolve();
    const unsub = await api.rpc.chain.subscribeNewHeads((header) => {
      const height = header.number.toNumber();
      const now = Date.now();
      if (!arrivals.get(v.name).has(height)) arrivals.get(v.name).set(height, now);
      chain = chain.then(async () => {
        const current = await scrape();
        const imported = current.count - last.count;
        if (imported > 0 && height > lastHeight) {
          const mean = ((current.sum - last.sum) * 1000) / imported;
          for (let h = Math.max(lastHeight + 1, height - imported + 1); h <= height; h++) imports.get(v.name).set(h, mean);
        }
        last = current;
        lastHeight = Math.max(lastHeight, height);
      }).catch(() => {});
    });
    return { api, unsub, done: () => chain };
  }));
  return {
    imports,
    arrivals,
    async stop() {
      for (const f of follows) {
        f.unsub();
        await f.done();
        await f.api.disconnect().catch(() => {});
      }
    },
  };
}

/** Subscribes to `api`'s finalized heads: `{ finalizedAt(n), stop() }` (epoch ms, or undefined). */
export async function startFinalityWatch(api) {
  const seen = [];
  const unsub = await api.rpc.chain.subscribeFinalizedHeads((h) => seen.push([h.number.toNumber(), Date.now()]));
  return {
    finalizedAt: (n) => seen.find(([number]) => number >= n)?.[1],
    stop: () => unsub(),
  };
}

/**
 * The authoring time of each block from the validators' logs: `Map<height, { author, ms }>` (a
 * height built twice, in a fork, keeps the later line of the log read last).
 */
export function authoringTimes(validators) {
  const built = new Map();
  for (const v of validators) {
    const text = readFileSync(v.logPath, 'utf8');
    for (const m of text.matchAll(/Prepared block for proposing at (\d+) \((\d+) ms\)/g)) {
      built.set(Number(m[1]), { author: v.name, ms: Number(m[2]) });
    }
  }
  return built;
}

/**
 * One row per block of `heights`: its slot start (`timestamps`: height -> epoch ms), its author
 * and authoring time, the others' imports (slowest and mean), when the last validator had it, and
 * when it was finalized, both from its slot's start.
 */
export function timingRows(heights, { timestamps, built, sampler, finality, names }) {
  return heights.map((h) => {
    const slotStart = timestamps.get(h);
    const authoring = built.get(h);
    const others = names.filter((n) => n !== authoring?.author);
    const importMs = others.map((n) => sampler.imports.get(n).get(h)).filter((x) => x !== undefined);
    const arrived = names.map((n) => sampler.arrivals.get(n).get(h));
    const finalizedAt = finality.finalizedAt(h);
    return {
      block: h,
      author: authoring?.author ?? '?',
      authoringMs: authoring?.ms ?? null,
      importMaxMs: importMs.length ? Math.round(Math.max(...importMs)) : null,
      importMeanMs: importMs.length ? Math.round(importMs.reduce((a, b) => a + b, 0) / importMs.length) : null,
      allHaveItS: arrived.every((t) => t !== undefined) && slotStart ? (Math.max(...arrived) - slotStart) / 1000 : null,
      finalizedS: finalizedAt && slotStart ? (finalizedAt - slotStart) / 1000 : null,
    };
  });
}
