// The write-once ask of the gen-paxos register, done on etcd: one transaction "if the key's create
// revision is 0 (it does not exist), put the value, else read it", so the answer is the value that
// stays, as an ask's is. One client (one gRPC connection) per member, as the bench has one
// gen-paxos client per node; a member that is not the leader forwards the proposal to it.
import { Etcd3 } from 'etcd3';
import type { PaxosValue } from '../../src/paxos/messages.js';
import type { Asker } from '../scenarios.js';

/** The bytes etcd stores for an ask's value: strings and bytes as they are, anything else as JSON. */
export function etcdBytes(value: PaxosValue): Buffer {
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  if (value instanceof Uint8Array) return Buffer.from(value);
  return Buffer.from(JSON.stringify(value), 'utf8');
}

export class EtcdAsker implements Asker {
  private readonly client: Etcd3;

  /** `host`: one member's client URL, `http://127.0.0.1:port`. */
  constructor(readonly host: string) {
    this.client = new Etcd3({ hosts: host });
  }

  /** Creates `key` with `value` unless it exists; resolves to the value the key holds after. */
  async ask(key: string, value: PaxosValue): Promise<Buffer> {
    const bytes = etcdBytes(value);
    const result = await this.client
      .if(key, 'Create', '==', 0)
      .then(this.client.put(key).value(bytes))
      .else(this.client.get(key))
      .commit();
    if (result.succeeded) return bytes;
    const held = result.responses[0]?.response_range?.kvs[0]?.value;
    if (!held) throw new Error(`etcd: ${key} exists, yet the transaction read no value`);
    return held;
  }

  close(): void {
    this.client.close();
  }
}
