// Takes the README's screenshots of the console: one per tab (Packages just after an upload), the approval
// confirmation, and the dark theme.
// Same setup as the console's browser test: a real server with a fresh store, Debian's Chromium.
//   node --import tsx scripts/screenshots.ts        (builds the console first if dist/renderer is missing)
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { applyRuleAction } from '../src/server/app/rule-actions.js';
import { addTestDevice } from '../src/server/app/test-devices.js';
import { multiDevicePackage } from '../test/fixtures/cabs.js';
import { ensureConsoleBuilt, launchChromium, ROOT, ruleName, SEED, startConsoleServer } from '../test/console/console-fixture.js';

const OUT = join(ROOT, 'docs', 'screenshots');

async function shoot(page: Page, file: string): Promise<void> {
  // Fluent animates dialogs and menus in: wait until they are drawn in full. (A string: no DOM types here.)
  await page.waitForFunction(`document.getAnimations().every((a) => a.playState !== 'running')`);
  await page.screenshot({ path: join(OUT, file) });
  console.log(`docs/screenshots/${file}`);
}

ensureConsoleBuilt();
mkdirSync(OUT, { recursive: true });
const env = await startConsoleServer();
const scratch = mkdtempSync(join(tmpdir(), 'ucupdates-screenshots-'));
try {
  // Some history and test devices, made through the same use cases as the console's.
  const { store } = env.server;
  addTestDevice(store, { name: 'Lab CX600 (desk 4.12)', mac: '00-04-F2-A1-07-3C' }, 'local-admin');
  addTestDevice(store, { name: 'Aastra 6725ip, help desk', serial: '14A7C0035' }, 'local-admin');
  applyRuleAction(store, 'approve', [env.ruleIds.aastra], 'local-admin');

  for (const colorScheme of ['light', 'dark'] as const) {
    const browser = await launchChromium({ colorScheme });
    try {
      const page = await browser.context.newPage();
      await page.goto(env.server.signInLink());
      await page.getByRole('table', { name: 'Pending updates' }).waitFor();
      if (colorScheme === 'dark') {
        await shoot(page, 'pending-updates-dark.png');
        await page.getByRole('tab', { name: 'Settings' }).click();
        await page.getByLabel('External URL', { exact: true }).waitFor();
        await shoot(page, 'settings-dark.png');
        continue;
      }
      await shoot(page, 'pending-updates.png');

      await page.getByRole('checkbox', { name: `Select ${ruleName(SEED.cx600.key)}` }).check();
      await page.getByRole('checkbox', { name: `Select ${ruleName(SEED.ip8540.key)}` }).check();
      await page.getByRole('button', { name: 'Approve', exact: true }).click();
      await page.getByRole('dialog').waitFor();
      await shoot(page, 'approve-confirmation.png');
      await page.keyboard.press('Escape');

      const tabs = [
        ['Approved Updates', 'Approved updates', 'approved-updates.png'],
        ['Test Devices', 'Test devices', 'test-devices.png'],
        ['Activity', 'Activity', 'activity.png'],
      ] as const;
      for (const [tab, table, file] of tabs) {
        await page.getByRole('tab', { name: tab }).click();
        await page.getByRole('table', { name: table }).getByRole('row').nth(1).waitFor();
        await shoot(page, file);
      }

      // IP8540's pending version rejected first, so that the upload's summary shows a downgrade warning.
      applyRuleAction(store, 'reject', [env.ruleIds.ip8540], 'local-admin');
      await page.getByRole('tab', { name: 'Packages' }).click();
      await page.locator('input[type="file"]').setInputFiles(await multiDevicePackage(scratch));
      await page.getByRole('table', { name: 'Imported images' }).waitFor();
      await page.getByRole('table', { name: 'Packages' }).getByRole('row').nth(1).waitFor();
      await shoot(page, 'packages.png');

      await page.getByRole('tab', { name: 'Settings' }).click();
      await page.getByLabel('External URL', { exact: true }).fill('lyncext.contoso.com');
      await page.getByRole('button', { name: 'Save Changes' }).click();
      await page.locator('#setting-externalUrl-error').waitFor();
      await shoot(page, 'settings.png');
    } finally {
      await browser.close();
    }
  }
} finally {
  await env.close();
  rmSync(scratch, { recursive: true, force: true });
}
