// SQL for the index of log files phones uploaded (as infra/db/device-logs-repo.ts; serial numbers compare
// case-insensitively); the files themselves are under each node's Logs/.
import type { DeviceLogRecord, DeviceLogsRepo } from '../../app/store-contract.js';
import type { Queryable } from './connection.js';

const SELECT = `SELECT id, mac, serial, type, file_name AS "fileName", rel_path AS "relPath", size, address, received_at AS "receivedAt" FROM device_logs`;
/** A phone's logs: those it sent under its MAC, or under its serial number. */
const OF_PHONE = `(mac = $1 AND $1 <> '') OR (lower(serial) = lower($2) AND $2 <> '')`;

export class PgDeviceLogsRepo implements DeviceLogsRepo {
  constructor(private readonly q: Queryable) {}

  async add(r: Omit<DeviceLogRecord, 'id'>): Promise<number> {
    return (await this.q.query<{ id: number }>(
      'INSERT INTO device_logs (mac, serial, type, file_name, rel_path, size, address, received_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id',
      [r.mac, r.serial, r.type, r.fileName, r.relPath, r.size, r.address, r.receivedAt],
    )).rows[0]!.id;
  }

  /** Newest first. */
  async listFor(mac: string, serial: string): Promise<DeviceLogRecord[]> {
    return (await this.q.query<DeviceLogRecord>(`${SELECT} WHERE ${OF_PHONE} ORDER BY received_at DESC, id DESC`, [mac, serial])).rows;
  }

  async get(id: number): Promise<DeviceLogRecord | undefined> {
    return (await this.q.query<DeviceLogRecord>(`${SELECT} WHERE id = $1`, [id])).rows[0];
  }

  async bytesOf(mac: string, serial: string): Promise<number> {
    return (await this.q.query<{ n: number }>(`SELECT coalesce(sum(size), 0)::bigint AS n FROM device_logs WHERE ${OF_PHONE}`, [mac, serial])).rows[0]!.n;
  }

  async totalBytes(): Promise<number> {
    return (await this.q.query<{ n: number }>('SELECT coalesce(sum(size), 0)::bigint AS n FROM device_logs')).rows[0]!.n;
  }

  async receivedBefore(iso: string): Promise<DeviceLogRecord[]> {
    return (await this.q.query<DeviceLogRecord>(`${SELECT} WHERE received_at < $1`, [iso])).rows;
  }

  async remove(ids: readonly number[]): Promise<void> {
    await this.q.query('DELETE FROM device_logs WHERE id = ANY($1::bigint[])', [ids]);
  }

  /** Forgets the logs whose files are gone (deleted to keep the Logs folder within its budget). */
  async removePaths(relPaths: readonly string[]): Promise<void> {
    await this.q.query('DELETE FROM device_logs WHERE rel_path = ANY($1::text[])', [relPaths]);
  }
}
