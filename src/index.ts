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
