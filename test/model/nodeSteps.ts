// One node of the model: the real instance machine driven through XState's pure
// `transition()`. A node state is an interned machine snapshot; a step's emitted effects become
// interned messages, records, acceptances and decisions. Steps are cached per (node state,
// event), since the same local step recurs in many global states.
import { initialTransition, transition, type SnapshotFrom } from 'xstate';
import { formatBallot } from '../../src/paxos/ballot.js';
import { envelopesOf, type Effect } from '../../src/paxos/effects.js';
import type { InstanceMachine } from '../../src/paxos/instanceMachine.js';
import type { Envelope, PaxosValue } from '../../src/paxos/messages.js';
import { EMPTY_RECORD, type KeyRecord } from '../../src/paxos/record.js';
import { compactRecord } from '../../src/storage/storage.js';
import { Interner, stableStringify } from './canonical.js';
import type { ModelConfig } from './config.js';

export type NodeSnapshot = SnapshotFrom<InstanceMachine>;

/** A durable acceptance (ghost state): `node` accepted `value` in `ballot`. */
export interface Acceptance {
  readonly node: string;
  readonly ballot: string;
  readonly value: number;
}

/** One effect as the world sees it, in emission order. */
export type Step =
  | { readonly kind: 'persist'; readonly record: number; readonly acceptance: number | null }
  | { readonly kind: 'send'; readonly messages: readonly number[] }
  | { readonly kind: 'decided'; readonly value: number };

export interface NodeOutcome {
  readonly next: number;
  readonly steps: readonly Step[];
}

/** Local events: 0 the state's timer fires, 1 the client asks, 2 the supervisor retires an idle
 * instance, 3 + m message m is delivered. */
export const TIMEOUT = 0;
export const ASK = 1;
export const RETIRE = 2;
export const DELIVER_BASE = 3;

export const KEY = 'k';

export class NodeSteps {
  readonly nodes = new Interner<NodeSnapshot>();
  readonly records = new Interner<KeyRecord>();
  readonly messages = new Interner<Envelope>();
  readonly acceptances = new Interner<Acceptance>();
  readonly values = new Interner<PaxosValue>();
  /** Messages by recipient index, so delivery only scans a node's own mail. */
  readonly inbox: number[][];
  /** Machine errors met while stepping (the instance would crash): a finding in itself. */
  readonly machineErrors: string[] = [];
  readonly emptyRecord: number;
  private readonly cache: Map<number, NodeOutcome | null>[] = [];
  private readonly starts = new Map<number, NodeOutcome>();
  private readonly timeoutEvents = new Map<string, string>();

  constructor(readonly config: ModelConfig) {
    this.inbox = config.members.map(() => []);
    for (const value of Object.values(config.proposals)) this.valueId(value);
    this.emptyRecord = this.recordId(EMPTY_RECORD);
    // Timers are XState delayed transitions; their events are derived from the machine itself.
    for (const [name, state] of Object.entries(config.machine.root.states)) {
      const after = state.after[0];
      if (after !== undefined) this.timeoutEvents.set(name, after.eventType);
    }
  }

  valueId(value: PaxosValue): number {
    return this.values.intern(stableStringify(value), () => value);
  }

  recordId(record: KeyRecord): number {
    const compact = compactRecord(record);
    return this.records.intern(stableStringify(compact), () => compact);
  }

  /** A node (re)started from `record`, as the supervisor spawns it. Cached: crashes are many. */
  start(index: number, record: number): NodeOutcome {
    const key = record * this.config.members.length + index;
    let started = this.starts.get(key);
    if (started === undefined) {
      started = this.spawn(index, record);
      this.starts.set(key, started);
    }
    return started;
  }

  private spawn(index: number, record: number): NodeOutcome {
    const [snapshot, actions] = initialTransition(this.config.machine, {
      key: KEY,
      node: this.nameOf(index),
      members: this.config.members,
      record: this.records.get(record),
      ownerFastPath: this.config.ownerFastPath ?? false,
    });
    return { next: this.nodeId(snapshot), steps: this.stepsOf(index, emitted(actions)) };
  }

  nameOf(index: number): string {
    const name = this.config.members[index];
    if (name === undefined) throw new Error(`no member ${index}`);
    return name;
  }

  hasTimer(node: number): boolean {
    return this.timeoutEvents.has(this.valueOf(node));
  }

  valueOf(node: number): string {
    return String(this.nodes.get(node).value);
  }

  /** The outcome of `event` in `node`, or null when it is pruned (ballot bound) or not enabled. */
  step(index: number, node: number, event: number): NodeOutcome | null {
    let byEvent = this.cache[node];
    if (byEvent === undefined) {
      byEvent = new Map();
      this.cache[node] = byEvent;
    }
    let outcome = byEvent.get(event);
    if (outcome === undefined) {
      outcome = this.compute(index, node, event);
      byEvent.set(event, outcome);
    }
    return outcome;
  }

  private compute(index: number, node: number, event: number): NodeOutcome | null {
    const snapshot = this.nodes.get(node);
    const name = this.nameOf(index);
    if (event === RETIRE) {
      // The supervisor stops an idle instance in `nil` and respawns it from storage later
      // (keySupervisor.ts); only in-memory hints such as the highest round seen are lost.
      if (snapshot.value !== 'nil') return null;
      const started = this.start(index, this.recordId(recordOf(snapshot.context)));
      return started.next === node ? null : started;
    }
    let machineEvent: Parameters<typeof transition<InstanceMachine>>[2];
    if (event === TIMEOUT) {
      const type = this.timeoutEvents.get(String(snapshot.value));
      if (type === undefined) return null;
      machineEvent = { type } as unknown as typeof machineEvent;
    } else if (event === ASK) {
      const value = this.config.proposals[name];
      if (value === undefined) return null;
      machineEvent = { type: 'ask', value };
    } else {
      const envelope = this.messages.get(event - DELIVER_BASE);
      machineEvent = { ...envelope.message, from: envelope.from };
    }
    let next: NodeSnapshot;
    let actions: ReturnType<typeof transition<InstanceMachine>>[1];
    try {
      [next, actions] = transition(this.config.machine, snapshot, machineEvent);
    } catch (error) {
      this.machineErrors.push(
        `${name} in ${String(snapshot.value)} on ${machineEvent.type}: ${String(error)}`,
      );
      return null;
    }
    if (next.status === 'error') {
      this.machineErrors.push(
        `${name} in ${String(snapshot.value)} on ${machineEvent.type}: ${String(next.error)}`,
      );
      return null;
    }
    // Bounded ballots: a step that would start a ballot above the bound is not explored.
    const ballot = next.context.ballot;
    if (ballot !== null && ballot.round > this.config.maxRound) return null;
    const steps = this.stepsOf(index, emitted(actions));
    const nextId = this.nodeId(next);
    if (nextId === node && steps.length === 0) return null; // a no-op: nothing to explore
    return { next: nextId, steps };
  }

  private nodeId(snapshot: NodeSnapshot): number {
    return this.nodes.intern(nodeKey(snapshot), () => snapshot);
  }

  private stepsOf(index: number, effects: readonly Effect[]): Step[] {
    const name = this.nameOf(index);
    const steps: Step[] = [];
    for (const effect of effects) {
      switch (effect.type) {
        case 'persist': {
          const accepted = effect.record.accepted;
          const acceptance =
            accepted === null
              ? null
              : this.acceptanceId({
                  node: name,
                  ballot: formatBallot(accepted.ballot),
                  value: this.valueId(accepted.value),
                });
          steps.push({ kind: 'persist', record: this.recordId(effect.record), acceptance });
          break;
        }
        case 'send':
        case 'broadcast':
          steps.push({
            kind: 'send',
            messages: envelopesOf(effect, name, this.config.members).map((envelope) =>
              this.messageId(envelope),
            ),
          });
          break;
        case 'decided':
        case 'answer':
          // Either way a client is told the value: it is learned.
          steps.push({ kind: 'decided', value: this.valueId(effect.value) });
          break;
        case 'refused':
          break;
      }
    }
    return steps;
  }

  private acceptanceId(acceptance: Acceptance): number {
    return this.acceptances.intern(
      `${acceptance.node}|${acceptance.ballot}|${acceptance.value}`,
      () => acceptance,
    );
  }

  private messageId(envelope: Envelope): number {
    const known = this.messages.size;
    const id = this.messages.intern(stableStringify(envelope), () => envelope);
    if (id === known) this.inbox[this.config.members.indexOf(envelope.to)]?.push(id);
    return id;
  }
}

function recordOf(context: KeyRecord): KeyRecord {
  return { promised: context.promised, accepted: context.accepted, decided: context.decided };
}

/** The effects among a transition's actions, in emission order (`xstate.emit` carries them). */
function emitted(actions: readonly { readonly type: string; readonly params?: unknown }[]): Effect[] {
  const effects: Effect[] = [];
  for (const action of actions) {
    if (action.type === 'xstate.emit') effects.push((action.params as { event: Effect }).event);
  }
  return effects;
}

/**
 * What identifies a node's state for the model: the state value and every context field that
 * can change what it does next. Left out: the backoff attempt, wait and jitter seed, which only
 * set how long a timer runs, and the model lets any timer fire at any time.
 */
function nodeKey(snapshot: NodeSnapshot): string {
  const c = snapshot.context;
  return stableStringify([
    snapshot.value,
    snapshot.status,
    c.node,
    c.promised,
    c.accepted,
    c.decided,
    c.proposal,
    c.ballot,
    [...c.promises].sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0)),
    [...c.acks].sort(),
    c.highestSeenRound,
  ]);
}
