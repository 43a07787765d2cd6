// SQL for update rules and the images (versions) the store holds for them (as infra/db/rules-repo.ts).
import { compareVersions, type Version } from '../../../shared/version.js';
import type { RuleKey, UpdateRule } from '../../domain/device.js';
import type { RuleRecord, RulesRepo } from '../../app/store-contract.js';
import { toRule, type RuleRow } from '../store-rows.js';
import type { Queryable } from './connection.js';



/** An image's files: below <type>/<vendor>/<model>/<revision>/<locale>/<version>/<updateType>/, lower case. */
export const IMAGE_PREFIX = `lower(r.device_type||'/'||r.vendor||'/'||r.model||'/'||r.revision||'/'||r.locale||'/'||i.version||'/'||r.update_type||'/') COLLATE "C"`;

export class PgRulesRepo implements RulesRepo {
  constructor(private readonly q: Queryable) {}

  async list(): Promise<RuleRecord[]> {
    // COLLATE "C": the byte order SQLite sorts these columns in, whatever the database's locale.
    const rows = (await this.q.query<RuleRow>(
      'SELECT * FROM rules ORDER BY device_type COLLATE "C", vendor COLLATE "C", model COLLATE "C", revision COLLATE "C", locale COLLATE "C", update_type COLLATE "C"',
    )).rows;
    const versions = new Map<number, Version[]>();
    for (const v of (await this.q.query<{ rule_id: number; version: Version }>('SELECT rule_id, version FROM images')).rows) {
      const list = versions.get(v.rule_id) ?? [];
      list.push(v.version);
      versions.set(v.rule_id, list);
    }
    return rows.map((r) => toRule(r, sortNewestFirst(versions.get(r.id) ?? [])));
  }

  async get(id: number): Promise<RuleRecord | undefined> {
    const row = (await this.q.query<RuleRow>('SELECT * FROM rules WHERE id = $1', [id])).rows[0];
    if (!row) return undefined;
    const versions = (await this.q.query<{ version: Version }>('SELECT version FROM images WHERE rule_id = $1', [id])).rows.map((r) => r.version);
    return toRule(row, sortNewestFirst(versions));
  }

  async findByKey(key: RuleKey): Promise<RuleRecord | undefined> {
    const row = (await this.q.query<{ id: number }>(
      `SELECT id FROM rules WHERE lower(device_type) = lower($1) AND lower(vendor) = lower($2) AND lower(model) = lower($3)
       AND lower(revision) = lower($4) AND lower(locale) = lower($5) AND lower(update_type) = lower($6)`,
      [key.deviceType, key.vendor, key.model, key.revision, key.locale, key.updateType],
    )).rows[0];
    return row && this.get(row.id);
  }

  async ensure(key: RuleKey, now: string): Promise<number> {
    const existing = await this.findByKey(key);
    if (existing) return existing.id;
    return (await this.q.query<{ id: number }>(
      'INSERT INTO rules (device_type, vendor, model, revision, locale, update_type, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id',
      [key.deviceType, key.vendor, key.model, key.revision, key.locale, key.updateType, now],
    )).rows[0]!.id;
  }

  async setVersions(id: number, v: Pick<UpdateRule, 'approved' | 'pending' | 'restore'>, now: string): Promise<void> {
    await this.q.query('UPDATE rules SET approved = $1, pending = $2, restore = $3, updated_at = $4 WHERE id = $5', [v.approved, v.pending, v.restore, now, id]);
  }

  /** The rule images whose files a package brought (or shared with an earlier package). */
  async imagesOfPackage(packageId: number): Promise<{ ruleId: number; version: Version }[]> {
    return (await this.q.query<{ ruleId: number; version: Version }>(
      `SELECT DISTINCT i.rule_id AS "ruleId", i.version FROM images i JOIN rules r ON r.id = i.rule_id
       JOIN package_files pf ON pf.package_id = $1
       WHERE starts_with(pf.path_key, ${IMAGE_PREFIX})
       ORDER BY 1, 2`,
      [packageId],
    )).rows;
  }

  async addImage(ruleId: number, version: Version, packageId: number): Promise<boolean> {
    const r = await this.q.query('INSERT INTO images (rule_id, version, package_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [ruleId, version, packageId]);
    return (r.rowCount ?? 0) > 0;
  }
}

function sortNewestFirst(versions: Version[]): Version[] {
  return versions.sort((a, b) => compareVersions(b, a));
}
