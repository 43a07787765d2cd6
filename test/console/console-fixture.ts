// What the console's browser tests (and scripts/screenshots.ts) stand on: a real server on loopback ports with a
// fresh data folder, a few update rules written with the store's repositories, and Debian's Chromium.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import type { RuleKey } from '../../src/server/domain/device.js';
import type { Version } from '../../src/shared/version.js';
import { startServer, type RunningServer } from '../../src/server/compose.js';
import { createAppLog } from '../../src/server/infra/app-log.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CONSOLE_DIR = join(ROOT, 'dist', 'renderer');
export const CHROMIUM = '/usr/bin/chromium';

/** Builds the console when dist/renderer has none (`npm run build:console` normally does it first). */
export function ensureConsoleBuilt(): void {
  if (existsSync(join(CONSOLE_DIR, 'index.html'))) return;
  const r = spawnSync('npx', ['vite', 'build', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('Building the console (npx vite build) failed.');
}

const cpe = (vendor: string, model: string, revision = 'Rev-1'): RuleKey => ({
  deviceType: 'UCPhone',
  vendor,
  model,
  revision,
  locale: 'ENU',
  updateType: 'CPE',
});

/** Rules in the states the console shows; keys are used by the tests to find them. */
export const SEED = {
  cx600: { key: cpe('Polycom', 'CX600'), approved: '4.0.7577.4366', pending: '4.0.7577.4455', restore: null },
  aastra: { key: cpe('Aastra', '6725ip'), approved: null, pending: '4.0.7577.4455', restore: null },
  ip8540: { key: cpe('LG-Nortel', 'IP8540', 'A'), approved: '4.0.7577.4455', pending: '4.0.7577.4400', restore: null },
  cx500: { key: cpe('Polycom', 'CX500'), approved: '4.0.7577.4366', pending: null, restore: '4.0.7577.4100' },
  cx700: { key: cpe('Polycom', 'CX700'), approved: '4.0.7577.4455', pending: null, restore: null },
} as const;

export type SeedName = keyof typeof SEED;
export const ruleName = (k: RuleKey) => [k.deviceType, k.vendor, k.model, k.revision, k.locale, k.updateType].join('/');

export interface ConsoleServer {
  server: RunningServer;
  ruleIds: Record<SeedName, number>;
  close(): Promise<void>;
}

export async function startConsoleServer(): Promise<ConsoleServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ucupdates-console-'));
  const server = await startServer({
    dataDir,
    overrides: { httpPort: 0, httpsPort: 0, adminPort: 0, adminHost: '127.0.0.1' },
    consoleDir: CONSOLE_DIR,
    log: createAppLog({ level: 'warn' }),
  });
  // Through write(), as an admin change: the phone catalog and the inventory follow it.
  const ruleIds = await server.store.write(async (tx, now) => {
    const ids = {} as Record<SeedName, number>;
    for (const [name, r] of Object.entries(SEED) as [SeedName, (typeof SEED)[SeedName]][]) {
      const id = await tx.rules.ensure(r.key, now);
      await tx.rules.setVersions(id, { approved: r.approved as Version | null, pending: r.pending as Version | null, restore: r.restore as Version | null }, now);
      ids[name] = id;
    }
    return { result: ids };
  });
  return {
    server,
    ruleIds,
    async close() {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/**
 * Waits until an expression is true in the page. Not page.waitForFunction: its polling evaluates the expression as a
 * string inside the page, which the console's Content-Security-Policy (no 'unsafe-eval') refuses.
 */
export async function until(page: Page, expression: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await page.evaluate(expression))) {
    if (Date.now() > deadline) throw new Error(`Still false after ${timeoutMs} ms in the page: ${expression}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function launchChromium(opts: { colorScheme?: 'light' | 'dark' } = {}): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'ucupdates-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 720 },
    colorScheme: opts.colorScheme ?? 'light',
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
  });
  context.setDefaultTimeout(10_000);
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Chromium on the console of `server`, signed in with a one-time link; script errors are collected as they happen. */
export async function openSignedIn(server: RunningServer): Promise<{ browser: Browser; page: Page; scriptErrors: string[] }> {
  const browser = await launchChromium();
  const page = await browser.context.newPage();
  const scriptErrors: string[] = [];
  page.on('pageerror', (e) => scriptErrors.push(e.message));
  // Refused requests (a 401 or 404 on purpose) are logged by Chromium itself; they are not script errors.
  page.on('console', (m) => void (m.type() === 'error' && !m.text().startsWith('Failed to load resource') && scriptErrors.push(m.text())));
  await page.goto(server.signInLink());
  await page.getByText('Signed in as local-admin').waitFor();
  return { browser, page, scriptErrors };
}
