/**
 * Small text helpers shared by the report page's renderers (html.ts and snapshot-cards.ts).
 * Pure: no I/O, no clock.
 */

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escape a string for HTML text and double- or single-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** Long user-made names stay readable and cannot blow up the page's width or size. */
export function clip(text: string, max = 300): string {
  return text.length > max ? text.slice(0, max) + '…' : text;
}

export function groupDigits(n: number): string {
  const sign = n < 0 ? '-' : '';
  return sign + String(Math.abs(Math.round(n))).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

export function formatSpan(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${(ms / 60_000).toFixed(1)} min`;
}

export function clockTime(iso: string): string {
  return iso.slice(11, 19) + ' UTC';
}
