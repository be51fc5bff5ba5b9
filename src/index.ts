/**
 * memsize: which of your data structures holds the memory.
 * The public surface, and nothing else: no logic lives here.
 */
export { scan } from './scan.js';
export { formatReport, formatBytes } from './report/text.js';
export { MemsizeError } from './errors.js';

export type { ScanResult, TypeTotal, PathTotal, TruncationReason } from './results.js';
export type {
  ScanOptions,
  PathOptions,
  EstimateOptions,
  MemsizeOptions,
  PrometheusOptions,
  PrometheusHandlerOptions,
  AddRootOptions,
  ReportHandlerOptions,
} from './options.js';
export type { TextReportOptions } from './report/text.js';
export type { MemsizeErrorCode } from './errors.js';

// The report page, as a request handler; its HTML and JSON renderers stay internal.
export { createReportHandler } from './report/handler.js';
export { diffScans } from './report/diff.js';
export type { ReportHandler, ReportSource } from './report/handler.js';
export type { ScanDiff, TypeChange } from './report/diff.js';

export { createMemsize } from './memsize.js';
// The Prometheus helpers live in `memsize/prometheus` (src/prometheus.ts); this one loads it lazily.
export { startPrometheus } from './prometheus-lazy.js';
export { PROMETHEUS_NAMES } from './metrics/names.js';
export type { Memsize } from './memsize.js';
export type { PrometheusMemsize, PrometheusHandlerMemsize } from './prometheus.js';
export type { Collection, RootMeasurement } from './collect.js';
export type { RootTarget, RootError, RootErrorReason } from './roots/registry.js';

// Check against V8: verify() on a Memsize (docs/verify.md).
export type { VerifyOptions, VerifyResult, VerifyRootResult, VerifyTypeRow, VerifyCost } from './verify/verify.js';
// Find what to register: discover() on a Memsize (docs/discover.md).
export type { DiscoverOptions, DiscoverResult, DiscoverCandidate } from './verify/discover.js';
export type { CorrectionFactors, AppliedCorrection, CorrectableMeasurement, UnseenType } from './verify/correction.js';
