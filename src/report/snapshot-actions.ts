/**
 * What the report page runs against one heap snapshot, and what it keeps of it between requests:
 * the check against V8 (`verify()`, optionally keeping its ratios as corrections), the search for
 * large structures (`discover()`), and tracking a found structure as a root. Request bodies come
 * in parsed; the outcome is plain data or an HttpError with the status to answer. The HTTP
 * checks and the pacing stay in handler.ts.
 *
 * Holds nothing alive: the last search's candidates reach their objects only through `ref()`,
 * which holds them weakly (discover.ts); nothing here calls `ref()` except Track.
 */
import { describeValue, MemsizeError } from '../errors.js';
import type { DiscoverResult } from '../verify/discover.js';
import type { VerifyPageState, VerifyResult } from '../verify/verify.js';
import { HttpError } from './http.js';
import { discoverToJSON, type DiscoverJSON, type DiscoverPageState, type VerifyCardState } from './json.js';
import type { ReportSource } from './source.js';

/** Request body fields, as the page sends them. */
export const VERIFY_FIELDS = ['force', 'calibrate'] as const;
export const DISCOVER_FIELDS = ['force'] as const;
export const TRACK_FIELDS = ['candidate'] as const;

/** A body field that must be a boolean, false when absent. */
function flag(body: Record<string, unknown>, field: string): boolean {
  const value = body[field] ?? false;
  if (typeof value !== 'boolean') throw new HttpError(400, `the body's "${field}" must be true or false, got ${describeValue(value)}`);
  return value;
}

/** The refusal of a snapshot above the heap limit (409), or undefined for any other error. */
function refusal(error: unknown): MemsizeError | undefined {
  return error instanceof MemsizeError && error.code === 'ERR_MEMSIZE_HEAP_TOO_LARGE' ? error : undefined;
}

/** addRoot() errors that are the request's fault or the instance's state, answered as 409 with their message. */
const TRACK_CONFLICTS = new Set(['ERR_MEMSIZE_ROOT_EXISTS', 'ERR_MEMSIZE_TOO_MANY_ROOTS', 'ERR_MEMSIZE_SHUT_DOWN', 'ERR_MEMSIZE_INVALID_ROOT_NAME', 'ERR_MEMSIZE_INVALID_ROOT']);

export class SnapshotActions {
  readonly canVerify: boolean;
  readonly canDiscover: boolean;
  /** Track needs discover() for the candidates and addRoot() to register one. */
  readonly canTrack: boolean;
  readonly #source: ReportSource;
  readonly #onError: (error: unknown) => void;
  #lastVerify: VerifyResult | null = null;
  #verifyRefusal: VerifyPageState['refusal'] = null;
  #refusedCalibrate = false;
  #verifyError: VerifyPageState['error'] = null;
  /** The last search, as discover() returned it: its candidates hold their objects weakly. */
  #lastDiscover: DiscoverResult | null = null;
  #discoverRefusal: DiscoverPageState['refusal'] = null;
  #discoverError: DiscoverPageState['error'] = null;
  /** Names of the last search's candidates that the page registered. */
  readonly #tracked = new Set<string>();

  constructor(source: ReportSource, onError: (error: unknown) => void) {
    this.#source = source;
    this.#onError = onError;
    this.canVerify = typeof source.verify === 'function' && typeof source.verifyCost === 'function';
    this.canDiscover = typeof source.discover === 'function' && typeof source.discoverCost === 'function';
    this.canTrack = this.canDiscover && typeof source.addRoot === 'function';
  }

  /** Throws a 404 HttpError naming what the source lacks when it cannot run `action`. */
  assertAvailable(action: 'verify' | 'discover' | 'track'): void {
    if (action === 'verify' && !this.canVerify) throw new HttpError(404, 'this report source cannot check against V8 (it has no verify())');
    if (action === 'discover' && !this.canDiscover) throw new HttpError(404, 'this report source cannot search for large structures (it has no discover())');
    if (action === 'track' && !this.canTrack) throw new HttpError(404, 'this report source cannot track found structures (it needs discover() and addRoot())');
  }

  /** The check card, or undefined when the source cannot check (or stating the cost failed). */
  verifyState(): VerifyCardState | undefined {
    if (!this.canVerify) return undefined;
    try {
      return { cost: this.#source.verifyCost!(), last: this.#lastVerify, refusal: this.#verifyRefusal, error: this.#verifyError, refusedCalibrate: this.#refusedCalibrate };
    } catch (error) {
      this.#onError(error);
      return undefined;
    }
  }

  /** The search card, or undefined when the source cannot search (or stating the cost failed). */
  discoverState(rootNames: readonly string[]): DiscoverPageState | undefined {
    if (!this.canDiscover) return undefined;
    try {
      return { cost: this.#source.discoverCost!(), last: this.#discoverJSON(rootNames), refusal: this.#discoverRefusal, error: this.#discoverError, trackable: this.canTrack };
    } catch (error) {
      this.#onError(error);
      return undefined;
    }
  }

  #discoverJSON(rootNames: readonly string[]): DiscoverJSON | null {
    if (this.#lastDiscover === null) return null;
    const registered = new Set(rootNames);
    return discoverToJSON(this.#lastDiscover, (name) => this.#tracked.has(name) && registered.has(name));
  }

  /** Validate a check's body `{"force": boolean, "calibrate": boolean}` (both optional, false). */
  verifyOptions(body: Record<string, unknown>): { force: boolean; calibrate: boolean } {
    return { force: flag(body, 'force'), calibrate: flag(body, 'calibrate') };
  }

  /** Run one check; a refusal is kept for the page and thrown as 409, a failure as 500. */
  verify(options: { force: boolean; calibrate: boolean }): VerifyResult {
    this.assertAvailable('verify');
    let result: VerifyResult;
    try {
      result = this.#source.verify!(options.calibrate ? { force: options.force, calibrate: true } : { force: options.force });
    } catch (error) {
      const refused = refusal(error);
      if (refused !== undefined) {
        this.#verifyRefusal = { message: refused.message, at: Date.now() };
        this.#refusedCalibrate = options.calibrate;
        throw new HttpError(409, refused.message, {}, { code: refused.code, cost: this.#source.verifyCost!() });
      }
      const message = error instanceof Error ? error.message : String(error);
      this.#verifyError = { message, at: Date.now() };
      this.#onError(error);
      throw new HttpError(500, `the check against V8 failed: ${message}`);
    }
    this.#lastVerify = result;
    this.#verifyRefusal = null;
    this.#refusedCalibrate = false;
    this.#verifyError = null;
    return result;
  }

  /** Validate a search's body `{"force": boolean}` (optional, false). */
  discoverOptions(body: Record<string, unknown>): { force: boolean } {
    return { force: flag(body, 'force') };
  }

  /** Run one search and keep it (replacing the last); a refusal answers 409, a failure 500. */
  discover(options: { force: boolean }, rootNames: () => readonly string[]): DiscoverJSON {
    this.assertAvailable('discover');
    let result: DiscoverResult;
    try {
      result = this.#source.discover!({ force: options.force });
    } catch (error) {
      const refused = refusal(error);
      if (refused !== undefined) {
        this.#discoverRefusal = { message: refused.message, at: Date.now() };
        throw new HttpError(409, refused.message, {}, { code: refused.code, cost: this.#source.discoverCost!() });
      }
      const message = error instanceof Error ? error.message : String(error);
      this.#discoverError = { message, at: Date.now() };
      this.#onError(error);
      throw new HttpError(500, `the search for large structures failed: ${message}`);
    }
    this.#lastDiscover = result;
    this.#tracked.clear();
    this.#discoverRefusal = null;
    this.#discoverError = null;
    return this.#discoverJSON(rootNames())!;
  }

  /** Validate a Track body `{"candidate": NAME}`: the name of a candidate of the last search. */
  trackCandidate(body: Record<string, unknown>): string {
    const name = body.candidate;
    if (typeof name !== 'string') throw new HttpError(400, `the body's "candidate" must be the name of a candidate of the last search, got ${describeValue(name)}`);
    return name;
  }

  /**
   * Register the last search's candidate `name` as a root of that name, through the source's
   * addRoot() (held weakly, as addRoot() holds any object). Looks the live object up by `ref()`:
   * 410 when it was collected since the search, 409 when the name is taken (or the source
   * refuses the root), 404 for a name the last search did not list.
   */
  track(name: string): { root: string; path: string } {
    this.assertAvailable('track');
    const last = this.#lastDiscover;
    if (last === null) throw new HttpError(409, 'no search for large structures has run yet: press "Find large structures" first');
    const candidate = last.candidates.find((c) => c.name === name);
    if (candidate === undefined) {
      const listed = last.candidates.map((c) => JSON.stringify(c.name)).join(', ') || 'none';
      throw new HttpError(404, `the last search listed no candidate named ${describeValue(name)} (it listed: ${listed}); search again if the page is old`);
    }
    if (last.refsUnavailable !== null) throw new HttpError(409, `${candidate.path} cannot be tracked: the live object cannot be reached (${last.refsUnavailable})`);
    let target: object | undefined;
    try {
      target = candidate.ref();
    } catch (error) {
      this.#onError(error);
      throw new HttpError(500, `looking up ${candidate.path} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (target === undefined) {
      throw new HttpError(410, `${candidate.path} was garbage-collected since the search (the application no longer holds it): nothing to track. Search again for what holds the memory now.`);
    }
    try {
      this.#source.addRoot!(name, target);
    } catch (error) {
      if (error instanceof MemsizeError && TRACK_CONFLICTS.has(error.code)) {
        const clash = error.code === 'ERR_MEMSIZE_ROOT_EXISTS' ? `a root named ${describeValue(name)} is already registered; remove it or register this structure yourself under another name: ` : '';
        throw new HttpError(409, `${clash}${error.message}`, {}, { code: error.code });
      }
      this.#onError(error);
      throw new HttpError(500, `tracking ${candidate.path} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    this.#tracked.add(name);
    return { root: name, path: candidate.path };
  }
}
