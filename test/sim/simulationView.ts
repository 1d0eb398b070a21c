// A simulation seed's run as cluster-view events, the format the page replays: each simulated
// node gets a NodeViewFeed (the same code a node process runs), the simulated network reports
// every envelope sent, delivered and dropped, each node's store reports its durable writes (a
// key's story marks the votes), crashes show as nodes going down, and every line of the trace
// (faults injected, asks) becomes a note. Times are the run's virtual milliseconds.
import type { ViewEvent } from '../../src/inspect/view/model/viewEvents.js';
import { messageDetail, NodeViewFeed } from '../../src/inspect/view/nodeViewFeed.js';
import { TappingStorage } from '../../src/inspect/view/tappingStorage.js';
import { runSimulation, type SimObserver, type SimOptions, type SimResult } from './simulation.js';

export interface SimulationView {
  readonly result: SimResult;
  readonly events: ViewEvent[];
  readonly nodes: readonly string[];
}

/** Runs `options` (fast path off by default: every key an instance, every state exact) and records its view. */
export async function simulationView(
  options: Partial<Omit<SimOptions, 'observer'>> & { seed: number },
): Promise<SimulationView> {
  const events: ViewEvent[] = [];
  const count = options.nodes ?? 3;
  // The initial members, then every node a membership change adds, as it starts.
  const nodes = Array.from({ length: count }, (_, i) => String.fromCharCode(97 + i));
  let now = () => 0;
  const feeds = new Map<string, NodeViewFeed>();
  const detach = new Map<string, () => void>();
  const starts = new Map<string, number>();
  const observer: SimObserver = {
    attach: (clock) => (now = clock),
    inspect: (id) => {
      if (!nodes.includes(id)) nodes.push(id);
      const start = (starts.get(id) ?? 0) + 1;
      starts.set(id, start);
      const feed = new NodeViewFeed({
        nodeId: id,
        incarnation: `${id}-start-${start}`,
        members: [...nodes],
        publish: (event) => events.push(event),
        now: () => now(),
      });
      feeds.set(id, feed);
      return feed.inspect;
    },
    // The feed of the node's current start (looked up at each write: a restart replaces it).
    storage: (id, storage) =>
      new TappingStorage(storage, { durable: (key, record) => feeds.get(id)?.durable(key, record) }),
    started: (id, node) => {
      const feed = feeds.get(id) as NodeViewFeed;
      detach.set(id, feed.attach(node));
      // One network, no links to lose: every peer is reachable unless a fault says otherwise.
      feed.setLinks(nodes.filter((peer) => peer !== id).map((peer) => ({ peer, up: true })));
      events.push(feed.snapshot());
    },
    stopped: (id) => {
      detach.get(id)?.();
      feeds.delete(id);
      events.push({ type: 'node', t: now(), node: id, up: false });
    },
    network: (kind, envelope) => {
      if (kind === 'sent') feeds.get(envelope.from)?.sent(envelope);
      else if (kind === 'delivered') {
        const feed = feeds.get(envelope.to);
        feed?.received(envelope);
      } else if (kind === 'dropped') {
        const { from, to, key, message } = envelope;
        const ballot = 'ballot' in message ? `${message.ballot.round}.${message.ballot.node}` : null;
        events.push({
          type: 'drop',
          t: now(),
          node: from,
          to,
          key,
          msg: message.type,
          ballot,
          ...messageDetail(message),
        });
      }
    },
    log: (line) => events.push({ type: 'note', t: now(), text: line }),
  };
  const result = await runSimulation({ acceptorFastPath: false, ...options, seed: options.seed, observer });
  return { result, events, nodes };
}
