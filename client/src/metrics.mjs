// A bot's Prometheus `/metrics` and `/health`, on loopback unless told otherwise.
import { createServer } from 'node:http';

/** Counters and gauges by name, with help text, rendered in the Prometheus text format. */
export class Metrics {
  constructor(prefix) {
    this.prefix = prefix;
    this.series = new Map();
  }

  /** Declares a `counter` or `gauge`. */
  define(name, type, help) {
    this.series.set(name, { type, help, value: 0 });
    return this;
  }

  inc(name, by = 1) {
    this.get(name).value += by;
  }

  set(name, value) {
    this.get(name).value = value;
  }

  value(name) {
    return this.get(name).value;
  }

  get(name) {
    const s = this.series.get(name);
    if (!s) throw new Error(`undefined metric ${name}`);
    return s;
  }

  render() {
    const lines = [];
    for (const [name, { type, help, value }] of this.series) {
      const full = `${this.prefix}_${name}`;
      lines.push(`# HELP ${full} ${help}`, `# TYPE ${full} ${type}`, `${full} ${value}`);
    }
    return `${lines.join('\n')}\n`;
  }
}

/**
 * Serves `metrics` on `http://HOST:PORT/metrics` and `/health` (200 with `{ ok: true, ... }` while
 * `health()` says ok, else 503). Resolves with the server once it listens (port 0: any free one,
 * `server.address().port`).
 */
export function serveMetrics(metrics, { port, host = '127.0.0.1', health = () => ({ ok: true }) }) {
  const server = createServer((req, res) => {
    if (req.url === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(metrics.render());
    } else if (req.url === '/health') {
      const state = health();
      res.writeHead(state.ok ? 200 : 503, { 'content-type': 'application/json' });
      res.end(JSON.stringify(state));
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

/**
 * A bot's endpoint from its common options (`metrics-port`, 0 for none, and `metrics-host`):
 * `/health` is ok while a head came within `stallMs`. Returns `{ server, heard() }`: call
 * `heard()` at each head.
 */
export async function serveBotMetrics(metrics, opts, { stallMs }) {
  let lastHeadAt = Date.now();
  const server = opts['metrics-port'] > 0
    ? await serveMetrics(metrics, {
      port: opts['metrics-port'],
      host: opts['metrics-host'],
      health: () => ({ ok: Date.now() - lastHeadAt < stallMs, lastBlock: metrics.value('last_block') }),
    })
    : null;
  return { server, heard: () => { lastHeadAt = Date.now(); }, sinceHeadMs: () => Date.now() - lastHeadAt };
}
