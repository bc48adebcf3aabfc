/**
 * Seeded randomness for the chaos run (pure-rand's xoroshiro128+), so `--seed` repeats the
 * same call plan. Each consumer (plan, front, Stripe gate, kill schedule) gets its own
 * stream, derived from the seed and a name, so adding draws in one never shifts another.
 * (What happens at run time still depends on timing; the plan and the fault rates do not.)
 */
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

export interface Random {
  /** In [0, 1). */
  next(): number;
  /** An integer in [from, to]. */
  int(from: number, to: number): number;
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
}

export function seededRandom(seed: number, stream: string): Random {
  let mixed = seed | 0;
  for (const ch of stream) mixed = (Math.imul(mixed ^ ch.charCodeAt(0), 0x9e3779b1) + 0x7f4a7c15) | 0;
  const rng = xoroshiro128plus(mixed);
  return {
    next: () => uniformFloat64(rng),
    int: (from, to) => uniformInt(rng, from, to),
    chance: (p) => uniformFloat64(rng) < p,
    pick: (items) => {
      if (items.length === 0) throw new Error('pick from an empty list');
      return items[uniformInt(rng, 0, items.length - 1)]!;
    },
  };
}
