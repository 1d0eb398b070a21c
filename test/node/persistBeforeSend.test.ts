// The effect runner is the one place where "persist before reply" is enforced: a key's sends
// wait for every earlier write of that key, other keys are not held up, and after a failed
// write nothing more leaves the node.
import { describe, expect, it } from 'vitest';
import type { Envelope } from '../../src/paxos/messages.js';
import type { KeyRecord } from '../../src/paxos/record.js';
import { EffectRunner } from '../../src/node/effectRunner.js';
import type { Storage } from '../../src/storage/storage.js';
import type { Transport } from '../../src/transport/transport.js';

/** A storage whose writes complete only when the test says so. */
class ManualStorage implements Storage {
  readonly writes: { key: string; record: KeyRecord; resolve: () => void; reject: (e: Error) => void }[] = [];
  async open(): Promise<void> {}
  load(): KeyRecord | undefined {
    return undefined;
  }
  write(key: string, record: KeyRecord): Promise<void> {
    return new Promise((resolve, reject) => this.writes.push({ key, record, resolve, reject }));
  }
  async close(): Promise<void> {}
}

const RECORD: KeyRecord = { promised: { round: 1, node: 'b' }, accepted: null, decided: null };
const PROMISE = { type: 'promise', ballot: { round: 1, node: 'b' }, accepted: null } as const;
const tick = () => new Promise((resolve) => setImmediate(resolve));

function harness() {
  const storage = new ManualStorage();
  const sent: Envelope[] = [];
  const decided: string[] = [];
  const failures: Error[] = [];
  const answered: string[] = [];
  const refused: string[] = [];
  const transport: Transport = {
    nodeId: 'a',
    send: (e) => void sent.push(e),
    listen: () => {},
    close: async () => {},
  };
  const runner = new EffectRunner({
    self: 'a',
    members: ['a', 'b', 'c'],
    storage,
    transport,
    onDecided: (key) => void decided.push(key),
    onAnswer: (key, value) => void answered.push(`${key}=${String(value)}`),
    onRefused: (effect) => void refused.push(`${effect.from}:${effect.reason}`),
    onStorageFailure: (error) => void failures.push(error),
  });
  return { storage, sent, decided, failures, answered, refused, runner };
}

describe('EffectRunner', () => {
  it('holds a reply until the write before it is durable', async () => {
    const { runner, storage, sent } = harness();
    runner.run({ type: 'persist', key: 'k', record: RECORD });
    runner.run({ type: 'send', key: 'k', to: 'b', message: PROMISE });
    await tick();
    expect(sent).toEqual([]);
    storage.writes[0]?.resolve();
    await tick();
    expect(sent).toEqual([{ from: 'a', to: 'b', key: 'k', message: PROMISE }]);
  });

  it('waits for every earlier write of the key, in emission order', async () => {
    const { runner, storage, sent, decided } = harness();
    runner.run({ type: 'persist', key: 'k', record: RECORD });
    runner.run({ type: 'broadcast', key: 'k', message: PROMISE });
    runner.run({ type: 'persist', key: 'k', record: RECORD });
    runner.run({ type: 'decided', key: 'k', value: 'v' });
    storage.writes[0]?.resolve();
    await tick();
    expect(sent).toEqual([]);
    storage.writes[1]?.resolve();
    await tick();
    expect(sent.map((e) => e.to)).toEqual(['b', 'c']);
    expect(decided).toEqual(['k']);
  });

  it('sends at once what was emitted before any write, and never holds other keys', async () => {
    const { runner, sent } = harness();
    runner.run({ type: 'send', key: 'k', to: 'b', message: PROMISE });
    runner.run({ type: 'persist', key: 'k', record: RECORD });
    runner.run({ type: 'send', key: 'other', to: 'c', message: PROMISE });
    expect(sent.map((e) => `${e.key}->${e.to}`)).toEqual(['k->b', 'other->c']);
  });

  it('answers for retired keys (a decide to a peer, an ask answered here) behind the key’s pending writes too', async () => {
    const { runner, storage, sent, answered } = harness();
    runner.run({ type: 'persist', key: 'k', record: RECORD });
    runner.run({ type: 'send', to: 'c', key: 'k', message: { type: 'decide', value: 'v' } });
    runner.run({ type: 'answer', key: 'k', value: 'v' });
    expect(sent).toEqual([]);
    expect(answered).toEqual([]);
    storage.writes[0]?.resolve();
    await tick();
    expect(sent).toHaveLength(1);
    expect(answered).toEqual(['k=v']);
  });

  it('reports refusals at once: they reveal nothing, so they wait for no write', () => {
    const { runner, refused } = harness();
    runner.run({ type: 'persist', key: 'k', record: RECORD });
    runner.run({ type: 'refused', key: 'k', from: 'c', message: 'propose', reason: 'forged-ballot' });
    expect(refused).toEqual(['c:forged-ballot']);
  });

  it('after a failed write: the held reply is dropped, the failure reported once, and nothing else is sent', async () => {
    const { runner, storage, sent, failures } = harness();
    runner.run({ type: 'persist', key: 'k', record: RECORD });
    runner.run({ type: 'send', key: 'k', to: 'b', message: PROMISE });
    runner.run({ type: 'persist', key: 'j', record: RECORD });
    storage.writes[0]?.reject(new Error('disk full'));
    storage.writes[1]?.reject(new Error('disk full'));
    await tick();
    runner.run({ type: 'send', key: 'x', to: 'b', message: PROMISE });
    runner.run({ type: 'send', to: 'c', key: 'y', message: { type: 'decide', value: 'v' } });
    expect(sent).toEqual([]);
    expect(failures.map((e) => e.message)).toEqual(['disk full']);
    expect(runner.storageFailed).toBe(true);
    expect(runner.stats.droppedAfterFailure).toBe(3);
    expect(runner.stats.envelopesSent).toBe(0);
  });
});
