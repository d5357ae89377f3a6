/**
 * Finds the examples the docs print and turns each into a runnable check:
 * the ```js blocks of JSDoc comments under src/, of README.md and of
 * docs/guides/*.md. In a block, a line that states a result is
 *
 *   EXPR.print();  // VALUE      the values of the tensor EXPR
 *   EXPR.shape;    // [2, 3]     its shape
 *   EXPR;          // VALUE      the value of EXPR (tensor, number, array)
 *
 * with VALUE a number, a boolean or a nested array of numbers, optionally
 * followed by prose (`// [1.837877]  (= log 2π)`); `shape [..]` for a
 * tensor's shape; or `throws: part ... part` for a call that must throw a
 * message containing those parts. A line of that form whose comment is not
 * such a value is listed as unchecked, not skipped in silence. Lines that
 * continue a statement begun above are not statements of their own.
 */
import * as fs from 'fs';
import * as path from 'path';

export interface Check {
  /** Line in the source file (1-based). */
  line: number;
  /** What the comment states. */
  expected: string;
  /** `'throws'`: the call must throw a message containing each `...`-separated part of `expected`. */
  kind: 'values' | 'shape' | 'throws';
}

export interface Example {
  file: string;
  /** Line of the block's first code line in the file (1-based). */
  line: number;
  /** The block's code with each checked line replaced by a call to `__check(index, () => EXPR)`. */
  code: string;
  checks: Check[];
  /** Lines that state a result the test cannot check: `file:line: text`. */
  unchecked: string[];
}

const ROOT = path.join(__dirname, '..', '..');

/** The ```js blocks of a text, with the line of each block's first code line. */
function fences(text: string, lineOf: (i: number) => number): Array<{lines: string[]; line: number}> {
  const out: Array<{lines: string[]; line: number}> = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (/^\s*```(js|javascript|ts)\s*$/.test(lines[i]!)) {
      const start = i + 1;
      let j = start;
      while (j < lines.length && !/^\s*```\s*$/.test(lines[j]!)) j++;
      out.push({lines: lines.slice(start, j), line: lineOf(start)});
      i = j;
    }
  }
  return out;
}

/** JSDoc comments of a source file, each as its text lines (` * ` stripped) and the file line of its first line. */
function jsdocBlocks(source: string): Array<{text: string; line: number}> {
  const out: Array<{text: string; line: number}> = [];
  const re = /\/\*\*[\s\S]*?\*\//g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(source)) !== null) {
    const line = source.slice(0, m.index).split('\n').length;
    const text = m[0].split('\n').map((l) => l.replace(/^\s*\/?\*\*?\/?\s?/, '').replace(/\s*\*\/$/, '')).join('\n');
    out.push({text, line});
  }
  return out;
}

const NUMBER = /-?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?|-?Infinity|NaN/;
/** A nested array of numbers at the start of `s`, or a number; null when `s` does not start with one. */
export function leadingValue(s: string): string | null {
  const t = s.trim();
  if (t.startsWith('[')) {
    let depth = 0;
    for (let i = 0; i < t.length; i++) {
      if (t[i] === '[') depth++;
      if (t[i] === ']' && --depth === 0) {
        const v = t.slice(0, i + 1);
        return /^[\s\d.eE+\-,[\]]*$/.test(v.replace(/Infinity|NaN/g, '0')) ? v : null;
      }
    }
    return null;
  }
  const m = new RegExp(`^(${NUMBER.source}|true|false)(?![\\w.])`).exec(t);
  return m ? m[1]! : null;
}

/** Turns one block into an example, or null when it states no result. */
function toExample(file: string, lines: string[], firstLine: number): Example | null {
  const checks: Check[] = [];
  const unchecked: string[] = [];
  const code: string[] = [];
  let continues = false; // the previous code line leaves a statement open
  let inImport = false; // inside a multi-line import
  lines.forEach((raw, k) => {
    if (inImport || /^\s*import\s/.test(raw)) {
      // Imports name the package; the test puts tf and every export in scope.
      inImport = !/from\s+['"][^'"]+['"];?\s*$/.test(raw) && !/^\s*import\s+['"]/.test(raw);
      code.push('');
      return;
    }
    const codePart = raw.replace(/\/\/.*$/, '').trim();
    const continuation = continues;
    if (codePart !== '') continues = /[,([{=+\-*/?:]$|&&$|\|\|$/.test(codePart);
    const line = firstLine + k;
    const m = /^(\s*)(.*?);\s*\/\/\s?(.*)$/.exec(raw);
    const statement = m !== null && !/^\s*(const|let|var|return|await\s+model|if|for)\b/.test(m[2]!) &&
      !/[=]\s*$/.test(m[2]!) && !/^\s*[)}\]]/.test(m[2]!);
    if (m === null || !statement || continuation) {
      code.push(raw);
      return;
    }
    const [, indent, expr, comment] = m as unknown as [string, string, string, string];
    let target = expr;
    let kind: Check['kind'] = 'values';
    let c = comment.trim();
    if (target.endsWith('.print()')) target = target.slice(0, -'.print()'.length);
    else if (target.endsWith('.shape')) {
      target = target.slice(0, -'.shape'.length);
      kind = 'shape';
    } else if (!/\)$|\]$|\w$/.test(target)) {
      code.push(raw);
      return;
    }
    if (c.startsWith('shape ')) {
      kind = 'shape';
      c = c.slice('shape '.length);
    }
    if (c.startsWith('throws:')) {
      code.push(`${indent}await __check(${checks.length}, () => (${expr}));`);
      checks.push({line, expected: c.slice('throws:'.length).trim(), kind: 'throws'});
      return;
    }
    const value = leadingValue(c);
    if (value === null) {
      unchecked.push(`${file}:${line}: ${raw.trim()}`);
      code.push(raw);
      return;
    }
    code.push(`${indent}await __check(${checks.length}, () => (${target}));`);
    checks.push({line, expected: value, kind});
  });
  if (checks.length === 0 && unchecked.length === 0) return null;
  return {file, line: firstLine, code: code.join('\n'), checks, unchecked};
}

/** Every example of the docs: JSDoc under src/, README.md, docs/guides/*.md. */
export function allExamples(): Example[] {
  const out: Example[] = [];
  const walk = (dir: string): string[] => fs.readdirSync(dir, {withFileTypes: true}).flatMap((e) =>
    e.isDirectory() ? walk(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []);
  for (const f of walk(path.join(ROOT, 'src')).sort()) {
    const rel = path.relative(ROOT, f);
    for (const {text, line} of jsdocBlocks(fs.readFileSync(f, 'utf8'))) {
      for (const b of fences(text, (i) => line + i)) {
        const ex = toExample(rel, b.lines, b.line);
        if (ex) out.push(ex);
      }
    }
  }
  const guides = path.join(ROOT, 'docs', 'guides');
  const md = ['README.md', ...(fs.existsSync(guides)
    ? fs.readdirSync(guides).filter((n) => n.endsWith('.md')).sort().map((n) => path.join('docs', 'guides', n)) : [])];
  for (const rel of md) {
    for (const b of fences(fs.readFileSync(path.join(ROOT, rel), 'utf8'), (i) => i + 1)) {
      const ex = toExample(rel, b.lines, b.line);
      if (ex) out.push(ex);
    }
  }
  return out;
}

/** Parses a stated value: a number or nested array of numbers (Infinity and NaN allowed). */
export function parseValue(s: string): unknown {
  return JSON.parse(s.replace(/-?Infinity|NaN/g, (w) => `"${w}"`), (_k, v) =>
    (v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : v === 'NaN' ? NaN : v));
}

/**
 * Half a unit in the last digit shown: `1.837877` allows ±5e-7, `2` ±0.5,
 * `1.5e-3` ±5e-5. An actual value within it rounds to the digits shown.
 */
export function halfUnit(s: string): number {
  const m = /^-?(\d*)(?:\.(\d+))?(?:e([+-]?\d+))?$/.exec(s);
  if (m === null) return 0;
  const decimals = m[2]?.length ?? 0;
  return 0.5 * 10 ** ((m[3] === undefined ? 0 : Number(m[3])) - decimals);
}

/** The numbers of a stated value, as written, in order. */
export function numberTokens(s: string): string[] {
  return s.match(new RegExp(NUMBER.source, 'g')) ?? [];
}
