// Asks go where they are cheapest: a client given several endpoints keeps a connection to each
// node and sends an ask straight to its key's owner (paxos/owner.ts, computed exactly as the nodes
// compute it), which proposes it without a forward hop. Routing is only a shortcut, never a rule
// of the protocol: any node takes any ask (it forwards it to the owner), so a guess that is wrong
// or stale (members not yet known, owner link down) costs one hop and is never unsafe.
import { ownerAmongSorted } from '../../paxos/owner.js';
import { openClientConnection, type ClientConnection, type ConnectionSettings } from './clientConnection.js';

/** First redial of a lost or refused endpoint, then doubling up to the maximum. */
const REDIAL_FIRST_MS = 500;
const REDIAL_MAX_MS = 30_000;

export class OwnerRoutes {
  /** The members, sorted, as the nodes sort them to find an owner; null until a node said. */
  private sortedMembers: readonly string[] | null = null;
  /** Open connections by the id of the node at the other end. */
  private readonly byNode = new Map<string, ClientConnection>();
  /** Connections this object opened (the client's main connection is the client's own). */
  private readonly owned = new Set<ClientConnection>();
  private readonly dialling = new Set<string>();
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private closed = false;
  /** Settles once every endpoint was tried once. */
  readonly firstAttempts: Promise<void>;

  constructor(
    private readonly endpoints: readonly string[],
    private readonly settings: ConnectionSettings,
    main: ClientConnection,
  ) {
    this.adopt(main);
    this.firstAttempts = Promise.all(
      endpoints.filter((url) => url !== main.url).map((url) => this.dial(url, REDIAL_FIRST_MS)),
    ).then(() => {});
  }

  /** The members as a node reported them (its `status`): owners are computed over them. */
  learnMembers(members: readonly string[]): void {
    if (members.length > 0) this.sortedMembers = [...members].sort();
  }

  get membersKnown(): boolean {
    return this.sortedMembers !== null;
  }

  /** The open connection to `key`'s owner, or null: then any node will do. */
  linkFor(key: string): ClientConnection | null {
    if (this.sortedMembers === null) return null;
    const link = this.byNode.get(ownerAmongSorted(key, this.sortedMembers));
    return link !== undefined && link.isOpen ? link : null;
  }

  /** How many nodes this client has an open connection to. */
  get openLinks(): number {
    let open = 0;
    for (const link of this.byNode.values()) if (link.isOpen) open++;
    return open;
  }

  /** The client's main connection (after a failover, its new one) serves its node's keys too. */
  adopt(connection: ClientConnection): void {
    const current = this.byNode.get(connection.node);
    if (current !== undefined && current !== connection && current.isOpen) return;
    this.watch(connection);
  }

  /** Routes to `link` while it is open; once it closes, its endpoint is dialled again. */
  private watch(link: ClientConnection): void {
    this.byNode.set(link.node, link);
    void link.whenClosed.then(() => {
      this.owned.delete(link);
      if (this.byNode.get(link.node) === link) this.byNode.delete(link.node);
      this.redial(link.url, REDIAL_FIRST_MS);
    });
  }

  /** Closes the connections this object opened and stops redialling. */
  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await Promise.all([...this.owned].map((link) => link.close().catch(() => {})));
  }

  /** Opens a connection to `url`; if that fails, tries again after `nextDelayMs`. */
  private async dial(url: string, nextDelayMs: number): Promise<void> {
    if (this.closed || this.dialling.has(url)) return;
    this.dialling.add(url);
    try {
      const link = await openClientConnection(url, this.settings);
      if (this.closed) {
        await link.close().catch(() => {});
        return;
      }
      const current = this.byNode.get(link.node);
      if (current !== undefined && current.isOpen) {
        // Another endpoint reaches the same node already (two URLs of one node).
        await link.close().catch(() => {});
        return;
      }
      this.owned.add(link);
      this.watch(link);
    } catch (error) {
      this.settings.logger.debug('owner link failed', { url, error: (error as Error).message });
      this.redial(url, nextDelayMs);
    } finally {
      this.dialling.delete(url);
    }
  }

  /** Dials `url` again after `delayMs`; each failure in a row doubles the wait, up to a maximum. */
  private redial(url: string, delayMs: number): void {
    if (this.closed) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.dial(url, Math.min(REDIAL_MAX_MS, delayMs * 2));
    }, delayMs);
    timer.unref();
    this.timers.add(timer);
  }
}
