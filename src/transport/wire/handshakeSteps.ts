// The handshake as message steps on a Connection (handshake.ts has the rules and the crypto):
//   accepting side: send challenge → receive hello → check → admit → send welcome
//   dialling side:  receive challenge → send hello → receive welcome → check → admit
// `admit` is the owner's last word (duplicates, tie-break) and registers the link when it
// returns null, synchronously, so two handshakes can never both take the same slot.
import type { KeyObject } from 'node:crypto';
import type { Connection, PeerIdentity } from './connection.js';
import { PROTOCOL_VERSION, type HelloFrame, type Role, type WelcomeFrame } from './frames.js';
import {
  checkHello,
  checkWelcome,
  helloProof,
  helloSignature,
  newNonce,
  welcomeProof,
  welcomeSignature,
  type CheckPeer,
  type Credentials,
} from './handshake.js';
import type { InboundFrame } from './validateFrame.js';
import { CLOSE_CODES, WIRE_ERROR_CODES, codeOfCloseReason, problem, type WireProblem } from './wireErrors.js';

export interface LocalIdentity {
  /** The secret this side proves when it dials: the peer secret of a node, a client's secret. */
  readonly secret: Uint8Array;
  /** This node's Ed25519 private key: it signs its hellos and welcomes. */
  readonly signingKey?: KeyObject | undefined;
  readonly cluster: string;
  readonly self: string;
  readonly role: Role;
  readonly incarnation: string;
  /** Sorted members for peers; empty for clients. */
  readonly members: readonly string[];
  readonly checkPeer?: CheckPeer | undefined;
}

export type HandshakeOutcome =
  { readonly ok: true; readonly peer: PeerIdentity } | { readonly ok: false; readonly problem: WireProblem };

/** Runs the accepting side. Resolves when the connection is admitted or gone. */
export function acceptHandshake(
  conn: Connection,
  me: LocalIdentity & Credentials,
  timeoutMs: number,
  admit: (hello: HelloFrame) => WireProblem | null,
): Promise<HandshakeOutcome> {
  const serverNonce = newNonce();
  return stepThrough(
    conn,
    timeoutMs,
    (frame, finish) => {
      if (frame.t !== 'hello') {
        finish(problem(WIRE_ERROR_CODES.UNEXPECTED_FRAME, `expected hello, got ${frame.t}`));
        return;
      }
      const verdict = checkHello(frame, { ...me, serverNonce });
      const refusal = verdict.ok ? admit(frame) : verdict.problem;
      if (refusal !== null || !verdict.ok) {
        finish(refusal ?? problem(WIRE_ERROR_CODES.AUTH_FAILED, 'refused'));
        return;
      }
      const peer: PeerIdentity = { id: frame.node, role: frame.role, incarnation: frame.incarnation };
      conn.peer = peer;
      const claims = { cluster: me.cluster, node: me.self, incarnation: me.incarnation, dialler: frame.node };
      const welcome: WelcomeFrame = {
        v: PROTOCOL_VERSION,
        t: 'welcome',
        node: me.self,
        incarnation: me.incarnation,
        // Proven with the secret the hello proved: a client learns nothing of the peer secret.
        proof: welcomeProof(verdict.secret, claims, serverNonce, frame.nonce),
        ...(me.signingKey && frame.role === 'peer'
          ? { sig: welcomeSignature(me.signingKey, claims, serverNonce, frame.nonce) }
          : {}),
      };
      conn.send(welcome);
      finish(peer);
    },
    () => conn.send({ v: PROTOCOL_VERSION, t: 'challenge', nonce: serverNonce }),
  );
}

/** Runs the dialling side on a freshly opened connection. */
export function dialHandshake(
  conn: Connection,
  me: LocalIdentity,
  /** The node id expected at this URL; null for clients. */
  expectedPeer: string | null,
  /** The public key pinned for `expectedPeer`, whose signature the welcome must carry. */
  expectedKey: KeyObject | null,
  timeoutMs: number,
  admit: (peer: PeerIdentity) => WireProblem | null,
): Promise<HandshakeOutcome> {
  const clientNonce = newNonce();
  let serverNonce: Uint8Array | null = null;
  return stepThrough(conn, timeoutMs, (frame, finish) => {
    if (serverNonce === null) {
      if (frame.t !== 'challenge') {
        finish(problem(WIRE_ERROR_CODES.UNEXPECTED_FRAME, `expected challenge, got ${frame.t}`));
        return;
      }
      serverNonce = frame.nonce;
      const claims = {
        cluster: me.cluster,
        node: me.self,
        role: me.role,
        incarnation: me.incarnation,
        members: me.members,
      };
      conn.send({
        v: PROTOCOL_VERSION,
        t: 'hello',
        ...claims,
        nonce: clientNonce,
        proof: helloProof(me.secret, claims, serverNonce, clientNonce),
        ...(me.signingKey ? { sig: helloSignature(me.signingKey, claims, serverNonce, clientNonce) } : {}),
      });
      return;
    }
    if (frame.t !== 'welcome') {
      finish(problem(WIRE_ERROR_CODES.UNEXPECTED_FRAME, `expected welcome, got ${frame.t}`));
      return;
    }
    const refusal = checkWelcome(frame, { ...me, expectedPeer, expectedKey, serverNonce, clientNonce });
    const peer: PeerIdentity = { id: frame.node, role: 'peer', incarnation: frame.incarnation };
    const admitted = refusal ?? admit(peer);
    if (admitted !== null) {
      finish(admitted);
      return;
    }
    conn.peer = peer;
    finish(peer);
  });
}

/**
 * Feeds frames to `step` until it finishes with a peer (success) or a problem (the connection
 * is then failed with the problem's close code), or the timeout, or the other side closes.
 */
function stepThrough(
  conn: Connection,
  timeoutMs: number,
  step: (frame: InboundFrame, finish: (result: PeerIdentity | WireProblem) => void) => void,
  begin?: () => void,
): Promise<HandshakeOutcome> {
  return new Promise((resolve) => {
    let done = false;
    const timer = setTimeout(() => {
      finish(problem(WIRE_ERROR_CODES.HANDSHAKE_TIMEOUT, `no handshake within ${timeoutMs} ms`));
    }, timeoutMs);
    timer.unref();
    const finish = (result: PeerIdentity | WireProblem) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if ('code' in result) {
        conn.fail(result, CLOSE_CODES.PROTOCOL_ERROR);
        resolve({ ok: false, problem: result });
      } else {
        resolve({ ok: true, peer: result });
      }
    };
    conn.onFrame((frame) => {
      if (!done) step(frame, finish);
    });
    void conn.closed.then(({ code, reason }) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve({ ok: false, problem: refusalFromClose(code, reason) });
    });
    begin?.();
  });
}

/** The problem the other side stated when it closed during our handshake. */
function refusalFromClose(code: number, reason: string): WireProblem {
  const stated = codeOfCloseReason(reason);
  if (stated !== null) return problem(stated, reason.replace(/^WIRE_ERR_[A-Z_]+: ?/, ''));
  return problem(
    WIRE_ERROR_CODES.CONNECTION_CLOSED,
    `closed during the handshake (code ${code}${reason ? `: ${reason}` : ''})`,
  );
}
