// The `check` command: safety invariants over everything a scenario has seen, asserted whatever
// the expected output says (a violation fails the file even in rewrite mode). Agreement: one
// decided value per key on every node, durable or read, crashed nodes included, and every answered
// ask got it; validity: that value was asked (or injected); ballots: one value per (key, ballot), a
// ballot names its sender, and a restarted node never reuses a round of an earlier start.
import { paxosFsm, type PaxosValue } from '../../src/index.js';
import { stableStringify } from '../support/stableStringify.js';
import { showValue } from './args.js';
import type { ScenarioWorld } from './world.js';

/** A broken invariant: fails the scenario file in every mode. */
export class ScenarioCheckError extends Error {}

export interface CheckSummary {
  readonly keys: number;
  readonly decidedKeys: number;
  readonly decisions: number;
  readonly answers: number;
  readonly ballots: number;
  /** Per key asked about: its value and the nodes that know it. */
  readonly detail: string[];
}

/** Where each node (or paxosFsm subject) has `key` decided, durable or read. */
function decisionsOf(world: ScenarioWorld, key: string): Map<string, PaxosValue> {
  const found = new Map<string, PaxosValue>();
  for (const [id, storage] of world.storages) {
    const durable = storage.loadDurable(key)?.decided;
    if (durable) found.set(id, durable.value);
  }
  for (const node of world.running) {
    const value = node.read(key);
    if (value !== undefined && !found.has(node.id)) found.set(node.id, value);
    else if (value !== undefined && stableStringify(found.get(node.id)) !== stableStringify(value))
      throw new ScenarioCheckError(
        `${node.id} reads ${showValue(value)} for ${key} but stored another value`,
      );
  }
  if (key === 'paxos_fsm')
    for (const subject of world.fsmSubjects.keys()) {
      if (!paxosFsm.running().includes(subject)) continue;
      const value = paxosFsm.getResult(subject).value;
      if (value !== undefined) found.set(subject, value);
    }
  return found;
}

export function checkInvariants(world: ScenarioWorld, detailKeys: readonly string[]): CheckSummary {
  let decidedKeys = 0;
  let decisions = 0;
  let answers = 0;
  const detail: string[] = [];
  for (const key of [...world.keys].sort()) {
    const decided = decisionsOf(world, key);
    const distinct = new Map([...decided].map(([, value]) => [stableStringify(value), value]));
    if (distinct.size > 1) {
      const each = [...decided].map(([id, value]) => `${id}=${showValue(value)}`).join(' ');
      throw new ScenarioCheckError(`agreement violated for ${key}: ${each}`);
    }
    const [chosen] = [...distinct.keys()];
    for (const ask of world.asks.filter((a) => a.key === key && a.status === 'decided')) {
      answers++;
      const answer = stableStringify(ask.answer);
      if (chosen !== undefined && answer !== chosen)
        throw new ScenarioCheckError(
          `${ask.node}'s ask for ${key} was answered ${showValue(ask.answer)}, but ${showValue(distinct.get(chosen))} is decided`,
        );
      const first = world.asks.find((a) => a.key === key && a.status === 'decided');
      if (first && stableStringify(first.answer) !== answer)
        throw new ScenarioCheckError(
          `asks for ${key} were answered differently: ${showValue(first.answer)} and ${showValue(ask.answer)}`,
        );
    }
    if (chosen !== undefined) {
      decidedKeys++;
      decisions += decided.size;
      const proposed = [
        ...world.asks.filter((a) => a.key === key).map((a) => a.value),
        ...(world.otherValues.get(key) ?? []),
      ];
      if (!proposed.some((value) => stableStringify(value) === chosen))
        throw new ScenarioCheckError(`validity violated for ${key}: ${chosen} was decided but never asked`);
    }
    if (detailKeys.includes(key)) {
      const value = chosen === undefined ? 'undecided' : showValue(distinct.get(chosen));
      detail.push(`${key}: ${value}${decided.size > 0 ? ` on ${[...decided.keys()].join(' ')}` : ''}`);
    }
  }
  for (const key of detailKeys) if (!world.keys.has(key)) detail.push(`${key}: never mentioned`);
  return { keys: world.keys.size, decidedKeys, decisions, answers, ballots: checkBallots(world), detail };
}

/** Returns the number of distinct ballots used. */
function checkBallots(world: ScenarioWorld): number {
  const valueOf = new Map<string, string>();
  const ballots = new Set<string>();
  const highestBefore = new Map<string, { incarnation: number; round: number; highest: number }>();
  for (const use of world.ballotUses) {
    const ballot = `${use.round}.${use.ballotNode}`;
    ballots.add(`${use.key} ${ballot}`);
    if (use.ballotNode !== use.from)
      throw new ScenarioCheckError(
        `${use.from} sent ${use.type}(${ballot}) for ${use.key}: a ballot of another node`,
      );
    if (use.type === 'propose') {
      const slot = `${use.key} ${ballot}`;
      const value = stableStringify(use.value);
      const earlier = valueOf.get(slot);
      if (earlier !== undefined && earlier !== value)
        throw new ScenarioCheckError(
          `two values proposed in ballot ${ballot} for ${use.key}: ${earlier} and ${value}`,
        );
      valueOf.set(slot, value);
    }
    // Rounds a node used before its latest restart must stay behind it (Paxos needs unique ballots).
    const slot = `${use.from} ${use.key}`;
    const seen = highestBefore.get(slot) ?? { incarnation: use.incarnation, round: -1, highest: -1 };
    if (use.incarnation > seen.incarnation) {
      seen.highest = Math.max(seen.highest, seen.round);
      seen.incarnation = use.incarnation;
    }
    if (use.round <= seen.highest)
      throw new ScenarioCheckError(
        `${use.from} reused round ${use.round} for ${use.key} after a restart (it had used up to ${seen.highest})`,
      );
    seen.round = Math.max(seen.round, use.round);
    highestBefore.set(slot, seen);
  }
  return ballots.size;
}
