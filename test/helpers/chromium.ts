/**
 * Headless Debian Chromium driven by playwright-core (no browser download). Every run gets a fresh
 * profile; background networking, component updates and sync are off, and any request that is not
 * file: or data: is refused and recorded, so a test can prove a page loads nothing from outside.
 */
import type { ExecutionContext } from 'ava';
import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface OpenPage {
  page: Page;
  consoleErrors: string[];
  /** URLs the page tried to load from anywhere but file: and data:. */
  blockedRequests: string[];
}

export async function openChromium(t: ExecutionContext): Promise<(url: string) => Promise<OpenPage>> {
  try {
    await access(CHROMIUM_PATH);
  } catch {
    throw new Error(
      `${CHROMIUM_PATH} not found: install the Debian package "chromium" (apt-get install -y --no-install-recommends chromium, as .ci/setup-reports.sh does)`,
    );
  }
  const profile = await mkdtemp(join(tmpdir(), 'chromium-profile-'));
  const context: BrowserContext = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1280, height: 900 },
  });
  t.teardown(async () => {
    await context.close();
    await rm(profile, { recursive: true, force: true });
  });
  return async (url) => {
    const page = await context.newPage();
    const consoleErrors: string[] = [];
    const blockedRequests: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(String(error)));
    await page.route('**/*', (route) => {
      const target = route.request().url();
      if (target.startsWith('file:') || target.startsWith('data:')) return route.continue();
      blockedRequests.push(target);
      return route.abort();
    });
    await page.goto(url);
    return { page, consoleErrors, blockedRequests };
  };
}
