// The aggregator of the live cluster view: follows every node's view feed (reconnecting while a
// node is down), merges their events in arrival order into one ClusterModel, and republishes
// them to the pages through bounded per-viewer buffers, and to any listener (the recorder).
// A node whose feed connection drops is reported down; when it is back, its snapshot says so.
import { WebSocket } from 'ws';
import { InspectionHub } from '../inspectionHub.js';
import { ClusterModel, type ClusterModelOptions } from './model/clusterModel.js';
import { validateViewEvent } from './model/validateEvent.js';
import type { ViewEvent } from './model/viewEvents.js';

export interface ClusterFeedOptions {
  /** Each node's view feed URL, by node id. */
  readonly feeds: Readonly<Record<string, string>>;
  /** Time of the events made here (ticks, node down). Default Date.now. */
  readonly now?: () => number;
  /** How often a tick lets undelivered messages expire. Default 250 ms. */
  readonly tickMs?: number;
  /** Wait before dialling a feed again. Default 250 ms. */
  readonly reconnectMs?: number;
  /** Events buffered per page before it is resynchronised. Default 20 000. */
  readonly maxBufferedEvents?: number;
  readonly model?: ClusterModelOptions;
}

export class ClusterFeed {
  readonly model: ClusterModel;
  readonly hub: InspectionHub<ViewEvent>;
  /** Feed frames or events that failed validation. */
  invalid = 0;
  private readonly listeners = new Set<(event: ViewEvent) => void>();
  private readonly sockets = new Map<string, WebSocket>();
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private readonly now: () => number;
  private closed = false;

  constructor(private readonly options: ClusterFeedOptions) {
    this.now = options.now ?? Date.now;
    this.model = new ClusterModel(options.model);
    this.hub = new InspectionHub<ViewEvent>(options.maxBufferedEvents ?? 20_000);
  }

  get nodes(): readonly string[] {
    return Object.keys(this.options.feeds);
  }

  /** Starts following every feed, and ticking. */
  start(): void {
    for (const id of this.nodes) this.connect(id);
    const tick = setInterval(() => this.publish({ type: 'tick', t: this.now() }), this.options.tickMs ?? 250);
    tick.unref();
    this.timers.add(tick);
  }

  /** Applies `event` to the model and passes it on: events of the demo itself (notes, faults) come here too. */
  publish(event: ViewEvent): void {
    this.model.apply(event);
    if (this.hub.hasViewers) this.hub.publish(event);
    for (const listener of this.listeners) listener(event);
  }

  /** `listener` gets every event from now on; returns the unsubscriber. */
  onEvent(listener: (event: ViewEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** True while node `id`'s feed is connected. */
  isConnected(id: string): boolean {
    return this.sockets.get(id)?.readyState === WebSocket.OPEN;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const socket of this.sockets.values()) socket.terminate();
    this.sockets.clear();
  }

  private connect(id: string): void {
    if (this.closed) return;
    const socket = new WebSocket(this.options.feeds[id] as string, { perMessageDeflate: false });
    this.sockets.set(id, socket);
    let opened = false;
    socket.on('open', () => (opened = true));
    socket.on('message', (data) => this.receive(String(data)));
    socket.on('error', () => {}); // 'close' follows; a node being down is no error here
    socket.on('close', () => {
      if (this.sockets.get(id) !== socket) return;
      this.sockets.delete(id);
      if (opened && !this.closed) this.publish({ type: 'node', t: this.now(), node: id, up: false });
      if (this.closed) return;
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        this.connect(id);
      }, this.options.reconnectMs ?? 250);
      this.timers.add(timer);
    });
  }

  private receive(frame: string): void {
    let batch: unknown;
    try {
      batch = JSON.parse(frame);
    } catch {
      this.invalid++;
      return;
    }
    if (!Array.isArray(batch)) {
      this.invalid++;
      return;
    }
    for (const raw of batch) {
      const event = validateViewEvent(raw);
      if (event) this.publish(event);
      else this.invalid++;
    }
  }
}
