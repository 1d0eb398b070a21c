// The view feed: what a node publishes for the live cluster view, what the demo aggregates and
// records (one event per JSON line), and what the page replays. Plain JSON data, small enough
// to stream thousands of events a second over loopback.
// Browser-safe: this directory is compiled to dist/ and served to the page as ES modules, so
// nothing here imports Node modules, or anything outside this directory but types.

import type { PaxosMessageType } from '../../../paxos/messages.js';

/**
 * Bumped when an event changes shape; recordings carry it in their header. 2 added `durable`,
 * `held` and `release`, and optional fields on `state`, `send`, `drop` and `faults`: version 1
 * recordings are valid version 2 ones.
 */
export const VIEW_FEED_VERSION = 2;

/** An instance's state as the view shows it: the machine's five, and a key given up. */
export type ViewState = 'nil' | 'preparing' | 'proposing' | 'acknowledged' | 'decided' | 'failed';

export const VIEW_STATES: readonly ViewState[] = [
  'nil',
  'preparing',
  'proposing',
  'acknowledged',
  'decided',
  'failed',
];

/** The Paxos message tags: the protocol's own type (a type import, which compiles away). */
export type ViewMessageType = PaxosMessageType;

/** The protocol's PAXOS_MESSAGE_TYPES, copied because the page loads only this directory (test/view/browserSafe.test.ts keeps them equal). */
export const VIEW_MESSAGE_TYPES: readonly ViewMessageType[] = [
  'forward',
  'prepare',
  'promise',
  'propose',
  'acknowledge',
  'reject',
  'decide',
  'query',
  'state',
];

/**
 * Everything a node knows for the view, sent first to every feed viewer (and again after a
 * viewer lost events to its bounded buffer): it replaces what the viewer knew of this node.
 */
export interface SnapshotEvent {
  readonly type: 'snapshot';
  readonly t: number;
  readonly node: string;
  /** Changes when the node process restarts: states not decided are then forgotten. */
  readonly incarnation: string;
  readonly members: readonly string[];
  /** Link to each peer: up or not. */
  readonly links: Readonly<Record<string, boolean>>;
  /** Why each down link is down, in a few words. (Absent from older recordings.) */
  readonly linkReasons?: Readonly<Record<string, string>>;
  /** Keys whose state here is not `nil`. */
  readonly states: Readonly<Record<string, ViewState>>;
  /** Decided values known here, as `valueText` renders them. */
  readonly decided: Readonly<Record<string, string>>;
}

/**
 * The node's key instance entered a state (every state passed through, microsteps included, and
 * a state re-entered by a transition). The optional fields say which transition of the machine
 * definition was taken, when the feed saw it (XState inspection); older recordings lack them.
 */
export interface StateEvent {
  readonly type: 'state';
  readonly t: number;
  readonly node: string;
  readonly key: string;
  readonly state: ViewState;
  /** The state the transition left. */
  readonly from?: ViewState;
  /** The transition's event as the machine graph names it: `prepare`, `always`, `after phaseTimeout`… */
  readonly event?: string;
  /** For an eventless (`always`) transition: the event whose handling led to it. */
  readonly cause?: string;
  /** The transition's guard, as the machine graph names it. */
  readonly guard?: string;
  /** The transition is a root-level handler (an all-state event), not the state's own. */
  readonly anyState?: boolean;
  /** The instance's own ballot after the transition (`round.node`), while it has one. */
  readonly ballot?: string;
}

/**
 * What a message says beyond its type and ballot, for the key's story. Values as `valueText`
 * renders them. Optional: absent from older recordings.
 */
export interface MessageDetail {
  /** The value of a `propose`, `decide` or `forward`; of a `promise`, the value it reports accepted. */
  readonly value?: string;
  /** A `promise`: the ballot of the value the acceptor accepted, null if it accepted nothing. */
  readonly accepted?: string | null;
  /** A `reject`: the higher ballot the acceptor promised. */
  readonly promised?: string;
}

/** `node` handed an envelope to its transport. `ballot` is `round.node`, null for `decide`. */
export interface SendEvent extends MessageDetail {
  readonly type: 'send';
  readonly t: number;
  readonly node: string;
  readonly to: string;
  readonly key: string;
  readonly msg: ViewMessageType;
  readonly ballot: string | null;
}

/** `node` received an envelope from `from` (after any injected block: it reached the node). */
export interface RecvEvent {
  readonly type: 'recv';
  readonly t: number;
  readonly node: string;
  readonly from: string;
  readonly key: string;
  readonly msg: ViewMessageType;
  readonly ballot: string | null;
}

/**
 * The network lost an envelope `node` sent: reported where the network itself is observed (the
 * simulation). Real nodes cannot know; their lost messages expire instead.
 */
export interface DropEvent extends MessageDetail {
  readonly type: 'drop';
  readonly t: number;
  readonly node: string;
  readonly to: string;
  readonly key: string;
  readonly msg: ViewMessageType;
  readonly ballot: string | null;
}

/**
 * A write of `key`'s acceptor record on `node` is durable: a vote (promise, acceptance) or a
 * decision is on disk, so a reply revealing it may now leave. The record as written.
 */
export interface DurableEvent {
  readonly type: 'durable';
  readonly t: number;
  readonly node: string;
  readonly key: string;
  /** The promised ballot, null when none (or compacted away once decided). */
  readonly promised: string | null;
  /** The accepted ballot, and its value as `valueText` renders it. */
  readonly accepted: string | null;
  readonly value: string | null;
  /** The decided value, as `valueText` renders it, when the record holds the decision. */
  readonly decided: string | null;
}

/** How a message held for delivery by hand was released. */
export type ReleaseHow = 'deliver' | 'drop' | 'duplicate';

export const RELEASE_HOWS: readonly ReleaseHow[] = ['deliver', 'drop', 'duplicate'];

/**
 * Delivery by hand (a demo's teaching mode): `node`'s fault injector holds the message it was
 * just handed (the `send` reported before this one) until it is released. `id` names it on that node.
 */
export interface HeldEvent {
  readonly type: 'held';
  readonly t: number;
  readonly node: string;
  readonly id: number;
  readonly to: string;
  readonly key: string;
  readonly msg: ViewMessageType;
  readonly ballot: string | null;
}

/**
 * A held message was released: delivered, dropped, or duplicated (a copy delivered, the
 * message itself still held).
 */
export interface ReleaseEvent {
  readonly type: 'release';
  readonly t: number;
  readonly node: string;
  readonly id: number;
  readonly how: ReleaseHow;
}

/** The decision of `key` is durable on `node`. */
export interface DecidedEvent {
  readonly type: 'decided';
  readonly t: number;
  readonly node: string;
  readonly key: string;
  /** The value as `valueText` renders it: equal texts mean equal values. */
  readonly value: string;
}

export interface LinkEvent {
  readonly type: 'link';
  readonly t: number;
  readonly node: string;
  readonly peer: string;
  readonly up: boolean;
  /** Why the link is down, in a few words (`refused by peer: amnesia`); absent while up. */
  readonly reason?: string;
}

/** The aggregator lost (up: false) or regained (up: true) a node's feed: the process is down or back. */
export interface NodeEvent {
  readonly type: 'node';
  readonly t: number;
  readonly node: string;
  readonly up: boolean;
}

/** Faults the demo injected on `node`'s links (client.setFaults), replacing earlier ones. */
export interface FaultsEvent {
  readonly type: 'faults';
  readonly t: number;
  readonly node: string;
  readonly blockOut: readonly string[];
  readonly blockIn: readonly string[];
  readonly dropRate: number;
  readonly delayMs: number;
  readonly jitterMs: number;
  /** Outbound messages wait to be delivered by hand (and the node's timers stand still). */
  readonly hold?: boolean;
}

/** A line for the event log: a control used, a simulated fault, a message from the demo. */
export interface NoteEvent {
  readonly type: 'note';
  readonly t: number;
  readonly node?: string;
  readonly text: string;
}

/** Time passes: lets messages that never arrived expire when nothing else happens. */
export interface TickEvent {
  readonly type: 'tick';
  readonly t: number;
}

export type ViewEvent =
  | SnapshotEvent
  | StateEvent
  | SendEvent
  | RecvEvent
  | DropEvent
  | DurableEvent
  | HeldEvent
  | ReleaseEvent
  | DecidedEvent
  | LinkEvent
  | NodeEvent
  | FaultsEvent
  | NoteEvent
  | TickEvent;

export type ViewEventType = ViewEvent['type'];

/** The first line of a recording (JSON lines: this header, then one ViewEvent per line). */
export interface RecordingHeader {
  readonly type: 'recording';
  readonly version: number;
  /** `demo`, `simulation seed 7`, … */
  readonly source: string;
  readonly nodes: readonly string[];
}
