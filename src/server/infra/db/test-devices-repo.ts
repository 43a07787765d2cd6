// SQL for test devices: phones matched by MAC or serial number that get pending versions.
import type { Db } from './connection.js';
import type { TestDevice, TestDevicesRepo } from '../../app/store-contract.js';


interface Row {
  id: number;
  name: string;
  mac: string | null;
  serial: string | null;
  created_at: string;
}
const toDevice = (r: Row): TestDevice => ({ id: r.id, name: r.name, mac: r.mac, serial: r.serial, createdAt: r.created_at });

export class SqliteTestDevicesRepo implements TestDevicesRepo {
  constructor(private readonly db: Db) {}

  async list(): Promise<TestDevice[]> {
    return (this.db.prepare('SELECT * FROM test_devices ORDER BY name COLLATE NOCASE, id').all() as Row[]).map(toDevice);
  }

  async get(id: number): Promise<TestDevice | undefined> {
    const row = this.db.prepare('SELECT * FROM test_devices WHERE id = ?').get(id) as Row | undefined;
    return row && toDevice(row);
  }

  /** The device already registered with this MAC or serial, if any. */
  async findConflict(mac: string | null, serial: string | null, exceptId?: number): Promise<TestDevice | undefined> {
    const row = this.db
      .prepare('SELECT * FROM test_devices WHERE ((mac = ?) OR (serial = ? COLLATE NOCASE)) AND id IS NOT ? LIMIT 1')
      .get(mac, serial, exceptId ?? null) as Row | undefined;
    return row && toDevice(row);
  }

  async add(d: { name: string; mac: string | null; serial: string | null }, now: string): Promise<number> {
    return Number(
      this.db.prepare('INSERT INTO test_devices (name, mac, serial, created_at) VALUES (?, ?, ?, ?)').run(d.name, d.mac, d.serial, now)
        .lastInsertRowid,
    );
  }

  async update(id: number, d: { name: string; mac: string | null; serial: string | null }): Promise<void> {
    this.db.prepare('UPDATE test_devices SET name = ?, mac = ?, serial = ? WHERE id = ?').run(d.name, d.mac, d.serial, id);
  }

  async remove(id: number): Promise<boolean> {
    return this.db.prepare('DELETE FROM test_devices WHERE id = ?').run(id).changes > 0;
  }
}
