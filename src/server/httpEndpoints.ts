// The plain-HTTP side of a node's port: GET /health (200 while the process serves), GET /ready
// (200 while this node reaches a quorum of its members, 503 otherwise; a small JSON body says
// which members it reaches and why not the others), GET /metrics (Prometheus text). Load
// balancers and orchestrators probe these; everything else on the port is WebSocket.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { renderNodeMetrics } from '../inspect/nodeMetrics.js';
import { PROMETHEUS_CONTENT_TYPE } from '../inspect/prometheus.js';
import type { GenPaxosNode } from '../node/genPaxos.js';
import type { LinkStatus } from '../transport/wire/frames.js';
import { readinessOf } from '../transport/wire/readiness.js';
import { currentVoters } from './clientService.js';

export interface HttpServed {
  readonly node: GenPaxosNode;
  links(): LinkStatus[];
}

/** The node's HTTP handler: true when it answered the request. */
export function nodeHttpHandler(served: HttpServed) {
  return (request: IncomingMessage, response: ServerResponse): boolean => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return false;
    const path = request.url?.split('?')[0];
    switch (path) {
      case '/health':
        return json(response, 200, { status: 'serving', node: served.node.id });
      case '/ready': {
        const readiness = readinessOf(served.node.id, currentVoters(served.node), served.links());
        return json(response, readiness.ready ? 200 : 503, readiness);
      }
      case '/metrics':
        response.writeHead(200, { 'content-type': PROMETHEUS_CONTENT_TYPE });
        response.end(renderNodeMetrics(served.node, served.links()));
        return true;
      default:
        return false;
    }
  };
}

function json(response: ServerResponse, status: number, body: unknown): true {
  response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  response.end(`${JSON.stringify(body)}\n`);
  return true;
}
