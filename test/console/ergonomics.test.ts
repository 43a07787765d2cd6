// The console's MMC ergonomics in Chromium: selection with the mouse and the keyboard as in Explorer, the rows'
// context menu, resizable columns remembered per table, the downgrade badge. Real server and store.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { CHROMIUM, ensureConsoleBuilt, openSignedIn, ruleName, SEED, startConsoleServer, until, type Browser, type ConsoleServer } from './console-fixture.js';

const skip = existsSync(CHROMIUM) ? false : `needs ${CHROMIUM} (apt-get install chromium)`;

describe('console ergonomics', { skip, timeout: 120_000 }, () => {
  let env: ConsoleServer;
  let browser: Browser;
  let page: Page;
  let scriptErrors: string[] = [];

  const table = (name: string) => page.getByRole('table', { name });
  const row = (tableName: string, text: string) => table(tableName).getByRole('row').filter({ hasText: text });
  const pending = (text: string) => row('Pending updates', text);
  const selectedModels = async (tableName: string) =>
    (await table(tableName).locator('tbody tr.selected').allInnerTexts()).map((t) => /CX\d+|6725ip|IP8540/.exec(t)?.[0]).sort();
  /** A cell's text to click on (not its checkbox). */
  const modelCell = (text: string) => pending(text).getByRole('cell', { name: text, exact: true });

  before(async () => {
    ensureConsoleBuilt();
    env = await startConsoleServer();
    ({ browser, page, scriptErrors } = await openSignedIn(env.server));
    await pending('CX600').waitFor();
  });

  after(async () => {
    await browser?.close();
    await env?.close();
  });

  it('marks a pending version older than the approved one as a downgrade', async () => {
    assert.match(await pending('IP8540').innerText(), /4\.0\.7577\.4400\s*Downgrade/);
    assert.doesNotMatch(await pending('CX600').innerText(), /Downgrade/);
    assert.doesNotMatch(await pending('6725ip').innerText(), /Downgrade/, 'nothing approved: nothing to go back from');
  });

  it('selects like Explorer: click, Ctrl+click, Shift+click, Ctrl+A in the table, Esc', async () => {
    await modelCell('CX600').click();
    assert.deepEqual(await selectedModels('Pending updates'), ['CX600']);
    await page.getByText('1 selected', { exact: true }).waitFor();
    await modelCell('IP8540').click({ modifiers: ['Control'] });
    assert.deepEqual(await selectedModels('Pending updates'), ['CX600', 'IP8540']);
    await modelCell('CX600').click({ modifiers: ['Control'] });
    assert.deepEqual(await selectedModels('Pending updates'), ['IP8540']);
    const bodyRows = table('Pending updates').locator('tbody tr');
    await bodyRows.first().getByRole('cell').nth(3).click();
    await bodyRows.last().getByRole('cell').nth(3).click({ modifiers: ['Shift'] });
    assert.equal((await selectedModels('Pending updates')).length, 3, 'the range between them');
    assert.equal(await page.evaluate('String(getSelection())'), '', 'Shift+click selects rows, not text');

    await page.keyboard.press('Escape');
    await page.getByText('Select rules to act on them.').waitFor();
    await page.keyboard.press('Control+A');
    await page.getByText('3 selected', { exact: true }).waitFor();
    assert.equal(await page.evaluate('String(getSelection())'), '', "the table's rows, not the page's text");
    await page.keyboard.press('Escape');
    await page.getByText('Select rules to act on them.').waitFor();

    // Ctrl+A in the filter box is the box's own.
    const filter = page.getByRole('searchbox', { name: 'Filter pending updates' });
    await filter.fill('cx');
    await filter.press('Control+A');
    assert.equal(await page.getByText('Select rules to act on them.').count(), 1);
    await filter.fill('');
  });

  it('opens a context menu on a right-clicked row with the same actions as the buttons', async () => {
    await modelCell('CX600').click({ button: 'right' });
    const menu = page.getByRole('menu', { name: `Actions on ${ruleName(SEED.cx600.key)}` });
    await menu.waitFor();
    assert.deepEqual(await menu.getByRole('menuitem').allInnerTexts(), ['Approve', 'Reject', 'Why']);
    assert.deepEqual(await selectedModels('Pending updates'), ['CX600'], 'the row right-clicked is the selection');
    await menu.getByRole('menuitem', { name: 'Approve' }).click();
    const dialog = page.getByRole('dialog', { name: 'Approve 1 update?' });
    await dialog.getByText(/CX600\/Rev-1\/ENU\/CPE: phones go from 4\.0\.7577\.4366 to 4\.0\.7577\.4455/).waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    assert.equal((await env.server.store.rules.get(env.ruleIds.cx600))?.pending, '4.0.7577.4455');
  });

  it('acts on the whole selection from the menu, and opens it from the keyboard (Shift+F10, the menu key)', async () => {
    await modelCell('CX600').click();
    await modelCell('IP8540').click({ modifiers: ['Control'] });
    await page.keyboard.press('Shift+F10');
    const menu = page.getByRole('menu', { name: 'Actions on 2 rows' });
    await menu.waitFor();
    assert.equal(await menu.getByRole('menuitem', { name: 'Why' }).getAttribute('aria-disabled'), 'true', 'Why is about one rule');
    await until(page, `document.activeElement?.getAttribute('role') === 'menuitem'`);
    await page.keyboard.press('Enter');
    await page.getByRole('dialog', { name: 'Approve 2 updates?' }).waitFor();
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'detached' });

    await page.keyboard.press('Escape');
    await modelCell('6725ip').click();
    await page.keyboard.press('ContextMenu');
    await page.getByRole('menu', { name: `Actions on ${ruleName(SEED.aastra.key)}` }).waitFor();
    await page.keyboard.press('Escape');
    await page.getByRole('menu').waitFor({ state: 'detached' });
  });

  it("opens Troubleshoot's Why for the rule's phones from the menu", async () => {
    await modelCell('CX600').click({ button: 'right' });
    await page.getByRole('menuitem', { name: 'Why' }).click();
    await page.getByRole('tab', { name: 'Troubleshoot', selected: true }).waitFor();
    assert.equal(await page.getByLabel('Model').inputValue(), 'CX600');
    assert.equal(await page.getByLabel('Revision').inputValue(), 'Rev-1');
    await page.getByRole('list', { name: 'Decision trace' }).waitFor();
    await page.goBack();
    await pending('CX600').waitFor();
  });

  it('disables Roll Back in the menu of an approved rule with nothing to go back to', async () => {
    await page.getByRole('tab', { name: 'Approved Updates' }).click();
    await row('Approved updates', 'CX700').getByRole('cell', { name: 'CX700', exact: true }).click({ button: 'right' });
    const menu = page.getByRole('menu');
    assert.equal(await menu.getByRole('menuitem', { name: 'Roll Back' }).getAttribute('aria-disabled'), 'true');
    await page.keyboard.press('Escape');
    await row('Approved updates', 'CX500').getByRole('cell', { name: 'CX500', exact: true }).click({ button: 'right' });
    assert.equal(await page.getByRole('menu').getByRole('menuitem', { name: 'Roll Back' }).getAttribute('aria-disabled'), null);
    await page.keyboard.press('Escape');
    await page.getByRole('tab', { name: 'Pending Updates' }).click();
    await pending('CX600').waitFor();
  });

  it('resizes a column by dragging its edge, remembers the width, and the Columns menu resets it', async () => {
    const header = table('Pending updates').getByRole('columnheader', { name: 'Model', exact: true });
    const width = async () => (await header.boundingBox())!.width;
    const before = await width();
    const grip = header.locator('.col-resizer');
    const box = (await grip.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + 120, box.y + box.height / 2, { steps: 4 });
    await page.mouse.up();
    const wider = await width();
    assert.ok(wider > before + 80, `wider: ${before} → ${wider}`);

    await page.reload();
    await pending('CX600').waitFor();
    assert.ok(Math.abs((await width()) - wider) < 2, 'the same width after a reload');

    await page.getByRole('button', { name: 'Columns' }).click();
    await page.getByRole('menuitem', { name: 'Reset column widths' }).click();
    await until(page, `document.querySelector('#pending-grid col[style*=width]') === null`);
    assert.ok(Math.abs((await width()) - before) < 2, 'back to the width the content asks for');

    // From the keyboard: Alt+Right on the header's button.
    await header.getByRole('button').focus();
    await page.keyboard.press('Alt+ArrowRight');
    await page.keyboard.press('Alt+ArrowRight');
    assert.ok((await width()) > before + 24, 'wider by two steps');
    await page.getByRole('button', { name: 'Columns' }).click();
    await page.getByRole('menuitem', { name: 'Reset column widths' }).click();
  });

  it('keeps one notice per view: a new error replaces the last success', async () => {
    await page.getByRole('tab', { name: 'Test Devices' }).click();
    const form = page.getByRole('form', { name: 'Add a test device' });
    await form.getByRole('textbox', { name: 'Name' }).fill('Lab phone');
    await form.getByRole('textbox', { name: 'MAC address' }).fill('0021630F207B');
    await form.getByRole('button', { name: 'Add' }).click();
    await page.getByRole('status').filter({ hasText: 'Added test device “Lab phone”.' }).waitFor();

    await form.getByRole('textbox', { name: 'Name' }).fill('Same phone');
    await form.getByRole('textbox', { name: 'MAC address' }).fill('00:21:63:0f:20:7b');
    await form.getByRole('button', { name: 'Add' }).click();
    await page.getByRole('alert').filter({ hasText: 'Test device "Lab phone" already has MAC' }).waitFor();
    assert.equal(await page.locator('.notice').count(), 1, 'the error replaced the success');
    assert.equal(await page.getByText('Added test device “Lab phone”.').count(), 0);

    await form.getByRole('textbox', { name: 'MAC address' }).fill('00:21:63:0f:20:7c');
    await form.getByRole('button', { name: 'Add' }).click();
    await page.getByRole('status').filter({ hasText: 'Added test device “Same phone”.' }).waitFor();
    assert.equal(await page.locator('.notice').count(), 1, 'and the next success the error');
  });

  it('ran without script errors', () => {
    assert.deepEqual(scriptErrors, []);
  });
});
