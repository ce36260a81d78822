// Throw-away `bulwark-node` processes for tests, scripts and the demo: started on loopback ports,
// followed until their RPC answers, stopped by their own process handle.
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freeBasePort } from './ports.mjs';

const sleep = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });

/** Path of the node binary: $BULWARK_NODE, else the release build in the shared target dir. */
export function nodeBinary() {
  if (process.env.BULWARK_NODE) return process.env.BULWARK_NODE;
  const target = process.env.CARGO_TARGET_DIR || join(homedir(), '.cache/bulwark/target');
  return join(target, 'release', 'bulwark-node');
}

/** Whether a node's RPC answers on `port` (127.0.0.1). */
export async function rpcAnswers(port) {
  try {
    const res = await fetch(`http://127.0.0.1:${port}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: 1, jsonrpc: '2.0', method: 'system_health', params: [] }),
    });
    return res.ok;
  } catch {
    return false;
  }
}

/** The last `lines` lines of the file at `path` ('' if it cannot be read). */
export function tail(path, lines = 40) {
  try {
    return readFileSync(path, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

const PORT_TAKEN = /Address already in use|os error 98|AddrInUse/;

/**
 * Starts `bulwark-node --dev --tmp` (or, with `basePath`, a dev chain kept in that directory) and
 * resolves once its RPC answers, with `{ url, port, logPath, stop, kill, child }`. RPC on `port`
 * and peer-to-peer on `port + 1000`, both on 127.0.0.1; without `port`, free ones are chosen
 * (`freeBasePort`), and chosen again if the node finds one taken. The node's output goes to
 * `logDir/<name>.log`. `stop()` ends it with SIGINT, `kill()` with SIGKILL (a crash).
 *
 * `chain` is the chain spec: `fast` (the default: the dev chain at one-second slots, for tests
 * that do not measure time themselves) or `dev` (3 s slots, as a user's `--dev` chain).
 */
export async function startDevNode({ port = null, name = 'node', basePath = null, chain = 'fast', logDir = join(process.cwd(), '.chain') } = {}) {
  const bin = nodeBinary();
  if (!existsSync(bin)) throw new Error(`node binary not found at ${bin}: run scripts/build.sh`);
  mkdirSync(logDir, { recursive: true });
  const logPath = join(logDir, `${name}.log`);
  for (let attempt = 1; ; attempt++) {
    const chosen = port ?? await freeBasePort({ offsets: [0, 1000] });
    try {
      return await startOnce({ bin, port: chosen, logPath, basePath, chain });
    } catch (e) {
      // Taken between our check and the node's bind (another suite): choose again.
      if (port === null && attempt < 5 && PORT_TAKEN.test(tail(logPath, 200))) continue;
      throw e;
    }
  }
}

async function startOnce({ bin, port, logPath, basePath, chain }) {
  // A node left over on this port would answer in place of ours.
  if (await rpcAnswers(port)) throw new Error(`port ${port} is already in use (a node left running?)`);
  const log = createWriteStream(logPath, { flags: basePath ? 'a' : 'w' });
  const storage = basePath ? ['--base-path', basePath] : ['--tmp'];
  const child = spawn(
    bin,
    // Peer-to-peer on loopback only (`--port` alone would listen on every interface).
    ['--dev', '--chain', chain, ...storage, '--rpc-port', String(port), '--no-prometheus', '--no-telemetry',
      '--listen-addr', `/ip4/127.0.0.1/tcp/${port + 1000}`],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  let exited = null;
  child.on('exit', (code, signal) => { exited = { code, signal }; });

  const url = `ws://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  while (!(await rpcAnswers(port))) {
    if (exited) throw new Error(`node exited early (${JSON.stringify(exited)}); see ${logPath}:\n${tail(logPath)}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`node RPC did not come up on ${url}; see ${logPath}`);
    }
    await sleep(500);
  }

  const waitExit = async (tenths) => {
    for (let i = 0; i < tenths && !exited; i++) await sleep(100);
  };
  const stop = async () => {
    if (exited) return exited;
    child.kill('SIGINT');
    await waitExit(100);
    if (!exited) child.kill('SIGKILL');
    await waitExit(50);
    return exited;
  };
  const kill = async () => {
    if (exited) return exited;
    child.kill('SIGKILL');
    await waitExit(50);
    return exited;
  };
  return { url, port, logPath, stop, kill, child };
}

/** The repository's bots (bots/NAME.mjs), beside this package. */
const BOTS_DIR = fileURLToPath(new URL('../../bots/', import.meta.url));

/**
 * Starts a bot (`bots/NAME.mjs ARGS`) as a child process, its output in `logDir/LOGNAME.log`.
 * Returns `{ logPath, child, exited, stop() }`; `stop()` sends SIGINT (the bots stop cleanly on
 * it), then SIGKILL after 5 s.
 */
export function startBot(name, args, logName, { logDir = join(process.cwd(), '.chain') } = {}) {
  mkdirSync(logDir, { recursive: true });
  const logPath = join(logDir, `${logName}.log`);
  const out = createWriteStream(logPath);
  const child = spawn(process.execPath, [join(BOTS_DIR, `${name}.mjs`), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pipe(out);
  child.stderr.pipe(out);
  let exited = null;
  child.on('exit', (code, signal) => { exited = { code, signal }; });
  return {
    logPath,
    child,
    get exited() { return exited; },
    async stop() {
      if (exited) return exited;
      child.kill('SIGINT');
      for (let i = 0; i < 50 && !exited; i++) await sleep(100);
      if (!exited) child.kill('SIGKILL');
      for (let i = 0; i < 20 && !exited; i++) await sleep(100);
      return exited;
    },
  };
}
