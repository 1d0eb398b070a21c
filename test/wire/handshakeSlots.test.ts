// The room for connections in their handshake: bounded in total and per address; a newcomer
// pushes out the oldest unfinished handshake of its own address past its share, else the oldest
// of a non-member address; members' addresses are never pushed out by others.
import { describe, expect, it } from 'vitest';
import { HandshakeSlots } from '../../src/transport/peer/handshakeSlots.js';

const member = (address: string) => address === '10.0.0.2';

describe('HandshakeSlots', () => {
  it("pushes out the same address's oldest past its share", () => {
    const slots = new HandshakeSlots<string>({ maxTotal: 10, maxPerAddress: 2 }, member);
    expect(slots.admit('a1', 'A')).toEqual({ admitted: true, evict: [] });
    expect(slots.admit('a2', 'A')).toEqual({ admitted: true, evict: [] });
    expect(slots.admit('b1', 'B')).toEqual({ admitted: true, evict: [] });
    expect(slots.admit('a3', 'A')).toEqual({ admitted: true, evict: ['a1'] });
    expect(slots.items()).toEqual(['a2', 'b1', 'a3']);
  });

  it('when full, the oldest non-member handshake gives way; members keep theirs', () => {
    const slots = new HandshakeSlots<string>({ maxTotal: 3, maxPerAddress: 3 }, member);
    slots.admit('m1', '10.0.0.2');
    slots.admit('x1', 'X');
    slots.admit('y1', 'Y');
    expect(slots.admit('z1', 'Z')).toEqual({ admitted: true, evict: ['x1'] });
    expect(slots.admit('m2', '10.0.0.2')).toEqual({ admitted: true, evict: ['y1'] });
    expect(slots.admit('z2', 'Z')).toEqual({ admitted: true, evict: ['z1'] });
    expect(slots.items()).toEqual(['m1', 'm2', 'z2']);
  });

  it('refuses a stranger only when members hold every slot; a member still gets in', () => {
    const slots = new HandshakeSlots<string>({ maxTotal: 2, maxPerAddress: 5 }, member);
    slots.admit('m1', '10.0.0.2');
    slots.admit('m2', '10.0.0.2');
    expect(slots.admit('x1', 'X')).toEqual({ admitted: false, evict: [] });
    expect(slots.admit('m3', '10.0.0.2')).toEqual({ admitted: true, evict: ['m1'] });
    slots.release('m2');
    expect(slots.admit('x2', 'X')).toEqual({ admitted: true, evict: [] });
    expect(slots.size).toBe(2);
  });
});
