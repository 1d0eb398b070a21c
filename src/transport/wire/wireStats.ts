// Counters of the wire layer, and the one place where refused input is counted and logged.
// Logging is sampled per code (the first 10, then every power of two) so a peer flooding bad
// frames cannot flood the log; the counters stay exact.
import type { Logger, LogFields } from '../../base/log.js';
import type { OutboxCounters } from './outbox.js';
import type { TransportStats } from '../transport.js';
import type { WireErrorCode, WireProblem } from './wireErrors.js';

export interface WireStats extends OutboxCounters {
  /** Paxos envelopes queued for a peer (what the node asked to send and a link took). */
  envelopesSent: number;
  /** Paxos envelopes from peers that passed validation and reached the node. */
  envelopesReceived: number;
  /** Actor runtime messages a link took (runtime frames), and those that passed validation. */
  runtimeItemsSent: number;
  runtimeItemsReceived: number;
  /** Runtime messages for a node that is not up, or that could not be carried (not plain data…). */
  runtimeDroppedNotUp: number;
  runtimeDroppedUnsendable: number;
  framesReceived: number;
  itemsReceived: number;
  bytesReceived: number;
  /** Envelopes for a peer with no link up: lost, as Paxos allows. */
  droppedNoLink: number;
  linksOpened: number;
  linksClosed: number;
  /** Links closed because both nodes dialled and the other link won the tie-break. */
  linksSuperseded: number;
  /** Handshakes that did not end in a link or session (refused by either side, timed out, dropped). */
  handshakesFailed: number;
  heartbeatTimeouts: number;
  dialAttempts: number;
  clientRequests: number;
  /** Connections closed in their handshake to make room for newer ones (bounded handshakes). */
  handshakesEvicted: number;
  /** Client requests refused at once with WIRE_ERR_BUSY (admission control). */
  clientRequestsRefused: number;
  /** Client sessions closed because their replies backed up (WIRE_ERR_SLOW_CONSUMER). */
  slowClientsClosed: number;
  /** Refused frames, envelopes, requests and handshakes, by code. */
  readonly errors: Partial<Record<WireErrorCode, number>>;
}

export function createWireStats(): WireStats {
  return {
    envelopesSent: 0,
    envelopesReceived: 0,
    framesSent: 0,
    itemsSent: 0,
    bytesSent: 0,
    droppedBackpressure: 0,
    droppedOversized: 0,
    runtimeItemsSent: 0,
    runtimeItemsReceived: 0,
    runtimeDroppedNotUp: 0,
    runtimeDroppedUnsendable: 0,
    framesReceived: 0,
    itemsReceived: 0,
    bytesReceived: 0,
    droppedNoLink: 0,
    linksOpened: 0,
    linksClosed: 0,
    linksSuperseded: 0,
    handshakesFailed: 0,
    heartbeatTimeouts: 0,
    dialAttempts: 0,
    clientRequests: 0,
    handshakesEvicted: 0,
    clientRequestsRefused: 0,
    slowClientsClosed: 0,
    errors: {},
  };
}

/** Counts `p` under its code and logs it (sampled) at warn level. */
export function recordProblem(
  stats: WireStats,
  logger: Logger,
  p: WireProblem,
  fields: LogFields,
  level: 'warn' | 'info' = 'warn',
): void {
  const count = (stats.errors[p.code] ?? 0) + 1;
  stats.errors[p.code] = count;
  if (count <= 10 || (count & (count - 1)) === 0) {
    logger[level]('refused wire input', { code: p.code, detail: p.detail, count, ...fields });
  }
}

/** The counters as a flat name → number map (for `status` and metrics). */
export function flattenStats(stats: WireStats): Record<string, number> {
  const flat: Record<string, number> = {};
  for (const [name, value] of Object.entries(stats)) {
    if (typeof value === 'number') flat[`wire.${name}`] = value;
  }
  for (const [code, value] of Object.entries(stats.errors)) flat[`wire.errors.${code}`] = value as number;
  return flat;
}

/** The Transport's summary of these counters (the node's metrics), with the links up now. */
export function transportStatsOf(s: WireStats, linksUp: number): TransportStats {
  return {
    messagesSent: s.envelopesSent,
    messagesReceived: s.envelopesReceived,
    messagesDropped: {
      peer_down: s.droppedNoLink,
      backpressure: s.droppedBackpressure,
      oversized: s.droppedOversized,
    },
    messagesRefused: { ...s.errors },
    linksUp,
  };
}
