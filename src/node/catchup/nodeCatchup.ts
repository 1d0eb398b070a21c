// Catch-up wired to a running node: pages are gen_server calls to a peer's `gen_paxos`
// (`{ type: 'decided.page' }` and `{ type: 'decided.keys' }`, nodeRequests.ts) over the actor runtime's links, and what a page
// says is handed to the node as the `decide` messages it would have heard, so it is written,
// retired and announced like any decision. A peer's page is unchecked data: it is validated here,
// and a peer that sends a malformed one only counts an error against itself.
import type { RuntimeClock } from '../../base/clock.js';
import { ERROR_CODES } from '../../base/errors.js';
import type { Envelope } from '../../paxos/messages.js';
import { checkKey, checkValue } from '../../paxos/validate.js';
import type { ActorNode } from '../../runtime/actorNode.js';
import { createGenServer } from '../../runtime/genServer/genServer.js';
import type {
  DecidedEntry,
  DecidedFact,
  DecidedLog,
  DecidedPage,
  KeyOrderPage,
  PageLimits,
} from '../../storage/decidedLog.js';
import type { Storage } from '../../storage/storage.js';
import type { GenPaxosNodeEmitted, GenPaxosNodeReply } from '../nodeEvents.js';
import { GEN_PAXOS_NAME, isCount } from '../nodeRequests.js';
import type { KeySupervisor } from '../keySupervisor.js';
import { CatchupPuller, type CatchupLimits, type CatchupProgress } from './catchupPuller.js';

export interface NodeCatchupOptions {
  readonly id: string;
  readonly members: readonly string[];
  readonly runtime: ActorNode;
  readonly storage: Storage & DecidedLog;
  readonly clock: RuntimeClock;
  /** Hands `envelope` to the node actor as it runs now, as if it came from the transport. */
  readonly deliver: (envelope: Envelope) => void;
  /** The node's key supervisor as it runs now (it changes when the node actor restarts). */
  readonly keys: () => KeySupervisor | null;
  /** The node's emitted events (the handle's `on` listeners). */
  readonly emit: (event: GenPaxosNodeEmitted) => void;
  readonly limits?: Partial<CatchupLimits>;
}

/** A node's catch-up as it runs: its progress, and stopping it (with the node). */
export interface NodeCatchup {
  progress(): CatchupProgress;
  /** Stops pulling and forgets the peers' links: a runtime that outlives the node keeps no watcher. */
  stop(): void;
}

/** Starts pulling the other members' decided logs; stop it with the node. */
export function startNodeCatchup(options: NodeCatchupOptions): NodeCatchup {
  const { id, runtime, storage, clock } = options;
  const server = createGenServer(runtime);
  const peers = options.members.filter((member) => member !== id);
  const puller = new CatchupPuller({
    // The voters of the configuration the node runs under (docs/membership.md §7), once it has one.
    sources: () => {
      const voters = options.keys()?.membership.current?.voters;
      return voters === undefined ? peers : voters.filter((member) => member !== id);
    },
    reachable: (peer) => runtime.nodes().includes(peer),
    fetch: async (peer, since, limits, timeoutMs) => {
      const request = { type: 'decided.page', since, maxKeys: limits.maxKeys, maxBytes: limits.maxBytes };
      const reply = await server.call<GenPaxosNodeReply>({ name: GEN_PAXOS_NAME, node: peer }, request, {
        timeoutMs,
      });
      return checkPageReply(peer, reply, since, limits);
    },
    fetchKeys: async (peer, after, limits, timeoutMs) => {
      const request = { type: 'decided.keys', after, maxKeys: limits.maxKeys, maxBytes: limits.maxBytes };
      const reply = await server.call<GenPaxosNodeReply>({ name: GEN_PAXOS_NAME, node: peer }, request, {
        timeoutMs,
      });
      return checkKeyOrderReply(peer, reply, after, limits);
    },
    learn: (peer, entries) => {
      for (const { key, value } of entries)
        options.deliver({ from: peer, to: id, key, message: { type: 'decide', value } });
    },
    decidedHere: (key) => storage.load(key)?.decided,
    onDisagreement: (peer, entry, local) => {
      const message =
        `peer ${peer} says key ${JSON.stringify(entry.key)} was decided ${JSON.stringify(entry.value)}, ` +
        `this node decided ${JSON.stringify(local)}: agreement is broken, this node stops voting`;
      options.emit({ type: 'disagreement', key: entry.key, peer, local, theirs: entry.value });
      options.keys()?.stopVoting({ code: ERROR_CODES.DISAGREEMENT, message });
    },
    log: storage,
    clock,
    ...(options.limits ? { limits: options.limits } : {}),
  });
  puller.start();
  // A link that comes back up may have lost decisions while it was down: pull that peer again.
  const monitors = peers.map((peer) =>
    runtime.monitorNode(peer, (event) => {
      if (event.type === 'nodeup') puller.peerUp(peer);
    }),
  );
  return {
    progress: () => puller.progress(),
    stop: () => {
      for (const ref of monitors) runtime.demonitorNode(ref);
      puller.stop();
    },
  };
}

/** The page in a peer's reply, checked entry by entry; throws (a failed pull) on anything else. */
export function checkPageReply(peer: string, reply: unknown, since: number, limits: PageLimits): DecidedPage {
  const { page, bad } = pageOf<DecidedPage>(peer, reply, 'decided.page', 'paxos.page');
  // A peer that keeps its whole log (an older version) sends no floor.
  const { entries, next, head, bytes, floor = 0 } = page;
  if (!isCount(next) || !isCount(head) || !isCount(bytes) || !isCount(floor))
    throw bad('next, head, bytes and floor must be counts');
  let previous = since;
  for (const entry of checkFacts(entries, limits, bad) as Partial<DecidedEntry>[]) {
    const { seq } = entry;
    if (!isCount(seq) || seq <= previous || seq > head)
      throw bad('entry numbers must rise above since, up to head');
    previous = seq;
  }
  if (next !== previous) throw bad('next must be the last entry’s number');
  return { entries: entries as DecidedEntry[], next, head, bytes, floor };
}

/** The key-order page in a peer's reply, checked entry by entry; throws on anything else. */
export function checkKeyOrderReply(
  peer: string,
  reply: unknown,
  after: string | null,
  limits: PageLimits,
): KeyOrderPage {
  const { page, bad } = pageOf<KeyOrderPage>(peer, reply, 'decided.keys', 'paxos.keys');
  const { entries, last, done, head, bytes } = page;
  if (!isCount(head) || !isCount(bytes)) throw bad('head and bytes must be counts');
  if (typeof done !== 'boolean') throw bad('done must be true or false');
  const facts = checkFacts(entries, limits, bad);
  if (facts.some((entry) => entry.key === after)) throw bad('entries must follow after');
  if (last !== (facts.at(-1)?.key ?? after)) throw bad('last must be the last entry’s key');
  if (!done && facts.length === 0) throw bad('a page short of the last key must hold one');
  return { entries: facts, last, done, head, bytes };
}

/** A reply's page, or the error a refusal or a reply of another shape makes. */
function pageOf<P>(
  peer: string,
  reply: unknown,
  request: string,
  type: string,
): { page: Partial<P>; bad: (why: string) => Error } {
  const r = reply as { type?: unknown; page?: Partial<P>; error?: { message?: unknown } } | null;
  if (r?.type === 'paxos.failed')
    throw new Error(`${peer} refused a ${request} request: ${String(r.error?.message)}`);
  const page = r?.type === type ? r.page : undefined;
  const bad = (why: string) => new Error(`${peer} sent a malformed decided page (${why})`);
  if (typeof page !== 'object' || page === null) throw bad('no page');
  return { page, bad };
}

/** Entries of a page: a list within the limits, each a valid key and value. */
function checkFacts(entries: unknown, limits: PageLimits, bad: (why: string) => Error): DecidedFact[] {
  if (!Array.isArray(entries) || entries.length > limits.maxKeys)
    throw bad('entries must be a list within maxKeys');
  for (const entry of entries as unknown[]) {
    const { key, value } = (entry ?? {}) as Partial<DecidedFact>;
    if (typeof key !== 'string' || checkKey(key) !== null) throw bad(`bad key ${JSON.stringify(key)}`);
    if (value === undefined || checkValue(value) !== null) throw bad(`bad value for ${JSON.stringify(key)}`);
  }
  return entries as DecidedFact[];
}
