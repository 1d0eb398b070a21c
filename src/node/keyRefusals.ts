// Why this node refuses a key's asks and messages: it stopped voting (its storage failed, or an
// alarm such as PAXOS_ERR_DISAGREEMENT), it was removed from the group, or the key's instance
// crashed too often and was given up. The one place that answers "may this key be worked on here?".
import { ERROR_CODES, type ErrorInfo } from '../base/errors.js';

export class KeyRefusals {
  /** Why this node stopped voting, as asks are refused with it; null while it votes. */
  private stoppedWith: ErrorInfo | null = null;
  /** Keys given up, with the crash that gave each up. */
  private readonly failed = new Map<string, ErrorInfo>();

  /** `exclusion`: the error of this node's removal from the group, null while it is a member. */
  constructor(private readonly exclusion: () => ErrorInfo | null) {}

  get votingStopped(): boolean {
    return this.stoppedWith !== null;
  }

  get storageFailed(): boolean {
    return this.stoppedWith?.code === ERROR_CODES.STORAGE_FAILED;
  }

  /** Stops voting for good with `failure`; false if voting had stopped already. */
  stopVoting(failure: ErrorInfo): boolean {
    if (this.stoppedWith !== null) return false;
    this.stoppedWith = failure;
    return true;
  }

  /** Why messages are refused while voting is stopped (counted under this reason). */
  stoppedReason(): string {
    return this.storageFailed ? 'storage failed' : 'voting stopped';
  }

  /** `key`'s instance crashed too often: the key is refused from now on. */
  giveUp(key: string, error: ErrorInfo): void {
    this.failed.set(key, error);
  }

  hasFailed(key: string): boolean {
    return this.failed.has(key);
  }

  failedKeys(): IterableIterator<string> {
    return this.failed.keys();
  }

  /** The error an ask of `key` gets here, or null when the key may be worked on. */
  refusal(key: string): ErrorInfo | null {
    if (this.stoppedWith !== null) return this.stoppedWith;
    const excluded = this.exclusion();
    if (excluded !== null) return excluded;
    const failure = this.failed.get(key);
    if (failure) {
      return {
        code: ERROR_CODES.INSTANCE_FAILED,
        message: `the instance of key ${JSON.stringify(key)} crashed too often and was given up: ${failure.message}`,
      };
    }
    return null;
  }
}
