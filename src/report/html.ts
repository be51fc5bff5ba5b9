/**
 * Report model → one self-contained HTML page (inline CSS and script, no external assets).
 * Pure: no I/O, no clock (ages are computed from the report's `generatedAt`). Every text that
 * comes from the report goes through {@link escapeHtml}: type names, paths and root names come
 * from user code and may contain markup.
 */
import { formatBytes } from './text.js';
import { clip, clockTime, escapeHtml, formatSpan, groupDigits } from './html-format.js';
import type { DiscoverPageState, ReportJSON, RootReportJSON, StampedScanJSON, VerifyCardState } from './json.js';
import { PAGE_CSS, PAGE_SCRIPT } from './page-assets.js';
import { discoverSection, verifySection } from './snapshot-cards.js';

export { escapeHtml } from './html-format.js';

/** Options for {@link renderHtml}. */
export interface HtmlOptions {
  /** Where the report is mounted, e.g. `/memsize`; the page posts scans to `${prefix}/scan`. */
  prefix: string;
  /** The root whose report to show; defaults to the most recently scanned root. */
  selected?: string | null;
  /** A title shown in the header and the tab, e.g. the service's name. @defaultValue 'memsize' */
  title?: string;
  /** Show at most this many types per scan, largest first; the rest are summed into one row. @defaultValue 40 */
  maxTypes?: number;
  /** Show at most this many changed types in the diff table. @defaultValue 15 */
  maxChanges?: number;
  /** The check against V8 (cost, last result or refusal); absent: the page offers no check. */
  verify?: VerifyCardState | undefined;
  /** The search for large structures (cost, last candidates or refusal); absent: the page offers no search. */
  discover?: DiscoverPageState | undefined;
}

function signedBytes(n: number): string {
  return n === 0 ? '±0 B' : (n > 0 ? '+' : '−') + formatBytes(Math.abs(n));
}

function signedCount(n: number): string {
  return n === 0 ? '±0' : (n > 0 ? '+' : '−') + groupDigits(Math.abs(n));
}

function trend(n: number): string {
  return n > 0 ? 'grow' : n < 0 ? 'shrink' : 'muted';
}

function percent(share: number): string {
  return `${(share * 100).toFixed(share >= 0.1 || share === 0 ? 1 : 2)}%`;
}

function formatAge(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 2) return 'just now';
  if (s < 120) return `${s} s ago`;
  if (s < 7200) return `${Math.round(s / 60)} min ago`;
  return `${Math.round(s / 3600)} h ago`;
}

function shareCell(share: number): string {
  const width = Math.min(100, Math.max(0, share * 100)).toFixed(1);
  return `<td><div class="share"><div class="bar"><i style="width:${width}%"></i></div><span class="pct">${percent(share)}</span></div></td>`;
}

function rootHref(prefix: string, name: string): string {
  return escapeHtml(`${prefix}?root=${encodeURIComponent(name)}`);
}

function pickSelected(report: ReportJSON, wanted: string | null | undefined): RootReportJSON | undefined {
  const named = report.roots.find((r) => r.name === wanted);
  if (named !== undefined) return named;
  let latest: RootReportJSON | undefined;
  for (const root of report.roots) {
    if (root.last !== null && (latest?.last == null || root.last.at > latest.last.at)) latest = root;
  }
  return latest ?? report.roots[0];
}

function rootsSection(report: ReportJSON, options: HtmlOptions, selected: RootReportJSON | undefined): string {
  if (report.roots.length === 0) {
    return `<section class="card" id="roots"><h2>Roots</h2><p class="empty">No roots are registered. Register one with <code>memsize.addRoot('name', value)</code>${options.discover?.trackable === true ? ', or find what holds the memory below and press <b>Track</b>' : ''}.</p></section>`;
  }
  const now = Date.parse(report.generatedAt);
  const rows = report.roots.map((root) => {
    const name = escapeHtml(clip(root.name));
    const last = root.last;
    const badges =
      (last?.truncated ? '<span class="badge" title="the walk hit its budget: figures are a lower bound">truncated</span>' : '') +
      (last?.estimated === true ? '<span class="badge" title="large collections were measured from random samples of their entries">estimated</span>' : '') +
      (root.error !== null ? `<span class="badge err" title="${escapeHtml(clip(root.error.message))}">scan failed</span>` : '');
    const collected = root.collected;
    const figures =
      last === null
        ? collected === null
          ? '<td class="num muted">—</td><td class="num muted">—</td><td class="num muted">—</td><td class="muted">not scanned yet</td>'
          : `<td class="num">${estimateBytes(collected.bytes, collected.bytesError, collected.estimated)}</td><td class="num">${approx(collected.estimated)}${groupDigits(collected.objects)}</td>` +
            `<td class="num muted">—</td><td class="muted" title="${escapeHtml(collected.at)}" data-collected>metrics, ${formatAge(now - Date.parse(collected.at))}</td>`
        : `<td class="num">${estimateBytes(last.bytes, last.bytesError, last.estimated)}</td><td class="num">${approx(last.estimated)}${groupDigits(last.objects)}</td>` +
          (root.diff === null
            ? '<td class="num muted">—</td>'
            : `<td class="num ${trend(root.diff.bytes)}" data-delta-bytes="${root.diff.bytes}">${signedBytes(root.diff.bytes)}</td>`) +
          `<td class="muted" title="${escapeHtml(last.at)}">${formatAge(now - Date.parse(last.at))}</td>`;
    const cls = root === selected ? ' class="selected"' : '';
    return `<tr${cls} data-root-row="${escapeHtml(root.name)}"><td><a href="${rootHref(options.prefix, root.name)}"><code>${name}</code></a>${badges}</td>${figures}<td class="num"><button type="button" data-root="${escapeHtml(root.name)}">Scan</button></td></tr>`;
  });
  return `<section class="card" id="roots"><h2>Roots</h2><table><thead><tr><th>Root</th><th class="num">Retained (est.)</th><th class="num">Objects</th><th class="num">Change</th><th>Scanned</th><th></th></tr></thead><tbody>${rows.join('')}</tbody></table></section>`;
}

/** A byte figure, marked as an estimate with its interval when it is one. */
function estimateBytes(bytes: number, error: number, estimated: boolean): string {
  if (!estimated) return formatBytes(bytes);
  const interval = error > 0 ? ` <span class="muted">± ${formatBytes(error)}</span>` : '';
  return `≈ ${formatBytes(bytes)}${interval}`;
}
function approx(estimated: boolean): string {
  return estimated ? '≈ ' : '';
}

function tile(label: string, value: string, hint: string, cls = ''): string {
  return `<div class="tile"><div class="label">${label}</div><div class="value ${cls}">${value}</div><div class="hint">${hint}</div></div>`;
}

function typesTable(last: StampedScanJSON, root: RootReportJSON, maxTypes: number): string {
  const changes = new Map((root.diff?.types ?? []).map((c) => [c.type, c]));
  const hasDiff = root.diff !== null;
  const shown = last.types.slice(0, maxTypes);
  const rest = last.types.slice(maxTypes);
  const delta = (type: string) => {
    if (!hasDiff) return '';
    const c = changes.get(type);
    const bytes = c?.bytes ?? 0;
    return `<td class="num ${trend(bytes)}">${signedBytes(bytes)}</td><td class="num ${trend(c?.objects ?? 0)}">${signedCount(c?.objects ?? 0)}</td>`;
  };
  const rows = shown.map(
    (t) =>
      `<tr><td class="type">${escapeHtml(clip(t.type))}</td><td class="num">${approx(last.estimated)}${groupDigits(t.objects)}</td><td class="num">${estimateBytes(t.bytes, t.bytesError, last.estimated)}</td>${shareCell(t.share)}${delta(t.type)}</tr>`,
  );
  if (rest.length > 0) {
    const bytes = rest.reduce((sum, t) => sum + t.bytes, 0);
    const objects = rest.reduce((sum, t) => sum + t.objects, 0);
    const share = rest.reduce((sum, t) => sum + t.share, 0);
    const restDelta = hasDiff ? '<td class="num muted">…</td><td class="num muted">…</td>' : '';
    rows.push(
      `<tr><td class="muted">(${rest.length} more types)</td><td class="num">${groupDigits(objects)}</td><td class="num">${formatBytes(bytes)}</td>${shareCell(share)}${restDelta}</tr>`,
    );
  }
  const diffHead = hasDiff ? `<th class="num">Δ bytes</th><th class="num">Δ objects</th>` : '';
  const diffFoot =
    root.diff === null
      ? ''
      : `<td class="num ${trend(root.diff.bytes)}">${signedBytes(root.diff.bytes)}</td><td class="num ${trend(root.diff.objects)}">${signedCount(root.diff.objects)}</td>`;
  return (
    `<h3>Types</h3><table id="types"><thead><tr><th>Type</th><th class="num">Objects</th><th class="num">Bytes</th><th>Share</th>${diffHead}</tr></thead>` +
    `<tbody>${rows.join('') || '<tr><td colspan="4" class="empty">Nothing reachable.</td></tr>'}</tbody>` +
    `<tfoot><tr><td>Total</td><td class="num">${groupDigits(last.objects)}</td><td class="num">${formatBytes(last.bytes)}</td><td class="muted">${last.bytes > 0 ? '100%' : ''}</td>${diffFoot}</tr></tfoot></table>`
  );
}

function changesTable(root: RootReportJSON, maxChanges: number): string {
  const diff = root.diff;
  if (diff === null || root.previous === null) return '';
  const heading = `<h3>What changed since scan #${root.previous.seq}</h3>`;
  if (diff.types.length === 0) return `${heading}<p class="empty" id="changes">No type changed between the two scans.</p>`;
  const rows = diff.types.slice(0, maxChanges).map(
    (c) =>
      `<tr><td class="type">${escapeHtml(clip(c.type))}</td><td class="num">${formatBytes(c.bytesBefore)}</td><td class="num">${formatBytes(c.bytesAfter)}</td><td class="num ${trend(c.bytes)}">${signedBytes(c.bytes)}</td><td class="num ${trend(c.objects)}">${signedCount(c.objects)}</td></tr>`,
  );
  const more = diff.types.length > maxChanges ? `<p class="muted">${diff.types.length - maxChanges} more types changed; the JSON report lists them all.</p>` : '';
  return `${heading}<table id="changes"><thead><tr><th>Type</th><th class="num">Before</th><th class="num">After</th><th class="num">Δ bytes</th><th class="num">Δ objects</th></tr></thead><tbody>${rows.join('')}</tbody></table>${more}`;
}

/** Paths start with the label `root`; on the page the root's own name reads better. */
function showPath(path: string, rootName: string): string {
  return path === 'root' || path.startsWith('root › ') ? rootName + path.slice('root'.length) : path;
}

function pathsTable(last: StampedScanJSON, rootName: string): string {
  if (last.paths === null) return '';
  if (last.paths.length === 0) return `<h3>Largest places</h3><p class="empty">No paths under this root.</p>`;
  const rows = last.paths.map(
    (p) =>
      `<tr><td class="type">${escapeHtml(clip(showPath(p.path, rootName), 500))}</td><td class="num">${groupDigits(p.objects)}</td><td class="num">${formatBytes(p.bytes)}</td>${shareCell(p.share)}</tr>`,
  );
  return `<h3>Largest places</h3><p class="note">A path's figures include everything under it, so nested paths overlap. Each heap thing counts once, under the path through which the walk first reached it.</p><table id="paths"><thead><tr><th>Path</th><th class="num">Objects</th><th class="num">Bytes</th><th>Share</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function reportSection(report: ReportJSON, root: RootReportJSON | undefined, options: HtmlOptions): string {
  if (root === undefined) return '';
  const name = `<code>${escapeHtml(clip(root.name))}</code>`;
  const last = root.last;
  const error = root.error === null ? '' : `<p class="banner">The last scan failed: ${escapeHtml(clip(root.error.message, 500))}</p>`;
  if (last === null) {
    return `<section class="card" id="report" data-root="${escapeHtml(root.name)}"><h2>Root ${name}</h2>${error}<p class="empty">Press <b>Scan</b> to measure this root. A scan walks it synchronously (it never runs your code) and blocks the event loop while it runs; scans are at least ${formatSpan(report.minIntervalMs)} apart.</p></section>`;
  }
  const diff = root.diff;
  const tiles = [
    last.estimated
      ? tile('Retained (estimate)', `≈ ${formatBytes(last.bytes)}`, `± ${formatBytes(last.bytesError)} (95% interval, from samples)`)
      : tile('Retained (estimate)', formatBytes(last.bytes), `${groupDigits(last.bytes)} bytes`),
    tile('Objects', `${approx(last.estimated)}${groupDigits(last.objects)}`, `${last.types.length} types`),
    tile('Walk time', `${last.durationMs.toFixed(1)} ms`, 'event loop blocked'),
    diff === null || root.previous === null
      ? tile('Change', '—', 'scan again to see what grew')
      : tile(
          `Since scan #${root.previous.seq}`,
          `<span data-delta-bytes="${diff.bytes}">${signedBytes(diff.bytes)}</span>`,
          `${signedCount(diff.objects)} objects in ${formatSpan(diff.intervalMs)}`,
          trend(diff.bytes),
        ),
  ];
  if (report.heap !== null && report.heap.usedBytes > 0) {
    tiles.push(tile('Share of heap used', percent(last.bytes / report.heap.usedBytes), `of ${formatBytes(report.heap.usedBytes)} used`));
  }
  const truncated = last.truncated
    ? `<p class="banner">This walk stopped early (budget: ${escapeHtml(String(last.truncatedBy))}): the figures are a lower bound.</p>`
    : '';
  const sampled = last.estimated
    ? `<p class="banner">Estimated: collections too large to walk entry by entry were measured from random samples of their entries and scaled to the whole (≈ marks an estimate, ± its 95% interval). Paths under a sampled collection are scaled the same way.</p>`
    : '';
  const diffWarn =
    diff?.truncated === true ? `<p class="banner">One of the two scans was truncated, so the change may be an artefact of the budget.</p>` : '';
  return (
    `<section class="card" id="report" data-root="${escapeHtml(root.name)}" data-seq="${last.seq}">` +
    `<h2>Root ${name} <span class="muted">· scan #${last.seq} at ${clockTime(last.at)}</span></h2>` +
    `${error}<div class="tiles">${tiles.join('')}</div>${truncated}${sampled}${diffWarn}` +
    typesTable(last, root, options.maxTypes ?? 40) +
    changesTable(root, options.maxChanges ?? 15) +
    pathsTable(last, root.name) +
    `</section>`
  );
}

/**
 * Render the report as one self-contained HTML page: the roots with their last figures and a
 * Scan button each, then the selected root's last scan (types, change since the previous scan,
 * largest paths), then the cards that take a heap snapshot (check against V8, find large
 * structures) when the source offers them. Scripts on the page run only under {@link PAGE_CSP}.
 *
 * @param report - from {@link buildReport}.
 * @param options - where the report is mounted, which root to show.
 * @returns the whole document as a string.
 */
export function renderHtml(report: ReportJSON, options: HtmlOptions): string {
  const title = escapeHtml(clip(options.title ?? 'memsize', 120));
  const selected = pickSelected(report, options.selected);
  const heap =
    report.heap === null ? '' : `heap used ${formatBytes(report.heap.usedBytes)} of ${formatBytes(report.heap.totalBytes)} · `;
  const jsonHref = escapeHtml(`${options.prefix}?format=json`);
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width,initial-scale=1"><meta name="referrer" content="no-referrer">` +
    `<link rel="icon" href="data:,"><title>${title} · memsize report</title><style>${PAGE_CSS}</style></head>` +
    `<body data-prefix="${escapeHtml(options.prefix)}" data-next-scan-in-ms="${report.nextScanInMs}" data-min-interval-ms="${report.minIntervalMs}">` +
    `<header><div class="brand">mem<span>size</span></div><div class="sub">${title === 'memsize' ? 'retained heap by root' : title}</div>` +
    `<div class="meta" id="memsize-meta">${heap}generated ${clockTime(report.generatedAt)}</div></header>` +
    `<p id="memsize-status" role="status" aria-live="polite"></p>` +
    `<main id="memsize-main">${rootsSection(report, options, selected)}${reportSection(report, selected, options)}${verifySection(options.verify)}${discoverSection(options.discover, options.prefix)}</main>` +
    `<footer>Bytes are estimates of the V8 heap reachable from each root, each thing counted once per root; roots may overlap. ` +
    `The page keeps each root's last two scans. For scripts: <a href="${jsonHref}"><code>?format=json</code></a> ` +
    `or <code>Accept: application/json</code>.</footer>` +
    `<script>${PAGE_SCRIPT}</script></body></html>`
  );
}
