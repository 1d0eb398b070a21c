// Issue 17, item 6: the node's read-only feeds (the view feed and the inspection stream) admit a
// viewer only with the token printed in their URL and without a foreign Origin, take messages of
// at most FEED_MAX_PAYLOAD_BYTES (and none is expected), hold a bounded number of viewers, drop a
// viewer that answers no ping, and close connections that make no request. Real sockets on
// 127.0.0.1.
import { connect } from 'node:net';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FEED_MAX_PAYLOAD_BYTES } from '../../src/inspect/feedServer.js';
import { startInspectionServer, type InspectionServer } from '../../src/inspect/inspectionServer.js';
import { startNodeViewServer, type NodeViewServer } from '../../src/inspect/view/nodeViewServer.js';

let view: NodeViewServer;
let inspection: InspectionServer;
const guard = { maxConnections: 2, idleTimeoutMs: 400 };

beforeAll(async () => {
  view = await startNodeViewServer({ nodeId: 'a', incarnation: 'fp', members: ['a'], guard });
  inspection = await startInspectionServer({ nodeId: 'a', guard });
});

afterAll(async () => {
  await view.close();
  await inspection.close();
});

/** Opens a viewer; resolves with its first message, or with how the server refused it. */
function dial(
  url: string,
  options: { origin?: string; autoPong?: boolean } = {},
): Promise<{ socket: WebSocket; first?: string; refused?: number }> {
  const socket = new WebSocket(url, {
    perMessageDeflate: false,
    autoPong: options.autoPong ?? true,
    ...(options.origin ? { origin: options.origin } : {}),
  });
  return new Promise((resolve) => {
    socket.on('unexpected-response', (_request, response) =>
      resolve({ socket, refused: response.statusCode }),
    );
    socket.on('error', () => {});
    socket.once('message', (data) => resolve({ socket, first: String(data) }));
    socket.once('open', () => {
      if (url.startsWith(inspection.url.split('?')[0] as string)) resolve({ socket });
    });
  });
}

const closed = (socket: WebSocket) =>
  new Promise<number>((resolve) => {
    if (socket.readyState === WebSocket.CLOSED) resolve(-1);
    socket.once('close', (code) => resolve(code));
  });

describe('node feeds', () => {
  it('print a URL with a token, and refuse viewers without it or with another', async () => {
    for (const server of [view, inspection]) {
      expect(server.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{32}$/);
      const bare = server.url.split('?')[0] as string;
      expect((await dial(bare)).refused).toBe(401);
      expect((await dial(`${bare}?token=${'0'.repeat(32)}`)).refused).toBe(401);
    }
    const ok = await dial(view.url);
    expect(JSON.parse(ok.first as string)[0]).toMatchObject({ type: 'snapshot', node: 'a' });
    ok.socket.close();
    await closed(ok.socket);
  });

  it('refuse a web page of another origin (a page in a local browser must not read decided values)', async () => {
    for (const server of [view, inspection])
      expect((await dial(server.url, { origin: 'http://evil.example' })).refused).toBe(403);
  });

  it('take small messages only, and close a viewer that sends any', async () => {
    const big = await dial(view.url);
    big.socket.send(Buffer.alloc(FEED_MAX_PAYLOAD_BYTES + 1));
    expect(await closed(big.socket)).toBe(1009);
    const chatty = await dial(view.url);
    chatty.socket.send('hello');
    expect(await closed(chatty.socket)).toBe(1008);
  });

  it('hold a bounded number of viewers, and drop one that answers no ping', async () => {
    const first = await dial(view.url, { autoPong: false });
    const second = await dial(view.url);
    expect((await dial(view.url)).refused).toBe(503);
    const started = Date.now();
    expect(await closed(first.socket)).toBe(1006); // terminated: no pong within the idle timeout
    expect(Date.now() - started).toBeLessThan(2000);
    const third = await dial(view.url);
    expect(third.first).toBeDefined();
    for (const viewer of [second, third]) {
      viewer.socket.close();
      await closed(viewer.socket);
    }
  });

  it('close a connection that makes no request', async () => {
    const port = Number(new URL(view.url).port);
    const started = Date.now();
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => {});
    await new Promise((resolve) => socket.once('close', resolve));
    expect(Date.now() - started).toBeLessThan(4000);
  });
});
