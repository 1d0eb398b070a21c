// What the leader layer runs on: the node's public port (src/node/paxosPort.ts), taken from
// whichever shape the caller has — `startLink`'s handle, a genPaxosNode actor in the caller's own
// XState system, or a port of the caller's making.
import type { TimerClock } from '../base/clock.js';
import { GenPaxosNode } from '../node/genPaxos.js';
import type { GenPaxosNodeActorRef } from '../node/genPaxosNode.js';
import { actorPort, type PaxosPort } from '../node/paxosPort.js';

export type { PaxosPort } from '../node/paxosPort.js';

/** Anything `startLeader` and the `genLeader` actor accept as their Paxos node. */
export type PaxosSource = GenPaxosNode | GenPaxosNodeActorRef | PaxosPort;

function isPort(source: PaxosSource): source is PaxosPort {
  return typeof (source as PaxosPort).onDecided === 'function';
}

/** The port of `source`. `clock` times the asks of an actor-ref node (the handle times its own). */
export function paxosPortOf(source: PaxosSource, clock: TimerClock): PaxosPort {
  if (source instanceof GenPaxosNode) return source.port;
  if (isPort(source)) return source;
  return actorPort(source, clock);
}
