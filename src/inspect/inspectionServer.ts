// A WebSocket endpoint that streams a node's inspection events as @statelyai/inspect's
// WebSocket messages (one JSON StatelyInspectionEvent per text frame), so the Stately
// inspector's receiver can attach. Each viewer has a bounded buffer, and a viewer whose socket
// is backed up waits instead of growing memory: the node never slows down for a slow viewer.
import type { WebSocket } from 'ws';
import type { InspectionEvent } from 'xstate';
import { ClusterActorIds } from './actorIds.js';
import { InspectionHub } from './inspectionHub.js';
import { toStatelyEvent, type StatelyInspectionEvent } from './statelyEvents.js';
import { startFeedServer, type FeedGuardOptions } from './feedServer.js';

export interface InspectionServerOptions {
  readonly nodeId: string;
  /** Default 127.0.0.1: inspection shows values, so it is not offered beyond this machine unless asked. */
  readonly host?: string;
  /** Default 0: a free port. */
  readonly port?: number;
  readonly now?: () => number;
  /** Events buffered per viewer before the oldest are dropped. */
  readonly maxBufferedEvents?: number;
  /** A viewer's socket may hold this many bytes unsent before we stop writing to it. */
  readonly maxSocketBufferBytes?: number;
  /** Token, allowed origins, connection limit, idle timeout (feedServer.ts). */
  readonly guard?: FeedGuardOptions;
}

export interface InspectionServer {
  /** Pass as the node's `inspect` option. */
  readonly inspect: (event: InspectionEvent) => void;
  /** `ws://HOST:PORT/?token=…`. */
  readonly url: string;
  readonly hub: InspectionHub<StatelyInspectionEvent>;
  close(): Promise<void>;
}

export async function startInspectionServer(options: InspectionServerOptions): Promise<InspectionServer> {
  const ids = new ClusterActorIds(options.nodeId);
  const hub = new InspectionHub<StatelyInspectionEvent>(options.maxBufferedEvents ?? 10_000);
  const now = options.now ?? Date.now;
  const maxSocketBufferBytes = options.maxSocketBufferBytes ?? 1 << 20;
  const server = await startFeedServer(
    { host: options.host ?? '127.0.0.1', port: options.port ?? 0 },
    options.guard ?? {},
    (socket: WebSocket) => {
      const flush = () => {
        if (socket.readyState !== socket.OPEN) return;
        // Write while the socket keeps up; the rest waits in the viewer's bounded buffer.
        while (socket.bufferedAmount < maxSocketBufferBytes) {
          const batch = viewer.take(256);
          if (batch.length === 0) return;
          for (const event of batch) socket.send(JSON.stringify(event));
        }
        setTimeout(flush, 50).unref();
      };
      const viewer = hub.subscribe(flush);
      socket.on('close', () => viewer.close());
    },
  );

  return {
    inspect: (event) => {
      if (!hub.hasViewers) return;
      const stately = toStatelyEvent(event, ids, now());
      if (stately) hub.publish(stately);
    },
    url: server.url,
    hub,
    close: () => server.close(),
  };
}
