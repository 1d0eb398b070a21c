// The membership model's configuration master and rescan (R1-R3): a configuration decided, old
// voters reporting, the merge with its copy or recovery, and the epoch completed.
import type { PaxosValue } from '../../../src/paxos/messages.js';
import { viewOf } from '../../../src/paxos/config.js';
import { mergeReports, recoveryLearned, rescanComplete, reportsSuffice } from '../../../src/paxos/rescan.js';
import type { MemberCore } from './memberCore.js';
import { byFrom, freshRescan, type MemberWorld, type RescanState } from './memberWorld.js';

/**
 * The rescanner's recovery learned the decision from a `decide`: its own phase 2 did not put the
 * value into a majority of the new voters, so the key becomes a copy (rescan.ts
 * `recoveryLearned`). Control C11 (`recoveryTrustsDecide`) counts it as recovered instead.
 */
export function recoveryLearnedFrom(
  model: MemberCore,
  world: MemberWorld,
  i: number,
  value: PaxosValue,
): MemberWorld {
  const rescan = world.rescan;
  const t = transition(model, world);
  if (rescan === null || t === null || rescan.plan?.type !== 'recover' || rescan.recovery !== null)
    return world;
  if (model.scenario.broken?.recoveryTrustsDecide) return recoveryEnded(model, world, 'decided');
  const plan = recoveryLearned(rescan.plan, value, model.name(i), t.next);
  const targets = t.next.filter((id) => !plan.holders.includes(id));
  const sent = model.send(world, i, world.cfgDecided, targets, { type: 'learn', value });
  return { ...sent, rescan: { ...rescan, plan, learned: [] } };
}

export function recoveryEnded(
  model: MemberCore,
  world: MemberWorld,
  outcome: 'decided' | 'empty',
): MemberWorld {
  const rescan = world.rescan;
  if (rescan === null || rescan.plan?.type !== 'recover' || rescan.recovery !== null) return world;
  return { ...world, rescan: { ...rescan, recovery: outcome } };
}

export function decideConfig(model: MemberCore, world: MemberWorld): MemberWorld | null {
  const s = model.scenario;
  if (world.cfgDecided + 1 >= s.chain.length) return null;
  // I2: one transition at a time.
  if (world.completeEpoch < model.configAt(world.cfgDecided).epoch) return null;
  // The scripted disk loss happens before the change.
  if (s.diskLoss !== undefined && model.node(world, s.nodes.indexOf(s.diskLoss)).up) return null;
  const cfgDecided = world.cfgDecided + 1;
  const newEpoch = model.configAt(cfgDecided).epoch !== model.configAt(world.cfgDecided).epoch;
  return { ...world, cfgDecided, rescan: newEpoch ? freshRescan() : world.rescan };
}

/** The configurations of the transition in progress: the old voters and the new ones. */
export function transition(
  model: MemberCore,
  world: MemberWorld,
): { old: readonly string[]; next: readonly string[]; epoch: number } | null {
  const epoch = model.configAt(world.cfgDecided).epoch;
  if (world.rescan === null || world.completeEpoch >= epoch) return null;
  const view = viewOf(model.scenario.chain, world.cfgDecided, world.completeEpoch);
  return { old: view.previousVoters as readonly string[], next: view.voters, epoch };
}

/** R1: an old voter reports the key, after its fence for the new epoch is durable. */
export function report(model: MemberCore, world: MemberWorld, i: number): MemberWorld | null {
  const t = transition(model, world);
  const rescan = world.rescan;
  if (t === null || rescan === null || rescan.plan !== undefined) return null;
  const n = model.node(world, i);
  const self = model.name(i);
  const rescanner = model.node(world, model.rescannerIndex());
  if (!n.up || !rescanner.up || !t.old.includes(self) || n.adopted < world.cfgDecided) return null;
  if (rescanner.adopted < world.cfgDecided || rescan.reports.some((r) => r.from === self)) return null;
  const { accepted, decided } = n.record;
  const entries =
    accepted === null && decided === null ? [] : [{ key: model.scenario.key, accepted, decided }];
  const reports = [...rescan.reports, { from: self, entries }].sort(byFrom);
  return { ...world, rescan: { ...rescan, reports } };
}

/** R2: once a majority of the old voters reported, the merge; a copy sends `learn` at once. */
export function merge(model: MemberCore, world: MemberWorld): MemberWorld | null {
  const t = transition(model, world);
  const rescan = world.rescan;
  if (t === null || rescan === null || rescan.plan !== undefined) return null;
  if (
    !reportsSuffice(
      rescan.reports.map((r) => r.from),
      t.old,
    )
  )
    return null;
  const plan = mergeReports(rescan.reports, t.old, t.next)[0] ?? null;
  const next = { ...world, rescan: { ...rescan, plan } };
  if (plan?.type !== 'copy') return next;
  const r = model.rescannerIndex();
  const targets = t.next.filter((id) => !plan.holders.includes(id) && id !== model.name(r));
  const self = model.node(world, r);
  // The rescanner itself holds the decision once it writes it (it is a new voter).
  const withSelf =
    self.record.decided === null && t.next.includes(model.name(r)) ? model.learn(next, r, plan.value) : next;
  const learned =
    t.next.includes(model.name(r)) && !plan.holders.includes(model.name(r)) ? [model.name(r)] : [];
  const sent = model.send(withSelf, r, world.cfgDecided, targets, { type: 'learn', value: plan.value });
  return { ...sent, rescan: { ...(sent.rescan as RescanState), learned } };
}

/** R3: `\0done/e` decided once the rescan is complete (C1: at once). */
export function complete(model: MemberCore, world: MemberWorld): MemberWorld | null {
  const t = transition(model, world);
  const rescan = world.rescan;
  if (t === null || rescan === null) return null;
  if (!model.scenario.broken?.skipRescan) {
    if (rescan.plan === undefined) return null;
    const actions = rescan.plan === null ? [] : [rescan.plan];
    const progress = { learned: rescan.learned, recovery: rescan.recovery };
    if (
      !rescanComplete(
        rescan.reports.map((r) => r.from),
        t.old,
        t.next,
        actions,
        () => progress,
      )
    )
      return null;
  }
  return { ...world, completeEpoch: t.epoch, rescan: null };
}
