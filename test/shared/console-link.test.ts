import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatConsoleLink, parseConsoleLink } from '../../src/shared/console-link.js';

test('console links: formatted and read back', () => {
  for (const link of [{ view: 'pending' as const }, { view: 'settings' as const, part: 'logs' }, { view: 'packages' as const, part: 'purge' }, { view: 'test-devices' as const, part: 'a b/c' }]) {
    assert.deepEqual(parseConsoleLink(formatConsoleLink(link)), link);
  }
  assert.equal(formatConsoleLink({ view: 'settings', part: 'logs' }), '#/settings/logs');
});

test('console links: anything else is not a link', () => {
  for (const hash of ['', '#', '#/', '#signin=abc', '#/nope', '#/settings/logs/extra', '#settings', '#/Settings']) {
    assert.equal(parseConsoleLink(hash), undefined, hash);
  }
});
