// The fleet views end to end: phones check in with real update checks (the phone simulator, over HTTP to the
// server's phone listener), then the console shows them in the Devices tab, on a phone's page with its Why, in the
// Troubleshoot tab and on the dashboard. Real server, real store, a real package built by gcab, Debian's Chromium.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { DEFAULT_PHONE, simulateCheck, type SimulatedPhone } from '../../src/cli/phone-simulator.js';
import { importPackage } from '../../src/server/app/import-package.js';
import { listDevices } from '../../src/server/app/inventory.js';
import { updateSettings } from '../../src/server/app/settings.js';
import { applyRuleAction } from '../../src/server/app/rule-actions.js';
import { AUDIT_HEADER, formatAuditLine } from '../../src/server/domain/audit-format.js';
import { ruleKeyPath } from '../../src/server/domain/device.js';
import { deviceQuery } from '../../src/shared/inventory-api.js';
import { multiDevicePackage } from '../fixtures/cabs.js';
import { CHROMIUM, ensureConsoleBuilt, openSignedIn, startConsoleServer, until, type Browser, type ConsoleServer } from './console-fixture.js';

const skip = existsSync(CHROMIUM) ? false : `needs ${CHROMIUM} (apt-get install chromium)`;

/** A CX600 whose version is only pending: nothing for it until it is a test device. */
const DESK: SimulatedPhone = { ...DEFAULT_PHONE, mac: '00-21-63-0F-20-7B', serial: 'C185H001209', userName: 'alice@contoso.com', version: '4.0.7577.4000' };
const PHONES: SimulatedPhone[] = [
  DESK,
  // Offered the approved CX700 version.
  { ...DEFAULT_PHONE, mac: '0004F2000001', serial: 'CX7-0001', model: 'CX700', userName: 'bob@contoso.com', version: '3.5.6000.0' },
  { ...DEFAULT_PHONE, mac: '0004F2000002', serial: 'CX7-0002', model: 'CX700', locale: 'DEU', userName: 'carl@contoso.com', version: '3.5.6907.0' },
  { ...DEFAULT_PHONE, mac: '0004F2000003', serial: 'LG-0003', vendor: 'LG-Nortel', model: 'IP8540', userName: '', version: '3.5.6907.0' },
  // A locale no image exists for.
  { ...DEFAULT_PHONE, mac: '0004F2000004', serial: 'CX7-0004', model: 'CX700', locale: 'FRA', userName: 'dora@contoso.com', version: '3.5.6000.0' },
];

describe('fleet views', { skip, timeout: 180_000 }, () => {
  let env: ConsoleServer;
  let browser: Browser;
  let page: Page;
  let scratch: string;
  let scriptErrors: string[] = [];

  const devices = () => page.getByRole('table', { name: 'Devices' });
  /** Body rows of the Devices table (the header row is the first). */
  const deviceRows = () => devices().locator('tbody tr:not(.spacer)');
  const status = (text: string | RegExp) => page.getByRole('status').filter({ hasText: text }).waitFor();

  before(async () => {
    ensureConsoleBuilt();
    scratch = mkdtempSync(join(tmpdir(), 'ucupdates-fleet-'));
    env = await startConsoleServer();
    const { store } = env.server;
    const cab = await multiDevicePackage(scratch);
    await importPackage(store, cab, { fileName: 'UCUpdates.cab', actor: 'local-admin', kind: 'package' });
    // Every imported version approved but CX600's, which stays pending.
    const approve = (await store.rules.list()).filter((r) => r.pending && !ruleKeyPath(r).includes('/CX600/'));
    await applyRuleAction(store, 'approve', approve.map((r) => r.id), 'local-admin');
    for (const phone of PHONES) assert.equal((await simulateCheck(env.server.urls.http, phone)).status, 200);
    // The inventory is written about once a second.
    while ((await listDevices(store, deviceQuery.parse({}))).total < PHONES.length) await new Promise((r) => setTimeout(r, 100));

    ({ browser, page, scriptErrors } = await openSignedIn(env.server));
  });

  after(async () => {
    await browser?.close();
    await env?.close();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('lists every phone that checked in, with counts per state', async () => {
    await page.getByRole('tab', { name: 'Devices', exact: true }).click();
    await page.getByText(`${PHONES.length} phones`, { exact: true }).waitFor();
    assert.equal(await deviceRows().count(), PHONES.length);
    assert.match(await devices().getByRole('row').filter({ hasText: '00-21-63-0F-20-7B' }).innerText(), /alice@contoso\.com\s+Polycom CX600 A\s+ENU\s+4\.0\.7577\.4000/);
    assert.equal(await devices().getAttribute('aria-rowcount'), String(PHONES.length + 1));
    assert.match(await page.getByRole('button', { name: /^Offered/ }).innerText(), /Offered\s*1/);
  });

  it('searches by MAC, serial or user, and filters by state and model', async () => {
    const search = page.getByRole('searchbox', { name: 'Search devices' });
    /** Searches, then waits for the one phone expected. */
    const finds = async (text: string, expected: RegExp) => {
      await search.fill(text);
      await deviceRows().filter({ hasText: expected }).waitFor();
      await page.getByText('1 phone found', { exact: true }).waitFor();
      assert.equal(await deviceRows().count(), 1, `only the phone found by ${text}`);
    };
    await finds('bob', /00-04-F2-00-00-01/);
    await finds('0021630f', /alice@contoso\.com/);
    await finds('00:04:f2:00:00:03', /IP8540/);
    await finds('CX7-0004', /dora@contoso\.com/);
    await search.fill('nobody');
    await devices().getByRole('cell', { name: 'No phones match these filters.' }).waitFor();
    await search.fill('');
    await page.getByText(`${PHONES.length} phones`, { exact: true }).waitFor();

    await page.getByRole('button', { name: /^Offered/ }).click();
    assert.equal(await page.getByRole('button', { name: /^Offered/ }).getAttribute('aria-pressed'), 'true');
    await page.getByText('1 phone found', { exact: true }).waitFor();
    assert.equal(await deviceRows().count(), 1);
    assert.match(await deviceRows().innerText(), /bob@contoso\.com.*Offered\s+3\.5\.6907\.0/s);
    await page.getByRole('button', { name: /^All/ }).click();

    await page.getByRole('textbox', { name: 'Model is' }).fill('cx700');
    await page.getByText('3 phones found', { exact: true }).waitFor();
    assert.equal(await deviceRows().count(), 3);
    const csv = new URL(await page.getByRole('link', { name: 'Export CSV' }).getAttribute('href') ?? '', page.url());
    assert.equal(csv.searchParams.get('model'), 'cx700', 'the export has the same filters');
    await page.getByRole('textbox', { name: 'Model is' }).fill('');
    await page.getByText(`${PHONES.length} phones`, { exact: true }).waitFor();
  });

  it("opens a phone's page: its fields, its Why and its request history", async () => {
    await page.getByRole('button', { name: 'Open 00-21-63-0F-20-7B' }).click();
    await page.getByRole('heading', { name: /^00-21-63-0F-20-7B/ }).waitFor();
    assert.match(page.url(), /#\/devices\/\d+$/, 'the page has its own link');
    const facts = page.getByRole('region', { name: 'Phone' });
    assert.match(await facts.innerText(), /Serial number\s+C185H001209/);
    assert.match(await facts.innerText(), /Installed version\s+4\.0\.7577\.4000/);

    const why = page.getByRole('region', { name: 'Why' });
    await why.getByText('Nothing offered').waitFor();
    assert.match(await why.innerText(), /not a test device/);
    assert.ok((await why.getByRole('list', { name: 'Decision trace' }).getByRole('listitem').count()) > 0);
    assert.match(await why.getByRole('list', { name: 'Decision trace' }).innerText(), /pending/i);

    const history = page.getByRole('table', { name: 'Request history' });
    await history.getByRole('row').nth(1).waitFor();
    assert.match(await history.getByRole('row').nth(1).innerText(), /cpe\.nbt;4\.0\.7577\.4000/i);
    await page.getByRole('region', { name: 'Uploaded logs' }).getByText('This phone has uploaded no logs.').waitFor();
  });

  it('makes the phone a test device in one click; its Why then offers the pending version with its URLs', async () => {
    const why = page.getByRole('region', { name: 'Why' });
    await why.getByRole('button', { name: 'Make test device' }).click();
    await status(/Added test device/);
    await why.getByText('Offered 4.0.7577.4366').waitFor();
    assert.match(await why.innerText(), /test device\s+CX600 alice@contoso\.com/);
    assert.match(await why.innerText(), /Internal URL\s+http:\/\/.+\/DeviceUpdateFiles_Int\/UCPhone\/Polycom\/CX600\/A\/ENU\/4\.0\.7577\.4366\/CPE/);
    assert.equal(await why.getByRole('button', { name: 'Make test device' }).count(), 0);
    // The phone itself is now offered the pending version.
    const r = await simulateCheck(env.server.urls.http, DESK);
    assert.equal(r.response?.files[0]?.version, '4.0.7577.4366');

    await page.getByRole('button', { name: 'Back to devices' }).click();
    await devices().waitFor();
    assert.equal(await page.evaluate('document.activeElement?.getAttribute("aria-label")'), 'Open 00-21-63-0F-20-7B', 'the focus is back on the row');

    // The browser's Back and Forward move between the list and the page.
    await page.goBack();
    await page.getByRole('heading', { name: /^00-21-63-0F-20-7B/ }).waitFor();
    await page.goBack();
    await page.getByRole('button', { name: 'Open 00-21-63-0F-20-7B' }).waitFor();
  });

  it("opens a context menu on a phone's row: Open, Why, Make test device (after asking)", async () => {
    const bob = devices().getByRole('row').filter({ hasText: 'bob@contoso.com' });
    await bob.getByRole('cell', { name: 'bob@contoso.com' }).click({ button: 'right' });
    const menu = page.getByRole('menu', { name: 'Actions on 00-04-F2-00-00-01' });
    assert.deepEqual(await menu.getByRole('menuitem').allInnerTexts(), ['Open', 'Why', 'Make test device']);
    await menu.getByRole('menuitem', { name: 'Make test device' }).click();
    const dialog = page.getByRole('dialog', { name: 'Make 00-04-F2-00-00-01 a test device?' });
    await dialog.getByText('“CX700 bob@contoso.com” will be offered pending versions').waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    assert.equal((await env.server.store.testDevices.list()).length, 1, 'Cancel added nothing (DESK is the one)');

    // From the keyboard: Shift+F10 on the row's button.
    await page.getByRole('button', { name: 'Open 00-04-F2-00-00-01' }).focus();
    await page.keyboard.press('Shift+F10');
    await menu.getByRole('menuitem', { name: 'Make test device' }).click();
    await dialog.getByRole('button', { name: 'Make test device' }).click();
    await status('Added test device “CX700 bob@contoso.com”: it is offered pending versions from its next update check.');
    assert.ok((await env.server.store.testDevices.list()).some((d) => d.mac === '0004F2000001'));

    await bob.getByRole('cell', { name: 'bob@contoso.com' }).click({ button: 'right' });
    await menu.getByRole('menuitem', { name: 'Why' }).click();
    const form = page.getByRole('region', { name: 'Why does a phone (not) update?' });
    await form.getByRole('list', { name: 'Decision trace' }).waitFor();
    assert.equal(await form.getByLabel('Installed version').inputValue(), '3.5.6000.0');
    assert.equal(await form.getByLabel('Model').inputValue(), 'CX700');
    assert.match(await form.innerText(), /test device\s+CX700 bob@contoso\.com/);

    await page.getByRole('tab', { name: 'Devices', exact: true }).click();
    await bob.getByRole('cell', { name: 'bob@contoso.com' }).click({ button: 'right' });
    await menu.getByRole('menuitem', { name: 'Open' }).click();
    await page.getByRole('heading', { name: /^00-04-F2-00-00-01/ }).waitFor();
    await page.getByRole('button', { name: 'Back to devices' }).click();
    await devices().waitFor();
  });

  it('explains a phone described by hand: no image for its locale, then the approved version for another', async () => {
    await page.getByRole('tab', { name: 'Troubleshoot' }).click();
    const form = page.getByRole('region', { name: 'Why does a phone (not) update?' });
    await form.getByLabel('Model').fill('CX700');
    await form.getByLabel('Locale').fill('FRA');
    await form.getByLabel('Installed version').fill('3.5.6000.0');
    await form.getByRole('button', { name: 'Explain' }).click();
    await form.getByText('Nothing offered').waitFor();
    assert.match(await form.innerText(), /Locales available\s+(ENU, DEU|DEU, ENU)/);
    assert.match(await form.getByRole('list', { name: 'Decision trace' }).innerText(), /FRA/);

    await form.getByLabel('Locale').fill('ENU');
    await form.getByRole('button', { name: 'Explain' }).click();
    await form.getByText('Offered 3.5.6907.0').waitFor();
    assert.match(await form.innerText(), /External URL\s+http/);

    await form.getByLabel('MAC address').fill('not a mac');
    await form.getByRole('button', { name: 'Explain' }).click();
    await page.locator('#why-mac-error').waitFor();
    assert.match(await page.locator('#why-mac-error').innerText(), /not a MAC address/);
  });

  it('decodes a status code as it is typed', async () => {
    const decoder = page.getByRole('region', { name: "What does the phone's status code mean?" });
    const input = decoder.getByLabel('Last Update Status');
    await input.fill('0x2f7d/200');
    await decoder.getByText('ERROR_INTERNET_SECURITY_CHANNEL_ERROR').waitFor();
    assert.match(await decoder.innerText(), /HTTP 200\s+OK/);
    assert.match(await decoder.innerText(), /SHA-2/);
    await input.fill('0x2f7d/20x');
    await decoder.getByText(/is not a status code/).waitFor();
  });

  it('refuses a pre-flight domain that is not one, in words next to the field', async () => {
    await page.getByLabel("Phones' DNS domain").fill('not a domain');
    await page.getByRole('button', { name: 'Run' }).click();
    await page.locator('#preflight-domain-error').waitFor();
    assert.match(await page.locator('#preflight-domain-error').innerText(), /DNS domain like contoso\.com/);
  });

  it('shows the fleet on the dashboard: counts, versions per model, rollouts and phones seen today', async () => {
    await page.getByRole('tab', { name: 'Dashboard' }).click();
    await page.getByLabel('Phones by state').waitFor();
    const byState = await page.getByLabel('Phones by state').innerText();
    assert.match(byState, new RegExp(`Phones\\s+${PHONES.length}`));
    assert.match(byState, /Offered\s+2/, "bob's CX700, and the desk phone since it became a test device");

    await page.getByText('Show as a table').first().click();
    const versions = await page.getByRole('table', { name: 'Firmware versions per model' }).innerText();
    assert.match(versions, /CX700\s+3\.5\.6000\.0\s+2/);
    assert.match(versions, /IP8540\s+3\.5\.6907\.0\s+1/);

    const rollouts = page.getByRole('region', { name: 'Rollouts of approved updates' });
    assert.match(await rollouts.innerText(), /UCPhone\/Polycom\/CX700\/A\/ENU\/CPE\s+0 of 1 on 3\.5\.6907\.0/);
    assert.match(await rollouts.innerText(), /UCPhone\/Polycom\/CX700\/A\/DEU\/CPE\s+1 of 1 on 3\.5\.6907\.0 \(100%\)/);

    const seen = await page.getByRole('region', { name: 'Phones seen per day' }).getByRole('img').getAttribute('aria-label');
    assert.match(seen ?? '', new RegExp(`${PHONES.length} on the last day`));
  });

  it("imports a retiring server's audit log: its phones join the inventory", async () => {
    const file = join(scratch, 'RequestHandlerAuditLog_OLDPOOL_01112026.log');
    const line = formatAuditLine({
      loggedAt: new Date(),
      userName: 'erin@contoso.com',
      hostAddress: '10.0.0.9',
      deviceType: 'UCPhone',
      requestTime: '',
      macRaw: '0004F2000099',
      serial: 'HP-0099',
      vendor: 'HP',
      model: '4120',
      revision: 'A',
      locale: 'ENU',
      requested: [{ fileName: 'cpe.nbt', version: '4.0.7577.4100', timestamp: '01-01-1601 00:00:00' }],
      response: [],
    });
    writeFileSync(file, `${AUDIT_HEADER}\r\n${line}\r\n`);
    await page.getByRole('tab', { name: 'Troubleshoot' }).click();
    await page.getByLabel('Audit log files to import').setInputFiles(file);
    const summary = page.getByRole('list', { name: 'Audit log imports' });
    await summary.getByText(/1 new phone,/).waitFor();
    assert.match(await summary.innerText(), /RequestHandlerAuditLog_OLDPOOL_01112026\.log: 1 of \d+ lines? imported/);

    await page.getByRole('tab', { name: 'Devices', exact: true }).click();
    await page.getByText(`${PHONES.length + 1} phones`, { exact: true }).waitFor();
    await deviceRows().filter({ hasText: 'erin@contoso.com' }).waitFor();
  });

  it('tells when the inventory is full, what that cost, and where to raise the cap', async () => {
    const { store } = env.server;
    const cap = 100; // the least the setting allows
    await updateSettings(store, { inventoryMaxDevices: cap }, 'local-admin');
    const known = (await listDevices(store, deviceQuery.parse({}))).total;
    const more = Array.from({ length: cap - known + 3 }, (_, n): SimulatedPhone => ({ ...DEFAULT_PHONE, mac: `02BADD${String(n).padStart(6, '0')}`, serial: `X${n}` }));
    for (const phone of more) assert.equal((await simulateCheck(env.server.urls.http, phone)).status, 200);
    while (((await store.devices.overflow())?.refused ?? 0) < 3) await new Promise((r) => setTimeout(r, 100));

    await page.getByRole('tab', { name: 'Dashboard' }).click();
    await page.getByText('Inventory full (100 phones)').waitFor();
    await page.getByRole('tab', { name: 'Devices', exact: true }).click();
    const notice = page.getByRole('status').filter({ hasText: 'Inventory full' });
    assert.match(await notice.innerText(), /^Inventory full \(100 phones\): since .+, 3 new phones were not recorded\. Raise Most phones in the inventory in Settings\.$/);
    await notice.getByRole('link', { name: 'Settings' }).click();
    const setting = page.getByLabel('Most phones in the inventory');
    await setting.waitFor();
    assert.equal(await setting.inputValue(), String(cap));
  });

  it('shows times in the local format on every tab and page: no raw ISO dates', async () => {
    const iso = /\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}|\b)/;
    const found: string[] = [];
    const scan = async (where: string) => {
      // Folded parts too (the dashboard's numbers under its charts).
      await page.evaluate(`document.querySelectorAll('details').forEach((d) => { d.open = true; })`);
      const text = await page.evaluate('document.body.innerText');
      const lines = String(text).split('\n').filter((l) => iso.test(l));
      found.push(...lines.map((l) => `${where}: ${l}`));
    };
    for (const name of ['Pending Updates', 'Approved Updates', 'Packages', 'Test Devices', 'Devices', 'Dashboard', 'Troubleshoot', 'Settings', 'Activity']) {
      await page.getByRole('tab', { name, exact: true }).click();
      await until(page, `!document.querySelector('.loading')`);
      await page.waitForLoadState('networkidle');
      await scan(name);
    }
    await page.getByRole('tab', { name: 'Devices', exact: true }).click();
    // A test device offered the pending version: its state's sentence tells when (the server makes it).
    await page.getByRole('searchbox', { name: 'Search devices' }).fill('alice');
    await page.getByRole('button', { name: 'Open 00-21-63-0F-20-7B' }).click();
    await page.getByRole('table', { name: 'Request history' }).waitFor();
    await page.waitForLoadState('networkidle');
    await scan('phone page');
    await page.getByRole('button', { name: 'Back to devices' }).click();
    await page.getByRole('searchbox', { name: 'Search devices' }).fill('');
    assert.deepEqual(found, []);
  });

  for (const width of [1366, 1024]) {
    it(`fits every tab in ${width} px: nothing wider than the window, no table wider than its box`, async () => {
      await page.setViewportSize({ width, height: 768 });
      const overflows: string[] = [];
      for (const name of ['Pending Updates', 'Approved Updates', 'Packages', 'Test Devices', 'Devices', 'Dashboard', 'Troubleshoot', 'Settings', 'Activity']) {
        await page.getByRole('tab', { name, exact: true }).click();
        await until(page, `!document.querySelector('.loading')`);
        await page.waitForLoadState('networkidle');
        const found = await page.evaluate(`(() => {
          const out = [];
          const page = document.scrollingElement;
          if (page.scrollWidth > innerWidth) out.push('page ' + page.scrollWidth + ' > ' + innerWidth);
          for (const box of document.querySelectorAll('.table-wrap')) {
            if (box.scrollWidth > box.clientWidth) out.push((box.querySelector('table')?.getAttribute('aria-label') ?? 'a table') + ' ' + box.scrollWidth + ' > ' + box.clientWidth);
          }
          // Controls cut off at the window's edge (a list box wider than the form).
          for (const el of document.querySelectorAll('main input, main textarea, main select, main button')) {
            const r = el.getBoundingClientRect();
            if (r.width > 0 && r.right > innerWidth) out.push((el.id || el.getAttribute('aria-label') || el.textContent || el.tagName) + ' ends at ' + Math.round(r.right));
          }
          // List boxes (Settings) that hide some of their lines.
          for (const box of document.querySelectorAll('main textarea')) {
            if (box.scrollHeight > box.clientHeight + 1) out.push((box.id || 'a list box') + ' shows ' + box.clientHeight + ' of ' + box.scrollHeight + ' px');
          }
          return out;
        })()`);
        overflows.push(...(found as string[]).map((f) => `${name}: ${f}`));
      }
      await page.setViewportSize({ width: 1280, height: 720 });
      assert.deepEqual(overflows, []);
    });
  }

  it('writes MAC addresses in the notation of setting macNotation everywhere', async () => {
    await page.getByRole('tab', { name: 'Settings' }).click();
    await page.getByLabel('MAC address notation').selectOption('colons');
    await page.getByRole('button', { name: 'Save Changes' }).click();
    await status('Saved: MAC address notation.');
    await page.getByRole('tab', { name: 'Devices', exact: true }).click();
    await page.getByRole('searchbox', { name: 'Search devices' }).fill('bob');
    await devices().getByRole('row').filter({ hasText: '00:04:f2:00:00:01' }).waitFor();
    assert.equal(await devices().getByText('00-04-F2-00-00-01').count(), 0);
    await page.getByRole('button', { name: 'Open 00:04:f2:00:00:01' }).click();
    await page.getByRole('heading', { name: /^00:04:f2:00:00:01/ }).waitFor();
    assert.match(await page.getByRole('region', { name: 'Phone' }).innerText(), /MAC address\s+00:04:f2:00:00:01/);
    await page.getByRole('button', { name: 'Back to devices' }).click();
    await page.getByRole('tab', { name: 'Test Devices' }).click();
    await page.getByRole('table', { name: 'Test devices' }).getByRole('row').filter({ hasText: '00:21:63:0f:20:7b' }).waitFor();
    // A new console reads the setting when it opens.
    await page.reload();
    await page.getByRole('table', { name: 'Test devices' }).getByRole('row').filter({ hasText: '00:04:f2:00:00:01' }).waitFor();
  });

  it('no script errors', () => {
    assert.deepEqual(scriptErrors, []);
  });
});
