// The handshake's cryptography and admission rules (docs/wire-protocol.md, "Handshake").
// challenge(server nonce) → hello(fields, client nonce, proof) → welcome(server proof): each
// side proves knowledge of the cluster secret with an HMAC-SHA256 over both nonces and every
// field it claims, so the secret never travels and no field can be swapped in flight.
// Pure but for node:crypto (random nonces, HMAC, constant-time compare).
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { NONCE_BYTES, PROTOCOL_VERSION, type HelloFrame, type Role, type WelcomeFrame } from './frames.js';
import { WIRE_ERROR_CODES, problem, type WireProblem } from './wireErrors.js';

/** Refusal reason of the durability layer's hook, or null to admit the peer. */
export type CheckPeer = (peerId: string, incarnation: string) => string | null;

export function newNonce(): Uint8Array {
  return new Uint8Array(randomBytes(NONCE_BYTES));
}

export interface HelloClaims {
  readonly cluster: string;
  readonly node: string;
  readonly role: Role;
  readonly incarnation: string;
  readonly members: readonly string[];
}

export function helloProof(
  secret: Uint8Array,
  claims: HelloClaims,
  serverNonce: Uint8Array,
  clientNonce: Uint8Array,
): Uint8Array {
  return hmac(secret, [
    `gen-paxos/hello/v${PROTOCOL_VERSION}`,
    claims.cluster,
    claims.node,
    claims.role,
    claims.incarnation,
    claims.members,
    hex(serverNonce),
    hex(clientNonce),
  ]);
}

export interface WelcomeClaims {
  readonly cluster: string;
  /** The accepting node. */
  readonly node: string;
  readonly incarnation: string;
  /** The dialler it welcomes. */
  readonly dialler: string;
}

export function welcomeProof(
  secret: Uint8Array,
  claims: WelcomeClaims,
  serverNonce: Uint8Array,
  clientNonce: Uint8Array,
): Uint8Array {
  // A different label from hello's, so a hello proof can never pass as a welcome proof.
  return hmac(secret, [
    `gen-paxos/welcome/v${PROTOCOL_VERSION}`,
    claims.cluster,
    claims.node,
    claims.incarnation,
    claims.dialler,
    hex(serverNonce),
    hex(clientNonce),
  ]);
}

/** Constant-time comparison of two proofs. */
export function proofsEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && timingSafeEqual(a, b);
}

export interface AcceptingSide {
  readonly secret: Uint8Array;
  readonly cluster: string;
  readonly self: string;
  /** Sorted. */
  readonly members: readonly string[];
  readonly serverNonce: Uint8Array;
  readonly checkPeer?: CheckPeer | undefined;
}

/**
 * The accepting side's checks of a hello, in this order: the proof first (so a party without
 * the secret learns nothing about the cluster), then cluster, node id, members, incarnation.
 * Duplicates and the dialling tie-break need the registry of links: see linkRegistry.ts.
 */
export function checkHello(hello: HelloFrame, side: AcceptingSide): WireProblem | null {
  const expected = helloProof(side.secret, hello, side.serverNonce, hello.nonce);
  if (!proofsEqual(expected, hello.proof))
    return problem(WIRE_ERROR_CODES.AUTH_FAILED, 'hello proof does not verify: wrong cluster secret');
  if (hello.cluster !== side.cluster)
    return problem(
      WIRE_ERROR_CODES.WRONG_CLUSTER,
      `cluster ${JSON.stringify(hello.cluster)} is not ${JSON.stringify(side.cluster)}`,
    );
  if (hello.role === 'client') return null;
  if (hello.node === side.self || !side.members.includes(hello.node))
    return problem(
      WIRE_ERROR_CODES.UNKNOWN_NODE,
      `${JSON.stringify(hello.node)} is not a peer of ${JSON.stringify(side.self)}`,
    );
  if (hello.members.join('\u0000') !== side.members.join('\u0000'))
    return problem(
      WIRE_ERROR_CODES.MEMBERS_MISMATCH,
      `members [${hello.members.join(',')}] differ from [${side.members.join(',')}]`,
    );
  return checkIncarnation(side.checkPeer, hello.node, hello.incarnation);
}

export interface DiallingSide {
  readonly secret: Uint8Array;
  readonly cluster: string;
  readonly self: string;
  /** The node id the dialled URL belongs to; null for clients, which accept any node. */
  readonly expectedPeer: string | null;
  readonly serverNonce: Uint8Array;
  readonly clientNonce: Uint8Array;
  readonly checkPeer?: CheckPeer | undefined;
}

/** The dialling side's checks of a welcome: the server's proof, its id, its incarnation. */
export function checkWelcome(welcome: WelcomeFrame, side: DiallingSide): WireProblem | null {
  const claims: WelcomeClaims = {
    cluster: side.cluster,
    node: welcome.node,
    incarnation: welcome.incarnation,
    dialler: side.self,
  };
  const expected = welcomeProof(side.secret, claims, side.serverNonce, side.clientNonce);
  if (!proofsEqual(expected, welcome.proof))
    return problem(
      WIRE_ERROR_CODES.AUTH_FAILED,
      'welcome proof does not verify: the node does not know the secret',
    );
  if (side.expectedPeer === null) return null;
  if (welcome.node !== side.expectedPeer)
    return problem(
      WIRE_ERROR_CODES.PEER_MISMATCH,
      `expected node ${JSON.stringify(side.expectedPeer)} at this URL, found ${JSON.stringify(welcome.node)}`,
    );
  return checkIncarnation(side.checkPeer, welcome.node, welcome.incarnation);
}

function checkIncarnation(
  checkPeer: CheckPeer | undefined,
  peer: string,
  incarnation: string,
): WireProblem | null {
  if (!checkPeer) return null;
  const reason = checkPeer(peer, incarnation);
  return reason === null ? null : problem(WIRE_ERROR_CODES.INCARNATION_REFUSED, reason);
}

/**
 * Both nodes may dial each other at once; each keeps the link dialled by the smaller node id
 * (UTF-16 order) and closes the other with LINK_SUPERSEDED. Both sides apply the same rule to
 * the same pair, so they converge on the same single link whatever the timing.
 */
export function winningDialler(a: string, b: string): string {
  return a < b ? a : b;
}

function hmac(secret: Uint8Array, parts: readonly unknown[]): Uint8Array {
  return new Uint8Array(createHmac('sha256', secret).update(JSON.stringify(parts)).digest());
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}
