// One client connection to one node, reopened when it is lost: a node killed or restarted by the
// nemesis closes it, and the workers sharing it carry on with a new one once the node is back.
import { connectClient, type ClientOptions, type GenPaxosClient } from '../../src/transport/client/client.js';

export class ClientConnection {
  private current: Promise<GenPaxosClient> | null = null;
  private closed = false;

  constructor(
    readonly node: string,
    private readonly url: string,
    private readonly options: ClientOptions,
  ) {}

  /** The open connection, or a new one (rejects with WIRE_ERR_CONNECT_FAILED if the node is down). */
  get(): Promise<GenPaxosClient> {
    if (this.closed) return Promise.reject(new Error('connection closed for good'));
    if (this.current === null) {
      const opening = connectClient(this.url, this.options);
      this.current = opening;
      // A failed connect is forgotten at once, so the next get() tries again.
      opening.catch(() => {
        if (this.current === opening) this.current = null;
      });
    }
    return this.current;
  }

  /**
   * Forgets `client` (unless already replaced) after it failed with a lost connection or no
   * reply in time, and closes it without waiting: the next get() opens a fresh one.
   */
  lost(client: GenPaxosClient): void {
    const current = this.current;
    // `current` may be a connect still in progress that then fails (the node is stopping): its
    // rejection is get()'s to report, and must not escape here unhandled.
    void current?.then(
      (open) => {
        if (open !== client || this.current !== current) return;
        this.current = null;
        void client.close().catch(() => {});
      },
      () => {},
    );
  }

  async close(): Promise<void> {
    this.closed = true;
    const current = this.current;
    this.current = null;
    const client = await current?.catch(() => null);
    // Closing a connection to a node that is gone must not wait for a close handshake.
    await Promise.race([client?.close().catch(() => {}), new Promise((r) => setTimeout(r, 2_000))]);
  }
}
