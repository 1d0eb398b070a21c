// Command-line parsing shared by the subcommands: node:util parseArgs in strict mode, a JSON
// config file (`--config FILE`, keys are the long flag names) under the flags, and checks that
// turn every bad value into a UsageError naming the flag.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { isLogLevel, type LogLevel } from '../base/log.js';
import { UsageError } from './exitCodes.js';

export type FlagSpec = Readonly<
  Record<string, { readonly type: 'string' | 'boolean'; readonly multiple?: boolean }>
>;
export type FlagValue = string | boolean | string[] | undefined;
export type FlagValues = Record<string, FlagValue>;

export interface Parsed {
  readonly values: FlagValues;
  readonly positionals: readonly string[];
}

/** Parses `argv` against `spec` (plus `--config`); config-file values fill flags not given. */
export function parseFlags(
  argv: readonly string[],
  spec: FlagSpec,
  positionalNames: readonly string[],
): Parsed {
  const options = { ...spec, config: { type: 'string' } } as const;
  let parsed: { values: FlagValues; positionals: string[] };
  try {
    parsed = parseArgs({
      args: [...argv],
      options,
      strict: true,
      allowPositionals: positionalNames.length > 0,
    }) as typeof parsed;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (parsed.positionals.length !== positionalNames.length) {
    const wanted = positionalNames.length === 0 ? 'no arguments' : positionalNames.join(' ');
    throw new UsageError(`takes ${wanted}, got ${parsed.positionals.length} argument(s)`);
  }
  const values: FlagValues = { ...parsed.values };
  const configFile = values.config;
  if (typeof configFile === 'string') {
    for (const [flag, value] of Object.entries(loadConfig(configFile, spec))) {
      if (values[flag] === undefined) values[flag] = value;
    }
  }
  return { values, positionals: parsed.positionals };
}

function loadConfig(file: string, spec: FlagSpec): FlagValues {
  let config: unknown;
  try {
    config = JSON.parse(readTextFile(file, '--config'));
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`--config ${file}: not valid JSON: ${(error as Error).message}`);
  }
  if (typeof config !== 'object' || config === null || Array.isArray(config))
    throw new UsageError(`--config ${file}: must hold a JSON object of flag names to values`);
  const values: FlagValues = {};
  for (const [flag, value] of Object.entries(config)) {
    const option = spec[flag];
    if (option === undefined) throw new UsageError(`--config ${file}: there is no flag --${flag} here`);
    const ok =
      option.type === 'boolean'
        ? typeof value === 'boolean'
        : option.multiple
          ? Array.isArray(value) && value.every((item) => typeof item === 'string')
          : typeof value === 'string' || typeof value === 'number';
    if (!ok) {
      const expected =
        option.type === 'boolean' ? 'true or false' : option.multiple ? 'an array of strings' : 'a string';
      throw new UsageError(`--config ${file}: "${flag}" must be ${expected}`);
    }
    values[flag] = typeof value === 'number' ? String(value) : (value as FlagValue);
  }
  return values;
}

export function stringFlag(values: FlagValues, flag: string): string | undefined {
  const value = values[flag];
  return typeof value === 'string' ? value : undefined;
}

export function requiredFlag(values: FlagValues, flag: string): string {
  const value = stringFlag(values, flag);
  if (value === undefined || value.length === 0) throw new UsageError(`needs --${flag}`);
  return value;
}

export function listFlag(values: FlagValues, flag: string): string[] {
  const value = values[flag];
  return Array.isArray(value) ? value : typeof value === 'string' ? [value] : [];
}

export function integerFlag(
  raw: string | undefined,
  flag: string,
  fallback: number,
  min: number,
  max: number,
): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(value) || value < min || value > max)
    throw new UsageError(`--${flag} must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  return value;
}

const NODE_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export function nodeId(raw: string, flag: string): string {
  if (!NODE_ID.test(raw))
    throw new UsageError(
      `${flag} ${JSON.stringify(raw)}: a node id is 1 to 64 letters, digits, '_', '.' or '-', starting with a letter or digit`,
    );
  return raw;
}

/** `HOST:PORT` (IPv6 in brackets) for --listen. */
export function hostPort(raw: string, flag: string): { host: string; port: number } {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s]+)):(\d{1,5})$/.exec(raw);
  const port = Number(match?.[3]);
  if (!match || port > 65535)
    throw new UsageError(`${flag} must be HOST:PORT with a port from 0 to 65535, got ${JSON.stringify(raw)}`);
  return { host: (match[1] ?? match[2]) as string, port };
}

/** A node URL; `HOST:PORT` is taken as `ws://HOST:PORT`. */
export function nodeUrl(raw: string, flag: string): string {
  const url = /^wss?:\/\//.test(raw) ? raw : `ws://${raw}`;
  try {
    const parsed = new URL(url);
    if (parsed.port === '' && !/^wss?:\/\/[^/]+:\d+/.test(url)) throw new Error('no port');
    return url;
  } catch {
    throw new UsageError(`${flag} must be ws://HOST:PORT or wss://HOST:PORT, got ${JSON.stringify(raw)}`);
  }
}

/** `ID=URL` for --peer. */
export function peerFlag(raw: string): [string, string] {
  const at = raw.indexOf('=');
  if (at <= 0)
    throw new UsageError(
      `--peer must be ID=URL (for example b=ws://127.0.0.1:7002), got ${JSON.stringify(raw)}`,
    );
  return [nodeId(raw.slice(0, at), '--peer'), nodeUrl(raw.slice(at + 1), '--peer')];
}

/** `ID=KEY` for --peer-key: a peer's Ed25519 public key, base64 of its 32 bytes. */
export function peerKeyFlag(raw: string): [string, string] {
  const at = raw.indexOf('=');
  const key = raw.slice(at + 1);
  if (at <= 0 || !/^[A-Za-z0-9+/]{43}=?$/.test(key))
    throw new UsageError(
      `--peer-key must be ID=KEY with the peer's public key in base64 (its listening line prints it), got ${JSON.stringify(raw)}`,
    );
  return [nodeId(raw.slice(0, at), '--peer-key'), key];
}

export function logLevelFlag(raw: string | undefined, fallback: LogLevel): LogLevel {
  if (raw === undefined) return fallback;
  if (!isLogLevel(raw))
    throw new UsageError(
      `--log-level must be silent, error, warn, info or debug, got ${JSON.stringify(raw)}`,
    );
  return raw;
}

export function readTextFile(file: string, flag: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(
      `${flag} ${file}: cannot read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
}

/** A secret from a file (`--secret-file`, `--client-secret-file`): its text without trailing whitespace. */
export function readSecretFile(file: string, flag = '--secret-file'): string {
  const secret = readTextFile(file, flag).trimEnd();
  if (secret.length === 0) throw new UsageError(`${flag} ${file}: the file is empty`);
  return secret;
}

export const DEFAULT_CLUSTER = 'gen-paxos';
