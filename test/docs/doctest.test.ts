/**
 * Doc-tests: every example that states a result, in the JSDoc under src/,
 * README.md and docs/guides/*.md (test/docs/examples.ts extracts them), runs
 * on cpu and on wasm, and its printed values must match the comment to the
 * digits shown (within half a unit in the last digit) and its shapes
 * exactly.
 */
import * as fs from 'fs';
import * as path from 'path';

import * as tf from '@tensorflow/tfjs';

import * as lib from '../../src/index';
import {shapeOf} from '../helpers';
import {testBackend} from '../setup/use_backend';
import {allExamples, Example, halfUnit, numberTokens, parseValue} from './examples';

const examples = allExamples();
const onCpuOrWasm = ['cpu', 'wasm'].includes(testBackend()) ? describe : describe.skip;

type AsyncFn = (...args: unknown[]) => Promise<void>;
const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (...args: string[]) => AsyncFn;
const SCOPE = ['tf', ...Object.keys(lib)];

/**
 * Result comments that are not values the test can compare, each a
 * conscious choice: they describe a result in words or show an object.
 */
const UNCHECKED: string[] = [
  // In the browser section: statements with an explanatory comment, not results.
  "setWasmPaths('/wasm/');             // where you serve node_modules/@tensorflow/tfjs-backend-wasm/dist/*.wasm",
  "await tf.setBackend('webgl');       // or 'wasm', 'cpu'",
];

function flatten(x: unknown): unknown[] {
  return Array.isArray(x) ? x.flatMap(flatten) : [x];
}

/** Why `actual` does not match what the comment states, or null. */
function mismatch(actual: unknown, expectedText: string): string | null {
  const expected = parseValue(expectedText);
  if (JSON.stringify(shapeOf(actual)) !== JSON.stringify(shapeOf(expected))) {
    return `shape ${JSON.stringify(shapeOf(actual))}, the comment states ${JSON.stringify(shapeOf(expected))}`;
  }
  const a = flatten(actual) as number[];
  const e = flatten(expected) as number[];
  const tokens = numberTokens(expectedText);
  for (let i = 0; i < e.length; i++) {
    const [ai, ei] = [a[i]!, e[i]!];
    if (Number.isNaN(ei) ? Number.isNaN(ai) : ai === ei) continue;
    if (!(Math.abs(ai - ei) <= halfUnit(tokens[i]!) + 1e-12 * Math.abs(ei))) {
      return `entry ${i} is ${ai}, the comment states ${tokens[i]} (±${halfUnit(tokens[i]!)})`;
    }
  }
  return null;
}

async function run(ex: Example): Promise<string[]> {
  const failures: string[] = [];
  const check = async (i: number, f: () => unknown) => {
    const c = ex.checks[i]!;
    let value: unknown;
    try {
      value = f();
    } catch (e) {
      const message = (e as Error).message;
      const parts = c.expected.split('...').map((s) => s.trim()).filter(Boolean);
      if (c.kind !== 'throws') failures.push(`${ex.file}:${c.line}: threw ${message}`);
      else if (!parts.every((s) => message.includes(s))) failures.push(`${ex.file}:${c.line}: threw "${message}", not "${c.expected}"`);
      return;
    }
    if (c.kind === 'throws') {
      failures.push(`${ex.file}:${c.line}: did not throw (the comment states: throws: ${c.expected})`);
      return;
    }
    let actual: unknown = value;
    if (c.kind === 'shape') {
      actual = value instanceof tf.Tensor ? value.shape : (value as {shape?: unknown}).shape ?? value;
    } else if (value instanceof tf.Tensor) {
      actual = value.rank === 0 ? (await value.data())[0] : await value.array();
    }
    const why = mismatch(actual, c.expected);
    if (why !== null) failures.push(`${ex.file}:${c.line}: ${why}`);
  };
  const body = `const {${SCOPE.join(', ')}} = __scope;\n${ex.code}`;
  try {
    await new AsyncFunction('__scope', '__check', body)({tf, ...lib}, check);
  } catch (e) {
    failures.push(`${ex.file}:${ex.line}: the example threw ${(e as Error).message}`);
  }
  return failures;
}

onCpuOrWasm('doc-tests', () => {
  const checked = examples.filter((e) => e.checks.length > 0);

  it('finds the examples of the JSDoc and a runnable, checked walk-through in every guide', () => {
    expect(checked.filter((e) => e.file.startsWith('src/')).length).toBeGreaterThan(30);
    const guides = fs.readdirSync(path.join(__dirname, '..', '..', 'docs', 'guides')).filter((n) => n.endsWith('.md'));
    expect(guides.length).toBeGreaterThanOrEqual(5);
    for (const g of guides) expect([g, checked.some((e) => e.file === path.join('docs', 'guides', g))]).toEqual([g, true]);
  });

  it.each(checked.map((e) => [`${e.file}:${e.line}`, e.checks.length, e] as const))(
    '%s: its %i printed results match', async (_where, _n, ex) => {
      expect(await run(ex)).toEqual([]);
    });

  it('lists the result comments it cannot check (each one allowed in UNCHECKED)', () => {
    const unchecked = examples.flatMap((e) => e.unchecked);
    const text = (u: string) => u.replace(/^[^:]+:\d+: /, '');
    if (unchecked.length) console.log(`doc-tests: ${unchecked.length} result comments are not checkable values:\n${unchecked.join('\n')}`);
    expect(unchecked.map(text)).toEqual(UNCHECKED);
  });
});
