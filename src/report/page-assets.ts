/**
 * The report page's inline stylesheet and script, as constants, and the Content-Security-Policy
 * that allows exactly them. The script is static (the page passes data through `data-*`
 * attributes), so the policy pins it by hash and no other script can run on the page.
 */
import { createHash } from 'node:crypto';

export const PAGE_CSS = `
:root{--bg:#f5f6f8;--card:#fff;--fg:#1d2330;--muted:#667085;--line:#e3e6ec;--accent:#3867d6;
--accent-soft:#dfe7fb;--on-accent:#fff;--grow:#c2381f;--shrink:#1d8a4e;--warn-bg:#fff4d6;--warn-fg:#7a5300;
--mono:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace}
@media (prefers-color-scheme:dark){:root{--bg:#14161b;--card:#1d2027;--fg:#e6e8ee;--muted:#9aa3b5;
--line:#2d313b;--accent:#7d9cf0;--accent-soft:#2a3450;--on-accent:#0d1220;--grow:#ff7b63;--shrink:#53c98a;
--warn-bg:#3b3116;--warn-fg:#f3cf75}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
header{display:flex;align-items:baseline;gap:16px;flex-wrap:wrap;padding:14px 28px;background:var(--card);border-bottom:1px solid var(--line)}
header .brand{font-weight:700;font-size:18px;letter-spacing:.2px}
header .brand span{color:var(--accent)}
header .sub{color:var(--muted)}
header .meta{margin-left:auto;color:var(--muted);font-size:13px}
#memsize-status{min-height:22px;margin:10px 28px 0;color:var(--muted)}
#memsize-status.error{color:var(--grow);font-weight:600}
main{padding:6px 28px 28px;display:grid;gap:18px;max-width:1280px}
.card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:16px 20px}
h2{font-size:16px;margin:0 0 12px}
h3{font-size:14px;margin:22px 0 8px;color:var(--muted);text-transform:uppercase;letter-spacing:.6px}
h2 code,td code{font-family:var(--mono);font-size:13px}
table{border-collapse:collapse;width:100%}
th{text-align:left;font-weight:600;color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.4px;border-bottom:1px solid var(--line);padding:6px 10px}
td{padding:6px 10px;border-bottom:1px solid var(--line);vertical-align:middle}
tbody tr:last-child td{border-bottom:0}
tfoot td{font-weight:600;border-top:2px solid var(--line);border-bottom:0}
.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
th.num{text-align:right}
.type{font-family:var(--mono);font-size:13px;word-break:break-all}
.muted{color:var(--muted)}
.grow{color:var(--grow)}
.shrink{color:var(--shrink)}
tr.selected td{background:var(--accent-soft)}
a{color:var(--accent);text-decoration:none}
a:hover{text-decoration:underline}
button{font:inherit;font-weight:600;color:var(--on-accent);background:var(--accent);border:0;border-radius:6px;padding:5px 14px;cursor:pointer;min-width:84px}
button:disabled{opacity:.55;cursor:progress}
.badge{display:inline-block;font-size:11px;font-weight:700;padding:1px 7px;border-radius:10px;margin-left:6px;background:var(--warn-bg);color:var(--warn-fg);vertical-align:1px}
.badge.err{background:var(--grow);color:#fff}
.tiles{display:grid;grid-template-columns:repeat(auto-fit,minmax(180px,1fr));gap:12px}
.tile{border:1px solid var(--line);border-radius:8px;padding:10px 14px}
.tile .label{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.4px}
.tile .value{font-size:22px;font-weight:650;font-variant-numeric:tabular-nums;margin-top:2px}
.tile .hint{color:var(--muted);font-size:12px}
.banner{margin:12px 0 0;padding:8px 12px;border-radius:8px;background:var(--warn-bg);color:var(--warn-fg)}
.share{display:flex;align-items:center;gap:8px;min-width:150px}
.bar{flex:1;height:8px;background:var(--line);border-radius:4px;overflow:hidden}
.bar>i{display:block;height:100%;background:var(--accent);border-radius:4px}
.share .pct{width:48px;text-align:right;font-variant-numeric:tabular-nums;color:var(--muted)}
.empty{color:var(--muted);padding:12px 0}
.note{color:var(--muted);font-size:12px;margin:-4px 0 6px}
footer{color:var(--muted);font-size:12px;padding:0 28px 24px;max-width:1280px}
footer code{font-family:var(--mono)}
`;

/**
 * Scan buttons POST with a JSON body and a custom header: a cross-site form can send neither,
 * and a cross-origin fetch carrying them needs a CORS preflight that the handler never grants.
 * After a scan the script fetches the page again and swaps `<main>`, so every text on the page
 * is still rendered (and escaped) by the server. The heavier buttons (check against V8, keep its
 * ratios, find large structures, Track) post the same way and reload the same way: the server
 * renders their outcome, refusals with their "Run anyway" button included.
 */
export const PAGE_SCRIPT = `
(() => {
  'use strict';
  const prefix = document.body.dataset.prefix;
  const status = document.getElementById('memsize-status');
  let busy = false;
  // Scans are paced by the server (minIntervalMs): wait for the next slot here instead of
  // asking too soon and being told 429.
  const minIntervalMs = Number(document.body.dataset.minIntervalMs) || 0;
  let notBefore = Date.now() + (Number(document.body.dataset.nextScanInMs) || 0);
  const say = (text, isError) => { status.textContent = text; status.className = isError ? 'error' : ''; };
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  const messageOf = (err) => (err && err.message ? err.message : String(err));
  function post(path, body) {
    return fetch(prefix + path, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-Memsize-Scan': '1', Accept: 'application/json' },
      body: JSON.stringify(body),
    });
  }
  // One paced POST: wait for the slot, and once more for the slot the server names if another
  // client took it meanwhile. Answers the response and its JSON body.
  async function postPaced(path, body) {
    const waitFirstMs = notBefore - Date.now();
    if (waitFirstMs > 0) {
      say('Scans are paced: waiting ' + (waitFirstMs / 1000).toFixed(1) + ' s…', false);
      await sleep(waitFirstMs + 50);
    }
    let res = await post(path, body);
    if (res.status === 429) {
      const waitMs = Number((await res.json()).retryAfterMs) || 1000;
      if (waitMs > 15000) throw new Error('too soon: the next scan is allowed in ' + Math.ceil(waitMs / 1000) + ' s');
      say('Scans are paced: waiting ' + (waitMs / 1000).toFixed(1) + ' s…', false);
      await sleep(waitMs);
      res = await post(path, body);
    }
    const answer = await res.json().catch(() => ({}));
    notBefore = Date.now() + minIntervalMs;
    return { res, answer };
  }
  async function reload(root) {
    const url = new URL(location.href);
    if (root !== null) url.searchParams.set('root', root);
    url.searchParams.delete('format');
    const res = await fetch(url, { headers: { Accept: 'text/html' }, credentials: 'same-origin' });
    if (!res.ok) throw new Error('reloading the page answered ' + res.status);
    const doc = new DOMParser().parseFromString(await res.text(), 'text/html');
    const next = doc.getElementById('memsize-main');
    const current = document.getElementById('memsize-main');
    if (next === null || current === null) throw new Error('the page has no report section');
    current.replaceWith(document.adoptNode(next));
    const meta = doc.getElementById('memsize-meta');
    const currentMeta = document.getElementById('memsize-meta');
    if (meta !== null && currentMeta !== null) currentMeta.replaceWith(document.adoptNode(meta));
    history.replaceState(null, '', url);
  }
  // One task at a time: every button is disabled while it runs, and the page is reloaded after.
  async function run(button, busyText, waitText, task) {
    busy = true;
    for (const b of document.querySelectorAll('button')) b.disabled = true;
    button.textContent = busyText;
    say(waitText, false);
    try {
      await task();
    } finally {
      busy = false;
      // After a reload these are new buttons; without one, the old ones get their labels back.
      for (const b of document.querySelectorAll('button')) b.disabled = false;
      if (button.isConnected) button.textContent = button.dataset.label || button.textContent;
    }
  }
  async function scan(button) {
    const root = button.dataset.root;
    await run(button, 'Scanning…', 'Scanning ' + root + '… (the walk blocks the event loop while it runs)', async () => {
      try {
        const { res, answer } = await postPaced('/scan', { root });
        if (!res.ok) throw new Error(answer.error || ('the server answered ' + res.status));
        await reload(root);
        const last = answer.root && answer.root.last;
        say(last ? 'Scanned ' + root + ' in ' + last.durationMs.toFixed(1) + ' ms.' : 'Scanned ' + root + '.', false);
      } catch (err) {
        say('Scan failed: ' + messageOf(err), true);
      }
    });
  }
  // Check against V8: the cost is on the page before the click; a refusal comes back as 409 and
  // is rendered by the server with its "Run anyway" button, which posts force: true (and
  // calibrate: true when the refused check was to keep its ratios).
  async function verify(button) {
    const kind = button.dataset.verify;
    const calibrate = kind === 'calibrate' || button.dataset.calibrate === 'true';
    const body = { force: kind === 'force', calibrate };
    await run(button, 'Checking…', 'Taking a heap snapshot and comparing… (this blocks the server while it runs)', async () => {
      try {
        const { res, answer } = await postPaced('/verify', body);
        await reload(null);
        if (res.status === 409) say('Check refused: ' + (answer.error || 'the heap is above the limit'), true);
        else if (!res.ok) throw new Error(answer.error || ('the server answered ' + res.status));
        else {
          const kept = Object.keys(answer.verify.corrections || {});
          const seconds = (answer.verify.durationMs / 1000).toFixed(1);
          say(calibrate
            ? 'Checked against V8 in ' + seconds + ' s and kept ' + kept.length + ' of ' + answer.verify.roots.length + ' ratios as corrections' + (kept.length > 0 ? ' (' + kept.join(', ') + ').' : '.')
            : 'Checked against V8 in ' + seconds + ' s.', false);
        }
      } catch (err) {
        say('Check failed: ' + messageOf(err), true);
      }
    });
  }
  // Find large structures: as the check, refusal and "Run anyway" included.
  async function discover(button) {
    await run(button, 'Searching…', 'Taking a heap snapshot and looking for the largest structures… (this blocks the server while it runs)', async () => {
      try {
        const { res, answer } = await postPaced('/discover', { force: button.dataset.discover === 'force' });
        await reload(null);
        if (res.status === 409) say('Search refused: ' + (answer.error || 'the heap is above the limit'), true);
        else if (!res.ok) throw new Error(answer.error || ('the server answered ' + res.status));
        else say('Found ' + answer.discover.candidates.length + ' large structures in ' + (answer.discover.durationMs / 1000).toFixed(1) + ' s.', false);
      } catch (err) {
        say('Search failed: ' + messageOf(err), true);
      }
    });
  }
  // Track: register a found structure as a root, then show that root (press Scan to measure it).
  async function track(button) {
    const candidate = button.dataset.track;
    await run(button, 'Tracking…', 'Registering ' + candidate + ' as a root… (V8 looks the object up: this blocks the server briefly)', async () => {
      try {
        const { res, answer } = await postPaced('/track', { candidate });
        if (!res.ok) throw new Error(answer.error || ('the server answered ' + res.status));
        await reload(answer.root);
        say('Tracking ' + answer.path + ' as the root ' + answer.root + ': press Scan to measure it.', false);
      } catch (err) {
        say('Track failed: ' + messageOf(err), true);
      }
    });
  }
  const actions = [['button[data-root]', scan], ['button[data-verify]', verify], ['button[data-discover]', discover], ['button[data-track]', track]];
  document.addEventListener('click', (event) => {
    if (busy || !(event.target instanceof Element)) return;
    for (const [selector, action] of actions) {
      const button = event.target.closest(selector);
      if (button === null) continue;
      event.preventDefault();
      if (!button.dataset.label) button.dataset.label = button.textContent;
      void action(button);
      return;
    }
  });
})();
`;

const SCRIPT_HASH = createHash('sha256').update(PAGE_SCRIPT).digest('base64');

/**
 * The page's Content-Security-Policy: only its own inline script (by hash) runs, fetches go only
 * to the same origin, nothing loads from elsewhere, no framing, no form posts.
 */
export const PAGE_CSP = [
  "default-src 'none'",
  `script-src 'sha256-${SCRIPT_HASH}'`,
  "style-src 'unsafe-inline'",
  "img-src data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
