// npm run example: measure a structure once and print the report table, like Go memsize's Report().
import { scan, formatReport } from '../dist/index.js';

class Session {
  constructor(i) {
    this.id = `sess-${(100_000 + i).toString(36)}`;
    this.user = { name: `user ${i}`, email: `user${i}@example.com` };
    this.createdAt = Date.now() + i;
    this.history = Array.from({ length: 20 }, (_, k) => ({ path: `/page/${k}`, at: Date.now() + k }));
  }
}

const sessions = new Map();
for (let i = 0; i < 10_000; i++) {
  const session = new Session(i);
  sessions.set(session.id, session);
}

const result = scan(sessions, { paths: { depth: 2, top: 5 } });
console.log(formatReport(result, { title: 'sessions: Map of 10,000 sessions' }));
console.log('largest places:');
for (const { path, bytes } of result.paths ?? []) console.log(`  ${path.padEnd(40)} ${(bytes / 2 ** 20).toFixed(2)} MiB`);
