// Password guessing is slowed per client address and per account: each is allowed `maxFailures` failed sign-ins
// within 15 minutes, then refused until the oldest failure leaves the window. An attempt is counted when it begins,
// before its password is hashed, as a failure until it succeeds: parallel guesses cannot all be checked before the
// first one is counted. The attempts are kept in the store, so that every server of a pool counts the same ones (N
// servers behind a balancer must not give a guesser N times the attempts); the count and the new attempt are one
// writing transaction, so that two servers cannot both give away the last one. The table is bounded: beyond
// MAX_TRACKED attempts it forgets the oldest first (at every attempt, by index ranges: cheap while guesses flood in).
// A restart forgets nothing.
import { AppError } from './app-error.js';
import type { Repos, StoreEngine } from './store-contract.js';

const WINDOW_MS = 15 * 60_000;
/** Attempts kept (two rows each: address and account), about as many as the 10,000 keys kept in memory before. */
const MAX_TRACKED = 20_000;

export interface SignInAttempt {
  /** The password was right: this attempt is no failure, and the address starts afresh. */
  succeeded(): Promise<void>;
  /** The password was never checked (the server was busy): this attempt does not count. */
  withdrawn(): Promise<void>;
}

export class SignInThrottle {
  constructor(
    private readonly engine: StoreEngine,
    private readonly clock: () => number = Date.now,
    private readonly maxTracked = MAX_TRACKED,
  ) {}

  /** Counts one attempt for the address and the account, or throws rate_limited when either has failed too often. */
  async begin(address: string, username: string, maxFailures: number): Promise<SignInAttempt> {
    // User names are compared without case (admins-repo): so are their counts, or "Alice" would be a fresh account.
    const [addressKey, accountKey] = [`address ${address}`, `account ${username.toLowerCase()}`];
    const now = this.clock();
    const [addressId, accountId] = await this.engine.transaction(
      async (tx) => {
        const ids: number[] = [];
        for (const [key, from] of [[addressKey, 'from this address'], [accountKey, 'for this account']] as const) {
          const recent = await tx.signInAttempts.recent(key, now - WINDOW_MS);
          if (recent.length >= maxFailures) {
            const minutes = Math.ceil((recent[recent.length - maxFailures]! + WINDOW_MS - now) / 60_000);
            throw new AppError('rate_limited', `Too many failed sign-ins ${from}: try again in ${minutes} minute(s).`);
          }
        }
        for (const key of [addressKey, accountKey]) ids.push(await tx.signInAttempts.add(key, now));
        await tx.signInAttempts.prune(now - WINDOW_MS, this.maxTracked);
        return ids as [number, number];
      },
      { wait: true },
    );
    const forget = (fn: (tx: Repos) => Promise<void>) => this.engine.transaction(fn, { wait: true });
    return {
      succeeded: () =>
        forget(async (tx) => {
          await tx.signInAttempts.removeKey(addressKey);
          await tx.signInAttempts.remove(accountId);
        }),
      withdrawn: () =>
        forget(async (tx) => {
          await tx.signInAttempts.remove(addressId);
          await tx.signInAttempts.remove(accountId);
        }),
    };
  }
}
