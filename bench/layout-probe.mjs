// Layout probe: how does V8 account for each kind of value? Builds small single-kind values,
// takes ONE heap snapshot, and prints for each its retained size and every retained node
// (snapshot node type, name, self_size). The outputs for Node 20, 22 and 24 are committed as
// bench/layout-probe-node<major>.txt; the size model's constants cite them.
//
//   node bench/layout-probe.mjs > bench/layout-probe-node$(node -p 'process.versions.node.split(".")[0]').txt
//
// Method. Every case is a factory; it is called 8 times (class constructors finish in-object slack
// tracking after 7 instantiations), and the last two results are held: the subject and a twin
// built the same way. The twin keeps shared things (hidden classes, descriptor arrays, code,
// prototypes) out of the subject's retained set, so "retained" is the per-instance cost. Cases
// marked "alone" are held without a twin, to show what a value with a unique shape retains.
// Strings are built at run time (and flattened where it says so) because literals are
// internalized and shared with the code that mentions them.

import * as H from '../test/support/heap-graph.mjs';

const LIST_LIMIT = 14; // list every retained node up to this many, else group them

// ---- helpers that build strings of a known representation --------------------------------
/** A flat sequential one-byte string of `n` chars (Latin-1 decode of a Buffer). */
const oneByte = (n, c = 97) => Buffer.alloc(n, c).toString('latin1');
/** A flat sequential two-byte string of `n` chars (UTF-16 decode of a Buffer). */
const twoByte = (n) => {
  const b = Buffer.alloc(n * 2);
  for (let i = 0; i < n; i++) b.writeUInt16LE(0x4e00 + (i % 200), i * 2);
  return b.toString('utf16le');
};
let serial = 0;
/** A distinct flat one-byte string of `n` chars (a serial number padded with 'a'). */
const distinctOneByte = (n) => {
  const b = Buffer.alloc(n, 97);
  b.write(String(++serial), 0, 'latin1');
  return b.toString('latin1');
};

const cases = [];
/** Register a case; `alone` means no twin is held. */
const probe = (name, factory, { alone = false } = {}) => cases.push({ name, factory, alone });

// ---- plain objects -----------------------------------------------------------------------------
probe('object literal {}', () => ({}));
probe('new Object()', () => new Object());
probe('Object.create(null)', () => Object.create(null));
for (const n of [1, 2, 3, 4, 5, 6, 8, 10]) {
  // Literal with n Smi properties: fresh literal site per n, via Function so each n has its own boilerplate.
  const body = `return {${Array.from({ length: n }, (_, i) => `p${i}: ${i}`).join(', ')}};`;
  probe(`object literal with ${n} props`, new Function(body));
}
for (const n of [0, 1, 2, 4, 6, 8, 10, 12]) {
  const body = `return class C${n} { constructor() { ${Array.from({ length: n }, (_, i) => `this.p${i} = ${i};`).join(' ')} } };`;
  const C = new Function(body)();
  probe(`class instance with ${n} fields`, () => new C());
}
for (const n of [1, 4, 5, 8, 10, 20]) {
  probe(`{} with ${n} props added later`, () => {
    const o = {};
    for (let i = 0; i < n; i++) o['q' + i] = i;
    return o;
  });
}
probe('literal {a,b,c} then one prop added', () => {
  const o = { a: 1, b: 2, c: 3 };
  o.d = 4;
  return o;
});
probe('dictionary mode: delete a prop', () => {
  const o = { a: 1, b: 2, c: 3 };
  delete o.b;
  return o;
});
for (const n of [10, 13, 16, 17, 20, 50, 100, 200, 500, 1000]) {
  probe(`dictionary mode: ${n} dynamic keys (object as hash map)`, () => {
    const o = {};
    for (let i = 0; i < n; i++) o['key' + i] = i;
    return o;
  });
}
probe('object with 10 integer keys (elements)', () => {
  const o = {};
  for (let i = 0; i < 10; i++) o[i] = i;
  return o;
});
probe('JSON.parse of {"id":7,"name":"abc...","tags":["x","y"]}', () => JSON.parse('{"id":7,"name":"abcdefghijklmnopqrstu","score":1.25,"tags":["x","y"]}'));
probe('JSON.parse of an array of 10 small records', () => JSON.parse(JSON.stringify(Array.from({ length: 10 }, (_, i) => ({ id: i, ok: true })))));
probe('frozen {a,b}', () => Object.freeze({ a: 1, b: 2 }));
probe('heap number field {x: 1.5}', () => ({ x: 1.5 }));
probe('heap number field, computed {x: i + 0.5}', () => ({ x: ++serial + 0.5 }));
probe('object with a 20-char one-byte string field', () => ({ s: oneByte(20) }));
probe('object with unique shape (alone)', () => ({ ['uniq' + ++serial]: 1 }), { alone: true });
probe('object literal {a,b} (alone: retains its hidden class?)', () => ({ alone1: 1, alone2: 2 }), { alone: true });

// ---- private fields, classes ------------------------------------------------------------------
class Priv {
  #a = 1;
  #b = [1.5, 2.5];
  pub = 3;
  get a() { return this.#a + this.#b.length; }
}
probe('class with #a, #b (array), pub', () => new Priv());
class PrivBig {
  #data;
  constructor() { this.#data = new Array(1000).fill(0).map((_, i) => ({ i })); }
  get size() { return this.#data.length; }
}
probe('class with #data = 1000 objects', () => new PrivBig());

// ---- arrays -----------------------------------------------------------------------------------
probe('array literal []', () => []);
probe('array literal [1,2,3] (constant: copy-on-write elements)', () => [1, 2, 3]);
probe('array literal [i,i+1,i+2] (computed Smi)', () => { const i = ++serial; return [i, i + 1, i + 2]; });
probe('array literal [1.5,2.5,3.5] (double)', () => [1.5, 2.5, 3.5]);
probe('array literal [{},{},{}] (objects)', () => [{}, {}, {}]);
for (const n of [1, 4, 5, 16, 17, 100, 1000]) {
  probe(`array grown by push: ${n} Smis`, () => { const a = []; for (let i = 0; i < n; i++) a.push(i); return a; });
}
probe('array grown by push: 100 doubles', () => { const a = []; for (let i = 0; i < 100; i++) a.push(i + 0.5); return a; });
probe('array grown by push: 100 objects', () => { const a = []; for (let i = 0; i < 100; i++) a.push({ i }); return a; });
probe('new Array(100) filled with Smis (holey, exact capacity)', () => { const a = new Array(100); for (let i = 0; i < 100; i++) a[i] = i; return a; });
probe('new Array(100) empty (holey)', () => new Array(100));
probe('Array.from({length: 100}, i => i)', () => Array.from({ length: 100 }, (_, i) => i));
const src100 = Array.from({ length: 100 }, (_, i) => i);
probe('src.map(x => x * 2) of 100 (derived array)', () => src100.map((x) => x * 2 + serial));
probe('src.filter(even) of 100 -> 50', () => src100.filter((x) => x % 2 === 0));
probe('src.slice(10, 60) -> 50', () => src100.slice(10, 60));
probe('[...src] of 100', () => [...src100]);
probe('src.concat([1]) -> 101', () => src100.concat([1]));
probe('split result array of 20', () => ('x' + Array.from({ length: 19 }, (_, i) => ',' + i).join('')).split(','));
probe('Object.keys of a 10-key object', () => Object.keys(objectWith10Keys));
probe('JSON.parse array of 100 numbers', () => JSON.parse(JSON.stringify(src100)));
probe('holey literal [1,,3] with computed values', () => { const i = ++serial; return [i, , i + 2]; });
probe('sparse: a = []; a[1e6] = 1', () => { const a = []; a[1e6] = 1; return a; });
probe('sparse: 10 keys spread over 1e6', () => { const a = []; for (let i = 0; i < 10; i++) a[i * 100000] = i; return a; });
probe('array with a named property', () => { const a = [1, 2]; a.extra = 'x'; return a; });
probe('array after length = 0', () => { const a = []; for (let i = 0; i < 100; i++) a.push(i); a.length = 0; return a; });

// ---- Map / Set --------------------------------------------------------------------------------
for (const n of [0, 1, 2, 3, 4, 5, 8, 9, 16, 17, 100, 1000]) {
  probe(`Map with ${n} Smi entries`, () => { const m = new Map(); for (let i = 0; i < n; i++) m.set(i, i); return m; });
}
for (const n of [0, 1, 8, 100, 1000]) {
  probe(`Set with ${n} Smi members`, () => { const s = new Set(); for (let i = 0; i < n; i++) s.add(i); return s; });
}
probe('Map with 100 entries, then 90 deleted', () => { const m = new Map(); for (let i = 0; i < 100; i++) m.set(i, i); for (let i = 0; i < 90; i++) m.delete(i); return m; });
probe('Map with 8 string keys -> object values', () => { const m = new Map(); for (let i = 0; i < 8; i++) m.set(distinctOneByte(16), { i }); return m; });
probe('Set with 8 flat 16-char strings', () => { const s = new Set(); for (let i = 0; i < 8; i++) s.add(distinctOneByte(16)); return s; });

// ---- strings ----------------------------------------------------------------------------------
probe('string literal "hello" (internalized, shared with code)', () => 'hello');
for (const n of [1, 7, 8, 9, 12, 13, 16, 17, 100, 1000]) probe(`flat one-byte string, ${n} chars`, () => oneByte(n));
for (const n of [1, 4, 5, 8, 100]) probe(`flat two-byte string, ${n} chars`, () => twoByte(n));
probe('cons string: 10 + 10 chars', () => oneByte(10, 98) + oneByte(10, 99));
probe('concat 6 + 6 chars (below cons minimum: copied flat)', () => oneByte(6, 98) + oneByte(6, 99));
probe('cons tree: 10 appends of 20 chars', () => { let s = ''; for (let i = 0; i < 10; i++) s += oneByte(20, 97 + i); return s; });
probe('sliced: big(1000).slice(1, 20) (parent shared)', () => sharedBig.slice(1, 20));
probe('sliced: own big(1000).slice(1, 20) (parent retained via slice)', () => oneByte(1000, 100).slice(1, 20));
probe('slice of 10 chars (below sliced minimum: copied)', () => oneByte(1000, 101).slice(1, 11));
probe('string from JSON.parse, 30 chars', () => JSON.parse(JSON.stringify(oneByte(30, 102))));
probe('number to string String(123456789 + i)', () => String(123456789 + ++serial));
probe('external string (Latin-1 Buffer decode >= 1 MiB)', () => Buffer.alloc(1 << 20, 103).toString('latin1'));
const sharedBig = oneByte(1000, 120);

// ---- numbers, bigint, symbol ------------------------------------------------------------------
probe('heap number boxed in array [1.5] (double elements)', () => [1.5]);
probe('array of 1 object with heap number, [{}] x field', () => [{ v: ++serial + 0.25 }]);
for (const bits of [1, 63, 64, 65, 128, 1024]) probe(`BigInt of ${bits} bits`, () => (1n << BigInt(bits - 1)) + BigInt(++serial));
probe('Symbol("desc")', () => Symbol(oneByte(4)));
probe('Symbol()', () => Symbol());

// ---- built-ins --------------------------------------------------------------------------------
probe('new Date(0)', () => new Date(0));
probe('regexp literal /ab+c/g (shares data with boilerplate)', () => /ab+c/g);
probe('new RegExp(computed) never run', () => new RegExp('ab+c' + ++serial));
probe('new RegExp(computed) after exec', () => { const r = new RegExp('ab+c' + ++serial); r.exec('xxabbbc'); return r; });
probe('new Error("x"), stack never read', () => new Error('x'));
probe('new Error("x"), stack read', () => { const e = new Error('x'); void e.stack; return e; });
probe('Error with cause', () => new Error('outer', { cause: new Error('inner') }));
probe('new Number(1.5)', () => new Number(1.5));
probe('new String(flat 20 chars)', () => new String(oneByte(20)));
probe('new Boolean(true)', () => new Boolean(true));
probe('Object(Symbol())', () => Object(Symbol()));
probe('Object(BigInt)', () => Object(BigInt(++serial) << 70n));

// ---- functions --------------------------------------------------------------------------------
probe('plain function (no captures)', () => function plain(a) { return a + 1; });
probe('arrow (no captures)', () => (a) => a + 1);
probe('closure capturing an array of 100 Smis', () => { const arr = Array.from({ length: 100 }, (_, i) => i); return () => arr.length; });
probe('closure capturing 3 Smis', () => { let a = 1; const b = 2, c = 3; return () => (a++) + b + c; });
probe('class (fresh per call)', () => class Fresh { m() { return 1; } });
probe('bound function', () => function f() { return this; }.bind({ t: 1 }));
probe('async function', () => async function af() { await null; });
probe('generator function', () => function* gen() { yield 1; });
probe('method shorthand object', () => ({ m() { return 1; } }));

// ---- binary data ------------------------------------------------------------------------------
for (const n of [0, 1, 16, 63, 64, 65, 100, 1024, 100000]) probe(`new Uint8Array(${n})`, () => new Uint8Array(n));
for (const n of [1, 8, 9, 1000]) probe(`new Float64Array(${n})`, () => new Float64Array(n));
probe('new ArrayBuffer(16)', () => new ArrayBuffer(16));
probe('new ArrayBuffer(100000)', () => new ArrayBuffer(100000));
probe('new SharedArrayBuffer(16)', () => new SharedArrayBuffer(16));
probe('new SharedArrayBuffer(100000)', () => new SharedArrayBuffer(100000));
probe('DataView on own ArrayBuffer(16)', () => new DataView(new ArrayBuffer(16)));
probe('DataView on shared ArrayBuffer', () => new DataView(sharedAB));
probe('Uint8Array view on shared ArrayBuffer', () => new Uint8Array(sharedAB, 8, 64));
probe('3 views on one own ArrayBuffer(4096)', () => { const ab = new ArrayBuffer(4096); return [new Uint8Array(ab), new Float64Array(ab, 8, 4), new DataView(ab, 100)]; });
probe('Buffer.from("abc") (pooled)', () => Buffer.from('abc'));
probe('Buffer.allocUnsafe(100) (pooled)', () => Buffer.allocUnsafe(100));
probe('Buffer.alloc(100)', () => Buffer.alloc(100));
probe('Buffer.alloc(100000)', () => Buffer.alloc(100000));
const sharedAB = new ArrayBuffer(1024);

// ---- weak things, promises, modules -----------------------------------------------------------
probe('new WeakMap()', () => new WeakMap());
probe('WeakMap with 1 entry (key held elsewhere)', () => { const w = new WeakMap(); w.set(weakKey, { big: new Array(100).fill(1) }); return w; });
probe('new WeakSet()', () => new WeakSet());
probe('new WeakRef(obj held elsewhere)', () => new WeakRef(weakKey));
probe('Promise.resolve(obj)', () => Promise.resolve({ v: 1 }));
probe('pending promise', () => new Promise(() => {}));
probe('module-like: frozen null-proto object of 5 functions', () => Object.freeze(Object.assign(Object.create(null), { a() {}, b() {}, c() {}, d() {}, e() {} })));
const weakKey = { key: true };
const objectWith10Keys = { a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7, h: 8, i: 9, j: 10 };
const ns = await import('data:text/javascript,export const a = 1; export function f() { return a; }');
probe('module namespace object (alone)', () => ns, { alone: true });
probe('Proxy of {}', () => new Proxy({}, {}));

// ---- run -----------------------------------------------------------------------------------------
const targets = {};
const names = [];
cases.forEach((c, i) => {
  let subject;
  let twin;
  for (let k = 0; k < 8; k++) { twin = subject; subject = c.factory(); }
  const key = `case${String(i).padStart(3, '0')}`;
  targets[key] = subject;
  if (!c.alone) targets[key + 'twin'] = twin;
  names.push([key, c]);
});

const t0 = performance.now();
const { graph: g, dom, nodes } = H.snapshotTargets(targets);
const took = performance.now() - t0;

const out = [];
out.push(`# memsize layout probe`);
out.push(`# node ${process.version}  v8 ${process.versions.v8}  arch ${process.arch}  pointer compression ${process.config.variables.v8_enable_pointer_compression ?? '?'}`);
out.push(`# snapshot: ${g.nodeCount} nodes, ${g.edgeCount} edges; node types: ${g.nodeTypeNames.join(', ')}`);
out.push(`# retained = bytes lost when the value is cut off (weak edges ignored); a twin built the same way`);
out.push(`# is held beside each value unless marked (alone), so shared maps/code are not in its retained set.`);
out.push(`# node lines: <snapshot type> <name> <self_size>; strings show their text abbreviated`);
out.push('');
for (const [key, c] of names) {
  const node = nodes.get(key);
  out.push(`== ${c.name}${c.alone ? '  (alone)' : ''}`);
  if (node === undefined) { out.push('   not a heap object (Smi)'); out.push(''); continue; }
  const set = H.dominatedNodes(dom, node);
  const retained = H.retainedSize(dom, node);
  out.push(`   retained ${retained}  nodes ${set.length}  self ${g.selfSize[node]}  (${H.nodeTypeName(g, node)} ${JSON.stringify(H.nodeNameOf(g, node).slice(0, 40))})`);
  if (set.length <= LIST_LIMIT) {
    for (const line of H.describeNodes(g, set)) out.push('     ' + line);
  } else {
    for (const row of H.summarizeNodes(g, set)) out.push(`     ${row.count} x ${row.type} ${JSON.stringify(row.name)}  ${row.selfBytes} bytes`);
  }
  out.push('');
}
out.push(`# snapshot, parse and dominators took ${took.toFixed(0)} ms`);
console.log(out.join('\n'));
