// The part of @bulwark/client a browser can load (no node: modules): connecting, decoded errors,
// paging and the chain views. The dashboard imports `@bulwark/client/browser`.
export { connect } from './connection.mjs';
export { dispatchErrorName, poolErrorName } from './errors.mjs';
export { collectPages } from './pages.mjs';
export {
  accountHealth, councilMotions, describeCall, describeParams, fromFixed, paramText, fromPerbill, listMarkets, marketRow, riskEvents, riskParams, securityRow,
  optionSeries, stressTest, toBusd, vaultRow,
} from './views.mjs';
