// @bulwark/client: what the bots, scripts, e2e suite and examples share to talk to bulwark-node
// (polkadot.js with no custom types).
export { connect } from './connection.mjs';
export { dispatchErrorName, poolErrorName, refusalNeedsResync } from './errors.mjs';
export { devKeyUri, loadKey, newKeyring, readSecretFile } from './keys.mjs';
export { NonceBook } from './nonces.mjs';
export { collectPages } from './pages.mjs';
export { submitAndWatch } from './submit.mjs';
export { BOT_OPTIONS, envName, helpText, parseOptions } from './options.mjs';
export { createLogger } from './log.mjs';
export { Metrics, serveBotMetrics, serveMetrics } from './metrics.mjs';
