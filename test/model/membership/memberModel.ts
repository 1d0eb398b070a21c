// The membership model (docs/membership.md §12) as a transition system for the explorer
// (../explore.ts): one key on up to 8 nodes across a chain of configurations, driven by the pure
// core's rules — the acceptor with its epoch fence (acceptor.ts), P2c (proposer.ts), quorums over
// voter sets (quorum.ts), the configuration views, owner and round-0 rule (config.ts) and the
// rescan merge and completion predicate (rescan.ts). The configuration master is abstracted as
// Vertical Paxos does: `\0cfg/N` and `\0done/e` are ordinary Paxos keys whose agreement the
// single-key check covers, so here they are atomic global actions, learned by each node
// asynchronously. The network is the set of messages ever sent (loss, duplication, reordering
// implicit); rejects are never sent (a lost reject; a timeout does what it would). Writes are
// durable within their step, before its sends (the effect runner's barrier).
import { acceptorStep } from '../../../src/paxos/acceptor.js';
import {
  ballotsEqual,
  compareBallots,
  epochOf,
  formatBallot,
  withEpoch,
  type Ballot,
} from '../../../src/paxos/ballot.js';
import {
  mayTakeRoundZero,
  mayVote,
  ownerIn,
  phase1Sets,
  phase2Set,
  prepareTargets,
  viewOf,
  type ConfigView,
} from '../../../src/paxos/config.js';
import type { PaxosMessage, PaxosValue } from '../../../src/paxos/messages.js';
import { chooseValue, type PromiseReceived } from '../../../src/paxos/proposer.js';
import { hasFastQuorum, hasQuorum } from '../../../src/paxos/quorum.js';
import { EMPTY_RECORD, isFresh, type KeyRecord } from '../../../src/paxos/record.js';
import {
  mergeReports,
  recoveryLearned,
  rescanComplete,
  reportsSuffice,
  type KeyAction,
  type Report,
} from '../../../src/paxos/rescan.js';
import { bitsKey, forEachBit, hasBit, EMPTY_BITS, withBit, withoutBit, type Bits } from '../bitset.js';
import { Interner, stableStringify } from '../canonical.js';
import type { TransitionSystem } from '../explore.js';
import type { MemberScenario } from './scenario.js';

/** A node's proposer (in memory): a user value, or null for the rescanner's recovery. */
export interface Proposer {
  readonly value: PaxosValue | null;
  /** The configuration it runs under, and its quorums, fixed when its ballot started. */
  readonly cfg: number;
  readonly p1: readonly (readonly string[])[];
  readonly p2: readonly string[];
  /** null: waiting to start a ballot (after adopting a newer configuration). */
  readonly ballot: Ballot | null;
  readonly phase: 1 | 2;
  readonly promises: readonly PromiseReceived[];
  readonly acks: readonly string[];
  readonly proposing: PaxosValue | null;
}

export interface NodeState {
  /** False once it lost its disk: it never votes again (its peers refuse its new incarnation). */
  readonly up: boolean;
  /** Durable: the highest configuration adopted (its epoch is the node's fence). */
  readonly adopted: number;
  /** Durable: the highest epoch this node knows complete. */
  readonly knownComplete: number;
  /** Durable: the key's record. */
  readonly record: KeyRecord;
  readonly asked: boolean;
  /** Crashed before: round 0 is not used again (owner.ts, a restarted instance). */
  readonly restarted: boolean;
  readonly proposer: Proposer | null;
}

export interface RescanState {
  readonly reports: readonly Report[];
  /** The merged plan for the key: undefined before the merge, null when no report held the key. */
  readonly plan?: KeyAction | null;
  readonly learned: readonly string[];
  readonly recovery: 'decided' | 'empty' | null;
}

export interface MemberWorld {
  readonly nodes: readonly NodeState[];
  /** The highest configuration decided (`\0cfg/N`). */
  readonly cfgDecided: number;
  /** The highest epoch completed (`\0done/e`). */
  readonly completeEpoch: number;
  readonly rescan: RescanState | null;
  readonly crashes: number;
  readonly network: Bits;
  /** Ghost: every acceptance (node, ballot, configuration of the proposer, value) ever made. */
  readonly acceptances: Bits;
  /** Ghost: values some node told a client (decided). */
  readonly learned: readonly string[];
}

/** A message between nodes, with the configuration number its sender ran under (§5.1). */
export interface Envelope {
  readonly from: string;
  readonly to: string;
  readonly cfg: number;
  readonly message:
    PaxosMessage | { readonly type: 'learn'; readonly value: PaxosValue } | { readonly type: 'learned' };
}

interface Acceptance {
  readonly node: string;
  readonly ballot: Ballot;
  readonly cfg: number;
  readonly value: string;
}

const KINDS = [
  'ask',
  'timeout',
  'adopt',
  'learnDone',
  'crash',
  'loseDisk',
  'report',
  'deliver',
  'decideConfig',
  'merge',
  'recover',
  'complete',
] as const;
type Kind = (typeof KINDS)[number];

export function encode(kind: Kind, node = 0, arg = 0): number {
  return KINDS.indexOf(kind) + 16 * (node + 8 * arg);
}
export function decode(code: number): { kind: Kind; node: number; arg: number } {
  return { kind: KINDS[code % 16] as Kind, node: Math.floor(code / 16) % 8, arg: Math.floor(code / 128) };
}

export class MemberModel implements TransitionSystem<MemberWorld> {
  readonly messages = new Interner<Envelope>();
  readonly acceptanceTable = new Interner<Acceptance>();
  private readonly inbox: number[][];
  private readonly chosenCache = new Map<string, readonly string[]>();

  constructor(readonly scenario: MemberScenario) {
    if (scenario.nodes.length > 8) throw new Error('the action encoding holds at most 8 nodes');
    this.inbox = scenario.nodes.map(() => []);
  }

  initial(): MemberWorld {
    const s = this.scenario;
    const fresh: NodeState = {
      up: true,
      adopted: 0,
      knownComplete: 0,
      record: EMPTY_RECORD,
      asked: false,
      restarted: false,
      proposer: null,
    };
    let world: MemberWorld = {
      nodes: s.nodes.map(() => fresh),
      cfgDecided: 0,
      completeEpoch: 0,
      rescan: null,
      crashes: 0,
      network: EMPTY_BITS,
      acceptances: EMPTY_BITS,
      learned: [],
    };
    if (s.prefix !== undefined) {
      // §11 steps 1–2: c proposed v1 at 1.c; a and c accepted; c decided (and, in the first
      // variant, told a); everything from c to b was lost; c lost its disk.
      const ballot: Ballot = { round: 1, node: 'c' };
      const accepted = { ballot, value: 'v1' };
      const a: NodeState = {
        ...fresh,
        record: {
          promised: ballot,
          accepted,
          decided: s.prefix === 'issue15-decided' ? { value: 'v1' } : null,
        },
      };
      const nodes = world.nodes.map((node, i) =>
        s.nodes[i] === 'a' ? a : s.nodes[i] === 'c' ? { ...node, up: false } : node,
      );
      let acceptances = world.acceptances;
      for (const node of ['a', 'c'])
        acceptances = withBit(acceptances, this.acceptanceId({ node, ballot, cfg: 0, value: 'v1' }));
      world = { ...world, nodes, acceptances, learned: ['v1'] };
      // c's decide to a is late, not lost, in the second variant: it may arrive at any time.
      if (s.prefix === 'issue15-accepted')
        world = {
          ...world,
          network: withBit(
            world.network,
            this.messageId({ from: 'c', to: 'a', cfg: 0, message: { type: 'decide', value: 'v1' } }),
          ),
        };
    }
    return world;
  }

  /** Node states are shared between worlds (a step changes one or two): each is serialised once. */
  private readonly nodeKeys = new WeakMap<NodeState, string>();

  key(world: MemberWorld): string {
    const nodes = world.nodes.map((node) => {
      let key = this.nodeKeys.get(node);
      if (key === undefined) this.nodeKeys.set(node, (key = stableStringify(node)));
      return key;
    });
    const rescan = world.rescan === null ? '' : stableStringify(world.rescan);
    return (
      `${nodes.join('|')};${world.cfgDecided},${world.completeEpoch},${world.crashes};${rescan};` +
      `${bitsKey(world.network)};${bitsKey(world.acceptances)};${world.learned.join(',')}`
    );
  }

  // ---- invariant ----------------------------------------------------------------------------

  /** Values chosen: accepted in one ballot by a majority of its configuration's voters (round 0: every voter but the owner). */
  chosen(acceptances: Bits): readonly string[] {
    const cacheKey = bitsKey(acceptances);
    const cached = this.chosenCache.get(cacheKey);
    if (cached !== undefined) return cached;
    const groups = new Map<string, { acceptance: Acceptance; nodes: Set<string> }>();
    for (let id = 0; id < this.acceptanceTable.size; id++) {
      if (!hasBit(acceptances, id)) continue;
      const acceptance = this.acceptanceTable.get(id);
      const group = `${formatBallot(acceptance.ballot)}|${acceptance.cfg}|${acceptance.value}`;
      const entry = groups.get(group) ?? { acceptance, nodes: new Set<string>() };
      entry.nodes.add(acceptance.node);
      groups.set(group, entry);
    }
    const chosen = new Set<string>();
    for (const { acceptance, nodes } of groups.values()) {
      const voters = this.configAt(acceptance.cfg).voters;
      const senders = [...nodes];
      const won =
        acceptance.ballot.round === 0
          ? hasFastQuorum(senders, acceptance.ballot.node, voters)
          : hasQuorum(senders, [voters]);
      if (won) chosen.add(acceptance.value);
    }
    const result = [...chosen].sort();
    this.chosenCache.set(cacheKey, result);
    return result;
  }

  /**
   * What the exploration reached, for the tests' non-vacuity checks: `complete:e` (epoch e
   * completed), `decided:node:value`, `round0:epoch` (a round-0 acceptance), `recovery:outcome`.
   */
  readonly observed = new Set<string>();

  private observe(world: MemberWorld): void {
    this.observed.add(`complete:${world.completeEpoch}`);
    world.nodes.forEach((n, i) => {
      if (n.record.decided !== null)
        this.observed.add(`decided:${this.name(i)}:${String(n.record.decided.value)}`);
      if (n.record.accepted?.ballot.round === 0)
        this.observed.add(`round0:${epochOf(n.record.accepted.ballot)}`);
    });
    if (world.rescan?.recovery) this.observed.add(`recovery:${world.rescan.recovery}`);
    if (world.rescan?.plan) this.observed.add(`plan:${world.rescan.plan.type}`);
  }

  /** Agreement over all configurations: at most one value chosen or learned for the key. */
  violation(world: MemberWorld): string | null {
    this.observe(world);
    const chosen = this.chosen(world.acceptances);
    const all = [...new Set([...chosen, ...world.learned])].sort();
    if (all.length <= 1) return null;
    return `agreement violated: ${all.join(', ')} are all chosen or learned (chosen: ${chosen.join(', ') || '∅'}; learned: ${world.learned.join(', ') || '∅'})`;
  }

  // ---- actions ------------------------------------------------------------------------------

  actions(world: MemberWorld): readonly number[] {
    const codes: number[] = [];
    const s = this.scenario;
    s.nodes.forEach((name, i) => {
      codes.push(encode('ask', i), encode('timeout', i), encode('adopt', i), encode('learnDone', i));
      codes.push(encode('crash', i), encode('report', i));
      if (name === s.diskLoss) codes.push(encode('loseDisk', i));
      for (const message of this.inbox[i] as number[])
        if (hasBit(world.network, message)) codes.push(encode('deliver', i, message));
    });
    codes.push(encode('decideConfig'), encode('merge'), encode('recover'), encode('complete'));
    return codes;
  }

  apply(world: MemberWorld, code: number): MemberWorld | null {
    const next = this.step(world, code);
    return next === null ? null : this.withoutDeadMessages(world, next);
  }

  /**
   * Canonical network: drops messages whose delivery is a no-op now and for ever, so states that
   * differ only in them are one state. Messages to a node that lost its disk; replies to a ballot
   * its proposer left behind for good (its durable promise is at or above it, so every later ballot
   * of the node is higher); promises, acknowledgements and decides to a decided node. Deadness
   * depends only on the recipient: only new messages and the mail of nodes that changed are looked at.
   */
  private withoutDeadMessages(before: MemberWorld, world: MemberWorld): MemberWorld {
    let network = world.network;
    const check = (id: number): void => {
      if (this.isDead(world, id)) network = withoutBit(network, id);
    };
    world.nodes.forEach((node, i) => {
      if (node === before.nodes[i]) return;
      for (const id of this.inbox[i] as number[]) if (hasBit(network, id)) check(id);
    });
    if (world.network !== before.network)
      forEachBit(world.network, (id) => {
        if (!hasBit(before.network, id) && hasBit(network, id)) check(id);
      });
    return network === world.network ? world : { ...world, network };
  }

  private isDead(world: MemberWorld, id: number): boolean {
    const envelope = this.messages.get(id);
    const to = this.node(world, this.scenario.nodes.indexOf(envelope.to));
    const m = envelope.message;
    const reply = m.type === 'promise' || m.type === 'acknowledge';
    return (
      !to.up ||
      (to.record.decided !== null && (reply || m.type === 'decide')) ||
      (reply &&
        !ballotsEqual(to.proposer?.ballot ?? null, m.ballot) &&
        compareBallots(to.record.promised, m.ballot) >= 0)
    );
  }

  private step(world: MemberWorld, code: number): MemberWorld | null {
    const { kind, node, arg } = decode(code);
    switch (kind) {
      case 'ask':
        return this.ask(world, node);
      case 'timeout': {
        const n = this.node(world, node);
        if (!n.up || n.proposer === null) return null;
        return this.startBallot(world, node, n.proposer.value);
      }
      case 'adopt':
        return this.adopt(world, node);
      case 'learnDone': {
        const n = this.node(world, node);
        if (!n.up || n.knownComplete >= world.completeEpoch) return null;
        if (this.configAt(n.adopted).epoch < world.completeEpoch) return null; // learns it with the configuration
        return this.setNode(world, node, { ...n, knownComplete: world.completeEpoch });
      }
      case 'crash':
        return this.crash(world, node);
      case 'loseDisk': {
        const n = this.node(world, node);
        if (!n.up || world.cfgDecided > 0) return null;
        return this.setNode(world, node, { ...n, up: false, proposer: null });
      }
      case 'report':
        return this.report(world, node);
      case 'deliver':
        return this.deliver(world, node, arg);
      case 'decideConfig':
        return this.decideConfig(world);
      case 'merge':
        return this.merge(world);
      case 'recover': {
        const r = this.rescannerIndex();
        const n = this.node(world, r);
        if (world.rescan?.plan?.type !== 'recover' || world.rescan.recovery !== null) return null;
        if (!n.up || n.proposer !== null || n.adopted < world.cfgDecided) return null;
        return this.startBallot(world, r, null);
      }
      case 'complete':
        return this.complete(world);
    }
  }

  private ask(world: MemberWorld, i: number): MemberWorld | null {
    const n = this.node(world, i);
    const value = this.scenario.asks[this.name(i)];
    if (value === undefined || !n.up || n.asked) return null;
    if (!this.configAt(n.adopted).voters.includes(this.name(i))) return null;
    const under = this.scenario.askUnder?.[this.name(i)];
    if (under !== undefined && n.adopted !== under) return null;
    const asked = this.setNode(world, i, { ...n, asked: true });
    if (n.record.decided !== null) return asked; // answered from the record: already learned
    if (n.proposer !== null) return asked;
    return this.startBallot(asked, i, value);
  }

  /** The node's view of its adopted configuration, with the control's broken rules applied. */
  private viewAt(n: NodeState): ConfigView {
    return viewOf(this.scenario.chain, n.adopted, n.knownComplete);
  }

  /**
   * Phase 1a (or, for the owner's first proposal of a fresh key in a complete epoch, round 0 and
   * straight to phase 2): the self-promise is written before the prepare leaves.
   */
  private startBallot(world: MemberWorld, i: number, value: PaxosValue | null): MemberWorld | null {
    const s = this.scenario;
    const self = this.name(i);
    const n = this.node(world, i);
    if (n.record.decided !== null) return null;
    const view = this.viewAt(n);
    if (!view.voters.includes(self)) return null;
    const roundZeroView = s.broken?.ownerSkipsPhase1 ? { ...view, complete: true } : view;
    const p1 = s.broken?.bothQuorumsAtOnce ? [view.voters] : phase1Sets(view);
    const p2 = phase2Set(view);
    if (
      value !== null &&
      s.ownerFastPath &&
      !n.restarted &&
      n.proposer === null &&
      mayTakeRoundZero(roundZeroView, self, s.key, isFresh(n.record))
    ) {
      const ballot = withEpoch({ round: 0, node: self }, view.epoch);
      this.observed.add(`round0-proposed:${view.epoch}:${view.complete ? 'complete' : 'transition'}`);
      const proposer: Proposer = {
        value,
        cfg: n.adopted,
        p1,
        p2,
        ballot,
        phase: 2,
        promises: [],
        acks: [],
        proposing: value,
      };
      const next = this.setNode(world, i, { ...n, proposer });
      return this.send(next, i, n.adopted, p2, { type: 'propose', ballot, value });
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
    const proposer: Proposer = {
      value,
      cfg: n.adopted,
      p1,
      p2,
      ballot,
      phase: 1,
      promises: [{ from: self, accepted: n.record.accepted }],
      acks: [],
      proposing: null,
    };
    const next = this.setNode(world, i, { ...n, record, proposer });
    return this.send(next, i, n.adopted, targets, { type: 'prepare', ballot });
  }

  private adopt(world: MemberWorld, i: number): MemberWorld | null {
    const n = this.node(world, i);
    if (!n.up || n.adopted >= world.cfgDecided) return null;
    const adopted = n.adopted + 1;
    // §5.2 rule 3: a proposal under an older configuration drops its ballot and starts again.
    const proposer =
      n.proposer === null ? null : { ...n.proposer, ballot: null, promises: [], acks: [], phase: 1 as const };
    return this.setNode(world, i, { ...n, adopted, proposer });
  }

  private crash(world: MemberWorld, i: number): MemberWorld | null {
    const s = this.scenario;
    const n = this.node(world, i);
    if (!n.up || world.crashes >= s.maxCrashes) return null;
    if (s.crashable !== undefined && !s.crashable.includes(this.name(i))) return null;
    const next = this.setNode(world, i, { ...n, proposer: null, asked: false, restarted: true });
    // A rescanner that crashes starts its rescan again from the beginning.
    const rescan = i === this.rescannerIndex() && world.rescan !== null ? freshRescan() : world.rescan;
    return { ...next, rescan, crashes: world.crashes + 1 };
  }

  // ---- the acceptor, learner and proposer on delivery ----------------------------------------

  private deliver(world: MemberWorld, i: number, id: number): MemberWorld | null {
    const n = this.node(world, i);
    if (!n.up) return null;
    const envelope = this.messages.get(id);
    const { message, from } = envelope;
    const self = this.name(i);
    switch (message.type) {
      case 'prepare':
      case 'propose': {
        if (n.record.decided !== null)
          return this.send(world, i, n.adopted, [from], { type: 'decide', value: n.record.decided.value });
        // A request of a configuration this node has not adopted yet: dropped while it fetches (§5.3).
        if (envelope.cfg > n.adopted) return null;
        const senderView = viewOf(this.scenario.chain, envelope.cfg, n.knownComplete);
        if (!mayVote(senderView, self, message.type)) return null;
        const owner = this.scenario.ownerFastPath ? ownerIn(this.scenario.key, senderView) : null;
        const fence = this.scenario.broken?.noFence ? 0 : this.configAt(n.adopted).epoch;
        const step = acceptorStep({ key: this.scenario.key, owner, fence }, n.record, from, message);
        if (!step.granted) return null;
        let next = world;
        const record: KeyRecord = { ...n.record, ...step.state };
        next = this.setNode(next, i, { ...n, record });
        if (message.type === 'propose') {
          const acceptance = this.acceptanceId({
            node: self,
            ballot: message.ballot,
            cfg: envelope.cfg,
            value: String(message.value),
          });
          next = { ...next, acceptances: withBit(next.acceptances, acceptance) };
        }
        for (const effect of step.effects)
          if (effect.type === 'send' && effect.message.type !== 'reject')
            next = this.send(next, i, n.adopted, [effect.to], effect.message);
        return next;
      }
      case 'promise': {
        const p = n.proposer;
        if (p === null || p.phase !== 1 || !ballotsEqual(p.ballot, message.ballot)) return null;
        if (p.promises.some((promise) => promise.from === from)) return null;
        const promises = [...p.promises, { from, accepted: message.accepted }].sort(byFrom);
        return this.afterPromise(world, i, { ...p, promises });
      }
      case 'acknowledge': {
        const p = n.proposer;
        if (p === null || p.phase !== 2 || !ballotsEqual(p.ballot, message.ballot) || p.acks.includes(from))
          return null;
        const acks = [...p.acks, from].sort();
        const ballot = p.ballot as Ballot;
        const won = ballot.round === 0 ? hasFastQuorum(acks, self, p.p2) : hasQuorum(acks, [p.p2]);
        if (!won) return this.setNode(world, i, { ...n, proposer: { ...p, acks } });
        const value = p.proposing as PaxosValue;
        let next = this.learn(world, i, value);
        next = this.send(next, i, p.cfg, union(p.p1, p.p2), { type: 'decide', value });
        return p.value === null ? this.recoveryEnded(next, 'decided') : next;
      }
      case 'decide': {
        if (n.record.decided !== null) return null;
        const recovering = n.proposer !== null && n.proposer.value === null;
        const next = this.learn(world, i, message.value);
        return recovering ? this.recoveryLearnedFrom(next, i, message.value) : next;
      }
      case 'learn': {
        const next = n.record.decided === null ? this.learn(world, i, message.value) : world;
        const sent = this.send(next, i, n.adopted, [from], { type: 'learned' });
        return sent === world ? null : sent;
      }
      case 'learned': {
        const rescan = world.rescan;
        if (i !== this.rescannerIndex() || rescan === null || rescan.plan?.type !== 'copy') return null;
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

  /** Phase 1 won: P2c picks the value (a recovery with nothing to adopt ends: nothing was chosen). */
  private afterPromise(world: MemberWorld, i: number, p: Proposer): MemberWorld {
    const n = this.node(world, i);
    if (
      !hasQuorum(
        p.promises.map((promise) => promise.from),
        p.p1,
      )
    )
      return this.setNode(world, i, { ...n, proposer: p });
    const chosen = chooseValue(p.promises, p.value === null ? null : { value: p.value });
    if (chosen === undefined)
      return this.recoveryEnded(this.setNode(world, i, { ...n, proposer: null }), 'empty');
    const ballot = p.ballot as Ballot;
    const self = this.name(i);
    let record = n.record;
    let acks: string[] = [];
    let next = world;
    // Our own vote goes through the acceptor like anyone's: if this node promised a higher ballot
    // meanwhile (the instance machine would have left `preparing`), it does not accept its own.
    const own = acceptorStep(
      { key: this.scenario.key, owner: null, fence: this.configAt(n.adopted).epoch },
      record,
      self,
      { type: 'propose', ballot, value: chosen.value },
    );
    if (p.p2.includes(self) && own.granted) {
      record = { ...record, ...own.state };
      acks = [self];
      const acceptance = this.acceptanceId({ node: self, ballot, cfg: p.cfg, value: String(chosen.value) });
      next = { ...next, acceptances: withBit(next.acceptances, acceptance) };
    }
    next = this.setNode(next, i, {
      ...n,
      record,
      proposer: { ...p, phase: 2, acks, proposing: chosen.value },
    });
    return this.send(next, i, p.cfg, p.p2, { type: 'propose', ballot, value: chosen.value });
  }

  /** The node learns the decision: written durably, its client told, its proposer done. */
  private learn(world: MemberWorld, i: number, value: PaxosValue): MemberWorld {
    const n = this.node(world, i);
    const next = this.setNode(world, i, {
      ...n,
      record: { ...n.record, decided: { value } },
      proposer: null,
    });
    const learned = next.learned.includes(String(value))
      ? next.learned
      : [...next.learned, String(value)].sort();
    return { ...next, learned };
  }

  /**
   * The rescanner's recovery learned the decision from a `decide`: its own phase 2 did not put the
   * value into a majority of the new voters, so the key becomes a copy (rescan.ts
   * `recoveryLearned`). Control C11 (`recoveryTrustsDecide`) counts it as recovered instead.
   */
  private recoveryLearnedFrom(world: MemberWorld, i: number, value: PaxosValue): MemberWorld {
    const rescan = world.rescan;
    const t = this.transition(world);
    if (rescan === null || t === null || rescan.plan?.type !== 'recover' || rescan.recovery !== null)
      return world;
    if (this.scenario.broken?.recoveryTrustsDecide) return this.recoveryEnded(world, 'decided');
    const plan = recoveryLearned(rescan.plan, value, this.name(i), t.next);
    const targets = t.next.filter((id) => !plan.holders.includes(id));
    const sent = this.send(world, i, world.cfgDecided, targets, { type: 'learn', value });
    return { ...sent, rescan: { ...rescan, plan, learned: [] } };
  }

  private recoveryEnded(world: MemberWorld, outcome: 'decided' | 'empty'): MemberWorld {
    const rescan = world.rescan;
    if (rescan === null || rescan.plan?.type !== 'recover' || rescan.recovery !== null) return world;
    return { ...world, rescan: { ...rescan, recovery: outcome } };
  }

  // ---- the configuration master and the rescan ------------------------------------------------

  private decideConfig(world: MemberWorld): MemberWorld | null {
    const s = this.scenario;
    if (world.cfgDecided + 1 >= s.chain.length) return null;
    // I2: one transition at a time.
    if (world.completeEpoch < this.configAt(world.cfgDecided).epoch) return null;
    // The scripted disk loss happens before the change.
    if (s.diskLoss !== undefined && this.node(world, s.nodes.indexOf(s.diskLoss)).up) return null;
    const cfgDecided = world.cfgDecided + 1;
    const newEpoch = this.configAt(cfgDecided).epoch !== this.configAt(world.cfgDecided).epoch;
    return { ...world, cfgDecided, rescan: newEpoch ? freshRescan() : world.rescan };
  }

  /** The configurations of the transition in progress: the old voters and the new ones. */
  private transition(
    world: MemberWorld,
  ): { old: readonly string[]; next: readonly string[]; epoch: number } | null {
    const epoch = this.configAt(world.cfgDecided).epoch;
    if (world.rescan === null || world.completeEpoch >= epoch) return null;
    const view = viewOf(this.scenario.chain, world.cfgDecided, world.completeEpoch);
    return { old: view.previousVoters as readonly string[], next: view.voters, epoch };
  }

  /** R1: an old voter reports the key, after its fence for the new epoch is durable. */
  private report(world: MemberWorld, i: number): MemberWorld | null {
    const t = this.transition(world);
    const rescan = world.rescan;
    if (t === null || rescan === null || rescan.plan !== undefined) return null;
    const n = this.node(world, i);
    const self = this.name(i);
    const rescanner = this.node(world, this.rescannerIndex());
    if (!n.up || !rescanner.up || !t.old.includes(self) || n.adopted < world.cfgDecided) return null;
    if (rescanner.adopted < world.cfgDecided || rescan.reports.some((r) => r.from === self)) return null;
    const { accepted, decided } = n.record;
    const entries =
      accepted === null && decided === null ? [] : [{ key: this.scenario.key, accepted, decided }];
    const reports = [...rescan.reports, { from: self, entries }].sort(byFrom);
    return { ...world, rescan: { ...rescan, reports } };
  }

  /** R2: once a majority of the old voters reported, the merge; a copy sends `learn` at once. */
  private merge(world: MemberWorld): MemberWorld | null {
    const t = this.transition(world);
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
    const r = this.rescannerIndex();
    const targets = t.next.filter((id) => !plan.holders.includes(id) && id !== this.name(r));
    const self = this.node(world, r);
    // The rescanner itself holds the decision once it writes it (it is a new voter).
    const withSelf =
      self.record.decided === null && t.next.includes(this.name(r)) ? this.learn(next, r, plan.value) : next;
    const learned =
      t.next.includes(this.name(r)) && !plan.holders.includes(this.name(r)) ? [this.name(r)] : [];
    const sent = this.send(withSelf, r, world.cfgDecided, targets, { type: 'learn', value: plan.value });
    return { ...sent, rescan: { ...(sent.rescan as RescanState), learned } };
  }

  /** R3: `\0done/e` decided once the rescan is complete (C1: at once). */
  private complete(world: MemberWorld): MemberWorld | null {
    const t = this.transition(world);
    const rescan = world.rescan;
    if (t === null || rescan === null) return null;
    if (!this.scenario.broken?.skipRescan) {
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

  // ---- plumbing --------------------------------------------------------------------------------

  private send(
    world: MemberWorld,
    i: number,
    cfg: number,
    to: readonly string[],
    message: Envelope['message'],
  ): MemberWorld {
    const from = this.name(i);
    let network = world.network;
    for (const recipient of to) {
      if (recipient === from) continue;
      network = withBit(network, this.messageId({ from, to: recipient, cfg, message }));
    }
    return network === world.network ? world : { ...world, network };
  }

  messageId(envelope: Envelope): number {
    const known = this.messages.size;
    const id = this.messages.intern(stableStringify(envelope), () => envelope);
    if (id === known) this.inbox[this.scenario.nodes.indexOf(envelope.to)]?.push(id);
    return id;
  }

  private acceptanceId(acceptance: Acceptance): number {
    return this.acceptanceTable.intern(stableStringify(acceptance), () => acceptance);
  }

  configAt(number: number) {
    const config = this.scenario.chain[number];
    if (config === undefined) throw new Error(`no configuration ${number}`);
    return config;
  }

  name(i: number): string {
    return this.scenario.nodes[i] as string;
  }

  node(world: MemberWorld, i: number): NodeState {
    return world.nodes[i] as NodeState;
  }

  private rescannerIndex(): number {
    return this.scenario.nodes.indexOf(this.scenario.rescanner);
  }

  private setNode(world: MemberWorld, i: number, node: NodeState): MemberWorld {
    const nodes = world.nodes.slice();
    nodes[i] = node;
    return { ...world, nodes };
  }

  /** One action, for traces. */
  describe(world: MemberWorld, code: number): string {
    const { kind, node, arg } = decode(code);
    const who = this.name(node);
    switch (kind) {
      case 'deliver': {
        const e = this.messages.get(arg);
        const m = e.message;
        const detail =
          'ballot' in m
            ? ` ${formatBallot(m.ballot)}${'value' in m ? ` ${String(m.value)}` : ''}${'accepted' in m && m.accepted ? ` (accepted ${formatBallot(m.accepted.ballot)} ${String(m.accepted.value)})` : ''}`
            : 'value' in m
              ? ` ${String(m.value)}`
              : '';
        return `${e.from} → ${e.to} [cfg ${e.cfg}]: ${m.type}${detail}`;
      }
      case 'ask':
        return `${who} is asked ${String(this.scenario.asks[who])}`;
      case 'timeout':
        return `${who} times out and starts a new ballot`;
      case 'adopt':
        return `${who} adopts configuration ${this.node(world, node).adopted + 1} (fence: epoch ${this.configAt(this.node(world, node).adopted + 1).epoch})`;
      case 'learnDone':
        return `${who} learns epoch ${world.completeEpoch} complete`;
      case 'crash':
        return `${who} crashes and restarts from its durable state`;
      case 'loseDisk':
        return `${who} loses its disk (never votes again)`;
      case 'report':
        return `${who} reports to the rescanner`;
      case 'decideConfig':
        return `configuration ${world.cfgDecided + 1} [${this.configAt(world.cfgDecided + 1).voters.join(', ')}] (epoch ${this.configAt(world.cfgDecided + 1).epoch}) is decided`;
      case 'merge':
        return 'the rescanner merges the reports';
      case 'recover':
        return 'the rescanner starts a recovery ballot';
      case 'complete':
        return `epoch ${this.configAt(world.cfgDecided).epoch} is complete (\\0done decided)`;
    }
  }
}

function freshRescan(): RescanState {
  return { reports: [], learned: [], recovery: null };
}

function byFrom<T extends { readonly from: string }>(a: T, b: T): number {
  return a.from < b.from ? -1 : a.from > b.from ? 1 : 0;
}

function union(sets: readonly (readonly string[])[], more: readonly string[]): string[] {
  const all = new Set<string>(more);
  for (const set of sets) for (const id of set) all.add(id);
  return [...all].sort();
}
