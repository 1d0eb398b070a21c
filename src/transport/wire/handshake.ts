// The handshake's cryptography and admission rules (docs/wire-protocol.md, "Handshake";
// docs/security.md). challenge(server nonce) → hello(fields, client nonce, proof[, sig]) →
// welcome(server proof[, sig]): each side proves knowledge of a secret with an HMAC-SHA256 over
// both nonces and every field it claims, so no secret travels and no field can be swapped in
// flight. Peers prove the peer secret, clients one of the client secrets: a client credential
// never opens a peer link. A member whose public key is pinned also signs the same transcript
// with its Ed25519 key, so not even another member can pose as it.
// Pure but for node:crypto (random nonces, HMAC, signatures, constant-time compare).
import { createHmac, randomBytes, sign, timingSafeEqual, verify, type KeyObject } from 'node:crypto';
import {
  NONCE_BYTES,
  PROTOCOL_VERSION,
  type HelloFrame,
  type IncarnationRecord,
  type Role,
  type WelcomeFrame,
} from './frames.js';
import { WIRE_ERROR_CODES, problem, type WireProblem } from './wireErrors.js';
import { checkConfigConflict, checkMember, type Roster } from './roster.js';

/** Refusal reason of the durability layer's hook, or null to admit the peer. */
export type CheckPeer = (peerId: string, incarnation: string) => string | null;

/**
 * A durable node's incarnation gossip (src/storage/incarnationGossip.ts): what it sends in its
 * hello or welcome, what it makes of a member's records, and when its records are durable.
 */
export interface IncarnationGossip {
  /** Every record this node holds for its peers, sorted by id. */
  records(): IncarnationRecord[];
  /** Merges the records of `from` (it passed every other check); a refusal reason if they say this node forgot. */
  learn(from: string, records: readonly IncarnationRecord[]): string | null;
  /** Null when every record is durable; else when they will be. */
  settled(): Promise<void> | null;
}

export function newNonce(): Uint8Array {
  return new Uint8Array(randomBytes(NONCE_BYTES));
}

export interface HelloClaims {
  readonly cluster: string;
  readonly node: string;
  readonly role: Role;
  readonly incarnation: string;
  /** The sender's configuration number and digest (peers with one; docs/membership.md §5.1). */
  readonly cfg?: number | undefined;
  readonly digest?: string | undefined;
  /** Covered by the proof when present, so no record can be forged or dropped in flight. */
  readonly incarnations?: readonly IncarnationRecord[] | undefined;
}

export function helloProof(
  secret: Uint8Array,
  claims: HelloClaims,
  serverNonce: Uint8Array,
  clientNonce: Uint8Array,
): Uint8Array {
  return hmac(secret, helloTranscript('hello', claims, serverNonce, clientNonce));
}

/** The member's Ed25519 signature over the same transcript (another label: never an HMAC input). */
export function helloSignature(
  key: KeyObject,
  claims: HelloClaims,
  serverNonce: Uint8Array,
  clientNonce: Uint8Array,
): Uint8Array {
  return new Uint8Array(
    sign(null, helloTranscript('hello-signature', claims, serverNonce, clientNonce), key),
  );
}

function helloTranscript(
  label: string,
  claims: HelloClaims,
  serverNonce: Uint8Array,
  clientNonce: Uint8Array,
): Buffer {
  const fields = [
    claims.cluster,
    claims.node,
    claims.role,
    claims.incarnation,
    claims.cfg ?? null,
    claims.digest ?? null,
  ];
  return transcript(label, fields, serverNonce, clientNonce, claims.incarnations);
}

/**
 * What a proof or signature covers: the label, the claims, both nonces, and the incarnation
 * records appended only when present, so a handshake without records proves exactly as before.
 * Each kind of proof has labels of its own (handshakeRefusal.ts uses it too), so none passes as another.
 */
export function transcript(
  label: string,
  fields: readonly unknown[],
  serverNonce: Uint8Array,
  clientNonce: Uint8Array,
  incarnations: readonly IncarnationRecord[] | undefined,
): Buffer {
  return Buffer.from(
    JSON.stringify([
      `gen-paxos/${label}/v${PROTOCOL_VERSION}`,
      ...fields,
      hex(serverNonce),
      hex(clientNonce),
      ...(incarnations !== undefined ? [incarnations] : []),
    ]),
  );
}

export interface WelcomeClaims {
  readonly cluster: string;
  /** The accepting node. */
  readonly node: string;
  readonly incarnation: string;
  /** The dialler it welcomes. */
  readonly dialler: string;
  /** The accepting node's configuration number and digest, to a peer. */
  readonly cfg?: number | undefined;
  readonly digest?: string | undefined;
  /** The accepting node's incarnation records, covered by the proof when present. */
  readonly incarnations?: readonly IncarnationRecord[] | undefined;
}

export function welcomeProof(
  secret: Uint8Array,
  claims: WelcomeClaims,
  serverNonce: Uint8Array,
  clientNonce: Uint8Array,
): Uint8Array {
  // A different label from hello's, so a hello proof can never pass as a welcome proof.
  return hmac(secret, welcomeTranscript('welcome', claims, serverNonce, clientNonce));
}

export function welcomeSignature(
  key: KeyObject,
  claims: WelcomeClaims,
  serverNonce: Uint8Array,
  clientNonce: Uint8Array,
): Uint8Array {
  return new Uint8Array(
    sign(null, welcomeTranscript('welcome-signature', claims, serverNonce, clientNonce), key),
  );
}

function welcomeTranscript(
  label: string,
  claims: WelcomeClaims,
  serverNonce: Uint8Array,
  clientNonce: Uint8Array,
): Buffer {
  const fields = [
    claims.cluster,
    claims.node,
    claims.incarnation,
    claims.dialler,
    claims.cfg ?? null,
    claims.digest ?? null,
  ];
  return transcript(label, fields, serverNonce, clientNonce, claims.incarnations);
}

/** Whether `signature` is `key`'s Ed25519 signature of `transcript`; false for a missing or malformed one. */
export function signatureVerifies(
  key: KeyObject,
  transcript: Buffer,
  signature: Uint8Array | undefined,
): boolean {
  if (signature === undefined) return false;
  try {
    return verify(null, transcript, key, signature);
  } catch {
    return false;
  }
}

/** Constant-time comparison of two proofs. */
export function proofsEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && timingSafeEqual(a, b);
}

/** Who may open which kind of session on the accepting side. */
export interface Credentials {
  /** Members prove this one: it opens peer links only. */
  readonly peerSecret: Uint8Array;
  /** Clients prove one of these (several, for rotation): they open client sessions only. */
  readonly clientSecrets: readonly Uint8Array[];
  /** Accept the peer secret for client sessions too (an explicit opt-in; tests and demos). */
  readonly peerSecretForClients: boolean;
  /** Members' pinned public keys: a member listed here must sign its hello. */
  readonly peerKeys: ReadonlyMap<string, KeyObject>;
}

export interface AcceptingSide extends Credentials {
  readonly cluster: string;
  readonly self: string;
  /** The group as this node knows it; without one, any authenticated peer is admitted. */
  readonly roster?: Roster | undefined;
  readonly serverNonce: Uint8Array;
  readonly checkPeer?: CheckPeer | undefined;
}

/**
 * The secret a hello proved (the welcome proves the same one back), or why it is refused; a hello
 * refused after its proof (and signature, where a key is pinned) verified carries the secret it
 * proved too, so that the refusal can prove itself back (handshakeRefusal.ts).
 */
export type HelloVerdict =
  | { readonly ok: true; readonly secret: Uint8Array }
  | { readonly ok: false; readonly problem: WireProblem; readonly secret?: Uint8Array };

/**
 * The accepting side's checks of a hello, in this order: the proof first (so a party without
 * a credential learns nothing about the cluster), then cluster, node id, configuration conflict,
 * the member's signature, membership (roster.ts), incarnation. A peer hello verifies only with the peer secret, a client hello only
 * with a client secret (or the peer secret, where allowed). Duplicates and the dialling
 * tie-break need the registry of links: see webSocketTransport.ts.
 */
export function checkHello(hello: HelloFrame, side: AcceptingSide): HelloVerdict {
  const proves = (secret: Uint8Array) =>
    proofsEqual(helloProof(secret, hello, side.serverNonce, hello.nonce), hello.proof);
  let secret: Uint8Array | undefined;
  if (hello.role === 'peer') {
    if (proves(side.peerSecret)) secret = side.peerSecret;
  } else {
    secret = side.clientSecrets.find(proves);
    if (secret === undefined && proves(side.peerSecret)) {
      if (!side.peerSecretForClients)
        return refuse(
          WIRE_ERROR_CODES.AUTH_FAILED,
          'the peer secret is not a client credential on this node: use a client secret',
        );
      secret = side.peerSecret;
    }
  }
  if (secret === undefined)
    return refuse(
      WIRE_ERROR_CODES.AUTH_FAILED,
      `hello proof does not verify: wrong ${hello.role === 'peer' ? 'peer' : 'client'} secret`,
    );
  if (hello.cluster !== side.cluster)
    return refuse(
      WIRE_ERROR_CODES.WRONG_CLUSTER,
      `cluster ${JSON.stringify(hello.cluster)} is not ${JSON.stringify(side.cluster)}`,
    );
  if (hello.role === 'client') return { ok: true, secret };
  if (hello.node === side.self)
    return refuse(
      WIRE_ERROR_CODES.UNKNOWN_NODE,
      `${JSON.stringify(hello.node)} is not a peer of ${JSON.stringify(side.self)}`,
    );
  const conflict = checkConfigConflict(hello, side.roster);
  if (conflict !== null) return { ok: false, problem: conflict };
  const key = side.peerKeys.get(hello.node);
  if (
    key !== undefined &&
    !signatureVerifies(
      key,
      helloTranscript('hello-signature', hello, side.serverNonce, hello.nonce),
      hello.sig,
    )
  )
    return refuse(
      WIRE_ERROR_CODES.IDENTITY_FAILED,
      `hello signature does not verify with the key pinned for ${JSON.stringify(hello.node)}`,
    );
  // From here on the hello proved who sent it: a refusal can be proven back to it.
  const membership = checkMember(hello.node, hello, side.roster);
  if (membership !== null) return { ok: false, problem: membership, secret };
  const incarnation = checkIncarnation(side.checkPeer, hello.node, hello.incarnation);
  return incarnation === null ? { ok: true, secret } : { ok: false, problem: incarnation, secret };
}

function refuse(code: WireProblem['code'], detail: string): HelloVerdict {
  return { ok: false, problem: problem(code, detail) };
}

export interface DiallingSide {
  readonly secret: Uint8Array;
  readonly cluster: string;
  readonly self: string;
  /** The node id the dialled URL belongs to; null for clients, which accept any node. */
  readonly expectedPeer: string | null;
  /** The public key pinned for `expectedPeer`: its welcome must be signed by it. */
  readonly expectedKey: KeyObject | null;
  readonly serverNonce: Uint8Array;
  readonly clientNonce: Uint8Array;
  readonly checkPeer?: CheckPeer | undefined;
  /** The group as the dialling node knows it: a welcome under a conflicting configuration is refused. */
  readonly roster?: Roster | undefined;
}

/**
 * The dialling side's checks of a welcome: the server's proof, its id, signature, configuration
 * conflict, incarnation.
 */
export function checkWelcome(welcome: WelcomeFrame, side: DiallingSide): WireProblem | null {
  const claims: WelcomeClaims = {
    cluster: side.cluster,
    node: welcome.node,
    incarnation: welcome.incarnation,
    dialler: side.self,
    cfg: welcome.cfg,
    digest: welcome.digest,
    incarnations: welcome.incarnations,
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
  if (
    side.expectedKey !== null &&
    !signatureVerifies(
      side.expectedKey,
      welcomeTranscript('welcome-signature', claims, side.serverNonce, side.clientNonce),
      welcome.sig,
    )
  )
    return problem(
      WIRE_ERROR_CODES.IDENTITY_FAILED,
      `welcome signature does not verify with the key pinned for ${JSON.stringify(welcome.node)}`,
    );
  const conflict = checkConfigConflict(welcome, side.roster);
  if (conflict !== null) return conflict;
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

export function hmac(secret: Uint8Array, transcript: Buffer): Uint8Array {
  return new Uint8Array(createHmac('sha256', secret).update(transcript).digest());
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}
