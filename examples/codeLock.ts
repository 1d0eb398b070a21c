// The code lock of the Erlang/OTP design principles' gen_fsm chapter, on this runtime: a door
// that opens on the right button sequence and locks again after 30 s without a handled event.
// docs/gen-fsm-runtime.md sets it beside the Erlang original. Run it: npx tsx examples/codeLock.ts
import { pathToFileURL } from 'node:url';
import { assign, createActor, emit, setup, type Actor } from 'xstate';
import {
  allState,
  createActorNode,
  genFsmLogic,
  localNode,
  stateTimeout,
  supervisor,
  VirtualClock,
  type ActorNode,
  type SupervisorLogic,
} from '../src/index.js';

export type CodeLockEvent =
  | { readonly type: 'button'; readonly digit: number }
  | { readonly type: 'timeout' }
  | { readonly type: 'all.stop' };

/** do_unlock() and do_lock(): the machine emits them, whoever runs it moves the bolt. */
export type CodeLockEmitted = { readonly type: 'unlocked' } | { readonly type: 'locked' };

export interface CodeLockContext {
  readonly code: readonly number[];
  /** The digits pressed so far (Erlang keeps them reversed; here they are in order). */
  readonly soFar: readonly number[];
}

function pressed(context: CodeLockContext, digit: number): number[] {
  return [...context.soFar, digit];
}

// #region machine
export const codeLock = setup({
  types: {
    input: {} as { readonly code: readonly number[] },
    context: {} as CodeLockContext,
    events: {} as CodeLockEvent,
    emitted: {} as CodeLockEmitted,
  },
  guards: {
    rightCode: ({ context, event }) =>
      event.type === 'button' && pressed(context, event.digit).join() === context.code.join(),
    incomplete: ({ context, event }) =>
      event.type === 'button' && pressed(context, event.digit).length < context.code.length,
  },
  actions: {
    doUnlock: emit({ type: 'unlocked' } as const),
    doLock: emit({ type: 'locked' } as const),
  },
}).createMachine({
  id: 'code_lock',
  // init(Code) -> {ok, locked, {[], Code}}.
  context: ({ input }) => ({ code: input.code, soFar: [] }),
  initial: 'locked',
  // handle_event(stop, _StateName, StateData) -> {stop, normal, StateData}.
  on: { [allState('stop')]: '.stopped' },
  states: {
    // locked({button, Digit}, {SoFar, Code}) -> case [Digit|SoFar] of …
    locked: {
      on: {
        button: [
          { guard: 'rightCode', target: 'open', actions: [assign({ soFar: [] }), 'doUnlock'] },
          {
            guard: 'incomplete',
            actions: assign({ soFar: ({ context, event }) => pressed(context, event.digit) }),
          },
          { actions: assign({ soFar: [] }) }, // _Wrong
        ],
      },
    },
    // {next_state, open, {[], Code}, 30000} … open(timeout, State) -> do_lock(), {next_state, locked, State}.
    open: {
      entry: stateTimeout(30_000),
      on: { timeout: { target: 'locked', actions: 'doLock' } },
    },
    // {stop, normal, …}: a final state ends the actor normally.
    stopped: { type: 'final' },
  },
});
// #endregion machine

export interface StartLinkOptions {
  /** The node the lock registers on as `code_lock`; default the process's node. */
  readonly node?: ActorNode;
  /** Sees do_unlock() / do_lock(). */
  readonly onDoor?: (event: CodeLockEmitted) => void;
}

/**
 * code_lock:start_link/1, as a supervisor would call it: here the supervisor is part of the
 * example, a one_for_one with the lock as a transient child registered as `code_lock`.
 */
export function codeLockSupervisor(code: readonly number[], options: StartLinkOptions = {}): SupervisorLogic {
  // #region supervisor
  return supervisor({
    strategy: 'one_for_one',
    node: options.node ?? localNode,
    children: [
      {
        id: 'code_lock',
        name: 'code_lock',
        logic: genFsmLogic(codeLock),
        input: { code },
        // Transient: stopped normally (code_lock:stop/0) it stays stopped; a crash restarts it.
        restart: 'transient',
        observe: { emitted: (_id, event) => options.onDoor?.(event as CodeLockEmitted) },
      },
    ],
  });
  // #endregion supervisor
}

// #region api
/** code_lock:button/1: gen_fsm:send_event(code_lock, {button, Digit}). */
export function button(digit: number, node: ActorNode = localNode): void {
  node.genFsm.sendEvent('code_lock', { type: 'button', digit });
}

/** code_lock:stop/0: gen_fsm:send_all_state_event(code_lock, stop). */
export function stop(node: ActorNode = localNode): void {
  node.genFsm.sendAllStateEvent('code_lock', { type: 'stop' });
}
// #endregion api

function stateOf(node: ActorNode): string {
  const lock = node.whereis('code_lock');
  return lock ? String((lock.getSnapshot() as { value?: unknown }).value) : 'not running';
}

/** The demo: a simulated clock, so the 30 s relock happens at once. */
export function main(print: (line: string) => void = console.log): void {
  const clock = new VirtualClock();
  const node = createActorNode({ name: 'door@localhost', clock });
  const sup: Actor<SupervisorLogic> = createActor(
    codeLockSupervisor([1, 2, 3], { node, onDoor: (event) => print(`  door: ${event.type}`) }),
    { clock },
  ).start();

  print(`code_lock is ${stateOf(node)}`);
  for (const digit of [1, 2, 3]) button(digit, node);
  print(`after 1 2 3: ${stateOf(node)}`);
  clock.advance(29_999);
  print(`29.999 s later: ${stateOf(node)}`);
  clock.advance(1);
  print(`30 s later: ${stateOf(node)}`);
  for (const digit of [1, 2, 4]) button(digit, node);
  print(`after 1 2 4: ${stateOf(node)}`);
  stop(node);
  print(`after stop(): ${stateOf(node)} (transient: not restarted)`);
  sup.stop();
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
