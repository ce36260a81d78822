#!/usr/bin/env node
// A risk council motion: every risk parameter changes only by a vote of the council (on the dev
// chain Alice, Bob, Charlie, Dave and Eve; four ayes pass a motion). This one sets a market's
// skew scale (how far fills move with the market's skew); any `setMarketParams` field works alike.
//
//   node examples/council-motion.mjs [--url ws://127.0.0.1:9944] [--market 0] [--skew-scale 2000000]
// It signs with the dev chain's council keys: on a real chain each member signs their own vote.
import { pathToFileURL } from 'node:url';
import { FIXED, connect, councilMotion, devAccounts, helpText, parseOptions } from '@bulwark/client';

/** Passes `margin.setMarketParams(market, { ...current, skewScale })` through the council. */
export async function setSkewScale(api, council, market, skewScale) {
  const current = (await api.call.marginApi.market(market)).unwrap().params.toJSON();
  const call = api.tx.margin.setMarketParams(market, { ...current, skewScale: BigInt(skewScale) * FIXED });
  const { result, index } = await councilMotion(api, call, council);
  if (!result.isOk) throw new Error(`the motion passed but the call failed: ${result.toString()}`);
  const after = (await api.call.marginApi.market(market)).unwrap().params;
  return { motion: index, skewScale: after.skewScale.toString() };
}

const OPTIONS = {
  url: { help: 'node RPC', default: 'ws://127.0.0.1:9944' },
  market: { help: 'market id', type: 'number', default: 0 },
  'skew-scale': { help: 'the new skew scale, in contracts', type: 'number', default: 2_000_000 },
};

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const opts = parseOptions(OPTIONS, process.argv.slice(2));
  if (opts.help) {
    console.log(helpText('usage: node examples/council-motion.mjs [options]', OPTIONS));
  } else {
    const api = await connect(opts.url, { throwOnConnect: true });
    const acc = devAccounts();
    console.log(await setSkewScale(api, [acc.alice, acc.bob, acc.charlie, acc.dave], opts.market, opts['skew-scale']));
    await api.disconnect();
  }
}
