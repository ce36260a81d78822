// Logs for operators: one line per event, dated, with a level, as text or JSON (one object a line,
// for journald and log shippers).

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40 };

/**
 * A logger for `bot`: `logger.info(message, fields)` and so on. `format`: `text` or `json`;
 * `level`: the least level written; `write` receives each line (stdout by default).
 */
export function createLogger(bot, { format = 'text', level = 'info', write = (line) => process.stdout.write(`${line}\n`), now = () => new Date() } = {}) {
  if (!(level in LEVELS)) throw new Error(`unknown log level ${level} (debug, info, warn, error)`);
  if (format !== 'text' && format !== 'json') throw new Error(`unknown log format ${format} (text, json)`);
  const least = LEVELS[level];
  const emit = (lvl, message, fields = {}) => {
    if (LEVELS[lvl] < least) return;
    const time = now().toISOString();
    if (format === 'json') {
      write(JSON.stringify({ time, level: lvl, bot, message, ...fields }));
    } else {
      const extra = Object.entries(fields).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ');
      write(`${time} ${lvl.toUpperCase().padEnd(5)} [${bot}] ${message}${extra ? ` ${extra}` : ''}`);
    }
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
  };
}
