// The sample scrape in README.md: startPrometheus() on a free port, one root (a Map of 1,000 small
// sessions), at most 4 type series, one scrape of /metrics; prints the memsize_ sample lines.
//   npm run build && node examples/scrape-sample.mjs
import { startPrometheus } from '../dist/prometheus.js';

class Session {
  constructor(i) {
    this.id = `s-${100_000 + i}`;
    this.user = `user${i}`;
    this.createdAt = Date.now() + i;
    this.pages = [`/p/${i % 10}`];
  }
}

const sessions = new Map();
for (let i = 0; i < 1000; i++) {
  const session = new Session(i);
  sessions.set(session.id, session);
}
const memsize = await startPrometheus({ port: 0, maxTypes: 4 });
memsize.addRoot('sessions', sessions);
const text = await (await fetch(memsize.url)).text();
console.log(text.split('\n').filter((line) => line.startsWith('memsize_')).join('\n'));
await memsize.shutdown();
