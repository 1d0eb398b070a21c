// A node's view feed on a WebSocket port of its own (`gen-paxos node --view-port`): each
// viewer gets the node's snapshot, then its view events as JSON arrays, one per frame, through
// a bounded buffer (a slow viewer never slows the node). It binds 127.0.0.1 by default: the
// feed shows decided values.
import { randomUUID } from 'node:crypto';
import type { LinkStatus } from '../../transport/wire/frames.js';
import { reasonSummary } from '../../transport/wire/linkReasons.js';
import type { InspectionEvent } from 'xstate';
import type { GenPaxosNode } from '../../node/genPaxos.js';
import type { Storage } from '../../storage/storage.js';
import type { Transport } from '../../transport/transport.js';
import { InspectionHub } from '../inspectionHub.js';
import { startFeedServer, type FeedGuardOptions } from '../feedServer.js';
import type { ViewEvent } from './model/viewEvents.js';
import { NodeViewFeed } from './nodeViewFeed.js';
import { pumpToSocket } from './socketPump.js';
import { TappingStorage } from './tappingStorage.js';
import { TappingTransport } from './tappingTransport.js';

export interface NodeViewServerOptions {
  readonly nodeId: string;
  /**
   * The node's incarnation. The feed adds a part of its own that changes at every start: a
   * durable node keeps its incarnation across restarts (it names its data directory), yet a
   * restarted process has forgotten what was not on disk, and viewers must see that it did.
   */
  readonly incarnation: string;
  readonly members: readonly string[];
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Default 0: a free port. */
  readonly port?: number;
  /** Events buffered per viewer before the oldest are dropped (and the viewer resynchronised). */
  readonly maxBufferedEvents?: number;
  readonly maxSocketBufferBytes?: number;
  /** How often link states are read. Default 200 ms. */
  readonly linkPollMs?: number;
  /** Token, allowed origins, connection limit, idle timeout (feedServer.ts). */
  readonly guard?: FeedGuardOptions;
}

export interface NodeViewServer {
  /** `ws://127.0.0.1:PORT/?token=…`. */
  readonly url: string;
  readonly feed: NodeViewFeed;
  readonly hub: InspectionHub<ViewEvent>;
  /** Wraps the node's transport so envelopes are reported. */
  tap(transport: Transport): Transport;
  /** Wraps the node's store so durable writes are reported. */
  tapStorage(storage: Storage): Storage;
  /** Give to the node's `inspect` option. */
  readonly inspect: (event: InspectionEvent) => void;
  /** Follows the started node; `links` reads the transport's link states. */
  attach(node: GenPaxosNode, links: () => readonly LinkStatus[]): void;
  close(): Promise<void>;
}

export async function startNodeViewServer(options: NodeViewServerOptions): Promise<NodeViewServer> {
  const hub = new InspectionHub<ViewEvent>(options.maxBufferedEvents ?? 10_000);
  const feed = new NodeViewFeed({
    nodeId: options.nodeId,
    incarnation: `${options.incarnation}/${randomUUID().slice(0, 8)}`,
    members: options.members,
    publish: (event) => hub.publish(event),
    wanted: () => hub.hasViewers,
  });
  const server = await startFeedServer(
    { host: options.host ?? '127.0.0.1', port: options.port ?? 0 },
    options.guard ?? {},
    (socket) =>
      pumpToSocket(socket, hub, {
        resync: () => JSON.stringify([feed.snapshot()]),
        encode: (events) => JSON.stringify(events),
        ...(options.maxSocketBufferBytes !== undefined
          ? { maxSocketBufferBytes: options.maxSocketBufferBytes }
          : {}),
      }),
  );
  let detach: (() => void) | null = null;
  let poll: ReturnType<typeof setInterval> | null = null;
  return {
    url: server.url,
    feed,
    hub,
    tap: (transport) => new TappingTransport(transport, feed),
    tapStorage: (storage) => new TappingStorage(storage, feed),
    inspect: feed.inspect,
    attach: (node, links) => {
      detach = feed.attach(node);
      const read = () =>
        feed.setLinks(
          links().map((l) => ({
            peer: l.peer,
            up: l.state === 'up',
            reason: l.state === 'down' && l.reason ? reasonSummary(l.reason) : null,
          })),
        );
      read();
      poll = setInterval(read, options.linkPollMs ?? 200);
      poll.unref();
    },
    close: async () => {
      if (poll) clearInterval(poll);
      detach?.();
      await server.close();
    },
  };
}
