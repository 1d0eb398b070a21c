// Exit statuses of the `gen-paxos` command, documented in docs/cli.md. Scripts branch on them.

export const EXIT = {
  /** Done: the value was decided / read, the node shut down cleanly, the demo's nodes agree. */
  OK: 0,
  /**
   * The command ran and failed: the demo found disagreement, the node could not start, or
   * stopped itself (`node --join` before `member add`: not a member; removed; amnesiac).
   */
  FAILURE: 1,
  /** Bad command line or config file: unknown command or flag, missing or malformed value. */
  USAGE: 2,
  /** `read`: the node knows no decision for the key (yet). */
  NOT_DECIDED: 3,
  /** No endpoint could be reached, or the connection dropped, or no reply came in time. */
  UNREACHABLE: 4,
  /** The node refused the handshake: wrong secret, cluster or protocol version. */
  REFUSED: 5,
  /** The node answered with an error (PAXOS_ERR_TIMEOUT, PAXOS_ERR_BAD_KEY…). */
  REQUEST_FAILED: 6,
  /** `ask --expect-won`: another value was decided for the key (this ask lost). */
  LOST: 7,
  /** `member add|remove|replace`: the change is decided but not complete within --timeout-ms. */
  CHANGE_INCOMPLETE: 7,
  /** `health`, `status`: no quorum is healthy / the node reaches no quorum of its members. */
  UNHEALTHY: 8,
  /** Interrupted by SIGINT before finishing (128 + 2, as shells report it). */
  INTERRUPTED: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A bad command line: printed with the usage hint, exit status 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
