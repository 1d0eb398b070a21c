// The channel allocator of the Erlang/OTP design principles' gen_server chapter (ch3), on this
// runtime: `alloc()` calls the server for a free channel, `free(Ch)` casts one back. One addition:
// where the original crashes when no channel is left, `alloc()` waits (a deferred reply) until one
// is freed. docs/gen-server.md sets it beside the Erlang original. Run it: npx tsx examples/channelAllocator.ts
import { pathToFileURL } from 'node:url';
import { createActor, type Actor } from 'xstate';
import {
  createActorNode,
  createGenServer,
  genServerLogic,
  localNode,
  supervisor,
  VirtualClock,
  type ActorNode,
  type Caller,
  type CallResult,
  type CastResult,
  type SupervisorLogic,
} from '../src/index.js';

// #region callbacks
/** The server's state: Erlang's {Allocated, Free}, plus the callers waiting for a channel. */
export interface Channels {
  readonly allocated: readonly number[];
  readonly free: readonly number[];
  readonly waiting: readonly Caller<number>[];
}

export type ChannelCall = 'alloc';
export type ChannelCast = { readonly free: number } | 'stop';

/** channels() -> {_Allocated = [], _Free = lists:seq(1, 100)}. */
export function channels(count = 100): Channels {
  return { allocated: [], free: Array.from({ length: count }, (_, i) => i + 1), waiting: [] };
}

export const ch3 = genServerLogic({
  // init(_Args) -> {ok, channels()}.
  init: (count: number | undefined) => ({ state: channels(count) }),

  // handle_call(alloc, _From, Chs) -> {Ch, Chs2} = alloc(Chs), {reply, Ch, Chs2}.
  handleCall(_request: ChannelCall, from, chs: Channels): CallResult<Channels, number> {
    const [ch, ...rest] = chs.free;
    if (ch === undefined) {
      // No channel free: answer later, from the handleCast that frees one.
      return { noreply: true, state: { ...chs, waiting: [...chs.waiting, from] } };
    }
    return { reply: ch, state: { ...chs, allocated: [ch, ...chs.allocated], free: rest } };
  },

  // handle_cast({free, Ch}, Chs) -> Chs2 = free(Ch, Chs), {noreply, Chs2}.
  handleCast(request: ChannelCast, chs: Channels): CastResult<Channels, number> {
    // handle_cast(stop, State) -> {stop, normal, State}.
    if (request === 'stop') return { stop: 'normal', state: chs };
    const ch = request.free;
    if (!chs.allocated.includes(ch)) return { noreply: true, state: chs }; // false -> Channels
    const [next, ...waiting] = chs.waiting;
    if (next !== undefined) {
      // The freed channel goes straight to the first caller waiting: gen_server:reply(From, Ch).
      return { noreply: true, state: { ...chs, waiting }, replies: [{ to: next, value: ch }] };
    }
    const allocated = chs.allocated.filter((c) => c !== ch);
    return { noreply: true, state: { ...chs, allocated, free: [ch, ...chs.free] } };
  },
});
// #endregion callbacks

export interface StartLinkOptions {
  /** The node ch3 registers on; default the process's node. */
  readonly node?: ActorNode;
  /** How many channels (the original has 100). */
  readonly count?: number;
}

/**
 * ch3:start_link/0 as a supervisor calls it: the supervisor is part of the example, a one_for_one
 * with ch3 as a transient child registered as `ch3`.
 */
export function ch3Supervisor(options: StartLinkOptions = {}): SupervisorLogic {
  // #region supervisor
  return supervisor({
    strategy: 'one_for_one',
    node: options.node ?? localNode,
    children: [
      {
        id: 'ch3',
        name: 'ch3', // gen_server:start_link({local, ch3}, ch3, [], [])
        logic: ch3,
        input: options.count,
        // Transient: stopped normally (ch3:stop/0) it stays stopped; a crash restarts it.
        restart: 'transient',
      },
    ],
  });
  // #endregion supervisor
}

// #region api
/** ch3:alloc/0: gen_server:call(ch3, alloc). */
export function alloc(node: ActorNode = localNode): Promise<number> {
  return createGenServer(node).call<number>('ch3', 'alloc');
}

/** ch3:free/1: gen_server:cast(ch3, {free, Ch}). */
export function free(ch: number, node: ActorNode = localNode): void {
  createGenServer(node).cast('ch3', { free: ch });
}

/** ch3:stop/0: gen_server:cast(ch3, stop). */
export function stop(node: ActorNode = localNode): void {
  createGenServer(node).cast('ch3', 'stop');
}
// #endregion api

function channelsOf(node: ActorNode): Channels | undefined {
  return (node.whereis('ch3')?.getSnapshot() as { context?: Channels } | undefined)?.context;
}

/** The demo: three channels, a caller that has to wait, a crash and its restart, a stop. */
export async function main(print: (line: string) => void = console.log): Promise<void> {
  const clock = new VirtualClock();
  const node = createActorNode({ name: 'channels@localhost', clock, onCrash: () => {} });
  const sup: Actor<SupervisorLogic> = createActor(ch3Supervisor({ node, count: 3 }), { clock }).start();

  print(`ch3 has ${channelsOf(node)?.free.length} channels free`);
  for (let i = 0; i < 3; i++) print(`alloc() -> ${await alloc(node)}`);
  const waiting = alloc(node);
  print(`alloc() waits: ${channelsOf(node)?.waiting.length} caller waiting, no channel free`);
  free(2, node);
  print(`free(2): the waiting alloc() -> ${await waiting}`);
  free(9, node);
  print(`free(9): not allocated, state unchanged: allocated ${channelsOf(node)?.allocated.join(',')}`);
  await createGenServer(node).stop('ch3', { error: 'jammed' });
  print(`crash: restarted with ${channelsOf(node)?.free.length} channels free`);
  print(`alloc() -> ${await alloc(node)}`);
  stop(node);
  print(`after stop(): ${node.whereis('ch3') ? 'running' : 'not running'} (transient: not restarted)`);
  sup.stop();
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
