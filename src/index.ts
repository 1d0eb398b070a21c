// gen-paxos: masterless per-key Paxos consensus as an actor runtime in the style of Erlang's
// gen_fsm, on XState v5. The public API.

// gen_paxos: a node per process (or per test), asked to decide keys.
export { startLink, GenPaxosNode, DEFAULT_ASK_TIMEOUT_MS } from './node/genPaxos.js';
export type { StartLinkOptions, AskOptions } from './node/genPaxos.js';
// paxos_fsm: one instance, for teaching.
export { paxosFsm } from './node/paxosFsm.js';
export type { PaxosFsmOptions, PaxosFsmResult } from './node/paxosFsm.js';
// The node as XState actor logic, for embedding in a larger XState system.
export { genPaxosNode } from './runtime/genPaxosNode.js';
export type {
  GenPaxosNodeInput,
  GenPaxosNodeEvent,
  GenPaxosNodeSnapshot,
  GenPaxosNodeReply,
  GenPaxosNodeEmitted,
  ReplyTo,
} from './runtime/genPaxosNode.js';
// The instance machine and its pure parts.
export { instanceMachine, DEFAULT_TIMING, INSTANCE_STATES } from './paxos/instanceMachine.js';
export type {
  InstanceInput,
  InstanceContext,
  InstanceEvent,
  InstanceTiming,
  InstanceStateName,
} from './paxos/instanceMachine.js';
export type { Ballot } from './paxos/ballot.js';
export type { PaxosValue, PaxosMessage, Envelope } from './paxos/messages.js';
export type { Effect } from './paxos/effects.js';
export type { KeyRecord } from './paxos/record.js';
// Transports and storage.
export { createMemoryNetwork, MemoryNetwork } from './transport/memoryNetwork.js';
export type { LinkFaults, MemoryNetworkOptions } from './transport/memoryNetwork.js';
export type { Transport } from './transport/transport.js';
// Nodes in separate processes: WebSocket links, the client protocol, a node as its process runs it.
export { createWebSocketTransport, WebSocketTransport } from './transport/webSocketTransport.js';
export type { WebSocketTransportOptions } from './transport/webSocketTransport.js';
export { connectClient, GenPaxosClient } from './transport/client.js';
export type { ClientOptions, AskRequestOptions } from './transport/client.js';
export type { NodeStatus, LinkStatus } from './transport/frames.js';
export { startNetworkNode } from './node/networkNode.js';
export type { NetworkNode, NetworkNodeOptions } from './node/networkNode.js';
export { WireError, WIRE_ERROR_CODES, CLOSE_CODES } from './transport/wireErrors.js';
export type { WireErrorCode } from './transport/wireErrors.js';
export { createJsonLogger, silentLogger } from './transport/log.js';
export type { Logger, LogLevel, LogFields } from './transport/log.js';
export { MemoryStorage } from './storage/memoryStorage.js';
export type { Storage } from './storage/storage.js';
// Time and randomness, injectable.
export { systemClock } from './runtime/clock.js';
export type { RuntimeClock, TimerClock } from './runtime/clock.js';
export { VirtualClock } from './runtime/virtualClock.js';
export { seededRandom, systemRandom } from './runtime/random.js';
export type { RandomSource } from './runtime/random.js';
// Errors.
export { GenPaxosError, ERROR_CODES } from './errors.js';
export type { ErrorCode, ErrorInfo } from './errors.js';
