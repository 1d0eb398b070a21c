// `gen-paxos ask | read | status` (and the helpers `member` shares): one request through the client protocol, to the first of the
// endpoints that answers (clientOptions.ts reads them from flags, config or environment).
// Results go to stdout (the value, or JSON with --json); errors to stderr, with the exit
// statuses of exitCodes.ts chosen by the error's code.
import { GenPaxosError } from '../base/errors.js';
import type { PaxosValue } from '../paxos/messages.js';
import { checkKey, checkValue } from '../paxos/validate.js';
import { connectClient, type GenPaxosClient } from '../transport/client/client.js';
import type { NodeStatus } from '../transport/wire/frames.js';
import { describeReason } from '../transport/wire/linkReasons.js';
import { readinessOf } from '../transport/wire/readiness.js';
import { WIRE_ERROR_CODES, WireError } from '../transport/wire/wireErrors.js';
import { integerFlag, parseFlags, stringFlag, type FlagValues } from './args.js';
import { clientSettings } from './clientOptions.js';
import { EXIT, UsageError } from './exitCodes.js';
import type { CommandSpec } from './flagTable.js';
import type { CliIo } from './io.js';
import { formatTable } from './table.js';
import { jsonOf, showValue } from './values.js';

export async function runAsk(argv: readonly string[], io: CliIo, spec: CommandSpec): Promise<number> {
  const { values, positionals } = parseFlags(argv, spec);
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
    if (!won && values['expect-won'] === true) {
      io.err(`gen-paxos ask: another value was decided for ${JSON.stringify(key)} (this ask lost)\n`);
      return EXIT.LOST;
    }
    return EXIT.OK;
  });
}

export async function runRead(argv: readonly string[], io: CliIo, spec: CommandSpec): Promise<number> {
  const { values, positionals } = parseFlags(argv, spec);
  const key = positionals[0] as string;
  const problem = checkKey(key);
  if (problem !== null) throw new UsageError(problem);
  return withClient('read', values, io, async (client) => {
    const quorum = values.quorum === true;
    const value = await client.read(key, { quorum });
    if (values.json === true) {
      io.out(
        `${JSON.stringify({ key, decided: value !== undefined, value: value === undefined ? null : jsonOf(value), node: client.node, quorum })}\n`,
      );
    } else if (value !== undefined) {
      io.out(`${showValue(value)}\n`);
    } else if (quorum) {
      io.err(
        `gen-paxos read: no value is decided for ${JSON.stringify(key)} (a quorum, asked by node ${client.node})\n`,
      );
    } else {
      io.err(`gen-paxos read: node ${client.node} knows no decision for ${JSON.stringify(key)}\n`);
    }
    return value === undefined ? EXIT.NOT_DECIDED : EXIT.OK;
  });
}

export async function runStatus(argv: readonly string[], io: CliIo, spec: CommandSpec): Promise<number> {
  const { values } = parseFlags(argv, spec);
  return withClient('status', values, io, async (client) => {
    const status = await client.status();
    const readiness = readinessOf(status.node, status.members, status.links);
    io.out(
      values.json === true ? `${JSON.stringify({ ...status, readiness })}\n` : `${formatStatus(status)}\n`,
    );
    if (readiness.ready) return EXIT.OK;
    io.err(
      `gen-paxos status: node ${status.node} reaches ${readiness.reachable.length} of ${status.members.length} members; a quorum needs ${readiness.quorum}\n`,
    );
    return EXIT.UNHEALTHY;
  });
}

/** Connects, runs `use`, closes; an error is printed and turned into an exit status by `exitOf`. */
export async function withClient(
  command: string,
  values: FlagValues,
  io: CliIo,
  use: (client: GenPaxosClient) => Promise<number>,
  exitOf: (error: unknown) => number = exitCodeOf,
): Promise<number> {
  const { endpoints, options } = clientSettings(values);
  let client: GenPaxosClient | null = null;
  try {
    client = await connectClient(endpoints, options);
    return await use(client);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const code = (error as { code?: unknown }).code;
    const message = (error as Error).message;
    if (values.json === true) io.out(`${JSON.stringify({ error: { code: code ?? null, message } })}\n`);
    io.err(`gen-paxos ${command}: ${message}\n`);
    return exitOf(error);
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
  const version = status.version ? `  v${status.version}` : '';
  const head = [
    `node ${status.node}  ${status.url}  cluster ${status.cluster}  up ${seconds(status.uptimeMs)}  ${status.durable ? 'durable' : 'memory only'}${version}`,
    `members: ${status.members.join(', ')}   clients connected: ${status.clients}`,
    '',
  ];
  const links = formatTable(
    ['peer', 'link', 'dialled by', 'for', 'why down'],
    status.links.map((link) => [
      link.peer,
      link.state,
      link.dialledBy ?? '-',
      seconds(link.forMs),
      link.state === 'down' && link.reason ? describeReason(link.reason) : '',
    ]),
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
