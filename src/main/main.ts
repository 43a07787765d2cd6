// Electron's main process: start the update server in-process (or connect to a remote one), open the console in a
// window, offer the menu. Nothing else: the decisions live in desktop.ts and menu.ts, tested without Electron.
import { app, BrowserWindow, dialog, Menu, shell } from 'electron';
import { startServer, type RunningServer } from '../server/compose.js';
import { resolveDataDir } from '../server/infra/data-dir.js';
import { APP_VERSION } from '../server/version.js';
import { formatConsoleLink, type ConsoleLink } from '../shared/console-link.js';
import { desktopMode, desktopServerOptions, isConsoleUrl, windowTitle } from './desktop.js';
import { aboutText, menuTemplate, type MenuActions } from './menu.js';

let server: RunningServer | undefined;

function window(consoleUrl: string, title: string): BrowserWindow {
  const win = new BrowserWindow({ width: 1280, height: 800, title, webPreferences: { sandbox: true, contextIsolation: true } });
  win.webContents.setWindowOpenHandler(({ url }) => {
    void shell.openExternal(url);
    return { action: 'deny' };
  });
  win.webContents.on('will-navigate', (e, url) => {
    if (!isConsoleUrl(url, consoleUrl)) e.preventDefault();
  });
  return win;
}

/** Same-document navigation: the console follows the hash without reloading. */
const showIn = (win: BrowserWindow, consoleUrl: string) => (link: ConsoleLink) => void win.loadURL(consoleUrl + formatConsoleLink(link));

async function open(): Promise<void> {
  const mode = desktopMode(process.argv);
  if (mode.kind === 'remote') {
    const win = window(mode.url, `ucupdates: ${mode.url}`);
    const about = () => void dialog.showMessageBox(win, { title: 'About ucupdates', message: `ucupdates ${APP_VERSION}\n\nConsole of ${mode.url}` });
    const none = () => undefined;
    const actions: MenuActions = { uploadPackage: none, openInBrowser: none, openLogFolder: none, openDataFolder: none, reload: () => win.webContents.reload(), show: showIn(win, mode.url), about, quit: () => app.quit() };
    Menu.setApplicationMenu(Menu.buildFromTemplate(menuTemplate(actions, process.platform, false)));
    return win.loadURL(mode.url);
  }
  const dataDir = resolveDataDir(undefined);
  const s = (server = await startServer(desktopServerOptions(dataDir)));
  const win = window(s.urls.admin, windowTitle(s.urls));
  Menu.setApplicationMenu(
    Menu.buildFromTemplate(
      menuTemplate({
        async uploadPackage() {
          const r = await dialog.showOpenDialog(win, { properties: ['openFile'], filters: [{ name: 'Update packages', extensions: ['cab', 'exe'] }] });
          const file = r.filePaths[0];
          if (file) s.jobs.start(file, file.split(/[\\/]/).pop()!, 'desktop', { kind: 'package', removeWhenDone: false });
        },
        openInBrowser: () => void shell.openExternal(s.signInLink()),
        openLogFolder: () => void shell.openPath(s.store.paths.logDir),
        openDataFolder: () => void shell.openPath(dataDir),
        reload: () => win.webContents.reload(),
        show: showIn(win, s.urls.admin),
        about: () => void dialog.showMessageBox(win, { title: 'About ucupdates', message: aboutText(APP_VERSION, s.urls, dataDir) }),
        quit: () => app.quit(),
      }),
    ),
  );
  await win.loadURL(s.signInLink());
}

if (!app.requestSingleInstanceLock()) app.quit();
app.whenReady().then(open).catch((e: Error) => {
  dialog.showErrorBox('ucupdates could not start', e.message);
  app.exit(1);
});
app.on('window-all-closed', () => app.quit());
app.on('will-quit', (e) => {
  if (!server) return;
  e.preventDefault();
  const s = server;
  server = undefined;
  void s.close().finally(() => app.exit(0));
});
