#!/usr/bin/env node
// A `local` chain of four validators (Alice, Bob, Charlie, Dave) on loopback ports, each with its
// own base path (keys, database) under DIR (issue 15). Used by scripts/network.sh and by the e2e
// network test.
//
//   node scripts/network.mjs start [--dir DIR] [--base-port 9961]   start the four, print RPC URLs
//   node scripts/network.mjs stop  [--dir DIR]                      stop them by process id
//   node scripts/network.mjs status [--dir DIR]
//
// Validator i (0 = Alice) serves RPC on BASE_PORT + i and peer-to-peer on BASE_PORT + 1000 + i,
// and with `prometheus` its metrics on BASE_PORT + 2000 + i, all on 127.0.0.1 only. Alice is the
// boot node; every node has a fixed node key.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { cliOption as option, nodeBinary, rpcAnswers } from '../client/src/index.mjs';

export { nodeBinary, rpcAnswers };

export const VALIDATORS = ['alice', 'bob', 'charlie', 'dave'];
/** Fixed node keys (ed25519 secrets) so that the boot node's peer id is known in advance. */
const NODE_KEYS = VALIDATORS.map((_, i) => `${'0'.repeat(63)}${i + 1}`);
/** The peer id of node key 0x…01 (Alice's). */
const ALICE_PEER_ID = '12D3KooWEyoppNCUx8Yx66oV9fJnriXwCcXwDDUA2kj6vnc6iDEp';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Ports and paths of validator `name`. */
export function validatorLayout(name, { dir, basePort = 9961 }) {
  const index = VALIDATORS.indexOf(name);
  if (index < 0) throw new Error(`unknown validator ${name}`);
  return {
    name,
    index,
    rpcPort: basePort + index,
    p2pPort: basePort + 1000 + index,
    prometheusPort: basePort + 2000 + index,
    basePath: join(dir, name),
    logPath: join(dir, `${name}.log`),
    pidPath: join(dir, `${name}.pid`),
    url: `ws://127.0.0.1:${basePort + index}`,
  };
}

/**
 * The command line of validator `name` (`chain`: `local`, or `local-fast` at 1 s slots; with
 * `prometheus`, metrics on its loopback port).
 */
export function validatorArgs(name, { dir, basePort = 9961, chain = 'local', prometheus = false }) {
  const v = validatorLayout(name, { dir, basePort });
  const alice = validatorLayout('alice', { dir, basePort });
  const args = [
    '--chain', chain,
    `--${name}`, // --name NAME --validator, and NAME's session keys in its keystore
    '--base-path', v.basePath,
    '--node-key', NODE_KEYS[v.index],
    '--listen-addr', `/ip4/127.0.0.1/tcp/${v.p2pPort}`,
    '--rpc-port', String(v.rpcPort),
    ...(prometheus ? ['--prometheus-port', String(v.prometheusPort)] : ['--no-prometheus']),
    '--no-telemetry', '--no-mdns',
  ];
  if (name !== 'alice') args.push('--bootnodes', `/ip4/127.0.0.1/tcp/${alice.p2pPort}/p2p/${ALICE_PEER_ID}`);
  return args;
}

/**
 * Starts validator `name`. With `detached`, the process outlives this one (for the CLI) and its
 * pid goes to DIR/NAME.pid; otherwise it is this process's child. Resolves once its RPC answers:
 * `{ ...layout, child, pid, exited(), stop(), kill() }`.
 */
export async function startValidator(name, { dir, basePort = 9961, chain = 'local', prometheus = false, detached = false, timeoutMs = 120_000 } = {}) {
  const v = validatorLayout(name, { dir, basePort });
  mkdirSync(dir, { recursive: true });
  if (await rpcAnswers(v.rpcPort)) throw new Error(`port ${v.rpcPort} is already in use (a node left running?)`);
  const bin = nodeBinary();
  if (!existsSync(bin)) throw new Error(`node binary not found at ${bin}: run scripts/build.sh`);
  const log = openSync(v.logPath, 'a');
  const child = spawn(bin, validatorArgs(name, { dir, basePort, chain, prometheus }), { stdio: ['ignore', log, log], detached });
  closeSync(log);
  let exited = null;
  child.on('exit', (code, signal) => { exited = { code, signal }; });
  if (detached) {
    writeFileSync(v.pidPath, String(child.pid));
    child.unref();
  }
  const deadline = Date.now() + timeoutMs;
  while (!(await rpcAnswers(v.rpcPort))) {
    if (exited) throw new Error(`${name} exited early (${JSON.stringify(exited)}); see ${v.logPath}`);
    if (Date.now() > deadline) throw new Error(`${name}'s RPC did not come up; see ${v.logPath}`);
    await sleep(300);
  }
  const waitExit = async (ms) => {
    for (let i = 0; i < ms / 100 && !exited; i++) await sleep(100);
    return exited;
  };
  return {
    ...v,
    child,
    pid: child.pid,
    exited: () => exited,
    /** SIGINT, then SIGKILL after 10 s. */
    async stop() {
      if (exited) return exited;
      child.kill('SIGINT');
      if (await waitExit(10_000)) return exited;
      child.kill('SIGKILL');
      return waitExit(5_000);
    },
    /** SIGKILL at once: a crash. */
    async kill() {
      if (exited) return exited;
      child.kill('SIGKILL');
      return waitExit(5_000);
    },
  };
}

/**
 * Stops the process whose id is in `pidPath` with `signal`, then SIGKILL after 10 s, and removes
 * the file. Returns the pid, or null without a pid file.
 */
export async function stopByPidFile(pidPath, signal = 'SIGINT') {
  if (!existsSync(pidPath)) return null;
  const alive = (pid) => { try { process.kill(pid, 0); return true; } catch { return false; } };
  const pid = Number(readFileSync(pidPath, 'utf8'));
  if (alive(pid)) {
    process.kill(pid, signal);
    for (let i = 0; i < 100 && alive(pid); i++) await sleep(100);
    if (alive(pid)) process.kill(pid, 'SIGKILL');
  }
  rmSync(pidPath);
  return pid;
}

/** Stops the validators whose pid files are in `dir` (SIGINT, then SIGKILL). */
export async function stopNetwork({ dir }) {
  for (const name of VALIDATORS) {
    const pid = await stopByPidFile(validatorLayout(name, { dir }).pidPath);
    if (pid !== null) console.log(`${name}: stopped (pid ${pid})`);
  }
}

async function main() {
  const command = process.argv[2];
  const dir = option('dir', join(homedir(), '.cache/bulwark/network'));
  const basePort = Number(option('base-port', 9961));
  if (command === 'start') {
    for (const name of VALIDATORS) {
      const v = await startValidator(name, { dir, basePort, detached: true });
      console.log(`${name}: ${v.url} (pid ${v.pid}, base path ${v.basePath}, log ${v.logPath})`);
    }
    console.log(`stop them with: scripts/network.sh stop${dir === join(homedir(), '.cache/bulwark/network') ? '' : ` --dir ${dir}`}`);
  } else if (command === 'stop') {
    await stopNetwork({ dir });
  } else if (command === 'status') {
    for (const name of VALIDATORS) {
      const v = validatorLayout(name, { dir, basePort });
      console.log(`${name}: ${v.url} ${(await rpcAnswers(v.rpcPort)) ? 'up' : 'down'}`);
    }
  } else {
    console.log('usage: scripts/network.sh start|stop|status [--dir DIR] [--base-port PORT]');
    process.exit(command ? 1 : 0);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().then(() => process.exit(0), (e) => { console.error(e.message ?? e); process.exit(1); });
}
