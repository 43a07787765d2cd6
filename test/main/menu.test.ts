import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { MenuItemConstructorOptions } from 'electron';
import { aboutText, menuTemplate, type MenuActions } from '../../src/main/menu.js';
import { formatConsoleLink } from '../../src/shared/console-link.js';

function recording(): { actions: MenuActions; called: string[] } {
  const called: string[] = [];
  const names = ['uploadPackage', 'openInBrowser', 'openLogFolder', 'openDataFolder', 'reload', 'about', 'quit'] as const;
  const actions = Object.fromEntries(names.map((n) => [n, () => called.push(n)])) as unknown as MenuActions;
  actions.show = (link) => called.push(`show ${formatConsoleLink(link)}`);
  return { called, actions };
}

const items = (t: MenuItemConstructorOptions[]) =>
  t.flatMap((m) => (m.submenu as MenuItemConstructorOptions[]).filter((i) => i.label).map((i) => ({ menu: m.label!, ...i })));

test('File, Action, Tools, Help as in the Device Updater; Tools has Upload .cab File, Purge and Log Settings', () => {
  const { actions } = recording();
  const t = menuTemplate(actions, 'linux');
  assert.deepEqual(t.map((m) => m.label), ['File', 'Action', 'Tools', 'Help']);
  const upload = items(t).find((i) => i.label === 'Upload .cab File…');
  assert.equal(upload?.menu, 'Tools');
  assert.equal(upload?.accelerator, 'CmdOrCtrl+U');
  assert.deepEqual(items(t).filter((i) => i.menu === 'Tools').map((i) => i.label), ['Upload .cab File…', 'Purge…', 'Log Settings…', 'Log Folder']);
  assert.equal(items(t).find((i) => i.accelerator === 'CmdOrCtrl+Q')?.label, 'Exit');
  assert.equal(items(menuTemplate(actions, 'darwin')).find((i) => i.accelerator === 'CmdOrCtrl+Q')?.label, 'Quit ucupdates');
});

test('every item calls its own action', () => {
  const { actions, called } = recording();
  for (const i of items(menuTemplate(actions, 'linux'))) (i.click as () => void)();
  assert.deepEqual([...called].sort(), [
    'about',
    'openDataFolder',
    'openInBrowser',
    'openLogFolder',
    'quit',
    'reload',
    'show #/packages/purge',
    'show #/settings/logs',
    'uploadPackage',
  ]);
});

test('the About box says where phones reach the server', () => {
  const text = aboutText('1.2.3', { http: 'http://localhost:80', https: 'https://localhost:443', admin: 'http://127.0.0.1:8090' }, '/data');
  assert.match(text, /^ucupdates 1\.2\.3/);
  assert.match(text, /http:\/\/localhost:80\/RequestHandler\/ucdevice\.upx/);
  assert.match(text, /Data folder: \/data/);
});

test('with a remote server the menu leaves out this machine\'s folders and upload', () => {
  const { actions } = recording();
  const labels = items(menuTemplate(actions, 'linux', false)).map((i) => i.label);
  assert.deepEqual(labels, ['Exit', 'Refresh', 'Purge…', 'Log Settings…', 'About ucupdates']);
});
