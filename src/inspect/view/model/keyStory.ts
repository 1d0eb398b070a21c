// A key's story: every message about the key (with its fate: received, lost, held, dropped or
// duplicated by hand), every durable write, state change and decision on every node, in the
// order the view saw them. The page draws it as a sequence chart with a caption per step
// (storyCaption.ts). Bounded: the stories of the most recent keys only, each up to a number of
// steps. Browser-safe, plain data (snapshots and checkpoints copy it).
import type { InFlightMessage, LostReason } from './inFlight.js';
import type { DurableEvent, MessageDetail, StateEvent, ViewMessageType } from './viewEvents.js';

interface StepBase {
  /** The model's event count when it happened: orders steps and arrivals. */
  readonly seq: number;
  readonly t: number;
}

/** Where a message ended up. Absent while it is in flight. */
export interface MessageFate {
  readonly seq: number;
  readonly t: number;
  readonly outcome: 'arrived' | 'lost';
  readonly reason?: LostReason;
}

export interface MessageStep extends StepBase, MessageDetail {
  readonly kind: 'message';
  /** The in-flight id. */
  readonly id: number;
  readonly from: string;
  readonly to: string;
  readonly msg: ViewMessageType;
  readonly ballot: string | null;
  /** The injected delay (and jitter bound) on the sender's links when it was sent. */
  readonly delayMs?: number;
  /** A copy delivered by hand ("duplicate") of message `copyOf`. */
  readonly copyOf?: number;
  fate?: MessageFate;
  /** Held by its sender for delivery by hand: now (`held`), or at some point (`wasHeld`). */
  held?: boolean;
  wasHeld?: boolean;
}

export interface DurableStep extends StepBase {
  readonly kind: 'durable';
  readonly node: string;
  readonly promised: string | null;
  readonly accepted: string | null;
  readonly value: string | null;
  readonly decided: string | null;
}

/** A state entered, with the transition that led there when the feed reported it. */
export interface StateStep
  extends
    StepBase,
    Pick<StateEvent, 'node' | 'state' | 'from' | 'event' | 'cause' | 'guard' | 'anyState' | 'ballot'> {
  readonly kind: 'state';
}

export interface DecidedStep extends StepBase {
  readonly kind: 'decided';
  readonly node: string;
  readonly value: string;
}

export type StoryStep = MessageStep | DurableStep | StateStep | DecidedStep;

export interface KeyStoryData {
  readonly key: string;
  readonly steps: StoryStep[];
  /** Steps were left out: the story reached its bound. */
  truncated: boolean;
}

export interface KeyStoryOptions {
  /** Keys whose story is kept (the most recently begun). Default 200. */
  readonly maxStories?: number;
  /** Steps kept per key. Default 600. */
  readonly maxStorySteps?: number;
}

export type KeyStoriesData = readonly KeyStoryData[];

export class KeyStories {
  private readonly stories = new Map<string, KeyStoryData>();
  /** In-flight id → the message step, to record its fate. */
  private readonly byMessage = new Map<number, MessageStep>();
  private readonly maxStories: number;
  private readonly maxSteps: number;

  constructor(options: KeyStoryOptions = {}) {
    this.maxStories = options.maxStories ?? 200;
    this.maxSteps = options.maxStorySteps ?? 600;
  }

  /** The story of `key`, if it is still kept. */
  of(key: string): KeyStoryData | undefined {
    return this.stories.get(key);
  }

  sent(seq: number, message: InFlightMessage, detail: MessageDetail, delayMs: number): void {
    const { id, t, from, to, msg, ballot } = message;
    const step: MessageStep = {
      kind: 'message',
      seq,
      t,
      id,
      from,
      to,
      msg,
      ballot,
      ...detailOf(detail),
      ...(delayMs > 0 ? { delayMs } : {}),
    };
    if (this.add(message.key, step)) this.byMessage.set(id, step);
  }

  /** A message whose receive was seen before its send (feeds race): it arrived at once. */
  sentAndArrived(
    seq: number,
    message: Omit<InFlightMessage, 'id' | 'deadline'>,
    detail: MessageDetail,
  ): void {
    const { t, from, to, msg, ballot } = message;
    this.add(message.key, {
      kind: 'message',
      seq,
      t,
      id: -seq,
      from,
      to,
      msg,
      ballot,
      ...detailOf(detail),
      fate: { seq, t, outcome: 'arrived' },
    });
  }

  arrived(seq: number, t: number, message: InFlightMessage): void {
    const step = this.byMessage.get(message.id);
    if (!step) return;
    step.fate = { seq, t, outcome: 'arrived' };
    step.held = false;
    this.byMessage.delete(message.id);
  }

  lost(seq: number, t: number, message: InFlightMessage, reason: LostReason): void {
    const step = this.byMessage.get(message.id);
    if (!step) return;
    step.fate = { seq, t, outcome: 'lost', reason };
    step.held = false;
    this.byMessage.delete(message.id);
  }

  held(message: InFlightMessage): void {
    const step = this.byMessage.get(message.id);
    if (!step) return;
    step.held = true;
    step.wasHeld = true;
  }

  /** A held message was released to be delivered: it is in flight again. */
  released(message: InFlightMessage): void {
    const step = this.byMessage.get(message.id);
    if (step) step.held = false;
  }

  /** A copy of held message `originalId` was sent (a duplicate). */
  duplicated(seq: number, originalId: number, copy: InFlightMessage): void {
    const original = this.byMessage.get(originalId);
    if (!original) return;
    const { fate: _fate, held: _held, wasHeld: _wasHeld, ...rest } = original;
    const step: MessageStep = { ...rest, seq, t: copy.t, id: copy.id, copyOf: originalId };
    if (this.add(copy.key, step)) this.byMessage.set(copy.id, step);
  }

  durable(seq: number, event: DurableEvent): void {
    const { t, node, key, promised, accepted, value, decided } = event;
    this.add(key, { kind: 'durable', seq, t, node, promised, accepted, value, decided });
  }

  state(seq: number, event: StateEvent): void {
    const { t, node, key, state, from, event: via, cause, guard, anyState, ballot } = event;
    this.add(key, {
      kind: 'state',
      seq,
      t,
      node,
      state,
      ...(from !== undefined ? { from } : {}),
      ...(via !== undefined ? { event: via } : {}),
      ...(cause !== undefined ? { cause } : {}),
      ...(guard !== undefined ? { guard } : {}),
      ...(anyState !== undefined ? { anyState } : {}),
      ...(ballot !== undefined ? { ballot } : {}),
    });
  }

  decided(seq: number, t: number, node: string, key: string, value: string): void {
    this.add(key, { kind: 'decided', seq, t, node, value });
  }

  toData(): KeyStoriesData {
    return [...this.stories.values()].map((story) => ({
      key: story.key,
      truncated: story.truncated,
      steps: story.steps.map((step) => ({ ...step })),
    }));
  }

  static fromData(data: KeyStoriesData | undefined, options: KeyStoryOptions = {}): KeyStories {
    const stories = new KeyStories(options);
    for (const story of data ?? []) {
      const copy: KeyStoryData = {
        key: story.key,
        truncated: story.truncated,
        steps: story.steps.map((step) => ({ ...step })),
      };
      stories.stories.set(story.key, copy);
      for (const step of copy.steps)
        if (step.kind === 'message' && step.fate === undefined) stories.byMessage.set(step.id, step);
    }
    return stories;
  }

  /** Adds `step` to `key`'s story (begun if new, the oldest story forgotten); false if left out. */
  private add(key: string, step: StoryStep): boolean {
    let story = this.stories.get(key);
    if (!story) {
      story = { key, steps: [], truncated: false };
      this.stories.set(key, story);
      if (this.stories.size > this.maxStories) this.forgetOldest();
    }
    if (story.steps.length >= this.maxSteps) {
      story.truncated = true;
      return false;
    }
    story.steps.push(step);
    return true;
  }

  private forgetOldest(): void {
    const [oldest] = this.stories.keys();
    if (oldest === undefined) return;
    const story = this.stories.get(oldest) as KeyStoryData;
    this.stories.delete(oldest);
    for (const step of story.steps) if (step.kind === 'message') this.byMessage.delete(step.id);
  }
}

function detailOf(detail: MessageDetail): MessageDetail {
  return {
    ...(detail.value !== undefined ? { value: detail.value } : {}),
    ...(detail.accepted !== undefined ? { accepted: detail.accepted } : {}),
    ...(detail.promised !== undefined ? { promised: detail.promised } : {}),
  };
}
