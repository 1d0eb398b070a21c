// The proven refusal (docs/wire-protocol.md "Refusal"): a node refusing a hello that proved itself
// with WIRE_ERR_REMOVED first sends a `refusal` frame that proves itself like a welcome (HMAC
// with the peer secret, and its Ed25519 signature) over both nonces, the refused id, the code and
// the detail; the dialler acts on a refusal (a removed node stops) only when the frame verifies.
// A close reason alone proves nothing: anything that answers at a member's URL can send one.
// Pure but for node:crypto.
import { sign, type KeyObject } from 'node:crypto';
import { PROTOCOL_VERSION, type RefusalFrame } from './frames.js';
import { hmac, proofsEqual, signatureVerifies, transcript, type DiallingSide } from './handshake.js';
import { WIRE_ERROR_CODES, problem, type WireProblem } from './wireErrors.js';

/** The refusals a node proves: those a dialler acts on by itself (it stops when removed). */
export const PROVEN_REFUSALS: readonly string[] = [WIRE_ERROR_CODES.REMOVED];

export interface RefusalClaims {
  readonly cluster: string;
  /** The refusing node. */
  readonly node: string;
  /** The dialler it refuses. */
  readonly dialler: string;
  readonly code: string;
  readonly detail: string;
}

export function refusalProof(
  secret: Uint8Array,
  claims: RefusalClaims,
  serverNonce: Uint8Array,
  clientNonce: Uint8Array,
): Uint8Array {
  // Labels of its own: a hello or welcome proof never passes as a refusal's, nor the reverse.
  return hmac(secret, refusalTranscript('refusal', claims, serverNonce, clientNonce));
}

export function refusalSignature(
  key: KeyObject,
  claims: RefusalClaims,
  serverNonce: Uint8Array,
  clientNonce: Uint8Array,
): Uint8Array {
  return new Uint8Array(
    sign(null, refusalTranscript('refusal-signature', claims, serverNonce, clientNonce), key),
  );
}

function refusalTranscript(
  label: string,
  claims: RefusalClaims,
  serverNonce: Uint8Array,
  clientNonce: Uint8Array,
): Buffer {
  const fields = [claims.cluster, claims.node, claims.dialler, claims.code, claims.detail];
  return transcript(label, fields, serverNonce, clientNonce, undefined);
}

/**
 * The frame refusing `claims.dialler`: proven with the secret its hello proved, signed with this
 * node's key when it has one (a dialler that pinned it requires the signature).
 */
export function refusalFrame(
  secret: Uint8Array,
  signingKey: KeyObject | undefined,
  claims: RefusalClaims,
  serverNonce: Uint8Array,
  clientNonce: Uint8Array,
): RefusalFrame {
  return {
    v: PROTOCOL_VERSION,
    t: 'refusal',
    node: claims.node,
    code: claims.code,
    detail: claims.detail,
    proof: refusalProof(secret, claims, serverNonce, clientNonce),
    ...(signingKey ? { sig: refusalSignature(signingKey, claims, serverNonce, clientNonce) } : {}),
  };
}

/**
 * The dialler's check of a refusal frame, with its own handshake's nonces (so a refusal sent on
 * another connection never verifies): null when the node dialled proved it (the peer secret, and
 * the key pinned for that node when there is one), else why not. Clients act on no refusal.
 */
export function checkRefusal(frame: RefusalFrame, side: DiallingSide): WireProblem | null {
  if (side.expectedPeer === null)
    return problem(WIRE_ERROR_CODES.UNEXPECTED_FRAME, 'a refusal frame on a client connection');
  if (frame.node !== side.expectedPeer)
    return problem(
      WIRE_ERROR_CODES.PEER_MISMATCH,
      `refusal from ${JSON.stringify(frame.node)}, expected ${JSON.stringify(side.expectedPeer)} at this URL`,
    );
  const claims: RefusalClaims = {
    cluster: side.cluster,
    node: frame.node,
    dialler: side.self,
    code: frame.code,
    detail: frame.detail,
  };
  const expected = refusalProof(side.secret, claims, side.serverNonce, side.clientNonce);
  if (!proofsEqual(expected, frame.proof))
    return problem(WIRE_ERROR_CODES.AUTH_FAILED, 'refusal proof does not verify');
  if (
    side.expectedKey !== null &&
    !signatureVerifies(
      side.expectedKey,
      refusalTranscript('refusal-signature', claims, side.serverNonce, side.clientNonce),
      frame.sig,
    )
  )
    return problem(
      WIRE_ERROR_CODES.IDENTITY_FAILED,
      `refusal signature does not verify with the key pinned for ${JSON.stringify(frame.node)}`,
    );
  return null;
}
