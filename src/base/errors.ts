// Errors with stable codes (`error.code`), listed in docs/errors.md. Callers branch on the code,
// never on the message.

export const ERROR_CODES = {
  /** A key that is not a non-empty string of at most `MAX_KEY_LENGTH` characters. */
  BAD_KEY: 'PAXOS_ERR_BAD_KEY',
  /** A value msgpack cannot carry faithfully (undefined, functions, class instances, cycles, NaN…). */
  BAD_VALUE: 'PAXOS_ERR_BAD_VALUE',
  /** Members missing the node itself, duplicated, empty or not strings. */
  BAD_MEMBERS: 'PAXOS_ERR_BAD_MEMBERS',
  /** Any other invalid option (a negative timeout, a transport for another node…). */
  BAD_OPTION: 'PAXOS_ERR_BAD_OPTION',
  /** The node was stopped before or while the call ran. */
  STOPPED: 'PAXOS_ERR_STOPPED',
  /** No decision within `timeoutMs`. The outcome is unknown: the value may still be chosen later. */
  TIMEOUT: 'PAXOS_ERR_TIMEOUT',
  /** The node actor crashed and its supervisor restarted it before the ask was decided; the outcome is unknown. */
  NODE_RESTARTED: 'PAXOS_ERR_NODE_RESTARTED',
  /** The key's instance crashed more often than the restart intensity allows. */
  INSTANCE_FAILED: 'PAXOS_ERR_INSTANCE_FAILED',
  /** The node's storage failed; it no longer votes. */
  STORAGE_FAILED: 'PAXOS_ERR_STORAGE_FAILED',
  /** A write or read reached a store after `close()`. */
  STORAGE_CLOSED: 'PAXOS_ERR_STORAGE_CLOSED',
  /** The data directory belongs to another node id, or is not a gen-paxos store this version reads. */
  WRONG_DATA_DIR: 'PAXOS_ERR_WRONG_DATA_DIR',
  /** Another live process (or another store in this process) has the data directory open. */
  DATA_DIR_LOCKED: 'PAXOS_ERR_DATA_DIR_LOCKED',
  /** A peer claims another incarnation than one remembered or learned from a member (it lost its data directory), or a member says so of this node. */
  AMNESIA: 'PAXOS_ERR_AMNESIA',
  /**
   * An alarm that must never fire: a peer says a key this node decided was decided with another
   * value (catch-up). The node stops voting and keeps its data for investigation.
   */
  DISAGREEMENT: 'PAXOS_ERR_DISAGREEMENT',
  /** `gen-paxos node` without `--data-dir` and without `--memory`. */
  NO_DATA_DIR: 'PAXOS_ERR_NO_DATA_DIR',
  /** This node was removed from the group by a membership change: it no longer asks or votes. */
  REMOVED: 'PAXOS_ERR_REMOVED',
  /** Not a voter of the configuration (a joining node before it adopted one, or a change naming a non-voter). */
  NOT_A_MEMBER: 'PAXOS_ERR_NOT_A_MEMBER',
  /** A change adds an id that was a member of some configuration already: ids are never reused. */
  MEMBER_EXISTS: 'PAXOS_ERR_MEMBER_EXISTS',
  /** A change was asked while the previous one is still in transition (one transition at a time). */
  CHANGE_IN_PROGRESS: 'PAXOS_ERR_CHANGE_IN_PROGRESS',
  /** Another change was decided for the same configuration number first. */
  CHANGE_CONFLICT: 'PAXOS_ERR_CHANGE_CONFLICT',
  /** The change needs majorities of the old and new voters reachable, or leaves no voter. */
  UNSAFE_CHANGE: 'PAXOS_ERR_UNSAFE_CHANGE',
  /** The change is decided but its transition did not complete in time: it continues by itself. */
  CHANGE_INCOMPLETE: 'PAXOS_ERR_CHANGE_INCOMPLETE',
  /** A `faults` request reached a node not started with fault injection allowed. */
  FAULTS_DISABLED: 'PAXOS_ERR_FAULTS_DISABLED',
  /** paxosFsm: no instance is registered under that subject. */
  NO_SUCH_INSTANCE: 'PAXOS_ERR_NO_SUCH_INSTANCE',
  /** paxosFsm: an instance is already registered under that subject. */
  ALREADY_STARTED: 'PAXOS_ERR_ALREADY_STARTED',
} as const;

export type ErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES];

export class GenPaxosError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'GenPaxosError';
    this.code = code;
  }
}

/** The plain-data form of an error, for events and wire replies. */
export interface ErrorInfo {
  readonly code: string;
  readonly message: string;
}

export function errorInfo(error: unknown): ErrorInfo {
  if (error instanceof GenPaxosError) return { code: error.code, message: error.message };
  const message = error instanceof Error ? error.message : String(error);
  return { code: ERROR_CODES.INSTANCE_FAILED, message };
}

export function errorFromInfo(info: ErrorInfo): GenPaxosError {
  const known = Object.values(ERROR_CODES) as string[];
  const code = (known.includes(info.code) ? info.code : ERROR_CODES.INSTANCE_FAILED) as ErrorCode;
  return new GenPaxosError(code, info.message);
}
