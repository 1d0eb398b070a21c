// What a node tells its transport of its configurations (transportMembership.ts) and how the
// transport's roster follows it (peerRoster.ts): who is linked at which URL, who was removed by
// which configuration, which peers to dial or drop, and the digest the handshake announces. Pure.
import { describe, expect, it } from 'vitest';
import { transportMembershipOf } from '../../src/node/membership/transportMembership.js';
import { initialConfiguration, viewOf, type Configuration } from '../../src/paxos/config.js';
import { PeerRoster, configDigest } from '../../src/transport/peer/peerRoster.js';

const start = initialConfiguration(['a', 'b', 'c']);
/** 0, 1: [a, b, c]; 2: d added (epoch 1); 3: b removed (epoch 2); 4: d's URL updated (epoch 2). */
const chain: Configuration[] = [
  start,
  { ...start, number: 1 },
  { number: 2, epoch: 1, voters: ['a', 'b', 'c', 'd'], urls: { d: 'ws://d:1' } },
  { number: 3, epoch: 2, voters: ['a', 'c', 'd'], urls: { d: 'ws://d:1' } },
  { number: 4, epoch: 2, voters: ['a', 'c', 'd'], urls: { d: 'ws://d:2' } },
];

describe('transportMembershipOf', () => {
  it('links the voters, and the previous voters while the transition runs', () => {
    const running = transportMembershipOf('a', chain.slice(0, 4), viewOf(chain, 3, 1));
    expect(running.configuration?.number).toBe(3);
    expect(running.peers).toEqual({ b: null, c: null, d: 'ws://d:1' });
    expect(running.removed).toEqual({});
    const complete = transportMembershipOf('a', chain, viewOf(chain, 4, 2));
    expect(complete.peers).toEqual({ c: null, d: 'ws://d:2' });
    expect(complete.removed).toEqual({ b: 3 });
  });

  it('tells a removed node that it was removed, and a joining one that it has nothing yet', () => {
    expect(transportMembershipOf('b', chain, viewOf(chain, 4, 2)).removed).toEqual({ b: 3 });
    expect(transportMembershipOf('d', [], null)).toEqual({ configuration: null, peers: {}, removed: {} });
  });
});

describe('PeerRoster', () => {
  it('starts as configuration 1 of the start peers, with the digest a node computes for it', () => {
    const roster = new PeerRoster('a', { b: 'ws://b:1', c: 'ws://c:1' }, false);
    expect(roster.config).toEqual({ number: 1, digest: configDigest(chain[1] as Configuration) });
    expect(roster.isMember('b')).toBe(true);
    expect(new PeerRoster('a', { b: 'ws://b:1' }, false).config?.digest).not.toBe(roster.config?.digest);
    expect(new PeerRoster('d', { a: 'ws://a:1' }, true).config).toBeNull();
  });

  it('says whom to dial, drop and redial; keeps start URLs the chain lacks', () => {
    const roster = new PeerRoster('a', { b: 'ws://b:1', c: 'ws://c:1' }, false);
    const added = roster.update(transportMembershipOf('a', chain.slice(0, 3), viewOf(chain, 2, 1)));
    expect(added).toEqual({ added: ['d'], dropped: [], moved: [] });
    expect([...roster.peers()]).toEqual([
      ['b', 'ws://b:1'],
      ['c', 'ws://c:1'],
      ['d', 'ws://d:1'],
    ]);
    expect(roster.update(transportMembershipOf('a', chain, viewOf(chain, 4, 2)))).toEqual({
      added: [],
      dropped: ['b'],
      moved: ['d'],
    });
    expect(roster.removedIn('b')).toBe(3);
    expect(roster.isMember('b')).toBe(false);
    expect(roster.config).toEqual({ number: 4, digest: configDigest(chain[4] as Configuration) });
  });

  it('a node removed itself links nobody; a joining node keeps its hints until it has a chain', () => {
    const b = new PeerRoster('b', { a: 'ws://a:1', c: 'ws://c:1' }, false);
    expect(b.update(transportMembershipOf('b', chain, viewOf(chain, 4, 2))).dropped).toEqual(['a', 'c']);
    expect(b.selfRemovedIn).toBe(3);
    const d = new PeerRoster('d', { a: 'ws://a:1' }, true);
    expect(d.update(transportMembershipOf('d', [], null))).toEqual({ added: [], dropped: [], moved: [] });
    expect(d.isMember('a')).toBe(true);
  });

  it('a digest covers number, epoch, voters and URLs, in any order', () => {
    const four = chain[4] as Configuration;
    expect(configDigest({ ...four, voters: ['d', 'c', 'a'] })).toBe(configDigest(four));
    for (const other of [
      { ...four, number: 5 },
      { ...four, epoch: 3 },
      { ...four, voters: ['a', 'c'] },
      { ...four, urls: { d: 'ws://d:3' } },
    ])
      expect(configDigest(other)).not.toBe(configDigest(four));
  });
});
