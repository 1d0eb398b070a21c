// `gen-paxos demo --ui`: the live cluster view on a local cluster of real node processes. Each
// node runs with its view feed on a port of its own, fault injection allowed and the acceptor
// fast path off (every key gets an instance on every node, so every acceptor's transitions are
// real machine states, not inferred); a data directory each, so a crashed node restarts on its
// durable state. The demo follows the feeds, serves the page on 127.0.0.1, keeps asking keys
// until Ctrl-C (or --duration-s), optionally records the events, then stops everything it
// started, removes its temp dir, and exits 0 if no key was ever decided two ways.
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
import { DemoControls } from './demoControls.js';
import { DemoLoad } from './demoLoad.js';
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
}

export async function runUiDemo(options: UiDemoOptions, io: CliIo): Promise<{ agreed: boolean }> {
  const dir = mkdtempSync(join(tmpdir(), 'gen-paxos-demo-'));
  const mainPath = fileURLToPath(new URL('./main.js', import.meta.url));
  const say = (line: string) => void (options.json ? io.err(`${line}\n`) : io.out(`${line}\n`));
  let cluster: LocalCluster | null = null;
  let feed: ClusterFeed | null = null;
  let server: ViewServer | null = null;
  let recording: Recording | null = null;
  let clients: DemoClients | null = null;
  let load: DemoLoad | null = null;
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
      extraArgs: (id) => [
        '--view-port',
        String(viewPorts[Number(id.slice(1)) - 1]),
        '--feed-token-file',
        feedTokenFile,
        '--allow-fault-injection',
        '--acceptor-fast-path',
        'off',
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
    clients = new DemoClients(running);
    server = await startViewServer({
      port: options.port,
      feed,
      controls: new DemoControls(running, clients, feed),
    });
    load = new DemoLoad(running, clients, {
      keysPerSecond: options.keysPerSecond,
      ...(options.maxKeys !== undefined ? { maxKeys: options.maxKeys } : {}),
    });
    load.start();
    const bound = options.durationS !== undefined ? `for ${options.durationS} s` : 'until Ctrl-C';
    if (options.json) io.out(`${JSON.stringify({ event: 'ui', url: server.openUrl, nodes: running.ids })}\n`);
    else
      io.out(
        `\ncluster view: ${server.openUrl}\n(asking ${options.keysPerSecond} keys/s, every third contended, ${bound})\n\n`,
      );
    const timer =
      options.durationS !== undefined
        ? setTimeout(() => stopRequested(`${options.durationS} s passed`), options.durationS * 1000)
        : undefined;
    const why = await stopped;
    clearTimeout(timer);
    say(`gen-paxos demo: stopping (${why})`);
    await load.stop();
    const badge = feed.model.badge;
    const counts = load.stats;
    say(
      `asked ${counts.keys} keys (${counts.asks} asks: ${counts.decided} decided, ${counts.failed} failed); ` +
        `${badge.decidedKeys} keys decided; ` +
        (badge.ok
          ? 'no key decided two ways'
          : `${badge.disagreeing} keys DISAGREE, first ${badge.offending?.key}`),
    );
    return { agreed: badge.ok };
  } finally {
    await load?.stop();
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
