/**
 * The HTTP plumbing of the report page: answers with the common headers, client errors with their
 * status, the request body with a size and time limit, and the checks that keep scans to the
 * page's own script. No report logic lives here.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { describeValue } from '../errors.js';

const MAX_BODY_BYTES = 4096;
const BODY_TIMEOUT_MS = 10_000;
/** The page's script sends this header with every scan; a cross-site form cannot. */
export const SCAN_HEADER = 'x-memsize-scan';

/** A client error with the status to answer it with. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

const COMMON_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

export function send(res: ServerResponse, status: number, type: string, body: string, headers: Record<string, string> = {}, head = false): void {
  res.writeHead(status, {
    ...COMMON_HEADERS,
    'content-type': `${type}; charset=utf-8`,
    'content-length': String(Buffer.byteLength(body)),
    ...headers,
  });
  res.end(head ? undefined : body);
}

export function sendJSON(res: ServerResponse, status: number, data: unknown, headers: Record<string, string> = {}, head = false): void {
  send(res, status, 'application/json', JSON.stringify(data), headers, head);
}

export function wantsJSON(req: IncomingMessage, format: string | null): boolean {
  if (format !== null) return format === 'json';
  const accept = req.headers.accept ?? '';
  return accept.includes('application/json') && !accept.includes('text/html');
}

/** The request body as text: at most MAX_BODY_BYTES, within BODY_TIMEOUT_MS, else an HttpError (413, 408). */
export function readBody(req: IncomingMessage): Promise<string> {
  // Connect/Express body parsers may have consumed the stream already and left the result here.
  const parsed = (req as IncomingMessage & { body?: unknown }).body;
  if (parsed !== undefined && parsed !== null && typeof parsed === 'object' && !Buffer.isBuffer(parsed)) {
    return Promise.resolve(JSON.stringify(parsed));
  }
  if (req.readableEnded) return Promise.resolve(typeof parsed === 'string' ? parsed : '');
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    const timer = setTimeout(() => finish(new HttpError(408, 'the request body did not arrive in time')), BODY_TIMEOUT_MS);
    const finish = (error: Error | null) => {
      clearTimeout(timer);
      req.removeListener('data', onData).removeListener('end', onEnd).removeListener('error', onError);
      if (error === null) resolve(Buffer.concat(chunks).toString('utf8'));
      else {
        req.resume(); // drain what is left so the connection can answer
        reject(error);
      }
    };
    const onData = (chunk: Buffer) => {
      length += chunk.length;
      if (length > MAX_BODY_BYTES) finish(new HttpError(413, `the request body is larger than ${MAX_BODY_BYTES} bytes`));
      else chunks.push(chunk);
    };
    const onEnd = () => finish(null);
    const onError = (error: Error) => finish(error);
    req.on('data', onData).on('end', onEnd).on('error', onError);
  });
}

/**
 * Only the report page itself may start a scan or a check: a same-origin request (browsers say so
 * in Sec-Fetch-Site), with the header the page's script sends (a cross-site form cannot send it),
 * and a JSON body (which a cross-site form cannot send without a CORS preflight either).
 */
export function checkScanRequest(req: IncomingMessage): void {
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') {
    throw new HttpError(403, `scans are accepted only from the report page itself (Sec-Fetch-Site: ${site})`);
  }
  if (req.headers[SCAN_HEADER] === undefined) {
    throw new HttpError(403, 'a scan needs the X-Memsize-Scan header, which the report page sends');
  }
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') {
    throw new HttpError(415, `a scan needs Content-Type: application/json, got ${describeValue(type || undefined)}`);
  }
}

/**
 * A POST body as a JSON object holding only `known` fields (an empty body is `{}`); the caller
 * checks each field's type. Throws a 400 HttpError naming the problem: not JSON, not an object,
 * or a field that is not one of `known`.
 *
 * @param example - a valid body, quoted in the error, e.g. `{"force": false}`.
 */
export function parseBodyFields(text: string, known: readonly string[], example: string): Record<string, unknown> {
  if (text.trim() === '') return {};
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new HttpError(400, `the request body must be JSON like ${example}`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new HttpError(400, `the request body must be a JSON object like ${example}, got ${describeValue(body)}`);
  }
  for (const key of Object.keys(body)) {
    if (!known.includes(key)) throw new HttpError(400, `the body's ${describeValue(key)} is not a field of this request (known: ${known.join(', ')})`);
  }
  return body as Record<string, unknown>;
}
