// The proven refusal, pure: a refusal frame verifies only with the peer secret, the key pinned
// for the node dialled, this handshake's nonces and exactly the code and detail it was made for;
// the frame is validated like every other; checkHello hands the proven secret to a refusal of a
// hello that verified, and to no other.
import { describe, expect, it } from 'vitest';
import { generateNodeKey, parsePublicKey, type NodeKey } from '../../src/base/nodeKey.js';
import { decodeFrame, encodeFrame } from '../../src/transport/wire/codec.js';
import type { HelloFrame, RefusalFrame } from '../../src/transport/wire/frames.js';
import { checkHello, newNonce, welcomeProof, type DiallingSide } from '../../src/transport/wire/handshake.js';
import {
  checkRefusal,
  refusalFrame,
  refusalProof,
  type RefusalClaims,
} from '../../src/transport/wire/handshakeRefusal.js';
import type { Roster } from '../../src/transport/wire/roster.js';
import { validateFrame } from '../../src/transport/wire/validateFrame.js';
import { WIRE_ERROR_CODES as W } from '../../src/transport/wire/wireErrors.js';
import { provenHello } from './helpers.js';

const secret = new TextEncoder().encode('s3cret');
const serverNonce = newNonce();
const clientNonce = newNonce();
const keyOfA: NodeKey = generateNodeKey();
const claims: RefusalClaims = {
  cluster: 'k',
  node: 'a',
  dialler: 'x',
  code: W.REMOVED,
  detail: 'PAXOS_ERR_REMOVED: node x was removed in configuration 5',
};
/** x dialled a, whose key it pinned. */
const dialler: DiallingSide = {
  secret,
  cluster: 'k',
  self: 'x',
  expectedPeer: 'a',
  expectedKey: parsePublicKey(keyOfA.publicKey, 'a'),
  serverNonce,
  clientNonce,
};

function genuine(overrides: Partial<RefusalClaims> = {}, signingKey = keyOfA): RefusalFrame {
  return refusalFrame(secret, signingKey.privateKey, { ...claims, ...overrides }, serverNonce, clientNonce);
}

describe('checkRefusal', () => {
  it('verifies a refusal made by the node dialled, for this dialler, on this connection', () => {
    expect(checkRefusal(genuine(), dialler)).toBeNull();
    // Without a pinned key the peer secret alone proves it, as for a welcome.
    expect(checkRefusal(genuine(), { ...dialler, expectedKey: null })).toBeNull();
  });

  it('refuses one proven with another secret', () => {
    const forged = refusalFrame(
      new TextEncoder().encode('guess'),
      keyOfA.privateKey,
      claims,
      serverNonce,
      clientNonce,
    );
    expect(checkRefusal(forged, dialler)?.code).toBe(W.AUTH_FAILED);
    expect(checkRefusal(forged, { ...dialler, expectedKey: null })?.code).toBe(W.AUTH_FAILED);
  });

  it("refuses one signed with another key, or unsigned, when the peer's key is pinned", () => {
    expect(checkRefusal(genuine({}, generateNodeKey()), dialler)?.code).toBe(W.IDENTITY_FAILED);
    const { sig: _dropped, ...unsigned } = genuine();
    expect(checkRefusal(unsigned, dialler)?.code).toBe(W.IDENTITY_FAILED);
  });

  it('refuses one whose code or detail was swapped in flight', () => {
    const frame = genuine();
    expect(checkRefusal({ ...frame, code: W.PEER_REMOVED }, dialler)?.code).toBe(W.AUTH_FAILED);
    expect(
      checkRefusal({ ...frame, detail: 'PAXOS_ERR_REMOVED: node x was removed in configuration 6' }, dialler)
        ?.code,
    ).toBe(W.AUTH_FAILED);
    // Code and detail of one refusal moved into each other's place prove nothing either.
    expect(checkRefusal({ ...frame, code: frame.detail, detail: frame.code }, dialler)?.code).toBe(
      W.AUTH_FAILED,
    );
  });

  it("refuses one made on another connection: another handshake's nonces", () => {
    const otherServer = refusalFrame(secret, keyOfA.privateKey, claims, newNonce(), clientNonce);
    const otherClient = refusalFrame(secret, keyOfA.privateKey, claims, serverNonce, newNonce());
    expect(checkRefusal(otherServer, dialler)?.code).toBe(W.AUTH_FAILED);
    expect(checkRefusal(otherClient, dialler)?.code).toBe(W.AUTH_FAILED);
    // The nonces swapped between the sides are another handshake too.
    const swapped = refusalFrame(secret, keyOfA.privateKey, claims, clientNonce, serverNonce);
    expect(checkRefusal(swapped, dialler)?.code).toBe(W.AUTH_FAILED);
  });

  it('refuses one made for another dialler, or claiming another node than the one dialled', () => {
    expect(checkRefusal(genuine({ dialler: 'y' }), dialler)?.code).toBe(W.AUTH_FAILED);
    expect(checkRefusal(genuine({ node: 'b' }), dialler)?.code).toBe(W.PEER_MISMATCH);
    expect(checkRefusal(genuine({ cluster: 'other' }), dialler)?.code).toBe(W.AUTH_FAILED);
  });

  it('a client acts on no refusal', () => {
    expect(checkRefusal(genuine(), { ...dialler, expectedPeer: null, expectedKey: null })?.code).toBe(
      W.UNEXPECTED_FRAME,
    );
  });

  it('no other proof of the handshake passes as a refusal proof (labels of their own)', () => {
    const welcome = welcomeProof(
      secret,
      { cluster: 'k', node: 'a', incarnation: W.REMOVED, dialler: 'x' },
      serverNonce,
      clientNonce,
    );
    expect(checkRefusal({ ...genuine(), proof: welcome }, { ...dialler, expectedKey: null })?.code).toBe(
      W.AUTH_FAILED,
    );
    expect(refusalProof(secret, claims, serverNonce, clientNonce)).not.toEqual(
      welcomeProof(
        secret,
        { cluster: 'k', node: 'a', incarnation: 'x', dialler: W.REMOVED },
        serverNonce,
        clientNonce,
      ),
    );
  });
});

describe('the refusal frame on the wire', () => {
  const roundTrip = (frame: unknown) => {
    const decoded = decodeFrame(encodeFrame(frame as RefusalFrame), 1 << 20);
    if (!decoded.ok) throw new Error(decoded.problem.detail);
    return validateFrame(decoded.value);
  };

  it('survives encoding and validation, and still verifies', () => {
    const checked = roundTrip(genuine());
    expect(checked.ok).toBe(true);
    if (!checked.ok || checked.value.t !== 'refusal') throw new Error('not a refusal');
    expect(checkRefusal(checked.value, dialler)).toBeNull();
  });

  it.each([
    ['an unknown code', { code: 'WIRE_ERR_MADE_UP' }, W.BAD_FIELD, /WIRE_ERR_\* code/],
    ['a code with more after it', { code: `${W.REMOVED}: x` }, W.BAD_FIELD, /WIRE_ERR_\* code/],
    ['a code that is no string', { code: 4015 }, W.BAD_FIELD, /code must be a string/],
    ['a detail that is no string', { detail: null }, W.BAD_FIELD, /detail must be a string/],
    ['a detail too long', { detail: 'x'.repeat(1025) }, W.OUT_OF_RANGE, /at most 1024/],
    ['a short proof', { proof: new Uint8Array(31) }, W.OUT_OF_RANGE, /proof must be 32 bytes/],
    ['a short signature', { sig: new Uint8Array(63) }, W.OUT_OF_RANGE, /sig must be 64 bytes/],
    ['a node that is no string', { node: 7 }, W.BAD_FIELD, /node must be a string/],
  ])('refuses %s with a clear code', (_what, change, code, detail) => {
    const checked = roundTrip({ ...genuine(), ...change });
    expect(checked.ok).toBe(false);
    if (checked.ok) return;
    expect(checked.problem.code).toBe(code);
    expect(checked.problem.detail).toMatch(detail);
  });
});

describe('checkHello hands the proven secret to refusals of a hello that verified', () => {
  const roster: Roster = {
    config: { number: 7, digest: 'd'.repeat(64) },
    isMember: (id) => ['a', 'b'].includes(id),
    removedIn: (id) => (id === 'x' ? 5 : null),
  };
  const helloOf = (node: string, withSecret: Uint8Array): HelloFrame =>
    provenHello(
      { cluster: 'k', node, role: 'peer', incarnation: `${node}-1`, cfg: 7, digest: 'd'.repeat(64) },
      withSecret,
      serverNonce,
    );
  const side = {
    peerSecret: secret,
    clientSecrets: [],
    peerSecretForClients: false,
    peerKeys: new Map(),
    cluster: 'k',
    self: 'a',
    roster,
    serverNonce,
  };

  it('a removed member that proved itself: refused, with the secret it proved', () => {
    const verdict = checkHello(helloOf('x', secret), side);
    expect(verdict).toMatchObject({ ok: false, problem: { code: W.REMOVED }, secret });
  });

  it('a hello that did not prove itself: refused, with no secret to prove a refusal with', () => {
    const verdict = checkHello(helloOf('x', new TextEncoder().encode('guess')), side);
    expect(verdict.ok).toBe(false);
    expect(verdict).toMatchObject({ problem: { code: W.AUTH_FAILED } });
    expect('secret' in verdict).toBe(false);
  });

  it('a removed member whose pinned key did not sign its hello: refused, no secret', () => {
    const pinned = { ...side, peerKeys: new Map([['x', parsePublicKey(generateNodeKey().publicKey, 'x')]]) };
    const verdict = checkHello(helloOf('x', secret), pinned);
    expect(verdict).toMatchObject({ ok: false, problem: { code: W.IDENTITY_FAILED } });
    expect('secret' in verdict).toBe(false);
  });
});
