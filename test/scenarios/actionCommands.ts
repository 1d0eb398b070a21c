// Scenario commands that act: start a cluster, ask, cut and heal the network, inject messages,
// crash and restart nodes, deliver messages and move time. Each returns the lines it prints itself
// (the trace lines it causes are added by the runner).
import type { Ballot, PaxosMessage } from '../../src/index.js';
import { ScenarioCommandError, parseValue } from './args.js';
import { requireWorld, type CommandHandler } from './context.js';
import { parseLink, readSelector, wordsBesideLink } from './selector.js';
import { parseCategories } from './tracer.js';
import { instanceVariant } from './variants.js';
import { ScenarioWorld } from './world.js';

const cluster: CommandHandler = async (context, args) => {
  const members = [...args.positional];
  const seedOption = args.number('seed', 1);
  const delivery = args.option('delivery') ?? 'manual';
  if (delivery !== 'manual' && delivery !== 'auto')
    throw new ScenarioCommandError(`cluster: delivery must be manual or auto, not ${delivery}`);
  const delayMs = args.range('delay') ?? {
    min: delivery === 'auto' ? 1 : 0,
    max: delivery === 'auto' ? 1 : 0,
  };
  if (delivery === 'manual' && delayMs.max > 0)
    throw new ScenarioCommandError('cluster: delay= needs delivery=auto (manual delivery has no delays)');
  const instance = args.option('instance');
  const maxRestarts = args.optionalNumber('max-restarts');
  const askTimeoutMs = args.optionalNumber('ask-timeout');
  const trace = args.option('trace');
  const options = {
    members,
    seed: context.forcedSeed ?? seedOption,
    delivery,
    delayMs,
    dropRate: args.number('drop-rate', 0),
    duplicateRate: args.number('dup-rate', 0),
    commitDelayMs: args.number('commit-delay', 0),
    ownerFastPath: args.onOff('owner-fast-path', true),
    acceptorFastPath: args.onOff('acceptor-fast-path', true),
    ...(askTimeoutMs !== undefined ? { askTimeoutMs } : {}),
    ...(instance !== undefined ? { instanceLogic: instanceVariant(instance) } : {}),
    ...(maxRestarts !== undefined
      ? {
          restartIntensity: {
            maxRestarts,
            periodMs: args.number('restart-period', 10_000),
          },
        }
      : {}),
  } as const;
  args.finish(Infinity);
  if (context.forcedSeed !== null && args.option('seed') !== undefined)
    throw new ScenarioCommandError('cluster: no seed= inside repeat, which sets it');
  await context.world?.close();
  context.world = null;
  const world = new ScenarioWorld(options);
  if (trace !== undefined) world.tracer.enabled = parseCategories(trace);
  context.world = world;
  await world.start();
  return [];
};

const trace: CommandHandler = (context, args) => {
  const world = requireWorld(context);
  world.tracer.enabled = parseCategories(
    args.word(0, 'categories (msgs,states,disk,asks,events | all | none)'),
  );
  args.finish(1);
  return [];
};

const ask: CommandHandler = async (context, args) => {
  const world = requireWorld(context);
  const timeoutMs = args.optionalNumber('timeout');
  args.finish(3);
  world.ask(args.word(0, 'node'), args.word(1, 'key'), parseValue(args.word(2, 'value')), timeoutMs);
  await world.settle();
  return [];
};

/** Many asks at once: key i through node i mod N (or every node), value from a template. */
const workload: CommandHandler = async (context, args) => {
  const world = requireWorld(context);
  const count = args.number('keys', 0);
  const prefix = args.option('prefix') ?? 'key-';
  const via = args.option('via') ?? 'round-robin';
  if (via !== 'round-robin' && via !== 'all')
    throw new ScenarioCommandError(`workload: via must be round-robin or all, not ${via}`);
  const contendedEvery = args.number('contended-every', 0);
  const template = args.option('value') ?? '{node}:{key}';
  const timeoutMs = args.optionalNumber('timeout');
  args.finish(0);
  if (count < 1) throw new ScenarioCommandError('workload: keys=N, at least 1');
  const running = world.running;
  for (let i = 0; i < count; i++) {
    const key = `${prefix}${i}`;
    const everyNode = via === 'all' || (contendedEvery > 0 && i % contendedEvery === 0);
    const askers = everyNode ? running : [running[i % running.length]!];
    for (const node of askers) {
      const text = template
        .replaceAll('{node}', node.id)
        .replaceAll('{key}', key)
        .replaceAll('{i}', String(i));
      world.ask(node.id, key, parseValue(text), timeoutMs);
    }
  }
  await world.settle();
  return [];
};

/** `partition a | b c`: groups separated by `|`; unlisted nodes form one more group. */
const partition: CommandHandler = (context, args) => {
  const world = requireWorld(context);
  args.finish(Infinity);
  const groups: string[][] = [[]];
  for (const word of args.positional) {
    if (word === '|') groups.push([]);
    else (groups.at(-1) as string[]).push(word);
  }
  if (groups.length < 2 || groups.some((group) => group.length === 0))
    throw new ScenarioCommandError('partition: groups of nodes separated by |, as in `partition a | b c`');
  world.network.partition(...groups);
  return [];
};

const heal: CommandHandler = (context, args) => {
  const world = requireWorld(context);
  args.finish(0);
  world.network.heal();
  for (const remove of world.dropRules.values()) remove();
  world.dropRules.clear();
  return [];
};

/** `faults [drop-rate=P] [dup-rate=P] [delay=A..B]`: changes the network's random faults from now on. */
const faults: CommandHandler = (context, args) => {
  const world = requireWorld(context);
  const dropRate = args.optionalNumber('drop-rate');
  const duplicateRate = args.optionalNumber('dup-rate');
  const delayMs = args.range('delay');
  args.finish(0);
  if (delayMs && world.options.delivery === 'manual')
    throw new ScenarioCommandError('faults: delay= needs delivery=auto (manual delivery has no delays)');
  world.network.setFaults({
    ...(dropRate !== undefined ? { dropRate } : {}),
    ...(duplicateRate !== undefined ? { duplicateRate } : {}),
    ...(delayMs ? { delayMs } : {}),
  });
  return [];
};

/** `drop a->b [type=T] [key=K]`: messages matching, sent from now on, are lost. */
const drop: CommandHandler = (context, args) => {
  const world = requireWorld(context);
  const selector = readSelector(args);
  args.finish(1);
  if (args.positional.length === 0)
    throw new ScenarioCommandError('drop: name a link (a->b, *->c, a->*), and optionally type= and key=');
  if (world.dropRules.has(selector.text))
    throw new ScenarioCommandError(`drop: ${selector.text} is dropped already`);
  world.dropRules.set(
    selector.text,
    world.network.addFilter((envelope) => (selector.matches(envelope) ? 'drop' : 'deliver')),
  );
  return [];
};

const restore: CommandHandler = (context, args) => {
  const world = requireWorld(context);
  const selector = readSelector(args);
  args.finish(1);
  const remove = world.dropRules.get(selector.text);
  if (!remove)
    throw new ScenarioCommandError(
      `restore: no rule ${selector.text} (rules: ${[...world.dropRules.keys()].join('; ') || 'none'})`,
    );
  remove();
  world.dropRules.delete(selector.text);
  return [];
};

function parseBallot(text: string | undefined, what: string): Ballot {
  const match = text === undefined ? null : /^(\d+)\.(\S+)$/.exec(text);
  if (!match)
    throw new ScenarioCommandError(`inject: ${what} must be a ballot ROUND.NODE, got ${text ?? 'nothing'}`);
  return { round: Number(match[1]), node: match[2] as string };
}

/** `inject a->b k TYPE …`: a message as `a` would send it (see README.md for each type's words). */
const inject: CommandHandler = async (context, args) => {
  const world = requireWorld(context);
  const link = parseLink(args.word(0, 'link from->to'), false);
  if (!link) throw new ScenarioCommandError('inject: the first word is the link, as in a->b (no *)');
  const key = args.word(1, 'key');
  const type = args.word(2, 'message type');
  const [first, second, third] = args.positional.slice(3);
  let message: PaxosMessage;
  switch (type) {
    case 'prepare':
    case 'acknowledge':
      message = { type, ballot: parseBallot(first, 'ballot') };
      break;
    case 'promise':
      message = {
        type,
        ballot: parseBallot(first, 'ballot'),
        accepted:
          second === undefined
            ? null
            : { value: parseValue(second), ballot: parseBallot(third, 'accepted ballot') },
      };
      break;
    case 'propose':
      message = { type, ballot: parseBallot(first, 'ballot'), value: parseValue(args.word(4, 'value')) };
      break;
    case 'reject':
      message = {
        type,
        ballot: parseBallot(first, 'ballot'),
        promised: parseBallot(second, 'promised ballot'),
      };
      break;
    case 'decide':
    case 'forward':
      message = { type, value: parseValue(args.word(3, 'value')) };
      break;
    default:
      throw new ScenarioCommandError(`inject: unknown message type ${type}`);
  }
  args.finish(type === 'promise' ? 6 : type === 'reject' || type === 'propose' ? 5 : 4);
  world.inject({ from: link.from, to: link.to, key, message });
  await world.settle();
  return [];
};

const crash: CommandHandler = async (context, args) => {
  const world = requireWorld(context);
  const wipe = args.positional[1] === 'wipe';
  if (args.positional[1] !== undefined && !wipe)
    throw new ScenarioCommandError(`crash: the only word after the node is wipe, not ${args.positional[1]}`);
  args.finish(2);
  world.crash(args.word(0, 'node'), wipe);
  await world.settle();
  return [];
};

const restart: CommandHandler = async (context, args) => {
  const world = requireWorld(context);
  args.finish(1);
  await world.restart(args.word(0, 'node'));
  await world.settle();
  return [];
};

/** `deliver [N|all] [a->b] [type=T] [key=K]`: in-flight messages, oldest first. */
const deliver: CommandHandler = async (context, args) => {
  const world = requireWorld(context);
  const selector = readSelector(args);
  const [countWord = 'all', ...rest] = wordsBesideLink(args);
  args.finish(2);
  if (rest.length > 0) throw new ScenarioCommandError(`deliver: unexpected ${rest.join(' ')}`);
  const limit = countWord === 'all' ? 'all' : Number(countWord);
  if (limit !== 'all' && !(Number.isInteger(limit) && limit > 0))
    throw new ScenarioCommandError(`deliver: a count (1, 2, …) or all, not ${countWord}`);
  const delivered = await world.deliver(limit, selector.matches);
  if (limit !== 'all' && delivered < limit)
    throw new ScenarioCommandError(`deliver ${limit}: only ${delivered} message(s) matched ${selector.text}`);
  if (delivered === 0) return ['nothing in flight'];
  return [];
};

const advance: CommandHandler = async (context, args) => {
  const world = requireWorld(context);
  const ms = Number(args.word(0, 'milliseconds'));
  args.finish(1);
  if (!(Number.isFinite(ms) && ms >= 0)) throw new ScenarioCommandError('advance: a number of milliseconds');
  await world.advance(ms);
  return [];
};

/**
 * `run [asks | quiet | learned NODE KEY] [max=MS]`: run until every ask settled (default), until
 * nothing is in flight and no timer waits, or until NODE knows KEY's decision.
 */
const run: CommandHandler = async (context, args) => {
  const world = requireWorld(context);
  const maxMs = args.number('max', 120_000);
  const [until = 'asks'] = args.positional;
  let done: () => boolean;
  if (until === 'asks') {
    args.finish(1);
    done = () => world.asks.every((a) => a.status !== 'pending');
  } else if (until === 'quiet') {
    args.finish(1);
    done = () => world.quiet;
  } else if (until === 'learned') {
    args.finish(3);
    const id = args.word(1, 'node');
    const key = args.word(2, 'key');
    done = () => world.node(id).read(key) !== undefined;
  } else throw new ScenarioCommandError(`run: until asks, quiet or learned NODE KEY, not ${until}`);
  await world.run(done, until, maxMs);
  return [];
};

export const ACTION_COMMANDS: Record<string, CommandHandler> = {
  cluster,
  trace,
  ask,
  workload,
  partition,
  heal,
  faults,
  drop,
  restore,
  inject,
  crash,
  restart,
  deliver,
  advance,
  run,
};
