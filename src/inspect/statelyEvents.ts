// XState inspection events in the message format of @statelyai/inspect's WebSocket inspector
// (StatelyInspectionEvent), so the Stately inspector — or its createWebSocketReceiver — can
// attach to a node. Actor ids are cluster-unique (see actorIds.ts). Microsteps are sent as
// snapshot events, so states passed through within one macrostep (preparing → proposing →
// decided on one message) are seen too.
import type { InspectionEvent } from 'xstate';
import type { ClusterActorIds } from './actorIds.js';

/** The @statelyai/inspect protocol version these events follow. */
export const STATELY_PROTOCOL_VERSION = '0.7.2';

interface StatelyBase {
  readonly sessionId: string;
  readonly rootId: string | undefined;
  readonly createdAt: string;
  readonly id: string | null;
  readonly _version: string;
}

export type StatelyInspectionEvent =
  | (StatelyBase & {
      readonly type: '@xstate.actor';
      readonly name: string;
      readonly parentId: string | undefined;
      readonly definition: string | undefined;
      readonly snapshot: unknown;
    })
  | (StatelyBase & {
      readonly type: '@xstate.event';
      readonly event: unknown;
      readonly sourceId: string | undefined;
    })
  | (StatelyBase & {
      readonly type: '@xstate.snapshot';
      readonly event: unknown;
      readonly snapshot: unknown;
    });

/** Plain data for JSON: what a snapshot shows (value, context, status), never actor refs. */
function snapshotData(snapshot: unknown): unknown {
  const s = snapshot as
    { value?: unknown; context?: unknown; status?: unknown; output?: unknown } | undefined;
  return { status: s?.status ?? 'active', value: s?.value, context: s?.context, output: s?.output };
}

/** XState announces an actor before its snapshot can be read. */
function snapshotIfReady(actor: { getSnapshot(): unknown }): unknown {
  try {
    return actor.getSnapshot();
  } catch {
    return undefined;
  }
}

function eventData(event: unknown): unknown {
  // Events may carry actor refs (replyTo); keep their type and plain fields only.
  if (typeof event !== 'object' || event === null) return event;
  const out: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(event)) {
    out[field] =
      value !== null && typeof value === 'object' && 'sessionId' in value
        ? { actor: (value as { sessionId: string }).sessionId }
        : value;
  }
  return out;
}

function definitionOf(actor: unknown): string | undefined {
  const config = (actor as { logic?: { config?: unknown } }).logic?.config;
  if (typeof config !== 'object' || config === null) return undefined;
  try {
    return JSON.stringify(config, (_key, value: unknown) =>
      typeof value === 'function' ? { type: value.name || 'inline' } : value,
    );
  } catch {
    return undefined;
  }
}

export function toStatelyEvent(
  event: InspectionEvent,
  ids: ClusterActorIds,
  nowMs: number,
): StatelyInspectionEvent | undefined {
  const base = {
    sessionId: ids.idOf(event.actorRef),
    // Every actor of a node belongs to that node's tree, whatever actor system it runs in.
    rootId: ids.nodeId,
    createdAt: String(nowMs),
    id: null,
    _version: STATELY_PROTOCOL_VERSION,
  };
  switch (event.type) {
    case '@xstate.actor': {
      return {
        ...base,
        type: '@xstate.actor',
        name: (event.actorRef as { id?: string }).id ?? event.actorRef.sessionId,
        parentId: ids.parentIdOf(event.actorRef),
        definition: definitionOf(event.actorRef),
        snapshot: snapshotData(snapshotIfReady(event.actorRef)),
      };
    }
    case '@xstate.event':
      return {
        ...base,
        type: '@xstate.event',
        event: eventData(event.event),
        sourceId: event.sourceRef ? ids.idOf(event.sourceRef) : undefined,
      };
    case '@xstate.snapshot':
    case '@xstate.microstep':
      return {
        ...base,
        type: '@xstate.snapshot',
        event: eventData(event.event),
        snapshot: snapshotData(event.snapshot),
      };
    default:
      return undefined;
  }
}
