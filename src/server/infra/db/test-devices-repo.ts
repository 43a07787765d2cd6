// SQL for test devices: phones matched by MAC or serial number that get pending versions.
import type { TestDeviceDto } from '../../../shared/admin-api.js';
import type { Db } from './connection.js';

export type TestDevice = TestDeviceDto;

interface Row {
  id: number;
  name: string;
  mac: string | null;
  serial: string | null;
  created_at: string;
}
const toDevice = (r: Row): TestDevice => ({ id: r.id, name: r.name, mac: r.mac, serial: r.serial, createdAt: r.created_at });

export class TestDevicesRepo {
  constructor(private readonly db: Db) {}

  list(): TestDevice[] {
    return (this.db.prepare('SELECT * FROM test_devices ORDER BY name COLLATE NOCASE, id').all() as Row[]).map(toDevice);
  }

  get(id: number): TestDevice | undefined {
    const row = this.db.prepare('SELECT * FROM test_devices WHERE id = ?').get(id) as Row | undefined;
    return row && toDevice(row);
  }

  /** The device already registered with this MAC or serial, if any. */
  findConflict(mac: string | null, serial: string | null, exceptId?: number): TestDevice | undefined {
    const row = this.db
      .prepare('SELECT * FROM test_devices WHERE ((mac = ?) OR (serial = ? COLLATE NOCASE)) AND id IS NOT ? LIMIT 1')
      .get(mac, serial, exceptId ?? null) as Row | undefined;
    return row && toDevice(row);
  }

  add(d: { name: string; mac: string | null; serial: string | null }, now: string): number {
    return Number(
      this.db.prepare('INSERT INTO test_devices (name, mac, serial, created_at) VALUES (?, ?, ?, ?)').run(d.name, d.mac, d.serial, now)
        .lastInsertRowid,
    );
  }

  update(id: number, d: { name: string; mac: string | null; serial: string | null }): void {
    this.db.prepare('UPDATE test_devices SET name = ?, mac = ?, serial = ? WHERE id = ?').run(d.name, d.mac, d.serial, id);
  }

  remove(id: number): boolean {
    return this.db.prepare('DELETE FROM test_devices WHERE id = ?').run(id).changes > 0;
  }
}
