// Electron's main process: start the update server in-process, open the console in a window. Nothing else.
import { app, BrowserWindow, dialog, shell } from 'electron';
import { startServer, type RunningServer } from '../server/compose.js';
import { resolveDataDir } from '../server/infra/data-dir.js';
import { desktopServerOptions, isConsoleUrl, windowTitle } from './desktop.js';

let server: RunningServer | undefined;

async function open(): Promise<void> {
  server = await startServer(desktopServerOptions(resolveDataDir(undefined)));
  const { admin } = server.urls;
  const win = new BrowserWindow({ width: 1280, height: 800, title: windowTitle(server.urls), webPreferences: { sandbox: true, contextIsolation: true } });
  win.webContents.setWindowOpenHandler(({ url }) => {
    void shell.openExternal(url);
    return { action: 'deny' };
  });
  win.webContents.on('will-navigate', (e, url) => {
    if (!isConsoleUrl(url, admin)) e.preventDefault();
  });
  await win.loadURL(server.signInLink());
}

if (!app.requestSingleInstanceLock()) app.quit();
app.whenReady().then(open, (e: Error) => {
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
