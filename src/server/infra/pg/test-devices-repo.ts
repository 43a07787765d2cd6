// SQL for test devices: phones matched by MAC or serial number that get pending versions (as
// infra/db/test-devices-repo.ts; serial numbers compare case-insensitively).
import type { TestDevice, TestDevicesRepo } from '../../app/store-contract.js';
import type { Queryable } from './connection.js';

const SELECT = 'SELECT id, name, mac, serial, created_at AS "createdAt" FROM test_devices';

export class PgTestDevicesRepo implements TestDevicesRepo {
  constructor(private readonly q: Queryable) {}

  async list(): Promise<TestDevice[]> {
    return (await this.q.query<TestDevice>(`${SELECT} ORDER BY lower(name) COLLATE "C", id`)).rows;
  }

  async get(id: number): Promise<TestDevice | undefined> {
    return (await this.q.query<TestDevice>(`${SELECT} WHERE id = $1`, [id])).rows[0];
  }

  async findConflict(mac: string | null, serial: string | null, exceptId?: number): Promise<TestDevice | undefined> {
    return (await this.q.query<TestDevice>(
      `${SELECT} WHERE (mac = $1 OR lower(serial) = lower($2)) AND id IS DISTINCT FROM $3 LIMIT 1`,
      [mac, serial, exceptId ?? null],
    )).rows[0];
  }

  async add(d: { name: string; mac: string | null; serial: string | null }, now: string): Promise<number> {
    return (await this.q.query<{ id: number }>(
      'INSERT INTO test_devices (name, mac, serial, created_at) VALUES ($1, $2, $3, $4) RETURNING id',
      [d.name, d.mac, d.serial, now],
    )).rows[0]!.id;
  }

  async update(id: number, d: { name: string; mac: string | null; serial: string | null }): Promise<void> {
    await this.q.query('UPDATE test_devices SET name = $1, mac = $2, serial = $3 WHERE id = $4', [d.name, d.mac, d.serial, id]);
  }

  async remove(id: number): Promise<boolean> {
    return ((await this.q.query('DELETE FROM test_devices WHERE id = $1', [id])).rowCount ?? 0) > 0;
  }
}
