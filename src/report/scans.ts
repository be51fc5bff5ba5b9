/**
 * What the report page remembers between requests: each registered root's last two scans (for the
 * diff) and its last failure, and when the last scan or check ended, which paces the next one.
 * Bounded: the scans of a root that was removed are forgotten at the next look.
 */
import type { ScanResult } from '../results.js';
import { HttpError } from './http.js';
import type { RootScans } from './json.js';

export class ReportScans {
  readonly #scans = new Map<string, RootScans>();
  #lastEndedAt = -Infinity;
  readonly #cooldownMs: number;
  readonly #now: () => number;

  /** @param cooldownMs - the least time between the end of one scan (or check) and the start of the next. */
  constructor(cooldownMs: number, now: () => number = Date.now) {
    this.#cooldownMs = cooldownMs;
    this.#now = now;
  }

  /** Milliseconds until the next scan may start (0: now). */
  nextScanInMs(): number {
    return Math.max(0, Math.ceil(this.#lastEndedAt + this.#cooldownMs - this.#now()));
  }

  /** Throws a 429 HttpError (with Retry-After) while the cooldown runs. */
  checkPace(): void {
    const waitMs = this.nextScanInMs();
    if (waitMs > 0) {
      throw new HttpError(
        429,
        `scans are at least ${this.#cooldownMs} ms apart: try again in ${waitMs} ms`,
        { 'retry-after': String(Math.max(1, Math.ceil(waitMs / 1000))) },
        { retryAfterMs: waitMs },
      );
    }
  }

  /** A scan or check ended (whatever its outcome): the cooldown starts now. */
  ended(): number {
    this.#lastEndedAt = this.#now();
    return this.#lastEndedAt;
  }

  /** The roots `names` in that order, each with what is kept of it; forgets roots not among them. */
  current(names: readonly string[]): RootScans[] {
    const alive = new Set(names);
    for (const name of this.#scans.keys()) if (!alive.has(name)) this.#scans.delete(name);
    return names.map((name) => this.of(name));
  }

  of(name: string): RootScans {
    return this.#scans.get(name) ?? { name, last: null, previous: null, error: null };
  }

  /** A scan of `name` finished: it becomes the last, the last becomes the previous. */
  recordScan(name: string, result: ScanResult): void {
    const at = this.ended();
    const kept = this.of(name);
    const seq = (kept.last?.seq ?? 0) + 1;
    this.#scans.set(name, { name, previous: kept.last, last: { result, at, seq }, error: null });
  }

  /** A scan of `name` failed: the kept scans stay, with the failure beside them. */
  recordFailure(name: string, message: string): void {
    this.#scans.set(name, { ...this.of(name), error: { message, at: this.#now() } });
  }
}
