// Where each log lives under Logs/, as OCS laid them out: read by the phone path's writers, the device history and the
// phone uploads.
import { join } from 'node:path';

export const logFolders = (logDir: string) => ({
  audit: join(logDir, 'Server', 'Audit', 'imageUpdates'),
  access: join(logDir, 'Server', 'Access'),
  capture: join(logDir, 'Capture'),
  /** Phone uploads, under <Type>/<MAC or serial-…>/ (app/device-logs.ts). */
  client: join(logDir, 'Client'),
});
