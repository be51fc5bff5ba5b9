/**
 * memsize: which of your data structures holds the memory.
 * The public surface, and nothing else: no logic lives here.
 */
export { scan } from './scan.js';
export { formatReport, formatBytes } from './report/text.js';
export { MemsizeError } from './errors.js';

export type { ScanResult, TypeTotal, PathTotal, TruncationReason } from './snapshot.js';
export type { ScanOptions, PathOptions } from './options.js';
export type { TextReportOptions } from './report/text.js';
export type { MemsizeErrorCode } from './errors.js';

// Report page and JSON report (issue 5).
export { createReportHandler } from './report/handler.js';
export { renderHtml } from './report/html.js';
export { toJSON, buildReport } from './report/json.js';
export { diffScans } from './report/diff.js';
export type { ReportHandler, ReportHandlerOptions, ReportSource } from './report/handler.js';
export type { HtmlOptions } from './report/html.js';
export type { ScanJSON, TypeJSON, PathJSON, ReportJSON, RootReportJSON, StampedScanJSON, RootHistory, StampedScan } from './report/json.js';
export type { ScanDiff, TypeChange } from './report/diff.js';

export { createMemsize } from './memsize.js';
export { startPrometheus, prometheusHandler } from './metrics/prometheus.js';
export { PROMETHEUS_NAMES } from './metrics/names.js';
export type { Memsize, CorrectedCollection, CorrectedRootMeasurement } from './memsize.js';
export type { MemsizeOptions, PrometheusOptions, PrometheusHandlerOptions, AddRootOptions } from './memsize-options.js';
export type { PrometheusMemsize, PrometheusHandlerMemsize } from './metrics/prometheus.js';
export type { Collection, RootMeasurement } from './collect.js';
export type { RootTarget, RootError, RootErrorReason } from './roots/registry.js';

// Check against V8 (issue 10).
export type { VerifyOptions, VerifyResult, VerifyRootResult, VerifyTypeRow, VerifyCost } from './verify/verify.js';
export type { CorrectionFactors, AppliedCorrection, CorrectableMeasurement } from './verify/correction.js';
