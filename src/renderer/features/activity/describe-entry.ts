// History entries in words: what the action was and, in short, what changed.
import type { HistoryDto } from '../../../shared/admin-api.js';

const ACTIONS: Record<string, string> = {
  approve: 'Approved',
  reject: 'Rejected',
  rollback: 'Rolled back',
  'import-package': 'Imported package',
  'add-test-device': 'Added test device',
  'edit-test-device': 'Edited test device',
  'remove-test-device': 'Removed test device',
  'change-settings': 'Changed settings',
  'add-admin': 'Added admin',
  'change-admin': 'Changed admin',
  'remove-admin': 'Removed admin',
};

export const actionLabel = (action: string): string => ACTIONS[action] ?? action;

/** Rule actions name their rule by its folder path (shown in a monospace font). */
export const targetIsRulePath = (action: string): boolean => ['approve', 'reject', 'rollback'].includes(action);

type Versions = { approved?: string | null; pending?: string | null; restore?: string | null };

export function describeDetails(entry: HistoryDto): string {
  const d = entry.details;
  const before = d.before as Versions | undefined;
  const after = d.after as Versions | undefined;
  if (before && after && 'approved' in after) {
    const parts = (['approved', 'pending', 'restore'] as const)
      .filter((k) => (before[k] ?? null) !== (after[k] ?? null))
      .map((k) => `${k} ${before[k] ?? 'none'} → ${after[k] ?? 'none'}`);
    return parts.join('; ');
  }
  if (Array.isArray(d.images)) return `${d.images.length} image${d.images.length === 1 ? '' : 's'}`;
  return Object.entries(d)
    .filter(([k, v]) => k !== 'name' && k !== 'id' && v !== null && typeof v !== 'object')
    .map(([k, v]) => `${k} ${String(v)}`)
    .join(', ');
}
