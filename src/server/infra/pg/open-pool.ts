// A pool node's engine: the PostgreSQL store with its device inventory, the image cache in the node's data folder
// (<data>/files, where the embedded store keeps its blobs).
import { PgDevicesRepo } from './devices-repo.js';
import { openPgEngine, type PgEngine } from './engine.js';

export function openPool(url: string, dataDir: string): Promise<PgEngine> {
  const written = { batches: 0 };
  return openPgEngine(url, dataDir, (q) => new PgDevicesRepo(q, written));
}
