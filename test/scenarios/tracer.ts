// The trace of a scenario: one line per thing that happened, stamped with virtual time, grouped in
// categories a file can switch off (`trace asks`) to keep long runs readable. Lines name nodes,
// keys, ballots and values, never session ids or wall-clock time, so a run prints the same every time.
import type { InspectionEvent } from 'xstate';
import type { Ballot, GenPaxosNodeEmitted } from '../../src/index.js';
import { ScenarioCommandError, showValue } from './args.js';

export const TRACE_CATEGORIES = ['msgs', 'states', 'disk', 'asks', 'events'] as const;
export type TraceCategory = (typeof TRACE_CATEGORIES)[number];

/** `all`, `none`, or a comma-separated list of categories. */
export function parseCategories(text: string): Set<TraceCategory> {
  if (text === 'all') return new Set(TRACE_CATEGORIES);
  if (text === 'none') return new Set();
  const chosen = text.split(',');
  for (const name of chosen)
    if (!(TRACE_CATEGORIES as readonly string[]).includes(name))
      throw new ScenarioCommandError(
        `unknown trace category ${name} (${TRACE_CATEGORIES.join(', ')}, all, none)`,
      );
  return new Set(chosen as TraceCategory[]);
}

export class Tracer {
  enabled: Set<TraceCategory> = new Set(TRACE_CATEGORIES);
  private lines: string[] = [];
  /** Per node and key: the instance actor last seen (by session), its state and its ballot. */
  private readonly states = new Map<
    string,
    { readonly session: string; readonly state: string; readonly ballot: string }
  >();

  constructor(private readonly now: () => number) {}

  /** A line in `category`, kept only if the category is traced. */
  add(category: TraceCategory, where: string, text: string): void {
    if (this.enabled.has(category)) this.always(where, text);
  }

  /** A line printed whatever the categories: what a command itself did (a crash, a restart). */
  always(where: string, text: string): void {
    // Random network delays make fractional times: one decimal is enough to read the order.
    const nowMs = this.now();
    const time = Number.isInteger(nowMs) ? String(nowMs) : nowMs.toFixed(1);
    this.lines.push(`${time.padStart(7)} ms  ${where.padEnd(9)} ${text}`);
  }

  /** The lines since the last call. */
  take(): string[] {
    const lines = this.lines;
    this.lines = [];
    return lines;
  }

  /**
   * An XState inspection event of node `nodeId`: instance actors' state changes become lines.
   * A new actor for a key (spawned, restarted or respawned after retiring) starts from `spawned`;
   * a new ballot in the same state (a retry) is a line too.
   */
  inspect(nodeId: string, event: InspectionEvent): void {
    if (event.type !== '@xstate.snapshot') return;
    const snapshot = event.snapshot as {
      value?: unknown;
      context?: { key?: unknown; ballot?: Ballot | null };
    };
    if (typeof snapshot.value !== 'string' || typeof snapshot.context?.key !== 'string') return;
    const slot = `${nodeId}/${snapshot.context.key}`;
    const before = this.states.get(slot);
    const session = event.actorRef.sessionId;
    const sameActor = before?.session === session;
    const ballot = snapshot.context.ballot
      ? `${snapshot.context.ballot.round}.${snapshot.context.ballot.node}`
      : '';
    if (sameActor && before.state === snapshot.value && before.ballot === ballot) return;
    this.states.set(slot, { session, state: snapshot.value, ballot });
    const shown = ballot ? `  (ballot ${ballot})` : '';
    this.add('states', slot, `${sameActor ? before.state : 'spawned'} → ${snapshot.value}${shown}`);
  }

  /** What node `id` emitted for observers (`actor.on`): decisions, refusals, instance crashes. */
  nodeEvent(id: string, event: GenPaxosNodeEmitted): void {
    switch (event.type) {
      case 'decided':
        return this.add('events', id, `decided ${event.key} = ${showValue(event.value)}`);
      case 'message.refused':
        return this.add(
          'events',
          id,
          `refused a message from ${event.from} for ${event.key}: ${event.reason}`,
        );
      case 'instance.restarted':
        return this.add(
          'events',
          `${id}/${event.key}`,
          `instance crashed (${event.error.message}), restarted`,
        );
      case 'instance.failed':
        return this.add('events', `${id}/${event.key}`, `instance given up (${event.error.message})`);
      case 'storage.failed':
        return this.add('events', id, `storage failed: ${event.error.code}`);
    }
  }
}
