#!/usr/bin/env node
// A first trade: deposit bUSD as margin, place an order, and read the account's health.
// An order fills at the oracle median of a later round (nobody knew that price when the order
// was placed), no worse than its limit, or is cancelled when its limit or margin no longer holds.
// The account's health is the client's `accountHealth` (`marginApi.account` in units).
//
//   node examples/first-trade.mjs --dev-key //Eve [--url ws://127.0.0.1:9944] [--market 0]
//       [--deposit 1000] [--size 5] [--limit 102]
// A negative --size sells (a short); the limit is then the lowest price accepted (default 98).
import { pathToFileURL } from 'node:url';
import {
  FIXED, accountHealth, connect, devKeyUri, helpText, loadKey, orderOutcome, parseOptions, placeOrder, signAndWait,
} from '@bulwark/client';

const BUSD = 1_000_000n;
/** A decimal number as 18-decimal fixed point (six decimals kept). */
const fixed = (x) => (BigInt(Math.round(Number(x) * 1e6)) * FIXED) / 1_000_000n;

/**
 * Deposits `deposit` bUSD (unless 0), places an order of `size` in `market` no worse than `limit`,
 * and waits for its end. Resolves with `{ outcome, health }`: `outcome` is the `margin.Traded` or
 * `margin.OrderCancelled` event.
 */
export async function firstTrade(api, trader, { market = 0, deposit = 1000, size = 5, limit = 102 } = {}) {
  if (deposit > 0) {
    const d = await signAndWait(api, api.tx.margin.deposit(BigInt(deposit) * BUSD), trader);
    if (d.error) throw new Error(`margin.deposit: ${d.error}`);
  }
  const { error, placed } = await placeOrder(api, trader, market, fixed(size), fixed(limit));
  if (error) throw new Error(`margin.placeOrder: ${error}`);
  const outcome = await orderOutcome(api, trader, market, placed);
  return { outcome, health: await accountHealth(api, trader.address) };
}

const OPTIONS = {
  url: { help: 'node RPC', default: 'ws://127.0.0.1:9944' },
  'key-file': { help: 'a file (mode 0600) holding the trader\'s secret URI' },
  'dev-key': { help: 'a development key (//Alice ... //Ferdie) on a dev chain' },
  market: { help: 'market id', type: 'number', default: 0 },
  deposit: { help: 'bUSD to deposit first (0: none)', type: 'number', default: 1000 },
  size: { help: 'contracts to buy (negative: sell)', type: 'number', default: 5 },
  limit: { help: 'worst fill price accepted (default: 102 to buy, 98 to sell)', type: 'number' },
};

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const opts = parseOptions(OPTIONS, process.argv.slice(2));
  if (opts.help) {
    console.log(helpText('usage: node examples/first-trade.mjs --dev-key //Eve | --key-file FILE [options]', OPTIONS));
  } else {
    const trader = await loadKey({ keyFile: opts['key-file'], envVar: 'BULWARK_SEED', uri: opts['dev-key'] && devKeyUri(opts['dev-key']) });
    const api = await connect(opts.url, { throwOnConnect: true });
    const limit = opts.limit ?? (opts.size > 0 ? 102 : 98);
    const { outcome, health } = await firstTrade(api, trader, { ...opts, limit });
    console.log(`${outcome.section}.${outcome.method}`, JSON.stringify(outcome.toHuman()));
    console.log(JSON.stringify(health, null, 2));
    await api.disconnect();
  }
}
