import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FREE_SPACE_MARGIN, unpackedBytes, unpackRefusal } from '../../src/server/domain/unpack-room.js';

const MB = 1024 * 1024;
const PLENTY = 100 * 1024 * MB;

describe('unpackedBytes', () => {
  it('adds every listed file, duplicates included, folders not', () => {
    const f = (size: number, isDir = false) => ({ size, isDir });
    assert.equal(unpackedBytes([f(3), f(4), f(4), f(0, true)]), 11);
    assert.equal(unpackedBytes([]), 0);
  });
});

describe('unpackRefusal', () => {
  it('allows a package up to maxUnpackedMB when the disk has room', () => {
    assert.equal(unpackRefusal(1024 * MB, 1024, PLENTY), undefined);
    assert.equal(unpackRefusal(0, 1, FREE_SPACE_MARGIN), undefined);
  });

  it('refuses more than maxUnpackedMB, giving both sizes', () => {
    assert.equal(
      unpackRefusal(5 * MB, 1, PLENTY),
      'This package unpacks to 5.0 MB, more than the 1 MB allowed (setting maxUnpackedMB); nothing was extracted.',
    );
    assert.match(unpackRefusal(1024 * MB + 1, 1024, PLENTY) ?? '', /1024\.0 MB, more than the 1024 MB allowed/);
  });

  it('says "disk full" when the package and the margin do not fit in the free space', () => {
    assert.equal(
      unpackRefusal(100 * MB, 1024, 300 * MB),
      'Disk full: this package unpacks to 100.0 MB, but the data folder\'s disk has 300.0 MB free and 256.0 MB must stay free; nothing was extracted.',
    );
    assert.equal(unpackRefusal(100 * MB, 1024, 100 * MB + FREE_SPACE_MARGIN), undefined);
    assert.match(unpackRefusal(100 * MB, 1024, 100 * MB + FREE_SPACE_MARGIN - 1) ?? '', /^Disk full/);
  });

  it('names the bound first when both are exceeded', () => {
    assert.match(unpackRefusal(5 * MB, 1, 0) ?? '', /maxUnpackedMB/);
  });
});
