// Errors of the leader layer, with stable codes on `error.code` (listed in docs/leader.md and
// docs/errors.md). Callers branch on the code, never on the message.

export const LEADER_ERROR_CODES = {
  /** An option of `startLeader` (or the actor's input) that cannot work. */
  BAD_OPTION: 'LEADER_ERR_BAD_OPTION',
  /** A leader process of that name is already registered on the runtime node. */
  ALREADY_STARTED: 'LEADER_ERR_ALREADY_STARTED',
  /** The leader process was stopped before or during the call. */
  STOPPED: 'LEADER_ERR_STOPPED',
  /** No leader is known here now (none elected yet, or the last lease ran out in this node's view). */
  NO_LEADER: 'LEADER_ERR_NO_LEADER',
  /** The node the request reached does not hold the lease (any more); `error.leader` is its hint. */
  NOT_LEADER: 'LEADER_ERR_NOT_LEADER',
  /** The leader's node could not be reached (not connected, went down, nothing registered there). */
  UNREACHABLE: 'LEADER_ERR_UNREACHABLE',
  /** No answer within `timeoutMs`. The leader may still have handled the request. */
  TIMEOUT: 'LEADER_ERR_TIMEOUT',
  /** The leader has no `handleLeaderCall` / `handleLeaderCast`. */
  NO_HANDLER: 'LEADER_ERR_NO_HANDLER',
  /** The leader's `handleLeaderCall` threw or rejected; `message` carries its message. */
  CALL_FAILED: 'LEADER_ERR_CALL_FAILED',
  /** A fence refused an epoch lower than one it has seen: the request came from a stale leader. */
  STALE_EPOCH: 'LEADER_ERR_STALE_EPOCH',
} as const;

export type LeaderErrorCode = (typeof LEADER_ERROR_CODES)[keyof typeof LEADER_ERROR_CODES];

/** Who a node believes leads a group: the holder of the lease and its epoch (the fencing token). */
export interface LeaderInfo {
  readonly node: string;
  readonly epoch: number;
}

export class LeaderError extends Error {
  readonly code: LeaderErrorCode;
  /** For LEADER_ERR_NOT_LEADER: the leader as the refusing node sees it, if it knows one. */
  readonly leader?: LeaderInfo | null;

  constructor(
    code: LeaderErrorCode,
    message: string,
    options: { cause?: unknown; leader?: LeaderInfo | null } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'LeaderError';
    this.code = code;
    if ('leader' in options) this.leader = options.leader;
  }
}
