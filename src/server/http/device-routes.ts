// The device inventory's admin API: GET /api/devices (filters, search, sort, paging, counts by state), its CSV
// export, GET /api/devices/:id and the phone's history and logs, GET /api/dashboard, and POST /api/audit-logs (an old
// server's audit log imported into the inventory). Mounted by admin-routes.ts behind its authentication (changes
// need the admin role).
import { rm } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import express, { type Router } from 'express';
import { z } from 'zod';
import { deviceId, deviceQuery } from '../../shared/inventory-api.js';
import { AppError } from '../app/app-error.js';
import { importAuditLog } from '../app/audit-import.js';
import { deviceHistory } from '../app/device-history.js';
import { deviceLogFile, deviceLogsOf } from '../app/device-logs.js';
import { dashboard, devicesCsv, getDevice, listDevices } from '../app/inventory.js';
import type { Store } from '../app/store.js';
import { receiveUpload } from './upload.js';

/** admin-routes' input parser (schema errors become the invalid_input envelope). */
type Parse = <T extends z.ZodType>(schema: T, value: unknown) => z.infer<T>;

const exportQuery = deviceQuery.omit({ limit: true, offset: true });
/** The uploaded file's own name: its date (_ddMMyyyy.log) tells day from month. */
const auditLogName = z.string().trim().min(1).max(200);
/** A day's audit log of a large fleet is some hundreds of MB. */
const MAX_AUDIT_LOG_BYTES = 1024 ** 3;

export function deviceRoutes(store: Store, parse: Parse): Router {
  const api = express.Router();
  api.get('/devices', async (req, res) => void res.json(await listDevices(store, parse(deviceQuery, req.query))));
  // Before /devices/:id, which would take "export.csv" for an id.
  api.get('/devices/export.csv', async (req, res) => {
    const csv = devicesCsv(store, parse(exportQuery, req.query));
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="ucupdates-devices-${store.now().toISOString().slice(0, 10)}.csv"`);
    // Page by page as the client reads: a large fleet is never one string. A client gone away ends it (no envelope
    // can follow a started body).
    await pipeline(Readable.from(csv, { objectMode: false }), res).catch(() => res.destroy());
  });
  api.get('/devices/:id', async (req, res) => void res.json(await getDevice(store, parse(deviceId, req.params.id))));
  api.get('/devices/:id/history', async (req, res) => void res.json(await deviceHistory(store, parse(deviceId, req.params.id))));
  api.get('/devices/:id/logs', async (req, res) => void res.json(await deviceLogsOf(store, parse(deviceId, req.params.id))));
  api.get('/devices/:id/logs/:logId', async (req, res, next) => {
    const { path, fileName } = await deviceLogFile(store, parse(deviceId, req.params.id), parse(deviceId, req.params.logId));
    // Always a download, never shown inline: the content is whatever the phone sent.
    res.download(path, fileName, { dotfiles: 'allow', headers: { 'X-Content-Type-Options': 'nosniff' } }, (err) => {
      if (err && !res.headersSent) next(new AppError('not_found', store.engine.kind === 'postgres'
        ? 'The log file is not on this server: each server of a pool keeps the logs phones sent it (open the console of the server that received it), or it was deleted after its retention time.'
        : 'The log file is gone: it was deleted after its retention time.'));
    });
  });
  api.get('/dashboard', async (_req, res) => void res.json(await dashboard(store)));
  api.post('/audit-logs', async (req, res) => {
    const name = parse(auditLogName, req.query.name).split(/[\\/]/).pop()!;
    const upload = await receiveUpload(req, res, store.paths.stagingDir, MAX_AUDIT_LOG_BYTES, 'The audit log is larger than 1 GB: import it with `ucupdates import-audit`.');
    let result;
    try {
      result = await importAuditLog(store, upload, name, req.caller!.username);
    } finally {
      await rm(upload, { force: true }); // before the answer: a client that got it finds the staging folder clean
    }
    res.json(result);
  });
  return api;
}
