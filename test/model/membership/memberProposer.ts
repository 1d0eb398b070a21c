// The membership model's proposer: a ballot started (phase 1a, or round 0 for the owner of a fresh
// key in a complete epoch) and phase 1 won (P2c picks the value; its own vote goes first).
import { acceptorStep } from '../../../src/paxos/acceptor.js';
import { epochOf, withEpoch, type Ballot } from '../../../src/paxos/ballot.js';
import { mayTakeRoundZero, phase1Sets, phase2Set, prepareTargets } from '../../../src/paxos/config.js';
import type { PaxosValue } from '../../../src/paxos/messages.js';
import { chooseValue } from '../../../src/paxos/proposer.js';
import { hasQuorum } from '../../../src/paxos/quorum.js';
import { isFresh, type KeyRecord } from '../../../src/paxos/record.js';
import { withBit } from '../bitset.js';
import type { MemberCore } from './memberCore.js';
import { recoveryEnded } from './memberRescan.js';
import type { MemberWorld, Proposer } from './memberWorld.js';

/**
 * Phase 1a (or, for the owner's first proposal of a fresh key in a complete epoch, round 0 and
 * straight to phase 2): the self-promise is written before the prepare leaves.
 */
export function startBallot(
  model: MemberCore,
  world: MemberWorld,
  i: number,
  value: PaxosValue | null,
): MemberWorld | null {
  const s = model.scenario;
  const self = model.name(i);
  const n = model.node(world, i);
  if (n.record.decided !== null) return null;
  const view = model.viewAt(n);
  if (!view.voters.includes(self)) return null;
  const roundZeroView = s.broken?.ownerSkipsPhase1 ? { ...view, complete: true } : view;
  const p1 = s.broken?.bothQuorumsAtOnce ? [view.voters] : phase1Sets(view);
  const p2 = phase2Set(view);
  // What a proposer starts with, in phase 1 or straight in phase 2.
  const started = { value, cfg: n.adopted, p1, p2, acks: [] };
  if (
    value !== null &&
    s.ownerFastPath &&
    !n.restarted &&
    n.proposer === null &&
    mayTakeRoundZero(roundZeroView, self, s.key, isFresh(n.record))
  ) {
    const ballot = withEpoch({ round: 0, node: self }, view.epoch);
    model.observed.add(`round0-proposed:${view.epoch}:${view.complete ? 'complete' : 'transition'}`);
    const proposer: Proposer = { ...started, ballot, phase: 2, promises: [], proposing: value };
    const next = model.setNode(world, i, { ...n, proposer });
    return model.send(next, i, n.adopted, p2, { type: 'propose', ballot, value });
  }
  const promised = n.record.promised;
  const seen = Math.max(
    promised !== null && epochOf(promised) === view.epoch ? promised.round : 0,
    n.proposer?.ballot && epochOf(n.proposer.ballot) === view.epoch ? n.proposer.ballot.round : 0,
  );
  if (seen + 1 > s.maxRound) return null;
  const ballot = withEpoch({ round: seen + 1, node: self }, view.epoch);
  const record: KeyRecord = { ...n.record, promised: ballot };
  const targets = prepareTargets({ ...view, previousVoters: p1.length > 1 ? (p1[0] as string[]) : null });
  const promises = [{ from: self, accepted: n.record.accepted }];
  const proposer: Proposer = { ...started, ballot, phase: 1, promises, proposing: null };
  const next = model.setNode(world, i, { ...n, record, proposer });
  return model.send(next, i, n.adopted, targets, { type: 'prepare', ballot });
}

/** Phase 1 won: P2c picks the value (a recovery with nothing to adopt ends: nothing was chosen). */
export function afterPromise(model: MemberCore, world: MemberWorld, i: number, p: Proposer): MemberWorld {
  const n = model.node(world, i);
  if (
    !hasQuorum(
      p.promises.map((promise) => promise.from),
      p.p1,
    )
  )
    return model.setNode(world, i, { ...n, proposer: p });
  const chosen = chooseValue(p.promises, p.value === null ? null : { value: p.value });
  if (chosen === undefined)
    return recoveryEnded(model, model.setNode(world, i, { ...n, proposer: null }), 'empty');
  const ballot = p.ballot as Ballot;
  const self = model.name(i);
  let record = n.record;
  let acks: string[] = [];
  let next = world;
  // Our own vote goes through the acceptor like anyone's: if this node promised a higher ballot
  // meanwhile (the instance machine would have left `preparing`), it does not accept its own.
  const own = acceptorStep(
    { key: model.scenario.key, owner: null, fence: model.configAt(n.adopted).epoch },
    record,
    self,
    { type: 'propose', ballot, value: chosen.value },
  );
  if (p.p2.includes(self) && own.granted) {
    record = { ...record, ...own.state };
    acks = [self];
    const acceptance = model.acceptanceId({ node: self, ballot, cfg: p.cfg, value: String(chosen.value) });
    next = { ...next, acceptances: withBit(next.acceptances, acceptance) };
  }
  next = model.setNode(next, i, {
    ...n,
    record,
    proposer: { ...p, phase: 2, acks, proposing: chosen.value },
  });
  return model.send(next, i, p.cfg, p.p2, { type: 'propose', ballot, value: chosen.value });
}
