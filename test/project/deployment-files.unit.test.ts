/** docker-compose.yml, Dockerfile and .env.example stay consistent with the config paycall knows. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { configVariableNames } from '../../src/config/config.js';

interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[];
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

  it('builds paycall services from the Dockerfile and runs entry points that exist', () => {
    for (const name of ['paycall-worker', 'paycall-web', 'paycall-setup']) {
      const service = compose.services[name]!;
      expect(service.build).toBe('.');
      const entry = service.command?.at(-1);
      expect(entry && readFileSync(entry, 'utf8').length).toBeGreaterThan(0);
    }
    expect(Object.values(npmScriptTargets).join(' ')).toContain('src/worker/main.ts');
  });

  it('only sets environment variables the config knows', () => {
    for (const name of ['paycall-worker', 'paycall-web', 'paycall-setup']) {
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
  it('uses a pinned glibc Node 20 image and a locked install', () => {
    expect(dockerfile).toMatch(/^FROM node:20\.\d+\.\d+-bookworm-slim$/m);
    expect(dockerfile).toContain('npm ci');
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
