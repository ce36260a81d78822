#!/usr/bin/env node
// Read a market: its oracle price and status, the margin engine's open interest, margin fractions
// and capacity, and its vault. Only runtime API calls, no signing.
//
//   node examples/read-market.mjs [--url ws://127.0.0.1:9944] [--market 0]
import { pathToFileURL } from 'node:url';
import { connect, helpText, parseOptions } from '@bulwark/client';

const price = (fixed) => Number(fixed.toBigInt() / 10n ** 12n) / 1e6;
const busd = (units) => Number(BigInt(units.toString()) / 10_000n) / 100;
const percent = (fixed) => Number(fixed.toBigInt() / 10n ** 12n) / 1e4;

/** The market's state as plain numbers (bUSD, prices, percent). */
export async function readMarket(api, market) {
  const [markets, info, view, vault] = await Promise.all([
    api.call.oracleApi.markets(),
    api.call.oracleApi.priceInfo(market),
    api.call.marginApi.market(market),
    api.call.vaultsApi.vault(market),
  ]);
  const entry = markets.find(([id]) => id.toNumber() === market);
  if (!entry) throw new Error(`no market ${market}`);
  const out = { market, symbol: entry[1].toUtf8(), price: null, oracleStatus: 'none yet' };
  if (info.isSome) {
    const p = info.unwrap();
    Object.assign(out, { price: price(p.price), oracleStatus: p.status.type, volatilityPercent: percent(p.volatility), round: p.round.toNumber() });
  }
  if (view.isSome) {
    const m = view.unwrap();
    Object.assign(out, {
      longOpenInterest: busd(m.longOpenInterest),
      shortOpenInterest: busd(m.shortOpenInterest),
      initialMarginPercent: percent(m.initialMarginFraction),
      maintenanceMarginPercent: percent(m.effectiveMmf),
      capacity: busd(m.capacity),
      restricted: m.restricted.isTrue,
    });
  }
  Object.assign(out, { vaultNav: busd(vault.nav), vaultCapacity: busd(vault.capacity) });
  return out;
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
