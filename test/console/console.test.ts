// The admin console end to end: the built console in Chromium, against a real server and store.
// One admin's session goes through the steps in order; the last step signs in as a viewer.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { setAdmin } from '../../src/server/app/admin-auth.js';
import {
  CHROMIUM,
  ensureConsoleBuilt,
  launchChromium,
  ruleName,
  SEED,
  startConsoleServer,
  type Browser,
  type ConsoleServer,
} from './console-fixture.js';

const skip = existsSync(CHROMIUM) ? false : `needs ${CHROMIUM} (apt-get install chromium)`;

describe('admin console', { skip, timeout: 120_000 }, () => {
  let env: ConsoleServer;
  let browser: Browser;
  let page: Page;
  const scriptErrors: string[] = [];

  const tab = (name: string) => page.getByRole('tab', { name });
  const table = (name: string) => page.getByRole('table', { name });
  const row = (tableName: string, text: string) => table(tableName).getByRole('row').filter({ hasText: text });
  const select = (r: { key: Parameters<typeof ruleName>[0] }) => page.getByRole('checkbox', { name: `Select ${ruleName(r.key)}` });

  before(async () => {
    ensureConsoleBuilt();
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
  });

  it('signs in with the one-time link and removes it from the address bar', async () => {
    await page.goto(env.server.signInLink());
    await page.getByText('Signed in as local-admin').waitFor();
    assert.equal(await tab('Pending Updates').getAttribute('aria-selected'), 'true');
    assert.ok(!page.url().includes('#signin='), `the token is still in ${page.url()}`);
    await row('Pending updates', 'CX600').waitFor();
    assert.equal(await table('Pending updates').getByRole('row').count(), 1 + 3, 'header + three pending rules');
  });

  it('approves a pending update after showing what will change', async () => {
    await select(SEED.cx600).check();
    await page.getByRole('button', { name: 'Approve', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Approve 1 update?' });
    await dialog.waitFor();
    const text = await dialog.innerText();
    assert.match(text, /UCPhone\/Polycom\/CX600\/Rev-1\/ENU\/CPE: phones go from 4\.0\.7577\.4366 to 4\.0\.7577\.4455; 4\.0\.7577\.4366 is kept for roll back\./);
    assert.doesNotMatch(text, /Warning/);
    assert.equal(env.server.store.rules.get(env.ruleIds.cx600)?.approved, '4.0.7577.4366', 'the preview changed nothing');

    await dialog.getByRole('button', { name: 'Approve' }).click();
    await page.getByRole('status').filter({ hasText: 'Approved 1 update.' }).waitFor();
    await row('Pending updates', 'CX600').waitFor({ state: 'detached' });
    const rule = env.server.store.rules.get(env.ruleIds.cx600);
    assert.deepEqual([rule?.approved, rule?.pending, rule?.restore], ['4.0.7577.4455', null, '4.0.7577.4366']);
  });

  it('warns before approving a downgrade, and cancelling changes nothing', async () => {
    await select(SEED.ip8540).check();
    await page.getByRole('button', { name: 'Approve', exact: true }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('4.0.7577.4400 is older than the approved 4.0.7577.4455').waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    assert.equal(env.server.store.rules.get(env.ruleIds.ip8540)?.pending, '4.0.7577.4400');
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
    assert.equal(env.server.store.rules.get(env.ruleIds.cx600)?.approved, '4.0.7577.4366');
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
    assert.equal(env.server.store.testDevices.list().length, 0);
  });

  it('adds a test device with a valid MAC address and removes it', async () => {
    await page.getByLabel('MAC address').fill('00-21-63-0f-20-7b');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Added test device “Lab phone”.' }).waitFor();
    await row('Test devices', 'Lab phone').filter({ hasText: '0021630F207B' }).waitFor();
    assert.equal(await page.locator('#device-mac-error').count(), 0, 'the error is gone');
    assert.equal(await page.getByLabel('Name').inputValue(), '', 'the form is cleared');

    await page.getByRole('button', { name: 'Remove Lab phone' }).click();
    await page.getByRole('status').filter({ hasText: 'Removed test device “Lab phone”.' }).waitFor();
    await page.getByText('No test devices yet.').waitFor();
    assert.equal(env.server.store.testDevices.list().length, 0);
  });

  it('lists every change on Activity, newest first', async () => {
    await tab('Activity').click();
    await row('Activity', 'Removed test device').waitFor();
    const rows = await table('Activity').getByRole('row').allInnerTexts();
    const actions = rows.slice(1).map((r) => r.split('\t')[2]?.trim());
    assert.deepEqual(actions, ['Removed test device', 'Added test device', 'Rolled back', 'Approved']);
    assert.match(rows[4] ?? '', /local-admin\s+Approved\s+UCPhone\/Polycom\/CX600\/Rev-1\/ENU\/CPE\s+approved 4\.0\.7577\.4366 → 4\.0\.7577\.4455/);
  });

  it('moves between tabs with the arrow keys', async () => {
    await tab('Activity').focus();
    await page.keyboard.press('Home');
    assert.equal(await tab('Pending Updates').getAttribute('aria-selected'), 'true');
    await page.keyboard.press('ArrowLeft');
    assert.equal(await tab('Activity').getAttribute('aria-selected'), 'true');
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
    await row('Pending updates', 'Aastra').waitFor();
    assert.equal(await page.getByRole('checkbox').count(), 0);
    assert.equal(await page.getByRole('button', { name: /^(Approve|Reject)$/ }).count(), 0);
    await tab('Test Devices').click();
    await page.getByText('No test devices yet.').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Add', exact: true }).count(), 0);
  });

  it('ran without script errors', () => {
    assert.deepEqual(scriptErrors, []);
  });
});
