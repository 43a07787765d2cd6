import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { migrate, openDatabase } from '../../src/server/infra/db/connection.js';
import { MIGRATIONS } from '../../src/server/infra/db/migrations.js';
import { tempDir } from '../helpers.js';

const TABLES = ['admins', 'device_logs', 'devices', 'history', 'images', 'interim_images', 'inventory_judged', 'inventory_overflow', 'package_files', 'packages', 'rules', 'seen_days', 'sessions', 'settings', 'shared_downloads', 'sign_in_attempts', 'store_files', 'test_devices'];

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

test('migration 5 indexes the phones of an older inventory that checked in on one occasion only', async () => {
  const t = await tempDir();
  try {
    const db = new Database(join(t.dir, 'v4.db'));
    for (let v = 0; v < 4; v++) db.exec(MIGRATIONS[v]!);
    db.pragma('user_version = 4');
    const add = db.prepare(`INSERT INTO devices (identity, mac, serial, device_type, vendor, model, revision, locale, version, user_name, address,
      first_seen, last_seen, phase) VALUES (?, '', '', 'UCPhone', 'Polycom', 'CX600', 'A', 'ENU', '1.0', '', '10.0.0.1', ?, ?, 'current')`);
    add.run('mac:000000000001', '2026-01-01T08:00:00.000Z', '2026-01-01T08:59:59.999Z'); // one occasion
    add.run('mac:000000000002', '2026-01-01T08:00:00.000Z', '2026-01-01T09:00:00.000Z'); // back an hour later
    add.run('mac:000000000003', '2026-01-01T08:00:00.000Z', '2026-01-02T08:00:00.000Z'); // checked in on two days
    db.close();
    const again = openDatabase(join(t.dir, 'v4.db'));
    assert.deepEqual(again.prepare('SELECT identity FROM devices INDEXED BY devices_once WHERE last_seen > ? AND ' +
      "downloaded_at IS NULL AND updated_at IS NULL AND last_seen < strftime('%Y-%m-%dT%H:%M:%fZ', first_seen, '+1 hour')").pluck().all(''), ['mac:000000000001']);
    assert.equal(again.prepare('SELECT count(*) FROM inventory_overflow').pluck().get(), 0);
    again.close();
  } finally {
    await t.remove();
  }
});

test('migration 6 keeps an older inventory: each phone due what its last check was told, in the same phase, its modules unknown', async () => {
  const t = await tempDir();
  try {
    const db = new Database(join(t.dir, 'v5.db'));
    for (let v = 0; v < 5; v++) db.exec(MIGRATIONS[v]!);
    db.pragma('user_version = 5');
    const add = db.prepare(`INSERT INTO devices (id, identity, mac, serial, device_type, vendor, model, revision, locale, version, user_name, address,
      first_seen, last_seen, offered_version, offered_folder, offered_at, downloaded_at, updated_at, phase, phase_since)
      VALUES (?, ?, '', '', 'UCPhone', 'Polycom', 'CX600', 'A', 'ENU', ?, '', '10.0.0.1', '2026-01-01T08:00:00.000Z', '2026-01-02T08:00:00.000Z', ?, ?, ?, ?, ?, ?, ?)`);
    const F = 'ucphone/polycom/cx600/a/enu/2.0/cpe';
    const T = '2026-01-01T09:00:00.000Z';
    add.run(7, 'mac:000000000001', '1.0', null, null, null, null, null, 'current', null);
    add.run(8, 'mac:000000000002', '1.0', '2.0', F, T, null, null, 'offered', T);
    add.run(9, 'mac:000000000003', '1.0', '2.0', F, T, T, null, 'downloaded', T);
    add.run(10, 'mac:000000000004', '2.0', '2.0', F, T, T, T, 'updated', T);
    db.close();
    const again = openDatabase(join(t.dir, 'v5.db'));
    assert.deepEqual(again.prepare('SELECT id, phase, due_version AS due, due_folder AS folder, modules FROM devices ORDER BY id').all(), [
      { id: 7, phase: 'current', due: null, folder: null, modules: null },
      { id: 8, phase: 'offered', due: '2.0', folder: F, modules: null },
      { id: 9, phase: 'downloaded', due: '2.0', folder: F, modules: null },
      { id: 10, phase: 'updated', due: null, folder: null, modules: null },
    ]);
    again.close();
  } finally {
    await t.remove();
  }
});
