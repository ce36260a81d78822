// Keys for bots and scripts: from a file only its owner can read, or from an environment
// variable; a secret on the command line is visible to every user of the machine (`ps`).
import { readFileSync, statSync } from 'node:fs';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';

/** An sr25519 keyring with the generic address format. */
export function newKeyring(type = 'sr25519') {
  return new Keyring({ type, ss58Format: 42 });
}

/**
 * The secret URI (mnemonic, `0x` seed, or a dev URI such as `//Alice`) in `path`, refused when
 * group or others may read or write the file (it must be 0600 or 0400, as `ssh` asks of a key).
 */
export function readSecretFile(path) {
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new Error(`${path} is readable by others (mode ${mode.toString(8).padStart(4, '0')}): chmod 600 ${path}`);
  }
  const secret = readFileSync(path, 'utf8').trim();
  if (!secret) throw new Error(`${path} is empty`);
  return secret;
}

/**
 * A key pair from `keyFile` (checked by `readSecretFile`), else from the environment variable
 * `envVar`, else from `uri` (development keys on a dev chain: `//Alice`). Throws without one.
 */
export async function loadKey({ keyFile = null, envVar = null, uri = null, type = 'sr25519' } = {}) {
  await cryptoWaitReady();
  let secret = null;
  if (keyFile) secret = readSecretFile(keyFile);
  else if (envVar && process.env[envVar]) secret = process.env[envVar].trim();
  else if (uri) secret = uri;
  if (!secret) throw new Error(`no key: give a key file${envVar ? ` or set ${envVar}` : ''}`);
  return newKeyring(type).addFromUri(secret);
}

/** The well-known development keys a `--dev-key` may name (dev chains only). */
const DEV_KEY = /^\/\/(Alice|Bob|Charlie|Dave|Eve|Ferdie)(\/\/stash)?$/;

/** `uri` if it is a well-known development key, else an error naming the right option. */
export function devKeyUri(uri) {
  if (!DEV_KEY.test(uri)) throw new Error(`--dev-key takes a well-known development key (//Alice ... //Ferdie), not ${uri}: use --key-file or BULWARK_SEED`);
  return uri;
}
