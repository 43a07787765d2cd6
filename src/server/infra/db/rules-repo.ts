// SQL for update rules and the images (versions) the store holds for them.
import { compareVersions, type Version } from '../../../shared/version.js';
import type { RuleKey, UpdateRule } from '../../domain/device.js';
import type { Db } from './connection.js';
import type { RuleRecord, RulesRepo } from '../../app/store-contract.js';
import { toRule, type RuleRow } from '../store-rows.js';




export class SqliteRulesRepo implements RulesRepo {
  constructor(private readonly db: Db) {}

  async list(): Promise<RuleRecord[]> {
    const rows = this.db.prepare('SELECT * FROM rules ORDER BY device_type, vendor, model, revision, locale, update_type').all() as RuleRow[];
    const versions = new Map<number, Version[]>();
    for (const v of this.db.prepare('SELECT rule_id, version FROM images').all() as { rule_id: number; version: Version }[]) {
      const list = versions.get(v.rule_id) ?? [];
      list.push(v.version);
      versions.set(v.rule_id, list);
    }
    return rows.map((r) => toRule(r, sortNewestFirst(versions.get(r.id) ?? [])));
  }

  async get(id: number): Promise<RuleRecord | undefined> {
    const row = this.db.prepare('SELECT * FROM rules WHERE id = ?').get(id) as RuleRow | undefined;
    if (!row) return undefined;
    const versions = (this.db.prepare('SELECT version FROM images WHERE rule_id = ?').pluck().all(id) as Version[]);
    return toRule(row, sortNewestFirst(versions));
  }

  async findByKey(key: RuleKey): Promise<RuleRecord | undefined> {
    const id = this.db
      .prepare(
        `SELECT id FROM rules WHERE device_type = ? COLLATE NOCASE AND vendor = ? COLLATE NOCASE AND model = ? COLLATE NOCASE
         AND revision = ? COLLATE NOCASE AND locale = ? COLLATE NOCASE AND update_type = ? COLLATE NOCASE`,
      )
      .pluck()
      .get(key.deviceType, key.vendor, key.model, key.revision, key.locale, key.updateType) as number | undefined;
    return id === undefined ? undefined : this.get(id);
  }

  /** Returns the rule's id, creating an empty rule for a key seen for the first time. */
  async ensure(key: RuleKey, now: string): Promise<number> {
    const existing = await this.findByKey(key);
    if (existing) return existing.id;
    return Number(
      this.db
        .prepare(
          `INSERT INTO rules (device_type, vendor, model, revision, locale, update_type, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(key.deviceType, key.vendor, key.model, key.revision, key.locale, key.updateType, now).lastInsertRowid,
    );
  }

  async setVersions(id: number, v: Pick<UpdateRule, 'approved' | 'pending' | 'restore'>, now: string): Promise<void> {
    this.db
      .prepare('UPDATE rules SET approved = ?, pending = ?, restore = ?, updated_at = ? WHERE id = ?')
      .run(v.approved, v.pending, v.restore, now, id);
  }

  /** The rule images whose files a package brought (or shared with an earlier package). */
  async imagesOfPackage(packageId: number): Promise<{ ruleId: number; version: Version }[]> {
    return this.db
      .prepare(
        `SELECT DISTINCT i.rule_id AS ruleId, i.version FROM images i JOIN rules r ON r.id = i.rule_id
         JOIN package_files pf ON pf.package_id = ?
         WHERE substr(pf.path_key, 1, length(lower(r.device_type||'/'||r.vendor||'/'||r.model||'/'||r.revision||'/'||r.locale||'/'||i.version||'/'||r.update_type||'/')))
             = lower(r.device_type||'/'||r.vendor||'/'||r.model||'/'||r.revision||'/'||r.locale||'/'||i.version||'/'||r.update_type||'/')
         ORDER BY i.rule_id`,
      )
      .all(packageId) as { ruleId: number; version: Version }[];
  }

  /** Records that the store holds the image of `version` for the rule; false when it already did. */
  async addImage(ruleId: number, version: Version, packageId: number): Promise<boolean> {
    return this.db.prepare('INSERT OR IGNORE INTO images (rule_id, version, package_id) VALUES (?, ?, ?)').run(ruleId, version, packageId).changes > 0;
  }
}

function sortNewestFirst(versions: Version[]): Version[] {
  return versions.sort((a, b) => compareVersions(b, a));
}
