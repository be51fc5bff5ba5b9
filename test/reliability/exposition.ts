/**
 * A strict parser of the Prometheus text exposition format (version 0.0.4), for the reliability
 * tests: every line must be a comment (HELP, TYPE or other) or a complete sample, label blocks are
 * read character by character with the format's three escapes (\\, \" and \n), and anything else
 * (an unescaped quote or newline, a stray character, a bad number) throws with the line. Unlike a
 * lenient regex, it fails when a label value could break out of its quotes.
 * Spec: https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format
 */

export interface StrictSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const VALUE = /^(?:[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)|[+-]?Inf|NaN)$/;

function fail(lineNo: number, line: string, why: string): never {
  throw new Error(`exposition line ${lineNo}: ${why}: ${JSON.stringify(line)}`);
}

/** Parse one exposition; throws on the first line that is not valid 0.0.4. */
export function parseExpositionStrict(text: string): { samples: StrictSample[]; help: Map<string, string>; types: Map<string, string> } {
  const samples: StrictSample[] = [];
  const help = new Map<string, string>();
  const types = new Map<string, string>();
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop(); // the final newline
  lines.forEach((line, index) => {
    const lineNo = index + 1;
    if (line === '') return;
    if (line.startsWith('#')) {
      const meta = /^# (HELP|TYPE) ([^ ]+)(?: (.*))?$/.exec(line);
      if (meta === null) return; // a plain comment
      const [, kind, name, rest = ''] = meta as unknown as [string, string, string, string | undefined];
      if (!METRIC_NAME.test(name)) fail(lineNo, line, 'bad metric name in a comment');
      if (kind === 'TYPE' && !['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(rest)) fail(lineNo, line, 'bad TYPE');
      (kind === 'HELP' ? help : types).set(name, rest);
      return;
    }
    let i = 0;
    const nameMatch = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line);
    if (nameMatch === null) fail(lineNo, line, 'no metric name');
    const name = nameMatch[0];
    i = name.length;
    const labels: Record<string, string> = {};
    if (line[i] === '{') {
      i++;
      while (line[i] !== '}') {
        const labelMatch = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(line.slice(i));
        if (labelMatch === null) fail(lineNo, line, `no label name at ${i}`);
        const labelName = labelMatch[0];
        if (!LABEL_NAME.test(labelName)) fail(lineNo, line, 'bad label name');
        i += labelName.length;
        if (line[i] !== '=' || line[i + 1] !== '"') fail(lineNo, line, `expected =" at ${i}`);
        i += 2;
        let value = '';
        for (;;) {
          const c = line[i];
          if (c === undefined) fail(lineNo, line, 'unterminated label value');
          if (c === '"') break;
          if (c === '\\') {
            const e = line[i + 1];
            if (e === '\\') value += '\\';
            else if (e === '"') value += '"';
            else if (e === 'n') value += '\n';
            else fail(lineNo, line, `bad escape \\${e ?? ''} at ${i}`);
            i += 2;
            continue;
          }
          value += c;
          i++;
        }
        i++; // the closing quote
        if (labelName in labels) fail(lineNo, line, `label ${labelName} twice`);
        labels[labelName] = value;
        if (line[i] === ',') i++;
        else if (line[i] !== '}') fail(lineNo, line, `expected , or } at ${i}`);
      }
      i++; // }
    }
    const rest = line.slice(i);
    const valueMatch = /^ (\S+)(?: (-?\d+))?$/.exec(rest);
    if (valueMatch === null) fail(lineNo, line, 'expected " value [timestamp]"');
    if (!VALUE.test(valueMatch[1]!)) fail(lineNo, line, 'bad sample value');
    samples.push({ name, labels, value: Number(valueMatch[1]!.replace(/Inf$/, 'Infinity')) });
  });
  return { samples, help, types };
}
