// @bulwark/client: what the bots, scripts, e2e suite and examples share to talk to bulwark-node
// (polkadot.js with no custom types).
export { cryptoWaitReady } from '@polkadot/util-crypto';
export { connect } from './connection.mjs';
export { dispatchErrorName, poolErrorName, refusalNeedsResync } from './errors.mjs';
export { devKeyUri, loadKey, newKeyring, readSecretFile } from './keys.mjs';
export { NonceBook } from './nonces.mjs';
export { collectPages } from './pages.mjs';
export { submitAndWatch } from './submit.mjs';
export { BOT_OPTIONS, cliOption, envName, helpText, parseOptions } from './options.mjs';
export { createLogger } from './log.mjs';
export { Metrics, serveBotMetrics, serveMetrics } from './metrics.mjs';
export {
  COUNCIL_AYES, councilMotion, devAccounts, findEvent, floodAccounts, fundAll, nonceBook, signAndWait, submitAll,
  untilEachBlock, waitBest, waitFinalized,
} from './chain.mjs';
export { FIXED, feederRounds, registerOperators, startFeeder, submitRound } from './oracle.mjs';
export { orderOutcome, placeAndFill, placeOrder } from './margin.mjs';
export { nextExpiry, optionOrderOutcome, placeOptionOrder } from './series.mjs';
export { nodeBinary, rpcAnswers, startBot, startDevNode, tail } from './node.mjs';
export { freeBasePort, portFree } from './ports.mjs';
export {
  accountHealth, councilMotions, describeCall, describeParams, fromFixed, paramText, fromPerbill, listMarkets, marketRow, riskEvents, riskParams, securityRow,
  optionSeries, stressTest, toBusd, vaultRow,
} from './views.mjs';
