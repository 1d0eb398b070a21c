// The membership model on delivery of a message: the acceptor (with its epoch fence), the
// proposer's promises and acknowledgements, the learner, and the rescan's learn/learned.
import { acceptorStep } from '../../../src/paxos/acceptor.js';
import { ballotsEqual, type Ballot } from '../../../src/paxos/ballot.js';
import { mayVote, ownerIn, viewOf } from '../../../src/paxos/config.js';
import type { PaxosValue } from '../../../src/paxos/messages.js';
import { hasFastQuorum, hasQuorum } from '../../../src/paxos/quorum.js';
import type { KeyRecord } from '../../../src/paxos/record.js';
import { withBit } from '../bitset.js';
import type { MemberCore } from './memberCore.js';
import { afterPromise } from './memberProposer.js';
import { recoveryEnded, recoveryLearnedFrom } from './memberRescan.js';
import { byFrom, union, type MemberWorld } from './memberWorld.js';

export function deliver(model: MemberCore, world: MemberWorld, i: number, id: number): MemberWorld | null {
  const n = model.node(world, i);
  if (!n.up) return null;
  const envelope = model.messages.get(id);
  const { message, from } = envelope;
  const self = model.name(i);
  switch (message.type) {
    case 'prepare':
    case 'propose': {
      if (n.record.decided !== null)
        return model.send(world, i, n.adopted, [from], { type: 'decide', value: n.record.decided.value });
      // A request of a configuration this node has not adopted yet: dropped while it fetches (§5.3).
      if (envelope.cfg > n.adopted) return null;
      const senderView = viewOf(model.scenario.chain, envelope.cfg, n.knownComplete);
      if (!mayVote(senderView, self, message.type)) return null;
      const owner = model.scenario.ownerFastPath ? ownerIn(model.scenario.key, senderView) : null;
      const fence = model.scenario.broken?.noFence ? 0 : model.configAt(n.adopted).epoch;
      const step = acceptorStep({ key: model.scenario.key, owner, fence }, n.record, from, message);
      if (!step.granted) return null;
      let next = world;
      const record: KeyRecord = { ...n.record, ...step.state };
      next = model.setNode(next, i, { ...n, record });
      if (message.type === 'propose') {
        const acceptance = model.acceptanceId({
          node: self,
          ballot: message.ballot,
          cfg: envelope.cfg,
          value: String(message.value),
        });
        next = { ...next, acceptances: withBit(next.acceptances, acceptance) };
      }
      for (const effect of step.effects)
        if (effect.type === 'send' && effect.message.type !== 'reject')
          next = model.send(next, i, n.adopted, [effect.to], effect.message);
      return next;
    }
    case 'promise': {
      const p = n.proposer;
      if (p === null || p.phase !== 1 || !ballotsEqual(p.ballot, message.ballot)) return null;
      if (p.promises.some((promise) => promise.from === from)) return null;
      const promises = [...p.promises, { from, accepted: message.accepted }].sort(byFrom);
      return afterPromise(model, world, i, { ...p, promises });
    }
    case 'acknowledge': {
      const p = n.proposer;
      if (p === null || p.phase !== 2 || !ballotsEqual(p.ballot, message.ballot) || p.acks.includes(from))
        return null;
      const acks = [...p.acks, from].sort();
      const ballot = p.ballot as Ballot;
      const won = ballot.round === 0 ? hasFastQuorum(acks, self, p.p2) : hasQuorum(acks, [p.p2]);
      if (!won) return model.setNode(world, i, { ...n, proposer: { ...p, acks } });
      const value = p.proposing as PaxosValue;
      let next = model.learn(world, i, value);
      next = model.send(next, i, p.cfg, union(p.p1, p.p2), { type: 'decide', value });
      return p.value === null ? recoveryEnded(model, next, 'decided') : next;
    }
    case 'decide': {
      if (n.record.decided !== null) return null;
      const recovering = n.proposer !== null && n.proposer.value === null;
      const next = model.learn(world, i, message.value);
      return recovering ? recoveryLearnedFrom(model, next, i, message.value) : next;
    }
    case 'learn': {
      const next = n.record.decided === null ? model.learn(world, i, message.value) : world;
      const sent = model.send(next, i, n.adopted, [from], { type: 'learned' });
      return sent === world ? null : sent;
    }
    case 'learned': {
      const rescan = world.rescan;
      if (i !== model.rescannerIndex() || rescan === null || rescan.plan?.type !== 'copy') return null;
      if (rescan.learned.includes(from)) return null;
      return { ...world, rescan: { ...rescan, learned: [...rescan.learned, from].sort() } };
    }
    // Quorum reads' query and state (reads.ts) are not modelled here (docs/membership.md §12.3).
    case 'reject':
    case 'forward':
    case 'query':
    case 'state':
      return null;
  }
}
