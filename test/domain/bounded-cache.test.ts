import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BoundedCache } from '../../src/server/domain/bounded-cache.js';

test('past its count, the oldest entries go first', () => {
  const c = new BoundedCache<number>(3, Infinity);
  for (const k of ['a', 'b', 'c', 'd']) c.set(k, k.charCodeAt(0), 1);
  assert.equal(c.get('a'), undefined);
  assert.deepEqual(['b', 'c', 'd'].map((k) => c.get(k)), [98, 99, 100]);
  assert.equal(c.count, 3);
});

test('past its size, as many of the oldest go as needed; the sizes of those kept are summed', () => {
  const c = new BoundedCache<string>(100, 10);
  c.set('a', 'A', 4);
  c.set('b', 'B', 4);
  c.set('c', 'C', 5);
  assert.deepEqual([c.get('a'), c.get('b'), c.get('c'), c.size], [undefined, 'B', 'C', 9]);
  c.set('d', 'D', 6);
  assert.deepEqual([c.get('b'), c.get('c'), c.get('d'), c.size], [undefined, undefined, 'D', 6]);
});

test('setting a key again replaces its value and its size; an entry larger than the bound is not kept', () => {
  const c = new BoundedCache<string>(10, 10);
  c.set('a', 'A', 6);
  c.set('a', 'A2', 2);
  assert.deepEqual([c.get('a'), c.size, c.count], ['A2', 2, 1]);
  c.set('big', 'X', 11);
  assert.deepEqual([c.get('big'), c.get('a'), c.size], [undefined, 'A2', 2]);
});
