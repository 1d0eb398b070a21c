// gen-paxos: masterless per-key Paxos consensus as an actor runtime in the style of Erlang's
// gen_fsm, on XState v5. The public API.

// gen_paxos: a node per process (or per test), asked to decide keys.
export { startLink, GenPaxosNode, DEFAULT_ASK_TIMEOUT_MS } from './node/genPaxos.js';
export type { StartLinkOptions, AskOptions, AskStats, PendingKeys, ReadOptions } from './node/genPaxos.js';
// The node's public port (what the leader layer runs on), and its gen_server protocol.
export { actorPort } from './node/paxosPort.js';
export type { PaxosPort } from './node/paxosPort.js';
export { GEN_PAXOS_NAME } from './node/nodeRequests.js';
export type { GenPaxosRequest } from './node/nodeRequests.js';
// paxos_fsm: one instance, for teaching.
export { paxosFsm } from './node/paxosFsm.js';
export type { PaxosFsmOptions, PaxosFsmResult } from './node/paxosFsm.js';
// The node as XState actor logic, for embedding in a larger XState system.
export { genPaxosNode } from './node/genPaxosNode.js';
export type {
  GenPaxosNodeInput,
  GenPaxosNodeEvent,
  GenPaxosNodeSnapshot,
  GenPaxosNodeReply,
  GenPaxosNodeEmitted,
  ReplyTo,
} from './node/genPaxosNode.js';
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
export { createWebSocketTransport, WebSocketTransport } from './transport/peer/webSocketTransport.js';
export type { WebSocketTransportOptions } from './transport/peer/webSocketTransport.js';
export { connectClient, GenPaxosClient } from './transport/client/client.js';
export type { ClientOptions, AskRequestOptions } from './transport/client/client.js';
export type { NodeStatus, LinkStatus } from './transport/wire/frames.js';
export { startNetworkNode } from './server/networkNode.js';
export type { NetworkNode, NetworkNodeOptions } from './server/networkNode.js';
export { WireError, WIRE_ERROR_CODES, CLOSE_CODES } from './transport/wire/wireErrors.js';
export type { WireErrorCode } from './transport/wire/wireErrors.js';
// Member identity (docs/security.md): Ed25519 keys to pin (`peerKeys`), and the value bounds.
export { generateNodeKey, parseNodeKey, nodeKeyPem } from './base/nodeKey.js';
export type { NodeKey } from './base/nodeKey.js';
export { MAX_VALUE_BYTES, MAX_KEY_LENGTH } from './paxos/validate.js';
export { createJsonLogger, silentLogger } from './base/log.js';
export type { Logger, LogLevel, LogFields } from './base/log.js';
export { MemoryStorage } from './storage/memoryStorage.js';
export type { Storage } from './storage/storage.js';
export { LmdbStorage } from './storage/lmdbStorage.js';
export type { LmdbStorageOptions } from './storage/lmdbStorage.js';
export type { CommitInfo, DurableCommitStats } from './storage/commitStats.js';
export { histogramPercentile } from './base/histogram.js';
export type { HistogramSnapshot } from './base/histogram.js';
export { checkIncarnation, peerIncarnationCheck } from './storage/amnesia.js';
export type { IncarnationStore, IncarnationVerdict } from './storage/amnesia.js';
// Seeded randomness, for replayable runs (time and the other sources come with the runtime).
export { seededRandom } from './paxos/prng.js';
// Errors.
export { GenPaxosError, ERROR_CODES } from './base/errors.js';
export type { ErrorCode, ErrorInfo } from './base/errors.js';
// The actor runtime (alone, it is `gen-paxos/runtime`): gen_fsm over XState machines, OTP
// supervisors, names and nodes (docs/gen-fsm-runtime.md maps each function to the OTP one it mirrors).
export * from './runtime/index.js';
// The runtime's links: in one process (tests), and across processes on the cluster's WebSocket links.
export {
  createMemoryRouter,
  MemoryRouter,
  RUNTIME_FRAME_KEY,
} from './transport/distribution/memoryRouter.js';
export type { MemoryRouterOptions, MemoryRouterStats } from './transport/distribution/memoryRouter.js';
// Across processes: the runtime's messages on the cluster's WebSocket links (startNetworkNode's
// `actorNode` uses it; node names are the member ids).
export { createWebSocketRouter, WebSocketRouter } from './transport/distribution/webSocketRouter.js';
export type { WebSocketRouterOptions } from './transport/distribution/webSocketRouter.js';
export type {
  RuntimeLink,
  RuntimeLinkListener,
  RuntimeLinkSource,
} from './transport/distribution/runtimeLinks.js';
// Leader election with leases, gen_leader style (docs/leader.md).
export {
  startLeader,
  GenLeader,
  leaderProcessName,
  DEFAULT_LEADER_CALL_TIMEOUT_MS,
} from './leader/startLeader.js';
export type { StartLeaderOptions, LeaderCallOptions } from './leader/startLeader.js';
export { genLeader } from './leader/genLeaderLogic.js';
export type {
  GenLeaderInput,
  GenLeaderEvent,
  GenLeaderSnapshot,
  GenLeaderLogic,
  GenLeaderActorRef,
  LeaderCallReply,
  LeaderRequestContext,
  LeaderCallHandler,
  LeaderCastHandler,
} from './leader/genLeaderLogic.js';
export type {
  LeaderEmitted,
  LeaderEmittedType,
  ElectedEvent,
  RenewedEvent,
  SteppedDownEvent,
  SurrenderedEvent,
  LeaderChangedEvent,
} from './leader/leaderEvents.js';
export { LeaderError, LEADER_ERROR_CODES } from './leader/leaderError.js';
export type { LeaderErrorCode, LeaderInfo } from './leader/leaderError.js';
export { Fence, admitEpoch } from './leader/fence.js';
export type { FenceVerdict } from './leader/fence.js';
export { guardIntervalMs } from './leader/leaseTiming.js';
export type { LeaseRecord, LeaseGrant, VacantRecord, ReleaseRecord } from './leader/leaseRecord.js';
export type { PaxosSource } from './leader/paxosPort.js';
