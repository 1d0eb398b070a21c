// One node of the model, for the one key: the node's real per-key step (src/paxos/keyStep.ts) over
// the real instance machine, driven through XState's pure `transition()`. A node state is its key
// slot — a live instance (an interned machine snapshot) or none, an awaited outcome, the value
// asked — so the paths without an instance (votes on the fast path, forwards to the owner, answers
// from a decided record, stale replies, retirement and respawn from the record) are explored like
// the machine. A step's effects become interned messages, records, acceptances and decisions.
// Steps are cached per (node state, record, event), since the same local step recurs in many
// global states.
import { initialTransition, transition, type SnapshotFrom } from 'xstate';
import { formatBallot } from '../../src/paxos/ballot.js';
import { envelopesOf, type Effect } from '../../src/paxos/effects.js';
import type { InstanceEvent, InstanceMachine, InstanceStateName } from '../../src/paxos/instanceMachine.js';
import {
  isRetirable,
  keyStep,
  slotAfter,
  type KeyInput,
  type KeyNode,
  type KeySlot,
} from '../../src/paxos/keyStep.js';
import type { Envelope, PaxosValue } from '../../src/paxos/messages.js';
import { ownerOf } from '../../src/paxos/owner.js';
import { EMPTY_RECORD, type KeyRecord } from '../../src/paxos/record.js';
import { compactRecord } from '../../src/storage/storage.js';
import { Interner, stableStringify } from './canonical.js';
import type { ModelConfig } from './config.js';

export type NodeSnapshot = SnapshotFrom<InstanceMachine>;

/** A node's state for the key: its slot, with the live instance as an interned snapshot. */
export interface NodeState {
  /** Interned instance snapshot, or -1 when the key has no live instance. */
  readonly instance: number;
  readonly awaiting: boolean;
  /** Interned value the node was asked (and has not seen decided), or -1. */
  readonly proposal: number;
}

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

/** Local events: 0 the timer fires (the instance's, or the key's takeover timer), 1 the supervisor
 * retires the instance, ASK_BASE + v the client asks its value v, DELIVER_BASE + m message m. */
export const TIMEOUT = 0;
export const RETIRE = 1;
export const ASK_BASE = 2;
export const MAX_ASKED_VALUES = 4;
export const DELIVER_BASE = ASK_BASE + MAX_ASKED_VALUES;

export const KEY = 'k';

export class NodeSteps {
  readonly nodes = new Interner<NodeState>();
  readonly instances = new Interner<NodeSnapshot>();
  readonly records = new Interner<KeyRecord>();
  readonly messages = new Interner<Envelope>();
  readonly acceptances = new Interner<Acceptance>();
  readonly values = new Interner<PaxosValue>();
  /** Messages by recipient index, so delivery only scans a node's own mail. */
  readonly inbox: number[][];
  /** Machine errors met while stepping (the instance would crash): a finding in itself. */
  readonly machineErrors: string[] = [];
  readonly emptyRecord: number;
  /** A node with nothing in memory for the key. */
  readonly restingNode: number;
  private readonly cache: Map<number, NodeOutcome | null>[] = [];
  private readonly spawns = new Map<number, { instance: number; effects: readonly Effect[] }>();
  private readonly timeoutEvents = new Map<string, string>();
  private readonly keyNodes: readonly KeyNode[];

  constructor(readonly config: ModelConfig) {
    this.inbox = config.members.map(() => []);
    for (const values of Object.values(config.proposals)) for (const value of values) this.valueId(value);
    this.emptyRecord = this.recordId(EMPTY_RECORD);
    this.restingNode = this.nodeId({ instance: -1, awaiting: false, proposal: -1 });
    // Timers are XState delayed transitions; their events are derived from the machine itself.
    for (const [name, state] of Object.entries(config.machine.root.states)) {
      const after = state.after[0];
      if (after !== undefined) this.timeoutEvents.set(name, after.eventType);
    }
    const owner = config.ownerFastPath ? ownerOf(KEY, config.members) : null;
    this.keyNodes = config.members.map((self) => ({
      self,
      members: config.members,
      owner: config.ownerOf?.[self] ?? owner,
      acceptorFastPath: config.acceptorFastPath ?? true,
      // Links are always up in the model: loss is the network's, not the transport's knowledge.
      everyPeerReachable: true,
    }));
  }

  valueId(value: PaxosValue): number {
    return this.values.intern(stableStringify(value), () => value);
  }

  recordId(record: KeyRecord): number {
    const compact = compactRecord(record);
    return this.records.intern(stableStringify(compact), () => compact);
  }

  nameOf(index: number): string {
    const name = this.config.members[index];
    if (name === undefined) throw new Error(`no member ${index}`);
    return name;
  }

  /** The value node `index`'s client asks as its choice number `choice`, if it has one. */
  askedValue(index: number, choice: number): PaxosValue | undefined {
    return this.config.proposals[this.nameOf(index)]?.[choice];
  }

  /** The live instance's snapshot, or null. */
  instanceOf(node: number): NodeSnapshot | null {
    const { instance } = this.nodes.get(node);
    return instance < 0 ? null : this.instances.get(instance);
  }

  /**
   * A node that restarts from `record` (a crash): nothing in memory, and — as the supervisor's
   * resumePending does — a takeover of a key accepted but undecided.
   */
  restart(index: number, record: number, boot: number): NodeOutcome {
    const r = this.records.get(record);
    if (r.accepted === null || r.decided !== null) return { next: this.restingNode, steps: [] };
    return (
      this.step(index, this.restingNode, record, TIMEOUT_TAKEOVER, boot) ?? {
        next: this.restingNode,
        steps: [],
      }
    );
  }

  /** The outcome of `event` at `node` whose latest record is `record`, or null when it is not enabled. */
  step(index: number, node: number, record: number, event: number, boot: number): NodeOutcome | null {
    // Node states are shared between nodes (a resting node looks the same everywhere): per node.
    const slot = node * this.config.members.length + index;
    let byEvent = this.cache[slot];
    if (byEvent === undefined) {
      byEvent = new Map();
      this.cache[slot] = byEvent;
    }
    const key = (event * 65_536 + record) * 16 + boot;
    let outcome = byEvent.get(key);
    if (outcome === undefined) {
      outcome = this.compute(index, node, record, event, boot);
      byEvent.set(key, outcome);
    }
    return outcome;
  }

  private compute(
    index: number,
    nodeId: number,
    recordId: number,
    event: number,
    boot: number,
  ): NodeOutcome | null {
    const node = this.nodes.get(nodeId);
    const live = node.instance < 0 ? null : this.instances.get(node.instance);
    const state = live === null ? null : (String(live.value) as InstanceStateName);
    if (event === RETIRE) {
      // The supervisor stops a done instance; the record answers for the key from now on.
      if (state === null || !isRetirable(state, node.proposal >= 0)) return null;
      return { next: this.nodeId({ ...node, instance: -1 }), steps: [] };
    }
    if (event === TIMEOUT && live !== null) {
      // The instance's own timer (a named XState delay) fires.
      const type = this.timeoutEvents.get(String(live.value));
      if (type === undefined) return null;
      const stepped = this.instanceStep(index, live, { type } as unknown as InstanceEvent);
      if (stepped === null) return null;
      const slot = slotAfter(this.slotOf(node, state), stepped.effects);
      return this.outcome(nodeId, { slot, instance: stepped.instance }, this.stepsOf(index, stepped.effects));
    }
    const input = this.inputOf(index, node, event);
    if (input === null) return null;
    const record = this.records.get(recordId);
    const step = this.config.keyStep ?? keyStep;
    const decision = step(this.keyNodes[index] as KeyNode, KEY, this.slotOf(node, state), record, input);
    const effects: Effect[] = [...decision.effects];
    let slot = decision.slot;
    let instance = node.instance;
    if (decision.deliver !== null || decision.spawn) {
      if (instance < 0) {
        // Started from the record, as the supervisor does: its timers replace the takeover timer.
        const started = this.spawn(
          index,
          this.config.respawnFrom === 'empty' ? this.emptyRecord : recordId,
          boot,
        );
        instance = started.instance;
        effects.push(...started.effects);
        slot = { ...slot, awaiting: false };
      }
      if (decision.deliver !== null) {
        const stepped = this.instanceStep(index, this.instances.get(instance), decision.deliver);
        if (stepped === null) return null;
        instance = stepped.instance;
        effects.push(...stepped.effects);
      }
    }
    return this.outcome(nodeId, { slot: slotAfter(slot, effects), instance }, this.stepsOf(index, effects));
  }

  private inputOf(index: number, node: NodeState, event: number): KeyInput | null {
    if (event === TIMEOUT || event === TIMEOUT_TAKEOVER) {
      return node.awaiting || event === TIMEOUT_TAKEOVER ? { type: 'takeover' } : null;
    }
    if (event >= ASK_BASE && event < DELIVER_BASE) {
      const value = this.askedValue(index, event - ASK_BASE);
      return value === undefined ? null : { type: 'ask', value, ownerReachable: true };
    }
    const envelope = this.messages.get(event - DELIVER_BASE);
    return { type: 'message', from: envelope.from, message: envelope.message };
  }

  private slotOf(node: NodeState, state: InstanceStateName | null): KeySlot {
    return {
      instance: state,
      awaiting: node.awaiting,
      proposal: node.proposal < 0 ? null : { value: this.values.get(node.proposal) },
    };
  }

  private outcome(
    before: number,
    next: { slot: KeySlot; instance: number },
    steps: Step[],
  ): NodeOutcome | null {
    // Reduction: a decided instance is retired at once. It answers exactly as the decided record
    // does (both use learner.ts), so keeping it alive until the supervisor's retirement only
    // multiplies states that behave alike.
    const decided = next.instance >= 0 && this.instances.get(next.instance).value === 'decided';
    const nextId = this.nodeId({
      instance: decided ? -1 : next.instance,
      awaiting: next.slot.awaiting,
      proposal: next.slot.proposal === null ? -1 : this.valueId(next.slot.proposal.value),
    });
    if (nextId === before && steps.length === 0) return null; // a no-op: nothing to explore
    return { next: nextId, steps };
  }

  /** A new instance started from `record`, and the effects of its first (eventless) steps. */
  private spawn(
    index: number,
    record: number,
    boot: number,
  ): { instance: number; effects: readonly Effect[] } {
    const key = (record * this.config.members.length + index) * 16 + boot;
    let started = this.spawns.get(key);
    if (started === undefined) {
      const [snapshot, actions] = initialTransition(this.config.machine, {
        key: KEY,
        node: this.nameOf(index),
        members: this.config.members,
        record: this.records.get(record),
        ownerFastPath: this.config.ownerFastPath ?? false,
        boot,
        ...(this.keyNodes[index]?.owner ? { owner: this.keyNodes[index]?.owner as string } : {}),
      });
      started = { instance: this.instanceId(snapshot), effects: emitted(actions) };
      this.spawns.set(key, started);
    }
    return started;
  }

  /** One machine step of a live instance, or null when it fails or leaves the ballot bound. */
  private instanceStep(
    index: number,
    snapshot: NodeSnapshot,
    event: InstanceEvent,
  ): { instance: number; effects: Effect[] } | null {
    const name = this.nameOf(index);
    let next: NodeSnapshot;
    let actions: ReturnType<typeof transition<InstanceMachine>>[1];
    try {
      [next, actions] = transition(this.config.machine, snapshot, event);
    } catch (error) {
      this.machineErrors.push(`${name} in ${String(snapshot.value)} on ${event.type}: ${String(error)}`);
      return null;
    }
    if (next.status === 'error') {
      this.machineErrors.push(`${name} in ${String(snapshot.value)} on ${event.type}: ${String(next.error)}`);
      return null;
    }
    // Bounded ballots: a step that would start a ballot above the bound is not explored.
    const ballot = next.context.ballot;
    if (ballot !== null && ballot.round > this.config.maxRound) return null;
    return { instance: this.instanceId(next), effects: emitted(actions) };
  }

  private nodeId(node: NodeState): number {
    return this.nodes.intern(`${node.instance}|${node.awaiting ? 1 : 0}|${node.proposal}`, () => node);
  }

  private instanceId(snapshot: NodeSnapshot): number {
    return this.instances.intern(instanceKey(snapshot), () => snapshot);
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

  /** Interns a message and files it in its recipient's inbox. */
  messageId(envelope: Envelope): number {
    const known = this.messages.size;
    const id = this.messages.intern(stableStringify(envelope), () => envelope);
    if (id === known) this.inbox[this.config.members.indexOf(envelope.to)]?.push(id);
    return id;
  }
}

/** An internal event: the takeover a restarted node runs for a key accepted but undecided. */
const TIMEOUT_TAKEOVER = -10;

/** The effects among a transition's actions, in emission order (`xstate.emit` carries them). */
function emitted(actions: readonly { readonly type: string; readonly params?: unknown }[]): Effect[] {
  const effects: Effect[] = [];
  for (const action of actions) {
    if (action.type === 'xstate.emit') effects.push((action.params as { event: Effect }).event);
  }
  return effects;
}

/**
 * What identifies an instance's state for the model: the state value and every context field
 * that can change what it does next. Left out: the backoff attempt, timeout count, wait and jitter
 * seed, which only set how long a timer runs, and the model lets any timer fire at any time.
 */
function instanceKey(snapshot: NodeSnapshot): string {
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
    c.proposing,
    c.boot,
    c.mayUseRoundZero,
    [...c.promises].sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0)),
    [...c.acks].sort(),
    c.highestSeenRound,
  ]);
}
