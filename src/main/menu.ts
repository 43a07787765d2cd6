// The desktop app's menu, in the Device Updater MMC's spirit. A plain function of the actions it triggers, so it is
// tested without the Electron binary; main.ts supplies the actions.
import type { MenuItemConstructorOptions } from 'electron';
import type { ConsoleLink } from '../shared/console-link.js';

export interface MenuActions {
  uploadPackage(): void;
  openInBrowser(): void;
  openLogFolder(): void;
  openDataFolder(): void;
  reload(): void;
  /** Opens a view of the console in the window (Purge, Log Settings). */
  show(link: ConsoleLink): void;
  about(): void;
  quit(): void;
}

/** With a remote server (`local: false`) the items about this machine's files and folders are left out. */
export function menuTemplate(a: MenuActions, platform: NodeJS.Platform = process.platform, local = true): MenuItemConstructorOptions[] {
  const only = (items: MenuItemConstructorOptions[]) => (local ? items : []);
  return [
    {
      label: 'File',
      submenu: [
        ...only([
          { label: 'Open Console in Browser', click: a.openInBrowser },
          { label: 'Open Data Folder', click: a.openDataFolder },
          { type: 'separator' },
        ]),
        { label: platform === 'darwin' ? 'Quit ucupdates' : 'Exit', accelerator: 'CmdOrCtrl+Q', click: a.quit },
      ],
    },
    {
      label: 'Action',
      submenu: [{ label: 'Refresh', accelerator: 'F5', click: a.reload }],
    },
    {
      label: 'Tools',
      submenu: [
        ...only([{ label: 'Upload .cab File…', accelerator: 'CmdOrCtrl+U', click: a.uploadPackage }]),
        { label: 'Purge…', click: () => a.show({ view: 'packages', part: 'purge' }) },
        { label: 'Log Settings…', click: () => a.show({ view: 'settings', part: 'logs' }) },
        ...only([{ label: 'Log Folder', click: a.openLogFolder }]),
      ],
    },
    { label: 'Help', submenu: [{ label: 'About ucupdates', click: a.about }] },
  ];
}

/** The text of the About box: what runs, and where phones reach it. */
export function aboutText(version: string, urls: { http: string; https: string; admin: string }, dataDir: string): string {
  return [
    `ucupdates ${version}`,
    '',
    `Phones: ${urls.http}/RequestHandler/ucdevice.upx`,
    `        ${urls.https}/RequestHandler/ucdevice.upx`,
    `Console: ${urls.admin}`,
    `Data folder: ${dataDir}`,
  ].join('\n');
}
