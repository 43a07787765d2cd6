// The settings form's values as typed (text, or a checkbox's boolean) and back: only what the admin changed is
// sent, values the server will judge (a port typed as "80a" goes as text, and the server says what is wrong).
import type { SettingsDto } from '../../../shared/admin-api.js';
import type { SettingKey } from '../../../shared/settings.js';
import { SETTING_FIELDS } from './setting-fields.js';

/** What the server shows for a secret that is set (SECRET_MARKER in shared/settings.ts, not imported: it would bring zod into the console). */
export const SECRET_SET = '[set]';

export type Draft = Record<SettingKey, string | boolean>;

const KEYS = Object.keys(SETTING_FIELDS) as SettingKey[];

export function toDraft(settings: SettingsDto): Draft {
  const draft = {} as Draft;
  for (const key of KEYS) {
    const value = settings[key];
    const kind = SETTING_FIELDS[key].kind;
    draft[key] =
      kind === 'boolean' ? Boolean(value)
      : kind === 'secret' ? '' // a new value replaces it; blank keeps the one set
      : Array.isArray(value) ? value.join('\n')
      : String(value);
  }
  return draft;
}

function fromDraft(key: SettingKey, text: string | boolean): unknown {
  const kind = SETTING_FIELDS[key].kind;
  if (typeof text === 'boolean') return text;
  if (kind === 'number') {
    const n = Number(text.trim());
    return text.trim() !== '' && Number.isFinite(n) ? n : text;
  }
  if (kind === 'list') {
    return text
      .split(/[\n,]/)
      .map((s) => s.trim())
      .filter(Boolean);
  }
  return text;
}

/** The settings whose value in the form differs from the server's, as values for PUT /api/settings. */
export function changedSettings(settings: SettingsDto, draft: Draft): Partial<Record<SettingKey, unknown>> {
  const changes: Partial<Record<SettingKey, unknown>> = {};
  for (const key of KEYS) {
    if (SETTING_FIELDS[key].kind === 'secret') {
      if (draft[key] !== '' && draft[key] !== SECRET_SET) changes[key] = draft[key];
      continue;
    }
    const value = fromDraft(key, draft[key]);
    if (JSON.stringify(value) !== JSON.stringify(settings[key])) changes[key] = value;
  }
  return changes;
}
