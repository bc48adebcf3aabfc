/**
 * Finds a Chromium for the browser tests, so they run on a fresh machine with nothing but
 * `npm install`. In order:
 *
 *   1. CHROMIUM_PATH (must exist);
 *   2. a system Chromium or Chrome (on PATH, or where Debian and macOS install it);
 *   3. Playwright's installed browsers (`npx playwright install chromium`);
 *   4. @sparticuz/chromium, a devDependency that ships a headless Chromium for Linux in the
 *      npm package (unpacked to the temp folder on first use; needs no system packages).
 *
 * When none can be found the test fails with one line saying how to get one; it is never
 * skipped.
 */
import { existsSync } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { findOnPath } from '../../src/temporal/temporal-cli.js';

export type ChromiumSource = 'CHROMIUM_PATH' | 'system' | 'playwright' | '@sparticuz/chromium';

export interface ResolvedChromium {
  executablePath: string;
  source: ChromiumSource;
  /** Launch arguments this build needs. */
  args: string[];
}

/** What the probe of this workplace found Chromium needs headless, as root, on a closed network. */
const baseArgs = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const systemNames = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable', 'chrome'];
const systemPaths = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
];

export class ChromiumMissingError extends Error {
  constructor(tried: string[]) {
    super(
      `No Chromium for the browser tests (tried ${tried.join('; ')}): run \`npm install\` (it brings @sparticuz/chromium on Linux), ` +
        'or `npx playwright install chromium`, or set CHROMIUM_PATH to a Chrome or Chromium binary.',
    );
    this.name = 'ChromiumMissingError';
  }
}

export interface ResolveChromiumOptions {
  env?: NodeJS.ProcessEnv;
  /** Skip the system locations (tests of the later sources). */
  systemPaths?: string[];
  /** Playwright's idea of its installed Chromium (replaceable in tests). */
  playwrightPath?: () => string | undefined;
  /** The bundled Chromium (replaceable in tests). */
  bundled?: () => Promise<{ executablePath: string; args: string[] } | undefined>;
}

export async function resolveChromium(options: ResolveChromiumOptions = {}): Promise<ResolvedChromium> {
  const env = options.env ?? process.env;
  const tried: string[] = [];

  if (env.CHROMIUM_PATH) {
    if (!existsSync(env.CHROMIUM_PATH)) throw new ChromiumMissingError([`CHROMIUM_PATH=${env.CHROMIUM_PATH} (no such file)`]);
    return { executablePath: env.CHROMIUM_PATH, source: 'CHROMIUM_PATH', args: baseArgs };
  }
  tried.push('CHROMIUM_PATH (unset)');

  const system = systemNames.map((name) => findOnPath(name, env)).find(Boolean) ?? (options.systemPaths ?? systemPaths).find((p) => existsSync(p));
  if (system) return { executablePath: system, source: 'system', args: baseArgs };
  tried.push('a system Chromium or Chrome (none)');

  const playwright = (options.playwrightPath ?? playwrightChromium)();
  if (playwright && existsSync(playwright)) return { executablePath: playwright, source: 'playwright', args: baseArgs };
  tried.push("Playwright's browsers (none installed)");

  const bundled = await (options.bundled ?? sparticuzChromium)().catch((err: Error) => {
    tried.push(`@sparticuz/chromium (${err.message.split('\n')[0]})`);
    return undefined;
  });
  if (bundled) return { ...bundled, source: '@sparticuz/chromium' };
  if (!tried.some((t) => t.startsWith('@sparticuz'))) tried.push('@sparticuz/chromium (not for this platform)');
  throw new ChromiumMissingError(tried);
}

function playwrightChromium(): string | undefined {
  try {
    return chromium.executablePath();
  } catch {
    return undefined;
  }
}

/** Unpacks once per machine; a lock folder keeps two test files from unpacking at once. */
async function sparticuzChromium(): Promise<{ executablePath: string; args: string[] } | undefined> {
  if (process.platform !== 'linux') return undefined;
  const { default: bundled } = await import('@sparticuz/chromium');
  const lock = path.join(os.tmpdir(), 'paycall-chromium-unpack.lock');
  for (let waited = 0; ; waited += 200) {
    try {
      await mkdir(lock);
      break;
    } catch {
      const age = Date.now() - (await stat(lock).then((s) => s.mtimeMs, () => Date.now()));
      if (age > 120_000) await rm(lock, { recursive: true, force: true }); // a crashed unpacker's lock
      if (waited > 180_000) throw new Error('timed out waiting for another process to unpack Chromium');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  try {
    // Its defaults also switch off web security (for serverless scraping); our pages' CSP and origin rules must hold.
    const args = bundled.args.filter((arg) => arg !== '--disable-web-security' && arg !== '--allow-running-insecure-content');
    return { executablePath: await bundled.executablePath(), args };
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

/** Launches the resolved Chromium headless with playwright-core. */
export async function launchChromium(): Promise<Browser> {
  const resolved = await resolveChromium();
  return chromium.launch({ executablePath: resolved.executablePath, args: resolved.args, headless: true });
}
