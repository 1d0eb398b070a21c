// One plain-language line per step of a key's story: what the step means in Paxos terms and,
// where the protocol forces a choice, why ("n2 promises 3.n1 and reports it accepted "red" at
// 1.n3, so n1 must propose "red""). Transitions are described by the event and guard names of
// the instance machine's definition (src/paxos/instanceMachine.ts); a test checks that every
// transition of the definition that changes state has a line here. Browser-safe.
import type { DurableStep, MessageStep, StateStep, StoryStep } from './keyStory.js';

/** A ballot `round.node`'s round (NaN if it is not one). */
const roundOf = (ballot: string | null | undefined): number => Number(String(ballot).split('.')[0]);

/** Which of two `round.node` ballots is higher (null counts lowest). */
function higher(a: string | null | undefined, b: string | null | undefined): boolean {
  if (a == null) return false;
  if (b == null) return true;
  const [ra, na = ''] = a.split('.');
  const [rb, nb = ''] = b.split('.');
  return Number(ra) !== Number(rb) ? Number(ra) > Number(rb) : na > nb;
}

/** Phase 2 won: the line of both transitions that reach `decided` on the node's own ballot. */
const chosen = (s: StateStep): string =>
  roundOf(s.ballot) === 0
    ? `every other member accepted ${s.node}'s proposal in ${s.ballot}, the fast round ${s.node} does not vote in: the value is chosen`
    : `a majority accepted ${s.node}'s proposal in ${s.ballot ?? 'its ballot'}: the value is chosen`;

/** A state transition's line, by `event [guard]` (or `event` alone) of the machine definition. */
const TRANSITIONS: Readonly<Record<string, (s: StateStep) => string>> = {
  ask: (s) => `${s.node} is asked for a value: it starts phase 1 with ballot ${s.ballot ?? 'a new ballot'}`,
  'ask [mayTakeFirstBallot]': (s) =>
    `${s.node} owns the key and nobody voted on it yet: it skips phase 1 and proposes in ballot ${s.ballot ?? '0'}, a fast round it does not vote in (every other member must accept)`,
  'ask [shouldForward]': (s) =>
    `${s.node} is asked, but another node owns the key: it forwards the ask there and waits to learn the outcome`,
  'forward [fromMember]': (s) =>
    `${s.node} takes on a forwarded ask: it starts phase 1 with ballot ${s.ballot ?? 'a new ballot'}`,
  'forward [and(fromMember, mayTakeFirstBallot)]': (s) =>
    `${s.node} owns the key and nobody voted on it yet: it proposes the forwarded value in ballot ${s.ballot ?? '0'}, a fast round it does not vote in (every other member must accept)`,
  'prepare [grantsVote]': (s) =>
    s.from === 'preparing' || s.from === 'proposing'
      ? `${s.node} gives way: another proposer's ballot is at least as high as its own, so it promises it and waits to learn the outcome`
      : `${s.node} votes: the ballot is at least as high as any it promised, so it promises it and waits to learn the outcome`,
  'propose [grantsVote]': (s) =>
    s.from === 'preparing' || s.from === 'proposing'
      ? `${s.node} gives way: it accepts another proposer's value (its ballot is at least the one it promised) and waits to learn the outcome`
      : `${s.node} votes: the proposal's ballot is at least the one it promised, so it accepts it and waits to learn the outcome`,
  'decide [fromMember]': (s) => `${s.node} is told the chosen value`,
  'reject [isCurrentBallot]': (s) =>
    `${s.node} was rejected: an acceptor promised a higher ballot, so it stands back and waits before trying again`,
  'always [hasPromiseQuorum]': (s) =>
    `${s.node} has promises from a majority for ${s.ballot ?? 'its ballot'}: on to phase 2`,
  'always [hasAckQuorum]': (s) => chosen(s),
  // The acknowledgement that completes the quorum goes to `decided` itself (one step, one assign).
  'acknowledge [and(isCurrentBallot, completesAckQuorum)]': (s) => chosen(s),
  'always [isDecided]': (s) => `${s.node} finds the decision in its durable record`,
  'always [hasAccepted]': (s) =>
    `${s.node} starts with an accepted value on disk and no decision: it waits to learn the outcome, then pushes it`,
  'after phaseTimeout': (s) =>
    s.from === 'proposing'
      ? `no quorum accepted ${s.node}'s proposal in time (a majority; every other member in the owner's round 0): it goes back to phase 1 with ballot ${s.ballot ?? 'a higher ballot'}`
      : `no majority answered ${s.node} in time: it starts again with the higher ballot ${s.ballot ?? ''}`.trimEnd(),
  'after takeover [hasSomethingToPush]': (s) =>
    `${s.node} waited in vain for an outcome: it takes over with its own ballot ${s.ballot ?? ''}`.trimEnd(),
  'after takeover': (s) => `${s.node} waited, learned nothing and has nothing to propose: back to nil`,
  'config.adopted [outdatesBallot]': (s) =>
    `${s.node} adopted a configuration of a newer epoch: its ballot is abandoned and it starts again with ${s.ballot ?? 'a ballot of the new epoch'}, the same proposal`,
};

/** The names a transition is looked up by, most specific first. */
const transitionNames = (s: StateStep): string[] =>
  s.event === undefined ? [] : [...(s.guard ? [`${s.event} [${s.guard}]`] : []), s.event];

/** True if `TRANSITIONS` describes the transition `event [guard]` (for the completeness test). */
export function hasTransitionCaption(event: string, guard: string | undefined): boolean {
  return transitionNames({
    kind: 'state',
    seq: 0,
    t: 0,
    node: '',
    state: 'nil',
    event,
    ...(guard ? { guard } : {}),
  }).some((name) => name in TRANSITIONS);
}

function stateCaption(step: StateStep): string {
  for (const name of transitionNames(step)) {
    const describe = TRANSITIONS[name];
    if (describe) return `${describe(step)} (${step.from ?? '?'} → ${step.state})`;
  }
  if (step.from !== undefined)
    return `${step.node}: ${step.from} → ${step.state}${step.event ? ` on ${step.event}` : ''}${step.guard ? ` [${step.guard}]` : ''}`;
  return `${step.node} is now ${step.state}`;
}

/** What a proposer knows about its ballots, as far as the story has shown. */
class Proposers {
  /** `node ballot` → promises that reached the node for that ballot. */
  private readonly promises = new Map<string, MessageStep[]>();
  private readonly proposed = new Set<string>();
  /** Ballot → its proposed value. */
  private readonly values = new Map<string, string>();

  promiseArrived(step: MessageStep): void {
    const name = `${step.to} ${step.ballot}`;
    this.promises.set(name, [...(this.promises.get(name) ?? []), step]);
  }

  /** Why `step`, a propose, carries its value; said once per ballot. */
  proposeReason(step: MessageStep): string | null {
    const name = `${step.from} ${step.ballot}`;
    if (step.ballot !== null && step.value !== undefined) this.values.set(step.ballot, step.value);
    if (this.proposed.has(name)) return null;
    this.proposed.add(name);
    if (roundOf(step.ballot) === 0)
      return 'ballot 0 belongs to the key’s owner, so there was no phase 1; the owner does not vote in it, so the value is chosen only if every other member accepts';
    const promises = this.promises.get(name) ?? [];
    let best: MessageStep | null = null;
    for (const p of promises) if (p.accepted != null && higher(p.accepted, best?.accepted)) best = p;
    const from = promises.map((p) => p.from).join(', ');
    if (best === null)
      return `no promise${from ? ` (from ${from})` : ''} reported an accepted value, so it may propose its own`;
    return `the highest accepted value among its promises is ${best.value} at ${best.accepted} (from ${best.from}), so it must propose that (P2c)`;
  }

  valueOf(ballot: string | null): string | undefined {
    return ballot === null ? undefined : this.values.get(ballot);
  }
}

function messageCaption(step: MessageStep, proposers: Proposers): string {
  const { from, to, ballot } = step;
  switch (step.msg) {
    case 'forward':
      return `${from} forwards its ask for ${step.value ?? 'a value'} to ${to}, the key’s owner`;
    case 'prepare':
      return `${from} asks ${to} to promise ballot ${ballot} (phase 1a)`;
    case 'promise':
      if (step.accepted == null)
        return `${from} promises ${ballot} to ${to} and has accepted nothing, so it does not restrict ${to}’s value (phase 1b)`;
      return `${from} promises ${ballot} and reports it accepted ${step.value} at ${step.accepted}, so ${to} must propose ${step.value} unless another promise reports a higher ballot (phase 1b)`;
    case 'propose': {
      const reason = proposers.proposeReason(step);
      return `${from} asks ${to} to accept ${step.value} in ${ballot} (phase 2a)${reason ? `: ${reason}` : ''}`;
    }
    case 'acknowledge': {
      const value = proposers.valueOf(ballot);
      return `${from} accepted ${value ?? 'the proposal'} in ${ballot} and tells ${to} (phase 2b)`;
    }
    case 'reject':
      return `${from} refuses ${ballot}: it has promised ${step.promised ?? 'a higher ballot'}, so ${to} must retry above round ${roundOf(step.promised)}`;
    case 'decide':
      return `${from} tells ${to} that ${step.value ?? 'the value'} is chosen`;
    case 'query':
      return `${from} asks ${to} what it holds on disk for the key (a quorum read)`;
    case 'state':
      if (step.accepted != null)
        return `${from} tells ${to} it holds ${step.value} accepted at ${step.accepted}, no decision (a quorum read's answer)`;
      return `${from} tells ${to} it holds ${step.value === undefined ? 'nothing' : `the decision ${step.value}`} (a quorum read's answer)`;
  }
}

function durableCaption(step: DurableStep, previous: DurableStep | undefined): string {
  const { node } = step;
  if (step.decided !== null) return `${node} has the decision ${step.decided} on disk`;
  if (step.accepted !== null && step.accepted !== previous?.accepted)
    return `${node}’s acceptance of ${step.value} in ${step.accepted} is on disk: only now may a message revealing it leave`;
  if (step.promised !== null && step.promised.endsWith(`.${node}`))
    return `${node}’s promise of its own ballot ${step.promised} is on disk: its prepare may leave, and a restarted ${node} will never reuse the ballot`;
  if (step.promised !== null)
    return `${node}’s promise of ${step.promised} is on disk: only now may its reply leave`;
  return `${node} wrote the key’s record to disk`;
}

/** One caption per step of `steps`, in order. */
export function storyCaptions(steps: readonly StoryStep[]): string[] {
  const proposers = new Proposers();
  const lastDurable = new Map<string, DurableStep>();
  // Promises count for the proposer once they arrive: note each at its arrival.
  const arrivals = steps
    .filter(
      (s): s is MessageStep => s.kind === 'message' && s.msg === 'promise' && s.fate?.outcome === 'arrived',
    )
    .sort((a, b) => (a.fate?.seq ?? 0) - (b.fate?.seq ?? 0));
  let nextArrival = 0;
  let decidedSeen = false;
  return steps.map((step) => {
    while (nextArrival < arrivals.length && (arrivals[nextArrival]?.fate?.seq ?? Infinity) <= step.seq)
      proposers.promiseArrived(arrivals[nextArrival++] as MessageStep);
    switch (step.kind) {
      case 'message':
        return messageCaption(step, proposers);
      case 'durable': {
        const caption = durableCaption(step, lastDurable.get(step.node));
        lastDurable.set(step.node, step);
        return caption;
      }
      case 'state':
        return stateCaption(step);
      case 'decided': {
        const first = !decidedSeen;
        decidedSeen = true;
        return first
          ? `${step.node} is the first to know: ${step.value} is chosen, and no other value ever can be`
          : `${step.node} knows the decision too: ${step.value}`;
      }
    }
  });
}

/** How a message's fate reads after its caption ("" while in flight). */
export function fateText(step: MessageStep): string {
  if (step.held) return 'waiting for you to deliver it';
  if (step.fate === undefined) return 'in flight';
  if (step.fate.outcome === 'arrived')
    return `arrived after ${Math.max(0, Math.round(step.fate.t - step.t))} ms${step.copyOf !== undefined ? ' (a duplicate)' : ''}`;
  return step.fate.reason === 'dropped by hand'
    ? 'dropped by you'
    : `lost (${step.fate.reason ?? 'unknown'})`;
}
