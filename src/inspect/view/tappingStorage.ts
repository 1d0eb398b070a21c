// A storage decorator that tells the view feed when each write of a key's record is durable,
// and passes everything through unchanged (the boot counter too): the durable-vote marks of a
// key's story. The report comes before the write's own promise settles for the node, so it
// precedes any reply the node held back until that write was on disk.
import type { KeyRecord } from '../../paxos/record.js';
import type { DurableCommitStats } from '../../storage/commitStats.js';
import { DECIDED_LOG_METHODS, hasDecidedLog } from '../../storage/decidedLog.js';
import type { Storage } from '../../storage/storage.js';

export interface DurableTap {
  durable(key: string, record: KeyRecord): void;
}

export class TappingStorage implements Storage {
  readonly pendingKeys?: () => Iterable<string>;
  readonly commitStats?: () => DurableCommitStats;

  constructor(
    private readonly inner: Storage,
    private readonly tap: DurableTap,
  ) {
    // Optional in the interface: offered only where the store offers them.
    if (inner.pendingKeys) this.pendingKeys = () => (inner.pendingKeys as () => Iterable<string>).call(inner);
    if (inner.commitStats)
      this.commitStats = () => (inner.commitStats as () => DurableCommitStats).call(inner);
    // The decided log too, or a node with its view on would have no catch-up.
    if (hasDecidedLog(inner))
      for (const name of DECIDED_LOG_METHODS)
        Object.defineProperty(this, name, {
          value: (inner[name] as (...args: never[]) => unknown).bind(inner),
        });
  }

  /**
   * The store's boot, read through: the owner's round-0 proposes carry it (Storage.boot), so a
   * tapped store must not hide it, or every restart of a node with its view on would be boot 0.
   */
  get boot(): number | undefined {
    return this.inner.boot;
  }

  open(): Promise<void> {
    return this.inner.open();
  }

  load(key: string): KeyRecord | undefined {
    return this.inner.load(key);
  }

  async write(key: string, record: KeyRecord): Promise<void> {
    await this.inner.write(key, record);
    this.tap.durable(key, record);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
