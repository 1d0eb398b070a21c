// One WebSocket connection, accepted or dialled, before and after its handshake: decodes and
// validates every inbound frame (codec.ts, validateFrame.ts) before handing it on, keeps the
// heartbeat, and turns any protocol violation into a counted, logged close, never a throw.
// The handshake steps and the link logic plug in through `onFrame`.
import { performance } from 'node:perf_hooks';
import type { WebSocket } from 'ws';
import { decodeFrame, encodeFrame } from './codec.js';
import type { Frame, Role } from './frames.js';
import type { Logger } from '../../base/log.js';
import { Outbox, type FrameSink, type OutboxLimits } from './outbox.js';
import { validateFrame, type InboundFrame } from './validateFrame.js';
import {
  CLOSE_CODES,
  REFUSAL_CLOSE_CODES,
  WIRE_ERROR_CODES,
  closeReason,
  problem,
  type WireProblem,
} from './wireErrors.js';
import { recordProblem, type WireStats } from './wireStats.js';

export interface ConnectionOptions {
  readonly maxFrameBytes: number;
  /** How often to ping the other side. */
  readonly heartbeatIntervalMs: number;
  /** Nothing heard (frame or pong) for this long: the other side is dead; the socket is dropped. */
  readonly heartbeatTimeoutMs: number;
  readonly logger: Logger;
  readonly stats: WireStats;
}

/** Who is at the other end, once the handshake succeeded. */
export interface PeerIdentity {
  readonly id: string;
  readonly role: Role;
  readonly incarnation: string;
  /** The configuration number the peer announced in its handshake; absent while it has none. */
  readonly cfg?: number;
}

/** A close frame's code after we send close, before the socket is forced shut. */
const CLOSE_GRACE_MS = 1000;

export class Connection {
  /** Set when the handshake succeeds. */
  peer: PeerIdentity | null = null;
  /** Resolves once the socket is closed, with the code and reason received or sent. */
  readonly closed: Promise<{ readonly code: number; readonly reason: string }>;
  private handler: (frame: InboundFrame) => void = () => {};
  private closing = false;
  /** Who closed first: this side (close, fail, terminate) or the other. Null while open. */
  private closer: 'local' | 'remote' | null = null;
  private silent = false;
  private lastHeardMs = performance.now();
  private readonly heartbeat: ReturnType<typeof setInterval>;

  constructor(
    readonly socket: WebSocket,
    /** `accepted` on the listening node, `dialled` on the side that opened it. */
    readonly side: 'accepted' | 'dialled',
    private readonly options: ConnectionOptions,
    /** For log lines: the remote address or URL. */
    readonly remote: string,
  ) {
    this.closed = new Promise((resolve) => {
      socket.on('close', (code, reason) => {
        this.closer ??= 'remote';
        this.closing = true;
        clearInterval(this.heartbeat);
        resolve({ code, reason: reason.toString() });
      });
    });
    // ws emits 'error' for socket errors and for frames beyond maxPayload (then closes with 1009).
    socket.on('error', (error: Error & { code?: string }) => {
      if (error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
        this.record(problem(WIRE_ERROR_CODES.OVERSIZED, `frame exceeds ${options.maxFrameBytes} bytes`));
      } else {
        options.logger.debug('socket error', { remote, error: error.message });
      }
    });
    socket.on('message', (data, isBinary) => this.receive(data as Buffer, isBinary));
    socket.on('pong', () => {
      this.lastHeardMs = performance.now();
    });
    this.heartbeat = setInterval(() => this.beat(), options.heartbeatIntervalMs);
    this.heartbeat.unref();
  }

  /** Where decoded, validated frames go; the handshake and then the link set it. */
  onFrame(handler: (frame: InboundFrame) => void): void {
    this.handler = handler;
  }

  /**
   * Hands `frame` to the current handler: frames that arrived while the handshake waited for its
   * records to be durable, passed on to the link once it is registered.
   */
  deliver(frame: InboundFrame): void {
    if (this.closing) return;
    try {
      this.handler(frame);
    } catch (error) {
      this.options.logger.error('frame handler failed', { remote: this.remote, error });
      this.close(1011, 'internal error');
    }
  }

  /** Milliseconds since anything (a frame or a pong) was heard from the other side. */
  silentForMs(): number {
    return performance.now() - this.lastHeardMs;
  }

  /** Who closed the connection first, once it is closing: this side or the other. */
  get closedBy(): 'local' | 'remote' | null {
    return this.closer;
  }

  /** True when this side dropped the connection because the other fell silent (heartbeat). */
  get heartbeatLost(): boolean {
    return this.silent;
  }

  get isOpen(): boolean {
    return !this.closing && this.socket.readyState === this.socket.OPEN;
  }

  /** Sends one frame at once (handshake frames; batches go through an outbox). */
  send(frame: Frame): void {
    if (!this.isOpen) return;
    const bytes = encodeFrame(frame);
    this.socket.send(bytes);
    this.options.stats.framesSent++;
    this.options.stats.bytesSent += bytes.byteLength;
  }

  /** A batching outbox writing to this socket. */
  outbox<T>(encode: (items: readonly T[]) => Frame, limits: Omit<OutboxLimits, 'maxFrameBytes'>): Outbox<T> {
    const socket = this.socket;
    const sink: FrameSink = {
      get bufferedAmount() {
        return socket.bufferedAmount;
      },
      send: (bytes) => {
        if (this.isOpen) socket.send(bytes);
      },
    };
    return new Outbox<T>(
      sink,
      (items) => encodeFrame(encode(items)),
      { ...limits, maxFrameBytes: this.options.maxFrameBytes },
      this.options.stats,
    );
  }

  /** Counts and logs `p`, then closes: with its refusal close code, or `fallbackCode`. */
  fail(p: WireProblem, fallbackCode: number = CLOSE_CODES.PROTOCOL_ERROR): void {
    if (p.code === WIRE_ERROR_CODES.LINK_SUPERSEDED) {
      this.options.logger.debug('link superseded', { remote: this.remote, detail: p.detail });
    } else {
      // A refused second link is counted; the transport already logged it at the level it deserves.
      this.record(p, p.code === WIRE_ERROR_CODES.LINK_UP ? 'info' : 'warn');
    }
    this.close(REFUSAL_CLOSE_CODES[p.code] ?? fallbackCode, closeReason(p));
  }

  /** Counts and logs `p` without closing (a bad envelope or request costs only itself). */
  record(p: WireProblem, level: 'warn' | 'info' = 'warn'): void {
    recordProblem(
      this.options.stats,
      this.options.logger,
      p,
      {
        remote: this.remote,
        ...(this.peer ? { peer: this.peer.id, role: this.peer.role } : {}),
      },
      level,
    );
  }

  /** Closes with a close frame; forces the socket shut if the other side does not answer. */
  close(code: number, reason: string): void {
    if (this.closing) return;
    this.closer ??= 'local';
    this.closing = true;
    try {
      this.socket.close(code, reason);
    } catch {
      this.socket.terminate();
      return;
    }
    setTimeout(() => this.socket.terminate(), CLOSE_GRACE_MS).unref();
  }

  /** Drops the socket without a close frame (dead peer, node crash simulation). */
  terminate(): void {
    this.closer ??= 'local';
    this.closing = true;
    this.socket.terminate();
  }

  private receive(data: Buffer, isBinary: boolean): void {
    if (this.closing) return;
    this.lastHeardMs = performance.now();
    const stats = this.options.stats;
    stats.framesReceived++;
    stats.bytesReceived += data.byteLength;
    try {
      if (!isBinary) {
        this.fail(problem(WIRE_ERROR_CODES.NOT_BINARY, 'text frame; frames are binary msgpack'));
        return;
      }
      const decoded = decodeFrame(data, this.options.maxFrameBytes);
      if (!decoded.ok) {
        this.fail(decoded.problem);
        return;
      }
      const frame = validateFrame(decoded.value);
      if (!frame.ok) {
        this.fail(frame.problem);
        return;
      }
      this.handler(frame.value);
    } catch (error) {
      // A bug of ours, not the peer's: log it and drop this connection, keep the node alive.
      this.options.logger.error('frame handler failed', { remote: this.remote, error });
      this.close(1011, 'internal error');
    }
  }

  private beat(): void {
    if (this.closing) return;
    if (performance.now() - this.lastHeardMs > this.options.heartbeatTimeoutMs) {
      this.options.stats.heartbeatTimeouts++;
      this.silent = true;
      this.options.logger.info('heartbeat timeout, dropping connection', {
        remote: this.remote,
        ...(this.peer ? { peer: this.peer.id } : {}),
      });
      this.terminate();
      return;
    }
    try {
      this.socket.ping();
    } catch {
      // The socket is closing; its close event ends the heartbeat.
    }
  }
}
