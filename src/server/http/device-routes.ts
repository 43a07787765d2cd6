// The device inventory's admin API: GET /api/devices (filters, search, sort, paging, counts by state) and
// GET /api/devices/:id. Mounted by admin-routes.ts behind its authentication; read-only.
import express, { type Router } from 'express';
import type { z } from 'zod';
import { deviceId, deviceQuery } from '../../shared/inventory-api.js';
import { deviceHistory } from '../app/device-history.js';
import { getDevice, listDevices } from '../app/inventory.js';
import type { Store } from '../app/store.js';

/** admin-routes' input parser (schema errors become the invalid_input envelope). */
type Parse = <T extends z.ZodType>(schema: T, value: unknown) => z.infer<T>;

export function deviceRoutes(store: Store, parse: Parse): Router {
  const api = express.Router();
  api.get('/devices', (req, res) => void res.json(listDevices(store, parse(deviceQuery, req.query))));
  api.get('/devices/:id', (req, res) => void res.json(getDevice(store, parse(deviceId, req.params.id))));
  api.get('/devices/:id/history', async (req, res) => void res.json(await deviceHistory(store, parse(deviceId, req.params.id))));
  return api;
}
