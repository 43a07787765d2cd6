// Every change made in the console, seen by a phone: after each step a simulated phone (the same request a real
// one sends, over HTTP to the server's phone listener) checks what it is offered now. Real server, real store,
// real cabs built by gcab, Debian's Chromium.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { DEFAULT_PHONE, simulateCheck, type SimulatedPhone } from '../../src/cli/phone-simulator.js';
import { multiDevicePackage, newerPackage } from '../fixtures/cabs.js';
import { CHROMIUM, ensureConsoleBuilt, openSignedIn, startConsoleServer, until, type Browser, type ConsoleServer } from './console-fixture.js';

const skip = existsSync(CHROMIUM) ? false : `needs ${CHROMIUM} (apt-get install chromium)`;
const CX600 = 'UCPhone/Polycom/CX600/A/ENU/CPE';
const LAB: SimulatedPhone = { ...DEFAULT_PHONE, mac: '00-21-63-0F-20-7B', version: '4.0.7577.4000' };
const DESK: SimulatedPhone = { ...DEFAULT_PHONE, mac: '001122334455', serial: 'SN-DESK', version: '4.0.7577.4000' };

describe('what phones see after each console action', { skip, timeout: 180_000 }, () => {
  let env: ConsoleServer;
  let browser: Browser;
  let page: Page;
  let scratch: string;

  /** The version the phone is offered now, or 'nothing'; and the URLs it is given. */
  const offered = async (phone: SimulatedPhone) => {
    const r = await simulateCheck(env.server.urls.http, phone);
    assert.equal(r.status, 200, r.raw);
    const first = r.response!.files[0];
    return { version: first?.version ?? 'nothing', baseUrl: r.response!.baseUrl, externalBaseUrl: r.response!.externalBaseUrl };
  };
  const status = (text: string | RegExp) => page.getByRole('status').filter({ hasText: text }).waitFor();
  const selectRule = (rule: string) => page.getByRole('checkbox', { name: `Select ${rule}` });
  const act = async (tabName: string, action: string, dialogText: RegExp) => {
    await page.getByRole('tab', { name: tabName }).click();
    await selectRule(CX600).check();
    await page.getByRole('button', { name: action, exact: true }).click();
    const dialog = page.getByRole('dialog', { name: `${action} 1 update?` });
    assert.match(await dialog.innerText(), dialogText);
    await dialog.getByRole('button', { name: action }).click();
    await dialog.waitFor({ state: 'detached' });
  };
  const upload = async (cab: string, title: RegExp) => {
    await page.getByRole('tab', { name: 'Packages' }).click();
    const result = page.getByRole('region', { name: title });
    // The previous upload's outcome goes first, so that the one awaited below is this upload's.
    if (await result.count()) {
      await result.getByRole('button', { name: 'Close' }).click();
      await result.waitFor({ state: 'detached' });
    }
    await page.locator('input[type="file"]').setInputFiles(cab);
    await result.waitFor();
  };
  /** Waits for the inventory, written about once a second, to hold the phones that checked in. */
  const inventoryHolds = async (phones: number) => {
    const key = { deviceType: 'UCPhone', vendor: 'Polycom', model: 'CX600', revision: 'A', locale: 'ENU' };
    while (await env.server.store.devices.countForRule(key) < phones) await new Promise((r) => setTimeout(r, 100));
  };

  before(async () => {
    ensureConsoleBuilt();
    scratch = mkdtempSync(join(tmpdir(), 'ucupdates-phone-view-'));
    env = await startConsoleServer();
    ({ browser, page } = await openSignedIn(env.server));
  });

  after(async () => {
    await browser?.close();
    await env?.close();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('the status line says the service runs and where phones reach it', async () => {
    const line = page.getByRole('contentinfo', { name: 'Service status' });
    await line.getByText(/is serving phones/).waitFor();
    assert.match(await line.innerText(), new RegExp(`${env.server.urls.http.replaceAll('.', '\\.')}/RequestHandler/ucdevice\\.upx`));
  });

  it('an uploaded package is pending: phones get nothing yet', async () => {
    await upload(await multiDevicePackage(join(scratch, 'multi')), /^Imported UCUpdates\.cab/);
    assert.equal((await offered(LAB)).version, 'nothing');
    assert.equal((await offered(DESK)).version, 'nothing');
  });

  it('a test device added in the console gets the pending version; other phones do not', async () => {
    await page.getByRole('tab', { name: 'Test Devices' }).click();
    await page.getByLabel('Name').fill('Lab CX600');
    await page.getByLabel('MAC address').fill(LAB.mac);
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await status('Added test device “Lab CX600”.');
    assert.equal((await offered(LAB)).version, '4.0.7577.4366');
    assert.equal((await offered(DESK)).version, 'nothing');
  });

  it('approved in the console, every phone gets it; the confirmation counts the phones that checked in', async () => {
    await inventoryHolds(2);
    await act('Pending Updates', 'Approve', /CX600\/A\/ENU\/CPE: phones get 4\.0\.7577\.4366\. About 2 phones of this model and locale have checked in\./);
    await status('Approved 1 update.');
    assert.equal((await offered(DESK)).version, '4.0.7577.4366');
    assert.equal((await offered({ ...DESK, version: '4.0.7577.4366' })).version, 'nothing', 'a phone on it is up to date');
  });

  it('a newer package goes to the test device only; rejected, the test device is back on the approved one', async () => {
    await upload(await newerPackage(join(scratch, 'newer')), /^Imported UCUpdates-newer\.cab/);
    assert.equal((await offered(LAB)).version, '4.0.7577.4387');
    assert.equal((await offered(DESK)).version, '4.0.7577.4366');
    await act('Pending Updates', 'Reject', /pending 4\.0\.7577\.4387 is rejected; test devices go back to 4\.0\.7577\.4366\./);
    await status('Rejected 1 update.');
    assert.equal((await offered(LAB)).version, '4.0.7577.4366');
  });

  it('uploaded again and approved, then rolled back: phones are offered the previous version (a downgrade)', async () => {
    await upload(await newerPackage(join(scratch, 'newer')), /^Imported UCUpdates-newer\.cab/);
    await act('Pending Updates', 'Approve', /phones go from 4\.0\.7577\.4366 to 4\.0\.7577\.4387/);
    await status('Approved 1 update.');
    assert.equal((await offered(DESK)).version, '4.0.7577.4387');
    await act('Approved Updates', 'Roll Back', /phones go from 4\.0\.7577\.4387 back to 4\.0\.7577\.4366\./);
    await status('Rolled back 1 update.');
    assert.equal((await offered({ ...DESK, version: '4.0.7577.4387' })).version, '4.0.7577.4366');
  });

  it('Purge, opened by its link, removes the rolled-back package; phones still get the approved version', async () => {
    await page.goto(`${env.server.urls.admin}/#/packages/purge`);
    const dialog = page.getByRole('dialog', { name: 'Purge packages' });
    const toPurge = dialog.getByRole('list', { name: 'To purge' });
    assert.match(await toPurge.innerText(), /UCUpdates-newer\.cab .*No rule uses 4\.0\.7577\.4387 any more\./);
    await dialog.getByRole('button', { name: 'Purge 1 package' }).click();
    await status(/^Purged 1 package: 2 files removed, .* freed\.$/);
    assert.equal(await page.getByRole('row').filter({ hasText: 'UCUpdates-newer.cab' }).count(), 0);
    assert.ok(page.url().endsWith('#/packages'), page.url());
    assert.equal((await offered(DESK)).version, '4.0.7577.4366');
  });

  it('an external URL saved in Settings (opened by the Log Settings link first) reaches phones as ExternalBaseURL', async () => {
    await page.goto(`${env.server.urls.admin}/#/settings/logs`);
    await until(page, `document.activeElement?.closest('#settings-logs') !== null`);
    assert.equal(await page.getByRole('tab', { name: 'Settings' }).getAttribute('aria-selected'), 'true');
    const before = await offered(DESK);
    assert.equal(before.externalBaseUrl, before.baseUrl, 'with no external URL the internal one is repeated');
    await page.getByLabel('External URL', { exact: true }).fill('https://lyncext.contoso.com');
    await page.getByRole('button', { name: 'Save Changes' }).click();
    await status('Saved: External URL.');
    const after = await offered(DESK);
    assert.equal(after.externalBaseUrl, 'https://lyncext.contoso.com/DeviceUpdateFiles_Ext/UCPhone/Polycom/CX600/A/ENU/4.0.7577.4366/CPE');
    assert.equal(after.baseUrl, before.baseUrl);
  });

  it('a test device removed in the console is an ordinary phone again', async () => {
    await upload(await newerPackage(join(scratch, 'newer')), /^Imported UCUpdates-newer\.cab/);
    assert.equal((await offered(LAB)).version, '4.0.7577.4387');
    await page.getByRole('tab', { name: 'Test Devices' }).click();
    await page.getByRole('button', { name: 'Remove Lab CX600' }).click();
    await page.getByRole('dialog', { name: 'Remove test device “Lab CX600”?' }).getByRole('button', { name: 'Remove' }).click();
    await status('Removed test device “Lab CX600”.');
    assert.equal((await offered(LAB)).version, '4.0.7577.4366');
  });
});
