// A gen-paxos node as its own process would run it: storage + WebSocket transport + node,
// serving peers and clients on one port, logging what it does. The composition root that
// `gen-paxos node` calls; tests can start one in-process too. Besides Paxos it runs an actor node
// whose runtime messages ride the same links (webSocketRouter.ts), named by the member ids.
import { createHash, randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { NodeKey } from '../base/nodeKey.js';
import type { InspectionEvent } from 'xstate';
import { createActorNode, type ActorNode } from '../runtime/actorNode.js';
import type { StartLinkOptions } from '../node/startLinkOptions.js';
import type { CheckPeer } from '../transport/wire/handshake.js';
import { silentLogger, type Logger } from '../base/log.js';
import type { NodeStatus } from '../transport/wire/frames.js';
import {
  createWebSocketTransport,
  type WebSocketTransport,
  type WebSocketTransportOptions,
} from '../transport/peer/webSocketTransport.js';
import { createWebSocketRouter, type WebSocketRouter } from '../transport/distribution/webSocketRouter.js';
import { clientService, statusOf } from './clientService.js';
import { startLink, type GenPaxosNode } from '../node/genPaxos.js';
import { logNodeEvents } from './nodeLogging.js';
import { openNodeStorage } from './openNodeStorage.js';
import { resolveJoinHints } from './joinHints.js';
import { storedTransportMembership } from '../node/membership/transportMembership.js';
import { FaultInjectingTransport } from './faultInjection.js';
import { startInspectionServer, type InspectionServer } from '../inspect/inspectionServer.js';
import { nodeHttpHandler } from './httpEndpoints.js';
import { startNodeViewServer, type NodeViewServer } from '../inspect/view/nodeViewServer.js';

export interface NetworkNodeOptions {
  readonly id: string;
  readonly cluster: string;
  /** The peer secret: members only (WebSocketTransportOptions.secret). */
  readonly secret: string | Uint8Array;
  /** The secrets clients authenticate with (rotation: several at once). */
  readonly clientSecrets?: ReadonlyArray<string | Uint8Array>;
  /** Accept the peer secret from clients too: tests and demos only. */
  readonly allowPeerSecretForClients?: boolean;
  /**
   * This node's Ed25519 identity key. Default: the data directory's (`node-key.pem`, made on first
   * start), or, without a data directory, a fresh one for this run (peers cannot pin it ahead).
   */
  readonly nodeKey?: NodeKey;
  /** Peers' public keys, pinned (WebSocketTransportOptions.peerKeys): all of them or none. */
  readonly peerKeys?: Readonly<Record<string, string>>;
  readonly listen: { readonly host: string; readonly port: number };
  /** Every other member by id, with its URL (with `join`: optional, dial hints only). */
  readonly peers: Readonly<Record<string, string>>;
  /**
   * A new member joining a running group (docs/membership.md §13.1): members' URLs to reach it
   * through. The node starts with no configuration (`startLink`'s `join`) and waits for the
   * group's; the group must have added it first (`changeMembers`, `gen-paxos member add`).
   */
  readonly join?: readonly string[];
  /**
   * Durable acceptor state lives here (LmdbStorage), with the node's incarnation, and peers'
   * incarnations are checked against the ones remembered (amnesia). Without it, state is in memory.
   */
  readonly dataDir?: string;
  readonly tls?: WebSocketTransportOptions['tls'];
  readonly ca?: WebSocketTransportOptions['ca'];
  /** Replaces the amnesia check of a durable node (tests). */
  readonly checkPeer?: CheckPeer;
  /**
   * Share incarnation records with the other members in the handshake (default true, for a
   * durable node). False only for tests that show what the gossip prevents.
   */
  readonly incarnationGossip?: boolean;
  readonly askTimeoutMs?: number;
  readonly logger?: Logger;
  /**
   * Serve the node's inspection stream (the Stately inspector's WebSocket format) on this
   * address. It shows decided values, so it is off unless asked and binds 127.0.0.1 by default.
   */
  readonly inspect?: { readonly host?: string; readonly port: number };
  /**
   * Accept `faults` requests from clients (blocks, loss, delay on this node's links): for demos
   * and chaos tests only. A client with the cluster secret could otherwise partition the node.
   */
  readonly allowFaultInjection?: boolean;
  /**
   * Serve the node's view feed (the live cluster view's events, docs/live-view.md) on this
   * address. It shows decided values, so it is off unless asked and binds 127.0.0.1 by default.
   */
  readonly view?: { readonly host?: string; readonly port: number };
  /**
   * The token viewers of the inspection stream and the view feed must present (`?token=` in the
   * URL). Default: a random one per start, part of `inspectUrl` and `viewUrl`.
   */
  readonly feedToken?: string;
  /** `startLink`'s option: false gives every key an instance on every node, so each can be watched. */
  readonly acceptorFastPath?: boolean;
  /** The owner fast path (`startLink`'s `ownerFastPath`); default on. */
  readonly ownerFastPath?: boolean;
  /** Catch-up of decided keys from the peers (`startLink`'s `catchup`); default on. */
  readonly catchup?: StartLinkOptions['catchup'];
  /**
   * How many of its last entries the store's decided log keeps (default 100,000): a peer that
   * missed more reads every decided key in key order instead (docs/membership.md §7).
   */
  readonly decidedLogEntries?: number;
  /** Transport tuning (heartbeats, bounds, backoff). */
  readonly wire?: Partial<
    Omit<
      WebSocketTransportOptions,
      | 'nodeId'
      | 'cluster'
      | 'secret'
      | 'incarnation'
      | 'listen'
      | 'peers'
      | 'clientSecrets'
      | 'allowPeerSecretForClients'
      | 'nodeKey'
      | 'peerKeys'
    >
  >;
}

export interface NetworkNode {
  readonly node: GenPaxosNode;
  /**
   * This node's actor runtime, named by the member id and linked to the other members over the
   * same links: register actors here and reach other members' as `{ name, node }`.
   */
  readonly actorNode: ActorNode;
  readonly transport: WebSocketTransport;
  /** Where peers and clients reach this node. */
  readonly url: string;
  /** The inspection stream's URL, when `inspect` was given. */
  readonly inspectUrl: string | undefined;
  /** The view feed's URL, when `view` was given. */
  readonly viewUrl: string | undefined;
  readonly durable: boolean;
  /** This node's public key (base64): what its peers pin. */
  readonly publicKey: string;
  status(): NodeStatus;
  /** Stops the node, closes links and storage. Idempotent. */
  stop(): Promise<void>;
}

export async function startNetworkNode(given: NetworkNodeOptions): Promise<NetworkNode> {
  const logger = given.logger ?? silentLogger;
  // A joining node dials the members at the --join URLs: the transport needs their ids.
  let options = given;
  if (given.join !== undefined) {
    const hints = await resolveJoinHints(given.join, given.ca ? { ca: given.ca } : {});
    for (const failure of hints.failed)
      logger.warn('a --join URL did not say which node it is; not dialled', failure);
    const peers = { ...hints.peers, ...given.peers };
    delete peers[given.id];
    options = { ...given, peers };
  }
  const startedMs = performance.now();
  const opened = await openNodeStorage(
    options.dataDir,
    options.id,
    (error) => logger.error('could not remember a peer incarnation', { error }),
    [options.id, ...Object.keys(options.peers)],
    options.decidedLogEntries,
  );
  const { storage, durable, incarnation } = opened;
  if (durable) logger.info('data directory open', { dataDir: options.dataDir, incarnation });
  else logger.info('no data directory: acceptor state is kept in memory and lost on exit');
  const checkPeer = options.checkPeer ?? opened.checkPeer;
  const stored = storedTransportMembership(options.id, storage);
  const gossip = options.incarnationGossip === false || options.checkPeer ? undefined : opened.gossip;
  const nodeKey = options.nodeKey ?? opened.nodeKey;
  let transport: WebSocketTransport;
  let router: WebSocketRouter;
  let node: GenPaxosNode;
  try {
    transport = await createWebSocketTransport({
      ...options.wire,
      nodeId: options.id,
      cluster: options.cluster,
      secret: options.secret,
      ...(options.clientSecrets ? { clientSecrets: options.clientSecrets } : {}),
      ...(options.allowPeerSecretForClients ? { allowPeerSecretForClients: true } : {}),
      nodeKey,
      ...(options.peerKeys ? { peerKeys: options.peerKeys } : {}),
      incarnation,
      listen: options.listen,
      peers: options.peers,
      // Restarted on a later chain: link, and announce, what the store holds from the start.
      ...(stored !== undefined ? { membership: stored } : {}),
      ...(options.join !== undefined ? { join: true } : {}),
      ...(options.tls ? { tls: options.tls } : {}),
      ...(options.ca ? { ca: options.ca } : {}),
      ...(checkPeer ? { checkPeer } : {}),
      ...(gossip ? { incarnationGossip: gossip } : {}),
      logger,
    });
    // At once, before a link can come up, so the router hears every link from its start.
    router = createWebSocketRouter(transport, { logger });
  } catch (error) {
    await storage.close();
    throw error;
  }
  const actorNode = createActorNode({
    router,
    onCrash: (report) =>
      logger.error('actor crashed', { actor: report.name ?? report.actor, error: report.error }),
  });
  let inspection: InspectionServer | undefined;
  let view: NodeViewServer | undefined;
  const faults = options.allowFaultInjection ? new FaultInjectingTransport(transport) : undefined;
  const feedToken = options.feedToken ?? randomBytes(16).toString('hex');
  try {
    if (options.inspect) {
      inspection = await startInspectionServer({
        nodeId: options.id,
        port: options.inspect.port,
        guard: { token: feedToken },
        ...(options.inspect.host ? { host: options.inspect.host } : {}),
      });
    }
    const members = [options.id, ...Object.keys(options.peers)];
    if (options.view) {
      // The view tells restarts apart by a fingerprint: the incarnation itself stays with members.
      view = await startNodeViewServer({
        nodeId: options.id,
        incarnation: fingerprint(incarnation),
        members,
        ...options.view,
        guard: { token: feedToken },
      });
    }
    const inspect = bothInspectors(inspection?.inspect, view?.inspect);
    if (view && faults) faults.observe(view.feed);
    node = await startLink({
      id: options.id,
      // A joining node's start members are hints only: the group's chain decides.
      members: options.join !== undefined ? [options.id] : members,
      // Registered as `gen_paxos` on the runtime node its peers link to: callable as
      // `{ name: 'gen_paxos', node: id }` from any member's actor runtime.
      runtime: actorNode,
      // The view's tap sits above the fault injector: what it drops is seen as sent, then lost.
      transport: view ? view.tap(faults ?? transport) : (faults ?? transport),
      // The view's store tap reports each write once durable (a key's story marks the votes).
      storage: view ? view.tapStorage(storage) : storage,
      // Delivery by hand stops the node's timers too (faultInjection.ts).
      ...(faults ? { clock: faults.clock } : {}),
      ...(options.askTimeoutMs !== undefined ? { askTimeoutMs: options.askTimeoutMs } : {}),
      ...(inspect ? { inspect } : {}),
      ...(options.acceptorFastPath !== undefined ? { acceptorFastPath: options.acceptorFastPath } : {}),
      ...(options.ownerFastPath !== undefined ? { ownerFastPath: options.ownerFastPath } : {}),
      ...(options.catchup !== undefined ? { catchup: options.catchup } : {}),
      ...(options.join !== undefined ? { join: true } : {}),
    });
    view?.attach(node, () => transport.linkStatus());
  } catch (error) {
    await view?.close();
    await router.close();
    await inspection?.close();
    await transport.close();
    await storage.close();
    throw error;
  }
  transport.serveHttp(nodeHttpHandler({ node, links: () => transport.linkStatus() }));
  const unsubscribe = logNodeEvents(node, logger);
  const served = { node, transport, durable, startedMs, ...(faults ? { faults } : {}) };
  transport.serveClients(clientService(served));
  let stopping: Promise<void> | null = null;
  return {
    node,
    actorNode,
    transport,
    url: transport.url,
    inspectUrl: inspection?.url,
    viewUrl: view?.url,
    durable,
    publicKey: nodeKey.publicKey,
    status: () => statusOf(served),
    stop: () => {
      stopping ??= (async () => {
        unsubscribe();
        await router.close(); // local watchers see nodedown; peers do as the links close
        await node.stop(); // closes the transport and the storage
        await inspection?.close();
        await view?.close();
      })();
      return stopping;
    },
  };
}

/** A short one-way digest of an incarnation: equal for equal ones, useless in a hello. */
function fingerprint(incarnation: string): string {
  return createHash('sha256').update(`gen-paxos/incarnation/${incarnation}`).digest('hex').slice(0, 16);
}

/** One observer that feeds both, when both are on. */
function bothInspectors(
  a: ((event: InspectionEvent) => void) | undefined,
  b: ((event: InspectionEvent) => void) | undefined,
): ((event: InspectionEvent) => void) | undefined {
  if (a && b)
    return (event) => {
      a(event);
      b(event);
    };
  return a ?? b;
}
