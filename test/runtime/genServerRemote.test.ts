// genServer across nodes: a server registered on b, reached from a as `{ name, node: 'b' }` over
// the in-memory router: call, cast, info, a deferred reply, a call timeout whose late reply is
// dropped, a name nobody holds, a remote stop (terminate runs on b), and b going down mid-call.
import { afterEach, describe, expect, it } from 'vitest';
import { createGenServer } from '../../src/runtime/genServer/genServer.js';
import { counterServer, type CounterEmitted } from './counterServer.js';
import { codeOf, drive, twoNodes, type TwoNodes } from './helpers.js';

const server = { name: 'counter', node: 'b' };
let open: TwoNodes[] = [];

function cluster() {
  const nodes = twoNodes();
  open.push(nodes);
  const onB = createGenServer(nodes.b);
  const counter = onB.start(counterServer, { name: 'counter', input: { start: 1 } });
  return { ...nodes, fromA: createGenServer(nodes.a), onB, counter };
}

afterEach(async () => {
  for (const nodes of open) await nodes.close();
  open = [];
});

describe('genServer across nodes', () => {
  it('calls, casts and sends info to { name, node } like a local server', async () => {
    const { clock, fromA } = cluster();
    expect(fromA.cast(server, { type: 'inc' })).toBe(true);
    expect(fromA.sendInfo(server, 5)).toBe(true);
    expect(await drive(clock, fromA.call<number>(server, { type: 'get' }))).toBe(7);
  });

  it('a deferred reply crosses too: noreply on b, answered by a later cast from a', async () => {
    const { clock, fromA, counter } = cluster();
    const held = fromA.call<number>(server, { type: 'hold' });
    // A call after it on the same link: once answered, the hold has arrived.
    expect(await drive(clock, fromA.call<number>(server, { type: 'get' }))).toBe(1);
    expect(counter.getSnapshot().context.held).toHaveLength(1);
    fromA.cast(server, { type: 'release' });
    expect(await drive(clock, held)).toBe(1);
  });

  it('times out with GENFSM_ERR_TIMEOUT, and the late reply is dropped', async () => {
    const { clock, fromA, counter } = cluster();
    const held = fromA.call<number>(server, { type: 'hold' }, { timeoutMs: 50 });
    expect(await codeOf(drive(clock, held))).toBe('GENFSM_ERR_TIMEOUT');
    fromA.cast(server, { type: 'release' }); // answers the call that timed out: nobody gets it
    fromA.cast(server, { type: 'inc' });
    expect(await drive(clock, fromA.call<number>(server, { type: 'get' }))).toBe(2);
    expect(counter.getSnapshot().context.held).toEqual([]);
  });

  it('rejects with GENFSM_ERR_NOPROC when nothing holds the name on that node', async () => {
    const { clock, fromA } = cluster();
    expect(await codeOf(drive(clock, fromA.call({ name: 'nobody', node: 'b' }, { type: 'get' })))).toBe(
      'GENFSM_ERR_NOPROC',
    );
  });

  it('stops the server on b from a; terminate runs there', async () => {
    const { clock, fromA, counter, b } = cluster();
    const seen: CounterEmitted[] = [];
    counter.on('*', (event) => seen.push(event));
    await drive(clock, fromA.stop(server, { shutdown: 'maintenance' }));
    expect(seen).toEqual([{ type: 'terminated', reason: { shutdown: 'maintenance' }, count: 1 }]);
    expect(b.whereis('counter')).toBeUndefined();
    expect(await codeOf(drive(clock, fromA.call(server, { type: 'get' })))).toBe('GENFSM_ERR_NOPROC');
  });

  it('rejects with GENFSM_ERR_NODEDOWN when b goes down during the call, and at once after', async () => {
    const { clock, fromA, routers } = cluster();
    const held = fromA.call(server, { type: 'hold' }, { timeoutMs: 10_000 });
    await routers.b.close();
    expect(await codeOf(drive(clock, held))).toBe('GENFSM_ERR_NODEDOWN');
    expect(fromA.cast(server, { type: 'inc' })).toBe(false);
    expect(await codeOf(fromA.call(server, { type: 'get' }))).toBe('GENFSM_ERR_NODEDOWN');
  });
});
