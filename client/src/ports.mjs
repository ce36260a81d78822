// Loopback ports for throw-away nodes. A suite that picks fixed ports collides with a second suite,
// or with a `network.sh` chain, on the same machine; these are chosen free, from a range no
// default of ours uses (dev 9944, network 9961-9964 and their +1000/+2000) and below Linux's
// ephemeral ports (32768 and up), where outgoing connections take theirs.
import { createServer } from 'node:net';

const LOWEST = 20_000;
const HIGHEST = 29_999;

/** Whether `port` on 127.0.0.1 can be bound now. */
export function portFree(port) {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/**
 * A base port `b` such that `b + offset` is free for every one of `offsets` (a node's RPC at
 * `b`, its peer-to-peer port at `b + 1000`...), drawn at random from 20000-29999 so that two
 * suites started together rarely draw the same; a node that still finds its port taken is started
 * again on another (see `startDevNode`).
 */
export async function freeBasePort({ offsets = [0, 1000], attempts = 200, random = Math.random } = {}) {
  const span = Math.max(...offsets);
  for (let i = 0; i < attempts; i++) {
    const base = LOWEST + Math.floor(random() * (HIGHEST - span - LOWEST));
    let free = true;
    for (const offset of offsets) {
      if (!(await portFree(base + offset))) { free = false; break; }
    }
    if (free) return base;
  }
  throw new Error(`no free ports in ${LOWEST}-${HIGHEST} for offsets ${offsets.join(',')}`);
}
