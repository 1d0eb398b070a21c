// Structured, levelled logging: one JSON object per line (to stderr by default), quiet unless
// asked. The wire layer, the node and the CLI all log through this interface, so tests can
// capture lines and a silent logger costs a level comparison.

export const LOG_LEVELS = ['silent', 'error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
  readonly level: LogLevel;
  enabled(level: Exclude<LogLevel, 'silent'>): boolean;
  error(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  debug(msg: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line. */
  child(fields: LogFields): Logger;
}

export interface JsonLoggerOptions {
  readonly level: LogLevel;
  /** Receives each line, newline included. Default: process.stderr. */
  readonly write?: (line: string) => void;
  /** The `time` field. Default: ISO wall-clock time. */
  readonly now?: () => string;
}

export function isLogLevel(raw: unknown): raw is LogLevel {
  return (LOG_LEVELS as readonly unknown[]).includes(raw);
}

export function createJsonLogger(options: JsonLoggerOptions, base: LogFields = {}): Logger {
  const rank = LOG_LEVELS.indexOf(options.level);
  const write = options.write ?? ((line: string) => void process.stderr.write(line));
  const now = options.now ?? (() => new Date().toISOString());
  const log = (level: Exclude<LogLevel, 'silent'>, msg: string, fields?: LogFields) => {
    if (LOG_LEVELS.indexOf(level) > rank) return;
    write(`${JSON.stringify({ time: now(), level, msg, ...base, ...fields }, plain)}\n`);
  };
  return {
    level: options.level,
    enabled: (level) => LOG_LEVELS.indexOf(level) <= rank,
    error: (msg, fields) => log('error', msg, fields),
    warn: (msg, fields) => log('warn', msg, fields),
    info: (msg, fields) => log('info', msg, fields),
    debug: (msg, fields) => log('debug', msg, fields),
    child: (fields) => createJsonLogger(options, { ...base, ...fields }),
  };
}

export const silentLogger: Logger = createJsonLogger({ level: 'silent', write: () => {} });

/** JSON for values msgpack allows and JSON does not: bytes as base64, bigints as strings. */
function plain(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array) return { base64: Buffer.from(value).toString('base64') };
  if (value instanceof Error)
    return { name: value.name, message: value.message, code: (value as { code?: unknown }).code };
  return value;
}
