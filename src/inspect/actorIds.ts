// Actor ids that are unique across a cluster. XState session ids ("x:12") are unique only
// within one process, so inspection streams name actors after what they are: a node actor
// by its node id, a key's instance as "node/key", anything else as "node/sessionId".
/** What inspection events carry: enough of an actor ref to name it. */
export interface InspectedActor {
  readonly sessionId: string;
  readonly id?: string;
  getSnapshot(): unknown;
}

type AnyActorRef = InspectedActor;

interface ContextLike {
  readonly key?: unknown;
  readonly node?: unknown;
  readonly id?: unknown;
  readonly members?: unknown;
}

export class ClusterActorIds {
  private readonly ids = new WeakMap<AnyActorRef, string>();

  constructor(readonly nodeId: string) {}

  idOf(actor: AnyActorRef): string {
    const known = this.ids.get(actor);
    if (known !== undefined) return known;
    const id = this.derive(actor);
    this.ids.set(actor, id);
    return id;
  }

  /** The parent in the node's tree: a key's instance belongs to its node actor. */
  parentIdOf(actor: AnyActorRef): string | undefined {
    const id = this.idOf(actor);
    const parent = (actor as { _parent?: InspectedActor })._parent;
    if (parent) return this.idOf(parent);
    const slash = id.indexOf('/');
    return slash > 0 && id !== `${this.nodeId}/${actor.sessionId}` ? id.slice(0, slash) : undefined;
  }

  private derive(actor: AnyActorRef): string {
    // The actor's input is known from construction on (XState announces an actor before its
    // snapshot exists); its snapshot's context is the fallback.
    let context = (actor as { options?: { input?: ContextLike } }).options?.input;
    if (context === undefined) {
      try {
        context = (actor.getSnapshot() as { context?: ContextLike } | undefined)?.context;
      } catch {
        context = undefined;
      }
    }
    if (typeof context?.key === 'string' && typeof context.node === 'string')
      return `${context.node}/${context.key}`;
    if (typeof context?.id === 'string' && Array.isArray(context.members)) return context.id;
    return `${this.nodeId}/${actor.sessionId}`;
  }
}
