// SQL for settings: one row per key that differs from its default, stored as JSON.
import type { Settings } from '../../../shared/settings.js';
import { settingsFromRows } from '../store-rows.js';
import type { Db } from './connection.js';
import type { SettingsRepo } from '../../app/store-contract.js';

export class SqliteSettingsRepo implements SettingsRepo {
  constructor(private readonly db: Db) {}

  /** All settings, defaults filled in. A stored value that no longer validates falls back to its default. */
  async read(): Promise<Settings> {
    return settingsFromRows(this.db.prepare('SELECT key, value FROM settings').all() as { key: string; value: string }[]);
  }

  /** Writes already-validated values. */
  async write(values: Partial<Settings>): Promise<void> {
    const upsert = this.db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value');
    for (const [k, v] of Object.entries(values)) upsert.run(k, JSON.stringify(v));
  }
}
