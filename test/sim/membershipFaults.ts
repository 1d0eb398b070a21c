// Membership changes among the simulation's faults (docs/membership.md §6): a fresh member added
// (a new id started with `join: true`), a voter removed, one replaced, and one replaced after its
// disk is lost — it never comes back under its old id. Changes run from a live voter while the
// other faults go on; a change that fails with its coded error is an outcome, not a violation. The
// configurations every node has made durable are what the checker judges quorums and owners by.
import type { GenPaxosError } from '../../src/base/errors.js';
import type { RandomSource } from '../../src/base/random.js';
import type { RuntimeClock } from '../../src/base/clock.js';
import type { GenPaxosNode } from '../../src/node/genPaxos.js';
import { configKey, type Configuration } from '../../src/paxos/config.js';
import type { MemoryStorage } from '../../src/storage/memoryStorage.js';

export const MEMBERSHIP_FAULTS = ['add', 'remove', 'replace', 'replace-lost'] as const;
export type MembershipFault = (typeof MEMBERSHIP_FAULTS)[number];

/** Voters per configuration: a change is drawn only among those that keep it within these. */
const MIN_VOTERS = 3;
const MAX_VOTERS = 5;

/** What the driver sees of one simulated node. */
export interface MemberNode {
  readonly id: string;
  readonly storage: MemoryStorage;
  readonly node: GenPaxosNode | null;
  /** Its disk was lost: it never runs again (a replacement comes back as a new id). */
  readonly gone: boolean;
}

/** What the driver needs of the simulation. */
export interface MembershipHost {
  readonly clock: RuntimeClock;
  /** The members every original node starts with: configuration 0. */
  readonly initial: readonly string[];
  nodes(): Iterable<MemberNode>;
  node(id: string): MemberNode | undefined;
  /** Starts a new node `id` with an empty disk and `join: true`. */
  addMember(id: string): Promise<void>;
  /** Crashes node `id` (if up) and loses its disk for good. */
  loseDisk(id: string): void;
  log(line: string): void;
}

export interface MembershipFaultOptions {
  /** The must-fail control: every change completes its transition without the rescan. */
  readonly skipRescan: boolean;
  /** Each change's own timeout (`changeMembers`' `timeoutMs`). */
  readonly changeTimeoutMs: number;
}

export class MembershipFaults {
  /** Changes planned, per kind (the faults a kind brings, a lost disk, happen even if its plan goes stale). */
  readonly counts = Object.fromEntries(MEMBERSHIP_FAULTS.map((k) => [k, 0])) as Record<
    MembershipFault,
    number
  >;
  /**
   * How the changes ended: `ok`, an error code, `changer-crashed` (its node crashed first),
   * `unsettled` (unanswered at the end), or never asked: `stale-plan`, `no-live-voter`.
   */
  readonly outcomes = new Map<string, number>();
  /** Changes not answered yet, with the node handle that runs each. */
  private readonly running = new Set<{ readonly changer: string; readonly handle: GenPaxosNode }>();
  private nextId: number;
  private diskLost = false;
  private readonly epochVoters = new Map<number, readonly string[]>();
  private latestConfig: Configuration;

  constructor(
    private readonly host: MembershipHost,
    private readonly random: RandomSource,
    private readonly options: MembershipFaultOptions,
  ) {
    const initial = [...host.initial].sort();
    this.latestConfig = { number: 0, epoch: 0, voters: initial, urls: {} };
    this.epochVoters.set(0, initial);
    this.nextId = 97 + host.initial.length;
  }

  /** Draws this schedule's changes: none for about a third of the seeds, else one to three. */
  schedule(windowMs: number): void {
    const r = this.random;
    const count = r.next() < 0.35 ? 0 : 1 + Math.floor(r.next() * 3);
    for (let i = 0; i < count; i++) {
      const at = Math.floor(r.next() * windowMs * 0.9);
      const draws = [r.next(), r.next(), r.next(), r.next()] as const;
      this.host.clock.setTimeout(() => void this.inject(draws), at);
    }
  }

  /**
   * No change is waiting for its answer — or its node crashed, which ends the operator's command
   * with it (what it left undone, a voter of the new epoch resumes: §6.2).
   */
  get settled(): boolean {
    return [...this.running].every((change) => !this.alive(change));
  }

  private alive(change: { readonly changer: string; readonly handle: GenPaxosNode }): boolean {
    return this.host.node(change.changer)?.node === change.handle;
  }

  /** The latest configuration any node has made durable. */
  latest(): Configuration {
    this.refresh();
    return this.latestConfig;
  }

  /** The voters of `epoch`, from the configurations the nodes made durable. */
  votersOf(epoch: number): readonly string[] | undefined {
    if (!this.epochVoters.has(epoch)) this.refresh();
    return this.epochVoters.get(epoch);
  }

  /** Every epoch's voters known so far, oldest first. */
  allVoterSets(): (readonly string[])[] {
    this.refresh();
    return [...this.epochVoters.entries()].sort(([a], [b]) => a - b).map(([, voters]) => voters);
  }

  /** Whether `id` has durably learned `epoch` complete. */
  knowsComplete(id: string, epoch: number): boolean {
    const stored = this.host.node(id)?.storage.loadDurableMembership();
    return stored !== undefined && stored.completeEpoch >= epoch;
  }

  /**
   * Why the latest configuration is not settled yet, or null when it is: its transition is complete
   * (some voter durably knows `\0done`), and no node holds an undecided vote for the next one.
   */
  unsettled(): string | null {
    const latest = this.latest();
    if (latest.epoch > 0 && !latest.voters.some((id) => this.knowsComplete(id, latest.epoch)))
      return `the transition to configuration ${latest.number} (epoch ${latest.epoch}) is not complete`;
    const next = configKey(latest.number + 1);
    for (const member of this.host.nodes()) {
      const record = member.gone ? undefined : member.storage.load(next);
      if (record?.accepted && !record.decided)
        return `node ${member.id} holds an undecided vote for configuration ${latest.number + 1}`;
    }
    return null;
  }

  /**
   * The voters of the latest configuration, still running, that have not durably adopted it
   * complete. A voter that missed every push learns it from the first request it gets (§5.3).
   */
  lagging(): string[] {
    const latest = this.latest();
    return latest.voters.filter((id) => {
      const member = this.host.node(id);
      if (member === undefined || member.gone) return false;
      const stored = member.storage.loadDurableMembership();
      const number = stored === undefined ? 0 : stored.chain.length - 1;
      return number < latest.number || (latest.epoch > 0 && (stored?.completeEpoch ?? 0) < latest.epoch);
    });
  }

  /** Counts the changes still unanswered at the end of the run. */
  finish(): void {
    for (const change of this.running) this.outcome(this.alive(change) ? 'unsettled' : 'changer-crashed');
  }

  private refresh(): void {
    for (const member of this.host.nodes()) {
      const chain = member.storage.loadDurableMembership()?.chain;
      if (chain === undefined) continue;
      for (const config of chain)
        if (!this.epochVoters.has(config.epoch)) this.epochVoters.set(config.epoch, config.voters);
      const last = chain.at(-1);
      if (last !== undefined && last.number > this.latestConfig.number) this.latestConfig = last;
    }
  }

  private async inject(draws: readonly [number, number, number, number]): Promise<void> {
    const config = this.latest();
    const voters = config.voters;
    const gone = voters.some((id) => this.host.node(id)?.gone === true);
    const kinds: MembershipFault[] = [];
    if (voters.length < MAX_VOTERS) kinds.push('add');
    if (voters.length > MIN_VOTERS) kinds.push('remove');
    kinds.push('replace');
    // One disk per schedule, and never while a lost one is still a voter: two would be a majority of 3.
    if (!this.diskLost && !gone) kinds.push('replace-lost');
    const kind = kinds[Math.floor(draws[0] * kinds.length)] as MembershipFault;
    const target = voters[Math.floor(draws[1] * voters.length)] as string;
    if (kind === 'replace-lost') {
      this.diskLost = true;
      this.host.log(`membership: ${target} loses its disk (it will be replaced by a new id)`);
      this.host.loseDisk(target);
    }
    const added = kind === 'remove' ? undefined : String.fromCharCode(this.nextId++);
    this.counts[kind]++;
    // The operator starts the new member, then asks a voter for the change, sometimes a little later.
    if (added !== undefined) await this.host.addMember(added);
    const delayMs = Math.floor(draws[3] * 400);
    if (delayMs > 0)
      await new Promise<void>((resolve) => this.host.clock.setTimeout(() => resolve(), delayMs));
    const changers = this.latest().voters.filter((id) => {
      const member = this.host.node(id);
      return member?.node != null && !member.gone;
    });
    const changer = changers[Math.floor(draws[2] * changers.length)];
    const node = changer === undefined ? null : this.host.node(changer)?.node;
    if (changer === undefined || node == null) {
      this.host.log(`membership: no live voter to run the change (${kind})`);
      this.outcome('no-live-voter');
      return;
    }
    const request = {
      ...(added !== undefined ? { add: { id: added, url: `mem://${added}` } } : {}),
      ...(kind !== 'add' ? { remove: target } : {}),
    };
    const what = `${kind}${added !== undefined ? ` +${added}` : ''}${kind !== 'add' ? ` -${target}` : ''}`;
    // Like an operator, look at the group again, as the changer sees it: another change may have
    // landed since the plan, and the change applies to the changer's configuration (a newer one
    // decided elsewhere makes it fail with PAXOS_ERR_CHANGE_CONFLICT). It must keep 3–5 voters.
    const view = await node.members().catch(() => null);
    const now = view?.members.map((member) => member.id) ?? [];
    const fits =
      view !== null &&
      (kind === 'add' ? now.length < MAX_VOTERS : now.includes(target)) &&
      (kind !== 'remove' || now.length > MIN_VOTERS);
    if (!fits) {
      this.host.log(
        `membership: ${what} (planned on configuration ${config.number}) does not fit ${changer}'s configuration ${view?.config ?? '-'} [${now.join('')}]: not asked`,
      );
      this.outcome('stale-plan');
      return;
    }
    this.host.log(`membership: ${changer} changes [${now.join('')}] (configuration ${view.config}): ${what}`);
    const running = { changer, handle: node };
    this.running.add(running);
    const options = { timeoutMs: this.options.changeTimeoutMs };
    const change = this.options.skipRescan
      ? node.changeMembersSkippingRescan(request, options)
      : node.changeMembers(request, options);
    change.then(
      (view) => {
        this.running.delete(running);
        this.outcome('ok');
        this.host.log(
          `membership: ${what} done: configuration ${view.config} [${view.members.map((m) => m.id).join('')}] complete=${view.complete}`,
        );
      },
      (error: GenPaxosError) => {
        this.running.delete(running);
        this.outcome(error.code ?? 'error');
        this.host.log(`membership: ${what} -> ${error.code}: ${error.message}`);
      },
    );
  }

  private outcome(name: string, n = 1): void {
    this.outcomes.set(name, (this.outcomes.get(name) ?? 0) + n);
  }
}
