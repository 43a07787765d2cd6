// Changing settings: validated against the shared schema, all or nothing, with history.
import { settingsSchema, type Settings } from '../../shared/settings.js';
import { AppError } from './app-error.js';
import type { Store } from './store.js';

export function updateSettings(store: Store, changes: Record<string, unknown>, actor: string): Settings {
  const unknown = Object.keys(changes).filter((k) => !(k in settingsSchema.shape));
  if (unknown.length > 0) throw new AppError('invalid_input', `Unknown setting: ${unknown.join(', ')}.`, unknown[0]);
  return store.write(() => {
    const before = store.settings.read();
    const parsed = settingsSchema.safeParse({ ...before, ...changes });
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = String(issue.path[0] ?? '');
      throw new AppError('invalid_input', `${field}: ${issue.message}`, field);
    }
    const changed = Object.fromEntries(
      Object.keys(changes).map((k) => [k, parsed.data[k as keyof Settings]] as const),
    ) as Partial<Settings>;
    store.settings.write(changed);
    const redacted = Object.fromEntries(Object.entries(changed).map(([k, v]) => [k, /passphrase/i.test(k) ? '[set]' : v]));
    return { result: parsed.data, history: { actor, action: 'change-settings', target: Object.keys(changed).join(', '), details: redacted } };
  });
}
