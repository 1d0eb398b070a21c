// The live cluster view's state, built by applying view events in order: nodes and their links,
// the nodes × keys grid of instance states, messages in flight (and those held for delivery by
// hand), decisions, the agreement badge, the stories of recent keys (keyStory.ts), the keys a
// node missed the decision of, and a bounded event log. The demo's aggregator and the page run
// the same model, so a page can be resynchronised from a snapshot (`toData`), and a recording
// replays to the same views. Browser-safe and deterministic: the only clock is the events' `t`.
import { AgreementTracker, type AgreementBadge } from './agreement.js';
import { describeEvent, describeLost } from './describe.js';
import { EventLog, type LogEntry } from './eventLog.js';
import type { ClusterModelData, ClusterModelOptions, Decision, NodeFaults, NodeView } from './modelData.js';
import { InFlightTracker, type InFlightMessage, type LostReason } from './inFlight.js';
import { KeyStories, type KeyStoryData } from './keyStory.js';
import { MissedDecisions } from './missedDecisions.js';
import { VIEW_STATES, type ViewEvent, type ViewState } from './viewEvents.js';

export type { ClusterModelData, ClusterModelOptions, Decision, NodeFaults, NodeView } from './modelData.js';
export type { LogEntry } from './eventLog.js';

const NO_FAULTS: NodeFaults = {
  blockOut: [],
  blockIn: [],
  dropRate: 0,
  delayMs: 0,
  jitterMs: 0,
  hold: false,
};
const ACTIVE: ReadonlySet<ViewState> = new Set(['preparing', 'proposing', 'acknowledged']);
/** In-flight deadlines are checked at most this often (event time). */
const EXPIRE_EVERY_MS = 100;

const emptyCounts = (): Record<ViewState, number> =>
  Object.fromEntries(VIEW_STATES.map((s) => [s, 0])) as Record<ViewState, number>;

export class ClusterModel {
  /** Time of the latest event applied. */
  now = 0;
  /** Events applied so far. */
  applied = 0;
  private readonly nodeViews = new Map<string, NodeView>();
  /** key → node → state; insertion order is the order keys were first seen. */
  private readonly keyStates = new Map<string, Record<string, ViewState>>();
  private keyList: string[] | null = null;
  private readonly active = new Set<string>();
  private agreement = new AgreementTracker();
  private inFlight: InFlightTracker;
  private decisionList: Decision[] = [];
  private eventLog: EventLog;
  private nextExpiry = 0;
  private stories: KeyStories;
  private missedKeys = new MissedDecisions();

  constructor(private readonly options: ClusterModelOptions = {}) {
    this.inFlight = new InFlightTracker(options);
    this.stories = new KeyStories(options);
    this.eventLog = new EventLog(options.maxLog);
  }

  /** Applies one event. Events must come in the order the aggregator saw them. */
  apply(event: ViewEvent): void {
    this.applied++;
    if (event.t > this.now) this.now = event.t;
    const text = describeEvent(event);
    if (text !== null) this.log(event.t, text, event.type, 'key' in event ? event.key : undefined);
    switch (event.type) {
      case 'snapshot': {
        const node = this.nodeView(event.node);
        if (node.incarnation !== null && node.incarnation !== event.incarnation)
          this.forgetUndecided(node.id);
        node.incarnation = event.incarnation;
        node.up = true;
        for (const member of event.members) if (member !== event.node) this.nodeView(member);
        node.links = { ...event.links };
        node.linkReasons = { ...event.linkReasons };
        for (const [key, state] of Object.entries(event.states)) this.setState(node.id, key, state);
        for (const [key, value] of Object.entries(event.decided)) this.decide(event.t, node.id, key, value);
        break;
      }
      case 'state':
        this.setState(event.node, event.key, event.state);
        this.stories.state(this.applied, event);
        break;
      case 'send':
        this.send(event);
        break;
      case 'recv': {
        const arrived = this.inFlight.received({ ...event, from: event.from, to: event.node });
        if (arrived) this.stories.arrived(this.applied, event.t, arrived);
        break;
      }
      case 'drop': {
        const lost = this.inFlight.dropped({ ...event, from: event.node });
        if (lost) this.logLost(lost, 'dropped');
        break;
      }
      case 'durable':
        this.stories.durable(this.applied, event);
        break;
      case 'held': {
        const held = this.inFlight.held({ ...event, from: event.node }, event.id);
        if (held) this.stories.held(held);
        break;
      }
      case 'release':
        this.release(event);
        break;
      case 'decided':
        this.decide(event.t, event.node, event.key, event.value);
        this.setState(event.node, event.key, 'decided');
        this.stories.decided(this.applied, event.t, event.node, event.key, event.value);
        break;
      case 'link': {
        const node = this.nodeView(event.node);
        this.nodeView(event.peer);
        node.links = { ...node.links, [event.peer]: event.up };
        const { [event.peer]: _was, ...others } = node.linkReasons;
        node.linkReasons =
          event.up || event.reason === undefined ? others : { ...others, [event.peer]: event.reason };
        // A held message is still in its sender, whatever happens to the link meanwhile.
        if (!event.up)
          this.lose('no link', (m) => m.heldId === undefined && isBetween(m, event.node, event.peer));
        break;
      }
      case 'node':
        this.nodeView(event.node).up = event.up;
        if (!event.up) this.lose('node down', (m) => m.to === event.node || m.from === event.node);
        break;
      case 'faults': {
        const { blockOut, blockIn, dropRate, delayMs, jitterMs, hold = false } = event;
        this.nodeView(event.node).faults = { blockOut, blockIn, dropRate, delayMs, jitterMs, hold };
        break;
      }
      case 'note':
      case 'tick':
        break;
    }
    if (this.now >= this.nextExpiry) {
      this.nextExpiry = this.now + EXPIRE_EVERY_MS;
      for (const message of this.inFlight.expire(this.now)) this.logLost(message, 'timeout');
    }
  }

  /** By id (n2 before n10), whatever order they were first seen in. */
  get nodes(): readonly NodeView[] {
    return [...this.nodeViews.values()].sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true }));
  }

  node(id: string): NodeView | undefined {
    return this.nodeViews.get(id);
  }

  /** Keys in the order first seen. */
  get keys(): readonly string[] {
    this.keyList ??= [...this.keyStates.keys()];
    return this.keyList;
  }

  get keyCount(): number {
    return this.keyStates.size;
  }

  /** Keys with an instance preparing, proposing or acknowledged on some node. */
  get activeKeys(): readonly string[] {
    return [...this.active];
  }

  /** `key`'s state on `node` (`nil` if the node never reported one). */
  stateOf(key: string, node: string): ViewState {
    return this.keyStates.get(key)?.[node] ?? 'nil';
  }

  /** The decided value of `key` on `node`, if any. */
  valueOf(key: string, node: string): string | undefined {
    return this.agreement.valueOf(key, node);
  }

  /** Any decided value of `key` (the one value, unless the key disagrees). */
  decidedValueOf(key: string): string | undefined {
    return Object.values(this.agreement.valuesOf(key))[0];
  }

  isDisagreeing(key: string): boolean {
    return this.agreement.isDisagreeing(key);
  }

  get badge(): AgreementBadge {
    return this.agreement.badge();
  }

  get inFlightMessages(): InFlightMessage[] {
    return this.inFlight.list();
  }

  /** Messages held by their senders for delivery by hand, oldest first. */
  get heldMessages(): InFlightMessage[] {
    return this.inFlight.heldList();
  }

  /** The story of `key`, if it is among the keys whose stories are kept. */
  storyOf(key: string): KeyStoryData | undefined {
    return this.stories.of(key);
  }

  /**
   * True if `node` missed `key`'s decision (down, or cut off from the node that decided first)
   * and has not heard of the key since: it learns the value only if the key is asked there again.
   */
  missed(key: string, node: string): boolean {
    return this.missedKeys.has(node, key);
  }

  /** How many decisions `node` missed (see `missed`). */
  missedCount(node: string): number {
    return this.missedKeys.count(node);
  }

  get messageCounts() {
    return { ...this.inFlight.counts, inFlight: this.inFlight.size };
  }

  /** The first decision of each key, newest last. */
  get decisions(): readonly Decision[] {
    return this.decisionList;
  }

  /** The most recent log lines, oldest first. */
  get logEntries(): readonly LogEntry[] {
    return this.eventLog.lines;
  }

  /** The most recent notable lines (no messages, lost or not, no state changes), oldest first. */
  get notableEntries(): readonly LogEntry[] {
    return this.eventLog.notable;
  }

  toData(): ClusterModelData {
    return {
      now: this.now,
      applied: this.applied,
      nodes: this.nodes.map((n) => ({
        ...n,
        links: { ...n.links },
        linkReasons: { ...n.linkReasons },
        counts: { ...n.counts },
      })),
      keys: [...this.keyStates].map(([key, states]) => [key, { ...states }] as const),
      agreement: this.agreement.toData(),
      inFlight: this.inFlight.toData(),
      decisions: [...this.decisionList],
      ...this.eventLog.toData(),
      stories: this.stories.toData(),
      missed: this.missedKeys.toData(),
    };
  }

  static fromData(data: ClusterModelData, options: ClusterModelOptions = {}): ClusterModel {
    const model = new ClusterModel(options);
    model.now = data.now;
    model.applied = data.applied;
    model.nextExpiry = data.now;
    for (const node of data.nodes)
      model.nodeViews.set(node.id, {
        ...node,
        links: { ...node.links },
        linkReasons: { ...node.linkReasons },
        counts: { ...node.counts },
      });
    for (const [key, states] of data.keys) {
      model.keyStates.set(key, { ...states });
      if (Object.values(states).some((s) => ACTIVE.has(s))) model.active.add(key);
    }
    model.agreement = AgreementTracker.fromData(data.agreement);
    model.inFlight = InFlightTracker.fromData(data.inFlight, options);
    model.decisionList = [...data.decisions];
    model.eventLog = EventLog.fromData(data, options.maxLog);
    model.stories = KeyStories.fromData(data.stories, options);
    model.missedKeys = MissedDecisions.fromData(data.missed);
    return model;
  }

  private nodeView(id: string): NodeView {
    let node = this.nodeViews.get(id);
    if (!node) {
      node = {
        id,
        up: false,
        incarnation: null,
        links: {},
        linkReasons: {},
        faults: NO_FAULTS,
        counts: emptyCounts(),
      };
      this.nodeViews.set(id, node);
    }
    return node;
  }

  private setState(nodeId: string, key: string, state: ViewState): void {
    const node = this.nodeView(nodeId);
    let states = this.keyStates.get(key);
    if (!states) {
      states = {};
      this.keyStates.set(key, states);
      this.keyList = null;
    }
    if (state !== 'nil') this.missedKeys.heard(nodeId, key);
    const previous = states[nodeId] ?? 'nil';
    // A decision is final (DESIGN.md §2): a late report of another state does not undo it.
    if (previous === state || previous === 'decided') return;
    if (previous !== 'nil') node.counts[previous]--;
    if (state !== 'nil') node.counts[state]++;
    states[nodeId] = state;
    if (Object.values(states).some((s) => ACTIVE.has(s))) this.active.add(key);
    else this.active.delete(key);
  }

  /** A node restarted: what it had in memory is gone; its decisions are durable and stay. */
  private forgetUndecided(nodeId: string): void {
    const node = this.nodeView(nodeId);
    for (const [key, states] of this.keyStates) {
      const state = states[nodeId];
      if (state === undefined || state === 'decided') continue;
      node.counts[state]--;
      delete states[nodeId];
      if (!Object.values(states).some((s) => ACTIVE.has(s))) this.active.delete(key);
    }
  }

  private decide(t: number, node: string, key: string, value: string): void {
    const first = this.agreement.valuesOf(key);
    if (first[node] === value) return;
    const isFirst = Object.keys(first).length === 0;
    if (!this.agreement.record(key, node, value)) {
      this.log(t, `DISAGREEMENT on ${key}: ${JSON.stringify(this.agreement.valuesOf(key))}`, 'decided', key);
    }
    if (isFirst) {
      this.missedKeys.decidedFirst(key, node, this.nodeViews.values());
      this.decisionList.push({ t, node, key, value });
      const max = this.options.maxDecisions ?? 200;
      if (this.decisionList.length > max * 2) this.decisionList = this.decisionList.slice(-max);
    }
  }

  private send(event: Extract<ViewEvent, { type: 'send' }>): void {
    const from = this.nodeView(event.node);
    const to = this.nodeViews.get(event.to);
    const message = {
      t: event.t,
      from: event.node,
      to: event.to,
      key: event.key,
      msg: event.msg,
      ballot: event.ballot,
    };
    const delayMs = from.faults.delayMs + from.faults.jitterMs;
    const sent = this.inFlight.sent(message, delayMs);
    if (sent === null) {
      this.stories.sentAndArrived(this.applied, message, event);
      return;
    }
    this.stories.sent(this.applied, sent, event, delayMs);
    const reason: LostReason | null =
      from.faults.blockOut.includes(event.to) || (to?.faults.blockIn.includes(event.node) ?? false)
        ? 'blocked'
        : to !== undefined && !to.up && to.incarnation !== null
          ? 'node down'
          : from.links[event.to] === false
            ? 'no link'
            : null;
    if (reason === null) return;
    const lost = this.inFlight.loseById(sent.id);
    if (lost) this.logLost(lost, reason);
  }

  private lose(reason: LostReason, predicate: Parameters<InFlightTracker['lose']>[0]): void {
    for (const message of this.inFlight.lose(predicate)) this.logLost(message, reason);
  }

  private logLost(message: InFlightMessage, reason: LostReason): void {
    this.stories.lost(this.applied, this.now, message, reason);
    this.log(this.now, describeLost(message, reason), 'lost', message.key);
  }

  private release(event: Extract<ViewEvent, { type: 'release' }>): void {
    const released = this.inFlight.release(event.node, event.id, event.how, event.t);
    if (released === null) return;
    switch (released.how) {
      case 'deliver':
        this.stories.released(released.message);
        if (released.arrived) this.stories.arrived(this.applied, event.t, released.message);
        return;
      case 'drop':
        this.logLost(released.message, 'dropped by hand');
        return;
      case 'duplicate': {
        const original = this.inFlight.heldMessage(event.node, event.id);
        if (original) this.stories.duplicated(this.applied, original.id, released.copy);
        if (released.arrived) this.stories.arrived(this.applied, event.t, released.copy);
        return;
      }
    }
  }

  private log(t: number, text: string, kind: LogEntry['kind'], key?: string): void {
    this.eventLog.add({ seq: this.applied, t, text, kind, ...(key !== undefined ? { key } : {}) });
  }
}

function isBetween(m: { from: string; to: string }, a: string, b: string): boolean {
  return (m.from === a && m.to === b) || (m.from === b && m.to === a);
}
