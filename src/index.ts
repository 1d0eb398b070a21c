// gen-paxos: masterless per-key Paxos consensus as an actor runtime in the style of Erlang's
// gen_fsm, on XState v5. The public API.

// gen_paxos: a node per process (or per test), asked to decide keys.
export { startLink, GenPaxosNode, DEFAULT_ASK_TIMEOUT_MS } from './node/genPaxos.js';
export type { StartLinkOptions, AskOptions, PendingKeys } from './node/genPaxos.js';
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
export { LmdbStorage } from './storage/lmdbStorage.js';
export type { LmdbStorageOptions } from './storage/lmdbStorage.js';
export type { CommitInfo, DurableCommitStats } from './storage/commitStats.js';
export { histogramPercentile } from './stats/histogram.js';
export type { HistogramSnapshot } from './stats/histogram.js';
export { checkIncarnation, peerIncarnationCheck } from './storage/amnesia.js';
export type { IncarnationStore, IncarnationVerdict } from './storage/amnesia.js';
// Time and randomness, injectable.
export { systemClock } from './runtime/clock.js';
export type { RuntimeClock, TimerClock } from './runtime/clock.js';
export { VirtualClock } from './runtime/virtualClock.js';
export { seededRandom, systemRandom } from './runtime/random.js';
export type { RandomSource } from './runtime/random.js';
// Errors.
export { GenPaxosError, ERROR_CODES } from './errors.js';
export type { ErrorCode, ErrorInfo } from './errors.js';
// The actor runtime: gen_fsm over XState machines, gen_server, OTP supervisors, names and nodes
// (docs/gen-fsm-runtime.md maps each function to the OTP one it mirrors).
export { genFsm, register, unregister, whereis, monitor, demonitor, monitorNode } from './runtime/local.js';
export { createGenFsm } from './runtime/genFsm/genFsm.js';
export type { GenFsm, GenFsmActor, StartOptions } from './runtime/genFsm/genFsm.js';
export { genFsmLogic } from './runtime/genFsm/genFsmLogic.js';
export type { GenFsmLogic } from './runtime/genFsm/genFsmLogic.js';
export { reply, sendReply } from './runtime/genFsm/reply.js';
export type { From, CallEvent, RequestOf, ReplyOf } from './runtime/genFsm/reply.js';
export { stateTimeout, cancelStateTimeout, STATE_TIMEOUT_ID } from './runtime/genFsm/stateTimeout.js';
export type { RuntimeAction } from './runtime/genFsm/stateTimeout.js';
export { allState, ALL_STATE_PREFIX, INFO_EVENT_TYPE } from './runtime/genFsm/events.js';
export type { AllStateEvent, LooseEvent, InfoEvent, TimeoutEvent } from './runtime/genFsm/events.js';
export { DEFAULT_CALL_TIMEOUT_MS } from './runtime/genFsm/callActor.js';
export type { CallOptions } from './runtime/genFsm/callActor.js';
// gen_server: a callback module of pure functions as XState actor logic (docs/gen-server.md).
export { genServer, createGenServer } from './runtime/genServer/genServer.js';
export type {
  GenServer,
  GenServerActor,
  GenServerStartOptions,
  AnyGenServerLogic,
  UntypedServer,
  CallRequestOf,
  CallReplyOf,
  CastRequestOf,
} from './runtime/genServer/genServer.js';
export { genServerLogic } from './runtime/genServer/genServerLogic.js';
export type { GenServerLogic, GenServerSnapshot } from './runtime/genServer/genServerLogic.js';
export type {
  GenServerCallbacks,
  InitResult,
  CallResult,
  CastResult,
  ReplyResult,
  NoReplyResult,
  StopResult,
  TerminateResult,
  ServerEffects,
  CallerReply,
  Timed,
} from './runtime/genServer/callbacks.js';
export type { Caller } from './runtime/genServer/callers.js';
export { GEN_SERVER_CALL_TYPE, GEN_SERVER_CAST_TYPE } from './runtime/genServer/messages.js';
export type { CallMessage, CastMessage, GenServerEvent } from './runtime/genServer/messages.js';
export { ActorNode, createActorNode, localNode, DEFAULT_NODE_NAME } from './runtime/actorNode.js';
export type { ActorNodeOptions, CrashReport } from './runtime/actorNode.js';
export type { NodeApi } from './runtime/nodeApi.js';
export { Registry } from './runtime/distribution/registry.js';
export type { RemoteName, Target } from './runtime/distribution/address.js';
export type { DownEvent, MonitorRef, Watcher } from './runtime/monitors.js';
export type { NodeEvent } from './runtime/distribution/distribution.js';
export type {
  RemoteRouter,
  RouterListener,
  DistMessage,
  WireExitReason,
} from './runtime/distribution/remoteRouter.js';
export { createMemoryRouter, MemoryRouter, RUNTIME_FRAME_KEY } from './runtime/distribution/memoryRouter.js';
export type { MemoryRouterOptions, MemoryRouterStats } from './runtime/distribution/memoryRouter.js';
// Across processes: the runtime's messages on the cluster's WebSocket links (startNetworkNode's
// `actorNode` uses it; node names are the member ids).
export { createWebSocketRouter, WebSocketRouter } from './transport/webSocketRouter.js';
export type { WebSocketRouterOptions } from './transport/webSocketRouter.js';
export type { RuntimeLink, RuntimeLinkListener, RuntimeLinkSource } from './transport/runtimeLinks.js';
export { isNormalExit } from './runtime/exitReason.js';
export type { ExitReason } from './runtime/exitReason.js';
export { isAlive } from './runtime/actorLike.js';
export type { ActorLike } from './runtime/actorLike.js';
export { RuntimeError, RUNTIME_ERROR_CODES } from './runtime/runtimeError.js';
export type { RuntimeErrorCode, RuntimeErrorInfo } from './runtime/runtimeError.js';
export { supervisor } from './runtime/supervisor/supervisor.js';
export type {
  SupervisorLogic,
  SupervisorSnapshot,
  SupervisorContext,
  SupervisorEvent,
  SupervisorReply,
} from './runtime/supervisor/supervisor.js';
export {
  startChild,
  terminateChild,
  restartChild,
  deleteChild,
  whichChildren,
  countChildren,
  childOf,
} from './runtime/supervisor/supervisorApi.js';
export type { ChildCounts } from './runtime/supervisor/supervisorApi.js';
export type { ChildInfo } from './runtime/supervisor/staticChildren.js';
export { SimpleOneForOne } from './runtime/supervisor/simpleOneForOne.js';
export type { SimpleOneForOneOptions } from './runtime/supervisor/simpleOneForOne.js';
export { DEFAULT_SUPERVISOR_INTENSITY, UNLIMITED_INTENSITY } from './runtime/supervisor/childSpec.js';
export type {
  ChildSpec,
  ChildTemplate,
  ChildObserver,
  ChildType,
  RestartType,
  Strategy,
  StaticSupervisorSpec,
  SimpleOneForOneSpec,
  SupervisorSpec,
} from './runtime/supervisor/childSpec.js';
export type { SupervisorReport } from './runtime/supervisor/supervisorReport.js';
export type { RestartIntensity } from './runtime/restartIntensity.js';
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
export type { PaxosPort, PaxosSource } from './leader/paxosPort.js';
