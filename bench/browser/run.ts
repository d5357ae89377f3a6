/**
 * npm run bench:browser: the browser bench page (bench_page.ts) in headless
 * Chromium, as npm run test:browser drives it. Prints the table and writes it
 * into bench/RESULTS.md between the browser markers (npm run bench owns the
 * rest of that file).
 *
 * Headless here, WebGL and WebGPU run on SwiftShader, a CPU renderer: its
 * milliseconds are not a GPU's, its kernel and program counts are real. To
 * measure a real GPU, run `npm run demo` and open /bench.html in a browser.
 *
 *   npm run bench:browser                 (BENCH_SIZES=256x8,64x32 to choose cells)
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import {chromium} from 'playwright-core';

import {buildBrowser, CHROMIUM, CHROMIUM_FLAGS, serve} from '../../scripts/browser_bundle';
import {BenchRow} from './bench_row';

export const BEGIN = '<!-- browser bench: begin (npm run bench:browser writes this part) -->';
export const END = '<!-- browser bench: end -->';

async function main(): Promise<void> {
  await buildBrowser();
  const {server, url} = await serve();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tfjs-gaussian-bench-'));
  const context = await chromium.launchPersistentContext(dir, {executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS});
  try {
    const page = await context.newPage();
    const sizes = process.env['BENCH_SIZES'] ?? '32x2,256x8,1024x16,64x32';
    await page.goto(`${url}bench.html?sizes=${sizes}`, {waitUntil: 'commit'});
    await page.waitForFunction(() => (window as unknown as {__bench?: unknown}).__bench !== undefined, undefined,
      {timeout: 1_200_000});
    const r = await page.evaluate(() => (window as unknown as {__bench: {error?: string; rows: BenchRow[]; table: string;
      gpu: string; userAgent: string; skipped: string[]}}).__bench);
    if (r.error !== undefined) throw new Error(r.error);
    const section = [
      BEGIN,
      '## In the browser (headless Chromium; WebGL and WebGPU on SwiftShader, a CPU-emulated GPU)',
      '',
      'Milliseconds from SwiftShader are a CPU renderer\'s, not a GPU\'s; the kernel and program counts are what any GPU ' +
      'would run. Kernels: tf.profile of one step. GPU programs: shader dispatches (calls of the backend\'s ' +
      'runWebGLProgram / runWebGPUProgram), several per fused kernel. composite ÷ fused: same backend, same cell, same run.',
      '',
      `Browser: ${r.userAgent}. WebGL renderer: ${r.gpu || 'n/a'}. Backends that did not start: ${r.skipped.join(', ') || 'none'}. ` +
      `Date: ${new Date().toISOString()}.`,
      '',
      r.table,
      END,
    ].join('\n');
    console.log(section);
    const file = path.join(__dirname, '..', 'RESULTS.md');
    const old = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
    const i = old.indexOf(BEGIN);
    const j = old.indexOf(END);
    const next = i >= 0 && j > i ? old.slice(0, i) + section + old.slice(j + END.length) : `${old.trimEnd()}\n\n${section}\n`;
    fs.writeFileSync(file, next);
    console.log(`written to ${path.join('bench', 'RESULTS.md')}`);
  } finally {
    await context.close();
    server.close();
    fs.rmSync(dir, {recursive: true, force: true});
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
