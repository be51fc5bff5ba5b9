/**
 * ScanResult → fixed-width text table for logs and terminals, like Go memsize's Report().
 * Pure: no I/O, never throws on a valid ScanResult.
 */
import type { ScanResult } from '../results.js';

/** Options for {@link formatReport}. */
export interface TextReportOptions {
  /** Show at most this many types, largest first; the rest are summed into one row. @defaultValue 30 */
  top?: number;
  /** A title line, e.g. the root's name. */
  title?: string;
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** Format a byte count with a binary unit, e.g. `1.5 MiB`. */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(value >= 100 ? 0 : value >= 10 ? 1 : 2)} ${UNITS[unit]}`;
}

/**
 * Render a scan result as a table of types sorted by bytes: type, count, bytes, share.
 *
 * @example
 * console.log(formatReport(scan(cache), { title: 'cache' }));
 */
export function formatReport(result: ScanResult, options: TextReportOptions = {}): string {
  const top = options.top ?? 30;
  const rows = [...result.byType].sort((a, b) => b[1].bytes - a[1].bytes || (a[0] < b[0] ? -1 : 1));
  const shown = rows.slice(0, top);
  const rest = rows.slice(top);
  const table: string[][] = [['TYPE', 'COUNT', 'BYTES', 'SHARE']];
  const share = (bytes: number) => (result.bytes > 0 ? `${((bytes / result.bytes) * 100).toFixed(1)}%` : '-');
  for (const [type, total] of shown) {
    table.push([type, String(total.objects), formatBytes(total.bytes), share(total.bytes)]);
  }
  if (rest.length > 0) {
    const bytes = rest.reduce((sum, [, t]) => sum + t.bytes, 0);
    const objects = rest.reduce((sum, [, t]) => sum + t.objects, 0);
    table.push([`(${rest.length} more types)`, String(objects), formatBytes(bytes), share(bytes)]);
  }
  table.push(['TOTAL', String(result.objects), formatBytes(result.bytes), result.bytes > 0 ? '100.0%' : '-']);
  const widths = table[0]!.map((_, col) => Math.max(...table.map((row) => row[col]!.length)));
  const lines = table.map((row) =>
    row.map((cell, col) => (col === 0 ? cell.padEnd(widths[col]!) : cell.padStart(widths[col]!))).join('  '),
  );
  lines.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  lines.splice(lines.length - 1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  const estimate = result.estimated
    ? `, ESTIMATED from samples of ${result.sampledCollections} collection(s): ${formatBytes(result.bytes)} ± ${formatBytes(result.bytesError)} (95%)`
    : '';
  const status = `walked in ${result.durationMs.toFixed(1)} ms${estimate}${result.truncated ? `, TRUNCATED by ${result.truncatedBy} (figures are a lower bound)` : ''}`;
  const head = options.title === undefined ? [] : [options.title];
  return [...head, ...lines, status].join('\n') + '\n';
}
