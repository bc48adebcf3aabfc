/**
 * The calls the stand-in knows: a call becomes known when the phone simulator places it (or,
 * at the latest, when it is connected to an operator in a `<Dial>`), is reachable while in a
 * `<Dial>` (the simulator long-polls its ordered event queue then: control-protocol.ts), and
 * stays known after it ends so late REST requests get Twilio's "not in progress" answer.
 * Events queued before the `<Dial>` (a capture asked for early) wait for it.
 */
import { EventEmitter } from 'node:events';
import type { CallStart, ControlEvent, DialStart } from './control-protocol.js';
import type { PaymentSession } from './payment-session.js';

type WithoutSeq<T> = T extends unknown ? Omit<T, 'seq'> : never;
export type NewControlEvent = WithoutSeq<ControlEvent>;

/** Ended calls kept for late requests; the oldest are forgotten past this. */
const MAX_ENDED_CALLS = 1000;

export class LiveCall {
  readonly callSid: string;
  readonly accountSid: string;
  readonly from: string;
  readonly to: string;
  readonly startTime: Date;
  /** The operator leg of the current (or last) `<Dial>`. */
  childCallSid: string | undefined;
  dialTo: string[] = [];
  documentUrl: string;
  dialStartTime: Date;
  endTime: Date | undefined;
  status: 'in-progress' | 'completed' = 'in-progress';
  /** Connected in a `<Dial>`: the stand-in can reach the caller (prompts, redirects). */
  inDial = false;
  readonly sessions: PaymentSession[] = [];
  private readonly events: ControlEvent[] = [];
  private seq = 0;
  private readonly wakers = new Set<() => void>();

  constructor(callSid: string, start: CallStart, now: Date) {
    this.callSid = callSid;
    this.accountSid = start.accountSid;
    this.from = start.from;
    this.to = start.to;
    this.startTime = now;
    this.childCallSid = undefined;
    this.documentUrl = start.documentUrl;
    this.dialStartTime = now;
  }

  /** The caller is connected to the operator (again). */
  dial(start: DialStart, now: Date): void {
    this.childCallSid = start.childCallSid;
    this.dialTo = start.dialTo;
    this.documentUrl = start.documentUrl;
    this.dialStartTime = now;
    this.inDial = true;
  }

  push(event: NewControlEvent): void {
    this.events.push({ ...event, seq: ++this.seq } as ControlEvent);
    this.wake();
  }

  eventsAfter(after: number): ControlEvent[] {
    return this.events.filter((e) => e.seq > after);
  }

  /** Events after `after`, waiting up to `waitMs` for one (empty when none came or the call ended). */
  async waitForEvents(after: number, waitMs: number, signal?: AbortSignal): Promise<ControlEvent[]> {
    const ready = this.eventsAfter(after);
    if (ready.length > 0 || this.status === 'completed') return ready;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakers.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, waitMs);
      this.wakers.add(done);
      signal?.addEventListener('abort', done);
    });
    return this.eventsAfter(after);
  }

  private wake(): void {
    for (const wake of [...this.wakers]) wake();
  }

  activeSession(): PaymentSession | undefined {
    return this.sessions.find((s) => s.status === 'in-progress');
  }

  session(sid: string): PaymentSession | undefined {
    return this.sessions.find((s) => s.sid === sid);
  }

  /** The caller's call is over (they hung up, or a REST update ended it). */
  end(now: Date): void {
    if (this.status === 'completed') return;
    this.status = 'completed';
    this.inDial = false;
    this.endTime = now;
    this.activeSession()?.callEnded();
    this.wake();
  }
}

export class LiveCalls {
  private readonly calls = new Map<string, LiveCall>();
  private readonly byChild = new Map<string, string>();
  private readonly connected = new EventEmitter().setMaxListeners(0);

  /** The simulator placed a call. A CallSid seen before starts afresh. */
  start(callSid: string, start: CallStart, now: Date): LiveCall {
    const call = new LiveCall(callSid, start, now);
    this.calls.set(callSid, call);
    this.prune();
    return call;
  }

  /** The simulator reports the caller connected in a `<Dial>`. */
  connect(callSid: string, start: DialStart, now: Date): LiveCall {
    let call = this.calls.get(callSid);
    if (!call || call.status !== 'in-progress') call = this.start(callSid, start, now);
    call.dial(start, now);
    this.byChild.set(start.childCallSid, callSid);
    this.connected.emit('connected', call);
    return call;
  }

  get(callSid: string): LiveCall | undefined {
    return this.calls.get(callSid);
  }

  /** The parent call of an operator leg. */
  parentOf(childCallSid: string): LiveCall | undefined {
    const parent = this.byChild.get(childCallSid);
    return parent === undefined ? undefined : this.calls.get(parent);
  }

  list(): LiveCall[] {
    return [...this.calls.values()];
  }

  /** Resolves when `callSid` is connected in a `<Dial>` (at once if it is). */
  waitForDial(callSid: string, timeoutMs: number): Promise<LiveCall> {
    const known = this.calls.get(callSid);
    if (known?.inDial) return Promise.resolve(known);
    return new Promise((resolve, reject) => {
      const onConnected = (call: LiveCall) => {
        if (call.callSid !== callSid) return;
        clearTimeout(timer);
        this.connected.off('connected', onConnected);
        resolve(call);
      };
      const timer = setTimeout(() => {
        this.connected.off('connected', onConnected);
        reject(new Error(`call ${callSid} was not connected in a <Dial> within ${timeoutMs} ms`));
      }, timeoutMs);
      this.connected.on('connected', onConnected);
    });
  }

  private prune(): void {
    const ended = [...this.calls.values()].filter((c) => c.status === 'completed');
    for (const call of ended.slice(0, Math.max(0, ended.length - MAX_ENDED_CALLS))) {
      this.calls.delete(call.callSid);
      if (call.childCallSid) this.byChild.delete(call.childCallSid);
    }
  }
}
