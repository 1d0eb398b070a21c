// `gen-paxos node`: runs one node until SIGINT or SIGTERM, then shuts down cleanly (links
// closed with 1001, storage closed) and exits 0. Prints one "listening" line on stdout once
// peers and clients can connect: scripts (and `demo`) wait for it. A node started with --join
// prints a "joined" line once the group's configuration lists it, and a node the group does not
// count (never added, or removed) stops itself and exits 1 (membershipWatch.ts).
import { startNetworkNode, type NetworkNode } from '../server/networkNode.js';
import { currentVoters } from '../server/clientService.js';
import { createJsonLogger } from '../base/log.js';
import {
  DEFAULT_CLUSTER,
  hostPort,
  integerFlag,
  listFlag,
  logLevelFlag,
  nodeId,
  nodeUrl,
  parseFlags,
  peerFlag,
  peerKeyFlag,
  readSecretFile,
  readTextFile,
  requiredFlag,
  stringFlag,
} from './args.js';
import { EXIT, UsageError } from './exitCodes.js';
import { parseNodeKey } from '../base/nodeKey.js';
import { ERROR_CODES } from '../base/errors.js';
import { DEFAULT_DECIDED_LOG_ENTRIES } from '../storage/decidedLog.js';
import type { CommandSpec } from './flagTable.js';
import type { CliIo } from './io.js';
import { watchMembership } from './membershipWatch.js';

/** How long a node that was removed keeps serving before it exits: its last replies go out. */
const REMOVED_GRACE_MS = 1000;

export async function runNode(argv: readonly string[], io: CliIo, spec: CommandSpec): Promise<number> {
  const { values } = parseFlags(argv, spec);
  const id = nodeId(requiredFlag(values, 'id'), '--id');
  const listen = hostPort(requiredFlag(values, 'listen'), '--listen');
  const peers: Record<string, string> = {};
  for (const raw of listFlag(values, 'peer')) {
    const [peer, url] = peerFlag(raw);
    if (peer === id) throw new UsageError(`--peer ${peer}: a node is not its own peer`);
    if (peers[peer] !== undefined) throw new UsageError(`--peer ${peer} is given twice`);
    peers[peer] = url;
  }
  const joinRaw = stringFlag(values, 'join');
  const join =
    joinRaw === undefined
      ? undefined
      : joinRaw
          .split(',')
          .map((raw) => raw.trim())
          .filter((raw) => raw.length > 0)
          .map((raw) => nodeUrl(raw, '--join'));
  if (join !== undefined && join.length === 0)
    throw new UsageError('--join needs the URL of at least one member (URL[,URL...])');
  const secret = readSecretFile(requiredFlag(values, 'secret-file'));
  const clientSecrets = listFlag(values, 'client-secret-file').map((file) =>
    readSecretFile(file, '--client-secret-file'),
  );
  if (clientSecrets.includes(secret))
    throw new UsageError('--client-secret-file: a client secret must differ from the peer secret');
  const peerKeys: Record<string, string> = {};
  for (const raw of listFlag(values, 'peer-key')) {
    const [peer, key] = peerKeyFlag(raw);
    if (peers[peer] === undefined) throw new UsageError(`--peer-key ${peer}: not a --peer of this node`);
    peerKeys[peer] = key;
  }
  const pinned = Object.keys(peerKeys).length;
  if (pinned > 0 && pinned < Object.keys(peers).length)
    throw new UsageError(
      `--peer-key must pin every peer or none; missing: ${Object.keys(peers)
        .filter((peer) => peerKeys[peer] === undefined)
        .join(', ')}`,
    );
  const nodeKeyFile = stringFlag(values, 'node-key-file');
  const tlsKey = stringFlag(values, 'tls-key');
  const tlsCert = stringFlag(values, 'tls-cert');
  if ((tlsKey === undefined) !== (tlsCert === undefined))
    throw new UsageError('--tls-key and --tls-cert go together');
  const tlsCa = stringFlag(values, 'tls-ca');
  const json = values.json === true;
  const level = logLevelFlag(stringFlag(values, 'log-level'), 'warn');
  const logger = createJsonLogger({ level, write: io.err }, { node: id });
  const dataDir = stringFlag(values, 'data-dir');
  const askTimeoutRaw = stringFlag(values, 'ask-timeout-ms');
  const inspectPortRaw = stringFlag(values, 'inspect-port');
  const inspectHost = stringFlag(values, 'inspect-host');
  if (inspectHost !== undefined && inspectPortRaw === undefined)
    throw new UsageError('--inspect-host needs --inspect-port');
  const viewPortRaw = stringFlag(values, 'view-port');
  const viewHost = stringFlag(values, 'view-host');
  if (viewHost !== undefined && viewPortRaw === undefined)
    throw new UsageError('--view-host needs --view-port');
  const feedTokenFile = stringFlag(values, 'feed-token-file');
  if (feedTokenFile !== undefined && inspectPortRaw === undefined && viewPortRaw === undefined)
    throw new UsageError('--feed-token-file needs --inspect-port or --view-port');
  const feedToken =
    feedTokenFile === undefined ? undefined : readSecretFile(feedTokenFile, '--feed-token-file');
  if (feedToken !== undefined && !/^[A-Za-z0-9._~-]{16,256}$/.test(feedToken))
    throw new UsageError(
      '--feed-token-file: the token must be 16 to 256 letters, digits, ".", "_", "~" or "-"',
    );
  const ownerPathRaw = stringFlag(values, 'owner-fast-path');
  if (ownerPathRaw !== undefined && ownerPathRaw !== 'on' && ownerPathRaw !== 'off')
    throw new UsageError(`--owner-fast-path must be on or off, not ${JSON.stringify(ownerPathRaw)}`);
  const fastPathRaw = stringFlag(values, 'acceptor-fast-path');
  if (fastPathRaw !== undefined && fastPathRaw !== 'on' && fastPathRaw !== 'off')
    throw new UsageError(`--acceptor-fast-path must be on or off, not ${JSON.stringify(fastPathRaw)}`);

  const catchupRateRaw = stringFlag(values, 'catchup-rate');
  const catchupRate =
    catchupRateRaw === undefined ? undefined : integerFlag(catchupRateRaw, 'catchup-rate', 0, 0, 2 ** 40);
  const logEntriesRaw = stringFlag(values, 'decided-log-entries');
  const decidedLogEntries =
    logEntriesRaw === undefined
      ? undefined
      : integerFlag(logEntriesRaw, 'decided-log-entries', DEFAULT_DECIDED_LOG_ENTRIES, 1, 2 ** 40);
  // Last of the checks, so a mistyped flag is reported as such first. Memory-only is opt-in: a
  // node that forgets its promises on restart must be chosen, not stumbled on.
  const memoryOnly = values.memory === true;
  if (memoryOnly && dataDir !== undefined) throw new UsageError('--memory and --data-dir exclude each other');
  if (!memoryOnly && dataDir === undefined)
    throw new UsageError(
      `${ERROR_CODES.NO_DATA_DIR}: needs --data-dir DIR (durable acceptor state), or --memory to keep ` +
        'state in memory only (lost on exit: a restarted node is refused as amnesiac; docs/cli.md)',
    );

  let running: NetworkNode;
  try {
    running = await startNetworkNode({
      id,
      cluster: stringFlag(values, 'cluster') ?? DEFAULT_CLUSTER,
      secret,
      clientSecrets,
      ...(values['allow-peer-secret-for-clients'] === true ? { allowPeerSecretForClients: true } : {}),
      ...(nodeKeyFile !== undefined
        ? {
            nodeKey: parseNodeKey(
              readTextFile(nodeKeyFile, '--node-key-file'),
              `--node-key-file ${nodeKeyFile}`,
            ),
          }
        : {}),
      ...(pinned > 0 ? { peerKeys } : {}),
      listen,
      peers,
      ...(join !== undefined ? { join } : {}),
      ...(dataDir !== undefined ? { dataDir } : {}),
      ...(tlsKey && tlsCert
        ? { tls: { key: readTextFile(tlsKey, '--tls-key'), cert: readTextFile(tlsCert, '--tls-cert') } }
        : {}),
      ...(tlsCa ? { ca: readTextFile(tlsCa, '--tls-ca') } : {}),
      ...(askTimeoutRaw !== undefined
        ? { askTimeoutMs: integerFlag(askTimeoutRaw, 'ask-timeout-ms', 0, 1, 600_000) }
        : {}),
      ...(inspectPortRaw !== undefined
        ? {
            inspect: {
              port: integerFlag(inspectPortRaw, 'inspect-port', 0, 0, 65_535),
              ...(inspectHost !== undefined ? { host: inspectHost } : {}),
            },
          }
        : {}),
      ...(values['allow-fault-injection'] === true ? { allowFaultInjection: true } : {}),
      ...(viewPortRaw !== undefined
        ? {
            view: {
              port: integerFlag(viewPortRaw, 'view-port', 0, 0, 65_535),
              ...(viewHost !== undefined ? { host: viewHost } : {}),
            },
          }
        : {}),
      ...(feedToken !== undefined ? { feedToken } : {}),
      ...(fastPathRaw !== undefined ? { acceptorFastPath: fastPathRaw === 'on' } : {}),
      ...(ownerPathRaw !== undefined ? { ownerFastPath: ownerPathRaw === 'on' } : {}),
      ...(catchupRate !== undefined
        ? { catchup: catchupRate === 0 ? (false as const) : { bytesPerSecond: catchupRate } }
        : {}),
      ...(decidedLogEntries !== undefined ? { decidedLogEntries } : {}),
      logger,
    });
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const { code, message } = error as { code?: string; message: string };
    logger.error('node failed to start', { code, error: message });
    io.err(`gen-paxos node: cannot start ${id}: ${message}\n`);
    return code === 'PAXOS_ERR_BAD_OPTION' ? EXIT.USAGE : EXIT.FAILURE;
  }

  if (pinned === 0 && Object.keys(peers).length > 0)
    logger.warn('peer keys not pinned (--peer-key): members authenticate by the peer secret alone', {
      publicKey: running.publicKey,
    });
  if (clientSecrets.length === 0 && values['allow-peer-secret-for-clients'] !== true)
    logger.warn('no --client-secret-file: no client can connect');
  const members = currentVoters(running.node);
  if (json) {
    io.out(
      `${JSON.stringify({ event: 'listening', node: id, url: running.url, inspectUrl: running.inspectUrl, viewUrl: running.viewUrl, members, durable: running.durable, publicKey: running.publicKey, pid: process.pid })}\n`,
    );
  } else {
    const storage = running.durable ? `data in ${dataDir}` : 'memory only';
    const group = members.length > 0 ? `members ${members.join(', ')}` : 'joining: no configuration yet';
    io.out(`node ${id} listening on ${running.url} (${group}; ${storage})\n`);
    io.out(`node ${id} public key ${running.publicKey} (peers pin it: --peer-key ${id}=KEY)\n`);
    if (running.inspectUrl) io.out(`node ${id} inspection stream on ${running.inspectUrl}\n`);
    if (running.viewUrl) io.out(`node ${id} view feed on ${running.viewUrl}\n`);
  }

  // A node the group does not count (never added, or removed) stops itself: exit 1.
  let stoppedItself: { code: string; message: string } | null = null;
  let stopItself: () => void = () => {};
  const endWatch = watchMembership({
    self: id,
    joining: join !== undefined,
    members: () => running.node.members(),
    links: () => running.transport.linkStatus(),
    onMember: (config, voters) => {
      if (join === undefined) return;
      io.out(
        json
          ? `${JSON.stringify({ event: 'joined', node: id, config, voters })}\n`
          : `node ${id} joined configuration ${config} (voters ${voters.join(', ')})\n`,
      );
    },
    onStopped: (code, message) => {
      stoppedItself = { code, message };
      stopItself();
    },
  });
  const signal = await new Promise<NodeJS.Signals | 'parent exited' | 'stopped itself'>((resolve) => {
    stopItself = () => resolve('stopped itself');
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
    // Started by a parent over an IPC channel (the demo, the benchmark): when that parent is
    // gone, killed or crashed without stopping us, nobody else will, so stop now.
    if (process.connected) process.once('disconnect', () => resolve('parent exited'));
  });
  endWatch();
  const removal = stoppedItself as { code: string; message: string } | null;
  if (removal !== null) {
    logger.error('stopping: not a member', removal);
    io.err(`gen-paxos node: ${removal.code}: ${removal.message}\n`);
    // A change's reply to its client (member remove through this node) goes out first.
    await new Promise((resolve) => setTimeout(resolve, REMOVED_GRACE_MS));
  }
  logger.info('stopping', { signal });
  // A second signal while stopping means "now".
  const force = () => process.exit(EXIT.INTERRUPTED);
  process.once('SIGINT', force);
  process.once('SIGTERM', force);
  await running.stop();
  io.out(
    json
      ? `${JSON.stringify({ event: 'stopped', node: id, signal, ...(removal ? { code: removal.code } : {}) })}\n`
      : `node ${id} stopped (${signal})\n`,
  );
  return removal === null ? EXIT.OK : EXIT.FAILURE;
}
