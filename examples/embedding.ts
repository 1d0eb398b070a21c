// Embedding a gen-paxos node in your own XState system: each candidate machine spawns the node
// as a child (`systemId: 'paxos'`), asks it to decide the key "leader" with its own id, and
// becomes the leader or a follower depending on the decision.
// Run: npx tsx examples/embedding.ts
import { assign, createActor, sendTo, setup, spawnChild, waitFor } from 'xstate';
import {
  createMemoryNetwork,
  genPaxosNode,
  MemoryStorage,
  type GenPaxosNodeInput,
  type GenPaxosNodeReply,
} from '../src/index.js';

// #region candidate
export const candidateMachine = setup({
  types: {
    input: {} as { paxos: GenPaxosNodeInput },
    context: {} as { id: string; paxos: GenPaxosNodeInput; leader: string | null },
    events: {} as { type: 'elect' } | GenPaxosNodeReply,
  },
  actors: { paxosNode: genPaxosNode },
}).createMachine({
  id: 'candidate',
  context: ({ input }) => ({ id: input.paxos.id, paxos: input.paxos, leader: null }),
  // The node is a child actor; other actors of this system find it as system.get('paxos').
  entry: spawnChild('paxosNode', { systemId: 'paxos', input: ({ context }) => context.paxos }),
  initial: 'idle',
  states: {
    idle: { on: { elect: 'electing' } },
    electing: {
      entry: sendTo(
        ({ system }) => system.get('paxos'),
        ({ context, self }) => ({ type: 'ask', key: 'leader', value: context.id, replyTo: self }),
      ),
      on: {
        'paxos.decided': [
          {
            guard: ({ context, event }) => event.value === context.id,
            target: 'leading',
            actions: assign({ leader: ({ context }) => context.id }),
          },
          { target: 'following', actions: assign({ leader: ({ event }) => String(event.value) }) },
        ],
        'paxos.failed': 'idle',
      },
    },
    leading: {},
    following: {},
  },
});
// #endregion candidate

/** Starts three candidates on one in-memory network, elects, and returns each one's outcome. */
export async function electLeader(): Promise<{ id: string; state: string; leader: string | null }[]> {
  const network = createMemoryNetwork();
  const members = ['a', 'b', 'c'];
  const candidates = members.map((id) =>
    createActor(candidateMachine, {
      input: { paxos: { id, members, transport: network.connect(id), storage: new MemoryStorage() } },
    }).start(),
  );
  for (const candidate of candidates) candidate.send({ type: 'elect' });
  const done = await Promise.all(
    candidates.map((candidate) => waitFor(candidate, (s) => s.matches('leading') || s.matches('following'))),
  );
  for (const candidate of candidates) candidate.stop();
  return done.map((s) => ({ id: s.context.id, state: String(s.value), leader: s.context.leader }));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const outcome of await electLeader())
    console.log(`${outcome.id}: ${outcome.state} (leader ${outcome.leader})`);
}
