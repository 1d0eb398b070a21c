// Readable traces of a test cluster: each message as it is delivered, each instance state
// change it causes, each write and commit. Used for golden-trace tests and the guided walk
// in docs/walkthrough.md. Traces contain virtual times only, never session ids or wall time.
import type { InspectionEvent } from 'xstate';
import { formatBallot, type Ballot } from '../../src/paxos/ballot.js';
import type { Envelope, PaxosMessage } from '../../src/paxos/messages.js';
import type { KeyRecord } from '../../src/paxos/record.js';
import type { TestCluster } from './cluster.js';

export function describeMessage(message: PaxosMessage): string {
  switch (message.type) {
    case 'prepare':
    case 'acknowledge':
      return `${message.type}(${formatBallot(message.ballot)})`;
    case 'promise':
      return `promise(${formatBallot(message.ballot)}, accepted ${message.accepted ? `${JSON.stringify(message.accepted.value)} in ${formatBallot(message.accepted.ballot)}` : 'nothing'})`;
    case 'propose':
      return `propose(${formatBallot(message.ballot)}, ${JSON.stringify(message.value)})`;
    case 'reject':
      return `reject(${formatBallot(message.ballot)}, promised ${formatBallot(message.promised)})`;
    case 'decide':
      return `decide(${JSON.stringify(message.value)})`;
    case 'forward':
      return `forward(${JSON.stringify(message.value)})`;
    case 'query':
      return `query(${message.read})`;
    case 'state':
      return `state(${message.read}, accepted ${message.accepted ? `${JSON.stringify(message.accepted.value)} in ${formatBallot(message.accepted.ballot)}` : 'nothing'}, decided ${message.decided ? JSON.stringify(message.decided.value) : 'nothing'})`;
  }
}

export function describeRecord(record: KeyRecord): string {
  const parts: string[] = [];
  if (record.promised) parts.push(`promised ${formatBallot(record.promised)}`);
  if (record.accepted)
    parts.push(
      `accepted ${JSON.stringify(record.accepted.value)} in ${formatBallot(record.accepted.ballot)}`,
    );
  if (record.decided) parts.push(`decided ${JSON.stringify(record.decided.value)}`);
  return parts.join(', ');
}

export class ClusterTracer {
  readonly lines: string[] = [];
  private readonly states = new Map<string, string>();

  constructor(private readonly cluster: TestCluster) {
    cluster.network.observe((kind, envelope: Envelope) => {
      if (kind === 'delivered')
        this.line(
          `${envelope.from} → ${envelope.to}`,
          `${describeMessage(envelope.message)} for ${envelope.key}`,
        );
      if (kind === 'dropped')
        this.line(
          `${envelope.from} → ${envelope.to}`,
          `${describeMessage(envelope.message)} for ${envelope.key} LOST`,
        );
    });
    for (const [id, storage] of cluster.storages) {
      storage.observe((event) => {
        if (event.type === 'write') this.line(id, `write ${event.key}: ${describeRecord(event.record)}`);
        else this.line(id, `commit ${event.keys.join(', ')} (durable)`);
      });
    }
  }

  /** Pass to the cluster's `inspect` option: records instance state changes. */
  readonly inspect = (nodeId: string, event: InspectionEvent): void => {
    if (event.type !== '@xstate.snapshot') return;
    const snapshot = event.snapshot as {
      value?: unknown;
      context?: { key?: string; ballot?: Ballot | null };
    };
    if (typeof snapshot.value !== 'string' || typeof snapshot.context?.key !== 'string') return;
    const slot = `${nodeId}/${snapshot.context.key}`;
    const before = this.states.get(slot);
    if (before === snapshot.value) return;
    this.states.set(slot, snapshot.value);
    const ballot = snapshot.context.ballot ? `  (ballot ${formatBallot(snapshot.context.ballot)})` : '';
    this.line(slot, `${before ?? 'spawned'} → ${snapshot.value}${ballot}`);
  };

  note(where: string, text: string): void {
    this.line(where, text);
  }

  private line(where: string, text: string): void {
    this.lines.push(`${String(this.cluster.clock.now()).padStart(4)} ms  ${where.padEnd(9)} ${text}`);
  }
}
