/**
 * Heartbeats while an activity waits on Stripe or the order book, so a worker that dies
 * mid-activity is noticed within the activity's heartbeat timeout (seconds) instead of its
 * start-to-close timeout, and the attempt moves to a live worker. Safe for money: every
 * retry carries the same idempotency key. Local activities run inside a workflow task,
 * whose timeout plays that part.
 */
import { Context } from '@temporalio/activity';

export function keepAlive<A extends unknown[], R>(fn: (...args: A) => Promise<R>, everyMs = 1000): (...args: A) => Promise<R> {
  return async (...args: A) => {
    let context: Context | undefined;
    try {
      context = Context.current();
    } catch {
      return fn(...args); // called directly (a unit test), not as an activity
    }
    // A local activity has no heartbeat: it lives and dies with its workflow task.
    if (context.info.isLocal) return fn(...args);
    context.heartbeat();
    const timer = setInterval(() => context.heartbeat(), everyMs);
    try {
      return await fn(...args);
    } finally {
      clearInterval(timer);
    }
  };
}
