// Error names a person can read: a dispatch error as `section.Name`, and a transaction pool's
// refusal (an RPC error such as `1010: Invalid Transaction: Custom error: 12`) as its cause.

/** A dispatch error (from `ExtrinsicFailed` or a status callback) as `section.Name`, or its text. */
export function dispatchErrorName(registry, dispatchError) {
  if (!dispatchError) return null;
  if (dispatchError.isModule) {
    const meta = registry.findMetaError(dispatchError.asModule);
    return `${meta.section}.${meta.name}`;
  }
  if (dispatchError.isToken) return `Token.${dispatchError.asToken.type}`;
  if (dispatchError.isArithmetic) return `Arithmetic.${dispatchError.asArithmetic.type}`;
  return dispatchError.type ?? dispatchError.toString();
}

/** The pool's JSON-RPC error codes (sc-rpc-api `author` errors). */
const POOL_CODES = {
  1010: 'Invalid',
  1011: 'Unknown',
  1012: 'Banned',
  1013: 'AlreadyImported',
  1014: 'PriorityTooLow',
  1015: 'CycleDetected',
  1016: 'PoolFull',
  1017: 'UnactionableExtrinsic',
};

/**
 * A pool refusal's cause from its RPC error `message`: `{ code, kind, reason, name }`. `kind` is
 * the pool's (`Invalid`, `PriorityTooLow`, `PoolFull`...), `reason` the invalidity (`Stale`,
 * `Future`, `Payment`, `Custom`...), and `name` what to log: for a custom invalidity raised by a
 * pallet's transaction extension (the oracle returns its module error's index), `section.Name`
 * when `customSection` says whose it is, found in `registry`'s metadata.
 */
export function poolErrorName(message, { registry = null, customSection = null } = {}) {
  const text = String(message ?? '');
  const code = Number((/^(\d{4}):/.exec(text) ?? [])[1]) || null;
  const kind = (code && POOL_CODES[code]) ?? 'Unknown';
  let reason = null;
  let name = kind;
  const custom = /Custom error: (\d+)/.exec(text);
  if (custom) {
    reason = 'Custom';
    const index = Number(custom[1]);
    name = `Custom(${index})`;
    if (registry && customSection) {
      const pallet = registry.metadata.pallets.find((p) => p.name.toString().toLowerCase() === customSection.toLowerCase());
      if (pallet) {
        try {
          const meta = registry.findMetaError({ index: pallet.index, error: index });
          name = `${meta.section}.${meta.name}`;
        } catch {
          // An index the metadata does not know: keep `Custom(N)`.
        }
      }
    }
  } else if (/outdated|Stale/i.test(text)) {
    reason = 'Stale';
    name = 'Stale';
  } else if (/Inability to pay some fees|Payment/i.test(text)) {
    reason = 'Payment';
    name = 'Payment';
  } else if (/Transaction will be valid in the future|Future/i.test(text)) {
    reason = 'Future';
    name = 'Future';
  } else if (/bad signature|BadProof/i.test(text)) {
    reason = 'BadProof';
    name = 'BadProof';
  } else if (/ExhaustsResources|exhausts the resources/i.test(text)) {
    reason = 'ExhaustsResources';
    name = 'ExhaustsResources';
  }
  return { code, kind, reason, name };
}

/** Whether a refusal means the nonce we used is wrong, so the account's next nonce must be read again. */
export function refusalNeedsResync(refusal) {
  return refusal.reason === 'Stale' || refusal.reason === 'Future' || refusal.kind === 'PriorityTooLow'
    || refusal.kind === 'AlreadyImported' || refusal.kind === 'Banned';
}
