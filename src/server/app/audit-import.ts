// Fills the inventory from a retiring Lync/OCS server's RequestHandlerAuditLog files, so that it starts full on day
// one. A file is streamed line by line (they reach 25 MB and more); each update check goes through the same state
// machine as the phone path's, in time order, a batch per transaction. Safe against live data and idempotent: a check
// older than the phone's last one only moves its first-seen time back, so importing a file again changes nothing.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { AuditImportDto } from '../../shared/inventory-api.js';
import { parseAuditLine } from '../domain/audit-format.js';
import { auditFileDate, auditObservation, interpretAuditDate, type CalendarDay, type LocalDateTime } from '../domain/audit-reading.js';
import { applyPastCheck, seenDay, type CheckObservation } from '../domain/device-state.js';
import type { DeviceChange } from './store-contract.js';
import { judgeInventory } from './inventory-judge.js';
import { AppError } from './app-error.js';
import type { Store } from './store.js';

/** Checks per transaction: a few milliseconds each, so a running server's phone path barely waits. */
const BATCH = 2_000;
const MAX_LISTED_ERRORS = 100;
/** Unreadable lines after which a file with no readable one is refused without reading the rest. */
const GIVE_UP_AFTER = 1_000;

interface Check {
  identity: string;
  observation: CheckObservation;
}

/** Imports one audit log file; `fileName` (as uploaded) dates its lines when day and month could be swapped. */
export async function importAuditLog(store: Store, path: string, fileName: string, actor: string): Promise<AuditImportDto> {
  const fileDate = auditFileDate(fileName);
  const result: AuditImportDto = { fileName, lines: 0, imported: 0, skipped: 0, errors: [], newDevices: 0 };
  let readable = 0;
  let unreadable = 0;
  const fail = (line: number, message: string) => {
    unreadable++;
    if (result.errors.length < MAX_LISTED_ERRORS) result.errors.push({ line, message });
  };
  let batch: Check[] = [];
  const input = createReadStream(path, { encoding: 'utf8' });
  const opened = new Promise((resolve, reject) => input.once('open', resolve).once('error', reject));
  await opened.catch((e: NodeJS.ErrnoException) => {
    throw new AppError('not_found', `Cannot read ${fileName}: ${e.code === 'ENOENT' ? 'there is no such file' : e.message}.`);
  });
  for await (const text of createInterface({ input, crlfDelay: Infinity })) {
    const n = ++result.lines;
    const line = n === 1 ? text.replace(/^\uFEFF/, '') : text;
    if (/^\s*(Logging DateTime,|$)/.test(line)) {
      result.skipped++;
      continue;
    }
    const read = readLine(line, fileDate);
    if (typeof read === 'string') {
      fail(n, read);
      if (readable === 0 && unreadable >= GIVE_UP_AFTER) break;
      continue;
    }
    readable++;
    if (!read.identity) {
      result.skipped++; // no MAC and no serial number: the phone path does not record such a phone either
      continue;
    }
    batch.push({ identity: read.identity, observation: read.observation });
    if (batch.length >= BATCH) {
      await applyChecks(store, batch, result);
      batch = [];
    }
  }
  if (readable === 0) {
    const first = result.errors[0];
    throw new AppError(
      'invalid_input',
      `${fileName} is not a Lync/OCS request audit log (RequestHandlerAuditLog_*.log): no line of it is an update check${first ? ` (line ${first.line}: ${first.message})` : ''}.`,
    );
  }
  await applyChecks(store, batch, result);
  const { lines, imported, skipped, newDevices } = result;
  return store.write(async () => ({
    result,
    history: { actor, action: 'import-audit-log', target: fileName, details: { lines, imported, skipped, unreadable, newDevices } },
  }));
}

/** A line as the check it records, or why it cannot be read. */
function readLine(line: string, fileDate: CalendarDay | undefined): ReturnType<typeof auditObservation> {
  const parsed = parseAuditLine(line);
  if (!parsed.ok) return parsed.error;
  const when = interpretAuditDate(parsed.record.loggedAt, fileDate);
  return typeof when === 'string' ? `Logging DateTime: ${when}` : auditObservation(parsed.record, localTime(when));
}

/**
 * The log has the writing server's local time and no zone: read as this machine's local time (a retiring server and
 * its successor normally share a zone), as formatAuditLine writes it.
 */
function localTime(t: LocalDateTime): string {
  return new Date(t.year, t.month - 1, t.day, t.hour, t.minute, t.second).toISOString();
}

/** One transaction: the checks in time order (a file is nearly so already), counted into the result and seen_days. */
async function applyChecks(store: Store, checks: Check[], result: AuditImportDto): Promise<void> {
  if (checks.length === 0) return;
  checks.sort((a, b) => (a.observation.at < b.observation.at ? -1 : a.observation.at > b.observation.at ? 1 : 0));
  const seenDays = new Map<string, number>();
  const identities = [...new Set(checks.map((c) => c.identity))];
  await store.engine.transaction(async (tx) => {
      const stored = await tx.devices.findAll(identities);
      const touched = new Map<string, DeviceChange>();
      for (const { identity, observation } of checks) {
        const before = touched.has(identity) ? touched.get(identity)!.before : stored.get(identity);
        const prev = touched.get(identity)?.after ?? before;
        if (!prev) result.newDevices++;
        const { record, applied } = applyPastCheck(prev, identity, observation);
        if (applied) {
          result.imported++;
          const day = seenDay(prev, observation.at);
          if (day) seenDays.set(day, (seenDays.get(day) ?? 0) + 1);
        } else result.skipped++;
        if (record !== prev) touched.set(identity, { before, after: record });
      }
      await tx.devices.write(touched.values(), seenDays);
      // The old server's answers are not ours: its phones are judged on today's rules in the same transaction.
      await judgeInventory(tx, identities);
    },
    { wait: true },
  );
}
