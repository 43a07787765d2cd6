// The inventory judged against today's rules: each phone's due offer (what its next check would be told) is set by
// each check (the answer given) and judged again here whenever the decision's inputs change — by whichever process
// changes them, in the same transaction (Store.write), so the states are true at every moment and stay index ranges.
// The phone path's own decision runs once per distinct situation (model, locale, reported modules, test device), and
// the phones of each situation are updated together.
import type { DeviceRequest } from '../domain/device.js';
import { blockerOf, parseModuleList, type Blocker } from '../domain/device-state.js';
import { buildSnapshot, type CatalogSnapshot } from './catalog.js';
import type { DeviceSituation, Repos, TxOptions } from './store-contract.js';
import type { Store } from './store.js';
import { decisionFor } from './update-check.js';

/**
 * Judges the phones again on the store's current rules, inside the caller's write transaction; returns how many due
 * offers changed. Without `only` it does nothing when the inputs are those last judged (most writes: sign-ins,
 * settings the decision does not read), and records them after. With `only` (identities: checks answered on an older
 * snapshot, an audit import's phones), it judges those phones whatever was judged before.
 */
export async function judgeInventory(tx: Repos, only?: readonly string[]): Promise<number> {
  const snap = await buildSnapshot(tx);
  if (!only && (await tx.devices.judgedInputs()) === snap.judgedAs) return 0;
  let changed = 0;
  for (const s of await tx.devices.situations(only)) changed += await tx.devices.setDue(s, dueOffer(snap, s), only);
  if (!only) await tx.devices.setJudgedInputs(snap.judgedAs);
  return changed;
}

/**
 * judgeInventory() in a transaction of its own: after every admin change (Store.write), at a server's start (rows
 * migrated, or changed while it was stopped) and after its catalog follows another process's or node's change (in
 * case that one stopped before judging). `wait: 'unless-blocking'` (the background case): a SQLite store busy with
 * another process's write is left to it rather than held up on the event loop.
 */
export function judgeInventoryNow(store: Pick<Store, 'engine'>, wait: TxOptions['wait'] = true): Promise<number> {
  return store.engine.transaction((tx) => judgeInventory(tx), { wait });
}

/** What the phone path would offer a phone in this situation (lower-cased folder, like the stored offer), or what
 * blocks it (null: nothing is due, and nothing blocks). */
function dueOffer(snap: CatalogSnapshot, s: DeviceSituation): { version: string; folder: string } | { blocker: Blocker | null } {
  const request: DeviceRequest = {
    deviceType: s.deviceType,
    vendor: s.vendor,
    model: s.model,
    revision: s.revision,
    locale: s.locale,
    mac: '',
    macRaw: '',
    serial: '',
    userName: '',
    requestTime: '',
    modules: parseModuleList(s.modules),
  };
  // Only whether it is a test device matters to the decision (the name and the match are for its trace).
  const decision = decisionFor(snap, request, s.test ? { name: '', matchedBy: 'mac' } : null);
  const offer = decision.offers[0];
  return offer ? { version: offer.version, folder: offer.folder.toLowerCase() } : { blocker: blockerOf(decision) };
}
