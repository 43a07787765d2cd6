// Where each log lives under Logs/, as OCS laid them out: read by the phone path's writers and by the device history.
import { join } from 'node:path';

export const logFolders = (logDir: string) => ({
  audit: join(logDir, 'Server', 'Audit', 'imageUpdates'),
  access: join(logDir, 'Server', 'Access'),
  capture: join(logDir, 'Capture'),
});
