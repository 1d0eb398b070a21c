// The node's answers to the client protocol (ask / read / status / members / change), over a running GenPaxosNode
// and its WebSocket transport. Errors keep their PAXOS_ERR_* codes; the client session turns a
// rejection into an `error` reply.
import { performance } from 'node:perf_hooks';
import type { ClientReplyBody, ClientRequestHandler } from '../transport/client/clientSession.js';
import type { NodeStatus } from '../transport/wire/frames.js';
import type { ClientRequest, MembersReport } from '../transport/client/memberRequests.js';
import { memberReport } from './memberReport.js';
import { residentSplit } from './residentMemory.js';
import type { WebSocketTransport } from '../transport/peer/webSocketTransport.js';
import { flattenStats } from '../transport/wire/wireStats.js';
import type { GenPaxosNode } from '../node/genPaxos.js';
import type { FaultInjectingTransport } from './faultInjection.js';
import { ERROR_CODES, GenPaxosError } from '../base/errors.js';
import { packageVersion } from '../base/version.js';

export interface ServedNode {
  readonly node: GenPaxosNode;
  readonly transport: WebSocketTransport;
  /** Present when the node was started with fault injection allowed. */
  readonly faults?: FaultInjectingTransport;
  readonly durable: boolean;
  /** performance.now() when the node started. */
  readonly startedMs: number;
}

/**
 * The voters of the configuration the node runs under now, sorted (the start members until a
 * change; none while a joining node waits for its group's configuration).
 */
export function currentVoters(node: GenPaxosNode): string[] {
  try {
    return node.internals.membership
      .describe()
      .members.map((member) => member.id)
      .sort();
  } catch {
    return [...node.startMembers].sort(); // stopped: what it was started with
  }
}

/** Pending keys listed in a status reply: enough to see what is stuck, bounded for the frame. */
const STATUS_PENDING_KEYS = 100;

export function statusOf(served: ServedNode): NodeStatus {
  const { node, transport } = served;
  const counters: Record<string, number> = { ...flattenStats(transport.wireStats) };
  if (served.faults)
    for (const [name, value] of Object.entries(served.faults.injected)) counters[`faults.${name}`] = value;
  for (const [name, value] of Object.entries(node.stats)) {
    if (typeof value === 'number') counters[`node.${name}`] = value;
    else for (const [reason, count] of Object.entries(value)) counters[`node.${name}.${reason}`] = count;
  }
  const storage = node.storageStats;
  if (storage) {
    counters['storage.commits'] = storage.commits;
    counters['storage.failedCommits'] = storage.failedCommits;
    counters['storage.writes'] = storage.writes;
    if (storage.commits > 0) {
      // Group commit at a glance: how many keys share an fsync, and what one costs.
      counters['storage.keysPerCommitMean'] = round2(storage.keysCommitted / storage.commits);
      counters['storage.commitMsMean'] = round2(storage.commitLatencyMs.sum / storage.commitLatencyMs.count);
      counters['storage.commitMsMax'] = round2(storage.commitLatencyMs.max);
    }
  }
  const catchup = node.catchupProgress;
  if (catchup) {
    counters['catchup.caughtUp'] = catchup.caughtUp ? 1 : 0;
    counters['catchup.disagreements'] = catchup.disagreements;
    for (const [peer, source] of Object.entries(catchup.sources))
      for (const name of ['keys', 'bytes', 'lagKeys', 'errors', 'keyOrderReads'] as const)
        counters[`catchup.${peer}.${name}`] = source[name];
  }
  // The process's own footprint: benchmarks compare it with the decided keys and live instances.
  const memory = process.memoryUsage();
  counters['process.rssBytes'] = memory.rss;
  counters['process.heapUsedBytes'] = memory.heapUsed;
  const resident = residentSplit();
  if (resident) {
    counters['process.rssAnonBytes'] = resident.anonBytes;
    counters['process.rssFileBytes'] = resident.fileBytes;
  }
  return {
    node: node.id,
    version: packageVersion(),
    cluster: transport.cluster,
    members: currentVoters(node),
    url: transport.url,
    uptimeMs: Math.round(performance.now() - served.startedMs),
    durable: served.durable,
    links: transport.linkStatus(),
    clients: transport.clientCount,
    counters,
    pending: node.pending(STATUS_PENDING_KEYS),
  };
}

export function clientService(served: ServedNode): ClientRequestHandler {
  return async (request: ClientRequest): Promise<ClientReplyBody> => {
    switch (request.type) {
      case 'ask': {
        const options = request.timeoutMs === undefined ? {} : { timeoutMs: request.timeoutMs };
        const value = await served.node.ask(request.key, request.value, options);
        return { type: 'decided', key: request.key, value };
      }
      case 'read': {
        // Local reads resolve a key accepted here but not decided with a quorum read (§8.2, rule 3).
        const value = await served.node.read(request.key, { quorum: request.quorum === true });
        return { type: 'read', key: request.key, decided: value !== undefined, value: value ?? null };
      }
      case 'status':
        return { type: 'status', status: statusOf(served) };
      case 'members':
        return { type: 'members', members: await membersOf(served) };
      case 'change': {
        // Waits until the change is complete; refusals and CHANGE_INCOMPLETE keep their codes.
        const change = {
          ...(request.add !== undefined ? { add: request.add } : {}),
          ...(request.remove !== undefined ? { remove: request.remove } : {}),
        };
        const options = request.timeoutMs === undefined ? {} : { timeoutMs: request.timeoutMs };
        await served.node.changeMembers(change, options);
        return { type: 'members', members: await membersOf(served) };
      }
      case 'faults': {
        if (!served.faults) {
          throw new GenPaxosError(
            ERROR_CODES.FAULTS_DISABLED,
            `node ${served.node.id} does not inject faults (start it with --allow-fault-injection)`,
          );
        }
        const unknown = [...request.faults.blockOut, ...request.faults.blockIn].filter(
          (peer) => !currentVoters(served.node).includes(peer),
        );
        if (unknown.length > 0) {
          throw new GenPaxosError(ERROR_CODES.BAD_OPTION, `not members of this group: ${unknown.join(', ')}`);
        }
        return { type: 'faults', faults: served.faults.set(request.faults) };
      }
      case 'release': {
        if (!served.faults) {
          throw new GenPaxosError(
            ERROR_CODES.FAULTS_DISABLED,
            `node ${served.node.id} does not hold messages (start it with --allow-fault-injection)`,
          );
        }
        return { type: 'release', released: served.faults.release(request.held, request.how) };
      }
    }
  };
}

/** The node's newest configuration, with its links and its own catch-up state (memberReport.ts). */
export async function membersOf(served: ServedNode): Promise<MembersReport> {
  const { node, transport } = served;
  return memberReport({
    self: node.id,
    selfUrl: transport.url,
    view: await node.members(),
    links: transport.linkStatus(),
    caughtUp: node.catchupProgress?.caughtUp ?? null,
  });
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
