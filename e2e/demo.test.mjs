// A newcomer's first trade (issue 26): `./scripts/demo.sh` from a fresh chain to an open
// position, each step printed, the account's health read from `marginApi.account`, in under 3
// minutes. Here on the 1-second chain and with --exit; the README's figure is the 3 s dev chain's.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freeBasePort } from './lib.mjs';

const demo = fileURLToPath(new URL('../scripts/demo.sh', import.meta.url));

describe('scripts/demo.sh', { timeout: 300_000 }, () => {
  it('ends with an open position and its health, in under 3 minutes', async () => {
    const port = await freeBasePort({ offsets: [0, 1000] });
    const started = Date.now();
    const child = spawn(demo, ['--chain', 'fast', '--port', String(port), '--exit'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => { output += d; });
    child.stderr.on('data', (d) => { output += d; });
    const code = await new Promise((resolve) => { child.on('exit', resolve); });
    const seconds = (Date.now() - started) / 1000;
    console.log(output.trimEnd().split('\n').map((l) => `# ${l}`).join('\n'));
    assert.equal(code, 0, output);
    for (const n of [1, 2, 3, 4, 5, 6]) assert.match(output, new RegExp(`\\] ${n}/6 `), `step ${n} printed`);
    assert.match(output, /6\/6 position open: 50 BTC-USD at [\d.]+, liquidation price [\d.]+/);
    assert.match(output, /account health \(marginApi.account\): collateral 99\d\.\d\d bUSD, equity [\d.]+ bUSD, maintenance margin [\d.]+ bUSD, margin ratio [\d.]+, liquidatable false/);
    assert.match(output, /restricted: false/);
    assert.ok(seconds < 180, `the demo took ${seconds} s`);
  });
});
