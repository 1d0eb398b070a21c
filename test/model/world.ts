// The global state of the model: every node's machine snapshot and durable record, the
// network, and ghost history for the invariants. The network is the set of every message ever
// sent: delivery never removes one, so loss (never delivering), duplication (delivering again)
// and reordering (delivering in any order) are all implicit, a standard sound abstraction for
// Paxos safety.
import { bitsKey, EMPTY_BITS, withBit, type Bits } from './bitset.js';
import type { Step } from './nodeSteps.js';

export interface World {
  /** Interned machine snapshot of each node. */
  readonly nodes: readonly number[];
  /** Interned record each node has made durable: what a crash-restart loads. */
  readonly durable: readonly number[];
  /** Interned write queue of each node (writes in flight, effects held behind them); `queued` mode. */
  readonly queues: readonly number[];
  /** Bit i: the client of node i has asked this incarnation of it. */
  readonly asked: number;
  /** Bit v: some client asked for value v (validity's "proposed"). */
  readonly askedValues: number;
  readonly crashes: number;
  /** Each node's boot: its crash-restarts so far (its store's durable restart counter). */
  readonly boots: readonly number[];
  /** Messages ever sent. */
  readonly network: Bits;
  /** Ghost: every durable acceptance (node, ballot, value) ever made. */
  readonly acceptances: Bits;
  /** Ghost, bit v: value v was learned (a `decided` effect answered a client). */
  readonly learned: number;
}

export function initialWorld(nodes: readonly number[], emptyRecord: number, emptyQueue: number): World {
  return {
    nodes,
    durable: nodes.map(() => emptyRecord),
    queues: nodes.map(() => emptyQueue),
    asked: 0,
    askedValues: 0,
    crashes: 0,
    boots: nodes.map(() => 0),
    network: EMPTY_BITS,
    acceptances: EMPTY_BITS,
    learned: 0,
  };
}

export function worldKey(world: World): string {
  return (
    `${world.nodes.join(',')};${world.durable.join(',')};${world.queues.join(',')};${world.asked},${world.askedValues},` +
    `${world.crashes},${world.learned};${world.boots.join(',')};${bitsKey(world.network)};${bitsKey(world.acceptances)}`
  );
}

/**
 * Carries out `steps` of node `index` in order. The runtime's effect runner holds every send
 * behind the writes issued before it, so what a crash leaves done is always a prefix of the
 * emitted effects: the caller picks the prefix.
 */
export function applySteps(world: World, index: number, steps: readonly Step[]): World {
  let durable = world.durable;
  let network = world.network;
  let acceptances = world.acceptances;
  let learned = world.learned;
  for (const step of steps) {
    switch (step.kind) {
      case 'persist':
        if (durable[index] !== step.record) durable = replaceAt(durable, index, step.record);
        if (step.acceptance !== null) acceptances = withBit(acceptances, step.acceptance);
        break;
      case 'send':
        for (const message of step.messages) network = withBit(network, message);
        break;
      case 'decided':
        learned |= 1 << step.value;
        break;
    }
  }
  return { ...world, durable, network, acceptances, learned };
}

export function replaceAt(values: readonly number[], index: number, value: number): readonly number[] {
  const copy = values.slice();
  copy[index] = value;
  return copy;
}
