// The interim images under `ucupdates rules`: each with its files and the phones it serves, then the locales whose
// phones need one that is missing. Nothing when there is neither (most fleets never had OCS 2007 firmware).
import type { InterimOverviewDto } from '../shared/admin-api.js';
import { table } from './output.js';

export function interimSection(o: InterimOverviewDto): string[] {
  if (o.images.length === 0 && o.missing.length === 0) return [];
  const who = `UCPhone phones ${o.inclusive ? 'at or below' : 'below'} ${o.threshold}`;
  const out = ['', `Interim images (build ${o.version}, sent first to ${who}):`];
  if (o.images.length > 0) {
    const rows = o.images.map((i) => ({
      locale: i.locale,
      version: i.version,
      files: i.files.map((f) => `${f.fileName} (${kilobytes(f.size)})`).join(', '),
      phones: i.phones,
      from: i.fileName,
    }));
    out.push(table(rows, ['locale', 'version', 'files', 'phones', 'from']));
  }
  for (const m of o.missing) {
    out.push(`missing: ${m.locale}: ${m.phones} phone(s) need the interim build and there is no interim image for ${m.locale}; import it with \`ucupdates import --interim <OCInterim folder or cab>\`.`);
  }
  return out;
}

const kilobytes = (bytes: number) => `${Math.max(1, Math.round(bytes / 1024))} KB`;
