// What a leader process tells its observers (XState emitted events, and the callbacks of
// `startLeader`). Times are on the emitting node's own clock and mean nothing on another node.

/** The group and the node an event comes from. */
interface Origin {
  readonly group: string;
  readonly node: string;
}

/** This node now holds the lease of `epoch` (gen_leader's elected/3). */
export type ElectedEvent = Origin & {
  readonly type: 'elected';
  readonly epoch: number;
  readonly slot: number;
  /** The lease ends at this time of this node's clock unless renewed. */
  readonly untilMs: number;
};

/** This node renewed its lease: same epoch, a later slot, a later end. */
export type RenewedEvent = Origin & {
  readonly type: 'renewed';
  readonly epoch: number;
  readonly slot: number;
  readonly untilMs: number;
};

/**
 * This node stopped acting as leader of `epoch`: its lease ran out unrenewed (`expired`), a
 * later slot names someone else (`superseded`), or it was stopped (`stopped`). gen_leader has no
 * such callback: its leader only ever stops by dying. A lease leader must stop by itself.
 */
export type SteppedDownEvent = Origin & {
  readonly type: 'steppedDown';
  readonly epoch: number;
  readonly reason: 'expired' | 'superseded' | 'stopped';
};

/** Another node holds the lease of `epoch`, and this one follows it (gen_leader's surrendered/3). */
export type SurrenderedEvent = Origin & {
  readonly type: 'surrendered';
  readonly leader: string;
  readonly epoch: number;
};

/** Who this node believes leads changed (to nobody: `leader` and `epoch` are null). */
export type LeaderChangedEvent = Origin & {
  readonly type: 'leaderChanged';
  readonly leader: string | null;
  readonly epoch: number | null;
};

export type LeaderEmitted =
  ElectedEvent | RenewedEvent | SteppedDownEvent | SurrenderedEvent | LeaderChangedEvent;

export type LeaderEmittedType = LeaderEmitted['type'];
