/**
 * The web process and the worker are deployed apart: neither imports the other's code
 * (shared pieces live in config/, contract/, temporal/, …), and the launcher (src/main.ts)
 * is the one place that wires both.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? files(full) : full.endsWith('.ts') ? [full] : [];
  });
}

/** Relative imports of a file that resolve into `folder`. */
function importsInto(file: string, folder: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/\bfrom\s+'(\.[^']+)'/g)]
    .map((m) => path.relative(process.cwd(), path.resolve(path.dirname(file), m[1]!)))
    .filter((target) => target.startsWith(`${folder}/`));
}

describe('process boundaries', () => {
  it('nothing under src/web/ imports src/worker/, and nothing under src/worker/ imports src/web/', () => {
    const crossings = [
      ...files('src/web').flatMap((f) => importsInto(f, 'src/worker').map((t) => `${f} → ${t}`)),
      ...files('src/worker').flatMap((f) => importsInto(f, 'src/web').map((t) => `${f} → ${t}`)),
    ];
    expect(crossings).toEqual([]);
  });

  it('the webhooks, calls and operator tools (web side) do not import the worker', () => {
    const crossings = ['src/webhooks', 'src/calls', 'src/operators'].flatMap((dir) => files(dir).flatMap((f) => importsInto(f, 'src/worker').map((t) => `${f} → ${t}`)));
    expect(crossings).toEqual([]);
  });
});
