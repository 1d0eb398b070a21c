// genLeader as actor logic in a user's XState system: each member machine spawns its gen-paxos
// node (systemId 'paxos') and a leader process that reports to it, and moves between
// `following` and `leading` on the leader's events; requests reach the leader as events.
import { afterEach, describe, expect, it } from 'vitest';
import { createActor, sendTo, setup, spawnChild, type Actor } from 'xstate';
import { genLeader, type LeaderCallReply } from '../../src/leader/genLeaderLogic.js';
import type { LeaderEmitted } from '../../src/leader/leaderEvents.js';
import {
  genPaxosNode,
  type GenPaxosNodeActorRef,
  type GenPaxosNodeInput,
} from '../../src/node/genPaxosNode.js';
import { seededRandom } from '../../src/paxos/prng.js';
import { VirtualClock } from '../../src/base/virtualClock.js';
import { MemoryStorage } from '../../src/storage/memoryStorage.js';
import { createMemoryNetwork } from '../../src/transport/memoryNetwork.js';
import { runFor, runUntil } from '../support/settle.js';

const MEMBERS = ['a', 'b', 'c'];

const member = setup({
  types: {
    input: {} as { paxos: GenPaxosNodeInput; clock: VirtualClock },
    context: {} as {
      paxos: GenPaxosNodeInput;
      clock: VirtualClock;
      epoch: number | null;
      answers: unknown[];
    },
    events: {} as LeaderEmitted | LeaderCallReply | { type: 'ask-leader'; request: string },
  },
  actors: { paxosNode: genPaxosNode, leader: genLeader },
}).createMachine({
  context: ({ input }) => ({ paxos: input.paxos, clock: input.clock, epoch: null, answers: [] }),
  // #region spawn
  entry: [
    spawnChild('paxosNode', { systemId: 'paxos', input: ({ context }) => context.paxos }),
    spawnChild('leader', {
      id: 'leader',
      input: ({ context, self }) => ({
        name: 'jobs',
        paxos: self.system.get('paxos') as GenPaxosNodeActorRef,
        candidates: MEMBERS,
        leaseMs: 1000,
        driftBound: 0.01,
        clock: context.clock,
        random: seededRandom(context.paxos.id.charCodeAt(0)),
        handleLeaderCall: (request: unknown, { node, epoch }: { node: string; epoch: number }) =>
          `${node}@${epoch} did ${String(request)}`,
        notify: self,
      }),
    }),
  ],
  // #endregion spawn
  initial: 'following',
  on: {
    'ask-leader': {
      actions: sendTo('leader', ({ event, self }) => ({
        type: 'leader.call',
        request: event.request,
        replyTo: self,
      })),
    },
    'leader.reply': {
      actions: ({ context, event }) => void context.answers.push(event.ok ? event.reply : event.code),
    },
  },
  states: {
    following: {
      on: {
        elected: { target: 'leading', actions: ({ context, event }) => void (context.epoch = event.epoch) },
      },
    },
    leading: { on: { steppedDown: 'following' } },
  },
});

let actors: Actor<typeof member>[] = [];
afterEach(() => {
  for (const a of actors) a.stop();
  actors = [];
});

describe('genLeader inside a user machine', () => {
  it('one member reaches `leading`, the others stay `following`; a call event gets its reply event', async () => {
    const clock = new VirtualClock();
    const network = createMemoryNetwork({ clock, faults: { delayMs: { min: 1, max: 1 } } });
    actors = MEMBERS.map((id) =>
      createActor(member, {
        clock,
        input: {
          clock,
          paxos: {
            id,
            members: MEMBERS,
            transport: network.connect(id),
            storage: new MemoryStorage(),
            clock,
          },
        },
      }).start(),
    );
    const leading = () => actors.filter((a) => a.getSnapshot().matches('leading'));
    await runUntil(clock, () => leading().length === 1);
    await runFor(clock, 3000);
    expect(leading()).toHaveLength(1);
    const leader = leading()[0] as Actor<typeof member>;
    expect(leader.getSnapshot().context.epoch).toBe(1);

    for (const a of actors) a.send({ type: 'ask-leader', request: 'x' });
    await runFor(clock, 10);
    const answers = actors.map((a) => a.getSnapshot().context.answers);
    const id = leader.getSnapshot().context.paxos.id;
    // Sent to each member's own leader process: only the leader serves it.
    expect(answers.filter((a) => a[0] === `${id}@1 did x`)).toHaveLength(1);
    expect(answers.filter((a) => a[0] === 'LEADER_ERR_NOT_LEADER')).toHaveLength(2);
  });
});
