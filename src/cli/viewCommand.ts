// `gen-paxos view`: the cluster view without the demo. `--replay FILE` opens a recording (from
// `demo --ui --record`, or a simulation seed exported with `npm run sim:view`) to pause, step
// and scrub; `--feed ID=URL` (repeated) follows running nodes' view feeds live, without controls.
// Serves on 127.0.0.1 until Ctrl-C.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { ClusterFeed } from '../inspect/view/clusterFeed.js';
import { startViewServer } from '../inspect/view/viewServer.js';
import { integerFlag, listFlag, parseFlags, peerFlag, stringFlag } from './args.js';
import { EXIT, UsageError } from './exitCodes.js';
import type { CommandSpec } from './flagTable.js';
import type { CliIo } from './io.js';
import { onStopSignals } from './stopSignals.js';

export async function runView(argv: readonly string[], io: CliIo, spec: CommandSpec): Promise<number> {
  const { values } = parseFlags(argv, spec);
  const replay = stringFlag(values, 'replay');
  const feeds = listFlag(values, 'feed').map((raw) => {
    try {
      return peerFlag(raw);
    } catch {
      throw new UsageError(
        `--feed must be ID=URL (for example n1=ws://127.0.0.1:9101), got ${JSON.stringify(raw)}`,
      );
    }
  });
  if ((replay === undefined) === (feeds.length === 0)) throw new UsageError('give either --replay or --feed');
  const port = integerFlag(stringFlag(values, 'port'), 'port', 0, 0, 65_535);
  let text = '';
  if (replay !== undefined) {
    try {
      text = readFileSync(replay, 'utf8');
    } catch (error) {
      throw new UsageError(`--replay ${replay}: ${(error as Error).message}`);
    }
  }
  const feed = feeds.length > 0 ? new ClusterFeed({ feeds: Object.fromEntries(feeds) }) : undefined;
  feed?.start();
  const server = await startViewServer({
    port,
    ...(feed ? { feed } : { recording: { name: basename(replay as string), text } }),
  });
  io.out(`cluster view: ${server.openUrl}  (Ctrl-C to stop)\n`);
  let stopRequested = () => {};
  const stopped = new Promise<void>((resolve) => (stopRequested = resolve));
  const removeSignalListeners = onStopSignals(() => stopRequested());
  await stopped;
  await server.close();
  await feed?.close();
  removeSignalListeners();
  return EXIT.OK;
}
