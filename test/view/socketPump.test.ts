// A slow viewer never slows the producer: its buffer is bounded (the oldest events go), its
// socket is not written while backed up, and once it drains it gets a fresh snapshot instead of
// a stream with a hole, then what is still buffered.
import { describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { InspectionHub } from '../../src/inspect/inspectionHub.js';
import { pumpToSocket } from '../../src/inspect/view/socketPump.js';
import { waitFor } from '../wire/helpers.js';

/** Just what the pump uses of a ws socket, with a send buffer we fill and drain by hand. */
class FakeSocket {
  readonly OPEN = 1;
  readyState = 1;
  bufferedAmount = 0;
  readonly sent: string[] = [];
  private readonly handlers = new Map<string, () => void>();
  on(name: string, handler: () => void): this {
    this.handlers.set(name, handler);
    return this;
  }
  send(frame: string): void {
    this.sent.push(frame);
  }
  terminate(): void {}
  close(): void {
    this.readyState = 3;
    this.handlers.get('close')?.();
  }
}

describe('socket pump', () => {
  it('drops the oldest events of a backed-up viewer and resynchronises it when it drains', async () => {
    const hub = new InspectionHub<number>(10);
    const socket = new FakeSocket();
    let snapshots = 0;
    pumpToSocket(socket as unknown as WebSocket, hub, {
      resync: () => `snapshot ${++snapshots}`,
      encode: (events) => events.join(','),
      batch: 4,
      maxSocketBufferBytes: 1000,
      retryMs: 5,
    });
    expect(socket.sent).toEqual(['snapshot 1']);

    socket.bufferedAmount = 5000; // the viewer stopped reading
    for (let i = 1; i <= 100; i++) hub.publish(i);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(socket.sent).toEqual(['snapshot 1']);
    expect(hub.stats.dropped).toBe(90);

    socket.bufferedAmount = 0; // it drains
    await waitFor(() => socket.sent.length > 1, 'the pump writes again');
    // What was buffered had a hole before it: a snapshot of now replaces it all.
    expect(socket.sent).toEqual(['snapshot 1', 'snapshot 2']);

    hub.publish(101);
    hub.publish(102);
    await waitFor(() => socket.sent.length > 2, 'new events');
    expect(socket.sent.slice(2)).toEqual(['101,102']);

    socket.close();
    expect(hub.stats.viewers).toBe(0);
  });

  it('a viewer that keeps up gets every event, in batches', async () => {
    const hub = new InspectionHub<number>(100);
    const socket = new FakeSocket();
    pumpToSocket(socket as unknown as WebSocket, hub, {
      resync: () => 'snapshot',
      encode: (events) => events.join(','),
      batch: 3,
    });
    for (let i = 1; i <= 7; i++) hub.publish(i);
    await waitFor(() => socket.sent.length === 4, 'three batches');
    expect(socket.sent).toEqual(['snapshot', '1,2,3', '4,5,6', '7']);
    expect(hub.stats.dropped).toBe(0);
    socket.close();
  });
});
