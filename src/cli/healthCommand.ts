// `gen-paxos health`: asks every endpoint for its status at once and prints one line per member
// of the cluster: up or down and why, its configuration, decided keys and commit latency. A
// member is healthy when it answers and reaches a quorum itself; the command exits 0 only while a
// quorum of the members is healthy (etcdctl's `endpoint health`, for the whole cluster at once).
import { connectClient } from '../transport/client/client.js';
import type { NodeStatus } from '../transport/wire/frames.js';
import { reasonSummary } from '../transport/wire/linkReasons.js';
import { readinessOf } from '../transport/wire/readiness.js';
import { majority } from '../paxos/quorum.js';
import { parseFlags, type FlagValues } from './args.js';
import { clientSettings } from './clientOptions.js';
import { EXIT } from './exitCodes.js';
import type { CommandSpec } from './flagTable.js';
import type { CliIo } from './io.js';
import { formatTable } from './table.js';

export interface MemberHealth {
  readonly id: string;
  readonly url: string | null;
  readonly state: 'up' | 'down';
  readonly healthy: boolean;
  /** Why down or unhealthy: the client's error, and what the other members see. */
  readonly reason: string | null;
  readonly cluster: string | null;
  readonly version: string | null;
  readonly members: readonly string[] | null;
  readonly durable: boolean | null;
  readonly decided: number | null;
  readonly commitMsMean: number | null;
  readonly reachable: string | null;
}

export interface ClusterHealth {
  readonly healthy: boolean;
  readonly quorum: number | null;
  readonly members: readonly MemberHealth[];
}

type Probe = { readonly url: string } & (
  { readonly ok: true; readonly status: NodeStatus } | { readonly ok: false; readonly error: string }
);

export async function runHealth(argv: readonly string[], io: CliIo, spec: CommandSpec): Promise<number> {
  const { values } = parseFlags(argv, spec);
  const health = await probeCluster(values);
  if (values.json === true) io.out(`${JSON.stringify(health)}\n`);
  else io.out(`${formatHealth(health)}\n`);
  return health.healthy ? EXIT.OK : EXIT.UNHEALTHY;
}

async function probeCluster(values: FlagValues): Promise<ClusterHealth> {
  const { endpoints, options } = clientSettings(values);
  const probes = await Promise.all(
    endpoints.map(async (url): Promise<Probe> => {
      try {
        const client = await connectClient(url, options);
        try {
          return { url, ok: true, status: await client.status() };
        } finally {
          await client.close();
        }
      } catch (error) {
        return { url, ok: false, error: (error as Error).message };
      }
    }),
  );
  return judge(probes);
}

/** From what each endpoint said (or why it said nothing), the health of each member. Pure. */
export function judge(probes: readonly Probe[]): ClusterHealth {
  const answered = probes.filter((probe): probe is Probe & { ok: true } => probe.ok);
  const ids = new Set<string>();
  for (const { status } of answered) {
    ids.add(status.node);
    for (const member of status.members) ids.add(member);
  }
  // A member's URL, from a link that names it (nodes report where they dial each peer).
  const urlOf = new Map<string, string>();
  for (const { status } of answered) {
    urlOf.set(status.node, status.url);
    for (const link of status.links) if (link.url) urlOf.set(link.peer, link.url);
  }
  const members: MemberHealth[] = [...ids].sort().map((id) => {
    const probe = answered.find(({ status }) => status.node === id);
    if (probe) {
      const { status } = probe;
      const readiness = readinessOf(status.node, status.members, status.links);
      const commitMs = status.counters['storage.commitMsMean'];
      return {
        id,
        url: probe.url,
        state: 'up',
        healthy: readiness.ready,
        reason: readiness.ready
          ? null
          : `reaches ${readiness.reachable.length} of ${status.members.length} members, a quorum needs ${readiness.quorum}`,
        cluster: status.cluster,
        version: status.version ?? null,
        members: status.members,
        durable: status.durable,
        decided: status.counters['node.decided'] ?? 0,
        commitMsMean: commitMs ?? null,
        reachable: `${readiness.reachable.length}/${status.members.length}`,
      };
    }
    const url = urlOf.get(id) ?? null;
    const failed = probes.find((p) => !p.ok && p.url === url) as (Probe & { ok: false }) | undefined;
    const seen = answered
      .map(({ status }) => {
        const link = status.links.find((l) => l.peer === id);
        return link && link.state === 'down' && link.reason
          ? `${status.node} sees ${reasonSummary(link.reason)}`
          : null;
      })
      .filter((line): line is string => line !== null);
    const reason = [failed ? failed.error : url === null ? 'not among the endpoints' : null, ...seen]
      .filter(Boolean)
      .join('; ');
    return {
      id,
      url,
      state: 'down',
      healthy: false,
      reason: reason || 'no answer',
      cluster: null,
      version: null,
      members: null,
      durable: null,
      decided: null,
      commitMsMean: null,
      reachable: null,
    };
  });
  // Endpoints that answered nothing and belong to no known member (no node answered at all).
  for (const probe of probes)
    if (!probe.ok && !members.some((member) => member.url === probe.url))
      members.push({
        id: '?',
        url: probe.url,
        state: 'down',
        healthy: false,
        reason: probe.error,
        cluster: null,
        version: null,
        members: null,
        durable: null,
        decided: null,
        commitMsMean: null,
        reachable: null,
      });
  const memberCount = ids.size;
  const quorum = memberCount === 0 ? null : majority(memberCount);
  const healthy = quorum !== null && members.filter((member) => member.healthy).length >= quorum;
  return { healthy, quorum, members };
}

function formatHealth(health: ClusterHealth): string {
  const rows = health.members.map((member) => [
    member.id,
    member.state === 'up' ? (member.healthy ? 'up' : 'up, no quorum') : 'down',
    member.url ?? '-',
    member.reachable ?? '-',
    member.decided === null ? '-' : String(member.decided),
    member.commitMsMean === null ? '-' : `${member.commitMsMean} ms`,
    member.cluster === null
      ? '-'
      : `cluster ${member.cluster}, members ${member.members?.join(',')}${member.durable ? ', durable' : ''}${member.version ? `, v${member.version}` : ''}`,
    member.reason ?? '',
  ]);
  const table = formatTable(
    ['member', 'state', 'endpoint', 'reaches', 'decided', 'commit', 'configuration', 'why'],
    rows,
  );
  const healthyCount = health.members.filter((member) => member.healthy).length;
  const verdict =
    health.quorum === null
      ? 'unhealthy: no endpoint answered'
      : `${health.healthy ? 'healthy' : 'unhealthy'}: ${healthyCount} of ${health.members.filter((m) => m.id !== '?').length} members healthy, a quorum needs ${health.quorum}`;
  return `${table}\n${verdict}`;
}
