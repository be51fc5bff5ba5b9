/**
 * What the report page needs from memsize, as one interface: the registered roots and their
 * scans, and optionally the heap-snapshot tools (the check against V8, the search for large
 * structures) and registering a found structure. The object `createMemsize()` returns has all of it.
 * Types only: no code lives here.
 */
import type { Collection } from '../collect.js';
import type { ScanOptions } from '../options.js';
import type { ScanResult } from '../results.js';
import type { DiscoverOptions, DiscoverResult } from '../verify/discover.js';
import type { VerifyCost, VerifyOptions, VerifyResult } from '../verify/verify.js';

/**
 * What the report needs from memsize: the registered roots and a one-off scan of one of them.
 * The object `createMemsize()` returns satisfies it, optional members included.
 */
export interface ReportSource {
  /** Names of the registered roots, in the order to list them. */
  rootNames(): string[];
  /** A fresh scan of one registered root; throws a MemsizeError `ERR_MEMSIZE_ROOT_UNKNOWN` for an unknown name. */
  scanRoot(name: string, options?: ScanOptions): ScanResult;
  /** Check against V8 (`memsize.verify()`); when present with `verifyCost`, the page offers it. */
  verify?(options?: VerifyOptions): VerifyResult;
  /** The cost of a check against V8, stated on the page before it runs. */
  verifyCost?(): VerifyCost;
  /**
   * Find the largest structures from one heap snapshot (`memsize.discover()`); when present with
   * `discoverCost`, the page offers a "Find large structures" card.
   */
  discover?(options?: DiscoverOptions): DiscoverResult;
  /** The cost of a search for large structures, stated on the page before it runs. */
  discoverCost?(): VerifyCost;
  /**
   * Register a root (`memsize.addRoot()`); when present with `discover`, the page's Track button
   * registers a found structure with it, under the candidate's name (held weakly).
   */
  addRoot?(name: string, target: object): void;
  /**
   * The last collection the metrics reported, read without measuring (`memsize.lastCollection()`):
   * the page shows each root's latest figures from it before any scan.
   */
  lastCollection?(): Collection | null;
  /**
   * When a weak root of this name was found garbage-collected (`memsize.collectedAt()`), or null:
   * the page then says so instead of "no root named ... is registered".
   */
  collectedAt?(name: string): number | null;
}
