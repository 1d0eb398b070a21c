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
// The parts: memberWorld.ts (the state), memberActions.ts (action codes), memberCore.ts (plumbing),
// memberProposer.ts, memberDelivery.ts, memberRescan.ts (the rules); this file, the explorer's view.
import {
  ballotsEqual,
  compareBallots,
  epochOf,
  formatBallot,
  type Ballot,
} from '../../../src/paxos/ballot.js';
import { hasFastQuorum, hasQuorum } from '../../../src/paxos/quorum.js';
import { EMPTY_RECORD } from '../../../src/paxos/record.js';
import { bitsKey, forEachBit, hasBit, EMPTY_BITS, withBit, withoutBit, type Bits } from '../bitset.js';
import { stableStringify } from '../canonical.js';
import type { TransitionSystem } from '../explore.js';
import { decode, describeAction, encode } from './memberActions.js';
import { MemberCore } from './memberCore.js';
import { deliver } from './memberDelivery.js';
import { startBallot } from './memberProposer.js';
import { complete, decideConfig, merge, report } from './memberRescan.js';
import { freshRescan, type Acceptance, type MemberWorld, type NodeState } from './memberWorld.js';

export { decode, encode } from './memberActions.js';
export type { Envelope, MemberWorld, NodeState, Proposer, RescanState } from './memberWorld.js';

export class MemberModel extends MemberCore implements TransitionSystem<MemberWorld> {
  private readonly chosenCache = new Map<string, readonly string[]>();

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
        return startBallot(this, world, node, n.proposer.value);
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
        return report(this, world, node);
      case 'deliver':
        return deliver(this, world, node, arg);
      case 'decideConfig':
        return decideConfig(this, world);
      case 'merge':
        return merge(this, world);
      case 'recover': {
        const r = this.rescannerIndex();
        const n = this.node(world, r);
        if (world.rescan?.plan?.type !== 'recover' || world.rescan.recovery !== null) return null;
        if (!n.up || n.proposer !== null || n.adopted < world.cfgDecided) return null;
        return startBallot(this, world, r, null);
      }
      case 'complete':
        return complete(this, world);
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
    return startBallot(this, asked, i, value);
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

  /** One action, for traces. */
  describe(world: MemberWorld, code: number): string {
    return describeAction(this, world, code);
  }
}
