/**
 * "Some time later", as Stripe's test mode has it: a pending refund that settles, a refund that
 * fails after appearing to succeed, a dispute opened on a charge made with a dispute test card,
 * a dispute closed after winning/losing evidence. Each is a transition scheduled `delayMs` after
 * the request that caused it (`asyncDelayMs` option, default 2000 ms), or, with a null delay, only
 * when a control call (`/_sandbox/…`, or `sandbox.control`) runs it. Transitions are saved with
 * the state: after a restart, overdue ones run at once and the rest keep their due time.
 *
 * The transitions themselves (what changes, which events are emitted) are registered by
 * refund-transitions.ts and disputes.ts.
 */
import type { Logger } from '../../logging/logger.js';
import { newId } from './objects.js';
import type { Store, StoredTransition } from './store.js';

export type TransitionKind = StoredTransition['kind'];
export type TransitionHandler = (transition: StoredTransition) => void;

export class Lifecycle {
  private readonly handlers = new Map<TransitionKind, TransitionHandler>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private closed = false;

  constructor(
    private readonly store: Store,
    private readonly logger: Logger,
    /** Milliseconds until a scheduled transition runs by itself; null: only on a control call. */
    readonly delayMs: number | null,
  ) {}

  register(kind: TransitionKind, handler: TransitionHandler): void {
    this.handlers.set(kind, handler);
  }

  /** Schedules `kind` for `target` (the caller saves the store). */
  schedule(kind: TransitionKind, target: string, params: Record<string, string> = {}): StoredTransition {
    const transition: StoredTransition = {
      seq: this.store.nextSeq(),
      id: newId('trn', 14),
      kind,
      target,
      dueAt: this.delayMs === null ? null : Date.now() + this.delayMs,
      params,
    };
    this.store.state.transitions[transition.id] = transition;
    // Armed on the next tick, after the request that scheduled it has saved the state.
    setImmediate(() => this.arm(transition));
    return transition;
  }

  /** Scheduled transitions, soonest first (manual ones last), optionally for one target. */
  pending(target?: string): StoredTransition[] {
    return Object.values(this.store.state.transitions)
      .filter((t) => target === undefined || t.target === target)
      .sort((a, b) => (a.dueAt ?? Infinity) - (b.dueAt ?? Infinity) || a.seq - b.seq);
  }

  /** Drops the scheduled transitions of `target` (a control call decided its fate instead). */
  cancel(target: string, kind?: TransitionKind): void {
    for (const t of this.pending(target)) {
      if (kind !== undefined && t.kind !== kind) continue;
      this.disarm(t.id);
      delete this.store.state.transitions[t.id];
    }
  }

  /** Runs one transition now (removing it first, so a failing handler does not loop). Saves. */
  run(id: string): StoredTransition | undefined {
    const transition = this.store.state.transitions[id];
    if (transition === undefined) return undefined;
    this.disarm(id);
    delete this.store.state.transitions[id];
    const handler = this.handlers.get(transition.kind);
    try {
      if (!handler) throw new Error(`no handler for ${transition.kind}`);
      handler(transition);
    } catch (err) {
      // The object may have moved on (a refund failed by a control call before it settled).
      this.logger.warn({ err, transition }, 'stripe sandbox transition did not apply');
    }
    this.store.save();
    return transition;
  }

  /** Runs every scheduled transition now, soonest first (transitions they schedule included). */
  runAll(): StoredTransition[] {
    const ran: StoredTransition[] = [];
    for (let next = this.pending()[0]; next !== undefined && ran.length < 1000; next = this.pending()[0]) {
      const done = this.run(next.id);
      if (done) ran.push(done);
    }
    return ran;
  }

  /** Arms timers for saved transitions (call once, after the state is loaded). */
  start(): void {
    for (const t of this.pending()) this.arm(t);
  }

  close(): void {
    this.closed = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  private arm(transition: StoredTransition): void {
    if (this.closed || transition.dueAt === null || this.timers.has(transition.id)) return;
    if (this.store.state.transitions[transition.id] === undefined) return;
    const timer = setTimeout(() => {
      this.timers.delete(transition.id);
      this.run(transition.id);
    }, Math.max(0, transition.dueAt - Date.now()));
    this.timers.set(transition.id, timer);
  }

  private disarm(id: string): void {
    const timer = this.timers.get(id);
    if (timer) clearTimeout(timer);
    this.timers.delete(id);
  }
}
