// SQL for settings: one row per key that differs from its default, stored as JSON (as infra/db/settings-repo.ts).
import type { Settings } from '../../../shared/settings.js';
import { settingsFromRows } from '../store-rows.js';
import type { SettingsRepo } from '../../app/store-contract.js';
import type { Queryable } from './connection.js';

export class PgSettingsRepo implements SettingsRepo {
  constructor(private readonly q: Queryable) {}

  /** All settings, defaults filled in. A stored value that no longer validates falls back to its default. */
  async read(): Promise<Settings> {
    return settingsFromRows((await this.q.query<{ key: string; value: string }>('SELECT key, value FROM settings')).rows);
  }

  /** Writes already-validated values (one statement: all of them or none). */
  async write(values: Partial<Settings>): Promise<void> {
    const entries = Object.entries(values);
    if (entries.length === 0) return;
    await this.q.query(
      `INSERT INTO settings (key, value) SELECT * FROM unnest($1::text[], $2::text[])
       ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
      [entries.map(([k]) => k), entries.map(([, v]) => JSON.stringify(v))],
    );
  }
}
