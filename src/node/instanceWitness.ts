// Keys a node handles without an instance actor (the acceptor fast path: votes, forwards, the
// decisions that follow them), reported to its inspection stream as the key's instance would be.
// Each such key gets a witness: the instance machine itself, started like an instance (same id,
// same input, so the same cluster id `node/key`) but inert — its emitted effects go nowhere and its
// clock never fires — and given the events an instance would have been given (keyStep.ts,
// instanceEventFor). XState then reports its registration, events, microsteps, snapshots and stop
// exactly as for a real instance. The witness decides nothing: keyStep does, and the node carries
// the outcome out as before. Only built when the node is inspected.
import { createActor, type ActorRefFrom, type InspectionEvent, type Observer } from 'xstate';
import type { TimerClock } from '../base/clock.js';
import type {
  InstanceEvent,
  InstanceInput,
  InstanceMachine,
  InstanceStateName,
} from '../paxos/instanceMachine.js';
import {
  instanceEventFor,
  shouldRetire,
  type KeyInput,
  type KeyNode,
  type KeySlot,
} from '../paxos/keyStep.js';
import type { KeyRecord } from '../paxos/record.js';

type Witness = ActorRefFrom<InstanceMachine>;

/** Timers that never fire: a witness's delayed transitions are the node's takeover timers' job. */
const STOPPED_CLOCK: Pick<TimerClock, 'setTimeout' | 'clearTimeout'> = {
  setTimeout: () => 0,
  clearTimeout: () => {},
};

export interface InstanceWitnessesOptions {
  readonly logic: InstanceMachine;
  readonly inspect: Observer<InspectionEvent> | ((event: InspectionEvent) => void);
  /** The input an instance of `key` would start with from `record`. */
  readonly input: (key: string, record: KeyRecord | null) => InstanceInput;
}

export class InstanceWitnesses {
  private readonly live = new Map<string, Witness>();

  constructor(private readonly options: InstanceWitnessesOptions) {}

  /** The state of `key`'s witness, or null when it has none. */
  stateOf(key: string): InstanceStateName | null {
    const witness = this.live.get(key);
    return witness ? (witness.getSnapshot().value as InstanceStateName) : null;
  }

  /**
   * The node took a step of `key` (`input`, from `slot` and `record` as they were before it)
   * without an instance: the event an instance would have been given, if any, goes to the key's
   * witness, started like an instance from `record` if it has none.
   */
  stepped(
    node: KeyNode,
    key: string,
    slot: KeySlot,
    record: KeyRecord,
    input: KeyInput,
    asksWaiting: boolean,
  ): void {
    const event = instanceEventFor(node, key, slot, record, input, this.stateOf(key));
    if (event !== null) this.deliver(key, event, record, asksWaiting);
  }

  /** Gives `event` to `key`'s witness; it stops when an instance would be retired. */
  private deliver(key: string, event: InstanceEvent, record: KeyRecord, asksWaiting: boolean): void {
    let witness = this.live.get(key);
    if (witness === undefined) {
      witness = createActor(this.options.logic, {
        id: key,
        input: this.options.input(key, record),
        clock: STOPPED_CLOCK,
        inspect: this.options.inspect,
      });
      // A witness that throws is only a witness: without a listener XState would rethrow it globally.
      witness.subscribe({ error: () => {} });
      witness.start();
      this.live.set(key, witness);
    }
    const before = witness.getSnapshot().value as InstanceStateName;
    witness.send(event);
    const snapshot = witness.getSnapshot();
    const after = snapshot.value as InstanceStateName;
    if (snapshot.status !== 'active' || (after !== before && shouldRetire(after, before, asksWaiting)))
      this.end(key);
  }

  /** Stops `key`'s witness: its instance is retired, or a real instance takes the key over. */
  end(key: string): void {
    const witness = this.live.get(key);
    if (witness === undefined) return;
    this.live.delete(key);
    witness.stop();
  }

  /** The node stops: every witness stops, as every instance does. */
  stopAll(): void {
    for (const key of [...this.live.keys()]) this.end(key);
  }
}
