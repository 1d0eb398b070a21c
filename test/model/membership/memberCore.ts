// What every part of the membership model shares: the scenario, the interned messages and
// acceptances with each node's inbox, what the exploration reached, and the world's plumbing.
import { viewOf, type ConfigView } from '../../../src/paxos/config.js';
import type { PaxosValue } from '../../../src/paxos/messages.js';
import { withBit } from '../bitset.js';
import { Interner, stableStringify } from '../canonical.js';
import type { MemberScenario } from './scenario.js';
import type { Acceptance, Envelope, MemberWorld, NodeState } from './memberWorld.js';

export class MemberCore {
  readonly messages = new Interner<Envelope>();
  readonly acceptanceTable = new Interner<Acceptance>();
  /** Each node's messages, by id: every message ever sent to it. */
  protected readonly inbox: number[][];

  /**
   * What the exploration reached, for the tests' non-vacuity checks: `complete:e` (epoch e
   * completed), `decided:node:value`, `round0:epoch` (a round-0 acceptance), `recovery:outcome`.
   */
  readonly observed = new Set<string>();

  constructor(readonly scenario: MemberScenario) {
    if (scenario.nodes.length > 8) throw new Error('the action encoding holds at most 8 nodes');
    this.inbox = scenario.nodes.map(() => []);
  }

  /** The node's view of its adopted configuration, with the control's broken rules applied. */
  viewAt(n: NodeState): ConfigView {
    return viewOf(this.scenario.chain, n.adopted, n.knownComplete);
  }

  /** The node learns the decision: written durably, its client told, its proposer done. */
  learn(world: MemberWorld, i: number, value: PaxosValue): MemberWorld {
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

  send(
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

  acceptanceId(acceptance: Acceptance): number {
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

  rescannerIndex(): number {
    return this.scenario.nodes.indexOf(this.scenario.rescanner);
  }

  setNode(world: MemberWorld, i: number, node: NodeState): MemberWorld {
    const nodes = world.nodes.slice();
    nodes[i] = node;
    return { ...world, nodes };
  }
}
