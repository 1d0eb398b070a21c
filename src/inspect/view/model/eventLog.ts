// The page's event log: the most recent lines, and apart from them the notable ones (not about
// one message, state change or write), so that chatter does not push out a crash or a control
// used. Bounded: each list keeps between `max` and twice `max` lines. Browser-safe, plain data.
import type { ViewEvent } from './viewEvents.js';

export interface LogEntry {
  readonly seq: number;
  readonly t: number;
  readonly text: string;
  /** The key the line is about, for filtering. */
  readonly key?: string;
  readonly kind: ViewEvent['type'] | 'lost';
}

/** Log lines about one message, state change or write: kept out of the notable lines. */
const CHATTER: ReadonlySet<LogEntry['kind']> = new Set(['send', 'recv', 'state', 'lost', 'durable', 'held']);

export class EventLog {
  private all: LogEntry[] = [];
  private notableLines: LogEntry[] = [];

  /** `max`: lines kept in each list (default 1000). */
  constructor(private readonly max = 1000) {}

  /** The most recent lines, oldest first. */
  get lines(): readonly LogEntry[] {
    return this.all;
  }

  /** The most recent notable lines, oldest first. */
  get notable(): readonly LogEntry[] {
    return this.notableLines;
  }

  add(entry: LogEntry): void {
    this.all.push(entry);
    if (this.all.length > this.max * 2) this.all = this.all.slice(-this.max);
    if (CHATTER.has(entry.kind)) return;
    this.notableLines.push(entry);
    if (this.notableLines.length > this.max * 2) this.notableLines = this.notableLines.slice(-this.max);
  }

  toData(): { log: LogEntry[]; notable: LogEntry[] } {
    return { log: [...this.all], notable: [...this.notableLines] };
  }

  static fromData(
    data: { readonly log: readonly LogEntry[]; readonly notable: readonly LogEntry[] },
    max?: number,
  ): EventLog {
    const log = new EventLog(max);
    log.all = [...data.log];
    log.notableLines = [...data.notable];
    return log;
  }
}
