// The inventory judged again when the rules change (app/inventory-judge.ts): 100,000 phones of four models and twenty
// firmware versions each (80 situations, and 200 test devices), judged after an approval moves most of them to
// "behind". Ours: the group re-judging the phone path never waits for,
// timed in its transaction, median of 5 rounds. Baselines in the same run: the same re-judging done phone by phone
// (the phone path's decision and one UPDATE per phone, in one transaction), and the one-second budget.
//   node --import tsx bench/judge.ts
import { join } from 'node:path';
import { Store } from '../src/server/app/store.js';
import type { Repos } from '../src/server/app/store-contract.js';
import type { SqliteEngine } from '../src/server/infra/db/engine.js';
import { buildSnapshot } from '../src/server/app/catalog.js';
import { judgeInventory } from '../src/server/app/inventory-judge.js';
import { applyRuleAction } from '../src/server/app/rule-actions.js';
import { decisionFor, matchTestDevice } from '../src/server/app/update-check.js';
import { applyCheck, deviceIdentity, parseModuleList, phaseOf, phaseSince, type DeviceRecord } from '../src/server/domain/device-state.js';
import type { DeviceRequest } from '../src/server/domain/device.js';
import { multiDevicePackage } from '../test/fixtures/cabs.js';
import { fmt, heading, median, ratioRow, removeTempDir, report, runMain, tempDir } from './lib/harness.js';
import { addTestDevices, importInto, macOf } from './lib/setup.js';

const PHONES = 100_000;
const ROUNDS = 5;
const KINDS = [['Polycom', 'CX600', 'ENU'], ['Polycom', 'CX700', 'ENU'], ['Polycom', 'CX700', 'DEU'], ['LG-Nortel', 'IP8540', 'ENU']] as const;

async function main(): Promise<void> {
  const tmp = tempDir('judge');
  const store = new Store(join(tmp, 'data'));
  try {
    heading('judge: setup');
    await importInto(store, await multiDevicePackage(join(tmp, 'cabs')));
    await addTestDevices(store, Array.from({ length: 200 }, (_, i) => ({ name: `lab ${i}`, mac: macOf(i * 500) })));
    await fill(store);
    const rules = (await store.rules.list()).map((r) => r.id);
    console.log(`  ${fmt(PHONES)} phones, ${(await store.devices.situations()).length} situations`);

    heading(`judge: ${ROUNDS} rounds, each judged by group, then phone by phone`);
    // The approval, judged as Store.write does it; then each round forgets the due offers (as if the rules had just
    // changed) and times the same judging alone, by group and phone by phone, each in its own transaction.
    await applyRuleAction(store, 'approve', rules, 'bench');
    const forget = async () => {
      sql(store).prepare("UPDATE devices SET due_version = NULL, due_folder = NULL, phase = 'current'").run();
      await store.devices.setJudgedInputs('');
    };
    const ours: number[] = [];
    const naive: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      await forget();
      let changed = 0;
      ours.push(await timed(store, async (tx) => (changed = await judgeInventory(tx))));
      await forget();
      naive.push(await timed(store, (tx) => phoneByPhone(store, tx)));
      console.log(`  round ${round + 1}: ${fmt(changed)} phones changed; by group ${ours.at(-1)!.toFixed(0)} ms, phone by phone ${naive.at(-1)!.toFixed(0)} ms`);
    }
    report([
      ratioRow('judge', `ms to judge ${fmt(PHONES)} phones again, by group vs phone by phone`, median(ours), median(naive), 'ms', { op: '<=', value: 0.5 }, `medians of ${ours.length}`),
      ratioRow('judge', `ms to judge ${fmt(PHONES)} phones again, vs the 1 s budget`, median(ours), 1000, 'ms', { op: '<=', value: 0.5 }),
    ]);
  } finally {
    await store.close();
    removeTempDir(tmp);
  }
}

const sql = (store: Store) => (store.engine as SqliteEngine).db;

/** Milliseconds fn takes in a write transaction of its own. */
async function timed(store: Store, fn: (tx: Repos) => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await store.engine.transaction(fn, { wait: true });
  return performance.now() - t0;
}

/** The baseline: every phone read, decided on its own and written on its own (its due offer and phase). */
async function phoneByPhone(store: Store, tx: Repos): Promise<void> {
  const snap = await buildSnapshot(tx);
  const update = sql(store).prepare('UPDATE devices SET due_version = ?, due_folder = ?, phase = ?, phase_since = ? WHERE identity = ?');
  for (const r of sql(store).prepare(`SELECT ${ALL} FROM devices`).all() as DeviceRecord[]) {
    const request: DeviceRequest = { ...r, macRaw: r.mac, requestTime: '', modules: parseModuleList(r.modules!) };
    const offer = decisionFor(snap, request, matchTestDevice(snap, request)).offers[0];
    const judged = { ...r, dueVersion: offer?.version ?? null, dueFolder: offer?.folder.toLowerCase() ?? null };
    update.run(judged.dueVersion, judged.dueFolder, phaseOf(judged), phaseSince(judged), r.identity);
  }
}
const ALL = `identity, mac, serial, device_type AS deviceType, vendor, model, revision, locale, version, user_name AS userName, address,
  first_seen AS firstSeen, last_seen AS lastSeen, offered_version AS offeredVersion, offered_folder AS offeredFolder, offered_at AS offeredAt,
  downloaded_at AS downloadedAt, updated_at AS updatedAt, modules, due_version AS dueVersion, due_folder AS dueFolder`;

function fill(store: Store): Promise<void> {
  const at = new Date().toISOString();
  const changes = function* () {
    for (let n = 0; n < PHONES; n++) {
      const [vendor, model, locale] = KINDS[n % KINDS.length]!;
      const version = `4.0.7577.${4000 + (Math.floor(n / KINDS.length) % 20)}`;
      const request: DeviceRequest = {
        deviceType: 'UCPhone', vendor, model, revision: 'A', locale, mac: macOf(n), macRaw: macOf(n), serial: '', userName: '', requestTime: '',
        modules: [{ fileName: 'cpe.nbt', version, timestamp: '01-01-1601 00:00:00' }],
      };
      yield { before: undefined, after: applyCheck(undefined, deviceIdentity(request)!, { at, address: '10.0.0.1', request, version, offer: null }) };
    }
  };
  return store.engine.transaction((tx) => tx.devices.write(changes()), { wait: true });
}

runMain(main, 300_000, 'judge');
