// The etcd side's pure parts: each member's command line and the bytes an ask's value becomes.
// No etcd is started.
import { describe, expect, it } from 'vitest';
import { etcdBytes } from '../../bench/etcd/asker.js';
import { memberArgs } from '../../bench/etcd/cluster.js';

describe('memberArgs', () => {
  const peers = {
    etcd1: 'http://127.0.0.1:7001',
    etcd2: 'http://127.0.0.1:7002',
    etcd3: 'http://127.0.0.1:7003',
  };
  const args = memberArgs('etcd2', '/tmp/x/data-etcd2', 'http://127.0.0.1:6002', peers, 'token-1');
  const flag = (name: string) => args[args.indexOf(name) + 1];

  it('listens on its own loopback URLs and knows every peer', () => {
    expect(flag('--name')).toBe('etcd2');
    expect(flag('--data-dir')).toBe('/tmp/x/data-etcd2');
    expect(flag('--listen-client-urls')).toBe('http://127.0.0.1:6002');
    expect(flag('--advertise-client-urls')).toBe('http://127.0.0.1:6002');
    expect(flag('--listen-peer-urls')).toBe('http://127.0.0.1:7002');
    expect(flag('--initial-advertise-peer-urls')).toBe('http://127.0.0.1:7002');
    expect(flag('--initial-cluster')).toBe(
      'etcd1=http://127.0.0.1:7001,etcd2=http://127.0.0.1:7002,etcd3=http://127.0.0.1:7003',
    );
    expect(flag('--initial-cluster-state')).toBe('new');
    expect(flag('--initial-cluster-token')).toBe('token-1');
  });

  it("keeps etcd's default durability: nothing turns fsync off", () => {
    expect(args.some((a) => a.includes('unsafe'))).toBe(false);
  });
});

describe('etcdBytes', () => {
  it('stores strings and bytes as they are, anything else as JSON', () => {
    expect(etcdBytes('é'.repeat(2))).toEqual(Buffer.from('éé', 'utf8'));
    expect(etcdBytes(new Uint8Array([1, 2, 3]))).toEqual(Buffer.from([1, 2, 3]));
    expect(etcdBytes(42).toString()).toBe('42');
    expect(etcdBytes({ a: [1, null] }).toString()).toBe('{"a":[1,null]}');
  });
});
