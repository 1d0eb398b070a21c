// The rescan of a change of voters (docs/membership.md §6.3): the pure merge of the old voters'
// reports into one action per key, and the predicate that says the transition may complete
// (`\0done/e` proposed). The rescanner (node layer) gathers the reports, sends the copies, runs the
// recovery instances and feeds their outcomes back here. Pure.
import { compareBallots } from './ballot.js';
import type { AcceptedProposal, PaxosValue } from './messages.js';
import { majority } from './quorum.js';
import type { Decision } from './record.js';
import { valuesEqual } from './valueEquality.js';

/** One key of a report: what the reporter held for it after its epoch fence was durable. */
export interface ReportEntry {
  readonly key: string;
  readonly accepted: AcceptedProposal | null;
  readonly decided: Decision | null;
}

/**
 * A report (R1): from an old voter, taken after its fence for the new epoch is durable, its keys
 * with an accepted or decided record, sorted by key, each once. Keys with only a promise are left
 * out: nothing was accepted there.
 */
export interface Report {
  readonly from: string;
  readonly entries: readonly ReportEntry[];
}

/** What the rescan does for one key (R2). */
export type KeyAction =
  /**
   * Some reporter holds the key decided: make a majority of the new voters hold `decided value`
   * durably. `holders` are the new voters that reported it decided; `learn` goes to the others.
   */
  | {
      readonly type: 'copy';
      readonly key: string;
      readonly value: PaxosValue;
      readonly holders: readonly string[];
    }
  /**
   * Accepted but decided nowhere among the reports: a recovery instance (a ballot `(e, r ≥ 1, ·)`,
   * transitional phase 1, P2c, phase 2 on the new voters, decide). `highest` is the highest
   * accepted proposal reported, for progress display only: the recovery's phase 1 decides.
   */
  | { readonly type: 'recover'; readonly key: string; readonly highest: AcceptedProposal }
  /** Two reporters hold the key decided with different values: an alarm that must never fire. */
  | { readonly type: 'disagreement'; readonly key: string; readonly values: readonly PaxosValue[] };

/** Reports from a majority of the old voters are needed (only old voters' reports count). */
export function reportsSuffice(reporters: readonly string[], oldVoters: readonly string[]): boolean {
  const counted = oldVoters.filter((id) => reporters.includes(id));
  return counted.length >= majority(oldVoters.length);
}

/**
 * The k-way merge of the sorted reports into one action per key, in key order. Reports from
 * nodes that are not old voters are ignored. Throws on a report that is not sorted or repeats a
 * key (the rescanner validates peers' pages before they get here).
 */
export function mergeReports(
  reports: readonly Report[],
  oldVoters: readonly string[],
  newVoters: readonly string[],
): KeyAction[] {
  const streams = reports.filter((report) => oldVoters.includes(report.from));
  for (const report of streams) assertSorted(report);
  const cursors = streams.map(() => 0);
  const actions: KeyAction[] = [];
  for (;;) {
    let key: string | null = null;
    streams.forEach((report, i) => {
      const entry = report.entries[cursors[i] as number];
      if (entry !== undefined && (key === null || entry.key < key)) key = entry.key;
    });
    if (key === null) return actions;
    const atKey: { from: string; entry: ReportEntry }[] = [];
    streams.forEach((report, i) => {
      const entry = report.entries[cursors[i] as number];
      if (entry !== undefined && entry.key === key) {
        atKey.push({ from: report.from, entry });
        cursors[i] = (cursors[i] as number) + 1;
      }
    });
    actions.push(actionFor(key, atKey, newVoters));
  }
}

function actionFor(
  key: string,
  atKey: readonly { from: string; entry: ReportEntry }[],
  newVoters: readonly string[],
): KeyAction {
  const decided: PaxosValue[] = [];
  const holders: string[] = [];
  let highest: AcceptedProposal | null = null;
  for (const { from, entry } of atKey) {
    if (entry.decided !== null) {
      if (!decided.some((value) => valuesEqual(value, entry.decided?.value as PaxosValue)))
        decided.push(entry.decided.value);
      if (newVoters.includes(from)) holders.push(from);
    }
    if (entry.accepted !== null && compareBallots(entry.accepted.ballot, highest?.ballot ?? null) > 0)
      highest = entry.accepted;
  }
  if (decided.length > 1) return { type: 'disagreement', key, values: decided };
  if (decided.length === 1)
    return { type: 'copy', key, value: decided[0] as PaxosValue, holders: holders.sort() };
  if (highest === null) throw new Error(`rescan: report entry for ${key} holds nothing`);
  return { type: 'recover', key, highest };
}

function assertSorted(report: Report): void {
  for (let i = 1; i < report.entries.length; i++) {
    if (!((report.entries[i - 1] as ReportEntry).key < (report.entries[i] as ReportEntry).key))
      throw new Error(`rescan: the report of ${report.from} is not sorted by key at entry ${i}`);
  }
}

/**
 * A recovery instance that learned the decision from someone else's `decide`, instead of winning
 * its own phase 2 on a majority of the new voters, has not put the value where the next epoch's
 * quorums will look: the value may be held by one old voter only (the a). The key becomes
 * a copy, with the rescanner holding it if it is a new voter. Found by the membership model check.
 */
export function recoveryLearned(
  action: Extract<KeyAction, { type: 'recover' }>,
  value: PaxosValue,
  rescanner: string,
  newVoters: readonly string[],
): Extract<KeyAction, { type: 'copy' }> {
  return { type: 'copy', key: action.key, value, holders: newVoters.includes(rescanner) ? [rescanner] : [] };
}

/** What the rescanner has achieved for one key so far. */
export interface KeyProgress {
  /** New voters that answered `learned` (their `decided` write is durable) for a copy. */
  readonly learned: readonly string[];
  /**
   * A recovery's outcome: `decided` (its own phase 2 won on a majority of the new voters),
   * `empty` (its transitional phase 1 found no accepted value: nothing can have been chosen), or
   * null while it runs. A recovery that only learns the decision is not `decided`: see
   * `recoveryLearned`.
   */
  readonly recovery: 'decided' | 'empty' | null;
}

export const NO_PROGRESS: KeyProgress = { learned: [], recovery: null };

/** The new voters a copy still has to reach: every new voter that does not hold the decision yet. */
export function copyTargets(
  action: Extract<KeyAction, { type: 'copy' }>,
  progress: KeyProgress,
  newVoters: readonly string[],
): string[] {
  return newVoters.filter((id) => !action.holders.includes(id) && !progress.learned.includes(id));
}

/**
 * Done for one key: a copy once a majority of the new voters holds the decision durably; a
 * recovery once it decided or found nothing. A disagreement is never done: the change stalls and
 * the alarm is raised.
 */
export function keyDone(action: KeyAction, progress: KeyProgress, newVoters: readonly string[]): boolean {
  switch (action.type) {
    case 'copy': {
      const holding = newVoters.filter((id) => action.holders.includes(id) || progress.learned.includes(id));
      return holding.length >= majority(newVoters.length);
    }
    case 'recover':
      return progress.recovery !== null;
    case 'disagreement':
      return false;
  }
}

/**
 * R3: the transition may complete (`\0done/e` proposed) once the reports of a majority of the old
 * voters were merged and every key of the merge is done. `reporters` are the old voters whose
 * reports `actions` was merged from.
 */
export function rescanComplete(
  reporters: readonly string[],
  oldVoters: readonly string[],
  newVoters: readonly string[],
  actions: readonly KeyAction[],
  progressOf: (key: string) => KeyProgress,
): boolean {
  return (
    reportsSuffice(reporters, oldVoters) &&
    actions.every((action) => keyDone(action, progressOf(action.key), newVoters))
  );
}
