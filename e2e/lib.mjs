// The end-to-end suite's helpers: everything comes from the shared client (@bulwark/client, in
// client/); the suite's own choices are where nodes log (e2e/.chain/) and that a node which is
// not up at the start fails the test at once.
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect as clientConnect, startBot as clientStartBot, startDevNode as clientStartDevNode } from '@bulwark/client';

export * from '@bulwark/client';

/** Where the suite's nodes write their logs (made here: a fresh clone has none). */
export const CHAIN_DIR = join(dirname(fileURLToPath(import.meta.url)), '.chain');
mkdirSync(CHAIN_DIR, { recursive: true });

/** Connects @polkadot/api with no custom types; rejects if the node does not answer. */
export function connect(url) {
  return clientConnect(url, { throwOnConnect: true });
}

/** `startDevNode` of the client, logging to e2e/.chain/NAME.log, on free ports unless `port` is given. */
export function startDevNode(options = {}) {
  return clientStartDevNode({ logDir: CHAIN_DIR, ...options });
}

/** `startBot` of the client (bots/NAME.mjs), logging to e2e/.chain/LOGNAME.log. */
export function startBot(name, args, logName) {
  return clientStartBot(name, args, logName, { logDir: CHAIN_DIR });
}
