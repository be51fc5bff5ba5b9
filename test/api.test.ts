/**
 * The public surface: an accidental export, or a deep import that package.json should block,
 * fails here.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import * as api from '../src/index.js';

describe('public API', () => {
  it('exports exactly these values', () => {
    expect(Object.keys(api).sort()).toEqual([
      'MemsizeError',
      'PROMETHEUS_NAMES',
      'buildReport',
      'createMemsize',
      'createReportHandler',
      'diffScans',
      'formatBytes',
      'formatReport',
      'prometheusHandler',
      'renderHtml',
      'scan',
      'startPrometheus',
      'toJSON',
    ]);
  });

  it('exposes only the built entry point to importers', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      type: string;
      exports: Record<string, unknown>;
      files: string[];
    };
    expect(pkg.type).toBe('module');
    expect(Object.keys(pkg.exports).sort()).toEqual(['.', './package.json']);
    expect(pkg.exports['.']).toEqual({ types: './dist/index.d.ts', import: './dist/index.js' });
    expect(pkg.files).toContain('dist');
  });

  it('gives every error a stable code', () => {
    const error = new api.MemsizeError('ERR_MEMSIZE_INVALID_OPTION', 'options.x must be y, got z');
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('MemsizeError');
    expect(error.code).toBe('ERR_MEMSIZE_INVALID_OPTION');
  });
});
