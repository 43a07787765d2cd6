// How values read in the console: times in the admin's locale, absent versions as a dash.
const time = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function formatTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : time.format(d);
}

export const formatVersion = (v: string | null | undefined): string => v ?? '—';

/** "1 update", "3 updates". */
export const count = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;
