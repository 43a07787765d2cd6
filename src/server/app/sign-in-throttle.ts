// Password guessing is slowed per client address: after MAX_FAILURES failed sign-ins within WINDOW_MS, that address
// is refused until the oldest failure leaves the window. In memory: a restart forgets, which is acceptable for a
// console that is on loopback unless the admin exposes it.
import { AppError } from './app-error.js';

const MAX_FAILURES = 10;
const WINDOW_MS = 15 * 60_000;
const MAX_TRACKED = 10_000;

export class SignInThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(private readonly clock: () => number = Date.now) {}

  /** Throws rate_limited when the address has failed too often recently. */
  check(address: string): void {
    const recent = this.recent(address);
    if (recent.length >= MAX_FAILURES) {
      const minutes = Math.ceil((recent[0]! + WINDOW_MS - this.clock()) / 60_000);
      throw new AppError('rate_limited', `Too many failed sign-ins from this address: try again in ${minutes} minute(s).`);
    }
  }

  failed(address: string): void {
    if (this.failures.size >= MAX_TRACKED) this.failures.clear();
    this.failures.set(address, [...this.recent(address), this.clock()]);
  }

  succeeded(address: string): void {
    this.failures.delete(address);
  }

  private recent(address: string): number[] {
    const since = this.clock() - WINDOW_MS;
    return (this.failures.get(address) ?? []).filter((t) => t > since);
  }
}
