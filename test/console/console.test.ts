// The admin console end to end: the built console in Chromium, against a real server and store.
// One admin's session goes through the steps in order; the last step signs in as a viewer.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { setAdmin } from '../../src/server/app/admin-auth.js';
import { MULTI_IMAGES, MULTI_VERSION, multiDevicePackage } from '../fixtures/cabs.js';
import {
  CHROMIUM,
  ensureConsoleBuilt,
  launchChromium,
  ruleName,
  SEED,
  startConsoleServer,
  until,
  type Browser,
  type ConsoleServer,
} from './console-fixture.js';

const skip = existsSync(CHROMIUM) ? false : `needs ${CHROMIUM} (apt-get install chromium)`;

describe('admin console', { skip, timeout: 120_000 }, () => {
  let env: ConsoleServer;
  let browser: Browser;
  let page: Page;
  let scratch: string;
  const scriptErrors: string[] = [];

  const tab = (name: string) => page.getByRole('tab', { name });
  const table = (name: string) => page.getByRole('table', { name });
  const row = (tableName: string, text: string) => table(tableName).getByRole('row').filter({ hasText: text });
  const select = (r: { key: Parameters<typeof ruleName>[0] }) => page.getByRole('checkbox', { name: `Select ${ruleName(r.key)}` });

  before(async () => {
    ensureConsoleBuilt();
    scratch = mkdtempSync(join(tmpdir(), 'ucupdates-console-upload-'));
    env = await startConsoleServer();
    browser = await launchChromium();
    page = await browser.context.newPage();
    page.on('pageerror', (e) => scriptErrors.push(e.message));
    // Refused requests (the wrong password's 401) are logged by Chromium itself; they are not script errors.
    page.on('console', (m) => void (m.type() === 'error' && !m.text().startsWith('Failed to load resource') && scriptErrors.push(m.text())));
  });

  after(async () => {
    await browser?.close();
    await env?.close();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('signs in with the one-time link and removes it from the address bar', async () => {
    await page.goto(env.server.signInLink());
    await page.getByText('Signed in as local-admin').waitFor();
    assert.equal(await tab('Pending Updates').getAttribute('aria-selected'), 'true');
    assert.ok(!page.url().includes('#signin='), `the token is still in ${page.url()}`);
    await row('Pending updates', 'CX600').waitFor();
    assert.equal(await table('Pending updates').getByRole('row').count(), 1 + 3, 'header + three pending rules');
  });

  it('filters the Pending table by a model name, counting what is left; selecting all selects only those rows', async () => {
    const filter = page.getByRole('searchbox', { name: 'Filter pending updates' });
    assert.equal(await filter.getAttribute('placeholder'), 'Filter…');
    await page.getByText('3 rules', { exact: true }).waitFor();
    await filter.fill('cx600');
    await row('Pending updates', 'IP8540').waitFor({ state: 'detached' });
    const shown = await table('Pending updates').getByRole('row').allInnerTexts();
    assert.equal(shown.length, 1 + 1, `header + CX600 only: ${shown.join(' | ')}`);
    assert.match(shown[1] ?? '', /Polycom\s+CX600/);
    await page.getByText('1 of 3 rules', { exact: true }).waitFor();

    await page.getByRole('checkbox', { name: 'Select all' }).check();
    await page.getByText('1 selected', { exact: true }).waitFor();
    assert.equal(await select(SEED.cx600).isChecked(), true);
    // A row the filter hides is no longer selected: an action never applies to rows out of sight.
    await filter.fill('AASTRA');
    await row('Pending updates', 'CX600').waitFor({ state: 'detached' });
    await page.getByText('Select rules to act on them.').waitFor();

    await filter.fill('xyz');
    await table('Pending updates').getByRole('cell', { name: 'No rows match “xyz”.' }).waitFor();
    await page.getByText('0 of 3 rules', { exact: true }).waitFor();
    await filter.fill('');
    await page.getByText('3 rules', { exact: true }).waitFor();
    assert.equal(await table('Pending updates').getByRole('row').count(), 1 + 3);
    assert.equal(await select(SEED.cx600).isChecked(), false);
  });

  it('hides a column from the Columns menu and keeps it hidden after a reload', async () => {
    const columns = page.getByRole('button', { name: 'Columns' });
    const header = (name: string) => table('Pending updates').getByRole('columnheader', { name, exact: true });
    assert.equal(await header('Vendor').count(), 1);
    await columns.click();
    assert.equal(await columns.getAttribute('aria-expanded'), 'true');
    // Fluent's Menu: its items are menu item checkboxes.
    const vendor = page.getByRole('menuitemcheckbox', { name: 'Vendor', exact: true });
    await vendor.uncheck();
    await header('Vendor').waitFor({ state: 'detached' });
    assert.doesNotMatch(await row('Pending updates', 'CX600').innerText(), /Polycom/);
    await page.keyboard.press('Escape');
    await vendor.waitFor({ state: 'detached' });
    assert.equal(await columns.getAttribute('aria-expanded'), 'false');
    assert.equal(await page.evaluate('document.activeElement?.textContent'), 'Columns', 'Escape returns to the button');

    await page.reload();
    await page.getByText('Signed in as local-admin').waitFor();
    await row('Pending updates', 'CX600').waitFor();
    assert.equal(await header('Vendor').count(), 0, 'still hidden after the reload');
    assert.equal(await header('Model').count(), 1);

    await columns.click();
    await vendor.check();
    await header('Vendor').waitFor();
    await page.keyboard.press('Escape');
    assert.match(await row('Pending updates', 'CX600').innerText(), /Polycom/);
  });

  it('approves a pending update after showing what will change', async () => {
    await select(SEED.cx600).check();
    await page.getByRole('button', { name: 'Approve', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Approve 1 update?' });
    await dialog.waitFor();
    const text = await dialog.innerText();
    assert.match(text, /UCPhone\/Polycom\/CX600\/Rev-1\/ENU\/CPE: phones go from 4\.0\.7577\.4366 to 4\.0\.7577\.4455; 4\.0\.7577\.4366 is kept for roll back\./);
    assert.doesNotMatch(text, /Warning/);
    assert.equal((await env.server.store.rules.get(env.ruleIds.cx600))?.approved, '4.0.7577.4366', 'the preview changed nothing');

    await dialog.getByRole('button', { name: 'Approve' }).click();
    await page.getByRole('status').filter({ hasText: 'Approved 1 update.' }).waitFor();
    await row('Pending updates', 'CX600').waitFor({ state: 'detached' });
    const rule = await env.server.store.rules.get(env.ruleIds.cx600);
    assert.deepEqual([rule?.approved, rule?.pending, rule?.restore], ['4.0.7577.4455', null, '4.0.7577.4366']);
  });

  it('warns before approving a downgrade, and cancelling changes nothing', async () => {
    await select(SEED.ip8540).check();
    await page.getByRole('button', { name: 'Approve', exact: true }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('4.0.7577.4400 is older than the approved 4.0.7577.4455').waitFor();
    assert.equal(await page.evaluate('document.activeElement?.textContent'), 'Approve', 'the confirm button has the focus');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    assert.equal(await page.evaluate('document.activeElement?.textContent'), 'Approve', 'back on the button that opened it');
    assert.equal(await page.evaluate('document.activeElement?.closest("[role=dialog]")'), null);
    assert.equal((await env.server.store.rules.get(env.ruleIds.ip8540))?.pending, '4.0.7577.4400');
  });

  it('shows the approved update on Approved Updates and rolls it back', async () => {
    await tab('Approved Updates').click();
    const cx600 = row('Approved updates', 'CX600');
    await cx600.waitFor();
    assert.match(await cx600.innerText(), /4\.0\.7577\.4455\s+4\.0\.7577\.4366/);
    assert.equal(await select(SEED.cx700).isDisabled(), true, 'a rule with nothing to roll back to cannot be selected');

    await select(SEED.cx600).check();
    await page.getByRole('button', { name: 'Roll Back', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Roll Back 1 update?' });
    assert.match(await dialog.innerText(), /CX600\/Rev-1\/ENU\/CPE: phones go from 4\.0\.7577\.4455 back to 4\.0\.7577\.4366\./);
    await dialog.getByRole('button', { name: 'Roll Back' }).click();
    await page.getByRole('status').filter({ hasText: 'Rolled back 1 update.' }).waitFor();
    assert.equal((await env.server.store.rules.get(env.ruleIds.cx600))?.approved, '4.0.7577.4366');
    await cx600.getByRole('cell', { name: '—', exact: true }).waitFor();
    assert.match(await cx600.innerText(), /4\.0\.7577\.4366\s+—/, 'approved is back to 4366, with nothing left to roll back to');
  });

  it("shows the server's validation message next to the MAC address field", async () => {
    await tab('Test Devices').click();
    await page.getByLabel('Name').fill('Lab phone');
    await page.getByLabel('MAC address').fill('00-21-63-0F-20');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    const error = page.locator('#device-mac-error');
    await error.waitFor();
    assert.match(await error.innerText(), /"00-21-63-0F-20" is not a MAC address: give 12 hexadecimal digits/);
    assert.equal(await page.getByLabel('MAC address').getAttribute('aria-invalid'), 'true');
    assert.equal((await env.server.store.testDevices.list()).length, 0);
  });

  it('adds a test device with a valid MAC address and removes it', async () => {
    await page.getByLabel('MAC address').fill('00-21-63-0f-20-7b');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Added test device “Lab phone”.' }).waitFor();
    await row('Test devices', 'Lab phone').filter({ hasText: '00-21-63-0F-20-7B' }).waitFor();
    assert.equal(await page.locator('#device-mac-error').count(), 0, 'the error is gone');
    assert.equal(await page.getByLabel('Name').inputValue(), '', 'the form is cleared');
  });

  it("edits a test device in the same form: Cancel changes nothing, the server's message shows next to MAC address", async () => {
    const [added] = await env.server.store.testDevices.list();
    assert.ok(added);
    const editForm = page.getByRole('form', { name: 'Edit test device “Lab phone”' });
    const addForm = page.getByRole('form', { name: 'Add a test device' });

    await page.getByRole('button', { name: 'Edit Lab phone' }).click();
    await editForm.waitFor();
    assert.equal(await addForm.count(), 0, 'one form, now editing');
    assert.equal(await page.getByLabel('Name').inputValue(), 'Lab phone');
    assert.equal(await page.getByLabel('MAC address').inputValue(), '00-21-63-0F-20-7B', 'in the notation of setting macNotation');
    assert.equal(await page.getByLabel('Serial number').inputValue(), '');
    assert.equal(await page.evaluate('document.activeElement?.id'), 'device-name', 'editing starts in the form');
    await page.getByLabel('Name').fill('Changed my mind');
    await editForm.getByRole('button', { name: 'Cancel' }).click();
    await addForm.waitFor();
    assert.equal(await page.getByLabel('Name').inputValue(), '');
    await row('Test devices', 'Lab phone').filter({ hasText: '00-21-63-0F-20-7B' }).waitFor();
    await until(page, `document.activeElement?.getAttribute('aria-label') === 'Edit Lab phone'`);
    assert.deepEqual(await env.server.store.testDevices.list(), [added], 'Cancel changed nothing');

    await page.keyboard.press('Enter');
    await editForm.waitFor();
    await page.getByLabel('MAC address').fill('00-21-63-0F-20-7');
    await editForm.getByRole('button', { name: 'Save' }).click();
    const error = page.locator('#device-mac-error');
    await error.waitFor();
    assert.match(await error.innerText(), /"00-21-63-0F-20-7" is not a MAC address: give 12 hexadecimal digits/);
    assert.equal(await page.getByLabel('MAC address').getAttribute('aria-invalid'), 'true');
    assert.deepEqual(await env.server.store.testDevices.list(), [added], 'the refused edit changed nothing');

    await page.getByLabel('Name').fill('Desk phone');
    await page.getByLabel('MAC address').fill('00:21:63:0f:20:7c');
    await page.getByLabel('Serial number').fill('SN-4242');
    await editForm.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved test device “Desk phone”.' }).waitFor();
    await addForm.waitFor();
    await row('Test devices', 'Desk phone').filter({ hasText: '00-21-63-0F-20-7C' }).filter({ hasText: 'SN-4242' }).waitFor();
    assert.equal(await row('Test devices', 'Lab phone').count(), 0);
    assert.equal(await error.count(), 0, 'the error is gone');
    assert.deepEqual(await env.server.store.testDevices.list(), [{ ...added, name: 'Desk phone', mac: '0021630F207C', serial: 'SN-4242' }]);
  });

  it('removes a test device after asking: Cancel keeps it', async () => {
    await page.getByRole('button', { name: 'Remove Desk phone' }).click();
    const dialog = page.getByRole('dialog', { name: 'Remove test device “Desk phone”?' });
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    assert.equal((await env.server.store.testDevices.list()).length, 1, 'Cancel removed nothing');
    await page.getByRole('button', { name: 'Remove Desk phone' }).click();
    await dialog.getByRole('button', { name: 'Remove' }).click();
    await page.getByRole('status').filter({ hasText: 'Removed test device “Desk phone”.' }).waitFor();
    await page.getByText('No test devices yet.').waitFor();
    assert.equal((await env.server.store.testDevices.list()).length, 0);
  });

  it('lists every change on Activity, newest first', async () => {
    await tab('Activity').click();
    await row('Activity', 'Removed test device').waitFor();
    const rows = await table('Activity').getByRole('row').allInnerTexts();
    const actions = rows.slice(1).map((r) => r.split('\t')[2]?.trim());
    assert.deepEqual(actions, ['Removed test device', 'Edited test device', 'Added test device', 'Rolled back', 'Approved']);
    assert.match(rows[5] ?? '', /local-admin\s+Approved\s+UCPhone\/Polycom\/CX600\/Rev-1\/ENU\/CPE\s+approved 4\.0\.7577\.4366 → 4\.0\.7577\.4455/);
  });

  it('moves between tabs with the arrow keys', async () => {
    await tab('Activity').focus();
    // Waits for the selection to follow the key (React renders after the key press; a busy machine takes longer).
    const selected = (name: string) => tab(name).and(page.locator('[aria-selected="true"]')).waitFor({ timeout: 5_000 });
    await page.keyboard.press('Home');
    await selected('Pending Updates');
    await page.keyboard.press('ArrowLeft');
    await selected('Activity');
  });

  it('rejects the pending IP8540 version, so that the package below lands on every rule', async () => {
    await tab('Pending Updates').click();
    await select(SEED.ip8540).check();
    await page.getByRole('button', { name: 'Reject', exact: true }).click();
    await page.getByRole('dialog', { name: 'Reject 1 update?' }).getByRole('button', { name: 'Reject' }).click();
    await page.getByRole('status').filter({ hasText: 'Rejected 1 update.' }).waitFor();
    assert.equal((await env.server.store.rules.get(env.ruleIds.ip8540))?.pending, null);
  });

  it('says what to do on an empty Packages tab, uploads a cab with progress and lists what it added', async () => {
    await tab('Packages').click();
    await page.getByText('Upload UCUpdates.cab or UCUpdates.exe from Microsoft').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Upload .cab File' }).isEnabled(), true);

    // Images of 3 MB, sent at 8 MB/s (Chromium's network emulation): the upload takes long enough to report progress
    // along the way, as it does for a real UCUpdates.exe on a real network.
    const cab = await multiDevicePackage(join(scratch, 'good'), { nbtSize: 3 * 1024 * 1024 });
    const cdp = await browser.context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 8 * 1024 * 1024 });
    // Every phase the console shows, in order (the import of a small cab is quick: some may pass between polls).
    // (A string: the Node side's tsconfig has no DOM types.)
    await page.evaluate(`{
      const seen = (window.seenProgress = []);
      new MutationObserver(() => {
        const label = document.querySelector('.progress-label')?.textContent;
        if (label && seen.at(-1) !== label) seen.push(label);
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    }`);
    await page.locator('input[type="file"]').setInputFiles(cab);

    const summary = page.getByRole('region', { name: 'Imported UCUpdates.cab (package 4.0.7577.4366)' });
    await summary.waitFor();
    const seen = await page.evaluate<string[]>('window.seenProgress');
    assert.match(seen[0] ?? '', /^Uploading: \d+% \(/, `progress shown: ${seen.join(' | ')}`);
    await cdp.detach();
    const percents = seen.flatMap((s) => /^Uploading: (\d+)%/.exec(s)?.[1] ?? []).map(Number);
    assert.ok(percents.some((p) => p > 0 && p < 100), `the upload reports progress along the way: ${seen.join(' | ')}`);
    assert.deepEqual(percents, [...percents].sort((a, b) => a - b), 'upload progress only goes up');
    const importing = seen.slice(seen.findIndex((s) => !s.startsWith('Uploading')));
    assert.ok(importing.length >= 1 && importing.every((s) => /^(Starting the import|Finding the cabinet|Extracting|Storing files|Recording)/.test(s)), `then the import's phases: ${seen.join(' | ')}`);

    assert.match(await summary.getByRole('status').innerText(), /4 new versions now pending approval/);
    const images = summary.getByRole('table', { name: 'Imported images' }).getByRole('row');
    assert.equal(await images.count(), 1 + 4);
    const texts = (await images.allInnerTexts()).slice(1).join('\n');
    for (const folder of MULTI_IMAGES) {
      const parts = folder.split('/');
      const rule = [...parts.slice(0, 5), parts[6]].join('/');
      assert.match(texts, new RegExp(`${rule.replaceAll('/', '\\/')}\\s+${parts[5]!.replaceAll('.', '\\.')}\\s+Pending approval`));
    }
    // IP8540's approved 4.0.7577.4455 is newer than the package's 3.5.6907.0: the summary warns of the downgrade.
    assert.match(
      await summary.getByRole('list', { name: 'Warnings' }).innerText(),
      /Warning: UCPhone\/LG-Nortel\/IP8540\/A\/ENU\/CPE: 3\.5\.6907\.0 is older than the approved 4\.0\.7577\.4455/,
    );

    const pkg = row('Packages', 'UCUpdates.cab');
    await pkg.waitFor();
    const stored = (await env.server.store.packages.list())[0]!;
    assert.match(await pkg.innerText(), new RegExp(`UCUpdates\\.cab\\s+${MULTI_VERSION.replaceAll('.', '\\.')}\\s+Cabinet \\(\\.cab\\)\\s+[\\d.]+ [KM]B\\s+${stored.fileCount}\\s+.+\\s+local-admin\\s+${stored.sha256.slice(0, 12)}…`));
    assert.equal(await pkg.getByTitle(stored.sha256).count(), 1, 'the full SHA-256 is in the title');
  });

  it('shows the new versions on Pending Updates', async () => {
    await page.getByRole('button', { name: 'Review Pending Updates' }).click();
    assert.equal(await tab('Pending Updates').getAttribute('aria-selected'), 'true');
    await row('Pending updates', 'DEU').waitFor();
    const pending = await table('Pending updates').getByRole('row').allInnerTexts();
    assert.equal(pending.length, 1 + 5, 'header + Aastra + the four new versions');
    for (const [model, locale, version] of [
      ['CX700', 'ENU', '3.5.6907.0'],
      ['CX700', 'DEU', '3.5.6907.0'],
      ['IP8540', 'ENU', '3.5.6907.0'],
      ['CX600', 'ENU', '4.0.7577.4366'],
    ]) {
      assert.ok(pending.some((r) => r.includes(`${model}\tA\t${locale}\tCPE\t${version}`)), `${model} ${locale} ${version} in ${pending.join(' | ')}`);
    }
  });

  it('shows why a file that is not a package cannot be imported', async () => {
    await tab('Packages').click();
    const garbage = join(scratch, 'garbage.cab');
    writeFileSync(garbage, Buffer.from('This is not a cabinet file at all, only some text.\n'.repeat(200)));
    await page.locator('input[type="file"]').setInputFiles(garbage);
    const failed = page.getByRole('region', { name: 'Could not import garbage.cab' });
    await failed.waitFor();
    assert.match(await failed.getByRole('alert').innerText(), /This file is not a cabinet \(\.cab\) or self-extracting package \(\.exe\)\./);
    assert.equal((await env.server.store.packages.list()).length, 1, 'nothing was added');
    await failed.getByRole('button', { name: 'Close' }).click();
    await failed.waitFor({ state: 'detached' });
  });

  it("shows the server's message next to a refused setting, then saves a valid change", async () => {
    await tab('Settings').click();
    const externalUrl = page.getByLabel('External URL', { exact: true });
    await externalUrl.fill('lyncext.contoso.com/phones');
    await page.getByText('1 unsaved change.').waitFor();
    await page.getByRole('button', { name: 'Save Changes' }).click();
    const error = page.locator('#setting-externalUrl-error');
    await error.waitFor();
    assert.match(await error.innerText(), /externalUrl: must be empty or a base URL like http:\/\/ucupdates\.contoso\.com/);
    assert.equal(await externalUrl.getAttribute('aria-invalid'), 'true');
    assert.equal((await env.server.store.settings.read()).externalUrl, '');

    await externalUrl.fill('https://lyncext.contoso.com/');
    await page.getByLabel('Keep logs (days)').fill('45');
    await page.getByRole('button', { name: 'Save Changes' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved: External URL, Keep logs (days).' }).waitFor();
    assert.equal(await error.count(), 0, 'the error is gone');
    const saved = await env.server.store.settings.read();
    assert.equal(saved.externalUrl, 'https://lyncext.contoso.com');
    assert.equal(saved.logRetentionDays, 45);
    assert.equal(await externalUrl.inputValue(), 'https://lyncext.contoso.com', "the form shows the server's value");
    assert.equal(await page.getByRole('button', { name: 'Save Changes' }).isDisabled(), true, 'nothing left to save');
  });

  it('keeps the PFX passphrase unless a new one is typed', async () => {
    await env.server.store.settings.write({ tlsPfxPassphrase: 'old secret' });
    await tab('Activity').click();
    await tab('Settings').click();
    const passphrase = page.getByLabel('PFX passphrase');
    assert.equal(await passphrase.inputValue(), '', 'the secret is never shown');
    assert.match((await passphrase.getAttribute('placeholder')) ?? '', /^set/);
    await page.getByLabel('Capture phone requests').check();
    await page.getByRole('button', { name: 'Save Changes' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved: Capture phone requests.' }).waitFor();
    assert.equal((await env.server.store.settings.read()).tlsPfxPassphrase, 'old secret');
    assert.equal((await env.server.store.settings.read()).captureEnabled, true);

    await passphrase.fill('new secret');
    await page.getByRole('button', { name: 'Save Changes' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved: PFX passphrase.' }).waitFor();
    assert.equal((await env.server.store.settings.read()).tlsPfxPassphrase, 'new secret');
  });

  it('signs out; a wrong password is refused in words; a viewer sees no change buttons', async () => {
    await setAdmin(env.server.store, 'vera', 'correct horse battery', 'viewer', 'test');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('User name').fill('vera');
    await page.getByLabel('Password').fill('wrong password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const refused = page.getByRole('alert');
    await refused.waitFor();
    assert.ok((await refused.innerText()).length > 10, 'the server explains the refusal');

    await page.getByLabel('Password').fill('correct horse battery');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('Signed in as vera').waitFor();
    await page.getByText('view only').waitFor();
    assert.equal(await tab('Settings').getAttribute('aria-selected'), 'true', 'signing in again keeps the view of the address bar (#/settings)');
    await tab('Pending Updates').click();
    await row('Pending updates', 'Aastra').waitFor();
    assert.equal(await page.getByRole('checkbox').count(), 0);
    assert.equal(await page.getByRole('button', { name: /^(Approve|Reject)$/ }).count(), 0);
    await tab('Test Devices').click();
    await page.getByText('No test devices yet.').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Add', exact: true }).count(), 0);

    await tab('Packages').click();
    await row('Packages', 'UCUpdates.cab').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Upload .cab File' }).count(), 0);
    assert.equal(await page.locator('input[type="file"]').count(), 0);

    await tab('Settings').click();
    const externalUrl = page.getByLabel('External URL', { exact: true });
    assert.equal(await externalUrl.inputValue(), 'https://lyncext.contoso.com');
    assert.equal(await externalUrl.getAttribute('readonly'), '');
    assert.equal(await page.getByLabel('Capture phone requests').isDisabled(), true);
    assert.equal(await page.getByLabel('PFX passphrase').inputValue(), 'set (hidden)');
    assert.equal(await page.getByRole('button', { name: /Save/ }).count(), 0);
  });

  it('shows a viewer the test devices without Edit or Remove', async () => {
    await env.server.store.testDevices.add({ name: 'Desk phone', mac: '0021630F207C', serial: null }, new Date().toISOString());
    await tab('Test Devices').click();
    await row('Test devices', 'Desk phone').waitFor();
    assert.equal(await page.getByRole('button', { name: /^(Edit|Remove) / }).count(), 0);
    assert.equal(await page.getByRole('form').count(), 0);
  });

  it('ran without script errors', () => {
    assert.deepEqual(scriptErrors, []);
  });
});
