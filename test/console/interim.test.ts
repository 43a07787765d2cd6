// The interim images on the Approved Updates tab: imported from a folder copied from an old server (real files on
// disk, the real import), phones checking in over HTTP, and the console in Debian's Chromium showing the image, the
// phones it serves and the locale whose phones need one that is missing.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { DEFAULT_PHONE, simulateCheck, type SimulatedPhone } from '../../src/cli/phone-simulator.js';
import { importPackage } from '../../src/server/app/import-package.js';
import { buildCab, image, newerPackage, writeFiles } from '../fixtures/cabs.js';
import { CHROMIUM, ensureConsoleBuilt, openSignedIn, startConsoleServer, until, type Browser, type ConsoleServer } from './console-fixture.js';

const skip = existsSync(CHROMIUM) ? false : `needs ${CHROMIUM} (apt-get install chromium)`;

describe('interim images in the console', { skip, timeout: 120_000 }, () => {
  let env: ConsoleServer;
  let browser: Browser;
  let page: Page;
  let scratch: string;

  before(async () => {
    ensureConsoleBuilt();
    scratch = mkdtempSync(join(tmpdir(), 'ucupdates-interim-view-'));
    env = await startConsoleServer();
    const folder = await writeFiles(join(scratch, 'DeviceUpdateFiles_Int'), image('OCInterim/ENU'));
    await importPackage(env.server.store, join(folder, 'OCInterim'), { fileName: 'OCInterim', actor: 'test', kind: 'interim' });
    const phone = (n: number, locale: string, version: string): SimulatedPhone => ({ ...DEFAULT_PHONE, model: 'CX700', mac: `0004F20000${n}0`, serial: '', locale, version });
    for (const p of [phone(1, 'ENU', '0.0.0.0'), phone(2, 'ENU', '1.0.522.98'), phone(3, 'ENU', '3.5.6907.0'), phone(4, 'DEU', '1.0.522.34')]) {
      assert.equal((await simulateCheck(env.server.urls.http, p)).status, 200);
    }
    // The inventory is written about once a second.
    while (await env.server.store.devices.count() < 4) await new Promise((r) => setTimeout(r, 100));
    ({ browser, page } = await openSignedIn(env.server));
  });

  after(async () => {
    await browser?.close();
    await env?.close();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('shows each interim image with its files and the phones it serves, and the locale that lacks one', async () => {
    await page.getByRole('tab', { name: 'Approved Updates' }).click();
    const section = page.getByRole('region', { name: 'Interim images' });
    const table = section.getByRole('table', { name: 'Interim images' });
    await table.waitFor();
    await until(page, `document.querySelector('table[aria-label="Interim images"] tbody tr') !== null`);
    const rows = await table.locator('tbody tr').allInnerTexts();
    assert.equal(rows.length, 1);
    assert.match(rows[0]!, /^ENU\s+1\.0\.522\.103\s+CPE\.cat \([\d.]+ KB\), CPE\.nbt \([\d.]+ KB\)\s+2 phones\s+OCInterim$/);
    assert.match(await section.innerText(), /UCPhone phones at or below 1\.0\.522\.98 get the interim build 1\.0\.522\.103 first/);
    await section.getByText('1 phone of locale DEU needs the interim build, and there is no interim image for DEU: it cannot update.').waitFor();
  });

  it('an admin uploads the interim cab here: the locale that lacked one is served; a cab without one is refused in words', async () => {
    const section = page.getByRole('region', { name: 'Interim images' });
    const input = section.getByLabel('Interim image cab to upload');
    await input.setInputFiles(await newerPackage(join(scratch, 'newer')));
    await section.getByRole('alert').filter({ hasText: 'Could not import UCUpdates-newer.cab: This package holds no interim image' }).waitFor();

    await input.setInputFiles(await buildCab(join(scratch, 'deu'), 'OCInterim-DEU.cab', image('OCInterim/DEU')));
    await section.getByRole('status').filter({ hasText: 'Imported OCInterim-DEU.cab: the interim image for DEU.' }).waitFor();
    await until(page, `document.querySelectorAll('table[aria-label="Interim images"] tbody tr').length === 2`);
    const rows = await section.getByRole('table', { name: 'Interim images' }).locator('tbody tr').allInnerTexts();
    assert.match(rows[0]!, /^DEU\s+1\.0\.522\.103\s+CPE\.cat .*\s+1 phone\s+OCInterim-DEU\.cab$/);
    assert.equal(await section.getByText(/needs? the interim build/).count(), 0, 'no locale lacks it any more');
  });
});
