// The admin API under /api: thin routes that validate input with the shared schemas and call one use case each.
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import {
  exchangeInput,
  explainInput,
  historyQuery,
  preflightQuery,
  purgeInput,
  ruleAction,
  ruleActionInput,
  settingsInput,
  signInInput,
  testDeviceInput,
  type ServerStatusDto,
  type SessionInfo,
} from '../../shared/admin-api.js';
import { redactSettings } from '../../shared/settings.js';
import { signIn, signOut } from '../app/admin-auth.js';
import { AppError, parseInput } from '../app/app-error.js';
import type { Catalog } from '../app/catalog.js';
import { explainPhone, givenConnection, listenerConnection } from '../app/explain.js';
import type { ImportJobs } from '../app/import-jobs.js';
import { interimOverview } from '../app/interim-overview.js';
import type { LocalAccess } from '../app/local-access.js';
import { runPreflight } from '../app/preflight.js';
import { applyPurge, previewPurge } from '../app/purge.js';
import { applyRuleAction, previewRuleAction } from '../app/rule-actions.js';
import { SignInThrottle } from '../app/sign-in-throttle.js';
import { updateSettings } from '../app/settings.js';
import type { Store } from '../app/store.js';
import { StoreUnavailable } from '../app/store-contract.js';
import { addTestDevice, removeTestDevice, updateTestDevice } from '../app/test-devices.js';
import { identify, requireCaller, requireOwnSession, SESSION_COOKIE } from './admin-auth.js';
import { fromThisMachine, remote } from './admin-guard.js';
import { deviceRoutes } from './device-routes.js';
import { receiveUpload } from './upload.js';

export interface AdminRoutesDeps {
  store: Store;
  catalog: Catalog;
  local: LocalAccess;
  jobs: ImportJobs;
  /** The running server's version and URLs; undefined while its listeners are still starting. */
  status: () => Omit<ServerStatusDto, 'store'> | undefined;
  /** Phone observations waiting for the inventory, and dropped since the start. */
  inventory: () => { waiting: number; dropped: number };
}

const parse = parseInput;

const actor = (req: Request) => req.caller!.username;
const idParam = (req: Request) => parse(ruleActionInput.shape.ids.element, Number(req.params.id));

export function adminRoutes({ store, catalog, local, jobs, status, inventory }: AdminRoutesDeps): Router {
  const api = express.Router();
  const json = express.json({ limit: '1mb' });
  api.use(identify(store, local));

  api.get('/health', (_req, res) => void res.json({ ok: true }));

  // ---- sessions ----
  const startSession = (req: Request, res: Response, token: string, s: SessionInfo, maxAgeS: number) => {
    const secure = remote(req).https ? '; Secure' : '';
    res.setHeader('Set-Cookie', `${SESSION_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${maxAgeS}${secure}`);
    res.json(s satisfies SessionInfo);
  };
  const throttle = new SignInThrottle(store.engine);
  api.post('/session', json, async (req, res) => {
    const { username, password } = parse(signInInput, req.body);
    // Counted (in the store: pool-wide) before the password is hashed; only a wrong password leaves the count standing.
    const attempt = await throttle.begin(remote(req).address, username, catalog.current().settings.signInMaxFailures);
    const s = await signIn(store, username, password).catch(async (e: unknown) => {
      // A withdrawal that fails too (the store is gone) leaves the attempt counted: the first error says more.
      if (!(e instanceof AppError && e.code === 'unauthenticated')) await attempt.withdrawn().catch(() => undefined);
      throw e;
    });
    await attempt.succeeded();
    startSession(req, res, s.token, { username: s.username, role: s.role, csrf: s.csrf }, 12 * 3600);
  });
  api.post('/session/exchange', json, (req, res) => {
    const { token } = parse(exchangeInput, req.body);
    if (!fromThisMachine(req)) {
      throw new AppError('unauthenticated', 'One-time sign-in links work only in a browser on the server itself, not through a proxy: sign in with an account.');
    }
    const r = local.exchange(token);
    if (!r) throw new AppError('unauthenticated', 'This sign-in link was already used or has expired: run `ucupdates signin-link` on the server for a new one.');
    startSession(req, res, r.token, r.session, 12 * 3600);
  });
  // `ucupdates signin-link` asks the running server (with its launch token) for a fresh one-time link.
  api.post('/session/link', (req, res) => {
    if (req.caller?.via !== 'launch-token') throw new AppError('forbidden', 'Only this machine\'s ucupdates command can ask for a sign-in link.');
    res.json({ url: `${remote(req).https ? 'https' : 'http'}://${req.headers.host}/#signin=${local.issueLinkToken()}` });
  });
  api.get('/session', requireCaller, (req, res) => {
    const { username, role, csrf } = req.caller!;
    res.json({ username, role, csrf } satisfies SessionInfo);
  });
  api.delete('/session', requireOwnSession, async (req, res) => {
    const token = req.caller!.token;
    if (token) {
      local.signOut(token);
      await signOut(store, token);
    }
    res.setHeader('Set-Cookie', `${SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0`);
    res.status(204).end();
  });

  api.use(requireCaller);
  api.use(deviceRoutes(store, parse));

  api.get('/status', async (_req, res) => {
    const s = status();
    if (!s) throw new AppError('busy', 'The server is still starting.');
    const problem = await store.engine.ping().then(
      () => null,
      (e: unknown) => (e instanceof StoreUnavailable ? e.message : String(e)),
    );
    const pool = store.engine.kind === 'postgres' ? store.engine.location : null;
    res.json({ ...s, store: { pool, problem, ...inventory() } } satisfies ServerStatusDto);
  });

  // ---- why a phone does (not) update: a read, so viewers may ask too ----
  api.get('/explain', async (req, res) => {
    const input = parse(explainInput, { ...req.query, external: req.query.external === 'true' });
    const s = status();
    if (!s) throw new AppError('busy', 'The server is still starting.');
    // The URLs a phone the inventory knows was really given, else those of a phone reaching the HTTP listener.
    const reached = (await givenConnection(store, input)) ?? listenerConnection(s.urls.http);
    res.json(explainPhone(catalog.current(), input, reached, store.now()));
  });

  api.get('/preflight', async (req, res) => {
    const s = status();
    if (!s) throw new AppError('busy', 'The server is still starting.');
    res.json(await runPreflight(store, s.urls, parse(preflightQuery, req.query).domain));
  });

  // ---- rules ----
  api.get('/rules', async (_req, res) => void res.json(await store.rules.list()));
  api.get('/interim-images', async (_req, res) => void res.json(await interimOverview(store)));
  api.post('/rules/:action/preview', json, async (req, res) => {
    const action = parse(ruleAction, req.params.action);
    res.json(await previewRuleAction(store, action, parse(ruleActionInput, req.body).ids));
  });
  api.post('/rules/:action', json, async (req, res) => {
    const action = parse(ruleAction, req.params.action);
    res.json(await applyRuleAction(store, action, parse(ruleActionInput, req.body).ids, actor(req)));
  });

  // ---- test devices ----
  api.get('/test-devices', async (_req, res) => void res.json(await store.testDevices.list()));
  api.post('/test-devices', json, async (req, res) => void res.status(201).json(await addTestDevice(store, parse(testDeviceInput, req.body), actor(req))));
  api.put('/test-devices/:id', json, async (req, res) =>
    void res.json(await updateTestDevice(store, idParam(req), parse(testDeviceInput, req.body), actor(req))),
  );
  api.delete('/test-devices/:id', async (req, res) => void res.json(await removeTestDevice(store, idParam(req), actor(req))));

  // ---- settings and history ----
  api.get('/settings', async (_req, res) => void res.json(redactSettings(await store.settings.read())));
  api.put('/settings', json, async (req, res) => void res.json(await updateSettings(store, parse(settingsInput, req.body), actor(req))));
  api.get('/history', async (req, res) => {
    const q = parse(historyQuery, req.query);
    res.json(await store.history.list(q.limit, q.before));
  });

  // ---- packages: upload streams to the staging folder, then imports as a job with progress ----
  api.get('/packages', async (_req, res) => void res.json(await store.packages.list()));
  api.post('/packages', async (req, res) => {
    const fileName = String(req.query.name ?? req.headers['x-file-name'] ?? 'UCUpdates.cab').replace(/[^\w.() -]/g, '_').slice(0, 200);
    const limit = (await store.settings.read()).maxPackageMB * 1024 * 1024;
    const upload = await receiveUpload(req, res, store.paths.stagingDir, limit, `The file is larger than the ${limit / 1048576} MB limit (setting maxPackageMB).`);
    const kind = req.query.interim === '1' ? 'interim' : 'package';
    res.status(202).json(jobs.start(upload, fileName, actor(req), { kind, removeWhenDone: true }));
  });
  // ---- purge: packages no rule can offer any more ----
  api.get('/purge', async (_req, res) => void res.json(await previewPurge(store)));
  api.post('/purge', json, async (req, res) => void res.json(await applyPurge(store, parse(purgeInput, req.body).ids, actor(req))));

  api.get('/imports', (_req, res) => void res.json(jobs.list()));
  api.get('/imports/:id', (req, res) => {
    const job = jobs.get(String(req.params.id));
    if (!job) throw new AppError('not_found', 'No such import.');
    res.json(job);
  });

  api.use((_req: Request, _res: Response, next: NextFunction) => next(new AppError('not_found', 'No such API operation.')));
  return api;
}
