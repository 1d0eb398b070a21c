// The rescanner (docs/membership.md §6.3): drives the pure merge of rescan.ts over a running node.
// R1: asks the old voters for their reports (each answers once its fence for the new epoch is
// durable) until a majority of them reported. R2: for each key, a copy of a decided value to the
// new voters until a majority of them says it holds it durably, or — for a key only accepted — a
// recovery instance on this node (transitional phase 1, P2c, phase 2 on the new voters), whose
// decision is then copied the same way: a recovery that merely learned the decision has not put
// the value where the new quorums look (`recoveryLearned`), and copying after every recovery is
// always enough. Messages are re-sent on a timer until answered; nothing is durable here: a
// rescan that stops is run again from the start, which is always safe.
import type { RuntimeClock } from '../../base/clock.js';
import { majority } from '../../paxos/quorum.js';
import type { PaxosValue } from '../../paxos/messages.js';
import {
  mergeReports,
  reportsSuffice,
  type KeyAction,
  type Report,
  type ReportEntry,
} from '../../paxos/rescan.js';
import { valuesEqual } from '../../paxos/valueEquality.js';
import type { MembershipMessage } from './membershipMessages.js';

/** What the rescanner needs of its node. */
export interface RescanNode {
  readonly self: string;
  readonly clock: RuntimeClock;
  send(to: string, message: MembershipMessage): void;
  /** Listens to peers' membership answers; returns the remover. */
  listen(listener: (from: string, message: MembershipMessage) => void): () => void;
  /** Runs the key's instance to a decision here with both phases, `value` if phase 1 finds none. */
  recover(key: string, value: PaxosValue, timeoutMs: number): Promise<PaxosValue>;
}

export interface RescanPlan {
  /** The epoch the transition goes into. */
  readonly epoch: number;
  readonly oldVoters: readonly string[];
  readonly newVoters: readonly string[];
  /** Give up (reject) after this long on the node's clock. */
  readonly timeoutMs: number;
  /** Re-send unanswered requests this often. */
  readonly retryMs: number;
  /** Called before each round of requests (the changer pushes the chain to members that lack it). */
  readonly onRound?: () => void;
}

export interface RescanProgress {
  reporters: string[];
  keysTotal: number;
  keysDone: number;
  copies: number;
  recoveries: number;
}

/** Thrown when the rescan cannot finish: `disagreement`, or `timeout` with the progress made. */
export class RescanError extends Error {
  constructor(
    readonly reason: 'timeout' | 'disagreement',
    message: string,
    readonly progress: RescanProgress,
  ) {
    super(message);
  }
}

/** Copies in flight at once: each round re-sends the unanswered ones. */
const COPY_WINDOW = 256;

export async function rescan(node: RescanNode, plan: RescanPlan): Promise<RescanProgress> {
  const progress: RescanProgress = { reporters: [], keysTotal: 0, keysDone: 0, copies: 0, recoveries: 0 };
  const deadline = node.clock.now() + plan.timeoutMs;
  /** Each old voter's report as paged so far: where the next page starts, and whether it is whole. */
  const pages = new Map<string, { after: string | null; entries: ReportEntry[]; whole: boolean }>();
  const reports = new Map<string, readonly ReportEntry[]>();
  /** Copies in flight: the value, who holds it durably, and when `cfg.learn` last went out. */
  const copies = new Map<
    string,
    { readonly value: PaxosValue; readonly from: Set<string>; sentAt: number }
  >();
  let failure: RescanError | null = null;
  let wake: (() => void) | null = null;
  const stopListening = node.listen((from, message) => {
    if (message.type === 'cfg.reported' && message.epoch === plan.epoch && plan.oldVoters.includes(from)) {
      const page = pages.get(from) ?? { after: null, entries: [], whole: false };
      if (page.whole || message.after !== page.after) return; // a duplicate, or an answer to an older request
      page.entries.push(...message.entries);
      page.after = message.entries.at(-1)?.key ?? page.after;
      page.whole = !message.more || message.entries.length === 0;
      pages.set(from, page);
      if (page.whole) reports.set(from, page.entries);
    } else if (message.type === 'cfg.learned') {
      const copy = copies.get(message.key);
      if (copy === undefined) return;
      if (!valuesEqual(copy.value, message.value))
        failure = new RescanError(
          'disagreement',
          `${from} holds key ${JSON.stringify(message.key)} decided with another value than the rescan copies`,
          progress,
        );
      else if (plan.newVoters.includes(from)) copy.from.add(from);
    } else return;
    wake?.();
  });
  const pause = () =>
    new Promise<void>((resolve) => {
      const timer = node.clock.setTimeout(() => done(), plan.retryMs);
      const done = () => {
        wake = null;
        node.clock.clearTimeout(timer);
        resolve();
      };
      wake = done;
    });
  const check = (what: () => string) => {
    if (failure !== null) throw failure;
    if (node.clock.now() >= deadline)
      throw new RescanError(
        'timeout',
        `the rescan did not finish within ${plan.timeoutMs} ms: ${what()}`,
        progress,
      );
  };

  // Answers wake the loops; a request is sent again only once it is `retryMs` old, so a wake
  // per answer never turns into a storm of re-sends.
  let roundAt = -Infinity;
  const newRound = () => {
    if (node.clock.now() - roundAt < plan.retryMs) return false;
    roundAt = node.clock.now();
    plan.onRound?.();
    return true;
  };
  const requested = new Map<string, { after: string | null; at: number }>();

  try {
    // R1: reports from a majority of the old voters, each taken after that voter's fence.
    while (!reportsSuffice([...reports.keys()], plan.oldVoters)) {
      check(() => `reports from [${[...reports.keys()].join(', ')}] of [${plan.oldVoters.join(', ')}]`);
      newRound();
      for (const voter of plan.oldVoters) {
        if (reports.has(voter)) continue;
        const after = pages.get(voter)?.after ?? null;
        const last = requested.get(voter);
        if (last !== undefined && last.after === after && node.clock.now() - last.at < plan.retryMs) continue;
        requested.set(voter, { after, at: node.clock.now() });
        node.send(voter, { type: 'cfg.report', epoch: plan.epoch, after });
      }
      await pause();
    }
    progress.reporters = [...reports.keys()].sort();
    const merged = mergeReports(
      [...reports].map(([from, entries]): Report => ({ from, entries })),
      plan.oldVoters,
      plan.newVoters,
    );
    progress.keysTotal = merged.length;
    const disagreement = merged.find((action) => action.type === 'disagreement');
    if (disagreement !== undefined)
      throw new RescanError(
        'disagreement',
        `the old voters' reports hold key ${JSON.stringify(disagreement.key)} decided with two values`,
        progress,
      );

    // R2: every key brought into a majority of the new voters, decided.
    const queue = merged as Exclude<KeyAction, { type: 'disagreement' }>[];
    let next = 0;
    const needed = majority(plan.newVoters.length);
    while (next < queue.length || copies.size > 0) {
      check(() => `${progress.keysDone} of ${progress.keysTotal} keys done`);
      newRound();
      while (next < queue.length && copies.size < COPY_WINDOW) {
        const action = queue[next++] as Exclude<KeyAction, { type: 'disagreement' }>;
        let value = action.type === 'copy' ? action.value : null;
        if (action.type === 'recover') {
          progress.recoveries++;
          const left = Math.max(1, deadline - node.clock.now());
          value = await node.recover(action.key, action.highest.value, left);
        }
        progress.copies++;
        copies.set(action.key, { value: value as PaxosValue, from: new Set(), sentAt: -Infinity });
      }
      const now = node.clock.now();
      for (const [key, copy] of copies) {
        if (copy.from.size >= needed) {
          copies.delete(key);
          progress.keysDone++;
          continue;
        }
        if (now - copy.sentAt < plan.retryMs) continue;
        copy.sentAt = now;
        for (const voter of plan.newVoters)
          if (!copy.from.has(voter)) node.send(voter, { type: 'cfg.learn', key, value: copy.value });
      }
      if (copies.size > 0) await pause();
    }
    return progress;
  } finally {
    stopListening();
  }
}
