// Free loopback ports for throw-away nodes: a bound port is seen as taken, and a base port is
// only handed out when every offset from it is free.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { freeBasePort, portFree } from '../src/ports.mjs';

const listen = (port) => new Promise((resolve, reject) => {
  const server = createServer();
  server.once('error', reject);
  server.listen({ port, host: '127.0.0.1' }, () => resolve(server));
});

describe('ports', () => {
  it('a port in use is not free; once closed it is', async () => {
    const base = await freeBasePort({ offsets: [0] });
    assert.ok(base >= 20_000 && base < 30_000, `base ${base}`);
    const server = await listen(base);
    assert.equal(await portFree(base), false);
    await new Promise((resolve) => { server.close(resolve); });
    assert.equal(await portFree(base), true);
  });

  it('hands out bases whose every offset is free, and none while the range is taken', async () => {
    for (let i = 0; i < 20; i++) {
      const base = await freeBasePort({ offsets: [0, 1000, 2000] });
      for (const offset of [0, 1000, 2000]) assert.equal(await portFree(base + offset), true);
    }
    // A draw whose p2p port (base + 1000) is taken is passed over for the next draw.
    const draws = [0.5, 0.25];
    const drawnBase = (x) => 20_000 + Math.floor(x * (29_999 - 1000 - 20_000));
    const server = await listen(drawnBase(0.5) + 1000);
    const base = await freeBasePort({ offsets: [0, 1000], random: () => draws.shift() });
    assert.equal(base, drawnBase(0.25));
    await new Promise((resolve) => { server.close(resolve); });
  });
});
