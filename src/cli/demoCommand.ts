// `gen-paxos demo`: the README's main command. By default a cluster of real node processes
// (processDemo.ts); `--in-process` keeps the original single-process demo on the in-memory
// network (inProcessDemo.ts). Exit 0 when every node agrees on every key.
import { integerFlag, logLevelFlag, parseFlags, stringFlag } from './args.js';
import { EXIT, UsageError } from './exitCodes.js';
import type { CommandSpec } from './flagTable.js';
import type { CliIo } from './io.js';

export async function runDemo(argv: readonly string[], io: CliIo, spec: CommandSpec): Promise<number> {
  const { values } = parseFlags(argv, spec);
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
