import { describe, expect, it } from 'vitest';
import { formatBytes, formatReport, scan } from '../../src/index.js';

describe('formatBytes', () => {
  it('uses binary units', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1536)).toBe('1.50 KiB');
    expect(formatBytes(5 * 2 ** 20)).toBe('5.00 MiB');
    expect(formatBytes(300 * 2 ** 30)).toBe('300 GiB');
  });
});

describe('formatReport', () => {
  class Session {
    constructor(readonly id: string, readonly history: number[]) {}
  }
  const root = new Map(Array.from({ length: 500 }, (_, i) => [`k${10_000 + i}`, new Session(`s-${100_000 + i}`, [i + 0.5, i + 1.5])]));
  const result = scan(root);
  const lines = formatReport(result, { title: 'sessions' }).trimEnd().split('\n');

  it('lists every type sorted by bytes with count, bytes and share, then the total', () => {
    expect(lines[0]).toBe('sessions');
    expect(lines[1]).toMatch(/^TYPE\s+COUNT\s+BYTES\s+SHARE$/);
    const rows = lines.slice(3, 3 + result.byType.size);
    const sorted = [...result.byType].sort((a, b) => b[1].bytes - a[1].bytes);
    rows.forEach((row, i) => {
      const [type, total] = sorted[i]!;
      expect(row.startsWith(type)).toBe(true);
      expect(row).toContain(String(total.objects));
      expect(row).toContain(formatBytes(total.bytes));
      expect(row).toContain(`${((total.bytes / result.bytes) * 100).toFixed(1)}%`);
    });
    const total = lines.find((l) => l.startsWith('TOTAL'))!;
    expect(total).toContain(String(result.objects));
    expect(total).toContain(formatBytes(result.bytes));
    expect(lines.at(-1)).toMatch(/^walked in \d+\.\d ms$/);
  });

  it('folds types past `top` into one row and flags truncation', () => {
    const cut = { ...result, truncated: true, truncatedBy: 'maxObjects' as const };
    const text = formatReport(cut, { top: 1 });
    expect(text).toContain(`(${result.byType.size - 1} more types)`);
    expect(text).toContain('TRUNCATED by maxObjects');
  });

  it('renders an empty result', () => {
    expect(formatReport(scan(42))).toContain('TOTAL');
  });
});
