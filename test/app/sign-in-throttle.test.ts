// The sign-in throttle on both engines: a real SQLite file, and a throwaway PostgreSQL cluster (skipped without one).
// Its attempts are kept in the store, so two servers sharing one count the same ones, and a restart forgets nothing.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { AppError } from '../../src/server/app/app-error.js';
import { SignInThrottle } from '../../src/server/app/sign-in-throttle.js';
import { openStore, type Store } from '../../src/server/app/store.js';
import { tempDir } from '../helpers.js';
import { pgMissing, startPgCluster, type PgCluster } from '../pg-cluster.js';

const limited = (pattern: RegExp) => (e: AppError) => e.code === 'rate_limited' && pattern.test(e.message);

let tmp: Awaited<ReturnType<typeof tempDir>>;
let cluster: PgCluster | undefined;
let n = 0;
const skipPg = pgMissing();

before(async () => {
  tmp = await tempDir('ucu-throttle-');
  if (!skipPg) cluster = await startPgCluster();
});
after(async () => {
  cluster?.remove();
  await tmp?.remove();
});

/** Opens a fresh store of the engine (and, for `again`, another store on the same one: a second server). */
interface Engine {
  name: string;
  skip: string | undefined;
  /** Whether servers share it at once (a pool). An embedded store has one server, and the CLI's processes beside it. */
  pool: boolean;
  fresh(): Promise<{ store: Store; again: () => Promise<Store> }>;
}

const engines: Engine[] = [
  {
    name: 'SQLite',
    skip: undefined,
    pool: false,
    fresh: async () => {
      const dir = join(tmp.dir, `sqlite${++n}`);
      return { store: await openStore(dir), again: () => openStore(dir) };
    },
  },
  {
    name: 'PostgreSQL',
    skip: skipPg,
    pool: true,
    fresh: async () => {
      const url = cluster!.createDatabase(`throttle${++n}`);
      const node = () => openStore(join(tmp.dir, `pg${n}-${Math.random().toString(36).slice(2)}`), { pool: url });
      return { store: await node(), again: node };
    },
  },
];

for (const engine of engines) {
  describe(`sign-in throttle on ${engine.name}`, { skip: engine.skip }, () => {
    const stores: Store[] = [];
    after(async () => {
      for (const s of stores) await s.close();
    });
    const fresh = async () => {
      const f = await engine.fresh();
      stores.push(f.store);
      return { ...f, again: async () => stores[stores.push(await f.again()) - 1]! };
    };

    test('ten failures within 15 minutes lock the address out until the oldest one expires', async () => {
      const { store } = await fresh();
      let now = 0;
      const t = new SignInThrottle(store.engine, () => now);
      for (let i = 0; i < 10; i++) {
        await t.begin('10.0.0.1', `user${i}`, 10); // left standing: a wrong password
        now += 60_000;
      }
      await assert.rejects(t.begin('10.0.0.1', 'alice', 10), limited(/from this address: try again in 5 minute/));
      await t.begin('10.0.0.2', 'alice', 10); // other addresses are not affected
      now = 15 * 60_000 + 1; // the first failure has left the window
      await t.begin('10.0.0.1', 'alice', 10);
    });

    test('an account is locked across addresses, however its name is written', async () => {
      const { store } = await fresh();
      const t = new SignInThrottle(store.engine, () => 0);
      for (const [i, name] of ['alice', 'Alice', 'ALICE'].entries()) await t.begin(`10.0.0.${i}`, name, 3);
      await assert.rejects(t.begin('10.0.0.9', 'aLiCe', 3), limited(/for this account/));
      await t.begin('10.0.0.9', 'bob', 3);
    });

    test('an attempt counts while in flight; success clears the address, a withdrawn attempt never counted', async () => {
      const { store } = await fresh();
      const t = new SignInThrottle(store.engine, () => 0);
      const inFlight = [await t.begin('a', 'alice', 3), await t.begin('a', 'alice', 3), await t.begin('a', 'alice', 3)];
      await assert.rejects(t.begin('a', 'bob', 3), limited(/address/));
      await inFlight[0]!.withdrawn();
      await (await t.begin('a', 'bob', 3)).succeeded(); // the address starts afresh...
      for (let i = 0; i < 2; i++) await t.begin('a', `x${i}`, 3);
      // ...while alice's two attempts still in flight count for her account
      const last = await t.begin('b', 'alice', 3);
      await assert.rejects(t.begin('c', 'alice', 3), limited(/account/));
      await last.succeeded();
      await t.begin('c', 'alice', 3);
    });

    test('a full table forgets the oldest attempts first', async () => {
      const { store } = await fresh();
      const t = new SignInThrottle(store.engine, () => 0, 4);
      await t.begin('a', 'alice', 1); // two rows: address a, account alice
      await t.begin('b', 'bob', 1); // four
      await assert.rejects(t.begin('a', 'carol', 1), limited(/address/));
      await t.begin('c', 'carol', 1); // forgets address a and account alice, the oldest two
      await t.begin('a', 'alice', 1);
      await assert.rejects(t.begin('c', 'dave', 1), limited(/address/), 'address c is still counted: only the oldest went');
    });

    test('a storm of attempts (split between two servers of a pool) gets maxFailures checked; a restart forgets none', async () => {
      const { store, again } = await fresh();
      const servers = [new SignInThrottle(store.engine)];
      // Two stores in one process on one SQLite file would wait for each other's lock on one thread: pools only.
      if (engine.pool) servers.push(new SignInThrottle((await again()).engine));
      const outcomes = await Promise.allSettled(Array.from({ length: 40 }, (_, i) => servers[i % servers.length]!.begin('10.9.9.9', `guess${i}`, 5)));
      assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 5);
      for (const o of outcomes) if (o.status === 'rejected') assert.ok(limited(/from this address/)(o.reason as AppError), String(o.reason));
      // A server that starts later (or again) knows them too.
      await assert.rejects(new SignInThrottle((await again()).engine).begin('10.9.9.9', 'late', 5), limited(/from this address/));
    });
  });
}
