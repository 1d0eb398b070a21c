// Why each peer's link is down, as this node last saw it (linkReasons.ts), and since when. The
// transport records every failed dial and every closed link here; `status`, /metrics and the view
// read it. `record` says whether the reason changed, so a failure is logged once, not per attempt.
import { performance } from 'node:perf_hooks';
import type { LinkDownReason } from '../wire/frames.js';
import { NOT_YET_CONNECTED, sameReason } from '../wire/linkReasons.js';

export class DownReasons {
  private readonly reasons = new Map<string, LinkDownReason>();
  private readonly sinceMs = new Map<string, number>();

  constructor(peers: readonly string[]) {
    const now = performance.now();
    for (const peer of peers) {
      this.reasons.set(peer, NOT_YET_CONNECTED);
      this.sinceMs.set(peer, now);
    }
  }

  /** Records why `peer` is down; true when it is another reason than the last one. */
  record(peer: string, reason: LinkDownReason): boolean {
    const changed = !sameReason(this.reasons.get(peer), reason);
    this.reasons.set(peer, reason);
    return changed;
  }

  /** The link to `peer` went down now (the reason follows through `record`). */
  wentDown(peer: string): void {
    this.sinceMs.set(peer, performance.now());
  }

  reasonOf(peer: string): LinkDownReason {
    return this.reasons.get(peer) ?? NOT_YET_CONNECTED;
  }

  downSinceMs(peer: string): number {
    return this.sinceMs.get(peer) ?? performance.now();
  }
}
