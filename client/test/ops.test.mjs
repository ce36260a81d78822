// A bot's configuration, logs and metrics endpoint.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { helpText, parseOptions } from '../src/options.mjs';
import { createLogger } from '../src/log.mjs';
import { Metrics, serveMetrics } from '../src/metrics.mjs';

const SPEC = {
  url: { help: 'node RPC', default: 'ws://127.0.0.1:9944' },
  market: { help: 'markets', type: 'list', default: '0' },
  limit: { help: 'page size', type: 'number', default: 500 },
  'dry-run': { help: 'plan only', type: 'boolean', default: false },
  seed: { help: 'a secret URI', secret: true },
};

describe('parseOptions', () => {
  it('defaults < config file < environment < command line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bulwark-options-'));
    const config = join(dir, 'keeper.json');
    writeFileSync(config, JSON.stringify({ url: 'ws://file', limit: 10, market: [1] }));
    assert.deepEqual(parseOptions(SPEC, [], { env: {} }), { url: 'ws://127.0.0.1:9944', market: ['0'], limit: 500, 'dry-run': false, seed: null });
    const o = parseOptions(SPEC, ['--config', config, '--limit=20', '--market', '0,1', '--dry-run'], { env: { BULWARK_URL: 'ws://env', BULWARK_LIMIT: '15' } });
    assert.equal(o.url, 'ws://env');
    assert.equal(o.limit, 20);
    assert.deepEqual(o.market, ['0', '1']);
    assert.equal(o['dry-run'], true);
    assert.equal(parseOptions(SPEC, [], { env: { BULWARK_SEED: '//Dave' } }).seed, '//Dave');
  });

  it('refuses unknown options, secrets on the command line, and bad values', () => {
    assert.throws(() => parseOptions(SPEC, ['--limt', '3'], { env: {} }), /unknown option --limt/);
    assert.throws(() => parseOptions(SPEC, ['--seed', '//Alice'], { env: {} }), /secret/);
    assert.throws(() => parseOptions(SPEC, ['--limit', 'many'], { env: {} }), /not a number/);
    assert.throws(() => parseOptions(SPEC, ['stray'], { env: {} }), /unexpected argument/);
    const dir = mkdtempSync(join(tmpdir(), 'bulwark-options-'));
    writeFileSync(join(dir, 'c.json'), JSON.stringify({ limt: 3 }));
    assert.throws(() => parseOptions(SPEC, ['--config', join(dir, 'c.json')], { env: {} }), /unknown option "limt"/);
  });

  it('--help lists every option with its environment variable', () => {
    assert.deepEqual(parseOptions(SPEC, ['--help'], { env: {} }), { help: true });
    const text = helpText('usage: keeper', SPEC);
    for (const name of Object.keys(SPEC)) assert.match(text, new RegExp(`--${name}`));
    assert.match(text, /BULWARK_SEED only/);
  });
});

describe('createLogger', () => {
  it('writes dated lines with a level, as text or JSON, from the least level up', () => {
    const lines = [];
    const now = () => new Date('2026-12-07T01:02:03Z');
    const text = createLogger('keeper', { write: (l) => lines.push(l), now, level: 'info' });
    text.debug('hidden');
    text.warn('refused', { target: '5Grw', error: 'PriorityTooLow' });
    assert.deepEqual(lines, ['2026-12-07T01:02:03.000Z WARN  [keeper] refused target=5Grw error=PriorityTooLow']);
    const json = createLogger('feeder', { format: 'json', write: (l) => lines.push(l), now });
    json.info('submitted', { round: 7 });
    assert.deepEqual(JSON.parse(lines[1]), { time: '2026-12-07T01:02:03.000Z', level: 'info', bot: 'feeder', message: 'submitted', round: 7 });
    assert.throws(() => createLogger('x', { level: 'loud' }), /unknown log level/);
  });
});

describe('metrics', () => {
  it('serves /metrics in the Prometheus format and /health', async () => {
    const m = new Metrics('bulwark_keeper').define('liquidations_total', 'counter', 'liquidations that landed').define('last_block', 'gauge', 'last block seen');
    m.inc('liquidations_total', 3);
    m.set('last_block', 42);
    let healthy = true;
    const server = await serveMetrics(m, { port: 0, health: () => ({ ok: healthy, lastBlock: 42 }) });
    try {
      const base = `http://127.0.0.1:${server.address().port}`;
      const text = await (await fetch(`${base}/metrics`)).text();
      assert.match(text, /^# TYPE bulwark_keeper_liquidations_total counter$/m);
      assert.match(text, /^bulwark_keeper_liquidations_total 3$/m);
      assert.match(text, /^bulwark_keeper_last_block 42$/m);
      assert.equal((await fetch(`${base}/health`)).status, 200);
      healthy = false;
      assert.equal((await fetch(`${base}/health`)).status, 503);
    } finally {
      server.close();
    }
  });
});
