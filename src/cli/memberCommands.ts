// `gen-paxos member list | add | remove | replace` (docs/membership.md §13.1, docs/cli.md): the
// client protocol's membership requests through the first endpoint that answers. A change waits
// until it is complete; its exit status says where the cluster stands (0 complete, 6 refused or
// not decided, 7 decided but not complete in time: it completes by itself).
import { ERROR_CODES } from '../base/errors.js';
import { connectClient, type ClientOptions, type GenPaxosClient } from '../transport/client/client.js';
import type { MembersReport, NewMember } from '../transport/client/memberRequests.js';
import { integerFlag, nodeId, nodeUrl, parseFlags, stringFlag, type FlagValues } from './args.js';
import { clientSettings } from './clientOptions.js';
import { exitCodeOf, withClient } from './clientCommands.js';
import { EXIT, UsageError } from './exitCodes.js';
import type { CommandSpec } from './flagTable.js';
import type { CliIo } from './io.js';
import { formatTable } from './table.js';

/** How often a change looks at the node's configuration, to report its steps on stderr. */
const PROGRESS_MS = 1000;
/** How long `member list` waits for each other member to say whether it is caught up. */
const PROBE_CONNECT_TIMEOUT_MS = 2000;

/** `ID=URL` (an argument of `member add` and `member replace`): a member id and its URL. */
export function memberArg(raw: string, what: string): NewMember {
  const at = raw.indexOf('=');
  if (at <= 0)
    throw new UsageError(
      `${what} must be ID=URL (for example d=ws://10.0.0.4:7001), got ${JSON.stringify(raw)}`,
    );
  return { id: nodeId(raw.slice(0, at), what), url: nodeUrl(raw.slice(at + 1), what) };
}

/** The exit status of a change's failure: 7 when it is decided but not complete, else as `ask`. */
export function changeExitCode(error: unknown): number {
  if ((error as { code?: unknown }).code === ERROR_CODES.CHANGE_INCOMPLETE) return EXIT.CHANGE_INCOMPLETE;
  return exitCodeOf(error);
}

export async function runMemberList(argv: readonly string[], io: CliIo, spec: CommandSpec): Promise<number> {
  const { values } = parseFlags(argv, spec);
  const { options } = clientSettings(values);
  return withClient(spec.name, values, io, async (client) => {
    const report = await withCaughtUp(await client.members(), options);
    io.out(values.json === true ? `${JSON.stringify(report)}\n` : `${formatMembers(report)}\n`);
    return EXIT.OK;
  });
}

export async function runMemberAdd(argv: readonly string[], io: CliIo, spec: CommandSpec): Promise<number> {
  const { values, positionals } = parseFlags(argv, spec);
  const member = memberArg(positionals[0] as string, 'ID=URL');
  return change(spec, values, io, `add ${member.id} (${member.url})`, (client, options) =>
    client.addMember(member, options),
  );
}

export async function runMemberRemove(
  argv: readonly string[],
  io: CliIo,
  spec: CommandSpec,
): Promise<number> {
  const { values, positionals } = parseFlags(argv, spec);
  const id = nodeId(positionals[0] as string, 'ID');
  return change(spec, values, io, `remove ${id}`, (client, options) => client.removeMember(id, options));
}

export async function runMemberReplace(
  argv: readonly string[],
  io: CliIo,
  spec: CommandSpec,
): Promise<number> {
  const { values, positionals } = parseFlags(argv, spec);
  const oldId = nodeId(positionals[0] as string, 'OLD-ID');
  const member = memberArg(positionals[1] as string, 'NEW-ID=URL');
  if (member.id === oldId)
    throw new UsageError(`NEW-ID must differ from OLD-ID (${oldId}): a new member has a new id`);
  return change(spec, values, io, `replace ${oldId} by ${member.id} (${member.url})`, (client, options) =>
    client.replaceMember(oldId, member, options),
  );
}

async function change(
  spec: CommandSpec,
  values: FlagValues,
  io: CliIo,
  what: string,
  run: (client: GenPaxosClient, options: { timeoutMs: number }) => Promise<MembersReport>,
): Promise<number> {
  const timeoutMs = integerFlag(stringFlag(values, 'timeout-ms'), 'timeout-ms', 60_000, 1, 600_000);
  return withClient(
    spec.name,
    values,
    io,
    async (client) => {
      io.err(
        `gen-paxos ${spec.name}: asking node ${client.node} to ${what}; waiting up to ${timeoutMs} ms for the change to complete\n`,
      );
      const stopProgress = watchProgress(client, (line) => io.err(`gen-paxos ${spec.name}: ${line}\n`));
      try {
        const report = await run(client, { timeoutMs });
        io.out(values.json === true ? `${JSON.stringify(report)}\n` : `${formatMembers(report)}\n`);
        return EXIT.OK;
      } finally {
        stopProgress();
      }
    },
    (error) => {
      const status = changeExitCode(error);
      if (status === EXIT.CHANGE_INCOMPLETE)
        io.err(
          `gen-paxos ${spec.name}: the change is decided and will complete by itself; watch it with gen-paxos member list\n`,
        );
      return status;
    },
  );
}

/**
 * While a change runs, asks the node for its configuration every PROGRESS_MS and reports each
 * step it sees (the new configuration adopted, the transition complete). Returns the stopper.
 */
function watchProgress(client: GenPaxosClient, say: (line: string) => void): () => void {
  let last: string | null = null;
  let stopped = false;
  const look = async () => {
    const report = await client.members().catch(() => null);
    if (stopped || report === null) return;
    const state = report.complete
      ? `configuration ${report.config} (epoch ${report.epoch}) is complete on node ${report.node}`
      : `configuration ${report.config} (epoch ${report.epoch}) is adopted on node ${report.node}; ` +
        `its transition from [${(report.previousVoters ?? []).join(', ')}] is running (rescan)`;
    if (last !== null && state !== last) say(state);
    last = state;
  };
  void look();
  const timer = setInterval(() => void look(), PROGRESS_MS);
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}

/**
 * Fills in each other member's `caughtUp` from the member itself (only a member knows whether it
 * pulled every peer's log): asked at its URL, in parallel, briefly; one that does not answer
 * stays unknown (null).
 */
async function withCaughtUp(report: MembersReport, options: ClientOptions): Promise<MembersReport> {
  const probe = async (id: string, url: string | null): Promise<boolean | null> => {
    if (url === null || !/^wss?:\/\//.test(url)) return null;
    let client: GenPaxosClient | null = null;
    try {
      client = await connectClient(url, {
        ...options,
        connectTimeoutMs: Math.min(
          options.connectTimeoutMs ?? PROBE_CONNECT_TIMEOUT_MS,
          PROBE_CONNECT_TIMEOUT_MS,
        ),
        requestTimeoutMs: PROBE_CONNECT_TIMEOUT_MS,
        routeAsks: false,
      });
      if (client.node !== id) return null; // someone else listens there now
      const own = (await client.members()).members.find((member) => member.id === id);
      return own?.caughtUp ?? null;
    } catch {
      return null;
    } finally {
      await client?.close().catch(() => {});
    }
  };
  const members = await Promise.all(
    report.members.map(async (member) =>
      member.link === 'self' ? member : { ...member, caughtUp: await probe(member.id, member.url) },
    ),
  );
  return { ...report, members };
}

/** The text `member list` and the changes print. */
export function formatMembers(report: MembersReport): string {
  if (report.members.length === 0)
    return `node ${report.node} has no configuration yet: it is joining, and waits for the group to send it (gen-paxos member add ${report.node}=URL on a member)`;
  const state = report.complete
    ? 'complete'
    : `changing from [${(report.previousVoters ?? []).join(', ')}]: the transition is not complete`;
  const head = `configuration ${report.config} (epoch ${report.epoch}), ${state}; as node ${report.node} knows it`;
  const yesNo = (value: boolean | null) => (value === null ? 'unknown' : value ? 'yes' : 'no');
  const table = formatTable(
    ['id', 'url', 'voter', 'link', 'caught up'],
    report.members.map((member) => [
      member.id,
      member.url ?? '-',
      member.voter ? 'yes' : 'leaving',
      member.link === 'down' && member.linkDown !== null ? `down (${member.linkDown})` : member.link,
      yesNo(member.caughtUp),
    ]),
  );
  return `${head}\n${table}`;
}
