// The demo's "application": a tiny shop with the state a real service grows, and one bug.
//
// - SessionStore: a Map of Session objects, expired after a TTL (stays bounded).
// - LruCache: rendered product pages, fills up to its capacity, then evicts (stays bounded).
// - RequestLog: keeps the last few hundred entries in a ring, and by mistake also indexes every
//   entry by request id for "correlation" and never prunes that index: the deliberate slow leak.
//   memsize shows it as the `requestLog` root growing, `LogEntry` the type that grows, and
//   `byId › <Map value>` the place under the root that holds it.
//
// Plain JavaScript, no dependencies: the HTTP server and the traffic generator both call
// `shop.handle()`, so simulated and real requests take the same path.

import { randomBytes } from 'node:crypto';

export class CartItem {
  constructor(productId, quantity, priceCents) {
    this.productId = productId;
    this.quantity = quantity;
    this.priceCents = priceCents;
  }
}

export class Session {
  constructor(id, user, now) {
    this.id = id;
    this.user = user;
    this.createdAt = now;
    this.lastSeen = now;
    this.cart = [];
    /** Last pages visited, newest last (bounded). */
    this.history = [];
  }
}

export class SessionStore {
  constructor({ ttlMs, maxHistory = 30 }) {
    this.ttlMs = ttlMs;
    this.maxHistory = maxHistory;
    this.sessions = new Map();
  }

  create(user, now) {
    const session = new Session(randomBytes(12).toString('base64url'), user, now);
    this.sessions.set(session.id, session);
    return session;
  }

  touch(id, page, now) {
    const session = this.sessions.get(id);
    if (session === undefined) return undefined;
    session.lastSeen = now;
    session.history.push(page);
    if (session.history.length > this.maxHistory) session.history.shift();
    return session;
  }

  expire(now) {
    for (const [id, session] of this.sessions) {
      if (now - session.lastSeen > this.ttlMs) this.sessions.delete(id);
    }
  }
}

export class CacheEntry {
  constructor(key, html, now) {
    this.key = key;
    this.html = html;
    this.etag = `"${randomBytes(8).toString('hex')}"`;
    this.renderedAt = now;
  }
}

/** Least-recently-used cache on a Map (insertion order = recency). */
export class LruCache {
  constructor(capacity) {
    this.capacity = capacity;
    this.entries = new Map();
    this.hits = 0;
    this.misses = 0;
    this.evictions = 0;
  }

  get(key) {
    const entry = this.entries.get(key);
    if (entry === undefined) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry;
  }

  set(key, entry) {
    this.entries.delete(key);
    this.entries.set(key, entry);
    while (this.entries.size > this.capacity) {
      this.entries.delete(this.entries.keys().next().value);
      this.evictions++;
    }
  }
}

export class LogEntry {
  constructor(id, method, path, status, durationMs, userAgent, now) {
    this.id = id;
    this.method = method;
    this.path = path;
    this.status = status;
    this.durationMs = durationMs;
    this.userAgent = userAgent;
    this.at = new Date(now).toISOString();
  }
}

export class RequestLog {
  constructor({ recentSize, leakCap }) {
    this.recentSize = recentSize;
    this.recent = [];
    // THE BUG: meant for correlating a request with its log entry while it is in flight, but
    // nothing ever deletes from it. (`leakCap` keeps a demo left running for days from eating
    // all memory; a real leak would have no such mercy.)
    this.byId = new Map();
    this.leakCap = leakCap;
    this.count = 0;
  }

  add(entry) {
    this.count++;
    this.recent.push(entry);
    if (this.recent.length > this.recentSize) this.recent.shift();
    if (this.byId.size < this.leakCap) this.byId.set(entry.id, entry);
  }
}

const PRODUCT_NAMES = ['kettle', 'teapot', 'mug', 'grinder', 'scale', 'filter', 'beans', 'dripper', 'carafe', 'spoon'];

function renderProduct(id) {
  const name = `${PRODUCT_NAMES[id % PRODUCT_NAMES.length]} #${id}`;
  const reviews = Array.from({ length: 3 + (id % 5) }, (_, i) => `<li>review ${i + 1} of ${name}: ${'★'.repeat(1 + ((id + i) % 5))}</li>`);
  return `<article><h1>${name}</h1><p>${(id * 37) % 9000 / 100} EUR</p><ul>${reviews.join('')}</ul></article>`;
}

/** The shop: its state, and one entry point for requests (simulated or real). */
export function createShop({ sessionTtlMs = 60_000, cacheCapacity = 800, recentLogSize = 300, leakCap = 100_000, products = 5_000 } = {}) {
  const sessions = new SessionStore({ ttlMs: sessionTtlMs });
  const cache = new LruCache(cacheCapacity);
  const requestLog = new RequestLog({ recentSize: recentLogSize, leakCap });
  let nextRequestId = 1;

  function route(method, path, sessionId, now) {
    const product = /^\/products\/(\d+)$/.exec(path);
    if (method === 'GET' && product !== null) {
      const id = Number(product[1]);
      if (id >= products) return { status: 404, body: 'no such product\n' };
      if (sessionId !== undefined) sessions.touch(sessionId, path, now);
      let entry = cache.get(path);
      if (entry === undefined) {
        entry = new CacheEntry(path, renderProduct(id), now);
        cache.set(path, entry);
      }
      return { status: 200, body: entry.html, type: 'text/html' };
    }
    if (method === 'POST' && path === '/login') {
      const n = nextRequestId % 100_000;
      const session = sessions.create({ id: n, name: `user${n}`, email: `user${n}@example.test` }, now);
      return { status: 200, body: JSON.stringify({ session: session.id }), type: 'application/json' };
    }
    if (method === 'POST' && /^\/cart\/\d+$/.test(path)) {
      const session = sessionId === undefined ? undefined : sessions.touch(sessionId, path, now);
      if (session === undefined) return { status: 401, body: 'log in first\n' };
      const id = Number(path.slice('/cart/'.length));
      session.cart.push(new CartItem(id, 1 + (id % 3), (id * 37) % 9000));
      return { status: 200, body: JSON.stringify({ items: session.cart.length }), type: 'application/json' };
    }
    return { status: 404, body: 'not found\n' };
  }

  /** Handle one request; every request is logged (and leaked). */
  function handle(method, path, { sessionId, userAgent = 'demo-traffic/1.0', now = Date.now() } = {}) {
    const started = performance.now();
    const response = route(method, path, sessionId, now);
    const id = `req-${nextRequestId++}`;
    requestLog.add(new LogEntry(id, method, path, response.status, performance.now() - started, userAgent, now));
    return response;
  }

  return { sessions, cache, requestLog, handle, products };
}
