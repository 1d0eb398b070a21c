// The Paxos model as a transition system for the explorer: N nodes each running the node's per-key
// step over the instance machine, an unreliable network, client asks (several values each), timers
// that may fire at any time, retirement and respawn of instances, and crash-restarts (bounded) that
// keep only what was durable.
import { compareBallots, ballotsEqual } from '../../src/paxos/ballot.js';
import type { PaxosValue } from '../../src/paxos/messages.js';
import { forEachBit, hasBit, withBit, withoutBit } from './bitset.js';
import type { ModelConfig } from './config.js';
import type { TransitionSystem } from './explore.js';
import { Invariants } from './invariants.js';
import {
  ASK_BASE,
  DELIVER_BASE,
  MAX_ASKED_VALUES,
  NodeSteps,
  RETIRE,
  TIMEOUT,
  type NodeOutcome,
  type Step,
} from './nodeSteps.js';
import { stableStringify } from './canonical.js';
import { applySteps, initialWorld, replaceAt, worldKey, type World } from './world.js';
import { WriteQueues } from './writeQueue.js';

/** Node-level actions that are not machine events, as "events" of the action encoding. */
export const CRASH = -1;
/** The oldest write in flight becomes durable (`queued` mode). */
export const COMMIT = -2;
/** A client reads the node's store. */
export const READ = -3;
const EVENT_OFFSET = 4;

/** What one action does: node `node` takes `event`; if `crashBefore` > 0 it crashes just before
 * the effect at that index, having carried out only the effects before it. */
export interface Action {
  readonly node: number;
  readonly event: number;
  readonly crashBefore: number;
}

export function encodeAction(action: Action): number {
  return ((action.event + EVENT_OFFSET) * 16 + action.crashBefore) * 8 + action.node;
}

export function decodeAction(code: number): Action {
  return {
    node: code % 8,
    crashBefore: Math.floor(code / 8) % 16,
    event: Math.floor(code / 128) - EVENT_OFFSET,
  };
}

export class PaxosModel implements TransitionSystem<World> {
  readonly steps: NodeSteps;
  readonly queues = new WriteQueues();
  readonly invariants: Invariants;

  constructor(readonly config: ModelConfig) {
    if (config.members.length > 8) throw new Error('the action encoding holds at most 8 nodes');
    this.steps = new NodeSteps(config);
    this.invariants = new Invariants(
      this.steps.acceptances,
      config.members.length,
      config.invariants,
      (mask) => this.describeValues(mask),
    );
  }

  initial(): World {
    const nodes = this.config.members.map(() => this.steps.restingNode);
    const world = initialWorld(nodes, this.steps.emptyRecord, this.queues.empty);
    // A misbehaving member's messages, in the network from the start (delivered at any time).
    const forged = (this.config.forgeries ?? []).map((envelope) => this.steps.messageId(envelope));
    return forged.reduce((w, message) => ({ ...w, network: withBit(w.network, message) }), world);
  }

  key(world: World): string {
    return worldKey(world);
  }

  violation(world: World): string | null {
    return this.invariants.violation(world);
  }

  actions(world: World): readonly number[] {
    const codes: number[] = [];
    const crashesLeft = world.crashes < this.config.maxCrashes;
    const atomic = this.config.durability === 'atomic';
    for (let node = 0; node < this.config.members.length; node++) {
      const canCrash = crashesLeft && (this.config.crashable?.includes(this.steps.nameOf(node)) ?? true);
      const add = (event: number): void => {
        const outcome = this.outcome(world, node, event);
        if (outcome === null) return;
        codes.push(encodeAction({ node, event, crashBefore: 0 }));
        if (canCrash && atomic)
          for (const at of crashPoints(outcome.steps))
            codes.push(encodeAction({ node, event, crashBefore: at }));
      };
      add(TIMEOUT);
      for (let choice = 0; choice < MAX_ASKED_VALUES; choice++) add(ASK_BASE + choice);
      add(RETIRE);
      for (const message of this.steps.inbox[node] ?? []) {
        if (hasBit(world.network, message)) add(DELIVER_BASE + message);
      }
      if (canCrash) codes.push(encodeAction({ node, event: CRASH, crashBefore: 0 }));
      if (world.queues[node] !== this.queues.empty)
        codes.push(encodeAction({ node, event: COMMIT, crashBefore: 0 }));
      if (this.readable(world, node) !== 0) codes.push(encodeAction({ node, event: READ, crashBefore: 0 }));
    }
    return codes;
  }

  apply(world: World, code: number): World | null {
    const { node, event, crashBefore } = decodeAction(code);
    if (event === CRASH) return this.withoutDeadMessages(world, this.crash(world, node), node);
    if (event === COMMIT) {
      const { ready, queue } = this.queues.commit(world.queues[node] as number);
      const next = applySteps({ ...world, queues: replaceAt(world.queues, node, queue) }, node, ready);
      return this.withoutDeadMessages(world, next, node);
    }
    if (event === READ) {
      const learned = this.readable(world, node);
      return learned === 0 ? null : { ...world, learned: world.learned | learned };
    }
    const outcome = this.outcome(world, node, event);
    if (outcome === null) return null;
    let next = world;
    if (event >= ASK_BASE && event < DELIVER_BASE) {
      // The client's ask happened even if the node crashes while handling it.
      const value = this.steps.askedValue(node, event - ASK_BASE) as PaxosValue;
      next = {
        ...next,
        asked: next.asked | (1 << node),
        askedValues: next.askedValues | (1 << this.steps.valueId(value)),
      };
    }
    if (crashBefore > 0)
      return this.withoutDeadMessages(
        world,
        this.crash(applySteps(next, node, outcome.steps.slice(0, crashBefore)), node),
        node,
      );
    if (this.config.durability === 'queued') {
      const { ready, queue } = this.queues.append(next, node, outcome.steps);
      next = applySteps({ ...next, queues: replaceAt(next.queues, node, queue) }, node, ready);
    } else {
      next = applySteps(next, node, outcome.steps);
    }
    return this.withoutDeadMessages(
      world,
      { ...next, nodes: replaceAt(next.nodes, node, outcome.next) },
      node,
    );
  }

  /** The value bit a client reading `node`'s store would learn now that it has not yet, or 0. */
  private readable(world: World, node: number): number {
    if (this.config.reads === 'none') return 0;
    const latest =
      this.config.reads === 'latest' ? this.queues.latestRecord(world.queues[node] as number) : null;
    const record = this.steps.records.get(latest ?? (world.durable[node] as number));
    if (record.decided === null) return 0;
    const bit = 1 << this.steps.valueId(record.decided.value);
    return (world.learned & bit) === 0 ? bit : 0;
  }

  /**
   * Canonical network: drops messages whose delivery is a no-op now and for ever, so states
   * that differ only in such messages are one state. Only replies qualify (their effect
   * depends only on the recipient), and only when restarts keep the durable record, since the
   * argument rests on promises surviving crashes.
   */
  private withoutDeadMessages(before: World, world: World, moved: number): World {
    if (this.config.restartFrom !== 'durable') return world;
    let network = world.network;
    for (let node = 0; node < this.config.members.length; node++) {
      // Deadness depends only on the recipient, so only the node that moved can have made old
      // messages dead; for the others only messages sent by this step need a look.
      const recheckAll = node === moved;
      for (const message of this.steps.inbox[node] ?? []) {
        if (!hasBit(network, message) || (!recheckAll && hasBit(before.network, message))) continue;
        if (this.isDead(world, node, message)) network = withoutBit(network, message);
      }
    }
    return network === world.network ? world : { ...world, network };
  }

  private isDead(world: World, node: number, message: number): boolean {
    const instance = this.steps.instanceOf(world.nodes[node] as number);
    const durable = this.steps.records.get(world.durable[node] as number);
    const latest = this.steps.records.get(this.latestRecord(world, node));
    // In memory: the live instance's view, else the record as the node knows it.
    const known = instance === null ? latest : instance.context;
    const current = instance === null ? null : instance.context.ballot;
    const { message: m } = this.steps.messages.get(message);
    // A decided node ignores every reply and every decide, and never leaves `decided`.
    if (known.decided !== null && durable.decided !== null)
      return m.type === 'promise' || m.type === 'acknowledge' || m.type === 'reject' || m.type === 'decide';
    if (m.type !== 'promise' && m.type !== 'acknowledge' && m.type !== 'reject') return false;
    // A reply counts only while its ballot is the recipient's current one. Once the recipient
    // has moved past it, every later ballot of its goes above its promise (persisted before the
    // prepare left), so it never returns to this one, even after a crash or a respawn.
    const ballot = m.ballot;
    return (
      ballot.node === this.steps.nameOf(node) &&
      !ballotsEqual(current, ballot) &&
      compareBallots(known.promised, ballot) >= 0 &&
      compareBallots(latest.promised, ballot) >= 0 &&
      compareBallots(durable.promised, ballot) >= 0
    );
  }

  /** The node's record as `Storage.load` returns it: its last write, durable or still queued. */
  latestRecord(world: World, node: number): number {
    return this.queues.latestRecord(world.queues[node] as number) ?? (world.durable[node] as number);
  }

  /** The local outcome of `event` at `node`, or null when it is not enabled in `world`. */
  private outcome(world: World, node: number, event: number): NodeOutcome | null {
    if (event >= ASK_BASE && event < DELIVER_BASE && (world.asked & (1 << node)) !== 0) return null;
    return this.steps.step(
      node,
      world.nodes[node] as number,
      this.latestRecord(world, node),
      event,
      world.boots[node] as number,
    );
  }

  /** The node loses everything in memory and restarts from what it made durable. */
  private crash(world: World, node: number): World {
    const record =
      this.config.restartFrom === 'durable' ? (world.durable[node] as number) : this.steps.emptyRecord;
    const boot = (world.boots[node] as number) + 1;
    const started = this.steps.restart(node, record, boot);
    const next = applySteps(
      { ...world, durable: replaceAt(world.durable, node, record) },
      node,
      started.steps,
    );
    return {
      ...next,
      nodes: replaceAt(next.nodes, node, started.next),
      queues: replaceAt(next.queues, node, this.queues.empty),
      crashes: world.crashes + 1,
      boots: replaceAt(world.boots, node, boot),
      asked: this.config.reaskAfterRestart ? next.asked & ~(1 << node) : next.asked,
    };
  }

  describeValues(mask: number): string {
    const names: string[] = [];
    forEachBit([mask >>> 0], (id) => names.push(stableStringify(this.steps.values.get(id))));
    return names.length === 0 ? '∅' : names.join(', ');
  }
}

/**
 * Where a crash inside one step's effects leaves a state no other action reaches: just before
 * each write that has an effect ahead of it. A crash that only drops sends at the end is
 * subsumed by completing the step and crashing after it (an undelivered message is a lost one),
 * so it is not explored separately.
 */
export function crashPoints(steps: readonly Step[]): number[] {
  const points: number[] = [];
  for (let at = 1; at < steps.length; at++) if (steps[at]?.kind === 'persist') points.push(at);
  return points;
}
