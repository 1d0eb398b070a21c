#!/usr/bin/env node
// The `gen-paxos` command (docs/cli.md). Each subcommand lives in its own module, imported only
// when run, so `gen-paxos ask` does not load what `gen-paxos node` needs and starts fast; help,
// version and "did you mean" come from the flag tables (commandSpecs.ts) without loading any.
// Bad flags print a clear message and exit 2; other statuses are in exitCodes.ts.
import { COMMAND_SPECS } from './commandSpecs.js';
import { closest } from './editDistance.js';
import { EXIT, UsageError } from './exitCodes.js';
import { formatHelp, type CommandSpec } from './flagTable.js';
import { processIo, type CliIo } from './io.js';
import { packageVersion } from '../base/version.js';

type Command = (argv: readonly string[], io: CliIo, spec: CommandSpec) => Promise<number>;

const COMMANDS: Readonly<Record<string, () => Promise<Command>>> = {
  node: async () => (await import('./nodeCommand.js')).runNode,
  ask: async () => (await import('./clientCommands.js')).runAsk,
  read: async () => (await import('./clientCommands.js')).runRead,
  status: async () => (await import('./clientCommands.js')).runStatus,
  health: async () => (await import('./healthCommand.js')).runHealth,
  'member list': async () => (await import('./memberCommands.js')).runMemberList,
  'member add': async () => (await import('./memberCommands.js')).runMemberAdd,
  'member remove': async () => (await import('./memberCommands.js')).runMemberRemove,
  'member replace': async () => (await import('./memberCommands.js')).runMemberReplace,
  demo: async () => (await import('./demoCommand.js')).runDemo,
  view: async () => (await import('./viewCommand.js')).runView,
  version: async () => async (_argv, io) => {
    io.out(`${packageVersion()}\n`);
    return EXIT.OK;
  },
};

function usage(): string {
  const names = Object.keys(COMMAND_SPECS);
  const width = Math.max(...names.map((name) => name.length));
  const lines = Object.values(COMMAND_SPECS).map((spec) => `  ${spec.name.padEnd(width)}  ${spec.summary}`);
  return [
    'usage: gen-paxos <command> [options]',
    '',
    'commands:',
    ...lines,
    '',
    "'gen-paxos <command> --help' lists a command's flags; docs/cli.md has them all.",
    "'gen-paxos --version' prints the version.",
    '',
  ].join('\n');
}

/** `member` takes a subcommand: `member list` is one command, with its own flag table. */
const GROUPS: readonly string[] = ['member'];

function groupUsage(group: string): string {
  const specs = Object.values(COMMAND_SPECS).filter((spec) => spec.name.startsWith(`${group} `));
  const width = Math.max(...specs.map((spec) => spec.name.length));
  return [
    `usage: gen-paxos ${group} <${specs.map((spec) => spec.name.slice(group.length + 1)).join('|')}> [options]`,
    '',
    ...specs.map((spec) => `  ${spec.name.padEnd(width)}  ${spec.summary}`),
    '',
    `'gen-paxos ${group} <subcommand> --help' lists its flags.`,
    '',
  ].join('\n');
}

async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [first, ...afterFirst] = argv;
  let name = first;
  let rest = afterFirst;
  if (first !== undefined && GROUPS.includes(first)) {
    const [sub, ...afterSub] = afterFirst;
    if (sub === undefined || sub.startsWith('-')) {
      const help = sub === '--help' || sub === '-h';
      (help ? io.out : io.err)(groupUsage(first));
      return help ? EXIT.OK : EXIT.USAGE;
    }
    name = `${first} ${sub}`;
    rest = afterSub;
    if (COMMAND_SPECS[name] === undefined) {
      const subs = Object.keys(COMMAND_SPECS)
        .filter((known) => known.startsWith(`${first} `))
        .map((known) => known.slice(first.length + 1));
      const guess = closest(sub, subs);
      const hint = guess === null ? '' : ` (did you mean ${JSON.stringify(`${first} ${guess}`)}?)`;
      io.err(`gen-paxos: unknown command ${JSON.stringify(name)}${hint}\n\n${groupUsage(first)}`);
      return EXIT.USAGE;
    }
  }
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    (name === undefined ? io.err : io.out)(usage());
    return name === undefined ? EXIT.USAGE : EXIT.OK;
  }
  if (name === '--version' || name === '-v')
    return (await COMMANDS.version!())([], io, COMMAND_SPECS.version!);
  const spec = COMMAND_SPECS[name];
  const load = COMMANDS[name];
  if (spec === undefined || load === undefined) {
    const guess = closest(name.replace(/^-+/, ''), Object.keys(COMMAND_SPECS));
    const hint = guess === null ? '' : ` (did you mean ${JSON.stringify(guess)}?)`;
    io.err(`gen-paxos: unknown command ${JSON.stringify(name)}${hint}\n\n${usage()}`);
    return EXIT.USAGE;
  }
  // `--` ends the flags: a VALUE of "--help" after it is a value, not a request for help.
  const flags = rest.includes('--') ? rest.slice(0, rest.indexOf('--')) : rest;
  if (flags.includes('--help') || flags.includes('-h')) {
    io.out(`${formatHelp(spec)}\n`);
    return EXIT.OK;
  }
  try {
    return await (
      await load()
    )(rest, io, spec);
  } catch (error) {
    if (error instanceof UsageError) {
      const synopsis = formatHelp(spec).split('\n')[0];
      io.err(
        `gen-paxos ${name}: ${error.message}\n${synopsis}   ('gen-paxos ${name} --help' lists every flag)\n`,
      );
      return EXIT.USAGE;
    }
    throw error;
  }
}

main(process.argv.slice(2), processIo).then(
  (status) => exit(status),
  (error: unknown) => {
    process.stderr.write(`gen-paxos: ${(error as Error).stack ?? String(error)}\n`);
    exit(EXIT.FAILURE);
  },
);

/** Exits once stdout has taken everything written (it may be a pipe). */
function exit(status: number): void {
  process.stdout.write('', () => process.exit(status));
}
