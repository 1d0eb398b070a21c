// A node's asks and quorum reads as gen_server calls to its node actor (registered as gen_paxos):
// arguments are checked first (a coded error, nothing sent), a failed call becomes the ask's own
// error (timeout, stopped, restarted), and asks are counted with their latency. An ask of a key the
// node knows decided is answered at once, as `read(key)` is. The handle delegates.
import { ERROR_CODES, GenPaxosError, errorFromInfo } from '../base/errors.js';
import type { RuntimeClock } from '../base/clock.js';
import { Histogram } from '../base/histogram.js';
import type { PaxosValue } from '../paxos/messages.js';
import { isReservedKey } from '../paxos/config.js';
import { checkKey, checkValue } from '../paxos/validate.js';
import type { ActorNode } from '../runtime/actorNode.js';
import { createGenServer, type GenServer } from '../runtime/genServer/genServer.js';
import { RUNTIME_ERROR_CODES } from '../runtime/runtimeError.js';
import type { Transport } from '../transport/transport.js';
import { describeAskTimeout } from './askTimeout.js';
import type { GenPaxosNodeReply } from './nodeEvents.js';
import { GEN_PAXOS_NAME, reservedKeyError, type GenPaxosRequest } from './nodeRequests.js';
import { checkTimeout } from './validateOptions.js';
import {
  ASK_LATENCY_BUCKETS_MS,
  type AskOptions,
  type AskStats,
  type ReadOptions,
} from './startLinkOptions.js';

/** What the calls need of their node. */
export interface NodeCallsContext {
  readonly id: string;
  /** The members given to `startLink`, named in a timeout's description. */
  readonly startMembers: readonly string[];
  readonly runtime: ActorNode;
  readonly transport: Transport;
  readonly clock: RuntimeClock;
  /** The default timeout of an ask or a read with options. */
  readonly askTimeoutMs: number;
  /** Whether the node was stopped (or halted): calls then fail with PAXOS_ERR_STOPPED. */
  readonly stopped: () => boolean;
  /** The decided value an ask of `key` gets at once (KeyReads.decidedAnswer), or undefined. */
  readonly decidedAnswer: (key: string) => PaxosValue | undefined;
}

export class NodeCalls {
  private readonly server: GenServer;
  private readonly asks = { started: 0, decided: 0, failed: {} as Record<string, number> };
  private readonly askLatency = new Histogram(ASK_LATENCY_BUCKETS_MS);

  constructor(private readonly node: NodeCallsContext) {
    this.server = createGenServer(node.runtime);
  }

  /** `GenPaxosNode.ask`: the value the group decided for `key`. */
  async ask(key: string, value: PaxosValue, options: AskOptions): Promise<PaxosValue> {
    const { id, clock } = this.node;
    if (this.node.stopped()) throw new GenPaxosError(ERROR_CODES.STOPPED, `node ${id} is stopped`);
    const keyProblem = checkKey(key);
    if (keyProblem !== null) throw new GenPaxosError(ERROR_CODES.BAD_KEY, keyProblem);
    if (isReservedKey(key)) throw errorFromInfo(reservedKeyError(key));
    const valueProblem = value === undefined ? 'value must not be undefined' : checkValue(value);
    if (valueProblem !== null) throw new GenPaxosError(ERROR_CODES.BAD_VALUE, valueProblem);
    const timeoutMs = options.timeoutMs ?? this.node.askTimeoutMs;
    const timeoutProblem = checkTimeout(timeoutMs);
    if (timeoutProblem !== null) throw new GenPaxosError(ERROR_CODES.BAD_OPTION, timeoutProblem);

    this.asks.started++;
    const startedAtMs = clock.now();
    // A key known decided here is answered like `read(key)`, without a call: same answer, no hop.
    const decided = this.node.decidedAnswer(key);
    if (decided !== undefined) {
      this.asks.decided++;
      this.askLatency.observe(clock.now() - startedAtMs);
      return decided;
    }
    const request: GenPaxosRequest = { type: 'ask', key, value };
    let reply: GenPaxosNodeReply;
    try {
      reply = await this.server.call<GenPaxosNodeReply>(GEN_PAXOS_NAME, request, { timeoutMs });
    } catch (error) {
      throw this.failure(this.callError(error, key, timeoutMs));
    }
    if (reply.type === 'paxos.decided') {
      this.asks.decided++;
      this.askLatency.observe(clock.now() - startedAtMs);
      return reply.value;
    }
    if (reply.type === 'paxos.failed') throw this.failure(errorFromInfo(reply.error));
    throw this.failure(new GenPaxosError(ERROR_CODES.BAD_OPTION, `unexpected reply ${reply.type} to an ask`));
  }

  /** `GenPaxosNode.read` with options: this node's knowledge, or a quorum's. */
  async read(key: string, options: ReadOptions): Promise<PaxosValue | undefined> {
    const { id } = this.node;
    if (this.node.stopped()) throw new GenPaxosError(ERROR_CODES.STOPPED, `node ${id} is stopped`);
    const problem = checkKey(key);
    if (problem !== null) throw new GenPaxosError(ERROR_CODES.BAD_KEY, problem);
    if (isReservedKey(key)) throw errorFromInfo(reservedKeyError(key));
    if (options.quorum !== undefined && typeof options.quorum !== 'boolean')
      throw new GenPaxosError(ERROR_CODES.BAD_OPTION, 'quorum must be a boolean');
    const timeoutMs = options.timeoutMs ?? this.node.askTimeoutMs;
    const timeoutProblem = checkTimeout(timeoutMs);
    if (timeoutProblem !== null) throw new GenPaxosError(ERROR_CODES.BAD_OPTION, timeoutProblem);
    const request: GenPaxosRequest = { type: 'read', key, quorum: options.quorum === true };
    let reply: GenPaxosNodeReply;
    try {
      reply = await this.server.call<GenPaxosNodeReply>(GEN_PAXOS_NAME, request, { timeoutMs });
    } catch (error) {
      const failure = this.callError(error, key, timeoutMs);
      if (failure.code !== ERROR_CODES.TIMEOUT) throw failure;
      throw new GenPaxosError(
        ERROR_CODES.TIMEOUT,
        `no quorum answered a read of key ${JSON.stringify(key)} on node ${id} within ${timeoutMs} ms`,
      );
    }
    if (reply.type === 'paxos.read') return reply.decided ? (reply.value as PaxosValue) : undefined;
    if (reply.type === 'paxos.failed') throw errorFromInfo(reply.error);
    throw new GenPaxosError(ERROR_CODES.BAD_OPTION, `unexpected reply ${reply.type} to a read`);
  }

  /** Asks made through this node: started, decided, failed by code, and their latency. */
  get askStats(): AskStats {
    return { ...this.asks, failed: { ...this.asks.failed }, latencyMs: this.askLatency.snapshot() };
  }

  /** A rejected gen_server call, as the ask's own error: a timeout, or the node gone. */
  private callError(error: unknown, key: string, timeoutMs: number): GenPaxosError {
    const { id, startMembers, transport } = this.node;
    const code = (error as { code?: string }).code;
    if (code === RUNTIME_ERROR_CODES.TIMEOUT) {
      const linkUp = (peer: string) => transport.isLinkUp?.(peer);
      const facts = { key, timeoutMs, node: id, members: startMembers, linkUp };
      return new GenPaxosError(ERROR_CODES.TIMEOUT, describeAskTimeout(facts));
    }
    if (this.node.stopped())
      return new GenPaxosError(ERROR_CODES.STOPPED, `node ${id} stopped before the key was decided`);
    return new GenPaxosError(
      ERROR_CODES.NODE_RESTARTED,
      `node ${id} restarted before key ${JSON.stringify(key)} was decided; the outcome is unknown (${String((error as Error).message)})`,
      { cause: error },
    );
  }

  private failure(error: GenPaxosError): GenPaxosError {
    this.asks.failed[error.code] = (this.asks.failed[error.code] ?? 0) + 1;
    return error;
  }
}
