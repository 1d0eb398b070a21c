// The controls of `gen-paxos demo --ui`, carried out on the demo's own node processes: crash
// (SIGKILL) and restart (same port and data directory, so the node resumes its durable state),
// cut a node off from its peers (both sides block each other) and heal, and loss or delay on
// every link. Faults are set through the client protocol (`setFaults`, nodes run with
// --allow-fault-injection) and set again on a node that restarts. Every action is reported to
// the view as a note, and every fault change as a `faults` event.
import type { ClusterFeed } from '../inspect/view/clusterFeed.js';
import type { ControlRequest, ViewControls } from '../inspect/view/viewControls.js';
import type { LinkFaultSpec } from '../transport/wire/frames.js';
import type { DemoClients } from './demoClients.js';
import type { LocalCluster } from './localCluster.js';

export class DemoControls implements ViewControls {
  private isolated = new Set<string>();
  private network = { dropRate: 0, delayMs: 0 };
  /** One control at a time: a restart takes a moment, and a crash in the middle of it would race. */
  private busy: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly cluster: LocalCluster,
    private readonly clients: DemoClients,
    private readonly feed: ClusterFeed,
  ) {}

  get nodes(): readonly string[] {
    return this.cluster.ids;
  }

  run(request: ControlRequest): Promise<string> {
    const next = this.busy.then(() => this.carryOut(request));
    this.busy = next.catch(() => {});
    return next;
  }

  private async carryOut(request: ControlRequest): Promise<string> {
    switch (request.action) {
      case 'crash': {
        if (!this.cluster.node(request.node)) throw new Error(`${request.node} is not running`);
        this.clients.drop(request.node);
        await this.cluster.kill(request.node, 'SIGKILL');
        return this.note(`${request.node} crashed (SIGKILL)`, request.node);
      }
      case 'restart': {
        if (this.cluster.node(request.node)) throw new Error(`${request.node} is already running`);
        await this.cluster.spawn(request.node);
        await this.applyFaults([request.node]);
        return this.note(`${request.node} restarted on its data directory`, request.node);
      }
      case 'isolate':
        this.isolated.add(request.node);
        await this.applyFaults(this.cluster.ids);
        return this.note(`${request.node} cut off from its peers`, request.node);
      case 'heal':
        this.isolated.clear();
        await this.applyFaults(this.cluster.ids);
        return this.note('partitions healed');
      case 'network': {
        this.network = { dropRate: request.dropRate, delayMs: request.delayMs };
        await this.applyFaults(this.cluster.ids);
        return this.note(
          `every link: ${Math.round(request.dropRate * 100)}% loss, ${request.delayMs} ms delay`,
        );
      }
    }
  }

  /** The faults node `id` should have now. */
  private faultsOf(id: string): LinkFaultSpec {
    const peers = this.cluster.ids.filter((peer) => peer !== id);
    const blocked = this.isolated.has(id) ? peers : peers.filter((peer) => this.isolated.has(peer));
    return {
      blockOut: blocked,
      blockIn: blocked,
      dropRate: this.network.dropRate,
      // Jitter reorders messages, which Paxos must (and does) tolerate.
      delayMs: this.network.delayMs,
      jitterMs: Math.round(this.network.delayMs / 2),
    };
  }

  /** Sets the faults of the running nodes among `ids`; down nodes get theirs when restarted. */
  private async applyFaults(ids: readonly string[]): Promise<void> {
    await Promise.all(
      ids
        .filter((id) => this.cluster.node(id))
        .map(async (id) => {
          const faults = await this.clients.with(id, (client) => client.setFaults(this.faultsOf(id)));
          this.feed.publish({ type: 'faults', t: Date.now(), node: id, ...faults });
        }),
    );
  }

  private note(text: string, node?: string): string {
    this.feed.publish({ type: 'note', t: Date.now(), text, ...(node ? { node } : {}) });
    return text;
  }
}
