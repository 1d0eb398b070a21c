// The node's listening server: HTTP or HTTPS carrying the WebSocket upgrades of peers and
// clients. A plain HTTP request goes to the handler the node installs (its /metrics); anything
// nobody serves gets 426, because this port speaks WebSocket.
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
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
  readonly logger: Logger;
}

/** Binds the address; rejects if it cannot. */
export async function listenNodeServer(options: NodeServerOptions): Promise<NodeServer> {
  let httpHandler: HttpHandler | null = null;
  const onHttp = (request: IncomingMessage, response: ServerResponse) => {
    if (!httpHandler?.(request, response)) refuseHttp(response);
  };
  const server = options.tls
    ? createHttpsServer({ key: options.tls.key, cert: options.tls.cert }, onHttp)
    : createHttpServer(onHttp);
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

function refuseHttp(response: ServerResponse): void {
  response.writeHead(426, { 'content-type': 'text/plain', upgrade: 'websocket' });
  response.end('gen-paxos: this port speaks WebSocket only\n');
}
