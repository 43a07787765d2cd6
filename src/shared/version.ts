// Four-part firmware versions ("4.0.7577.4366"). Phones report "0.0.0.0" when they never updated.

export type Version = string & { readonly __brand: 'Version' };

const VERSION_RE = /^(\d{1,9})\.(\d{1,9})\.(\d{1,9})\.(\d{1,9})$/;

export const NEVER_UPDATED = '0.0.0.0' as Version;

export function isVersion(text: string): text is Version {
  return VERSION_RE.test(text);
}

/** Parses a four-part version, accepting zero-padded parts ("1.0.522.073") and normalising them. */
export function parseVersion(text: string): Version | undefined {
  const m = VERSION_RE.exec(text.trim());
  if (!m) return undefined;
  return m.slice(1, 5).map((p) => String(Number(p))).join('.') as Version;
}

export function compareVersions(a: Version, b: Version): number {
  const pa = a.split('.');
  const pb = b.split('.');
  for (let i = 0; i < 4; i++) {
    const d = Number(pa[i]) - Number(pb[i]);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}
