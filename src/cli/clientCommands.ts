// `gen-paxos ask | read | status`: one request through the client protocol to one node.
// Results go to stdout (the bare value, or JSON with --json); errors to stderr, with the exit
// statuses of exitCodes.ts chosen by the error's code.
import { GenPaxosError } from '../base/errors.js';
import type { PaxosValue } from '../paxos/messages.js';
import { checkKey, checkValue } from '../paxos/validate.js';
import { connectClient, type GenPaxosClient } from '../transport/client/client.js';
import type { NodeStatus } from '../transport/wire/frames.js';
import { WIRE_ERROR_CODES, WireError } from '../transport/wire/wireErrors.js';
import {
  DEFAULT_CLUSTER,
  integerFlag,
  nodeUrl,
  parseFlags,
  readSecretFile,
  readTextFile,
  requiredFlag,
  stringFlag,
  type FlagValues,
} from './args.js';
import { EXIT, UsageError } from './exitCodes.js';
import type { CliIo } from './io.js';
import { formatTable } from './table.js';
import { jsonOf, showValue } from './values.js';

export const CLIENT_USAGE = `usage: gen-paxos ask    --node URL --secret-file FILE [--value-json] [--timeout-ms N] KEY VALUE
       gen-paxos read   --node URL --secret-file FILE KEY
       gen-paxos status --node URL --secret-file FILE
  common: [--cluster NAME] [--tls-ca FILE] [--json] [--config FILE]`;

const COMMON = {
  node: { type: 'string' },
  'secret-file': { type: 'string' },
  cluster: { type: 'string' },
  'tls-ca': { type: 'string' },
  json: { type: 'boolean' },
} as const;

export async function runAsk(argv: readonly string[], io: CliIo): Promise<number> {
  const spec = { ...COMMON, 'value-json': { type: 'boolean' }, 'timeout-ms': { type: 'string' } } as const;
  const { values, positionals } = parseFlags(argv, spec, ['KEY', 'VALUE']);
  const [key, rawValue] = positionals as [string, string];
  let value: PaxosValue = rawValue;
  if (values['value-json'] === true) {
    try {
      value = JSON.parse(rawValue) as PaxosValue;
    } catch (error) {
      throw new UsageError(`--value-json: VALUE is not JSON: ${(error as Error).message}`);
    }
  }
  // Bad arguments are usage errors, found before any connection is tried.
  const problem = checkKey(key) ?? checkValue(value);
  if (problem !== null) throw new UsageError(problem);
  const timeoutRaw = stringFlag(values, 'timeout-ms');
  const timeout =
    timeoutRaw === undefined ? {} : { timeoutMs: integerFlag(timeoutRaw, 'timeout-ms', 0, 1, 60_000) };
  return withClient('ask', values, io, async (client) => {
    const decided = await client.ask(key, value, timeout);
    const won = JSON.stringify(jsonOf(decided)) === JSON.stringify(jsonOf(value));
    io.out(
      values.json === true
        ? `${JSON.stringify({ key, value: jsonOf(decided), asked: jsonOf(value), won, node: client.node })}\n`
        : `${showValue(decided)}\n`,
    );
    return EXIT.OK;
  });
}

export async function runRead(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags(argv, COMMON, ['KEY']);
  const key = positionals[0] as string;
  const problem = checkKey(key);
  if (problem !== null) throw new UsageError(problem);
  return withClient('read', values, io, async (client) => {
    const value = await client.read(key);
    if (values.json === true) {
      io.out(
        `${JSON.stringify({ key, decided: value !== undefined, value: value === undefined ? null : jsonOf(value), node: client.node })}\n`,
      );
    } else if (value !== undefined) {
      io.out(`${showValue(value)}\n`);
    } else {
      io.err(`gen-paxos read: node ${client.node} knows no decision for ${JSON.stringify(key)}\n`);
    }
    return value === undefined ? EXIT.NOT_DECIDED : EXIT.OK;
  });
}

export async function runStatus(argv: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseFlags(argv, COMMON, []);
  return withClient('status', values, io, async (client) => {
    const status = await client.status();
    io.out(values.json === true ? `${JSON.stringify(status)}\n` : `${formatStatus(status)}\n`);
    return EXIT.OK;
  });
}

async function withClient(
  command: string,
  values: FlagValues,
  io: CliIo,
  use: (client: GenPaxosClient) => Promise<number>,
): Promise<number> {
  const url = nodeUrl(requiredFlag(values, 'node'), '--node');
  const secret = readSecretFile(requiredFlag(values, 'secret-file'));
  const ca = stringFlag(values, 'tls-ca');
  let client: GenPaxosClient | null = null;
  try {
    client = await connectClient(url, {
      secret,
      cluster: stringFlag(values, 'cluster') ?? DEFAULT_CLUSTER,
      ...(ca ? { ca: readTextFile(ca, '--tls-ca') } : {}),
    });
    return await use(client);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const code = (error as { code?: unknown }).code;
    const message = (error as Error).message;
    if (values.json === true) io.out(`${JSON.stringify({ error: { code: code ?? null, message } })}\n`);
    io.err(`gen-paxos ${command}: ${message}\n`);
    return exitCodeOf(error);
  } finally {
    await client?.close();
  }
}

const UNREACHABLE: readonly string[] = [
  WIRE_ERROR_CODES.CONNECT_FAILED,
  WIRE_ERROR_CODES.CONNECTION_CLOSED,
  WIRE_ERROR_CODES.REQUEST_TIMEOUT,
  WIRE_ERROR_CODES.HANDSHAKE_TIMEOUT,
];
const REFUSED: readonly string[] = [
  WIRE_ERROR_CODES.AUTH_FAILED,
  WIRE_ERROR_CODES.WRONG_CLUSTER,
  WIRE_ERROR_CODES.BAD_VERSION,
  WIRE_ERROR_CODES.UNKNOWN_NODE,
  WIRE_ERROR_CODES.INCARNATION_REFUSED,
  WIRE_ERROR_CODES.BUSY,
];

export function exitCodeOf(error: unknown): number {
  if (error instanceof WireError) {
    if (UNREACHABLE.includes(error.code)) return EXIT.UNREACHABLE;
    if (REFUSED.includes(error.code)) return EXIT.REFUSED;
    return EXIT.REQUEST_FAILED;
  }
  if (error instanceof GenPaxosError) {
    return error.code === 'PAXOS_ERR_BAD_KEY' || error.code === 'PAXOS_ERR_BAD_VALUE'
      ? EXIT.USAGE
      : EXIT.REQUEST_FAILED;
  }
  return EXIT.FAILURE;
}

function formatStatus(status: NodeStatus): string {
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const head = [
    `node ${status.node}  ${status.url}  cluster ${status.cluster}  up ${seconds(status.uptimeMs)}  ${status.durable ? 'durable' : 'memory only'}`,
    `members: ${status.members.join(', ')}   clients connected: ${status.clients}`,
    '',
  ];
  const links = formatTable(
    ['peer', 'link', 'dialled by', 'for'],
    status.links.map((link) => [link.peer, link.state, link.dialledBy ?? '-', seconds(link.forMs)]),
  );
  const counters = formatTable(
    ['counter', 'value'],
    Object.entries(status.counters)
      .filter(([, value]) => value !== 0)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, value]) => [name, String(value)]),
  );
  const { total, keys } = status.pending;
  const pending =
    total === 0
      ? ['no pending keys']
      : [
          `pending keys: ${total}${total > keys.length ? ` (first ${keys.length})` : ''}`,
          formatTable(
            ['key', 'state'],
            keys.map(({ key, state }) => [key, state]),
          ),
        ];
  return [...head, links, '', counters, '', ...pending].join('\n');
}
