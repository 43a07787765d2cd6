// The README's settings table lists every setting with its real default: a new setting, or a changed default, that
// the README does not show fails here.
import { readFileSync } from 'node:fs';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_SETTINGS, SETTING_KEYS } from '../../src/shared/settings.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const section = readme.slice(readme.indexOf('\n## Settings\n'), readme.indexOf('\n## ', readme.indexOf('\n## Settings\n') + 1));

const shown = (v: unknown) => (Array.isArray(v) ? (v.length ? v.join(', ') : '(none)') : v === '' ? '(empty)' : String(v));

test('the README lists every setting once, with its default', () => {
  assert.ok(section.length > 100, 'README.md has a "## Settings" section');
  for (const key of SETTING_KEYS) {
    const rows = section.split('\n').filter((l) => l.startsWith(`| \`${key}\` |`));
    assert.equal(rows.length, 1, `README's settings table has one row for ${key}`);
    assert.equal(rows[0]!.split(' | ')[1], shown(DEFAULT_SETTINGS[key]), `README's default for ${key}`);
  }
});
