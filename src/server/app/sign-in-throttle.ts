// Password guessing is slowed per client address and per account: each is allowed `maxFailures` failed sign-ins
// within 15 minutes, then refused until the oldest failure leaves the window. An attempt is counted when it begins,
// before its password is hashed, as a failure until it succeeds: parallel guesses cannot all be checked before the
// first one is counted. In memory: a restart forgets, which is acceptable for a console that is on loopback unless the
// admin exposes it; the table is bounded, and when full it forgets the entry that changed least recently.
import { AppError } from './app-error.js';

const WINDOW_MS = 15 * 60_000;
const MAX_TRACKED = 10_000;

export interface SignInAttempt {
  /** The password was right: this attempt is no failure, and the address starts afresh. */
  succeeded(): void;
  /** The password was never checked (the server was busy): this attempt does not count. */
  withdrawn(): void;
}

export class SignInThrottle {
  /** Key -> times of failures (and attempts in flight), oldest first; the Map's order is least recently changed first. */
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly clock: () => number = Date.now,
    private readonly maxTracked = MAX_TRACKED,
  ) {}

  /** Counts one attempt for the address and the account, or throws rate_limited when either has failed too often. */
  begin(address: string, username: string, maxFailures: number): SignInAttempt {
    const keys = [`address ${address}`, `account ${username}`] as const;
    const now = this.clock();
    const recent = keys.map((k) => this.recent(k, now));
    const full = recent.findIndex((r) => r.length >= maxFailures);
    if (full >= 0) {
      const minutes = Math.ceil((recent[full]![recent[full]!.length - maxFailures]! + WINDOW_MS - now) / 60_000);
      const from = full === 0 ? 'from this address' : 'for this account';
      throw new AppError('rate_limited', `Too many failed sign-ins ${from}: try again in ${minutes} minute(s).`);
    }
    keys.forEach((k, i) => this.store(k, [...recent[i]!, now]));
    const forget = (key: string) => {
      const times = this.recent(key, this.clock());
      const mine = times.indexOf(now);
      if (mine >= 0) times.splice(mine, 1);
      this.store(key, times);
    };
    return {
      succeeded: () => {
        this.failures.delete(keys[0]);
        forget(keys[1]);
      },
      withdrawn: () => keys.forEach(forget),
    };
  }

  private store(key: string, times: number[]): void {
    this.failures.delete(key); // re-inserted last: the Map's order stays least recently changed first
    if (times.length === 0) return;
    if (this.failures.size >= this.maxTracked) this.failures.delete(this.failures.keys().next().value!);
    this.failures.set(key, times);
  }

  private recent(key: string, now: number): number[] {
    return (this.failures.get(key) ?? []).filter((t) => t > now - WINDOW_MS);
  }
}
