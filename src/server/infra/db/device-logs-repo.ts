// SQL for the index of log files phones uploaded; the files themselves are under Logs/.
import type { Db } from './connection.js';
import type { DeviceLogRecord, DeviceLogsRepo } from '../../app/store-contract.js';


const SELECT = `SELECT id, mac, serial, type, file_name AS fileName, rel_path AS relPath, size, address, received_at AS receivedAt FROM device_logs`;

export class SqliteDeviceLogsRepo implements DeviceLogsRepo {
  constructor(private readonly db: Db) {}

  async add(r: Omit<DeviceLogRecord, 'id'>): Promise<number> {
    return Number(
      this.db
        .prepare('INSERT INTO device_logs (mac, serial, type, file_name, rel_path, size, address, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
        .run(r.mac, r.serial, r.type, r.fileName, r.relPath, r.size, r.address, r.receivedAt).lastInsertRowid,
    );
  }

  /** A phone's logs, newest first: those it sent under its MAC, or under its serial number. */
  async listFor(mac: string, serial: string): Promise<DeviceLogRecord[]> {
    return this.db
      .prepare(`${SELECT} WHERE (mac = @mac AND @mac != '') OR (serial = @serial AND @serial != '') ORDER BY received_at DESC, id DESC`)
      .all({ mac, serial }) as DeviceLogRecord[];
  }

  async get(id: number): Promise<DeviceLogRecord | undefined> {
    return this.db.prepare(`${SELECT} WHERE id = ?`).get(id) as DeviceLogRecord | undefined;
  }

  /** Bytes kept for a phone (as listFor finds its logs), and for all phones. */
  async bytesOf(mac: string, serial: string): Promise<number> {
    return (this.db
      .prepare(`SELECT coalesce(sum(size), 0) AS n FROM device_logs WHERE (mac = @mac AND @mac != '') OR (serial = @serial AND @serial != '')`)
      .get({ mac, serial }) as { n: number }).n;
  }

  async totalBytes(): Promise<number> {
    return (this.db.prepare('SELECT coalesce(sum(size), 0) AS n FROM device_logs').get() as { n: number }).n;
  }

  async receivedBefore(iso: string): Promise<DeviceLogRecord[]> {
    return this.db.prepare(`${SELECT} WHERE received_at < ?`).all(iso) as DeviceLogRecord[];
  }

  async remove(ids: readonly number[]): Promise<void> {
    this.db.prepare('DELETE FROM device_logs WHERE id IN (SELECT value FROM json_each(?))').run(JSON.stringify(ids));
  }

  /** Forgets the logs whose files are gone (deleted to keep the Logs folder within its budget). */
  async removePaths(relPaths: readonly string[]): Promise<void> {
    this.db.prepare('DELETE FROM device_logs WHERE rel_path IN (SELECT value FROM json_each(?))').run(JSON.stringify(relPaths));
  }
}
