// A small file written whole or not at all: on a full disk a half-written server.json or key would be read back later
// as garbage, so a failed write removes what it left.
import { rmSync, writeFileSync } from 'node:fs';

export function writeSmallFile(file: string, data: string, mode = 0o644): void {
  try {
    writeFileSync(file, data, { mode });
  } catch (e) {
    rmSync(file, { force: true });
    throw e;
  }
}
