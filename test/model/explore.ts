// A breadth-first explicit-state explorer. Generic: it knows states only through a key, the
// actions enabled in a state and the state an action leads to. Breadth-first, so the first
// violation found has a shortest trace. Only the frontier keeps whole states; every visited
// state keeps its key, its parent and the action that reached it, which is enough to replay
// a counterexample from the initial state.

export interface TransitionSystem<S> {
  initial(): S;
  /** Equal keys must mean equal futures and equal verdicts. */
  key(state: S): string;
  /** Opaque action codes enabled in `state`. */
  actions(state: S): readonly number[];
  /** The state `action` leads to, or null when it changes nothing. */
  apply(state: S, action: number): S | null;
  /** A description of the first invariant `state` violates, or null. */
  violation(state: S): string | null;
}

export interface ExploreLimits {
  /** Stop (verdict `incomplete`) after this many distinct states. */
  readonly maxStates?: number;
  /** Stop (verdict `incomplete`) after this many seconds. */
  readonly maxSeconds?: number;
}

export interface ExploreResult {
  /** `safe`: every reachable state was checked; `incomplete`: a limit stopped the search first. */
  readonly verdict: 'safe' | 'unsafe' | 'incomplete';
  /** Distinct states explored (the initial one included). */
  readonly states: number;
  /** Transitions taken, duplicates included. */
  readonly transitions: number;
  /** Length of the longest shortest path explored. */
  readonly depth: number;
  readonly seconds: number;
  readonly violation?: string;
  /** The actions from the initial state to the violating one. */
  readonly path?: readonly number[];
}

export function explore<S>(system: TransitionSystem<S>, limits: ExploreLimits = {}): ExploreResult {
  const started = performance.now();
  const elapsed = (): number => (performance.now() - started) / 1000;
  const maxStates = limits.maxStates ?? Number.POSITIVE_INFINITY;
  const maxSeconds = limits.maxSeconds ?? Number.POSITIVE_INFINITY;
  const ids = new Map<string, number>();
  const parents: number[] = [-1];
  const via: number[] = [-1];
  const pathTo = (id: number): number[] => {
    const path: number[] = [];
    for (let at = id; at > 0; at = parents[at] as number) path.push(via[at] as number);
    return path.reverse();
  };

  const initial = system.initial();
  ids.set(system.key(initial), 0);
  const initialViolation = system.violation(initial);
  if (initialViolation !== null)
    return {
      verdict: 'unsafe',
      states: 1,
      transitions: 0,
      depth: 0,
      seconds: elapsed(),
      violation: initialViolation,
      path: [],
    };

  let frontier: S[] = [initial];
  let frontierIds: number[] = [0];
  let transitions = 0;
  let depth = 0;
  while (frontier.length > 0) {
    const next: S[] = [];
    const nextIds: number[] = [];
    for (let i = 0; i < frontier.length; i++) {
      const state = frontier[i] as S;
      const id = frontierIds[i] as number;
      for (const action of system.actions(state)) {
        const successor = system.apply(state, action);
        if (successor === null) continue;
        transitions++;
        const key = system.key(successor);
        if (ids.has(key)) continue;
        const successorId = parents.length;
        ids.set(key, successorId);
        parents.push(id);
        via.push(action);
        const violation = system.violation(successor);
        if (violation !== null) {
          const path = pathTo(successorId);
          return {
            verdict: 'unsafe',
            states: ids.size,
            transitions,
            depth: path.length,
            seconds: elapsed(),
            violation,
            path,
          };
        }
        next.push(successor);
        nextIds.push(successorId);
      }
      if (ids.size >= maxStates || (i % 64 === 0 && elapsed() > maxSeconds))
        return { verdict: 'incomplete', states: ids.size, transitions, depth, seconds: elapsed() };
    }
    if (next.length > 0) depth++;
    frontier = next;
    frontierIds = nextIds;
  }
  return { verdict: 'safe', states: ids.size, transitions, depth, seconds: elapsed() };
}

/** The states along `path` from the initial one, each with the action that led to it. */
export function replay<S>(
  system: TransitionSystem<S>,
  path: readonly number[],
): { action: number; state: S }[] {
  let state = system.initial();
  const steps: { action: number; state: S }[] = [];
  for (const action of path) {
    const next = system.apply(state, action);
    if (next === null) throw new Error(`replay: action ${action} is not enabled`);
    steps.push({ action, state: next });
    state = next;
  }
  return steps;
}
