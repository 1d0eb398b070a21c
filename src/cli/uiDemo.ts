// `gen-paxos demo --ui`: the live cluster view on a local cluster of real node processes. Each
// node runs with its view feed on a port of its own and fault injection allowed, in the default
// configuration (keys a node only votes on run without an instance, and are inspected as their
// instance would be: what runs is what is watched); a data directory each, so a crashed node restarts on its
// durable state. The demo follows the feeds, serves the page on 127.0.0.1, keeps asking keys
// until Ctrl-C (or --duration-s), optionally records the events, then stops everything it
// started, removes its temp dir, and exits 0 if no key was ever decided two ways.
// `--teach` (or the page's switch) runs classic Paxos (the owner fast path off, so every key
// goes through both phases) with a key at a time, slowed down, for learners.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ClusterFeed } from '../inspect/view/clusterFeed.js';
import { recordFeed, type Recording } from '../inspect/view/recorder.js';
import { startViewServer, type ViewServer } from '../inspect/view/viewServer.js';
import type { LogLevel } from '../base/log.js';
import { DemoClients } from './demoClients.js';
import { DemoControls, type DemoMode } from './demoControls.js';
import { DemoLoad, emptyLoadStats } from './demoLoad.js';
import { TeachLoad } from './teachLoad.js';
import { freePorts } from './freePorts.js';
import type { CliIo } from './io.js';
import { LocalCluster } from './localCluster.js';
import { onStopSignals } from './stopSignals.js';

export interface UiDemoOptions {
  readonly nodes: number;
  readonly logLevel: LogLevel;
  /** The page's port (0: a free one). */
  readonly port: number;
  readonly keysPerSecond: number;
  /** Stop asking after this many keys (default: never). */
  readonly maxKeys?: number;
  /** Stop the demo after this long (default: at Ctrl-C). */
  readonly durationS?: number;
  /** Record the events to this JSON-lines file. */
  readonly record?: string;
  readonly json: boolean;
  /** Start in teaching mode. */
  readonly teach?: boolean;
}

/** Slow motion in teaching mode: every message waits this long on its link, give or take a little. */
export const TEACH_NETWORK = { dropRate: 0, delayMs: 400, jitterMs: 40 } as const;

export async function runUiDemo(options: UiDemoOptions, io: CliIo): Promise<{ agreed: boolean }> {
  const dir = mkdtempSync(join(tmpdir(), 'gen-paxos-demo-'));
  const mainPath = fileURLToPath(new URL('./main.js', import.meta.url));
  const say = (line: string) => void (options.json ? io.err(`${line}\n`) : io.out(`${line}\n`));
  let cluster: LocalCluster | null = null;
  let feed: ClusterFeed | null = null;
  let server: ViewServer | null = null;
  let recording: Recording | null = null;
  let clients: DemoClients | null = null;
  let controls: DemoControls | null = null;
  const mode: DemoMode = { teach: options.teach === true };
  let stopRequested: (why: string) => void = () => {};
  const stopped = new Promise<string>((resolve) => (stopRequested = resolve));
  // Ctrl-C is how a person ends this demo: stop cleanly (the nodes got the same SIGINT).
  const removeSignalListeners = onStopSignals((signal) => stopRequested(signal));
  try {
    const viewPorts = await freePorts(options.nodes);
    // The nodes' view feeds want a token (docs/security.md, "Feeds"): one for all, in a file.
    const feedToken = randomBytes(16).toString('hex');
    const feedTokenFile = join(dir, 'feed.token');
    writeFileSync(feedTokenFile, `${feedToken}\n`, { mode: 0o600 });
    say(
      `gen-paxos demo --ui: ${options.nodes} node processes on 127.0.0.1 with durable state (LMDB in ${dir})`,
    );
    cluster = await LocalCluster.start({
      size: options.nodes,
      mainPath,
      dir,
      cluster: 'demo',
      durable: true,
      logLevel: options.logLevel,
      onStderr: (_id, line) => io.err(`${line}\n`),
      // Read at every (re)start: the page's teaching switch restarts the nodes.
      extraArgs: (id) => [
        '--view-port',
        String(viewPorts[Number(id.slice(1)) - 1]),
        '--feed-token-file',
        feedTokenFile,
        '--allow-fault-injection',
        ...(mode.teach ? ['--owner-fast-path', 'off'] : []),
      ],
    });
    const running = cluster;
    for (const node of running.nodes) say(`  ${node.id}  pid ${node.child.pid}  ${node.url}`);
    feed = new ClusterFeed({
      feeds: Object.fromEntries(
        running.ids.map((id, i) => [id, `ws://127.0.0.1:${viewPorts[i]}/?token=${feedToken}`]),
      ),
    });
    if (options.record) {
      recording = recordFeed(feed, options.record, 'gen-paxos demo --ui');
      say(`recording the view's events to ${options.record}`);
    }
    feed.start();
    const demoClients = new DemoClients(running);
    clients = demoClients;
    const stats = emptyLoadStats();
    controls = new DemoControls({
      cluster: running,
      clients: demoClients,
      feed,
      mode,
      teachNetwork: TEACH_NETWORK,
      workload: (teach) =>
        teach
          ? new TeachLoad(running, demoClients, stats, {
              ...(options.maxKeys !== undefined ? { maxKeys: options.maxKeys } : {}),
            })
          : new DemoLoad(
              running,
              demoClients,
              {
                keysPerSecond: options.keysPerSecond,
                ...(options.maxKeys !== undefined ? { maxKeys: options.maxKeys } : {}),
              },
              stats,
            ),
    });
    server = await startViewServer({ port: options.port, feed, controls });
    await controls.start();
    const bound = options.durationS !== undefined ? `for ${options.durationS} s` : 'until Ctrl-C';
    const work = mode.teach
      ? `teaching mode: classic Paxos, one key at a time, ${TEACH_NETWORK.delayMs} ms a hop`
      : `asking ${options.keysPerSecond} keys/s, every third contended`;
    if (options.json)
      io.out(
        `${JSON.stringify({ event: 'ui', url: server.openUrl, nodes: running.ids, teach: mode.teach })}\n`,
      );
    else io.out(`\ncluster view: ${server.openUrl}\n(${work}, ${bound})\n\n`);
    const timer =
      options.durationS !== undefined
        ? setTimeout(() => stopRequested(`${options.durationS} s passed`), options.durationS * 1000)
        : undefined;
    const why = await stopped;
    clearTimeout(timer);
    say(`gen-paxos demo: stopping (${why})`);
    await controls.stop();
    const badge = feed.model.badge;
    const counts = stats;
    say(
      `asked ${counts.keys} keys (${counts.asks} asks: ${counts.decided} decided, ${counts.failed} failed); ` +
        `${badge.decidedKeys} keys decided; ` +
        (badge.ok
          ? 'no key decided two ways'
          : `${badge.disagreeing} keys DISAGREE, first ${badge.offending?.key}`),
    );
    return { agreed: badge.ok };
  } finally {
    await controls?.stop();
    await server?.close();
    await clients?.closeAll();
    const nodes = (await cluster?.stop()) ?? [];
    await feed?.close();
    await recording?.close();
    if (recording) say(`recorded ${recording.events} events in ${options.record}`);
    rmSync(dir, { recursive: true, force: true });
    say(`stopped ${nodes.length} node processes`);
    removeSignalListeners();
  }
}
