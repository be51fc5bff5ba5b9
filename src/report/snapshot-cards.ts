/**
 * The report page's two cards that take a heap snapshot: "Check against V8" (`verify()`,
 * docs/verify.md) and "Find large structures" (`discover()`, docs/discover.md). Each states its
 * cost first, then the last result, refusal or failure. Pure, like html.ts: every text from the
 * process (root names, type names, paths, messages) goes through escapeHtml.
 */
import type { VerifyCost, VerifyRootResult } from '../verify/verify.js';
import { CORRECTION_BAND, ratioInBand } from '../verify/correction.js';
import { clip, clockTime, escapeHtml, formatSpan, groupDigits } from './html-format.js';
import type { CandidateJSON, DiscoverPageState, VerifyCardState } from './json.js';
import { formatBytes } from './text.js';

function ratioText(ratio: number | null): string {
  return ratio === null ? '–' : `${ratio.toFixed(2)}×`;
}

const BAND = `${CORRECTION_BAND.min}-${CORRECTION_BAND.max}×`;

/** The cost sentence both cards open with. */
function costText(id: string, what: string, refused: string, c: VerifyCost): string {
  return (
    `<p id="${id}" data-allowed="${c.allowed}">${what} takes one heap snapshot of the process and blocks the event loop while it runs: ` +
    `about <b>${formatSpan(c.estimatedMs)}</b> and <b>${formatBytes(c.estimatedPeakBytes)}</b> more memory at the current heap ` +
    `(${formatBytes(c.heapUsedBytes)} used; ${refused} are refused above ${formatBytes(c.maxHeapBytes)}). ` +
    `<span class="muted">Estimate from ${escapeHtml(c.basis)}.</span></p>`
  );
}

function banner(id: string, title: string, message: string, button = ''): string {
  return `<div class="banner" id="${id}"><b>${title}</b> ${escapeHtml(clip(message, 600))}${button === '' ? '' : ` ${button}`}</div>`;
}

/** The check-against-V8 card: its cost stated first, then the last result or refusal. */
export function verifySection(state: VerifyCardState | undefined): string {
  if (state === undefined) return '';
  const cost = costText('verify-cost', 'A check', 'checks', state.cost);
  const button = `<p><button type="button" data-verify="check">Check against V8</button></p>`;
  let body = '';
  if (state.refusal !== null) {
    const calibrate = state.refusedCalibrate === true ? ' data-calibrate="true"' : '';
    body += banner('verify-refusal', 'Refused:', state.refusal.message, `<button type="button" data-verify="force"${calibrate}>Run anyway</button>`);
  }
  if (state.error !== null) body += banner('verify-error', 'The check failed:', state.error.message);
  const last = state.last;
  if (last !== null) {
    const rows = last.roots.map((r) => {
      const name = `<code>${escapeHtml(r.name)}</code>`;
      if (r.error !== null) return `<tr data-verify-root="${escapeHtml(r.name)}"><td>${name}</td><td colspan="5" class="muted">${escapeHtml(clip(r.error))}</td></tr>`;
      const badge =
        (r.memsizeTruncated ? '<span class="badge">truncated</span>' : '') +
        (r.calibrated ? '<span class="badge" title="this check kept its ratio as a correction">calibrated</span>' : '') +
        (r.warning !== null ? '<span class="badge err" title="see below: what V8 sees that memsize does not">look</span>' : '');
      return (
        `<tr data-verify-root="${escapeHtml(r.name)}"><td>${name}${badge}</td>` +
        `<td class="num" data-v8-bytes="${r.v8Bytes}">${formatBytes(r.v8Bytes)}</td><td class="num">${groupDigits(r.v8Objects)}</td>` +
        `<td class="num" data-memsize-bytes="${r.memsizeBytes}">${formatBytes(r.memsizeBytes)}</td><td class="num">${groupDigits(r.memsizeObjects)}</td>` +
        `<td class="num" data-ratio="${r.ratio ?? ''}">${ratioText(r.ratio)}</td></tr>`
      );
    });
    const perType = last.roots
      .filter((r) => r.error === null && r.byType.length > 0)
      .map((r) => {
        const typeRows = r.byType.slice(0, 15).map(
          (t) =>
            `<tr><td class="type">${escapeHtml(clip(t.type, 120))}</td><td class="num">${formatBytes(t.v8Bytes)}</td><td class="num">${groupDigits(t.v8Objects)}</td>` +
            `<td class="num">${formatBytes(t.memsizeBytes)}</td><td class="num">${groupDigits(t.memsizeObjects)}</td><td class="num">${ratioText(t.ratio)}</td></tr>`,
        );
        return (
          `<h3>${escapeHtml(r.name)}: by type</h3><table class="verify-types" data-verify-types="${escapeHtml(r.name)}"><thead><tr><th>Type</th><th class="num">V8 bytes</th><th class="num">V8 nodes</th>` +
          `<th class="num">memsize bytes</th><th class="num">memsize objects</th><th class="num">V8 / memsize</th></tr></thead><tbody>${typeRows.join('')}</tbody></table>`
        );
      });
    const kept = Object.keys(last.corrections);
    body +=
      `<p class="note" id="verify-summary">Checked at ${clockTime(new Date(last.at).toISOString())} on Node ${escapeHtml(last.nodeVersion)}: ` +
      `took ${formatSpan(last.durationMs)} (snapshot ${formatSpan(last.snapshotMs)}, parse ${formatSpan(last.parseMs)}), ` +
      `${formatBytes(last.snapshotFileBytes)} snapshot of ${groupDigits(last.snapshotNodes)} nodes, heap ${formatBytes(last.heapUsedBytes)} used.` +
      (kept.length === 0 ? '' : ` This check kept the ratios of ${kept.map((n) => `<code>${escapeHtml(n)}</code>`).join(', ')} as corrections.`) +
      `</p>` +
      `<table id="verify-roots"><thead><tr><th>Root</th><th class="num">V8 retained</th><th class="num">V8 nodes</th><th class="num">memsize</th>` +
      `<th class="num">memsize objects</th><th class="num">V8 / memsize</th></tr></thead><tbody>${rows.join('')}</tbody></table>` +
      `<p class="note">V8's figure is the retained size in the heap snapshot (DevTools' "Retained Size"); per type, V8-internal nodes ` +
      `(backing stores, hidden classes) count under the type of the value that holds them.</p>` +
      unseenPart(last.roots) +
      calibratePart(last.roots) +
      perType.join('');
  }
  return `<section class="card" id="verify"><h2>Check against V8</h2>${cost}${button}${body}</section>`;
}

/** Issue 20: what V8 holds under each root that memsize does not count, and each root's warning. */
function unseenPart(roots: readonly VerifyRootResult[]): string {
  const checked = roots.filter((r) => r.error === null);
  const warnings = checked
    .filter((r) => r.warning !== null)
    .map((r) => `<p class="banner" data-verify-warning="${escapeHtml(r.name)}"><b>${escapeHtml(clip(r.name))}:</b> ${escapeHtml(clip(r.warning!, 800))}</p>`);
  const rows = checked.flatMap((r) =>
    r.unseen.map(
      (u) =>
        `<tr data-unseen-root="${escapeHtml(r.name)}" data-unseen-type="${escapeHtml(u.type)}"><td><code>${escapeHtml(clip(r.name))}</code></td><td class="type">${escapeHtml(clip(u.type, 120))}</td>` +
        `<td class="num" data-unseen-v8-bytes="${u.v8Bytes}">${formatBytes(u.v8Bytes)}</td><td class="num">${formatBytes(u.memsizeBytes)}</td>` +
        `<td class="num grow">${formatBytes(u.v8Bytes - u.memsizeBytes)}</td></tr>`,
    ),
  );
  const heading = `<h3>What V8 sees that memsize does not</h3>`;
  if (checked.length === 0) return '';
  if (rows.length === 0 && warnings.length === 0) {
    return `${heading}<p class="empty" id="verify-unseen-none">Nothing large: under every root, V8 holds less than twice memsize's bytes of each type, or the gap is under 5% of the root.</p>`;
  }
  const table =
    rows.length === 0
      ? ''
      : `<table id="verify-unseen"><thead><tr><th>Root</th><th>Type</th><th class="num">V8 bytes</th><th class="num">memsize bytes</th><th class="num">Not seen</th></tr></thead><tbody>${rows.join('')}</tbody></table>` +
        `<p class="note">Types where V8 holds at least twice memsize's bytes and the gap is 5% of the root or more: a Proxy's target, ` +
        `<code>#private</code> fields or closure scopes the walk could not read, memory outside the JavaScript heap.</p>`;
  return `${heading}${warnings.join('')}${table}`;
}

/** The one-click calibration, with its consequence said before the click. */
function calibratePart(roots: readonly VerifyRootResult[]): string {
  const checked = roots.filter((r) => r.error === null);
  if (checked.length === 0) return '';
  const name = (r: VerifyRootResult) => `<code>${escapeHtml(clip(r.name))}</code> (${ratioText(r.ratio)})`;
  const inBand = checked.filter((r) => r.ratio !== null && ratioInBand(r.ratio));
  const outOfBand = checked.filter((r) => !(r.ratio !== null && ratioInBand(r.ratio)));
  const forecast =
    ` By this check's ratios it would keep ${inBand.length === 0 ? 'none' : inBand.map(name).join(', ')}` +
    (outOfBand.length === 0 ? '' : ` and refuse ${outOfBand.map(name).join(', ')}`) +
    '; the new check decides.';
  return (
    `<div id="verify-calibrate"><h3>Keep the ratios as corrections</h3>` +
    `<p id="verify-calibrate-consequence">This runs the check again (one more heap snapshot, at the cost above) and keeps each root's ratio V8 / memsize ` +
    `as a correction: from then on <code>memsize_root_bytes</code> of that root (and <code>memsize_type_bytes</code>, split by the per-type ratios, ` +
    `and its figures in <code>collect()</code>) is memsize's own figure multiplied by the ratio, until a later calibrating check replaces it, ` +
    `<code>clearCorrections()</code> drops it or the root is removed. Object counts stay memsize's own, a truncated walk is never corrected, ` +
    `and the page's own scans are never corrected. A ratio outside ${BAND} is refused: memsize then does not see most of what V8 holds (or counts far more), ` +
    `and scaling a figure that does not follow the data would freeze a wrong number.${forecast}</p>` +
    `<p><button type="button" data-verify="calibrate">Keep these ratios as corrections</button></p></div>`
  );
}

/** The search card: its cost stated first, then the last candidates with a Track button each. */
export function discoverSection(state: DiscoverPageState | undefined, prefix: string): string {
  if (state === undefined) return '';
  const cost = costText('discover-cost', 'A search', 'searches', state.cost);
  const about =
    `<p class="note">It lists the largest structures by V8 retained size, each with the place that holds it. ` +
    (state.trackable
      ? `<b>Track</b> registers one as a root under the name shown (held weakly, as <code>addRoot()</code> holds an object): it then appears under Roots and in the metrics. `
      : `Register one with <code>memsize.addRoot(name, candidate.ref())</code> (this page's source has no <code>addRoot()</code>). `) +
    `The search runs none of your code and keeps nothing alive.</p>`;
  const button = `<p><button type="button" data-discover="find">Find large structures</button></p>`;
  let body = '';
  if (state.refusal !== null) body += banner('discover-refusal', 'Refused:', state.refusal.message, `<button type="button" data-discover="force">Run anyway</button>`);
  if (state.error !== null) body += banner('discover-error', 'The search failed:', state.error.message);
  const last = state.last;
  if (last !== null) {
    body +=
      `<p class="note" id="discover-summary">Searched at ${clockTime(new Date(last.at).toISOString())} on Node ${escapeHtml(last.nodeVersion)}: ` +
      `took ${formatSpan(last.durationMs)} (snapshot ${formatSpan(last.snapshotMs)}, parse ${formatSpan(last.parseMs)}, analysis ${formatSpan(last.analyzeMs)}), ` +
      `${formatBytes(last.snapshotFileBytes)} snapshot of ${groupDigits(last.snapshotNodes)} nodes, heap ${formatBytes(last.heapUsedBytes)} used.</p>`;
    if (last.refsUnavailable !== null) body += banner('discover-no-refs', 'Track is unavailable:', last.refsUnavailable);
    const canTrack = state.trackable && last.refsUnavailable === null;
    body +=
      last.candidates.length === 0
        ? `<p class="empty" id="discover-none">No large structure was found outside V8's internals (below <code>discover()</code>'s <code>minBytes</code>, 64 KiB by default).</p>`
        : `<table id="discover-candidates"><thead><tr><th>Where it is held</th><th>Type</th><th class="num">V8 retained</th><th class="num">Objects</th>` +
          `<th>Covered by</th><th></th></tr></thead><tbody>${last.candidates.map((c) => candidateRow(c, prefix, canTrack)).join('')}</tbody></table>` +
          `<p class="note">A structure is listed once, the more specific first: one that holds other listed structures comes after them. ` +
          `"Covered by" names a registered root that already reaches it.</p>`;
  }
  return `<section class="card" id="discover"><h2>Find large structures</h2>${cost}${about}${button}${body}</section>`;
}

function candidateRow(c: CandidateJSON, prefix: string, canTrack: boolean): string {
  const name = escapeHtml(c.name);
  const holds = c.contains.length === 0 ? '' : `; holds ${c.contains.map((n) => `<code>${escapeHtml(clip(n, 80))}</code>`).join(', ')}`;
  const track = c.tracked
    ? `<a href="${escapeHtml(`${prefix}?root=${encodeURIComponent(c.name)}`)}"><span class="badge">tracked</span></a>`
    : canTrack
      ? `<button type="button" data-track="${name}">Track</button>`
      : '<span class="muted">—</span>';
  return (
    `<tr data-candidate="${name}"><td><div class="type" data-path>${escapeHtml(clip(c.path, 500))}</div>` +
    `<div class="muted">root name <code>${escapeHtml(clip(c.name, 120))}</code>${holds}</div></td>` +
    `<td><code>${escapeHtml(clip(c.type, 120))}</code></td>` +
    `<td class="num" data-retained-bytes="${c.retainedBytes}">${formatBytes(c.retainedBytes)}</td><td class="num">${groupDigits(c.objects)}</td>` +
    `<td>${c.coveredBy === null ? '<span class="muted">—</span>' : `<code>${escapeHtml(clip(c.coveredBy, 120))}</code>`}</td>` +
    `<td class="num">${track}</td></tr>`
  );
}
