/**
 * The pure renderers of the two heap-snapshot cards: hostile names escaped, the cost first, the
 * unseen rows and warnings of a check (issue 20), the calibration's consequence, the candidates.
 * Results are hand-made inputs: the figures state what the page must show, not claims about V8.
 */
import { describe, expect, it } from 'vitest';
import { discoverSection, verifySection } from '../../src/report/snapshot-cards.js';
import { escapeHtml } from '../../src/report/html.js';
import { formatBytes } from '../../src/report/text.js';
import type { CandidateJSON, DiscoverJSON, DiscoverPageState, VerifyCardState } from '../../src/report/json.js';
import type { VerifyCost, VerifyResult, VerifyRootResult } from '../../src/verify/verify.js';
import { CORRECTION_BAND } from '../../src/verify/correction.js';

const EVIL = '<script>alert("x")</script>';
const cost: VerifyCost = { heapUsedBytes: 40 << 20, maxHeapBytes: 256 << 20, allowed: true, estimatedMs: 3200, estimatedPeakBytes: 300 << 20, estimatedPeakRssBytes: 400 << 20, estimatedFileBytes: 40 << 20, basis: 'a <table>' };

function candidate(over: Partial<CandidateJSON>): CandidateJSON {
  return { path: 'global › cache', steps: ['global', 'cache'], type: 'Map', retainedBytes: 4_000_000, objects: 90_000, name: 'cache', coveredBy: null, contains: [], tracked: false, ...over };
}

function discoverState(candidates: CandidateJSON[], over: Partial<DiscoverJSON> = {}, trackable = true): DiscoverPageState {
  const last: DiscoverJSON = {
    at: Date.UTC(2026, 11, 3, 12), durationMs: 4100, snapshotMs: 3000, parseMs: 600, analyzeMs: 500, heapUsedBytes: 40 << 20, rssGrowthBytes: 0,
    snapshotFileBytes: 42 << 20, snapshotNodes: 500_000, snapshotEdges: 2_000_000, cost, nodeVersion: 'v20.20.2', candidates, refsUnavailable: null, ...over,
  };
  return { cost, last, refusal: null, error: null, trackable };
}

function root(over: Partial<VerifyRootResult>): VerifyRootResult {
  return {
    name: 'sessions', error: null, v8Bytes: 2_000_000, v8Objects: 40_000, memsizeBytes: 1_000_000, memsizeObjects: 30_000, memsizeTruncated: false,
    ratio: 2, byType: [], v8Types: [], calibrated: false, warning: null, unseen: [], ...over,
  };
}

function verifyState(roots: VerifyRootResult[], over: Partial<VerifyResult> = {}): VerifyCardState {
  const last: VerifyResult = {
    at: Date.UTC(2026, 11, 3, 12), durationMs: 5000, snapshotMs: 3000, parseMs: 900, analyzeMs: 600, scanMs: 500, heapUsedBytes: 40 << 20, rssGrowthBytes: 0, peakRssBytes: null,
    snapshotFileBytes: 42 << 20, snapshotNodes: 500_000, snapshotEdges: 2_000_000, cost, nodeVersion: 'v20.20.2', roots, corrections: {}, ...over,
  };
  return { cost, last, refusal: null, error: null };
}

describe('discoverSection', () => {
  it('states the cost first, then lists candidates with path, type, bytes, objects, coveredBy and Track', () => {
    const list = [candidate({}), candidate({ path: 'module app.mjs › log', name: 'log', type: 'Array', retainedBytes: 900_000, coveredBy: 'requests', contains: ['cache'] })];
    const html = discoverSection(discoverState(list), '/memsize');
    expect(html.indexOf('id="discover-cost"')).toBeLessThan(html.indexOf('data-discover="find"'));
    expect(html).toContain(`about <b>3.2 s</b> and <b>${formatBytes(cost.estimatedPeakBytes)}</b> more memory`);
    expect(html).toContain(`searches are refused above ${formatBytes(cost.maxHeapBytes)}`);
    expect(html).toContain('Estimate from a &lt;table&gt;.');
    for (const c of list) {
      expect(html).toContain(`<tr data-candidate="${c.name}"><td><div class="type" data-path>${escapeHtml(c.path)}</div>`);
      expect(html).toContain(`data-retained-bytes="${c.retainedBytes}">${formatBytes(c.retainedBytes)}</td>`);
      expect(html).toContain(`<button type="button" data-track="${c.name}">Track</button>`);
    }
    expect(html).toContain('<td><code>requests</code></td>');
    expect(html).toContain('root name <code>log</code>; holds <code>cache</code>');
  });

  it('escapes hostile paths, names, types and messages', () => {
    const state = discoverState([candidate({ path: `global › ${EVIL}`, name: `a"${EVIL}`, type: EVIL, coveredBy: EVIL, contains: [EVIL] })]);
    state.refusal = { message: EVIL, at: 0 };
    state.error = { message: EVIL, at: 0 };
    const html = discoverSection(state, '/memsize');
    expect(html).not.toContain('<script>');
    expect(html).toContain(escapeHtml(EVIL));
  });

  it('marks a tracked candidate with a link to its root, and offers no Track without addRoot() or live objects', () => {
    const tracked = discoverSection(discoverState([candidate({ tracked: true })]), '/debug/memsize');
    expect(tracked).toContain('<a href="/debug/memsize?root=cache"><span class="badge">tracked</span></a>');
    expect(tracked).not.toContain('data-track=');
    const noAdd = discoverSection(discoverState([candidate({})], {}, false), '/memsize');
    expect(noAdd).not.toContain('data-track=');
    expect(noAdd).toContain('memsize.addRoot(name, candidate.ref())');
    const noRefs = discoverSection(discoverState([candidate({})], { refsUnavailable: 'the inspector is unavailable (off)' }), '/memsize');
    expect(noRefs).not.toContain('data-track=');
    expect(noRefs).toContain('Track is unavailable:</b> the inspector is unavailable (off)');
  });

  it('says so when nothing large was found, and renders nothing without a source that can search', () => {
    expect(discoverSection(discoverState([]), '/memsize')).toContain('id="discover-none"');
    expect(discoverSection(undefined, '/memsize')).toBe('');
  });
});

describe('verifySection: what V8 sees that memsize does not (issue 20) and calibration', () => {
  it("shows each root's warning and its unseen types, with the gap", () => {
    const warning = `memsize sees 0.01% of what V8 retains (ratio 4761.0x, outside 0.25-4x): ${EVIL}`;
    const unseen = [{ type: 'Map', v8Bytes: 14_000_000, memsizeBytes: 0 }, { type: EVIL, v8Bytes: 500_000, memsizeBytes: 100 }];
    const html = verifySection(verifyState([root({ name: 'lru', ratio: 4761, warning, unseen }), root({})]));
    expect(html).toContain(`<p class="banner" data-verify-warning="lru"><b>lru:</b> ${escapeHtml(warning)}</p>`);
    expect(html).not.toContain('<script>');
    for (const u of unseen) {
      expect(html).toContain(`<tr data-unseen-root="lru" data-unseen-type="${escapeHtml(u.type)}">`);
      expect(html).toContain(`data-unseen-v8-bytes="${u.v8Bytes}">${formatBytes(u.v8Bytes)}</td><td class="num">${formatBytes(u.memsizeBytes)}</td><td class="num grow">${formatBytes(u.v8Bytes - u.memsizeBytes)}</td>`);
    }
    expect(html).toContain('<span class="badge err" title="see below: what V8 sees that memsize does not">look</span>');
  });

  it('says "nothing large" when no root has unseen types or a warning', () => {
    const html = verifySection(verifyState([root({})]));
    expect(html).toContain('id="verify-unseen-none"');
    expect(html).not.toContain('id="verify-unseen"');
  });

  it('states what keeping the ratios does before the click, with the band and which roots it would keep', () => {
    const html = verifySection(verifyState([root({ name: 'sessions', ratio: 2.1 }), root({ name: 'lru', ratio: 40 }), root({ name: 'gone', error: 'the root was garbage-collected' })]));
    const consequence = html.slice(html.indexOf('id="verify-calibrate-consequence"'), html.indexOf('data-verify="calibrate"'));
    expect(consequence).toContain('<code>memsize_root_bytes</code> of that root');
    expect(consequence).toContain('multiplied by the ratio, until a later calibrating check replaces it');
    expect(consequence).toContain(`A ratio outside ${CORRECTION_BAND.min}-${CORRECTION_BAND.max}× is refused`);
    expect(consequence).toContain('it would keep <code>sessions</code> (2.10×) and refuse <code>lru</code> (40.00×)');
    expect(consequence).not.toContain('gone');
    expect(html).toContain('<button type="button" data-verify="calibrate">Keep these ratios as corrections</button>');
  });

  it('names the roots a calibrating check kept, and a refused calibrating check runs anyway with calibrate', () => {
    const state = verifyState([root({ calibrated: true })], { corrections: { sessions: { checkedAt: 0, v8Bytes: 2, memsizeBytes: 1, ratio: 2, types: {}, unmatchedRatio: 0 } } });
    expect(verifySection(state)).toContain('This check kept the ratios of <code>sessions</code> as corrections.');
    const refused: VerifyCardState = { cost, last: null, refusal: { message: 'too big', at: 0 }, error: null, refusedCalibrate: true };
    const html = verifySection(refused);
    expect(html).toContain('<button type="button" data-verify="force" data-calibrate="true">Run anyway</button>');
    // No check yet: nothing to keep.
    expect(html).not.toContain('data-verify="calibrate"');
  });
});
