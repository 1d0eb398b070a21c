// What a node's transport needs of its configurations (docs/membership.md §5.4): the newest
// configuration, the peers to keep links with (its voters, and the previous voters while the
// transition runs) at the newest URL the chain has for each, and the former members with the
// configuration that removed them, so the handshake refuses them with WIRE_ERR_REMOVED. Pure.
import { prepareTargets, viewOf, type Configuration, type ConfigView } from '../../paxos/config.js';
import { hasMembershipStore } from '../../storage/membershipStore.js';
import type { Storage } from '../../storage/storage.js';
import type { TransportMembership } from '../../transport/transport.js';

export function transportMembershipOf(
  self: string,
  chain: readonly Configuration[],
  view: ConfigView | null,
): TransportMembership {
  const newest = chain.at(-1);
  if (view === null || newest === undefined) return { configuration: null, peers: {}, removed: {} };
  const urls = new Map<string, string>();
  const removed: Record<string, number> = {};
  for (const config of chain) {
    for (const [id, url] of Object.entries(config.urls)) urls.set(id, url);
    const previous = chain[config.number - 1];
    for (const id of previous?.voters ?? []) if (!config.voters.includes(id)) removed[id] = config.number;
  }
  const linked = prepareTargets(view);
  const peers: Record<string, string | null> = {};
  for (const id of linked) if (id !== self) peers[id] = urls.get(id) ?? null;
  for (const id of linked) delete removed[id];
  return { configuration: newest, peers, removed };
}

/**
 * What an opened store says the transport should link before the node starts (a restart with a
 * data directory: the transport's `membership` option); undefined when it holds no chain (a new
 * node, or one that joins and has received none), so the transport keeps its start peers.
 */
export function storedTransportMembership(self: string, storage: Storage): TransportMembership | undefined {
  const stored = hasMembershipStore(storage) ? storage.loadMembership() : undefined;
  if (stored === undefined || stored.chain.length === 0) return undefined;
  const view = viewOf(stored.chain, stored.chain.length - 1, stored.completeEpoch);
  return transportMembershipOf(self, stored.chain, view);
}
