// A testnet launched as an operator would (issue 25): fresh keys into a temp dir, a raw
// `testnet` spec carrying the production runtime, four validators started with those keys.
// Checks: blocks finalize; none of the well-known dev accounts holds anything; no `sudo` in the
// metadata; the chain's `:code` is the production wasm, byte for byte; no `Benchmark` runtime API;
// a transfer from the faucet goes through the extensions, `CheckMetadataHash` included.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { blake2AsHex, blake2AsU8a } from '@polkadot/util-crypto';
import { u8aToHex } from '@polkadot/util';
import {
  connect, cryptoWaitReady, devAccounts, freeBasePort, newKeyring, signAndWait, waitFinalized,
} from './lib.mjs';
import {
  generateKeys, productionWasm, readKeys, startTestnet, stopTestnet, writeSpec,
} from '../scripts/testnet.mjs';

/** Validator i serves RPC on RPC_PORT + i, peers on P2P_PORT + i, metrics on METRICS_PORT + i: free ports. */
const BASE_PORT = await freeBasePort({ offsets: [0, 1, 2, 3, 1000, 1001, 1002, 1003, 2000, 2001, 2002, 2003] });
const RPC_PORT = BASE_PORT;
const P2P_PORT = BASE_PORT + 1000;
const METRICS_PORT = BASE_PORT + 2000;
const VALIDATORS = 4;

const log = (line) => console.log(`[testnet ${new Date().toISOString().slice(11, 19)}] ${line}`);

describe('a testnet from fresh keys and the production runtime', { timeout: 600_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-testnet-'));
  let api;

  before(async () => {
    await cryptoWaitReady();
    generateKeys({ dir, validators: VALIDATORS, council: 5 });
    writeSpec({ dir, p2pPort: P2P_PORT });
    const started = await startTestnet({ dir, rpcPort: RPC_PORT, p2pPort: P2P_PORT, prometheusPort: METRICS_PORT });
    log(`${started.length} validators up: ${started.map((v) => v.url).join(' ')}`);
    api = await connect(started[0].url);
  });

  after(async () => {
    if (api) await api.disconnect();
    await stopTestnet({ dir });
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps every key file readable by its owner only', () => {
    const { validators, council } = readKeys(dir);
    assert.equal(validators.length, VALIDATORS);
    assert.equal(council.length, 5);
    for (const file of ['validator-0/stash.json', 'validator-0/aura.json', 'validator-0/grandpa.json', 'validator-0/node-key', 'council-0.json', 'faucet.json', 'balances.json', 'chain-spec.json']) {
      assert.equal(statSync(join(dir, file)).mode & 0o077, 0, `${file} is readable by others`);
    }
  });

  it('finalizes blocks with the four fresh validators', async () => {
    const validators = await api.query.session.validators();
    const stashes = readKeys(dir).validators.map((v) => v.stash.ss58Address).sort();
    assert.deepEqual(validators.map((v) => v.toString()).sort(), stashes);
    const finalized = (await waitFinalized(api, 3, 180_000)).number.toNumber();
    log(`finalized #${finalized}`);
    assert.ok(finalized >= 3);
  });

  it('funds none of the well-known dev accounts', async () => {
    const dev = devAccounts();
    const keyring = newKeyring();
    const wellKnown = [...Object.values(dev), ...['Alice', 'Bob', 'Charlie', 'Dave', 'Eve', 'Ferdie'].map((n) => keyring.addFromUri(`//${n}//stash`))];
    for (const pair of wellKnown) {
      const bwk = await api.query.system.account(pair.address);
      const busd = await api.query.busd.account(pair.address);
      assert.equal(bwk.data.free.toBigInt() + bwk.data.reserved.toBigInt(), 0n, `${pair.address} holds BWK`);
      assert.equal(busd.free.toBigInt() + busd.reserved.toBigInt(), 0n, `${pair.address} holds bUSD`);
    }
  });

  it('runs the production runtime: no sudo, no benchmarks, the metadata hash extension', async () => {
    assert.equal(api.tx.sudo, undefined, 'sudo is in the metadata');
    assert.equal(api.query.sudo, undefined, 'sudo storage is in the metadata');
    const code = await api.rpc.state.getStorage('0x3a636f6465');
    const wasm = readFileSync(productionWasm());
    assert.equal(blake2AsHex(code.unwrap()), blake2AsHex(wasm), ':code is not the production wasm');
    log(`:code = production wasm, blake2-256 ${blake2AsHex(wasm)}`);
    const benchmarkApi = u8aToHex(blake2AsU8a('Benchmark', 64));
    const apis = api.runtimeVersion.apis.map(([id]) => id.toHex());
    assert.ok(apis.length > 5, 'the runtime lists its APIs');
    assert.ok(!apis.includes(benchmarkApi), 'the Benchmark runtime API is present');
    const extensions = api.registry.signedExtensions;
    assert.ok(extensions.includes('CheckMetadataHash'), `extensions: ${extensions}`);
  });

  it('has the metadata hash compiled in', async () => {
    // Signed in mode 1 with a wrong hash: the runtime's hash differs, so the signature does not
    // verify (a runtime without a hash refuses mode 1 as CannotLookup instead).
    const faucet = newKeyring().addFromUri(JSON.parse(readFileSync(join(dir, 'faucet.json'), 'utf8')).secretPhrase);
    const tx = await api.tx.balances.transferKeepAlive(faucet.address, 1n)
      .signAsync(faucet, { mode: 1, metadataHash: `0x${'11'.repeat(32)}` });
    await assert.rejects(api.rpc.author.submitExtrinsic(tx), /bad signature/);
  });

  it('takes a transfer from the faucet', async () => {
    const faucetKey = JSON.parse(readFileSync(join(dir, 'faucet.json'), 'utf8'));
    const faucet = newKeyring().addFromUri(faucetKey.secretPhrase);
    const to = newKeyring().addFromUri('//testnet-user').address;
    const { error } = await signAndWait(api, api.tx.balances.transferKeepAlive(to, 5n * 10n ** 12n), faucet);
    assert.equal(error, null);
    assert.equal((await api.query.system.account(to)).data.free.toBigInt(), 5n * 10n ** 12n);
  });
});
