// Simulated users for the demo: a bounded number of requests per second through shop.handle(),
// so the roots change on their own (sessions come and go, the cache fills and evicts, the request
// log leaks). Bounded: at most `rps` requests per second, in ticks of 100 ms.

const TICK_MS = 100;
const MAX_TRACKED_SESSIONS = 400;

/**
 * Start generating traffic. Returns a function that stops it.
 * `leakPerSecond` adds that many product-page requests a second on top (a crawler, say): each is
 * logged and leaked like any other, so the leak grows as fast as asked.
 * @param {ReturnType<import('./shop.mjs').createShop>} shop
 * @param {{ rps: number, leakPerSecond?: number, random?: () => number }} options
 */
export function startTraffic(shop, { rps, leakPerSecond = 0, random = Math.random }) {
  const sessionIds = [];
  let owed = 0;
  let lastExpiry = Date.now();

  function one(now) {
    const roll = random();
    if (roll < 0.08 || sessionIds.length === 0) {
      const { body } = shop.handle('POST', '/login', { now });
      sessionIds.push(JSON.parse(body).session);
      if (sessionIds.length > MAX_TRACKED_SESSIONS) sessionIds.shift(); // that user left; their session expires
      return;
    }
    const sessionId = sessionIds[Math.floor(random() * sessionIds.length)];
    // Popular products are viewed far more often (a skewed distribution keeps the cache useful).
    const productId = Math.floor(shop.products * random() ** 3);
    if (roll < 0.25) shop.handle('POST', `/cart/${productId}`, { sessionId, now });
    else shop.handle('GET', `/products/${productId}`, { sessionId, now });
  }

  const timer = setInterval(() => {
    const now = Date.now();
    owed += (rps * TICK_MS) / 1000;
    const count = Math.min(Math.floor(owed), Math.ceil((rps * TICK_MS) / 1000));
    owed -= count;
    for (let i = 0; i < count; i++) one(now);
    const crawled = Math.round((leakPerSecond * TICK_MS) / 1000);
    for (let i = 0; i < crawled; i++) shop.handle('GET', `/products/${Math.floor(shop.products * random())}`, { userAgent: 'demo-crawler/1.0', now });
    if (now - lastExpiry >= 1000) {
      shop.sessions.expire(now);
      lastExpiry = now;
    }
  }, TICK_MS);
  timer.unref();
  return () => clearInterval(timer);
}
