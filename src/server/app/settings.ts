// Changing settings: validated against the shared schema, all or nothing, with history. Secrets are never echoed.
import { isSecretSetting, redactSettings, SECRET_MARKER, settingsSchema, type Settings } from '../../shared/settings.js';
import { tlsProblem } from '../infra/tls.js';
import { AppError } from './app-error.js';
import type { Store } from './store.js';

const TLS_KEYS = new Set(['tlsCertFile', 'tlsKeyFile', 'tlsPfxFile', 'tlsPfxPassphrase']);

export async function updateSettings(store: Store, input: Record<string, unknown>, actor: string): Promise<Settings> {
  // A secret sent back as the marker the reader was shown means "unchanged".
  const changes = Object.fromEntries(Object.entries(input).filter(([k, v]) => !(isSecretSetting(k) && v === SECRET_MARKER)));
  const unknown = Object.keys(changes).filter((k) => !Object.hasOwn(settingsSchema.shape, k)); // not `in`: toString, __proto__
  if (unknown.length > 0) throw new AppError('invalid_input', `Unknown setting: ${unknown.join(', ')}.`, unknown[0]);
  if (Object.keys(changes).length === 0) return redactSettings(await store.settings.read()); // nothing to change: no empty history entry
  return store.write(async (tx) => {
    const before = await tx.settings.read();
    const parsed = settingsSchema.safeParse({ ...before, ...changes });
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = String(issue.path[0] ?? '');
      throw new AppError('invalid_input', `${field}: ${issue.message}`, field);
    }
    // A certificate that cannot be used is refused now, in words, rather than found at the next start.
    const tls = Object.keys(changes).some((k) => TLS_KEYS.has(k)) ? tlsProblem(parsed.data) : undefined;
    if (tls) throw new AppError('invalid_input', tls.message, tls.field);
    const changed = Object.fromEntries(
      Object.keys(changes).map((k) => [k, parsed.data[k as keyof Settings]] as const),
    ) as Partial<Settings>;
    await tx.settings.write(changed);
    const redacted = Object.fromEntries(Object.entries(changed).map(([k, v]) => [k, isSecretSetting(k) ? SECRET_MARKER : v]));
    return { result: redactSettings(parsed.data), history: { actor, action: 'change-settings', target: Object.keys(changed).join(', '), details: redacted } };
  });
}
