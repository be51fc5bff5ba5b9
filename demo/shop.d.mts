// Types for shop.mjs, for the tests that build the demo's shop in process.

export interface RequestLog {
  count: number;
  recent: unknown[];
  byId: Map<string, unknown>;
}

export interface Shop {
  sessions: { sessions: Map<string, unknown> };
  cache: { entries: Map<string, unknown> };
  requestLog: RequestLog;
  products: number;
  handle(method: string, path: string, options?: { sessionId?: string; userAgent?: string; now?: number }): { status: number; body: string; type?: string };
}

export declare function createShop(options?: {
  sessionTtlMs?: number;
  cacheCapacity?: number;
  recentLogSize?: number;
  leakCap?: number;
  products?: number;
}): Shop;
