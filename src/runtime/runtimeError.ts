// Errors of the actor runtime (genFsm, genServer, supervisors, names, distribution), with stable codes on
// `error.code`. Callers branch on the code, never on the message; docs/gen-fsm-runtime.md lists them.

export const RUNTIME_ERROR_CODES = {
  /** syncSendEvent: no reply within `timeoutMs`. The request may still be processed later. */
  TIMEOUT: 'GENFSM_ERR_TIMEOUT',
  /** The target is not running, or no actor is registered under the name. */
  NOPROC: 'GENFSM_ERR_NOPROC',
  /** The target stopped or crashed before it replied; `reason` says how. */
  EXITED: 'GENFSM_ERR_EXITED',
  /** The target's node is not connected, or went down during the call. */
  NODEDOWN: 'GENFSM_ERR_NODEDOWN',
  /** An actor was stopped with an abnormal reason (`stop(ref, { error })`); `reason` carries it. */
  ABNORMAL_STOP: 'GENFSM_ERR_ABNORMAL_STOP',
  /** The target cannot do what was asked (a child running neither genFsm nor genServer logic cannot be stopped). */
  BAD_TARGET: 'GENFSM_ERR_BAD_TARGET',
  /** A bad argument: a negative timeout, an event without a `type`… */
  BAD_ARGUMENT: 'GENFSM_ERR_BAD_ARGUMENT',
  /** A genServer callback returned something that is not a result (OTP's `bad_return_value`): the server fails. */
  BAD_RETURN: 'GENSERVER_ERR_BAD_RETURN',
  /** A supervisor restarted more often than its intensity allows, and gave up (it stops). */
  MAX_RESTARTS: 'SUPERVISOR_ERR_MAX_RESTARTS',
  /** A child failed while its supervisor started its children; the supervisor does not start. */
  FAILED_TO_START_CHILD: 'SUPERVISOR_ERR_FAILED_TO_START_CHILD',
  /** startChild: a child with that id exists (running, or kept as a spec). */
  ALREADY_PRESENT: 'SUPERVISOR_ERR_ALREADY_PRESENT',
  /** terminate/restart/deleteChild: no child with that id. */
  NOT_FOUND: 'SUPERVISOR_ERR_NOT_FOUND',
  /** restartChild/deleteChild on a child that is running. */
  RUNNING: 'SUPERVISOR_ERR_RUNNING',
  /** A supervisor spec that cannot work (duplicate ids, bad intensity, wrong call for the strategy). */
  BAD_SPEC: 'SUPERVISOR_ERR_BAD_SPEC',
  /** register: the name is taken, or the actor already has a name. */
  NAME_TAKEN: 'REGISTRY_ERR_NAME_TAKEN',
  /** unregister: no actor is registered under the name. */
  NOT_REGISTERED: 'REGISTRY_ERR_NOT_REGISTERED',
} as const;

export type RuntimeErrorCode = (typeof RUNTIME_ERROR_CODES)[keyof typeof RUNTIME_ERROR_CODES];

export class RuntimeError extends Error {
  readonly code: RuntimeErrorCode;
  /** For GENFSM_ERR_EXITED and GENFSM_ERR_ABNORMAL_STOP: why the actor stopped. */
  readonly reason?: unknown;

  constructor(code: RuntimeErrorCode, message: string, options?: { cause?: unknown; reason?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RuntimeError';
    this.code = code;
    if (options && 'reason' in options) this.reason = options.reason;
  }
}

/** The plain-data form of any error, for wire messages and reports. */
export interface RuntimeErrorInfo {
  readonly code: string;
  readonly message: string;
}

/** `{ code, message }` of an error; errors without a code get `'ERR_UNKNOWN'`. */
export function runtimeErrorInfo(error: unknown): RuntimeErrorInfo {
  const code =
    typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string'
      ? (error as { code: string }).code
      : 'ERR_UNKNOWN';
  const message = error instanceof Error ? error.message : String(error);
  return { code, message };
}

/** Rebuilds an error received as data; known codes become a RuntimeError again. */
export function runtimeErrorFromInfo(info: RuntimeErrorInfo): Error {
  const known = Object.values(RUNTIME_ERROR_CODES) as string[];
  if (known.includes(info.code)) return new RuntimeError(info.code as RuntimeErrorCode, info.message);
  const error = new Error(info.message) as Error & { code: string };
  error.code = info.code;
  return error;
}
