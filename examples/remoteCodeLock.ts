// The code lock of examples/codeLock.ts on one node, its buttons pressed from another, over the
// authenticated WebSocket links the two nodes use for Paxos. Both nodes run in this process here;
// `gen-paxos node` processes on two machines would do the same. docs/gen-fsm-runtime.md ("Across
// nodes") walks through it. Run it: npx tsx examples/remoteCodeLock.ts
import { pathToFileURL } from 'node:url';
import { startNetworkNode, type NetworkNode, type NodeEvent } from '../src/index.js';
import { codeLock } from './codeLock.js';

export interface RemoteCodeLockOptions {
  /** Where nodes a and b listen on 127.0.0.1. */
  readonly ports?: readonly [number, number];
  readonly print?: (line: string) => void;
}

// Node names are the cluster's member ids; every member must know the secret (use --secret-file).
const cluster = { cluster: 'doors', secret: 'example-secret: keep yours in a file' };

export async function main(options: RemoteCodeLockOptions = {}): Promise<void> {
  const [portA, portB] = options.ports ?? [7101, 7102];
  const print = options.print ?? console.log;
  const listen = (port: number) => ({ host: '127.0.0.1', port });
  const nodes: NetworkNode[] = [];
  try {
    // #region two-nodes
    // Node b holds the door, registered as code_lock (gen_fsm:start_link({local, code_lock}, …)).
    const b = await startNetworkNode({
      ...cluster,
      id: 'b',
      listen: listen(portB),
      peers: { a: `ws://127.0.0.1:${portA}` },
    });
    nodes.push(b);
    const lock = b.actorNode.genFsm.start(codeLock, { name: 'code_lock', input: { code: [1, 2, 3] } });
    const unlocked = new Promise<void>((resolve) =>
      lock.on('unlocked', () => {
        print('b: door unlocked');
        resolve();
      }),
    );

    // Node a presses the buttons: {code_lock, b} is gen_fsm's {Name, Node}.
    const a = await startNetworkNode({
      ...cluster,
      id: 'a',
      listen: listen(portA),
      peers: { b: `ws://127.0.0.1:${portB}` },
    });
    nodes.push(a);
    const door = { name: 'code_lock', node: 'b' };
    const bIs = (type: NodeEvent['type']) =>
      new Promise<void>((resolve) => {
        const ref = a.actorNode.monitorNode('b', (event) => {
          if (event.type !== type) return;
          a.actorNode.demonitorNode(ref);
          resolve();
        });
      });
    // erlang:monitor_node(b, true): nodeup once the link's handshake is done (unless it already is).
    if (!a.actorNode.nodes().includes('b')) await bIs('nodeup');
    print(`a: connected to ${a.actorNode.nodes().join(', ')}`);

    for (const digit of [1, 2, 3]) a.actorNode.genFsm.sendEvent(door, { type: 'button', digit });
    await unlocked;

    // Watch the door from a, then stop it from a (code_lock:stop/0 on the other node).
    const stopped = new Promise<void>((resolve) =>
      a.actorNode.monitor(door, (down) => {
        print(`a: code_lock on b is down (${String(down.reason)})`);
        resolve();
      }),
    );
    a.actorNode.genFsm.sendAllStateEvent(door, { type: 'stop' });
    // #endregion two-nodes
    await stopped;

    const down = bIs('nodedown');
    await b.stop();
    await down;
    print('a: b went down');
  } finally {
    for (const node of nodes.reverse()) await node.stop();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
