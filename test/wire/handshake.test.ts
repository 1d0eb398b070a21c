// The handshake's rules, pure: proofs bind the secret, both nonces and every claimed field;
// refusals come in a fixed order; the dialling tie-break is the same on both sides.
import { describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION, type HelloFrame, type WelcomeFrame } from '../../src/transport/wire/frames.js';
import {
  checkHello,
  checkWelcome,
  helloProof,
  newNonce,
  welcomeProof,
  winningDialler,
  type HelloClaims,
} from '../../src/transport/wire/handshake.js';
import { WIRE_ERROR_CODES as W } from '../../src/transport/wire/wireErrors.js';

const secret = new TextEncoder().encode('s3cret');
const members = ['a', 'b', 'c'];

function hello(
  claims: Partial<HelloClaims> = {},
  signWith = secret,
  serverNonce: Uint8Array = new Uint8Array(32),
): HelloFrame {
  const full: HelloClaims = { cluster: 'k', node: 'b', role: 'peer', incarnation: 'b-1', members, ...claims };
  const nonce = newNonce();
  return {
    v: PROTOCOL_VERSION,
    t: 'hello',
    ...full,
    nonce,
    proof: helloProof(signWith, full, serverNonce, nonce),
  };
}

const side = { secret, cluster: 'k', self: 'a', members, serverNonce: new Uint8Array(32) };

describe('checkHello', () => {
  it('admits a member that proves the secret', () => {
    expect(checkHello(hello(), side)).toBeNull();
    expect(checkHello(hello({ role: 'client', node: 'cli', members: [] }), side)).toBeNull();
  });

  it('refuses, in order: wrong secret, wrong cluster, unknown node, members, incarnation', () => {
    expect(checkHello(hello({ cluster: 'other' }, new TextEncoder().encode('guess')), side)?.code).toBe(
      W.AUTH_FAILED,
    );
    expect(checkHello(hello({ cluster: 'other' }), side)?.code).toBe(W.WRONG_CLUSTER);
    expect(checkHello(hello({ node: 'z' }), side)?.code).toBe(W.UNKNOWN_NODE);
    expect(checkHello(hello({ node: 'a' }), side)?.code).toBe(W.UNKNOWN_NODE);
    expect(checkHello(hello({ members: ['a', 'b'] }), side)?.code).toBe(W.MEMBERS_MISMATCH);
    const refuseB1 = (peer: string, incarnation: string) =>
      incarnation === 'b-1' ? `${peer} lost its disk` : null;
    expect(checkHello(hello(), { ...side, checkPeer: refuseB1 })).toEqual({
      code: W.INCARNATION_REFUSED,
      detail: 'b lost its disk',
    });
    expect(checkHello(hello({ incarnation: 'b-2' }), { ...side, checkPeer: refuseB1 })).toBeNull();
  });

  it('a proof is bound to the nonce and to every field', () => {
    expect(checkHello(hello({}, secret, newNonce()), side)?.code).toBe(W.AUTH_FAILED);
    const tampered = { ...hello(), node: 'c' };
    expect(checkHello(tampered, side)?.code).toBe(W.AUTH_FAILED);
    const replayedIncarnation = { ...hello(), incarnation: 'b-0' };
    expect(checkHello(replayedIncarnation, side)?.code).toBe(W.AUTH_FAILED);
  });
});

describe('checkWelcome', () => {
  const serverNonce = newNonce();
  const clientNonce = newNonce();
  const welcome = (node: string, signWith = secret): WelcomeFrame => ({
    v: PROTOCOL_VERSION,
    t: 'welcome',
    node,
    incarnation: `${node}-1`,
    proof: welcomeProof(
      signWith,
      { cluster: 'k', node, incarnation: `${node}-1`, dialler: 'a' },
      serverNonce,
      clientNonce,
    ),
  });
  const dialler = { secret, cluster: 'k', self: 'a', expectedPeer: 'b', serverNonce, clientNonce };

  it('accepts the expected node proving the secret', () => {
    expect(checkWelcome(welcome('b'), dialler)).toBeNull();
  });

  it('refuses a node without the secret, another node at the URL, a refused incarnation', () => {
    expect(checkWelcome(welcome('b', new TextEncoder().encode('guess')), dialler)?.code).toBe(W.AUTH_FAILED);
    expect(checkWelcome(welcome('c'), dialler)?.code).toBe(W.PEER_MISMATCH);
    expect(checkWelcome(welcome('b'), { ...dialler, checkPeer: () => 'no' })?.code).toBe(
      W.INCARNATION_REFUSED,
    );
  });

  it('a hello proof never passes as a welcome proof', () => {
    const claims: HelloClaims = { cluster: 'k', node: 'b', role: 'peer', incarnation: 'b-1', members };
    const forged = { ...welcome('b'), proof: helloProof(secret, claims, serverNonce, clientNonce) };
    expect(checkWelcome(forged, dialler)?.code).toBe(W.AUTH_FAILED);
  });
});

describe('winningDialler', () => {
  it('is the same on both sides of a pair: the smaller id', () => {
    expect(winningDialler('a', 'b')).toBe('a');
    expect(winningDialler('b', 'a')).toBe('a');
    expect(winningDialler('n10', 'n9')).toBe('n10');
  });
});
