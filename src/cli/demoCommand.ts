// `gen-paxos demo`: the README's main command. By default a cluster of real node processes
// (processDemo.ts); `--in-process` keeps the original single-process demo on the in-memory
// network (inProcessDemo.ts). Exit 0 when every node agrees on every key.
import { integerFlag, logLevelFlag, parseFlags, stringFlag } from './args.js';
import { EXIT } from './exitCodes.js';
import type { CliIo } from './io.js';

export const DEMO_USAGE = `usage: gen-paxos demo [--nodes N] [--keys K] [--in-process] [--json] [--log-level LEVEL] [--config FILE]
  --nodes N       node processes to start, 1 to 9 (default 3)
  --keys K        keys to decide, 1 to 100000 (default 100)
  --in-process    run the nodes in this process on the in-memory network instead`;

const SPEC = {
  nodes: { type: 'string' },
  keys: { type: 'string' },
  'in-process': { type: 'boolean' },
  json: { type: 'boolean' },
  'log-level': { type: 'string' },
} as const;

export async function runDemo(argv: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseFlags(argv, SPEC, []);
  const nodes = integerFlag(stringFlag(values, 'nodes'), 'nodes', 3, 1, 9);
  const keys = integerFlag(stringFlag(values, 'keys'), 'keys', 100, 1, 100_000);
  const logLevel = logLevelFlag(stringFlag(values, 'log-level'), 'warn');
  if (values['in-process'] === true) {
    const { runInProcessDemo } = await import('./inProcessDemo.js');
    const result = await runInProcessDemo({ nodes, keys, print: (line) => io.out(`${line}\n`) });
    return result.agreed ? EXIT.OK : EXIT.FAILURE;
  }
  const { runProcessDemo } = await import('./processDemo.js');
  const result = await runProcessDemo({ nodes, keys, logLevel, json: values.json === true }, io);
  return result.agreed ? EXIT.OK : EXIT.FAILURE;
}
