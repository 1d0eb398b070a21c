// paxos_fsm's single-instance API, for teaching: start one instance per subject, read its
// result, stop it. Instances of one process reach each other by subject through an in-process
// network; there is no disk (use `startLink` for real nodes).
//
//   paxos_fsm:start(Subject, InitN, Value, Others, ReturnPids) → paxosFsm.start(subject, initN, value, others, { onDecided })
//   paxos_fsm:get_result(Subject)                            → paxosFsm.getResult(subject)   (crashed in the original)
//   paxos_fsm:stop(Subject)                                  → paxosFsm.stop(subject)
import { createActor, type Actor, type InspectionEvent, type Observer } from 'xstate';
import { ERROR_CODES, GenPaxosError } from '../base/errors.js';
import {
  instanceMachine,
  type InstanceMachine,
  type InstanceStateName,
  type InstanceTiming,
} from '../paxos/instanceMachine.js';
import type { Effect } from '../paxos/effects.js';
import type { PaxosValue } from '../paxos/messages.js';
import { checkKey, checkValue } from '../paxos/validate.js';
import type { RuntimeClock } from '../base/clock.js';
import { EffectRunner } from './effectRunner.js';
import { drawSeed, systemRandom } from '../base/random.js';
import { MemoryStorage } from '../storage/memoryStorage.js';
import { createMemoryNetwork, type MemoryNetwork } from '../transport/memoryNetwork.js';
import type { Transport } from '../transport/transport.js';
import { checkMembers } from './validateOptions.js';

/** The key all instances of one paxosFsm group decide: the group is the register. */
const FSM_KEY = 'paxos_fsm';

export interface PaxosFsmOptions {
  /** Called once with the decided value (the original's ReturnPids were sent `{decided, V}`). */
  readonly onDecided?: (value: PaxosValue) => void;
  readonly timing?: Partial<InstanceTiming>;
  /** Instances that should talk must share a network; default: one network per process. */
  readonly network?: MemoryNetwork;
  readonly clock?: RuntimeClock;
  readonly inspect?: Observer<InspectionEvent> | ((event: InspectionEvent) => void);
}

export interface PaxosFsmResult {
  readonly state: InstanceStateName;
  /** The decided value, or `undefined` until this instance knows it. */
  readonly value: PaxosValue | undefined;
}

interface Registered {
  readonly actor: Actor<InstanceMachine>;
  readonly transport: Transport;
  readonly initN: number;
}

const registry = new Map<string, Registered>();
let defaultNetwork: MemoryNetwork | null = null;

export const paxosFsm = {
  /**
   * Starts the instance `subject`, numbered `initN` in its group, proposing `value` to the
   * instances named in `others`.
   *
   * @example
   * paxosFsm.start('a', 0, 'red', ['b', 'c']);
   * paxosFsm.start('b', 1, 'blue', ['a', 'c']);
   * paxosFsm.start('c', 2, 'green', ['a', 'b'], { onDecided: (v) => console.log('decided', v) });
   */
  start(
    subject: string,
    initN: number,
    value: PaxosValue,
    others: readonly string[],
    options: PaxosFsmOptions = {},
  ): string {
    const subjectProblem = checkKey(subject);
    if (subjectProblem !== null) throw new GenPaxosError(ERROR_CODES.BAD_KEY, `subject: ${subjectProblem}`);
    if (!Number.isInteger(initN) || initN < 0) {
      throw new GenPaxosError(
        ERROR_CODES.BAD_OPTION,
        `initN must be a non-negative integer, got ${String(initN)}`,
      );
    }
    const valueProblem = value === undefined ? 'value must not be undefined' : checkValue(value);
    if (valueProblem !== null) throw new GenPaxosError(ERROR_CODES.BAD_VALUE, valueProblem);
    const members = [subject, ...(Array.isArray(others) ? others : [])];
    const membersProblem = checkMembers(subject, members);
    if (membersProblem !== null) throw new GenPaxosError(ERROR_CODES.BAD_MEMBERS, membersProblem);
    if (registry.has(subject)) {
      throw new GenPaxosError(
        ERROR_CODES.ALREADY_STARTED,
        `an instance named ${JSON.stringify(subject)} is running`,
      );
    }

    const network = options.network ?? (defaultNetwork ??= createMemoryNetwork());
    const transport = network.connect(subject);
    const actor = createActor(instanceMachine, {
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.inspect ? { inspect: options.inspect } : {}),
      id: subject,
      input: {
        key: FSM_KEY,
        node: subject,
        members,
        seed: drawSeed(systemRandom),
        timing: options.timing ?? {},
      },
    });
    let told = false;
    const runner = new EffectRunner({
      self: subject,
      members,
      storage: new MemoryStorage(),
      transport,
      onDecided: (_key, decided) => {
        if (told) return;
        told = true;
        options.onDecided?.(decided);
      },
      onStorageFailure: () => {},
    });
    actor.on('*', (effect) => runner.run(effect as Effect));
    transport.listen((envelope) => actor.send({ ...envelope.message, from: envelope.from }));
    registry.set(subject, { actor, transport, initN });
    actor.start();
    actor.send({ type: 'ask', value });
    return subject;
  },

  /** The instance's state and, once known, the decided value (paxos_fsm:get_result/1). */
  getResult(subject: string): PaxosFsmResult {
    const registered = registry.get(subject);
    if (!registered)
      throw new GenPaxosError(ERROR_CODES.NO_SUCH_INSTANCE, `no instance named ${JSON.stringify(subject)}`);
    const snapshot = registered.actor.getSnapshot();
    return { state: snapshot.value as InstanceStateName, value: snapshot.context.decided?.value };
  },

  /** Stops the instance and frees its name (paxos_fsm:stop/1). */
  stop(subject: string): void {
    const registered = registry.get(subject);
    if (!registered)
      throw new GenPaxosError(ERROR_CODES.NO_SUCH_INSTANCE, `no instance named ${JSON.stringify(subject)}`);
    registry.delete(subject);
    registered.actor.stop();
    void registered.transport.close();
  },

  /** Subjects of the running instances. */
  running(): string[] {
    return [...registry.keys()];
  },
};
