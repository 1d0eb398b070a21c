// The node's listening server: HTTP or HTTPS carrying the WebSocket upgrades of peers and
// clients. A plain HTTP request goes to the handler the node installs (its /metrics); anything
// nobody serves gets 426, because this port speaks WebSocket. Bounded before any handshake
// (docs/security.md, "Handshakes"): a connection that sends no request within
// `firstBytesTimeoutMs` is closed, headers must arrive within `headersTimeoutMs` and a request
// within `requestTimeoutMs`, so idle and slowloris connections cannot pile up.
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer, Server as HttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import { WebSocketServer } from 'ws';
import type { Logger } from '../../base/log.js';

/** Answers a plain HTTP request, or returns false to leave it refused. */
export type HttpHandler = (request: IncomingMessage, response: ServerResponse) => boolean;

export interface NodeServer {
  readonly server: Server;
  readonly wss: WebSocketServer;
  /** Installs (or removes) the plain-HTTP handler. */
  serveHttp(handler: HttpHandler | null): void;
}

export interface NodeServerOptions {
  readonly listen: { readonly host: string; readonly port: number };
  readonly tls?: { readonly key: string | Buffer; readonly cert: string | Buffer } | null | undefined;
  readonly maxFrameBytes: number;
  readonly firstBytesTimeoutMs: number;
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly logger: Logger;
}

/** How often node's HTTP server looks for requests past their header and request timeouts. */
const TIMEOUT_CHECK_MS = 250;

/** Binds the address; rejects if it cannot. */
export async function listenNodeServer(options: NodeServerOptions): Promise<NodeServer> {
  let httpHandler: HttpHandler | null = null;
  const onHttp = (request: IncomingMessage, response: ServerResponse) => {
    if (!httpHandler?.(request, response)) refuseHttp(response);
  };
  const limits = {
    headersTimeout: options.headersTimeoutMs,
    requestTimeout: options.requestTimeoutMs,
    connectionsCheckingInterval: TIMEOUT_CHECK_MS,
    keepAliveTimeout: options.headersTimeoutMs,
  };
  const server = options.tls
    ? createHttpsServer(
        {
          key: options.tls.key,
          cert: options.tls.cert,
          handshakeTimeout: options.firstBytesTimeoutMs,
          ...limits,
        },
        onHttp,
      )
    : createHttpServer(limits, onHttp);
  closeSilentConnections(server, options.firstBytesTimeoutMs);
  const wss = new WebSocketServer({ server, maxPayload: options.maxFrameBytes, perMessageDeflate: false });
  wss.on('error', () => {}); // re-emitted server errors; listen errors reject below
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.listen.port, options.listen.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (error) => options.logger.error('server error', { error }));
  return {
    server,
    wss,
    serveHttp: (handler) => {
      httpHandler = handler;
    },
  };
}

/**
 * Node's header timeout starts with the first byte: a connection that sends nothing would stay
 * open. Each connection must have made a request (plain or upgrade) within `timeoutMs`.
 */
export function closeSilentConnections(server: Server, timeoutMs: number): void {
  const asked = new WeakSet<Socket>();
  const mark = (request: IncomingMessage) => asked.add(request.socket);
  server.on('request', mark);
  server.on('upgrade', mark);
  // TLS: the encrypted socket is the one requests name; the plain one is what connects first.
  server.on(server instanceof HttpsServer ? 'secureConnection' : 'connection', (socket: Socket) => {
    const timer = setTimeout(() => {
      if (!asked.has(socket)) socket.destroy();
    }, timeoutMs);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
  });
}

function refuseHttp(response: ServerResponse): void {
  response.writeHead(426, { 'content-type': 'text/plain', upgrade: 'websocket' });
  response.end('gen-paxos: this port speaks WebSocket only\n');
}
