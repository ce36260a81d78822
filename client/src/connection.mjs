// Connecting to a node: the provider reconnects by itself after a node restart (every
// `retryMs`), and resubscriptions are the caller's (see the keeper).
import { ApiPromise, WsProvider } from '@polkadot/api';
import { cryptoWaitReady } from '@polkadot/util-crypto';

/**
 * An API on `url` (no custom types); retries every `retryMs` while the node is away. With
 * `throwOnConnect` (tests), a node not answering at the start is an error instead of a wait.
 */
export async function connect(url, { retryMs = 2_500, timeoutMs = 60_000, throwOnConnect = false } = {}) {
  await cryptoWaitReady();
  const provider = new WsProvider(url, retryMs, {}, timeoutMs);
  return ApiPromise.create({ provider, noInitWarn: true, throwOnConnect });
}
