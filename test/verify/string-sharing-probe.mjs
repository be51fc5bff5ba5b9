// Does memsize's walk change how V8 holds the strings it visits? Builds 2,000 rows of two strings
// decoded from Buffers, counts the strings V8 retains under the rows (one heap snapshot each),
// runs scan(rows) once, and counts again. Cited in docs/verify.md (Node 26 vs 24).
//
//   npm run build && node test/verify/string-sharing-probe.mjs
import { scan } from '../../dist/index.js';
import { measureTargets } from '../../dist/verify/retained.js';

const flat = (s) => Buffer.from(s, 'latin1').toString('latin1');
class Row { constructor(id, tags) { this.id = id; this.tags = tags; } }
const rows = [];
for (let i = 0; i < 2000; i++) rows.push(new Row(i, [flat(`tag-t-${i}`), flat(`tag-u-${i}`)]));
const retainedStrings = () => measureTargets({ rows }).targets.get('rows')?.labels.get('string')?.objects ?? 0;
console.log(`Node ${process.version}: strings retained by the rows (4,000 made)`);
console.log('  before any scan:', retainedStrings());
console.log('  again:          ', retainedStrings());
scan(rows);
console.log('  after one scan: ', retainedStrings());
