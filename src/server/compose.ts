// Wires the server: store -> catalog -> use cases -> HTTP listeners. The CLI's `serve` and the desktop shell
// both call startServer(); nothing else builds these parts.
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import express from 'express';
import type { Logger } from 'pino';
import type { Settings } from '../shared/settings.js';
import type { LogUpload } from './domain/device-log.js';
import { Catalog } from './app/catalog.js';
import { ImportJobs } from './app/import-jobs.js';
import { judgeInventory, judgeInventoryNow } from './app/inventory-judge.js';
import { InventoryRecorder } from './app/inventory-recorder.js';
import { LocalAccess } from './app/local-access.js';
import { recoverAfterCrash } from './app/crash-recovery.js';
import { forgetDeletedLogs, judgeLogSender, logReceiver, pruneDeviceLogs } from './app/device-logs.js';
import { ImagePrefetch } from './app/image-prefetch.js';
import { openStore, type Store } from './app/store.js';
import { adminGuard } from './http/admin-guard.js';
import { adminRoutes } from './http/admin-routes.js';
import { errorMiddleware } from './http/error-middleware.js';
import { createPhoneHandler } from './http/phone-handler.js';
import { closeServer, listen } from './http/listen.js';
import { phoneLogLines } from './http/phone-log-lines.js';
import { openPhoneListeners } from './http/phone-listener.js';
import { createAppLog } from './infra/app-log.js';
import { lockDataFolder } from './infra/data-lock.js';
import { removeRunFile, writeRunFile } from './infra/run-file.js';
import { sevenZipBinary } from './infra/seven-zip.js';
import { inWords } from './infra/storage-problem.js';
import { loadTls } from './infra/tls.js';
import { openPhoneLogs } from './phone-logs.js';
import { PhoneWorkers } from './phone-workers/phone-workers.js';
import { APP_VERSION } from './version.js';

export interface ServerOptions {
  dataDir: string;
  /** A pool's PostgreSQL URL: the store is shared with the pool's other nodes; the data folder keeps this node's logs
   * and image cache. Without it, the embedded SQLite store in the data folder. */
  pool?: string;
  /** Overrides the stored settings for this run only (command-line flags, tests). */
  overrides?: Partial<Pick<Settings, 'httpPort' | 'httpsPort' | 'adminPort' | 'adminHost' | 'adminTls'>>;
  log?: Logger;
  /** The console build to serve at /; defaults to dist/renderer when it exists. */
  consoleDir?: string;
  /** The time seen by the phone path, the store and the inventory's states (tests move it forward). */
  clock?: () => Date;
  /** Processes that answer phones, sharing the phone ports (phone-workers/); 0: this process answers them. */
  phoneWorkers?: number;
}

export interface RunningServer {
  store: Store;
  local: LocalAccess;
  jobs: ImportJobs;
  urls: { http: string; https: string; admin: string };
  /** A one-time sign-in link for the console (loopback only). */
  signInLink(): string;
  close(): Promise<void>;
}

const DEFAULT_CONSOLE_DIR = fileURLToPath(new URL('../../dist/renderer', import.meta.url));

export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const log = opts.log ?? createAppLog();
  const closers: (() => Promise<void> | void)[] = [];
  try {
    // Before the store opens: a refused server changes nothing, not even the schema (a newer version's migrations).
    const lock = lockDataFolder(opts.dataDir);
    closers.push(() => lock.release()); // last, after the store closes
    const store = await openStore(opts.dataDir, { pool: opts.pool, clock: opts.clock });
    closers.unshift(() => store.close());
    await store.check();
    await recoverAfterCrash(store, log);
    await judgeInventoryNow(store); // the rules may have changed while no server ran (the CLI), or rows come from before migration 6
    const sevenZip = sevenZipBinary();
    log.info({ sevenZip: sevenZip.path }, `Packages are unpacked with ${sevenZip.origin}.`);
    const settings = { ...(await store.settings.read()), ...opts.overrides };
    const catalog = await Catalog.load(store, (err) => log.error({ err }, 'cannot read the store: phones are answered from the rules last read'));
    closers.unshift(() => catalog.close());
    // Another process or node changed the rules: if it stopped before judging the inventory, this server does (its own
    // changes are judged by Store.write).
    const judgeOthers = store.engine.onExternalChange(() => void judgeInventoryNow(store, 'unless-blocking').catch((err: unknown) => (err as { code?: string }).code === 'STORE_BUSY' || log.warn({ err }, 'cannot judge the device inventory yet')));
    closers.unshift(judgeOthers);
    if (store.engine.kind === 'postgres') {
      // A pool node keeps a verified copy of every image it may serve, fetched as soon as any node imports one.
      const prefetch = new ImagePrefetch(store.blobs, () => catalog.current(), (err) => log.warn({ err }, 'cannot fetch images from the pool yet: phones that ask first wait for them'));
      catalog.onRefresh(() => void prefetch.run());
      void prefetch.run();
      closers.unshift(() => prefetch.close());
    }
    const local = new LocalAccess();
    const jobs = new ImportJobs(store);
    const logs = await openPhoneLogs(store.paths.logDir, () => catalog.current().settings, log, APP_VERSION, {
      clock: opts.clock,
      onDeleted: (paths) => void forgetDeletedLogs(store, paths).catch((err: unknown) => log.error({ err }, 'cannot forget deleted phone logs')),
    });
    closers.unshift(() => logs.close());
    const inventory = new InventoryRecorder(store.engine, {
      maxDevices: () => catalog.current().settings.inventoryMaxDevices,
      maxBuffered: settings.inventoryMaxWaiting,
      onFull: (max) => log.warn(`The device inventory is full (${max} phones): phones seen once make room for new ones, else new phones are not recorded.`),
      onError: (err) => log.error({ err }, 'cannot write the device inventory'),
      rejudge: (tx, identities) => judgeInventory(tx, identities),
    });
    closers.unshift(() => inventory.close()); // after the listeners close, before the store does
    const receiveLog = logReceiver(store, logs.budget, () => log.error('The disk is full: phone log uploads are refused until there is room.'));
    const judgeLog = (upload: LogUpload, declaredBytes: number) => judgeLogSender(store, upload, declaredBytes);
    // Phone logs past their retention go at start and every six hours.
    const prune = () => void pruneDeviceLogs(store, logs.budget).catch((err: unknown) => log.error({ err }, 'cannot delete old phone logs'));
    prune();
    const pruning = setInterval(prune, 6 * 3600_000).unref();
    closers.unshift(() => clearInterval(pruning));

    const tls = await loadTls(settings, store.paths.tlsDir);
    if (tls.warning) log.warn(tls.warning);
    const blobFile = (sha: string) => store.blobs.local(sha);
    const trustedProxies = () => catalog.current().settings.trustedProxies;
    let phones: { http: number; https: number };
    let workers: PhoneWorkers | undefined;
    if (opts.phoneWorkers) {
      if (opts.clock) throw new Error('Phone workers answer phones on the real clock: a server with another clock cannot have them.');
      workers = await PhoneWorkers.start({ count: opts.phoneWorkers, settings, tls: tls.options, catalog, sink: logs.sink, inventory, trustedProxies, blobFile, receiveLog, judgeLog, log });
      phones = workers;
      closers.unshift(() => workers!.close());
      // An admin change is answered once every worker answers phones on it.
      closers.unshift(store.onChange(() => workers!.synced()));
    } else {
      const phone = createPhoneHandler({ catalog, blobFile, logs: phoneLogLines(logs.sink, () => catalog.current().settings), inventory, receiveLog, judgeLog, log, clock: opts.clock });
      const listeners = await openPhoneListeners(phone, { settings, tls: tls.options, trustedProxies, log });
      phones = listeners;
      closers.unshift(() => listeners.close());
    }

    const startedAt = new Date().toISOString();
    let urls: RunningServer['urls'] | undefined;
    const app = express();
    app.disable('x-powered-by');
    app.set('trust proxy', false); // the guard alone decides which forwarded headers to believe
    app.use(adminGuard({ trustedProxies: settings.adminTrustedProxies, allowedHosts: settings.adminAllowedHosts, listenHost: settings.adminHost }));
    app.use('/api', adminRoutes({
        store,
        catalog,
        local,
        jobs,
        status: () => urls && { version: APP_VERSION, startedAt, urls },
        inventory: () => ({ waiting: inventory.buffered, dropped: inventory.droppedObservations + (workers?.droppedObservations ?? 0) }),
      }),
    );
    app.use('/api', errorMiddleware(log));
    const consoleDir = opts.consoleDir ?? DEFAULT_CONSOLE_DIR;
    if (existsSync(consoleDir)) app.use(express.static(consoleDir, { index: 'index.html' }));
    else app.get('/', (_req, res) => void res.type('text/plain').send('The ucupdates admin API is running under /api. The console is not built: run `npm run build`.'));
    const adminServer = settings.adminTls ? createHttpsServer(tls.options, app) : createHttpServer(app);
    const adminPort = await listen(adminServer, settings.adminPort, settings.adminHost, log, 'admin console');
    closers.unshift(() => closeServer(adminServer));
    if (!/^(127\.|::1$|localhost$)/.test(settings.adminHost)) {
      const plain = settings.adminTls ? '' : '; passwords cross the network in clear text unless adminTls is on or an HTTPS proxy stands in front';
      log.warn(`The admin console listens on ${settings.adminHost}, reachable from the network: it always requires signing in${plain}.`);
    }

    const adminHost = settings.adminHost.includes(':') ? `[${settings.adminHost}]` : settings.adminHost;
    urls = {
      http: `http://localhost:${phones.http}`,
      https: `https://localhost:${phones.https}`,
      admin: `${settings.adminTls ? 'https' : 'http'}://${adminHost === '0.0.0.0' || adminHost === '[::]' ? '127.0.0.1' : adminHost}:${adminPort}`,
    };
    const run = { pid: process.pid, adminUrl: urls.admin, launchToken: local.launchToken };
    writeRunFile(store.paths.runFile, run);
    closers.unshift(() => removeRunFile(store.paths.runFile, run));
    log.info({ urls, tls: tls.source, dataDir: opts.dataDir }, 'ucupdates is serving');
    return {
      store,
      local,
      jobs,
      urls,
      signInLink: () => `${urls.admin.replace(/\/\/[^:]+:/, '//127.0.0.1:')}/#signin=${local.issueLinkToken()}`,
      async close() {
        await jobs.idle();
        for (const c of closers) await c();
      },
    };
  } catch (e) {
    for (const c of closers) await c();
    throw inWords(e, opts.dataDir);
  }
}
