import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { migrate, openDatabase } from '../../src/server/infra/db/connection.js';
import { MIGRATIONS } from '../../src/server/infra/db/migrations.js';
import { tempDir } from '../helpers.js';

const TABLES = ['admins', 'device_logs', 'devices', 'history', 'images', 'interim_images', 'package_files', 'packages', 'rules', 'seen_days', 'sessions', 'settings', 'store_files', 'test_devices'];

test('an empty file is brought to the latest schema, in WAL mode with foreign keys on', async () => {
  const t = await tempDir();
  try {
    const db = openDatabase(join(t.dir, 'a.db'));
    assert.equal(db.pragma('user_version', { simple: true }), MIGRATIONS.length);
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    assert.equal(db.pragma('foreign_keys', { simple: true }), 1);
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
    assert.deepEqual(tables, TABLES);
    db.close();
  } finally {
    await t.remove();
  }
});

test('opening again runs nothing twice and keeps the data', async () => {
  const t = await tempDir();
  try {
    const file = join(t.dir, 'a.db');
    const db = openDatabase(file);
    db.prepare("INSERT INTO settings (key, value) VALUES ('httpPort', '8080')").run();
    db.close();
    const again = openDatabase(file);
    assert.equal(again.prepare("SELECT value FROM settings WHERE key = 'httpPort'").pluck().get(), '8080');
    migrate(again);
    assert.equal(again.pragma('user_version', { simple: true }), MIGRATIONS.length);
    again.close();
  } finally {
    await t.remove();
  }
});

test('each migration runs from the schema before it', async () => {
  const t = await tempDir();
  try {
    const db = new Database(join(t.dir, 'step.db'));
    for (let v = 0; v < MIGRATIONS.length; v++) {
      db.pragma(`user_version = ${v}`);
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    }
    migrate(db);
    assert.equal(db.pragma('user_version', { simple: true }), MIGRATIONS.length);
    db.close();
  } finally {
    await t.remove();
  }
});

test('a store written by a newer ucupdates is refused with a clear message, and left untouched', async () => {
  const t = await tempDir();
  try {
    const file = join(t.dir, 'newer.db');
    const raw = new Database(file);
    raw.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    raw.close();
    assert.throws(() => openDatabase(file), /written by a newer ucupdates .* Upgrade ucupdates/);
    const check = new Database(file);
    assert.equal(check.pragma('user_version', { simple: true }), MIGRATIONS.length + 1);
    assert.deepEqual(check.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all(), []);
    check.close();
  } finally {
    await t.remove();
  }
});
