// Fencing with epochs: a store that takes writes only with an epoch at least as high as any it
// has seen, and a leader paused past its lease whose late write the store refuses.
//
// Three nodes elect a leader through leases; each leader's writes carry its epoch. The first
// leader checks that it leads, takes its epoch, sends a write — and its process stops right then
// (a long GC pause; SIGSTOP), before the write leaves. Its lease runs out, the others wait it out
// and elect a new leader in epoch 2, which writes. Then the old process resumes: its write, still
// stamped epoch 1, reaches the store at last and is refused. The lease alone could not have
// stopped it (the old leader believed it led when it decided to write); the epoch does.
//
// Everything runs in one process on a virtual clock, with the simulation's pause switch
// (test/sim/pauseGate.ts). Run: npx tsx examples/fencing.ts
import { assign, setup } from 'xstate';
import {
  createActorNode,
  createMemoryNetwork,
  createMemoryRouter,
  admitEpoch,
  MemoryStorage,
  reply,
  seededRandom,
  startLeader,
  startLink,
  VirtualClock,
  type ActorNode,
  type CallEvent,
  type GenLeader,
  type GenPaxosNode,
} from '../src/index.js';
import { PauseGate } from '../test/sim/pauseGate.js';
import { runFor } from '../test/support/settle.js';

type WriteReply = { ok: true } | { ok: false; code: 'LEADER_ERR_STALE_EPOCH'; highestEpoch: number };
type StoreEvent = CallEvent<{ type: 'write'; key: string; value: string; epoch: number }, WriteReply>;

/** The fenced resource: a key-value store on its own node. */
export const fencedStore = setup({
  types: {
    context: {} as { data: Record<string, string>; highestEpoch: number; log: string[] },
    events: {} as StoreEvent,
  },
}).createMachine({
  context: { data: {}, highestEpoch: 0, log: [] },
  on: {
    write: [
      {
        guard: ({ context, event }) => admitEpoch(context.highestEpoch, event.epoch).admitted,
        actions: [
          assign({
            highestEpoch: ({ event }) => event.epoch,
            data: ({ context, event }) => ({ ...context.data, [event.key]: event.value }),
            log: ({ context, event }) => [
              ...context.log,
              `accepted ${event.key}=${event.value} (epoch ${event.epoch})`,
            ],
          }),
          reply({ ok: true }),
        ],
      },
      {
        actions: [
          assign({
            log: ({ context, event }) => [
              ...context.log,
              `refused  ${event.key}=${event.value} (epoch ${event.epoch} < ${context.highestEpoch})`,
            ],
          }),
          reply(({ context }) => ({
            ok: false as const,
            code: 'LEADER_ERR_STALE_EPOCH' as const,
            highestEpoch: context.highestEpoch,
          })),
        ],
      },
    ],
  },
});

interface Member {
  readonly id: string;
  readonly gate: PauseGate;
  readonly paxos: GenPaxosNode;
  readonly node: ActorNode;
  readonly leader: GenLeader;
}

export interface FencingOutcome {
  readonly oldLeader: string;
  readonly newLeader: string;
  readonly oldEpoch: number;
  readonly newEpoch: number;
  /** What the old leader's late write got back. */
  readonly lateWrite: WriteReply;
  readonly oldLeaderStillLeads: boolean;
  readonly store: Readonly<Record<string, string>>;
  readonly storeLog: readonly string[];
  readonly narrative: readonly string[];
}

export async function runFencingExample(): Promise<FencingOutcome> {
  const clock = new VirtualClock();
  const say: string[] = [];
  const note = (line: string) => say.push(`${String(Math.round(clock.now())).padStart(5)} ms  ${line}`);
  const faults = { delayMs: { min: 1, max: 2 } };
  const paxosNet = createMemoryNetwork({ clock, faults, random: seededRandom(7) });
  const linksNet = createMemoryNetwork({ clock, faults, random: seededRandom(8) });
  const ids = ['a', 'b', 'c'];
  const links = (name: string, gate?: PauseGate) => {
    const base = gate ? gate.clock(clock) : clock;
    const router = createMemoryRouter(linksNet, name, {
      peers: [...ids, 'store'].filter((p) => p !== name),
      clock: base,
    });
    return createActorNode({ name, clock: base, router: gate ? gate.router(router) : router });
  };

  const storeNode = links('store');
  const store = storeNode.genFsm.start(fencedStore, { name: 'store' });

  const members: Member[] = [];
  for (const [i, id] of ids.entries()) {
    const gate = new PauseGate();
    const nodeClock = gate.clock(clock);
    const paxos = await startLink({
      id,
      members: ids,
      transport: gate.transport(paxosNet.connect(id)),
      storage: new MemoryStorage(),
      clock: nodeClock,
      random: seededRandom(i + 1),
    });
    const node = links(id, gate);
    // #region start-leader
    const leader = startLeader(`writer`, {
      paxos, // this node's gen-paxos node (startLink): leases are decided through it
      node, // the runtime node leaderCall / leaderCast route through
      candidates: ids, // who may lead
      leaseMs: 1000,
      driftBound: 0.001, // ρ: every clock's rate is within 0.1 % of real time
      clock: nodeClock, // each node's own (drifting, in this example) clock
      random: seededRandom(100 + i),
      elected: (e) => note(`${e.node} elected, epoch ${e.epoch}`),
      // The lease ran out, was superseded, or stop() was called: stop acting as leader.
      steppedDown: (e) => note(`${e.node} steps down from epoch ${e.epoch} (${e.reason})`),
    });
    // #endregion start-leader
    members.push({ id, gate, paxos, node, leader });
  }

  // #region fenced-write
  /** The leader's write: check, take the epoch, send; the store refuses an epoch below its highest. */
  const write = (m: Member, key: string, value: string): Promise<WriteReply> => {
    const epoch = m.leader.epoch();
    if (epoch === null) throw new Error(`${m.id} does not lead`);
    return m.node.call<WriteReply>(
      { name: 'store', node: 'store' },
      { type: 'write', key, value, epoch },
      10_000,
    );
  };
  // #endregion fenced-write
  const settle = async <T>(promise: Promise<T>): Promise<T> => {
    let done = false;
    void promise.finally(() => (done = true));
    while (!done) await runFor(clock, 1);
    return promise;
  };
  const leading = () => members.filter((m) => m.leader.isLeader());

  await runFor(clock, 500);
  const old = leading()[0] as Member;
  const oldEpoch = old.leader.epoch() as number;
  note(`${old.id} writes x=1 with epoch ${oldEpoch}: ${JSON.stringify(await settle(write(old, 'x', '1')))}`);

  // The old leader decides to write while it leads…
  if (!old.leader.isLeader()) throw new Error('unreachable: it led a moment ago');
  note(`${old.id} checks isLeader() = true, sends x=2 with epoch ${oldEpoch} — and its process is paused`);
  old.gate.pause();
  const late = write(old, 'x', '2');

  // …the others wait its lease out and elect a new leader, which writes.
  await runFor(clock, 3000);
  const next = leading().find((m) => m !== old) as Member;
  const newEpoch = next.leader.epoch() as number;
  note(
    `${next.id} writes x=3 with epoch ${newEpoch}: ${JSON.stringify(await settle(write(next, 'x', '3')))}`,
  );

  // The old process resumes: its write leaves at last.
  note(`${old.id} resumes`);
  old.gate.resume();
  const lateWrite = await settle(late);
  note(`${old.id}'s late write x=2 (epoch ${oldEpoch}) gets ${JSON.stringify(lateWrite)}`);
  await runFor(clock, 10);

  const context = store.getSnapshot().context;
  const outcome: FencingOutcome = {
    oldLeader: old.id,
    newLeader: next.id,
    oldEpoch,
    newEpoch,
    lateWrite,
    oldLeaderStillLeads: old.leader.isLeader(),
    store: context.data,
    storeLog: context.log,
    narrative: say,
  };
  for (const m of members) {
    m.leader.halt();
    await m.paxos.stop();
  }
  store.stop();
  return outcome;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const outcome = await runFencingExample();
  for (const line of outcome.narrative) console.log(line);
  console.log('store log:');
  for (const line of outcome.storeLog) console.log(`  ${line}`);
  console.log(`store: ${JSON.stringify(outcome.store)}`);
}
