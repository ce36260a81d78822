#!/usr/bin/env node
// Stake bUSD into a market's vault: stakers are the traders' counterparty and its first-loss
// capital, and earn what traders lose, fees and funding. Shares are minted at the vault's NAV;
// `min_shares` guards against a NAV that moved before the stake landed.
//
//   node examples/stake-vault.mjs --dev-key //Dave [--url ws://127.0.0.1:9944] [--market 0] [--amount 100000]
//   BULWARK_SEED="your mnemonic" node examples/stake-vault.mjs --amount 5000
import { pathToFileURL } from 'node:url';
import { connect, devKeyUri, findEvent, helpText, loadKey, parseOptions, signAndWait } from '@bulwark/client';

const BUSD = 1_000_000n;

/** Stakes `amount` bUSD (a whole number) from `staker`; resolves with the shares minted and the vault after. */
export async function stakeVault(api, staker, market, amount) {
  const r = await signAndWait(api, api.tx.vaults.stake(market, BigInt(amount) * BUSD, 0), staker);
  if (r.error) throw new Error(`vaults.stake: ${r.error}`);
  const staked = findEvent(r.events, 'vaults', 'Staked');
  const vault = await api.call.vaultsApi.vault(market);
  return { shares: staked ? staked.data.shares.toString() : null, nav: vault.nav.toString(), block: r.blockHash };
}

const OPTIONS = {
  url: { help: 'node RPC', default: 'ws://127.0.0.1:9944' },
  'key-file': { help: 'a file (mode 0600) holding the staker\'s secret URI' },
  'dev-key': { help: 'a development key (//Alice ... //Ferdie) on a dev chain' },
  market: { help: 'market id', type: 'number', default: 0 },
  amount: { help: 'bUSD to stake', type: 'number', default: 100_000 },
};

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const opts = parseOptions(OPTIONS, process.argv.slice(2));
  if (opts.help) {
    console.log(helpText('usage: node examples/stake-vault.mjs --dev-key //Dave | --key-file FILE [options]', OPTIONS));
  } else {
    const staker = await loadKey({ keyFile: opts['key-file'], envVar: 'BULWARK_SEED', uri: opts['dev-key'] && devKeyUri(opts['dev-key']) });
    const api = await connect(opts.url, { throwOnConnect: true });
    console.log(await stakeVault(api, staker, opts.market, opts.amount));
    await api.disconnect();
  }
}
