// Regression (issue 20, "Package and first contact"): the published tarball lacked what README
// links to (docs/, grafana/, deploy/), had no LICENSE and no repository, shipped source maps
// pointing at an unshipped src/, said 0.1.0 while CHANGELOG said 0.2.0, and published a `prepare`
// script, which npm 11 reports as an install script. Reads what `npm pack` would put in the
// tarball (a dry run, without building) and the package.json it ships.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  version: string;
  license: string;
  repository?: { url?: string };
  scripts: Record<string, string>;
  engines: { node: string };
  exports: Record<string, Record<string, string> | string>;
};

/** The files `npm pack` would ship, relative to the package root. */
function packedFiles(): Set<string> {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  const [report] = JSON.parse(out) as { files: { path: string }[] }[];
  return new Set(report!.files.map((f) => f.path));
}

describe('regression: the tarball', () => {
  const files = packedFiles();

  it('ships every repository file that README.md and docs/*.md link to', () => {
    const missing: string[] = [];
    for (const page of ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)]) {
      for (const [, target] of readFileSync(join(ROOT, page), 'utf8').matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
        if (/^[a-z]+:/.test(target!)) continue;
        const path = relative(ROOT, resolve(ROOT, dirname(page), target!));
        const shipped = files.has(path) || [...files].some((f) => f.startsWith(`${path}/`));
        if (!shipped) missing.push(`${page} → ${path}`);
      }
    }
    expect(missing).toEqual([]);
    for (const dir of ['docs/', 'grafana/', 'deploy/']) expect([...files].some((f) => f.startsWith(dir)), dir).toBe(true);
  });

  it('has an MIT LICENSE file and a repository', () => {
    expect(files.has('LICENSE')).toBe(true);
    const license = readFileSync(join(ROOT, 'LICENSE'), 'utf8');
    expect(license).toMatch(/^MIT License/);
    expect(license).toContain('memsize contributors');
    expect(pkg.license).toBe('MIT');
    expect(pkg.repository?.url).toMatch(/^git\+https:\/\/github\.com\//);
  });

  it('ships the sources its source maps point at', () => {
    const maps = [...files].filter((f) => f.endsWith('.map'));
    expect(maps.length).toBeGreaterThan(0);
    const missing = new Set<string>();
    for (const map of maps) {
      const { sources } = JSON.parse(readFileSync(join(ROOT, map), 'utf8')) as { sources: string[] };
      for (const source of sources) {
        const path = relative(ROOT, resolve(ROOT, dirname(map), source));
        if (!files.has(path)) missing.add(path);
      }
    }
    expect([...missing]).toEqual([]);
  });

  it("has one version: package.json's is CHANGELOG's latest", () => {
    const changelog = /^## (?:Unreleased \()?(\d+\.\d+\.\d+)/m.exec(readFileSync(join(ROOT, 'CHANGELOG.md'), 'utf8'))?.[1];
    expect(pkg.version).toBe(changelog);
  });

  it('runs nothing at install: it builds before packing (prepack), not in prepare', () => {
    for (const script of ['preinstall', 'install', 'postinstall', 'prepare']) expect(pkg.scripts[script], script).toBeUndefined();
    expect(pkg.scripts.prepack).toMatch(/build/);
  });
});
