// Readable counterexamples: each step of a trace as "node: event ⇒ new state; effects".
import { formatBallot, type Ballot } from '../../src/paxos/ballot.js';
import type { AcceptedProposal, Envelope, PaxosMessage, PaxosValue } from '../../src/paxos/messages.js';
import { stableStringify } from './canonical.js';
import { replay, type ExploreResult } from './explore.js';
import { ASK_BASE, DELIVER_BASE, RETIRE, TIMEOUT, type NodeSnapshot } from './nodeSteps.js';
import { COMMIT, CRASH, decodeAction, READ, type PaxosModel } from './paxosModel.js';
import type { World } from './world.js';

export function formatValue(value: PaxosValue): string {
  return typeof value === 'string' ? value : stableStringify(value);
}

function formatAccepted(accepted: AcceptedProposal | null): string {
  return accepted === null ? '⊥' : `${formatBallot(accepted.ballot)}=${formatValue(accepted.value)}`;
}

function bootOf(boot: number | undefined): string {
  return boot === undefined ? '' : `, boot ${boot}`;
}

export function formatMessage(message: PaxosMessage): string {
  switch (message.type) {
    case 'prepare':
      return `prepare(${formatBallot(message.ballot)})`;
    case 'promise':
      return `promise(${formatBallot(message.ballot)}, accepted ${formatAccepted(message.accepted)})`;
    case 'propose':
      return `propose(${formatBallot(message.ballot)}, ${formatValue(message.value)}${bootOf(message.boot)})`;
    case 'acknowledge':
      return `acknowledge(${formatBallot(message.ballot)}${bootOf(message.boot)})`;
    case 'reject':
      return `reject(${formatBallot(message.ballot)}, promised ${formatBallot(message.promised)})`;
    case 'decide':
      return `decide(${formatValue(message.value)})`;
    case 'forward':
      return `forward(${formatValue(message.value)})`;
    case 'query':
      return `query(${message.read})`;
    case 'state':
      return `state(${message.read}, accepted ${formatAccepted(message.accepted)}, decided ${message.decided ? formatValue(message.decided.value) : '⊥'})`;
  }
}

function formatEnvelope(envelope: Envelope): string {
  return `${envelope.from}→${envelope.to} ${formatMessage(envelope.message)}`;
}

/** A node's key slot: its live instance, or the record it answers from without one. */
export function formatNodeState(model: PaxosModel, world: World, node: number): string {
  const id = world.nodes[node] as number;
  const state = model.steps.nodes.get(id);
  const instance = model.steps.instanceOf(id);
  const slot = [
    ...(state.awaiting ? ['awaiting its outcome (takeover timer)'] : []),
    ...(state.proposal >= 0 ? [`asked ${formatValue(model.steps.values.get(state.proposal))}`] : []),
  ];
  if (instance !== null) return [formatNode(instance), ...slot].join(', ');
  const r = model.steps.records.get(model.latestRecord(world, node));
  return [
    `${model.steps.nameOf(node)} no instance`,
    `record promised ${formatBallot(r.promised)}`,
    `accepted ${formatAccepted(r.accepted)}`,
    ...(r.decided ? [`decided ${formatValue(r.decided.value)}`] : []),
    ...slot,
  ].join(', ');
}

export function formatNode(snapshot: NodeSnapshot): string {
  const c = snapshot.context;
  const parts = [
    `${c.node} ${String(snapshot.value)}`,
    `promised ${formatBallot(c.promised as Ballot | null)}`,
  ];
  parts.push(`accepted ${formatAccepted(c.accepted)}`);
  if (c.ballot !== null) parts.push(`ballot ${formatBallot(c.ballot)}`);
  if (c.decided !== null) parts.push(`decided ${formatValue(c.decided.value)}`);
  return parts.join(', ');
}

/** One line per step, and the state of the node that moved. */
export function formatTrace(model: PaxosModel, path: readonly number[]): string[] {
  const lines: string[] = [];
  let before: World = model.initial();
  replay(model, path).forEach(({ action, state }, index) => {
    const { node, event, crashBefore } = decodeAction(action);
    const name = model.steps.nameOf(node);
    let what: string;
    const restart =
      model.config.restartFrom === 'durable'
        ? 'restarts from its durable record'
        : 'restarts with an EMPTY record';
    if (event === CRASH) what = `crashes and ${restart}`;
    else if (event === COMMIT) what = 'oldest write in flight becomes durable';
    else if (event === READ)
      what = `client reads the store (${model.config.reads === 'latest' ? 'latest record, durable or not' : 'durable record'})`;
    else if (event === TIMEOUT) what = 'timer fires';
    else if (event >= ASK_BASE && event < DELIVER_BASE)
      what = `client asks ${formatValue(model.steps.askedValue(node, event - ASK_BASE) as PaxosValue)}`;
    else if (event === RETIRE) what = 'retires its instance (the record answers for the key)';
    else what = `receives ${formatEnvelope(model.steps.messages.get(event - DELIVER_BASE))}`;
    if (crashBefore > 0) what += `, then crashes before its effect #${crashBefore + 1} and ${restart}`;
    const effects = describeEffects(model, before, state);
    lines.push(`${String(index + 1).padStart(3)}. ${name} ${what}`);
    lines.push(`       ⇒ ${formatNodeState(model, state, node)}`);
    for (const effect of effects) lines.push(`         ${effect}`);
    before = state;
  });
  return lines;
}

function describeEffects(model: PaxosModel, before: World, after: World): string[] {
  const effects: string[] = [];
  for (let message = 0; message < model.steps.messages.size; message++) {
    const was = (((before.network[message >>> 5] ?? 0) >>> (message & 31)) & 1) === 1;
    const is = (((after.network[message >>> 5] ?? 0) >>> (message & 31)) & 1) === 1;
    if (is && !was) effects.push(`sends ${formatEnvelope(model.steps.messages.get(message))}`);
  }
  after.durable.forEach((record, node) => {
    if (record !== before.durable[node]) {
      const r = model.steps.records.get(record);
      effects.push(
        `${model.steps.nameOf(node)} durable: promised ${formatBallot(r.promised)}, accepted ${formatAccepted(r.accepted)}` +
          (r.decided ? `, decided ${formatValue(r.decided.value)}` : ''),
      );
    }
  });
  after.queues.forEach((queue, node) => {
    if (queue !== before.queues[node]) {
      const steps = model.queues.get(queue);
      const writes = steps.filter((step) => step.kind === 'persist').length;
      effects.push(
        steps.length === 0
          ? `${model.steps.nameOf(node)}: nothing in flight`
          : `${model.steps.nameOf(node)}: ${writes} write(s) in flight, ${steps.length - writes} effect(s) held behind them`,
      );
    }
  });
  const learned = after.learned & ~before.learned;
  if (learned !== 0) effects.push(`learns ${model.describeValues(learned)} (answers its client)`);
  return effects;
}

/** A one-line summary of an exploration. */
export function formatSummary(name: string, result: ExploreResult): string {
  return (
    `${name}: ${result.verdict}, ${result.states.toLocaleString('en-US')} distinct states, ` +
    `${result.transitions.toLocaleString('en-US')} transitions, depth ${result.depth}, ${result.seconds.toFixed(1)} s`
  );
}
