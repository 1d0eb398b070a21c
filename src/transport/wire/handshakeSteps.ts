// The handshake as message steps on a Connection (handshake.ts has the rules and the crypto):
//   accepting side: send challenge → receive hello → check → admit → send welcome
//   dialling side:  receive challenge → send hello → receive welcome → check → admit
// A hello that proved itself and is refused as removed gets a proven refusal frame before the
// close (handshakeRefusal.ts); the dialler reports a refusal that verifies as authenticated.
// `admit` is the owner's last word (duplicates, tie-break) and registers the link when it
// returns null, synchronously, so two handshakes can never both take the same slot.
// Incarnation gossip (durable nodes): each side sends its records, merges the other's, and when
// that (or a first contact) made new records, waits until they are durable before the link is
// admitted: no vote crosses a link whose incarnation could be forgotten in a crash.
import type { KeyObject } from 'node:crypto';
import type { Connection, PeerIdentity } from './connection.js';
import {
  PROTOCOL_VERSION,
  type HelloFrame,
  type IncarnationRecord,
  type Role,
  type WelcomeFrame,
} from './frames.js';
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
  type IncarnationGossip,
} from './handshake.js';
import { PROVEN_REFUSALS, checkRefusal, refusalFrame } from './handshakeRefusal.js';
import type { InboundFrame } from './validateFrame.js';
import type { Roster } from './roster.js';
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
  /** Ignored since protocol version 2 (the handshake carries the configuration instead). */
  readonly members?: readonly string[];
  /** A node's view of its group: announced in its hellos and welcomes, and checked (roster.ts). */
  readonly roster?: Roster | undefined;
  readonly checkPeer?: CheckPeer | undefined;
  /** A durable node's incarnation gossip; peers only. */
  readonly gossip?: IncarnationGossip | undefined;
}

export type HandshakeOutcome =
  | { readonly ok: true; readonly peer: PeerIdentity }
  | {
      readonly ok: false;
      readonly problem: WireProblem;
      /** The other side's refusal, proven by a refusal frame that verified (dialling side only). */
      readonly authenticated?: true;
    };

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
    (frame, step) => {
      if (frame.t !== 'hello') {
        step.finish(problem(WIRE_ERROR_CODES.UNEXPECTED_FRAME, `expected hello, got ${frame.t}`));
        return;
      }
      const verdict = checkHello(frame, { ...me, serverNonce });
      if (!verdict.ok) {
        if (verdict.secret !== undefined)
          proveRefusal(conn, me, frame, verdict.secret, serverNonce, verdict.problem);
        step.finish(verdict.problem);
        return;
      }
      const gossip = frame.role === 'peer' ? me.gossip : undefined;
      const welcome = () => {
        const refusal = admit(frame);
        if (refusal !== null) {
          // The hello verified: a refusal by the owner (the roster changed meanwhile) is proven too.
          proveRefusal(conn, me, frame, verdict.secret, serverNonce, refusal);
          step.finish(refusal);
          return;
        }
        const peer = identityOf(frame.node, frame.role, frame.incarnation, frame.cfg);
        conn.peer = peer;
        // Records go back only to a dialler that sent its own (it speaks gossip, and proves them).
        const incarnations = gossip && frame.incarnations !== undefined ? gossip.records() : undefined;
        const config = frame.role === 'peer' ? announced(me) : {};
        const claims = {
          cluster: me.cluster,
          node: me.self,
          incarnation: me.incarnation,
          dialler: frame.node,
          ...config,
          ...(incarnations ? { incarnations } : {}),
        };
        conn.send({
          v: PROTOCOL_VERSION,
          t: 'welcome',
          node: me.self,
          incarnation: me.incarnation,
          ...config,
          ...(incarnations ? { incarnations } : {}),
          // Proven with the secret the hello proved: a client learns nothing of the peer secret.
          proof: welcomeProof(verdict.secret, claims, serverNonce, frame.nonce),
          ...(me.signingKey && frame.role === 'peer'
            ? { sig: welcomeSignature(me.signingKey, claims, serverNonce, frame.nonce) }
            : {}),
        } satisfies WelcomeFrame);
        step.finish(peer);
      };
      // The dialler sends nothing more before the welcome: a frame while we wait is refused.
      afterGossip(step, me, gossip, frame.node, frame.incarnation, frame.incarnations, welcome, 'refuse');
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
  return stepThrough(conn, timeoutMs, (frame, step) => {
    if (serverNonce === null) {
      if (frame.t !== 'challenge') {
        step.finish(problem(WIRE_ERROR_CODES.UNEXPECTED_FRAME, `expected challenge, got ${frame.t}`));
        return;
      }
      serverNonce = frame.nonce;
      const incarnations = me.role === 'peer' ? me.gossip?.records() : undefined;
      const claims = {
        cluster: me.cluster,
        node: me.self,
        role: me.role,
        incarnation: me.incarnation,
        ...(me.role === 'peer' ? announced(me) : {}),
        ...(incarnations ? { incarnations } : {}),
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
    const dialling = { ...me, expectedPeer, expectedKey, serverNonce, clientNonce };
    if (frame.t === 'refusal') {
      const wrong = checkRefusal(frame, dialling);
      // One that does not verify proves nothing: counted, logged, and the close says the rest.
      if (wrong !== null) conn.record(problem(wrong.code, `refusal frame ignored: ${wrong.detail}`));
      // validateFrame admits known WIRE_ERR_* codes only.
      else step.refused(problem(frame.code as WireProblem['code'], frame.detail));
      return;
    }
    if (frame.t !== 'welcome') {
      step.finish(problem(WIRE_ERROR_CODES.UNEXPECTED_FRAME, `expected welcome, got ${frame.t}`));
      return;
    }
    const refusal = checkWelcome(frame, dialling);
    if (refusal !== null) {
      step.finish(refusal);
      return;
    }
    const peer = identityOf(frame.node, 'peer', frame.incarnation, frame.cfg);
    const open = () => {
      const admitted = admit(peer);
      if (admitted !== null) {
        step.finish(admitted);
        return;
      }
      conn.peer = peer;
      step.finish(peer);
    };
    // The server's link is up already and may send at once: hold its frames for our link.
    const gossip = expectedPeer === null ? undefined : me.gossip;
    afterGossip(step, me, gossip, frame.node, frame.incarnation, frame.incarnations, open, 'hold');
  });
}

/**
 * Sends the proven refusal of a peer's hello that verified, before the close that carries the
 * same code: for the refusals a dialler acts on by itself (PROVEN_REFUSALS), nothing else.
 */
function proveRefusal(
  conn: Connection,
  me: LocalIdentity,
  hello: HelloFrame,
  secret: Uint8Array,
  serverNonce: Uint8Array,
  refusal: WireProblem,
): void {
  if (hello.role !== 'peer' || !PROVEN_REFUSALS.includes(refusal.code)) return;
  const claims = {
    cluster: me.cluster,
    node: me.self,
    dialler: hello.node,
    code: refusal.code,
    detail: refusal.detail,
  };
  conn.send(refusalFrame(secret, me.signingKey, claims, serverNonce, hello.nonce));
}

/** The configuration `me` announces: its number and digest, or nothing while it has none. */
function announced(me: LocalIdentity): { cfg?: number; digest?: string } {
  const config = me.roster?.config ?? null;
  return config === null ? {} : { cfg: config.number, digest: config.digest };
}

function identityOf(id: string, role: Role, incarnation: string, cfg: number | undefined): PeerIdentity {
  return { id, role, incarnation, ...(cfg !== undefined ? { cfg } : {}) };
}

/**
 * Merges the other side's records, then runs `admit` once every record is durable: at once when
 * nothing new was recorded (the usual reconnect), else after the writes, checking the peer's
 * incarnation again (gossip from another link may have disputed it meanwhile).
 */
function afterGossip(
  step: Step,
  me: LocalIdentity,
  gossip: IncarnationGossip | undefined,
  peer: string,
  incarnation: string,
  records: readonly IncarnationRecord[] | undefined,
  admit: () => void,
  framesMeanwhile: 'hold' | 'refuse',
): void {
  if (gossip === undefined) {
    admit();
    return;
  }
  const forgot = records === undefined ? null : gossip.learn(peer, records);
  if (forgot !== null) {
    step.finish(problem(WIRE_ERROR_CODES.INCARNATION_REFUSED, forgot));
    return;
  }
  const settling = gossip.settled();
  if (settling === null) {
    admit();
    return;
  }
  step.wait(framesMeanwhile);
  settling.then(
    () => {
      if (step.isDone()) return;
      const refusal = me.checkPeer?.(peer, incarnation) ?? null;
      if (refusal !== null) step.finish(problem(WIRE_ERROR_CODES.INCARNATION_REFUSED, refusal));
      else admit();
    },
    (error: unknown) =>
      step.finish(
        problem(
          WIRE_ERROR_CODES.INCARNATION_REFUSED,
          `this node could not record incarnations durably: ${error instanceof Error ? error.message : String(error)}`,
        ),
      ),
  );
}

/** What a handshake step may do with its connection's progress. */
interface Step {
  /** Ends the handshake: admitted (a peer) or refused (a problem, which closes the connection). */
  finish(result: PeerIdentity | WireProblem): void;
  /** While waiting for durable records: hold later frames for the link, or refuse them. */
  wait(framesMeanwhile: 'hold' | 'refuse'): void;
  /**
   * Ends the handshake with the other side's refusal, proven by its refusal frame: this side
   * closes (the other closes too, with the refusal's code), nothing is counted as its problem.
   */
  refused(refusal: WireProblem): void;
  isDone(): boolean;
}

/**
 * Feeds frames to `step` until it finishes with a peer (success) or a problem (the connection
 * is then failed with the problem's close code), or the timeout, or the other side closes.
 * Frames held while the step waited go to the connection's new handler (the link's) on success.
 */
function stepThrough(
  conn: Connection,
  timeoutMs: number,
  step: (frame: InboundFrame, progress: Step) => void,
  begin?: () => void,
): Promise<HandshakeOutcome> {
  return new Promise((resolve) => {
    let done = false;
    let waiting: 'hold' | 'refuse' | null = null;
    const held: InboundFrame[] = [];
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
        for (const frame of held.splice(0)) conn.deliver(frame);
      }
    };
    const progress: Step = {
      finish,
      wait: (framesMeanwhile) => (waiting = framesMeanwhile),
      refused: (refusal) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        conn.close(CLOSE_CODES.NORMAL, 'refused');
        resolve({ ok: false, problem: refusal, authenticated: true });
      },
      isDone: () => done,
    };
    conn.onFrame((frame) => {
      if (done) return;
      if (waiting === 'hold') held.push(frame);
      else if (waiting === 'refuse')
        finish(problem(WIRE_ERROR_CODES.UNEXPECTED_FRAME, `${frame.t} before the welcome`));
      else step(frame, progress);
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
