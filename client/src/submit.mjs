// Submit a transaction and follow it to its final status, never leaving a caller waiting on a
// transaction the pool refused, dropped or replaced.
import { dispatchErrorName, poolErrorName, refusalNeedsResync } from './errors.mjs';

/**
 * Signs `tx` with `signer` (at `nonce`, or the node's next one; immortal unless `era` is given;
 * with `signer` null, `tx` is already signed) and follows it until it is in a block (`until: 'inBlock'`, the default) or finalized
 * (`until: 'finalized'`), or ends otherwise. Resolves, never rejects, with
 * `{ ok, status, error, events, blockHash, refusal }`:
 * - `status`: `InBlock` / `Finalized` (then `ok` unless the call failed, `error` its
 *   `section.Name`), `Refused` (the pool's RPC error: `refusal` from `poolErrorName`, with its `message`), `Invalid`,
 *   `Dropped`, `Usurped`, `FinalityTimeout` or `Timeout` (nothing final within `timeoutMs`);
 * - `resync`: whether the signer's nonce must be read again (refused for its nonce, dropped,
 *   usurped or invalid).
 * `customSection` names the pallet whose transaction extension raises custom invalidities for
 * this call (the oracle's `submit`), to decode them.
 */
export async function submitAndWatch(api, tx, signer, { nonce = -1, era = 0, until = 'inBlock', timeoutMs = 60_000, customSection = null } = {}) {
  // `signer` null: `tx` is signed already (a caller that must submit in nonce order signs first).
  const signed = signer === null ? tx : await tx.signAsync(signer, { nonce, era });
  return new Promise((resolve) => {
    let unsubscribe = null;
    let finished = false;
    const finish = (result) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      if (unsubscribe) unsubscribe();
      resolve({ ok: false, error: null, events: [], blockHash: null, refusal: null, resync: false, ...result });
    };
    const timer = setTimeout(() => finish({ status: 'Timeout', resync: true }), timeoutMs);
    signed.send((result) => {
      const { status, events = [], dispatchError } = result;
      const settled = (status.isInBlock && until === 'inBlock') || status.isFinalized;
      if (settled) {
        const error = dispatchErrorName(api.registry, dispatchError);
        finish({
          ok: !error,
          status: status.isFinalized ? 'Finalized' : 'InBlock',
          error,
          events: events.map(({ event }) => event),
          blockHash: (status.isFinalized ? status.asFinalized : status.asInBlock).toHex(),
        });
      } else if (status.isInvalid || status.isDropped || status.isUsurped) {
        finish({ status: status.type, resync: true });
      } else if (status.isFinalityTimeout) {
        finish({ status: 'FinalityTimeout' });
      }
    }).then((u) => {
      unsubscribe = u;
      if (finished) u();
    }, (e) => {
      const refusal = { ...poolErrorName(e.message, { registry: api.registry, customSection }), message: String(e.message ?? e) };
      finish({ status: 'Refused', error: refusal.name, refusal, resync: refusalNeedsResync(refusal) });
    });
  });
}
