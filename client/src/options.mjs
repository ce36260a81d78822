// A bot's configuration, from (lowest to highest precedence) each option's default, a JSON config
// file (`--config FILE`), environment variables (`BULWARK_<NAME>`, dashes as underscores) and
// the command line. Every option is declared: an unknown one is an error, not silently ignored.
import { readFileSync } from 'node:fs';

/**
 * `spec`: `{ name: { help, default?, type?: 'string' | 'number' | 'boolean' | 'list', secret? } }`.
 * A `secret` option (a key) is refused on the command line: `ps` shows it to every user.
 * Returns the options as `{ name: value }` (camelCase keys are not used: names as declared).
 */
export function parseOptions(spec, argv, { env = process.env, prefix = 'BULWARK_' } = {}) {
  const known = new Set(Object.keys(spec));
  const fromArgs = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new Error(`unexpected argument ${arg} (see --help)`);
    const [rawName, inline] = arg.slice(2).split(/=(.*)/s, 2);
    const name = rawName;
    if (name === 'help') { fromArgs.help = true; continue; }
    if (name === 'config') {
      const value = inline ?? argv[++i];
      if (value === undefined) throw new Error('--config needs a file');
      fromArgs.config = value;
      continue;
    }
    if (!known.has(name)) throw new Error(`unknown option --${name} (see --help)`);
    const option = spec[name];
    if (option.secret) throw new Error(`--${name} is a secret: give it in a 0600 file or the environment (${envName(prefix, name)}), not on the command line`);
    if (option.type === 'boolean' && inline === undefined) {
      fromArgs[name] = true;
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined) throw new Error(`--${name} needs a value`);
    if (option.type === 'list') (fromArgs[name] ??= []).push(...String(value).split(',').filter(Boolean));
    else fromArgs[name] = value;
  }
  if (fromArgs.help) return { help: true };

  let fromFile = {};
  if (fromArgs.config) {
    fromFile = JSON.parse(readFileSync(fromArgs.config, 'utf8'));
    for (const name of Object.keys(fromFile)) {
      if (!known.has(name)) throw new Error(`unknown option "${name}" in ${fromArgs.config}`);
    }
  }
  const out = {};
  for (const [name, option] of Object.entries(spec)) {
    let raw = option.default;
    if (fromFile[name] !== undefined) raw = fromFile[name];
    const fromEnv = env[envName(prefix, name)];
    if (fromEnv !== undefined && fromEnv !== '') raw = fromEnv;
    if (fromArgs[name] !== undefined) raw = fromArgs[name];
    out[name] = convert(name, option, raw);
  }
  return out;
}

/** The environment variable of option `name`: `BULWARK_KEY_FILE` for `key-file`. */
export function envName(prefix, name) {
  return `${prefix}${name.toUpperCase().replaceAll('-', '_')}`;
}

function convert(name, option, raw) {
  if (raw === undefined || raw === null) return raw ?? null;
  switch (option.type ?? 'string') {
    case 'number': {
      const n = Number(raw);
      if (!Number.isFinite(n)) throw new Error(`--${name}: ${raw} is not a number`);
      return n;
    }
    case 'boolean':
      if (raw === true || raw === 'true' || raw === '1') return true;
      if (raw === false || raw === 'false' || raw === '0') return false;
      throw new Error(`--${name}: ${raw} is not true or false`);
    case 'list':
      return Array.isArray(raw) ? raw.map(String) : String(raw).split(',').filter(Boolean);
    default:
      return String(raw);
  }
}

/** `--help` text: usage, then every option with its help, default and environment variable. */
export function helpText(usage, spec, { prefix = 'BULWARK_' } = {}) {
  const lines = [usage, '', 'options (also BULWARK_<NAME> in the environment, or "name": value in --config FILE):'];
  for (const [name, option] of Object.entries(spec)) {
    const value = option.type === 'boolean' ? '' : ` ${option.type === 'list' ? 'A,B' : 'VALUE'}`;
    const def = option.default !== undefined && option.default !== null && option.default !== '' ? ` (default ${option.default})` : '';
    const where = option.secret ? ` [environment ${envName(prefix, name)} only]` : '';
    lines.push(`  --${name}${value}`.padEnd(28) + `${option.help}${def}${where}`);
  }
  lines.push('  --config FILE'.padEnd(28) + 'a JSON object of options', '  --help'.padEnd(28) + 'this text');
  return lines.join('\n');
}

/** The options every bot takes: its node, its metrics endpoint and its logs. */
export const BOT_OPTIONS = {
  url: { help: 'node RPC', default: 'ws://127.0.0.1:9944' },
  'metrics-port': { help: 'serve /metrics and /health on this loopback port (0: off)', type: 'number', default: 0 },
  'metrics-host': { help: 'address of the metrics endpoint', default: '127.0.0.1' },
  'log-format': { help: 'text or json', default: 'text' },
  'log-level': { help: 'debug, info, warn or error', default: 'info' },
};

/**
 * The value after `--NAME` in `argv` (the process's arguments), or `fallback`: the few options of
 * a one-off script (the drill, the load tools), which need no `parseOptions` declaration.
 */
export function cliOption(name, fallback, argv = process.argv) {
  const at = argv.indexOf(`--${name}`);
  return at >= 0 && argv[at + 1] !== undefined ? argv[at + 1] : fallback;
}
