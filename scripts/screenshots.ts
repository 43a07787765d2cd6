// Takes the README's screenshots of the console: one per tab (Packages just after an upload), the approval
// confirmation, a phone's page, and the dark theme; each at 1366 px wide (name.png, the README's) and at 1024 px
// (name-1024.png), saying when anything is wider than the window or a table wider than its box. The fleet views show a month of a 240-phone fleet written through
// the inventory's own transitions (as the recorder would have), and phones checking in now through the simulator.
// Same setup as the console's browser test: a real server with a fresh store, Debian's Chromium.
//   node --import tsx scripts/screenshots.ts        (builds the console first if dist/renderer is missing)
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { DEFAULT_PHONE, simulateCheck, type SimulatedPhone } from '../src/cli/phone-simulator.js';
import { listDevices } from '../src/server/app/inventory.js';
import { applyRuleAction } from '../src/server/app/rule-actions.js';
import type { Store } from '../src/server/app/store.js';
import { addTestDevice } from '../src/server/app/test-devices.js';
import { applyCheck, applyDownload, deviceIdentity, type DeviceRecord } from '../src/server/domain/device-state.js';
import type { DeviceRequest } from '../src/server/domain/device.js';
import { deviceQuery } from '../src/shared/inventory-api.js';
import { buildCab, image, multiDevicePackage, updateInfoXml } from '../test/fixtures/cabs.js';
import { importPackage } from '../src/server/app/import-package.js';
import { ensureConsoleBuilt, launchChromium, ROOT, ruleName, SEED, startConsoleServer, until } from '../test/console/console-fixture.js';

const OUT = join(ROOT, 'docs', 'screenshots');

/** The widths of a laptop's and of a small or remote-desktop screen. */
const WIDTHS = [1366, 1024] as const;
let height = 768;

/** Sets the height of the next shots (views read top to bottom are taller). */
async function setHeight(page: Page, h: number): Promise<void> {
  height = h;
  await page.setViewportSize({ width: WIDTHS[0], height });
}

// (Strings: no DOM types here.)
const OVERFLOWS = `(() => {
  const out = [];
  const doc = document.scrollingElement;
  if (doc.scrollWidth > innerWidth) out.push('the page is ' + doc.scrollWidth + ' px wide');
  for (const box of document.querySelectorAll('.table-wrap')) {
    if (box.scrollWidth > box.clientWidth) out.push((box.querySelector('table')?.getAttribute('aria-label') ?? 'a table') + ' is ' + box.scrollWidth + ' px in ' + box.clientWidth);
  }
  return out;
})()`;

async function shoot(page: Page, file: string): Promise<void> {
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height });
    // Fluent animates dialogs and menus in: wait until they are drawn in full.
    await until(page, `document.getAnimations().every((a) => a.playState !== 'running')`);
    const name = width === WIDTHS[0] ? file : file.replace(/\.png$/, `-${width}.png`);
    await page.screenshot({ path: join(OUT, name) });
    const overflows = (await page.evaluate(OVERFLOWS)) as string[];
    console.log(`docs/screenshots/${name}${overflows.length ? `: too wide: ${overflows.join('; ')}` : ''}`);
  }
  await page.setViewportSize({ width: WIDTHS[0], height });
}

const HOUR = 3_600_000;
const FIRST = ['anna', 'ben', 'carla', 'dev', 'erik', 'fatima', 'goran', 'hana', 'ivan', 'julia', 'kemal', 'lena'];
const LAST = ['meyer', 'okafor', 'rossi', 'schmidt', 'tanaka', 'weber', 'novak', 'silva'];
/** Kinds of phones: rule key fields, the version most run and an older one. */
const KINDS = [
  ['Polycom', 'CX600', 'Rev-1', 'ENU', '4.0.7577.4366', '4.0.7577.4100'],
  ['Polycom', 'CX600', 'Rev-1', 'ENU', '4.0.7577.4366', '4.0.7577.4100'],
  ['Polycom', 'CX700', 'Rev-1', 'ENU', '4.0.7577.4455', '3.5.6907.0'],
  ['Polycom', 'CX700', 'Rev-1', 'DEU', '4.0.7577.4455', '3.5.6907.0'],
  ['LG-Nortel', 'IP8540', 'A', 'ENU', '4.0.7577.4455', '4.0.7577.4400'],
  ['Polycom', 'CX500', 'Rev-1', 'ENU', '4.0.7577.4366', '4.0.7577.4100'],
  ['Aastra', '6725ip', 'Rev-1', 'ENU', '4.0.7577.4455', '4.0.7577.4300'],
] as const;

/** 240 phones over the last month, in every state, and how many were seen each day. */
function fillFleet(store: Store): Promise<void> {
  const now = Date.now();
  const seenDays = new Map<string, number>();
  for (let d = 0; d < 30; d++) {
    const day = new Date(now - d * 24 * HOUR);
    const weekend = day.getUTCDay() === 0 || day.getUTCDay() === 6;
    seenDays.set(day.toISOString().slice(0, 10), Math.round((weekend ? 40 : 190) + ((d * 37) % 23) - (d > 20 ? 30 : 0)));
  }
  const changes = function* () {
    for (let n = 0; n < 240; n++) {
      const [vendor, model, revision, locale, current, older] = KINDS[n % KINDS.length]!;
      const request = (version: string): DeviceRequest => ({
        ...DEFAULT_PHONE,
        vendor,
        model,
        revision,
        locale,
        mac: `0004F2${(0x3a0100 + n * 7).toString(16).toUpperCase()}`,
        macRaw: '',
        serial: `${model.slice(0, 2).toUpperCase()}${String(40_000 + n * 13)}`,
        userName: `${FIRST[n % FIRST.length]}.${LAST[(n * 5) % LAST.length]}@contoso.com`,
        requestTime: '',
        modules: [{ fileName: 'cpe.nbt', version, timestamp: '01-01-1601 00:00:00' }],
      });
      const offer = { version: current, folder: `UCPhone/${vendor}/${model}/${revision}/${locale}/${current}/CPE` };
      const check = (prev: DeviceRecord | undefined, hoursAgo: number, version: string, offered: boolean) => {
        const q = request(version);
        return applyCheck(prev, deviceIdentity(q)!, { at: new Date(now - hoursAgo * HOUR).toISOString(), address: `10.20.${n >> 6}.${n & 63}`, request: q, version, offer: offered ? offer : null });
      };
      const r = n % 12;
      let after: DeviceRecord;
      if (r < 6) after = check(undefined, 1 + (n % 20), current, false); // up to date
      else if (r < 8) after = check(check(undefined, 72, older, true), 2 + (n % 5), current, false); // updated
      else if (r === 8) after = check(undefined, 1, older, true); // offered
      else if (r === 9) after = applyDownload(check(undefined, 3, older, true), new Date(now - 2 * HOUR).toISOString()); // downloaded
      else if (r === 10) after = check(check(undefined, 80, older, true), 1, older, true); // stuck: offered for days
      else after = check(undefined, 24 * (9 + (n % 12)), older, false); // silent
      yield { before: undefined, after };
    }
  };
  return store.engine.transaction((tx) => tx.devices.write(changes(), seenDays), { wait: true });
}

/** Phones checking in now, over HTTP: the desk phone's page shows its checks from the audit log. */
const DESK: SimulatedPhone = { ...DEFAULT_PHONE, mac: '00-21-63-0F-20-7B', serial: 'C185H001209', userName: 'lena.weber@contoso.com', version: '4.0.7577.4000' };

async function checkIn(store: Store, httpUrl: string): Promise<void> {
  const known = (await listDevices(store, deviceQuery.parse({}))).total;
  for (let i = 0; i < 3; i++) await simulateCheck(httpUrl, DESK);
  const models = ['CX700', 'CX700', 'IP8540', 'CX600'];
  for (const [n, model] of models.entries()) {
    await simulateCheck(httpUrl, { ...DEFAULT_PHONE, model, vendor: model === 'IP8540' ? 'LG-Nortel' : 'Polycom', mac: `00216310000${n}`, serial: `SIM${n}`, version: '3.5.6900.0' });
  }
  // The inventory is written about once a second.
  while ((await listDevices(store, deviceQuery.parse({}))).total < known + 1 + models.length) await new Promise((r) => setTimeout(r, 100));
}

ensureConsoleBuilt();
mkdirSync(OUT, { recursive: true });
const env = await startConsoleServer();
const scratch = mkdtempSync(join(tmpdir(), 'ucupdates-screenshots-'));
try {
  // Some history and test devices, made through the same use cases as the console's.
  const { store } = env.server;
  await addTestDevice(store, { name: 'Lab CX600 (desk 4.12)', mac: '00-04-F2-A1-07-3C' }, 'local-admin');
  await addTestDevice(store, { name: 'Aastra 6725ip, help desk', serial: '14A7C0035' }, 'local-admin');
  await applyRuleAction(store, 'approve', [env.ruleIds.aastra], 'local-admin');
  // The approved versions' images, as an admin's earlier import would have left them: without them the fleet's
  // phones could not get their updates (and would rightly show as "Can't update").
  const approved = Object.values(SEED).map((r) => `${ruleName(r.key).replace(/\/CPE$/, '')}/${r.approved ?? r.pending}/CPE`);
  await importPackage(store, await buildCab(scratch, 'UCUpdates-CU7.cab', [updateInfoXml('4.0.7577.4455'), ...approved.flatMap((f) => image(f))]), {
    actor: 'local-admin',
    kind: 'package',
    fileName: 'UCUpdates-CU7.cab',
  });
  await fillFleet(store);

  for (const colorScheme of ['light', 'dark'] as const) {
    const browser = await launchChromium({ colorScheme });
    try {
      const page = await browser.context.newPage();
      await setHeight(page, 768);
      await page.goto(env.server.signInLink());
      await page.getByRole('table', { name: 'Pending updates' }).waitFor();
      if (colorScheme === 'dark') {
        await shoot(page, 'pending-updates-dark.png');
        await page.getByRole('tab', { name: 'Settings' }).click();
        await page.getByLabel('External URL', { exact: true }).waitFor();
        await shoot(page, 'settings-dark.png');
        await setHeight(page, 1000);
        await page.getByRole('tab', { name: 'Dashboard' }).click();
        await page.getByRole('region', { name: 'Rollouts of approved updates' }).waitFor();
        await shoot(page, 'dashboard-dark.png');
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
      await applyRuleAction(store, 'reject', [env.ruleIds.ip8540], 'local-admin');
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

      // The fleet views, once the imported package is there for the phones that check in now.
      await checkIn(store, env.server.urls.http);
      await page.getByRole('tab', { name: 'Devices', exact: true }).click();
      await page.getByRole('button', { name: 'Open 00-21-63-0F-20-7B' }).waitFor();
      await shoot(page, 'devices.png');
      await page.getByRole('button', { name: 'Open 00-21-63-0F-20-7B' }).click();
      await page.getByRole('region', { name: 'Why' }).getByRole('list', { name: 'Decision trace' }).waitFor();
      await page.getByRole('table', { name: 'Request history' }).getByRole('row').nth(1).waitFor();
      // Taller: these views are read top to bottom (a full-page shot would draw the fixed status line mid-page).
      await setHeight(page, 1000);
      await shoot(page, 'device-page.png');

      await page.getByRole('tab', { name: 'Troubleshoot' }).click();
      await page.getByLabel('Model').fill('CX700');
      await page.getByLabel('Locale').fill('FRA');
      await page.getByLabel('Installed version').fill('3.5.6900.0');
      await page.getByRole('button', { name: 'Explain' }).click();
      await page.getByRole('list', { name: 'Decision trace' }).waitFor();
      await page.getByLabel('Last Update Status').fill('0x2f7d/200');
      await shoot(page, 'troubleshoot.png');

      await page.getByRole('tab', { name: 'Dashboard' }).click();
      await page.getByRole('region', { name: 'Rollouts of approved updates' }).waitFor();
      await shoot(page, 'dashboard.png');
    } finally {
      await browser.close();
    }
  }
} finally {
  await env.close();
  rmSync(scratch, { recursive: true, force: true });
}
