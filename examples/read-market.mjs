#!/usr/bin/env node
// Read a market: its oracle price and status, the margin engine's open interest, margin fractions
// and capacity, and its vault. Only runtime API calls, no signing.
//
//   node examples/read-market.mjs [--url ws://127.0.0.1:9944] [--market 0]
import { pathToFileURL } from 'node:url';
import {
  connect, helpText, listMarkets, marketRow, parseOptions, vaultRow,
} from '@bulwark/client';

/** The market's state as plain numbers (bUSD, prices, percent): its oracle, margin and vault rows. */
export async function readMarket(api, market) {
  const entry = (await listMarkets(api)).find((m) => m.id === market);
  if (!entry) throw new Error(`no market ${market}`);
  const [row, vault] = await Promise.all([marketRow(api, entry), vaultRow(api, entry)]);
  return { ...row, vault };
}

const OPTIONS = {
  url: { help: 'node RPC', default: 'ws://127.0.0.1:9944' },
  market: { help: 'market id', type: 'number', default: 0 },
};

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const opts = parseOptions(OPTIONS, process.argv.slice(2));
  if (opts.help) {
    console.log(helpText('usage: node examples/read-market.mjs [options]', OPTIONS));
  } else {
    const api = await connect(opts.url, { throwOnConnect: true });
    console.log(await readMarket(api, opts.market));
    await api.disconnect();
  }
}
