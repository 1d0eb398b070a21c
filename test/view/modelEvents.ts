// Builders of view events for the model tests: short to write, full in shape.
import type {
  DecidedEvent,
  DurableEvent,
  HeldEvent,
  ReleaseEvent,
  ReleaseHow,
  RecvEvent,
  SendEvent,
  SnapshotEvent,
  StateEvent,
  ViewMessageType,
  ViewState,
} from '../../src/inspect/view/model/viewEvents.js';

export const snapshot = (
  t: number,
  node: string,
  members: string[],
  extra: Partial<SnapshotEvent> = {},
): SnapshotEvent => ({
  type: 'snapshot',
  t,
  node,
  incarnation: `${node}-1`,
  members,
  links: Object.fromEntries(members.filter((m) => m !== node).map((m) => [m, true])),
  states: {},
  decided: {},
  ...extra,
});

export const state = (t: number, node: string, key: string, s: ViewState): StateEvent => ({
  type: 'state',
  t,
  node,
  key,
  state: s,
});

export const send = (
  t: number,
  from: string,
  to: string,
  key: string,
  msg: ViewMessageType,
  ballot: string | null = '1.a',
): SendEvent => ({ type: 'send', t, node: from, to, key, msg, ballot });

export const recv = (
  t: number,
  from: string,
  to: string,
  key: string,
  msg: ViewMessageType,
  ballot: string | null = '1.a',
): RecvEvent => ({ type: 'recv', t, node: to, from, key, msg, ballot });

export const decided = (t: number, node: string, key: string, value: string): DecidedEvent => ({
  type: 'decided',
  t,
  node,
  key,
  value,
});

export const durable = (
  t: number,
  node: string,
  key: string,
  record: Partial<Pick<DurableEvent, 'promised' | 'accepted' | 'value' | 'decided'>>,
): DurableEvent => ({
  type: 'durable',
  t,
  node,
  key,
  promised: null,
  accepted: null,
  value: null,
  decided: null,
  ...record,
});

export const held = (
  t: number,
  from: string,
  to: string,
  key: string,
  msg: ViewMessageType,
  id: number,
  ballot: string | null = '1.a',
): HeldEvent => ({ type: 'held', t, node: from, id, to, key, msg, ballot });

export const release = (t: number, node: string, id: number, how: ReleaseHow): ReleaseEvent => ({
  type: 'release',
  t,
  node,
  id,
  how,
});

/** A state event with the transition that led to it. */
export const moved = (
  t: number,
  node: string,
  key: string,
  from: ViewState,
  to: ViewState,
  via: Omit<StateEvent, 'type' | 't' | 'node' | 'key' | 'state' | 'from'>,
): StateEvent => ({ type: 'state', t, node, key, state: to, from, ...via });
