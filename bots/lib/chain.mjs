// Chain access shared by the bots: connect (the provider reconnects by itself after a node
// restart), load a key from a seed or a key file, and the oracle round of the next block.
import { readFileSync } from 'node:fs';
import { ApiPromise, WsProvider } from '@polkadot/api';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';

/** Parses `--name value` options (repeatable ones collect into arrays) and `--flag`s. */
export function parseArgs(argv, { repeatable = [], flags = [] } = {}) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new Error(`unexpected argument ${arg}`);
    const name = arg.slice(2);
    if (flags.includes(name)) { out[name] = true; continue; }
    const value = argv[i + 1];
    if (value === undefined) throw new Error(`--${name} needs a value`);
    i += 1;
    if (repeatable.includes(name)) (out[name] ??= []).push(value);
    else out[name] = value;
  }
  return out;
}

/** An sr25519 key from a secret URI (`//Alice`, a mnemonic) or a file holding one. */
export async function loadKey({ seed, keyFile }) {
  await cryptoWaitReady();
  const secret = keyFile ? readFileSync(keyFile, 'utf8').trim() : seed;
  if (!secret) throw new Error('give --seed or --key-file');
  return new Keyring({ type: 'sr25519', ss58Format: 42 }).addFromUri(secret);
}

/** Connects to `url`; the provider retries every 2.5 s while the node is away. */
export async function connect(url) {
  await cryptoWaitReady();
  return ApiPromise.create({ provider: new WsProvider(url, 2_500), noInitWarn: true });
}

/** The module error name of a dispatch error, or its text. */
export function errorName(api, dispatchError) {
  if (!dispatchError) return null;
  if (dispatchError.isModule) {
    const meta = api.registry.findMetaError(dispatchError.asModule);
    return `${meta.section}.${meta.name}`;
  }
  return dispatchError.toString();
}

export const log = (bot, ...args) => console.log(`[${bot} ${new Date().toISOString().slice(11, 19)}]`, ...args);
