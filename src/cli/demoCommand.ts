// `gen-paxos demo`: the README's main command. By default a cluster of real node processes
// (processDemo.ts); `--in-process` keeps the original single-process demo on the in-memory
// network (inProcessDemo.ts). Exit 0 when every node agrees on every key.
import { integerFlag, logLevelFlag, parseFlags, stringFlag } from './args.js';
import { EXIT, UsageError } from './exitCodes.js';
import type { CliIo } from './io.js';

export const DEMO_USAGE = `usage: gen-paxos demo [--nodes N] [--keys K] [--in-process] [--json] [--log-level LEVEL] [--config FILE]
       gen-paxos demo --ui [--teach] [--nodes N] [--ui-port N] [--rate R] [--keys K] [--duration-s S] [--record FILE]
  --nodes N       node processes to start, 1 to 9 (default 3)
  --keys K        keys to decide, 1 to 100000 (default 100; with --ui, default no limit)
  --in-process    run the nodes in this process on the in-memory network instead
  --ui            serve the live cluster view on 127.0.0.1 and keep asking keys until Ctrl-C
  --teach         with --ui, start in teaching mode: classic Paxos, one key at a time, slowed down
  --ui-port N     the view's port (default 0: a free one, printed)
  --rate R        with --ui, new keys per second, 0.1 to 1000 (default 4)
  --duration-s S  with --ui, stop after S seconds instead of at Ctrl-C
  --record FILE   with --ui, record the view's events (JSON lines) for 'gen-paxos view --replay FILE'`;

const SPEC = {
  nodes: { type: 'string' },
  keys: { type: 'string' },
  'in-process': { type: 'boolean' },
  json: { type: 'boolean' },
  'log-level': { type: 'string' },
  ui: { type: 'boolean' },
  'ui-port': { type: 'string' },
  rate: { type: 'string' },
  'duration-s': { type: 'string' },
  record: { type: 'string' },
  teach: { type: 'boolean' },
} as const;

export async function runDemo(argv: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseFlags(argv, SPEC, []);
  const nodes = integerFlag(stringFlag(values, 'nodes'), 'nodes', 3, 1, 9);
  const keys = integerFlag(stringFlag(values, 'keys'), 'keys', 100, 1, 100_000);
  const logLevel = logLevelFlag(stringFlag(values, 'log-level'), 'warn');
  if (values.ui === true) {
    if (values['in-process'] === true)
      throw new UsageError('--ui runs node processes: not with --in-process');
    const { runUiDemo } = await import('./uiDemo.js');
    const keysRaw = stringFlag(values, 'keys');
    const durationRaw = stringFlag(values, 'duration-s');
    const record = stringFlag(values, 'record');
    const result = await runUiDemo(
      {
        nodes,
        logLevel,
        port: integerFlag(stringFlag(values, 'ui-port'), 'ui-port', 0, 0, 65_535),
        keysPerSecond: rateFlag(stringFlag(values, 'rate')),
        ...(keysRaw !== undefined ? { maxKeys: keys } : {}),
        ...(durationRaw !== undefined
          ? { durationS: integerFlag(durationRaw, 'duration-s', 0, 1, 86_400) }
          : {}),
        ...(record !== undefined ? { record } : {}),
        json: values.json === true,
        teach: values.teach === true,
      },
      io,
    );
    return result.agreed ? EXIT.OK : EXIT.FAILURE;
  }
  for (const flag of ['ui-port', 'rate', 'duration-s', 'record', 'teach'] as const)
    if (values[flag] !== undefined) throw new UsageError(`--${flag} goes with --ui`);
  if (values['in-process'] === true) {
    const { runInProcessDemo } = await import('./inProcessDemo.js');
    const result = await runInProcessDemo({ nodes, keys, print: (line) => io.out(`${line}\n`) });
    return result.agreed ? EXIT.OK : EXIT.FAILURE;
  }
  const { runProcessDemo } = await import('./processDemo.js');
  const result = await runProcessDemo({ nodes, keys, logLevel, json: values.json === true }, io);
  return result.agreed ? EXIT.OK : EXIT.FAILURE;
}

/** --rate: new keys per second in the --ui demo. */
function rateFlag(raw: string | undefined): number {
  if (raw === undefined) return 4;
  const rate = Number(raw);
  if (!Number.isFinite(rate) || rate < 0.1 || rate > 1000)
    throw new UsageError(`--rate must be a number from 0.1 to 1000, not ${JSON.stringify(raw)}`);
  return rate;
}
