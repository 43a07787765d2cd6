// What the server process and its phone workers say to each other over the IPC channel (serialization 'advanced':
// Maps, Dates and Buffers arrive as they were sent).
import type { SecureContextOptions } from 'node:tls';
import type { Settings } from '../../shared/settings.js';
import type { CatalogSnapshot } from '../app/catalog.js';
import type { AccessLogFields } from '../domain/w3c-format.js';
import type { PhoneInventory } from '../http/phone-handler.js';
import type { CapturedRequest } from '../infra/logs/capture-log.js';

export type Listener = 'http' | 'https';

/** A snapshot without its cache of answers (each worker keeps its own). */
export type WireSnapshot = Omit<CatalogSnapshot, 'answers'>;

export type ToWorker =
  /** `settings`: the listeners' (timeouts), as the server process read them at start. */
  | { t: 'start'; settings: Settings; tls: SecureContextOptions; snapshot: WireSnapshot; snapshotId: number }
  /** A phone's connection, sent with its socket: the server process accepted and counted it. */
  | { t: 'connection'; listener: Listener; ip: string }
  | { t: 'snapshot'; snapshot: WireSnapshot; snapshotId: number }
  | { t: 'reply'; id: number; value?: unknown; error?: string }
  /** A batch was written: the worker may send another. */
  | { t: 'ack' }
  | { t: 'stop' };

/** What a worker's phones produced since its last batch, for the server process to write. */
export interface Batch {
  t: 'batch';
  audit: string[];
  access: [line: string, fields: AccessLogFields][];
  captures: CapturedRequest[];
  checks: Parameters<PhoneInventory['check']>[];
  downloads: Parameters<PhoneInventory['download']>[];
  /** Lines and observations the worker could not keep while the server process was behind. */
  droppedLines: number;
  droppedObservations: number;
  /** Connections that closed, for the server process's counts (ConnectionGate). */
  closed: [listener: Listener, ip: string][];
}

export type RemoteCall = 'blobFile' | 'judgeLog' | 'receiveLog';

export type FromWorker =
  /** Loaded and listening for messages (one sent before would be lost). */
  | { t: 'ready' }
  | { t: 'failed'; message: string }
  | { t: 'synced'; snapshotId: number }
  | Batch
  | { t: 'call'; id: number; fn: RemoteCall; args: unknown[] }
  /** A line of the worker's app log (pino JSON). */
  | { t: 'log'; line: string };
