#!/usr/bin/env node
// The `gen-paxos` command (docs/cli.md). Each subcommand lives in its own module, imported only
// when run, so `gen-paxos ask` does not load what `gen-paxos node` needs and starts fast.
// Bad flags print a clear message and exit 2; other statuses are in exitCodes.ts.
import { EXIT, UsageError } from './exitCodes.js';
import { processIo, type CliIo } from './io.js';

const USAGE = `usage: gen-paxos <command> [options]

commands:
  node     run one node until SIGINT/SIGTERM
  ask      ask the cluster to decide KEY (prints the decided value)
  read     print the value KEY is decided to on one node
  status   print a node's members, links and counters
  demo     start a local cluster of node processes, decide keys, check agreement, stop it
           (demo --ui: watch it live in the browser, with controls to crash, cut off, slow down)
  view     the cluster view of a recording (--replay FILE) or of running nodes (--feed)

'gen-paxos <command> --help' shows a command's options; docs/cli.md has them all.
`;

type Command = (argv: readonly string[], io: CliIo) => Promise<number>;

const COMMANDS: Readonly<Record<string, { load: () => Promise<Command>; usage: () => Promise<string> }>> = {
  node: {
    load: async () => (await import('./nodeCommand.js')).runNode,
    usage: async () => (await import('./nodeCommand.js')).NODE_USAGE,
  },
  ask: {
    load: async () => (await import('./clientCommands.js')).runAsk,
    usage: async () => (await import('./clientCommands.js')).CLIENT_USAGE,
  },
  read: {
    load: async () => (await import('./clientCommands.js')).runRead,
    usage: async () => (await import('./clientCommands.js')).CLIENT_USAGE,
  },
  status: {
    load: async () => (await import('./clientCommands.js')).runStatus,
    usage: async () => (await import('./clientCommands.js')).CLIENT_USAGE,
  },
  demo: {
    load: async () => (await import('./demoCommand.js')).runDemo,
    usage: async () => (await import('./demoCommand.js')).DEMO_USAGE,
  },
  view: {
    load: async () => (await import('./viewCommand.js')).runView,
    usage: async () => (await import('./viewCommand.js')).VIEW_USAGE,
  },
};

async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    (name === undefined ? io.err : io.out)(USAGE);
    return name === undefined ? EXIT.USAGE : EXIT.OK;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    io.err(`gen-paxos: unknown command ${JSON.stringify(name)}\n\n${USAGE}`);
    return EXIT.USAGE;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(`${await command.usage()}\n`);
    return EXIT.OK;
  }
  try {
    return await (
      await command.load()
    )(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`gen-paxos ${name}: ${error.message}\n${await command.usage()}\n`);
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
