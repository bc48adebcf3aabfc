/**
 * The browser tests' Chromium resolver, source by source, and the bundled Chromium that
 * `npm install` brings really rendering a page (Japanese text included) headless.
 */
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ChromiumMissingError, resolveChromium } from './chromium.js';

function fakeBinary(name: string): { dir: string; file: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'paycall-chromium-'));
  const file = path.join(dir, name);
  writeFileSync(file, '#!/bin/sh\n');
  chmodSync(file, 0o755);
  return { dir, file };
}

const nowhere = { systemPaths: [], playwrightPath: () => undefined };

describe('resolveChromium', () => {
  it('takes CHROMIUM_PATH first', async () => {
    const { file } = fakeBinary('my-chrome');
    const onPath = fakeBinary('chromium');
    const resolved = await resolveChromium({ env: { CHROMIUM_PATH: file, PATH: onPath.dir }, ...nowhere });
    expect(resolved.source).toBe('CHROMIUM_PATH');
    expect(resolved.executablePath).toBe(file);
  });

  it('refuses a CHROMIUM_PATH that does not exist, naming it', async () => {
    await expect(resolveChromium({ env: { CHROMIUM_PATH: '/nonexistent/chrome' }, ...nowhere })).rejects.toThrow('CHROMIUM_PATH=/nonexistent/chrome (no such file)');
  });

  it('then a system Chromium or Chrome on PATH', async () => {
    const { dir, file } = fakeBinary('google-chrome');
    const resolved = await resolveChromium({ env: { PATH: dir }, ...nowhere });
    expect(resolved).toMatchObject({ source: 'system', executablePath: file });
  });

  it("then Playwright's installed Chromium", async () => {
    const { file } = fakeBinary('chrome');
    const resolved = await resolveChromium({ env: { PATH: '' }, systemPaths: [], playwrightPath: () => file });
    expect(resolved).toMatchObject({ source: 'playwright', executablePath: file });
  });

  it('then the Chromium that arrives with npm install', async () => {
    const resolved = await resolveChromium({ env: { PATH: '' }, ...nowhere });
    expect(resolved.source).toBe('@sparticuz/chromium');
    // Web security stays on: the console's CSP and origin rules must be what the tests see.
    expect(resolved.args).not.toContain('--disable-web-security');
  });

  it('fails with one line saying how to get one when there is none', async () => {
    const error = await resolveChromium({ env: { PATH: '' }, ...nowhere, bundled: async () => undefined }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChromiumMissingError);
    const message = (error as Error).message;
    expect(message).not.toContain('\n');
    expect(message).toMatch(/^No Chromium for the browser tests \(tried CHROMIUM_PATH \(unset\); a system Chromium or Chrome \(none\); Playwright's browsers \(none installed\); @sparticuz\/chromium \(not for this platform\)\): run `npm install`/);
    expect(message).toContain('set CHROMIUM_PATH');
  });
});

describe('the bundled Chromium', () => {
  it('launches headless with playwright-core and renders a page', async () => {
    const resolved = await resolveChromium({ env: { PATH: '' }, ...nowhere });
    const browser = await chromium.launch({ executablePath: resolved.executablePath, args: resolved.args, headless: true });
    try {
      const page = await browser.newPage();
      await page.setContent('<main><h1>お支払い</h1><p id="amount">¥6,480</p></main>');
      expect(await page.locator('#amount').textContent()).toBe('¥6,480');
      expect(await page.locator('h1').textContent()).toBe('お支払い');
      const png = await page.screenshot();
      expect(png.subarray(1, 4).toString()).toBe('PNG');
    } finally {
      await browser.close();
    }
  }, 120_000);
});
