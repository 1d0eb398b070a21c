// Scenario commands that look: what a node reads, the state and record of a key, node and network
// counters, messages in flight, asks, the invariant check, and the paxosFsm teaching API.
import { paxosFsm, type KeyRecord } from '../../src/index.js';
import { describeMessage, describeRecord } from '../support/trace.js';
import { stableStringify } from '../support/stableStringify.js';
import { ScenarioCommandError, parseValue, showValue } from './args.js';
import { checkInvariants } from './checks.js';
import { requireWorld, type CommandHandler } from './context.js';

/** `read NODE KEY` (or `read * KEY` for every running node): the decided value known there. */
const read: CommandHandler = (context, args) => {
  const world = requireWorld(context);
  const which = args.word(0, 'node (or *)');
  const key = args.word(1, 'key');
  args.finish(2);
  const nodes = which === '*' ? world.running : [world.node(which)];
  return nodes.map((node) => `${node.id}: ${key} = ${showValue(node.read(key))}`);
};

function recordText(record: KeyRecord | undefined): string {
  return record === undefined ? 'nothing stored' : describeRecord(record) || 'empty record';
}

/** `state NODE KEY`: the instance's state (a running node's view) and the key's record, durable or not. */
const state: CommandHandler = (context, args) => {
  const world = requireWorld(context);
  const id = args.word(0, 'node');
  const key = args.word(1, 'key');
  args.finish(2);
  const storage = world.storage(id);
  const latest = storage.load(key);
  const durable = storage.loadDurable(key);
  const running = world.running.find((node) => node.id === id);
  const where = running ? running.stateOf(key) : 'not running';
  const same = stableStringify(latest) === stableStringify(durable);
  const disk = same
    ? `${recordText(durable)}${durable ? ' (durable)' : ''}`
    : `${recordText(latest)} (durable: ${recordText(durable)})`;
  return [`${id}/${key}: ${where}; ${disk}`];
};

/** `stats [NODE…]`: supervisor counters of running nodes. */
const stats: CommandHandler = (context, args) => {
  const world = requireWorld(context);
  args.finish(Infinity);
  const nodes = args.positional.length === 0 ? world.running : args.positional.map((id) => world.node(id));
  return nodes.map((node) => {
    const s = node.stats;
    return `${node.id}: spawned=${s.spawned} retired=${s.retired} live=${s.liveInstances} restarted=${s.restarted} failed-keys=${s.failedKeys} refused=${s.messagesRefused}`;
  });
};

const network: CommandHandler = (context, args) => {
  const world = requireWorld(context);
  args.finish(0);
  const s = world.network.stats;
  return [
    `sent=${s.sent} delivered=${s.delivered} dropped=${s.dropped} duplicated=${s.duplicated} in-flight=${world.network.inFlight().length}`,
  ];
};

/** `held`: the messages in flight, oldest first. */
const held: CommandHandler = (context, args) => {
  const world = requireWorld(context);
  args.finish(0);
  const inFlight = world.network.inFlight();
  if (inFlight.length === 0) return ['nothing in flight'];
  return inFlight.map((e) => `${e.from} → ${e.to}  ${describeMessage(e.message)} for ${e.key}`);
};

/** `asks`: how the asks made so far ended. */
const asks: CommandHandler = (context, args) => {
  const world = requireWorld(context);
  args.finish(0);
  const count = (status: string) => world.asks.filter((a) => a.status === status).length;
  const codes = [...new Set(world.asks.flatMap((a) => (a.code ? [a.code] : [])))].sort();
  const failed = `${count('failed')} failed${codes.length ? ` (${codes.join(', ')})` : ''}`;
  return [`asks: ${count('decided')} decided, ${failed}, ${count('pending')} pending`];
};

const time: CommandHandler = (context, args) => {
  const world = requireWorld(context);
  args.finish(0);
  return [`${world.clock.now()} ms`];
};

/** `check [KEY…]`: the safety invariants (checks.ts); fails the file on a violation. */
const check: CommandHandler = (context, args) => {
  const world = requireWorld(context);
  args.finish(Infinity);
  const s = checkInvariants(world, args.positional);
  const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;
  return [
    `ok: ${s.decidedKeys} of ${count(s.keys, 'key')} decided; ${count(s.decisions, 'decision')} and ${count(s.answers, 'answer')} agree; ${count(s.ballots, 'ballot')}, none reused`,
    ...s.detail,
  ];
};

/** `fsm-start SUBJECT INIT_N VALUE OTHER…`: paxosFsm.start on this world's network and clock. */
const fsmStart: CommandHandler = async (context, args) => {
  const world = requireWorld(context);
  const subject = args.word(0, 'subject');
  const initN = Number(args.word(1, 'InitN'));
  const value = parseValue(args.word(2, 'value'));
  args.finish(Infinity);
  world.startFsm(subject, initN, value, args.positional.slice(3));
  await world.settle();
  return [];
};

/** `fsm-result SUBJECT…`: paxosFsm.getResult of each (the call that crashed the original). */
const fsmResult: CommandHandler = (_context, args) => {
  args.finish(Infinity);
  if (args.positional.length === 0) throw new ScenarioCommandError('fsm-result: name one subject or more');
  return args.positional.map((subject) => {
    const result = paxosFsm.getResult(subject);
    return `${subject}: ${result.state}, value ${showValue(result.value)}`;
  });
};

const fsmStop: CommandHandler = async (context, args) => {
  const world = requireWorld(context);
  args.finish(1);
  paxosFsm.stop(args.word(0, 'subject'));
  await world.settle();
  return [];
};

export const QUERY_COMMANDS: Record<string, CommandHandler> = {
  read,
  state,
  stats,
  network,
  held,
  asks,
  time,
  check,
  'fsm-start': fsmStart,
  'fsm-result': fsmResult,
  'fsm-stop': fsmStop,
};
