#!/usr/bin/env node
// A public testnet from fresh keys (issue 25). See README "Launch a testnet".
//
//   scripts/testnet.sh keys N [--dir DIR] [--council M]   N validator key sets, M council keys
//                                                          (default 5), a faucet key, balances.json
//   scripts/testnet.sh spec [--dir DIR] [--wasm FILE] [--host 127.0.0.1] [--p2p-port 30333]
//                                                          DIR/chain-spec.json (raw) from them
//   scripts/testnet.sh start [--dir DIR] [--rpc-port 9944] [--p2p-port 30333]
//                            [--prometheus-port 9615]      every validator, keys inserted
//   scripts/testnet.sh stop [--dir DIR]                    stop them by process id
//   scripts/testnet.sh status [--dir DIR] [--rpc-port 9944]
//
// Validator i (from 0) listens for peers on P2P_PORT + i and serves RPC (loopback only) on
// RPC_PORT + i and Prometheus (loopback only) on PROMETHEUS_PORT + i. Every file in DIR is
// readable by its owner only: the key files hold secret phrases.
import { execFileSync, spawn } from 'node:child_process';
import {
  chmodSync, closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, writeFileSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { nodeBinary, rpcAnswers, stopByPidFile } from './network.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export const DEFAULT_DIR = join(homedir(), '.local/share/bulwark-testnet');
const UNIT_BWK = 10n ** 12n;
const UNIT_BUSD = 10n ** 6n;
/** What each validator's stash bonds at genesis, and what it is given (the rest pays fees). */
const VALIDATOR_BOND = 10_000n * UNIT_BWK;
const VALIDATOR_ENDOWMENT = 11_000n * UNIT_BWK;
/** A council member's BWK: fees and proposal deposits (10 BWK each). */
const COUNCIL_ENDOWMENT = 1_000n * UNIT_BWK;
/** The faucet hands out test tokens: the testnet's whole float apart from the above. */
const FAUCET_BWK = 10_000_000n * UNIT_BWK;
const FAUCET_BUSD = 100_000_000n * UNIT_BUSD;

/** Writes `text` readable by its owner only. */
function writePrivate(path, text) {
  writeFileSync(path, text, { mode: 0o600 });
  chmodSync(path, 0o600);
}

/** JSON with BigInts written as plain integers (balances exceed 2^53). */
function bigJson(value) {
  return JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? `@big@${v}` : v), 2)
    .replace(/"@big@(\d+)"/g, '$1');
}

function run(bin, args) {
  return execFileSync(bin, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 256 * 1024 * 1024 });
}

/** A fresh key of `scheme` (sr25519 or ed25519) from `bulwark-node key generate`. */
function generateKey(bin, scheme) {
  return JSON.parse(run(bin, ['key', 'generate', '--scheme', scheme, '--output-type', 'json']));
}

function validatorDirs(dir) {
  return readdirSync(dir).filter((d) => /^validator-\d+$/.test(d))
    .sort((a, b) => Number(a.split('-')[1]) - Number(b.split('-')[1]));
}

function readJson(path) {
  return JSON.parse(readFileSync(path, 'utf8'));
}

/** Refuses key files anyone but their owner can read. */
function checkPrivate(path) {
  const mode = statSync(path).mode & 0o077;
  if (mode !== 0) throw new Error(`${path} is readable by others (mode ${(statSync(path).mode & 0o777).toString(8)}): chmod 600 it`);
}

/** The validators' and council's keys in `dir`. */
export function readKeys(dir) {
  const validators = validatorDirs(dir).map((name) => {
    const vdir = join(dir, name);
    for (const f of ['stash.json', 'aura.json', 'grandpa.json', 'node-key']) checkPrivate(join(vdir, f));
    return {
      name,
      dir: vdir,
      stash: readJson(join(vdir, 'stash.json')),
      aura: readJson(join(vdir, 'aura.json')),
      grandpa: readJson(join(vdir, 'grandpa.json')),
      nodeKeyFile: join(vdir, 'node-key'),
      peerId: readFileSync(join(vdir, 'peer-id'), 'utf8').trim(),
    };
  });
  if (validators.length === 0) throw new Error(`no validator keys in ${dir}: run scripts/testnet.sh keys N first`);
  const council = readdirSync(dir).filter((f) => /^council-\d+\.json$/.test(f)).sort()
    .map((f) => { checkPrivate(join(dir, f)); return readJson(join(dir, f)); });
  return { validators, council };
}

/** `keys N`: fresh keys for N validators, M council members and a faucet, and balances.json. */
export function generateKeys({ dir, validators, council = 5 }) {
  const bin = nodeBinary();
  if (existsSync(dir) && readdirSync(dir).length > 0) throw new Error(`${dir} is not empty: keys are never overwritten`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const balances = { bwk: [], busd: [] };
  for (let i = 0; i < validators; i++) {
    const vdir = join(dir, `validator-${i}`);
    mkdirSync(vdir, { mode: 0o700 });
    const stash = generateKey(bin, 'sr25519');
    writePrivate(join(vdir, 'stash.json'), JSON.stringify(stash, null, 2));
    writePrivate(join(vdir, 'aura.json'), JSON.stringify(generateKey(bin, 'sr25519'), null, 2));
    writePrivate(join(vdir, 'grandpa.json'), JSON.stringify(generateKey(bin, 'ed25519'), null, 2));
    // The node key (libp2p identity); its peer id goes into the spec's boot nodes.
    run(bin, ['key', 'generate-node-key', '--file', join(vdir, 'node-key')]);
    chmodSync(join(vdir, 'node-key'), 0o600);
    const peerId = run(bin, ['key', 'inspect-node-key', '--file', join(vdir, 'node-key')]).trim();
    writePrivate(join(vdir, 'peer-id'), `${peerId}\n`);
    balances.bwk.push([stash.ss58Address, VALIDATOR_ENDOWMENT]);
  }
  for (let j = 0; j < council; j++) {
    const member = generateKey(bin, 'sr25519');
    writePrivate(join(dir, `council-${j}.json`), JSON.stringify(member, null, 2));
    balances.bwk.push([member.ss58Address, COUNCIL_ENDOWMENT]);
  }
  const faucet = generateKey(bin, 'sr25519');
  writePrivate(join(dir, 'faucet.json'), JSON.stringify(faucet, null, 2));
  balances.bwk.push([faucet.ss58Address, FAUCET_BWK]);
  balances.busd.push([faucet.ss58Address, FAUCET_BUSD]);
  writePrivate(join(dir, 'balances.json'), `${bigJson(balances)}\n`);
  return { dir, validators, council, faucet: faucet.ss58Address };
}

/** The production runtime `./scripts/build.sh --production` wrote. */
export function productionWasm() {
  const target = process.env.CARGO_TARGET_DIR || join(homedir(), '.cache/bulwark/target');
  return join(target, 'release/wbuild/bulwark-runtime/bulwark_runtime_production.compact.compressed.wasm');
}

/** Reads balances.json, amounts as BigInts (its integers exceed 2^53). */
function readBalances(path) {
  const text = readFileSync(path, 'utf8').replace(/(\[\s*"[^"]+"\s*,\s*)(\d+)(\s*\])/g, '$1"$2"$3');
  const parsed = JSON.parse(text);
  const entries = (list) => (list ?? []).map(([who, amount]) => [who, BigInt(amount)]);
  return { bwk: entries(parsed.bwk), busd: entries(parsed.busd) };
}

/** `spec`: DIR/chain-spec-plain.json and the raw DIR/chain-spec.json. */
export function writeSpec({ dir, wasm = productionWasm(), host = '127.0.0.1', p2pPort = 30333 }) {
  const bin = nodeBinary();
  if (!existsSync(wasm)) throw new Error(`no runtime at ${wasm}: run ./scripts/build.sh --production`);
  const { validators, council } = readKeys(dir);
  const balances = readBalances(join(dir, 'balances.json'));
  const funded = new Map(balances.bwk);
  for (const v of validators) {
    if ((funded.get(v.stash.ss58Address) ?? 0n) < VALIDATOR_BOND) {
      throw new Error(`balances.json gives ${v.name}'s stash less than its ${VALIDATOR_BOND / UNIT_BWK} BWK bond`);
    }
  }
  const spec = JSON.parse(run(bin, ['build-spec', '--chain', 'testnet', '--disable-default-bootnode']));
  const genesis = spec.genesis.runtimeGenesis;
  genesis.code = `0x${readFileSync(wasm).toString('hex')}`;
  const patch = genesis.patch;
  patch.balances = { balances: balances.bwk };
  patch.busd = { balances: balances.busd };
  patch.session = {
    keys: validators.map((v) => [v.stash.ss58Address, v.stash.ss58Address, { aura: v.aura.ss58Address, grandpa: v.grandpa.ss58Address }]),
  };
  // No invulnerables: an invulnerable's stake cannot be slashed, so it would secure nothing.
  Object.assign(patch.staking, {
    validatorCount: validators.length,
    stakers: validators.map((v) => [v.stash.ss58Address, v.stash.ss58Address, VALIDATOR_BOND, 'Validator']),
  });
  patch.councilMembership = { members: council.map((m) => m.ss58Address) };
  spec.bootNodes = validators.map((v, i) => `/ip4/${host}/tcp/${p2pPort + i}/p2p/${v.peerId}`);
  const plain = join(dir, 'chain-spec-plain.json');
  writePrivate(plain, bigJson(spec));
  const raw = run(bin, ['build-spec', '--chain', plain, '--raw', '--disable-default-bootnode']);
  writePrivate(join(dir, 'chain-spec.json'), raw);
  return { plain, raw: join(dir, 'chain-spec.json'), validators: validators.length, council: council.length };
}

/** Ports and paths of validator `index`. */
export function layout(dir, index, { rpcPort = 9944, p2pPort = 30333, prometheusPort = 9615 } = {}) {
  const vdir = join(dir, `validator-${index}`);
  return {
    index,
    name: `validator-${index}`,
    basePath: join(vdir, 'node'),
    logPath: join(vdir, 'node.log'),
    pidPath: join(vdir, 'node.pid'),
    rpcPort: rpcPort + index,
    p2pPort: p2pPort + index,
    prometheusPort: prometheusPort + index,
    url: `ws://127.0.0.1:${rpcPort + index}`,
  };
}

/** `start`: inserts each validator's session keys into its keystore and starts it detached. */
export async function startTestnet({ dir, rpcPort = 9944, p2pPort = 30333, prometheusPort = 9615, timeoutMs = 120_000 }) {
  const bin = nodeBinary();
  const spec = join(dir, 'chain-spec.json');
  if (!existsSync(spec)) throw new Error(`no ${spec}: run scripts/testnet.sh spec first`);
  const { validators } = readKeys(dir);
  const started = [];
  for (const [i, v] of validators.entries()) {
    const l = layout(dir, i, { rpcPort, p2pPort, prometheusPort });
    if (await rpcAnswers(l.rpcPort)) throw new Error(`port ${l.rpcPort} is already in use (a node left running?)`);
    for (const [scheme, keyType, key] of [['sr25519', 'aura', v.aura], ['ed25519', 'gran', v.grandpa]]) {
      run(bin, ['key', 'insert', '--chain', spec, '--base-path', l.basePath, '--scheme', scheme, '--key-type', keyType, '--suri', key.secretPhrase]);
    }
    const args = [
      '--chain', spec, '--base-path', l.basePath, '--validator', '--name', l.name,
      '--node-key-file', v.nodeKeyFile,
      '--listen-addr', `/ip4/127.0.0.1/tcp/${l.p2pPort}`,
      '--rpc-port', String(l.rpcPort), '--prometheus-port', String(l.prometheusPort),
      '--no-telemetry', '--no-mdns',
    ];
    const log = openSync(l.logPath, 'a', 0o600);
    const child = spawn(bin, args, { stdio: ['ignore', log, log], detached: true });
    closeSync(log);
    let exited = null;
    child.on('exit', (code, signal) => { exited = { code, signal }; });
    writePrivate(l.pidPath, String(child.pid));
    child.unref();
    const deadline = Date.now() + timeoutMs;
    while (!(await rpcAnswers(l.rpcPort))) {
      if (exited) throw new Error(`${l.name} exited early (${JSON.stringify(exited)}); see ${l.logPath}`);
      if (Date.now() > deadline) throw new Error(`${l.name}'s RPC did not come up; see ${l.logPath}`);
      await sleep(300);
    }
    started.push({ ...l, pid: child.pid });
  }
  return started;
}

/** `stop`: SIGTERM each validator whose pid file is in `dir`, SIGKILL after 10 s. */
export async function stopTestnet({ dir }) {
  const stopped = [];
  for (const name of existsSync(dir) ? validatorDirs(dir) : []) {
    const pid = await stopByPidFile(join(dir, name, 'node.pid'), 'SIGTERM');
    if (pid !== null) stopped.push({ name, pid });
  }
  return stopped;
}

const USAGE = `usage: scripts/testnet.sh keys N [--council M] | spec [--wasm FILE] [--host IP] [--p2p-port P]
       | start [--rpc-port P] [--p2p-port P] [--prometheus-port P] | stop | status [--rpc-port P]
  every command takes --dir DIR (default ${DEFAULT_DIR})`;

/** The value of `--name`, refusing options this command does not know. */
function parseOptions(args, known) {
  const options = {};
  for (let i = 0; i < args.length; i += 2) {
    const name = args[i].replace(/^--/, '');
    if (!args[i].startsWith('--') || !known.includes(name) || args[i + 1] === undefined) {
      throw new Error(`unknown or incomplete option ${args[i]}\n${USAGE}`);
    }
    options[name] = args[i + 1];
  }
  return options;
}

async function main() {
  const [command, ...rest] = process.argv.slice(2);
  const positional = command === 'keys' ? rest.shift() : undefined;
  const known = {
    keys: ['dir', 'council'],
    spec: ['dir', 'wasm', 'host', 'p2p-port'],
    start: ['dir', 'rpc-port', 'p2p-port', 'prometheus-port'],
    stop: ['dir'],
    status: ['dir', 'rpc-port'],
  }[command];
  if (!known) {
    console.log(USAGE);
    process.exit(command && command !== '--help' ? 2 : 0);
  }
  const options = parseOptions(rest, known);
  const dir = options.dir ?? DEFAULT_DIR;
  const port = (name, fallback) => Number(options[name] ?? fallback);
  if (command === 'keys') {
    const n = Number(positional);
    if (!Number.isInteger(n) || n < 1) throw new Error(`keys needs a validator count\n${USAGE}`);
    const council = port('council', 5);
    if (!Number.isInteger(council) || council < 1) throw new Error('--council needs at least one member: the council is the chain\'s only governance');
    const out = generateKeys({ dir, validators: n, council });
    console.log(`${n} validators, ${out.council} council members and a faucet (${out.faucet}) in ${dir}`);
    console.log(`edit ${join(dir, 'balances.json')} if you wish, then: scripts/testnet.sh spec --dir ${dir}`);
  } else if (command === 'spec') {
    const out = writeSpec({ dir, wasm: options.wasm, host: options.host, p2pPort: port('p2p-port', 30333) });
    console.log(`raw chain spec: ${out.raw} (${out.validators} validators, ${out.council} council members)`);
  } else if (command === 'start') {
    const started = await startTestnet({
      dir, rpcPort: port('rpc-port', 9944), p2pPort: port('p2p-port', 30333), prometheusPort: port('prometheus-port', 9615),
    });
    for (const v of started) console.log(`${v.name}: ${v.url} (pid ${v.pid}, log ${v.logPath}, metrics http://127.0.0.1:${v.prometheusPort}/metrics)`);
    console.log(`stop them with: scripts/testnet.sh stop --dir ${dir}`);
  } else if (command === 'stop') {
    for (const { name, pid } of await stopTestnet({ dir })) console.log(`${name}: stopped (pid ${pid})`);
  } else if (command === 'status') {
    for (const [i] of validatorDirs(dir).entries()) {
      const l = layout(dir, i, { rpcPort: port('rpc-port', 9944) });
      console.log(`${l.name}: ${l.url} ${(await rpcAnswers(l.rpcPort)) ? 'up' : 'down'}`);
    }
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().then(() => process.exit(0), (e) => { console.error(e.message ?? e); process.exit(1); });
}
