// gen-paxos/runtime: the actor runtime alone, in Erlang/OTP's vocabulary: gen_fsm over XState
// machines, OTP supervisors, a registry of names, monitors and nodes addressed as `{ name, node }`.
// It imports nothing of the Paxos node, the transport or the store (layers.config.js), so a user of
// the runtime loads none of them (docs/gen-fsm-runtime.md maps each function to its OTP original).
export { genFsm, register, unregister, whereis, monitor, demonitor, monitorNode } from './local.js';
export { createGenFsm } from './genFsm/genFsm.js';
export type { GenFsm, GenFsmActor, StartOptions } from './genFsm/genFsm.js';
export { genFsmLogic } from './genFsm/genFsmLogic.js';
export type { GenFsmLogic } from './genFsm/genFsmLogic.js';
export { reply, sendReply } from './genFsm/reply.js';
export type { From, CallEvent, RequestOf, ReplyOf } from './genFsm/reply.js';
export { stateTimeout, cancelStateTimeout, STATE_TIMEOUT_ID } from './genFsm/stateTimeout.js';
export type { RuntimeAction } from './genFsm/stateTimeout.js';
export { allState, ALL_STATE_PREFIX, INFO_EVENT_TYPE } from './genFsm/events.js';
export type { AllStateEvent, LooseEvent, InfoEvent, TimeoutEvent } from './genFsm/events.js';
export { DEFAULT_CALL_TIMEOUT_MS } from './genFsm/callActor.js';
export type { CallOptions } from './genFsm/callActor.js';
// gen_server: a callback module of pure functions as XState actor logic (docs/gen-server.md).
export { genServer, createGenServer } from './genServer/genServer.js';
export type {
  GenServer,
  GenServerActor,
  GenServerStartOptions,
  AnyGenServerLogic,
  UntypedServer,
  CallRequestOf,
  CallReplyOf,
  CastRequestOf,
} from './genServer/genServer.js';
export { genServerLogic } from './genServer/genServerLogic.js';
export type { GenServerLogic, GenServerSnapshot } from './genServer/genServerLogic.js';
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
} from './genServer/callbacks.js';
export type { Caller } from './genServer/callers.js';
export { GEN_SERVER_CALL_TYPE, GEN_SERVER_CAST_TYPE } from './genServer/messages.js';
export type { CallMessage, CastMessage, GenServerEvent } from './genServer/messages.js';
export { ActorNode, createActorNode, localNode, DEFAULT_NODE_NAME } from './actorNode.js';
export type { ActorNodeOptions, CrashReport } from './actorNode.js';
export type { NodeServices } from './nodeServices.js';
export { Registry } from './distribution/registry.js';
export type { RemoteName, Target } from './address.js';
export type { DownEvent, MonitorRef, Watcher } from './monitors.js';
export type { NodeEvent } from './distribution/distribution.js';
export type {
  RemoteRouter,
  RouterListener,
  DistMessage,
  WireExitReason,
} from './distribution/remoteRouter.js';
export { isNormalExit } from './exitReason.js';
export type { ExitReason } from './exitReason.js';
export { isAlive } from './actorLike.js';
export type { ActorLike } from './actorLike.js';
export { RuntimeError, RUNTIME_ERROR_CODES } from './runtimeError.js';
export type { RuntimeErrorCode, RuntimeErrorInfo } from './runtimeError.js';
export { supervisor } from './supervisor/supervisor.js';
export type {
  SupervisorLogic,
  SupervisorSnapshot,
  SupervisorContext,
  SupervisorEvent,
  SupervisorReply,
} from './supervisor/supervisor.js';
export {
  startChild,
  terminateChild,
  restartChild,
  deleteChild,
  whichChildren,
  countChildren,
  childOf,
} from './supervisor/supervisorApi.js';
export type { ChildCounts } from './supervisor/supervisorApi.js';
export type { ChildInfo } from './supervisor/staticChildren.js';
export { SimpleOneForOne } from './supervisor/simpleOneForOne.js';
export type { SimpleOneForOneOptions } from './supervisor/simpleOneForOne.js';
export { DEFAULT_SUPERVISOR_INTENSITY, UNLIMITED_INTENSITY } from './supervisor/childSpec.js';
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
} from './supervisor/childSpec.js';
export type { SupervisorReport } from './supervisor/supervisorReport.js';
export type { RestartIntensity } from './restartIntensity.js';
// Time and randomness, injectable (the runtime's timers and calls run on the node's clock).
export { systemClock } from '../base/clock.js';
export type { RuntimeClock, TimerClock } from '../base/clock.js';
export { VirtualClock } from '../base/virtualClock.js';
export { systemRandom } from '../base/random.js';
export type { RandomSource } from '../base/random.js';
