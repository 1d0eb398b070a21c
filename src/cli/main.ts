#!/usr/bin/env node
// The `gen-paxos` command. Each subcommand parses its own flags; bad flags print a clear
// message and exit with status 2.
import { parseArgs } from 'node:util';
import { runInProcessDemo } from './inProcessDemo.js';

const USAGE = `usage: gen-paxos <command> [options]

commands:
  demo [--nodes N] [--keys K] [--in-process]   run a local cluster deciding keys, then stop it
`;

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'demo': {
      const { values } = parseArgs({
        args: [...rest],
        options: {
          nodes: { type: 'string', default: '3' },
          keys: { type: 'string', default: '100' },
          'in-process': { type: 'boolean', default: true },
        },
        strict: true,
      });
      const nodes = positiveInteger('--nodes', values.nodes);
      const keys = positiveInteger('--keys', values.keys);
      const result = await runInProcessDemo({ nodes, keys, print: (line) => console.log(line) });
      return result.agreed ? 0 : 1;
    }
    case undefined:
    case 'help':
    case '--help':
      process.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`gen-paxos: unknown command ${JSON.stringify(command)}\n${USAGE}`);
      return 2;
  }
}

class UsageError extends Error {}

function positiveInteger(flag: string, raw: string | undefined): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1)
    throw new UsageError(`${flag} must be a positive integer, got ${JSON.stringify(raw)}`);
  return value;
}

main(process.argv.slice(2)).then(
  (status) => process.exit(status),
  (error: unknown) => {
    const usage =
      error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    process.stderr.write(`gen-paxos: ${(error as Error).message}\n`);
    process.exit(usage ? 2 : 1);
  },
);
