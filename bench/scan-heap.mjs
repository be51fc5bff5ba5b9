// The heap of `npm run bench` (scan.bench.mjs) and of the walk profile (scan.profile.mjs): a Map
// of session objects keyed by a unique id, each with heap-number timestamps, a short ip string,
// a shared role list and a one-item cart of class instances (about 9 heap things per session).

const T0 = 1_767_000_000_000; // ms epoch: beyond Smi range, so timestamps are heap numbers
class CartItem {
  constructor(sku, qty) {
    this.sku = sku;
    this.qty = qty;
  }
}
class Session {
  constructor(i) {
    this.id = `sess-${(i * 2654435761 >>> 0).toString(36)}-${i.toString(36)}`; // unique, also the Map key
    this.userId = i % 50_000;
    this.createdAt = T0 + i * 37;
    this.lastSeen = T0 + i * 53;
    this.ip = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
    this.roles = ROLES[i % ROLES.length]; // shared role lists
    this.cart = [new CartItem(`sku-${(i * 7919) % 100_000}`, 1 + (i % 3))];
  }
}
const ROLES = [['user'], ['user', 'admin'], ['guest']];

export function buildSessions(n) {
  const m = new Map();
  for (let i = 0; i < n; i++) {
    const s = new Session(i);
    m.set(s.id, s);
  }
  return m;
}

