// The guarded WebSocket server of a node's read-only feeds (the inspection stream and the view
// feed; docs/security.md, "Feeds"). They show decided values, so: a token in the URL (`?token=`,
// random per start unless given, printed with the URL), no browser page of another origin (a
// request with an Origin header is refused unless its origin is allowed), a small maxPayload
// (viewers send nothing; any message closes the connection), a connection limit, viewers that
// answer no ping within the idle timeout dropped, and HTTP header and request deadlines.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { closeSilentConnections } from '../transport/peer/listener.js';

export interface FeedGuardOptions {
  /** Viewers must present it as `?token=`. Default: 16 random bytes, hex. */
  readonly token?: string;
  /** Origins (`http://host:port`) of web pages allowed to connect. Default: none. */
  readonly allowedOrigins?: readonly string[];
  /** Default 8. */
  readonly maxConnections?: number;
  /** A viewer that answers no ping for this long is dropped. Default 30 000 ms. */
  readonly idleTimeoutMs?: number;
}

export interface FeedServer {
  /** `ws://HOST:PORT/?token=…`: what a viewer dials. */
  readonly url: string;
  readonly token: string;
  readonly clients: ReadonlySet<WebSocket>;
  close(): Promise<void>;
}

/** Largest message a viewer may send: none is expected, but control frames need room. */
export const FEED_MAX_PAYLOAD_BYTES = 1024;
/** A connection must have made its request within this; headers must be complete within it. */
const REQUEST_DEADLINE_MS = 2000;

export async function startFeedServer(
  listen: { readonly host?: string; readonly port?: number },
  guard: FeedGuardOptions,
  onViewer: (socket: WebSocket) => void,
): Promise<FeedServer> {
  const token = guard.token ?? randomBytes(16).toString('hex');
  const maxConnections = guard.maxConnections ?? 8;
  const idleTimeoutMs = guard.idleTimeoutMs ?? 30_000;
  const allowedOrigins = new Set(guard.allowedOrigins ?? []);
  const server = createServer(
    {
      headersTimeout: REQUEST_DEADLINE_MS,
      requestTimeout: REQUEST_DEADLINE_MS,
      connectionsCheckingInterval: 250,
    },
    (_request, response) => {
      response.writeHead(426, { 'content-type': 'text/plain', upgrade: 'websocket' });
      response.end('gen-paxos feed: WebSocket only\n');
    },
  );
  const sockets = new WebSocketServer({
    noServer: true,
    maxPayload: FEED_MAX_PAYLOAD_BYTES,
    perMessageDeflate: false,
  });
  closeSilentConnections(server, REQUEST_DEADLINE_MS);
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const refusal = refuse(request);
    if (refusal !== null) {
      socket.end(`HTTP/1.1 ${refusal}\r\nconnection: close\r\n\r\n`);
      return;
    }
    sockets.handleUpgrade(request, socket, head, (ws) => watch(ws));
  });

  function refuse(request: IncomingMessage): string | null {
    const given = new URL(request.url ?? '/', 'http://feed').searchParams.get('token') ?? '';
    if (!sameText(given, token)) return '401 Unauthorized';
    const origin = request.headers.origin;
    if (origin !== undefined && !allowedOrigins.has(origin)) return '403 Forbidden';
    if (sockets.clients.size >= maxConnections) return '503 Service Unavailable';
    return null;
  }

  function watch(ws: WebSocket): void {
    let alive = true;
    ws.on('pong', () => (alive = true));
    ws.on('message', () => ws.close(1008, 'feeds are read-only'));
    ws.on('error', () => ws.terminate());
    const ping = setInterval(() => {
      if (!alive) {
        ws.terminate();
        return;
      }
      alive = false;
      ws.ping();
    }, idleTimeoutMs / 2);
    ping.unref();
    ws.once('close', () => clearInterval(ping));
    onViewer(ws);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port ?? 0, listen.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.address.includes(':') ? `[${address.address}]` : address.address;
  return {
    url: `ws://${host}:${address.port}/?token=${token}`,
    token,
    clients: sockets.clients,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of sockets.clients) client.terminate();
        sockets.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Constant-time comparison of two tokens. */
export function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.byteLength === y.byteLength && timingSafeEqual(x, y);
}
