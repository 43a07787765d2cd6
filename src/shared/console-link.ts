// Deep links into the console (`#/settings/logs`, `#/packages/purge`): the desktop menu opens a view with them, and an
// admin can bookmark or share one. The hash never reaches the server.

export const CONSOLE_VIEWS = ['pending', 'approved', 'packages', 'test-devices', 'devices', 'dashboard', 'troubleshoot', 'settings', 'activity'] as const;
export type ConsoleView = (typeof CONSOLE_VIEWS)[number];

export interface ConsoleLink {
  view: ConsoleView;
  /** A part of the view to open: a settings group (`logs`), or a dialog (`purge` on Packages). */
  part?: string;
}

export function formatConsoleLink(link: ConsoleLink): string {
  return `#/${link.view}${link.part ? `/${encodeURIComponent(link.part)}` : ''}`;
}

/** Reads `#/view[/part]`; anything else (no hash, `#signin=…`, an unknown view) is not a link. */
export function parseConsoleLink(hash: string): ConsoleLink | undefined {
  const m = /^#\/([a-z-]+)(?:\/([^/]+))?$/.exec(hash);
  const view = CONSOLE_VIEWS.find((v) => v === m?.[1]);
  if (!view) return undefined;
  return m![2] ? { view, part: decodeURIComponent(m![2]) } : { view };
}
