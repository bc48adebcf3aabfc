/** The chaos call plan: repeatable from its seed, one order per paying call (two for a racing pair), valid scripts. */
import { describe, expect, it } from 'vitest';
import { scenarioSchema } from '../../src/stand-ins/phone-simulator/index.js';
import { planCalls } from './call-plan.js';
import { seededRandom } from './random.js';

const plan = (seed: number) => planCalls({ calls: 300, raceShare: 0.1, thinkMs: { min: 10, max: 20 }, random: seededRandom(seed, 'plan') });

describe('planCalls', () => {
  it('is the same for the same seed, different for another', () => {
    expect(plan(3)).toEqual(plan(3));
    expect(plan(3).calls.map((c) => c.kind)).not.toEqual(plan(4).calls.map((c) => c.kind));
  });

  it('gives every call that can pay an order of its own, except the two callers of a racing pair', () => {
    const { calls, orders, units } = plan(5);
    expect(calls).toHaveLength(300);
    expect(units.flat()).toEqual(calls);
    const byOrder = new Map<string, string[]>();
    for (const c of calls) if (c.orderId) byOrder.set(c.orderId, [...(byOrder.get(c.orderId) ?? []), c.kind]);
    expect([...byOrder.keys()].sort()).toEqual(orders.map((o) => o.orderId).sort());
    for (const kinds of byOrder.values()) expect(kinds.length === 1 || (kinds.length === 2 && kinds.every((k) => k === 'race-for-one-order'))).toBe(true);
    expect(units.filter((u) => u.length === 2).length).toBeGreaterThan(5);
    expect(new Set(calls.map((c) => c.kind)).size).toBe(9);
  });

  it('writes scripts the phone simulator accepts, ordering only orders that exist', () => {
    const { calls, orders } = plan(6);
    const known = new Set(orders.map((o) => o.orderId));
    for (const c of calls) {
      expect(() => scenarioSchema.parse({ name: c.kind, steps: c.steps })).not.toThrow();
      const keyed = c.steps.flatMap((s) => ('gather' in s && s.gather.endsWith('#') ? [s.gather.slice(0, -1)] : []));
      const real = keyed.filter((k) => known.has(k));
      expect(real).toEqual(c.orderId ? [c.orderId] : []);
    }
  });
});
