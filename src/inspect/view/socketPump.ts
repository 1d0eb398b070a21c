// Streams a hub's events to one WebSocket viewer without ever slowing the producer: the viewer
// has a bounded buffer (InspectionHub drops its oldest events when full), the socket is written
// only while its unsent bytes stay under a bound, and a viewer that lost events is sent a fresh
// snapshot instead of a stream with a hole in it. Used by the node's feed and the demo's page.
import type { WebSocket } from 'ws';
import type { InspectionHub } from '../inspectionHub.js';

export interface PumpOptions<T> {
  /** The frame that brings a viewer up to date: sent first, and again after it lost events. */
  readonly resync: () => string;
  /** One frame for a batch of events. */
  readonly encode: (events: T[]) => string;
  /** Events per frame. Default 512. */
  readonly batch?: number;
  /** Unsent bytes a socket may hold before we wait for it to drain. Default 1 MiB. */
  readonly maxSocketBufferBytes?: number;
  /** How often to look again at a socket that was backed up. Default 50 ms. */
  readonly retryMs?: number;
}

/** Starts streaming `hub` to `socket` until it closes. */
export function pumpToSocket<T>(socket: WebSocket, hub: InspectionHub<T>, options: PumpOptions<T>): void {
  const batch = options.batch ?? 512;
  const maxBuffered = options.maxSocketBufferBytes ?? 1 << 20;
  let lostSoFar = 0;
  let retry: ReturnType<typeof setTimeout> | null = null;
  socket.on('error', () => socket.terminate());
  socket.send(options.resync());
  const flush = (): void => {
    retry = null;
    if (socket.readyState !== socket.OPEN) return;
    while (socket.bufferedAmount < maxBuffered) {
      if (viewer.dropped > lostSoFar) {
        // Events were lost: what is still buffered has a hole before it. Start over from now.
        lostSoFar = viewer.dropped;
        viewer.take();
        socket.send(options.resync());
        continue;
      }
      const events = viewer.take(batch);
      if (events.length === 0) return;
      socket.send(options.encode(events));
    }
    retry ??= setTimeout(flush, options.retryMs ?? 50);
    retry.unref?.();
  };
  const viewer = hub.subscribe(flush);
  socket.on('close', () => {
    if (retry) clearTimeout(retry);
    viewer.close();
  });
}
