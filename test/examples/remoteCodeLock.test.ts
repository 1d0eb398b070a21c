// The "Across nodes" example of docs/gen-fsm-runtime.md runs as written: two network nodes on free
// loopback ports, the code lock on b pressed, watched and stopped from a.
import { describe, expect, it } from 'vitest';
import { main } from '../../examples/remoteCodeLock.js';
import { freePorts } from '../../src/cli/freePorts.js';

describe('remote code lock example', () => {
  it('presses the buttons of a lock on another node, sees it stop and the node go down', async () => {
    const [portA, portB] = (await freePorts(2)) as [number, number];
    const lines: string[] = [];
    await main({ ports: [portA, portB], print: (line) => lines.push(line) });
    expect(lines).toEqual([
      'a: connected to b',
      'b: door unlocked',
      'a: code_lock on b is down (normal)',
      'a: b went down',
    ]);
  });
});
