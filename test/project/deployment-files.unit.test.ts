/** docker-compose.yml, Dockerfile and .env.example stay consistent with the config paycall knows. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { configVariableNames } from '../../src/config/config.js';

interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[];
  entrypoint?: string[];
  deploy?: { replicas?: number };
  stop_grace_period?: string;
  profiles?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
}
const compose = parse(readFileSync('docker-compose.yml', 'utf8')) as { services: Record<string, ComposeService> };
const configKeys = new Set(configVariableNames);
const npmScriptTargets = JSON.parse(readFileSync('package.json', 'utf8')).scripts as Record<string, string>;

describe('docker-compose.yml', () => {
  it('has Temporal on PostgreSQL, the UI, and paycall worker and web', () => {
    expect(Object.keys(compose.services)).toEqual(expect.arrayContaining(['postgresql', 'temporal', 'temporal-ui', 'paycall-worker', 'paycall-web']));
    expect(compose.services.temporal?.environment).toMatchObject({ DB: 'postgres12', POSTGRES_SEEDS: 'postgresql' });
    expect(compose.services['temporal-ui']?.environment?.TEMPORAL_ADDRESS).toBe('temporal:7233');
  });

  it('pins every image tag', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      if (!service.image) {
        expect(service.build, `${name} has neither image nor build`).toBeDefined();
        continue;
      }
      expect(service.image, name).toMatch(/^[a-z0-9/_-]+:\d+(\.\d+)+$/);
    }
  });

  const paycallServices = ['paycall-worker', 'paycall-web', 'paycall-setup', 'paycall-migrate', 'paycall-orders-import'];

  it('builds paycall services from the Dockerfile and runs entry points that exist, with node as PID 1', () => {
    for (const name of paycallServices) {
      const service = compose.services[name]!;
      expect(service.build, name).toBe('.');
      const argv = service.command ?? service.entrypoint ?? [];
      expect(argv.slice(0, 3), name).toEqual(['node', '--import', 'tsx']);
      const entry = argv.at(-1)!;
      expect(readFileSync(entry, 'utf8').length, name).toBeGreaterThan(0);
    }
    expect(Object.values(npmScriptTargets).join(' ')).toContain('src/worker/main.ts');
  });

  it('runs two workers, with a stop grace longer than their 10 s shutdown grace', () => {
    const worker = compose.services['paycall-worker']!;
    expect(worker.deploy?.replicas).toBe(2);
    expect(Number.parseInt(worker.stop_grace_period ?? '0', 10)).toBeGreaterThan(10);
    expect(readFileSync('src/worker/worker.ts', 'utf8')).toContain("shutdownGraceTime: '10 seconds'");
  });

  it('keeps the orders in PostgreSQL, migrated by a one-shot before the worker starts', () => {
    expect(compose.services['orders-db']?.image).toMatch(/^postgres:/);
    expect(compose.services['paycall-migrate']?.command?.at(-1)).toBe('src/orders/cli/db-migrate.ts');
    expect(compose.services['paycall-worker']?.depends_on?.['paycall-migrate']?.condition).toBe('service_completed_successfully');
    expect(compose.services['paycall-worker']?.environment?.DATABASE_URL).toMatch(/^postgres:\/\/.*@orders-db:5432\/orders$/);
  });

  it('only sets environment variables the config knows', () => {
    for (const name of ['paycall-worker', 'paycall-web', 'paycall-setup', 'paycall-migrate', 'paycall-orders-import']) {
      for (const key of Object.keys(compose.services[name]?.environment ?? {})) {
        expect(configKeys, `${name}: ${key}`).toContain(key);
      }
    }
  });

  it('registers search attributes before the worker starts', () => {
    expect(compose.services['paycall-worker']?.depends_on?.['paycall-setup']?.condition).toBe('service_completed_successfully');
  });
});

describe('Dockerfile', () => {
  const dockerfile = readFileSync('Dockerfile', 'utf8');
  it('uses a pinned glibc Node 22 LTS image, a locked install, the prebuilt workflow bundle, and node as PID 1', () => {
    expect(dockerfile).toMatch(/^FROM node:22\.\d+\.\d+-bookworm-slim$/m);
    expect(dockerfile).toContain('npm ci --omit=dev');
    expect(dockerfile).toMatch(/^RUN npm run build$/m);
    expect(dockerfile).toMatch(/^CMD \["node", "--import", "tsx", "src\/web\/main\.ts"\]$/m);
    expect(JSON.parse(readFileSync('package.json', 'utf8')).scripts.build).toContain('build-workflow-bundle');
  });

  it('leaves the local stand-ins, tests and local state out of the image, and its entry points never import a stand-in', () => {
    const ignored = readFileSync('.dockerignore', 'utf8').split('\n').map((l) => l.trim());
    for (const path of ['src/stand-ins', 'test', '.data', '.env', 'node_modules']) expect(ignored, path).toContain(path);
    const seen = new Set<string>();
    const reached: string[] = [];
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      reached.push(file);
      for (const m of readFileSync(file, 'utf8').matchAll(/\bfrom\s+'(\.[^']+)'/g)) {
        const next = path.resolve(path.dirname(file), m[1]!.replace(/\.js$/, '.ts'));
        if (next.endsWith('.ts')) visit(next);
      }
    };
    for (const entry of ['src/web/main.ts', 'src/worker/main.ts', 'src/temporal/register-search-attributes.ts', 'src/orders/cli/db-migrate.ts', 'src/orders/cli/orders-import.ts']) visit(path.resolve(entry));
    expect(reached.filter((f) => f.includes(`${path.sep}stand-ins${path.sep}`))).toEqual([]);
  });
});

describe('.env.example', () => {
  it('documents only variables the config knows, and every one of them', () => {
    const text = readFileSync('.env.example', 'utf8');
    const documented = new Set([...text.matchAll(/^#?\s?([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]!));
    for (const key of documented) expect(configKeys, key).toContain(key);
    for (const key of configKeys) expect(documented, key).toContain(key);
  });
});
