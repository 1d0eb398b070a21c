// The handshake's rules, pure: proofs bind the secret, both nonces and every claimed field;
// refusals come in a fixed order; the dialling tie-break is the same on both sides.
import { describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION, type HelloFrame, type WelcomeFrame } from '../../src/transport/wire/frames.js';
import {
  checkHello,
  checkWelcome,
  helloProof,
  helloSignature,
  newNonce,
  welcomeProof,
  welcomeSignature,
  winningDialler,
  type AcceptingSide,
  type HelloClaims,
} from '../../src/transport/wire/handshake.js';
import { WIRE_ERROR_CODES as W, type WireProblem } from '../../src/transport/wire/wireErrors.js';
import { generateNodeKey, parsePublicKey, type NodeKey } from '../../src/base/nodeKey.js';
import type { Roster } from '../../src/transport/wire/roster.js';
import { provenHello } from './helpers.js';

const secret = new TextEncoder().encode('s3cret');
const digest = 'd'.repeat(64);
/** Node a's view: configuration 7 of [a, b, c]; x was removed in configuration 5. */
const roster: Roster = {
  config: { number: 7, digest },
  isMember: (id) => ['a', 'b', 'c'].includes(id),
  removedIn: (id) => (id === 'x' ? 5 : null),
};

function hello(
  claims: Partial<HelloClaims> = {},
  signWith = secret,
  serverNonce: Uint8Array = new Uint8Array(32),
): HelloFrame {
  const full: HelloClaims = {
    cluster: 'k',
    node: 'b',
    role: 'peer',
    incarnation: 'b-1',
    cfg: 7,
    digest,
    ...claims,
  };
  return provenHello(full, signWith, serverNonce);
}

const clientSecret = new TextEncoder().encode('client s3cret');
const side: AcceptingSide = {
  peerSecret: secret,
  clientSecrets: [new TextEncoder().encode('old client secret'), clientSecret],
  peerSecretForClients: false,
  peerKeys: new Map(),
  cluster: 'k',
  self: 'a',
  roster,
  serverNonce: new Uint8Array(32),
};

/** checkHello's refusal, or null when it admits. */
function check(frame: HelloFrame, on: AcceptingSide = side): WireProblem | null {
  const verdict = checkHello(frame, on);
  return verdict.ok ? null : verdict.problem;
}

describe('checkHello', () => {
  it('admits a member that proves the secret', () => {
    expect(check(hello(), side)).toBeNull();
    expect(
      check(hello({ role: 'client', node: 'cli', cfg: undefined, digest: undefined }, clientSecret), side),
    ).toBeNull();
  });

  it('keeps the credentials apart: a client secret never opens a peer link, the peer secret no client session', () => {
    // Issue 17: a client claiming to be member b with its client credential.
    expect(check(hello({}, clientSecret))?.code).toBe(W.AUTH_FAILED);
    expect(
      check(hello({ role: 'client', node: 'cli', cfg: undefined, digest: undefined }, secret)),
    ).toMatchObject({
      code: W.AUTH_FAILED,
      detail: expect.stringMatching(/not a client credential/),
    });
    expect(
      check(hello({ role: 'client', node: 'cli', cfg: undefined, digest: undefined }, secret), {
        ...side,
        peerSecretForClients: true,
      }),
    ).toBeNull();
    // Rotation: every listed client secret is accepted, and the welcome proves the one used.
    const old = checkHello(
      hello(
        { role: 'client', node: 'cli', cfg: undefined, digest: undefined },
        side.clientSecrets[0] as typeof secret,
      ),
      side,
    );
    expect(old.ok && old.secret).toBe(side.clientSecrets[0]);
  });

  it('a member whose key is pinned must sign its hello with that key', () => {
    const b = generateNodeKey();
    const other = generateNodeKey();
    const pinned: AcceptingSide = { ...side, peerKeys: new Map([['b', parsePublicKey(b.publicKey, 'b')]]) };
    const signed = (key: NodeKey | null, serverNonce = side.serverNonce): HelloFrame => {
      const frame = hello({}, secret, serverNonce);
      if (key === null) return frame;
      return { ...frame, sig: helloSignature(key.privateKey, frame, serverNonce, frame.nonce) };
    };
    expect(check(signed(b), pinned)).toBeNull();
    expect(check(signed(null), pinned)?.code).toBe(W.IDENTITY_FAILED);
    expect(check(signed(other), pinned)?.code).toBe(W.IDENTITY_FAILED);
    // A signature is bound to the server's nonce: a recorded hello cannot be replayed.
    expect(check(signed(b, newNonce()), pinned)?.code).toBe(W.AUTH_FAILED);
    const replayed = signed(b, newNonce());
    expect(check({ ...signed(b), sig: replayed.sig } as HelloFrame, pinned)?.code).toBe(W.IDENTITY_FAILED);
  });

  it('refuses, in order: wrong secret, wrong cluster, own id, configuration, membership, incarnation', () => {
    expect(check(hello({ cluster: 'other' }, new TextEncoder().encode('guess')), side)?.code).toBe(
      W.AUTH_FAILED,
    );
    expect(check(hello({ cluster: 'other' }), side)?.code).toBe(W.WRONG_CLUSTER);
    expect(check(hello({ node: 'a' }), side)?.code).toBe(W.UNKNOWN_NODE);
    // Same configuration number, another record: never admitted, even for a member.
    expect(check(hello({ digest: 'e'.repeat(64) }), side)?.code).toBe(W.CONFIG_CONFLICT);
    expect(check(hello({ node: 'x', digest: 'e'.repeat(64) }), side)?.code).toBe(W.CONFIG_CONFLICT);
    // Member lists may differ for a while: another configuration number is admitted (§5.4).
    expect(check(hello({ cfg: 3, digest: 'e'.repeat(64) }), side)).toBeNull();
    expect(check(hello({ cfg: 9, digest: 'e'.repeat(64) }), side)).toBeNull();
    expect(check(hello({ node: 'x' }), side)).toEqual({
      code: W.REMOVED,
      detail: 'PAXOS_ERR_REMOVED: node x was removed in configuration 5',
    });
    expect(check(hello({ node: 'x', cfg: 4 }), side)?.code).toBe(W.REMOVED);
    expect(check(hello({ node: 'z' }), side)).toEqual({
      code: W.UNKNOWN_NODE,
      detail: '"z" was never a member (configuration 7)',
    });
    expect(check(hello({ node: 'z', cfg: undefined, digest: undefined }), side)).toEqual({
      code: W.NOT_A_MEMBER,
      detail: 'PAXOS_ERR_NOT_A_MEMBER: z is not in configuration 7: add it first with gen-paxos member add',
    });
    // Unknown here but on a newer configuration: maybe added there; the node fetches that chain.
    expect(check(hello({ node: 'z', cfg: 8 }), side)).toBeNull();
    // A node removed itself links nobody, and says so with a code of its own: the dialler (a
    // member, or even a node removed too) must not take it for its own removal.
    const removedItself = { ...side, roster: { ...roster, selfRemovedIn: 9 } };
    for (const dialler of [hello(), hello({ node: 'x' })])
      expect(check(dialler, removedItself)).toEqual({
        code: W.PEER_REMOVED,
        detail: 'this node was removed in configuration 9: it links nobody',
      });
    // A node without a configuration (joining) admits any peer that proves the secret.
    expect(check(hello({ node: 'z' }), { ...side, roster: { ...roster, config: null } })).toBeNull();
    const refuseB1 = (peer: string, incarnation: string) =>
      incarnation === 'b-1' ? `${peer} lost its disk` : null;
    expect(check(hello(), { ...side, checkPeer: refuseB1 })).toEqual({
      code: W.INCARNATION_REFUSED,
      detail: 'b lost its disk',
    });
    expect(check(hello({ incarnation: 'b-2' }), { ...side, checkPeer: refuseB1 })).toBeNull();
  });

  it('a proof is bound to the nonce and to every field', () => {
    expect(check(hello({}, secret, newNonce()), side)?.code).toBe(W.AUTH_FAILED);
    const tampered = { ...hello(), node: 'c' };
    expect(check(tampered, side)?.code).toBe(W.AUTH_FAILED);
    const replayedIncarnation = { ...hello(), incarnation: 'b-0' };
    expect(check(replayedIncarnation, side)?.code).toBe(W.AUTH_FAILED);
    // The configuration too (protocol v2): nobody can make a removed node look current, or drop it.
    expect(check({ ...hello({ node: 'x', cfg: 9 }), cfg: 4 }, side)?.code).toBe(W.AUTH_FAILED);
    const { cfg: _cfg, digest: _digest, ...unannounced } = hello({ cfg: 9 });
    expect(check(unannounced, side)?.code).toBe(W.AUTH_FAILED);
  });

  it('the incarnation records are covered by the proof: none can be forged, changed or dropped', () => {
    const gossip = hello({ incarnations: [['c', 'c-1']] });
    expect(check(gossip, side)).toBeNull();
    expect(check({ ...gossip, incarnations: [['c', 'c-2']] }, side)?.code).toBe(W.AUTH_FAILED);
    expect(check({ ...gossip, incarnations: [['c', null]] }, side)?.code).toBe(W.AUTH_FAILED);
    expect(check({ ...gossip, incarnations: [] }, side)?.code).toBe(W.AUTH_FAILED);
    const { incarnations: _dropped, ...stripped } = gossip;
    expect(check(stripped, side)?.code).toBe(W.AUTH_FAILED);
    // Nor smuggled into a hello proven without them.
    expect(check({ ...hello(), incarnations: [['c', 'c-2']] }, side)?.code).toBe(W.AUTH_FAILED);
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
  const dialler = {
    secret,
    cluster: 'k',
    self: 'a',
    expectedPeer: 'b',
    expectedKey: null,
    serverNonce,
    clientNonce,
  };

  it('accepts the expected node proving the secret', () => {
    expect(checkWelcome(welcome('b'), dialler)).toBeNull();
  });

  it('refuses a welcome under the same configuration number with another record', () => {
    const claims = { cluster: 'k', node: 'b', incarnation: 'b-1', dialler: 'a', cfg: 7 };
    const under = (d: string): WelcomeFrame => ({
      ...welcome('b'),
      cfg: 7,
      digest: d,
      proof: welcomeProof(secret, { ...claims, digest: d }, serverNonce, clientNonce),
    });
    expect(checkWelcome(under(digest), { ...dialler, roster })).toBeNull();
    expect(checkWelcome(under('e'.repeat(64)), { ...dialler, roster })?.code).toBe(W.CONFIG_CONFLICT);
    // Covered by the proof: the number cannot be changed in flight.
    expect(checkWelcome({ ...under(digest), cfg: 8 }, { ...dialler, roster })?.code).toBe(W.AUTH_FAILED);
  });

  it('refuses a node without the secret, another node at the URL, a refused incarnation', () => {
    expect(checkWelcome(welcome('b', new TextEncoder().encode('guess')), dialler)?.code).toBe(W.AUTH_FAILED);
    expect(checkWelcome(welcome('c'), dialler)?.code).toBe(W.PEER_MISMATCH);
    expect(checkWelcome(welcome('b'), { ...dialler, checkPeer: () => 'no' })?.code).toBe(
      W.INCARNATION_REFUSED,
    );
  });

  it('a node whose key is pinned must sign its welcome: an impostor at its URL is refused', () => {
    const b = generateNodeKey();
    const pinned = { ...dialler, expectedKey: parsePublicKey(b.publicKey, 'b') };
    const claims = { cluster: 'k', node: 'b', incarnation: 'b-1', dialler: 'a' };
    const signed = { ...welcome('b'), sig: welcomeSignature(b.privateKey, claims, serverNonce, clientNonce) };
    expect(checkWelcome(signed, pinned)).toBeNull();
    expect(checkWelcome(welcome('b'), pinned)?.code).toBe(W.IDENTITY_FAILED);
    const impostor = generateNodeKey();
    const forged = {
      ...welcome('b'),
      sig: welcomeSignature(impostor.privateKey, claims, serverNonce, clientNonce),
    };
    expect(checkWelcome(forged, pinned)?.code).toBe(W.IDENTITY_FAILED);
  });

  it("the welcome's incarnation records are covered by its proof", () => {
    const claims = {
      cluster: 'k',
      node: 'b',
      incarnation: 'b-1',
      dialler: 'a',
      incarnations: [['c', 'c-1']] as const,
    };
    const gossip: WelcomeFrame = {
      ...welcome('b'),
      incarnations: claims.incarnations,
      proof: welcomeProof(secret, claims, serverNonce, clientNonce),
    };
    expect(checkWelcome(gossip, dialler)).toBeNull();
    expect(checkWelcome({ ...gossip, incarnations: [['c', 'c-2']] }, dialler)?.code).toBe(W.AUTH_FAILED);
    const { incarnations: _dropped, ...stripped } = gossip;
    expect(checkWelcome(stripped, dialler)?.code).toBe(W.AUTH_FAILED);
  });

  it('a hello proof never passes as a welcome proof', () => {
    const claims: HelloClaims = { cluster: 'k', node: 'b', role: 'peer', incarnation: 'b-1', cfg: 7, digest };
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
