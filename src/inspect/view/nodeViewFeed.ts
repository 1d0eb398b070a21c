// One node's view feed: turns what the node does into view events (viewEvents.ts) — every
// envelope sent and received (from a tapping transport), every state its key instances pass
// through with the transition that led there (from XState inspection, microsteps included),
// every write of a key's record that became durable (from a tapping store), messages held for
// delivery by hand (from the fault injector), decisions (the supervisor's `decided` events) and
// link changes — and keeps the per-key states it reported, so a new viewer (or one
// that fell behind) starts from a snapshot. Keys the node handles without an instance (the
// acceptor fast path) are inspected as their instance would be (node/instanceWitness.ts), so
// their states come from the same inspection events; a key given up shows as `failed`.
import type { InspectionEvent } from 'xstate';
import { formatBallot, type Ballot } from '../../paxos/ballot.js';
import type { Envelope, PaxosMessage } from '../../paxos/messages.js';
import type { KeyRecord } from '../../paxos/record.js';
import type { GenPaxosNode } from '../../node/genPaxos.js';
import { transitionOf } from '../machineGraph.js';
import type {
  MessageDetail,
  ReleaseHow,
  SnapshotEvent,
  StateEvent,
  ViewEvent,
  ViewState,
} from './model/viewEvents.js';
import { valueText } from './valueText.js';

/** How an instance reached a state: the StateEvent fields past `state`. */
type Via = Pick<StateEvent, 'from' | 'event' | 'cause' | 'guard' | 'anyState' | 'ballot'>;

/** What a message says beyond its type and ballot (MessageDetail). */
export function messageDetail(message: PaxosMessage): MessageDetail {
  switch (message.type) {
    case 'propose':
    case 'decide':
    case 'forward':
      return { value: valueText(message.value) };
    case 'promise':
      return message.accepted === null
        ? { accepted: null }
        : { accepted: formatBallot(message.accepted.ballot), value: valueText(message.accepted.value) };
    case 'reject':
      return { promised: formatBallot(message.promised) };
    case 'state':
      // A quorum read's answer: what the member holds, decided value first.
      if (message.decided !== null) return { value: valueText(message.decided.value) };
      return message.accepted === null
        ? { accepted: null }
        : { accepted: formatBallot(message.accepted.ballot), value: valueText(message.accepted.value) };
    case 'prepare':
    case 'acknowledge':
    case 'query':
      return {};
  }
}

export interface NodeViewFeedOptions {
  readonly nodeId: string;
  /** Changes at every start of the node process. */
  readonly incarnation: string;
  readonly members: readonly string[];
  /** Where events go. */
  readonly publish: (event: ViewEvent) => void;
  /** False while nobody watches: message events are then not even built. Default: always. */
  readonly wanted?: () => boolean;
  /** Event times. Default Date.now. */
  readonly now?: () => number;
}

interface InstanceInput {
  readonly key?: unknown;
  readonly node?: unknown;
}

export class NodeViewFeed {
  /** Keys whose state here is not `nil`; memory grows with the keys this node took part in. */
  private readonly states = new Map<string, ViewState>();
  private readonly decided = new Map<string, string>();
  private readonly links = new Map<string, boolean>();
  private readonly linkReasons = new Map<string, string>();
  private readonly now: () => number;
  private readonly wanted: () => boolean;

  constructor(private readonly options: NodeViewFeedOptions) {
    this.now = options.now ?? Date.now;
    this.wanted = options.wanted ?? (() => true);
  }

  get nodeId(): string {
    return this.options.nodeId;
  }

  /** Follows `node`'s decisions and the keys it gives up; returns the unsubscriber. */
  attach(node: GenPaxosNode): () => void {
    const decisions = node.on('decided', (event) => {
      const value = valueText(event.value);
      this.decided.set(event.key, value);
      this.noteState(event.key, 'decided');
      this.options.publish({ type: 'decided', t: this.now(), node: this.nodeId, key: event.key, value });
    });
    const failures = node.on('instance.failed', (event) => this.noteState(event.key, 'failed'));
    return () => {
      decisions();
      failures();
    };
  }

  /**
   * Give to the node's `inspect` option: every state an instance of this node passes through,
   * with the transition of the machine definition that led there (a microstep's).
   */
  readonly inspect = (event: InspectionEvent): void => {
    if (event.type !== '@xstate.snapshot' && event.type !== '@xstate.microstep') return;
    // An instance's input names its key and node (see ../actorIds.ts); the node actor's does not.
    const input = (event.actorRef as { options?: { input?: InstanceInput } }).options?.input;
    if (typeof input?.key !== 'string' || input.node !== this.nodeId) return;
    const snapshot = event.snapshot as { value?: unknown; context?: { ballot?: Ballot | null } };
    if (typeof snapshot.value !== 'string') return;
    const state = snapshot.value as ViewState;
    if (event.type === '@xstate.snapshot') {
      this.noteState(input.key, state);
      return;
    }
    // A microstep that entered a state (one with no target only ran actions: nothing to show).
    const taken = event._transitions.find((t) => (t as { target?: unknown[] }).target?.length);
    if (taken === undefined) {
      this.noteState(input.key, state);
      return;
    }
    const from = this.states.get(input.key) ?? 'nil';
    const root = (taken as { source?: { parent?: unknown } }).source?.parent === undefined;
    const t = transitionOf(taken, root ? '*' : from);
    const ballot = snapshot.context?.ballot;
    this.noteState(input.key, state, {
      from,
      event: t.event,
      ...(t.event === 'always' && event.event.type !== 'xstate.init' ? { cause: event.event.type } : {}),
      ...(t.guard !== undefined ? { guard: t.guard } : {}),
      ...(root ? { anyState: true } : {}),
      ...(ballot ? { ballot: formatBallot(ballot) } : {}),
    });
  };

  /** The node handed `envelope` to its transport. */
  sent(envelope: Envelope): void {
    if (this.wanted()) {
      const { to, key, message } = envelope;
      const ballot = 'ballot' in message ? formatBallot(message.ballot) : null;
      this.options.publish({
        type: 'send',
        t: this.now(),
        node: this.nodeId,
        to,
        key,
        msg: message.type,
        ballot,
        ...messageDetail(message),
      });
    }
  }

  /** A write of `key`'s record is durable (give to a TappingStorage). */
  durable(key: string, record: KeyRecord): void {
    if (!this.wanted()) return;
    this.options.publish({
      type: 'durable',
      t: this.now(),
      node: this.nodeId,
      key,
      promised: record.promised ? formatBallot(record.promised) : null,
      accepted: record.accepted ? formatBallot(record.accepted.ballot) : null,
      value: record.accepted ? valueText(record.accepted.value) : null,
      decided: record.decided ? valueText(record.decided.value) : null,
    });
  }

  /** The fault injector holds `envelope` (sent just before) for delivery by hand, as `id`. */
  held(id: number, envelope: Envelope): void {
    if (!this.wanted()) return;
    const { to, key, message } = envelope;
    const ballot = 'ballot' in message ? formatBallot(message.ballot) : null;
    this.options.publish({
      type: 'held',
      t: this.now(),
      node: this.nodeId,
      id,
      to,
      key,
      msg: message.type,
      ballot,
    });
  }

  /** Held message `id` was released (called before a delivered message leaves). */
  released(id: number, how: ReleaseHow): void {
    if (!this.wanted()) return;
    this.options.publish({ type: 'release', t: this.now(), node: this.nodeId, id, how });
  }

  /** `envelope` reached the node (call before the node handles it). */
  received(envelope: Envelope): void {
    if (!this.wanted()) return;
    const { from, key, message } = envelope;
    const ballot = 'ballot' in message ? formatBallot(message.ballot) : null;
    this.options.publish({
      type: 'recv',
      t: this.now(),
      node: this.nodeId,
      from,
      key,
      msg: message.type,
      ballot,
    });
  }

  /** The links as the transport reports them now; changes (of state or of reason) become `link` events. */
  setLinks(
    links: readonly { readonly peer: string; readonly up: boolean; readonly reason?: string | null }[],
  ): void {
    for (const { peer, up, reason } of links) {
      const why = up ? undefined : (reason ?? undefined);
      if (this.links.get(peer) === up && this.linkReasons.get(peer) === why) continue;
      this.links.set(peer, up);
      if (why === undefined) this.linkReasons.delete(peer);
      else this.linkReasons.set(peer, why);
      this.options.publish({
        type: 'link',
        t: this.now(),
        node: this.nodeId,
        peer,
        up,
        ...(why !== undefined ? { reason: why } : {}),
      });
    }
  }

  /** Everything this node reported so far, as one event. */
  snapshot(): SnapshotEvent {
    return {
      type: 'snapshot',
      t: this.now(),
      node: this.nodeId,
      incarnation: this.options.incarnation,
      members: this.options.members,
      links: Object.fromEntries(this.links),
      linkReasons: Object.fromEntries(this.linkReasons),
      states: Object.fromEntries(this.states),
      decided: Object.fromEntries(this.decided),
    };
  }

  /** Reports `state`: when it changed, or when a transition (`via`) re-entered it. */
  private noteState(key: string, state: ViewState, via?: Via): void {
    const previous = this.states.get(key) ?? 'nil';
    if (previous === 'decided' || (previous === state && via === undefined)) return;
    if (state === 'nil') this.states.delete(key);
    else this.states.set(key, state);
    this.options.publish({ type: 'state', t: this.now(), node: this.nodeId, key, state, ...via });
  }
}
