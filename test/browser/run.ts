/**
 * npm run test:browser: the library in a real browser.
 *
 * Builds the pages (scripts/browser_bundle.ts), serves them on 127.0.0.1 and
 * drives Debian's Chromium (/usr/bin/chromium, never a downloaded browser)
 * headless with playwright-core:
 * 1. checks.html: on each browser backend that starts (cpu, wasm, webgl, webgpu),
 *    the library's values and gradients against the float64 fixtures;
 * 2. index.html (the demo): trains, the loss falls, nothing is logged as an
 *    error; a screenshot is saved to out/browser/demo.png.
 * The report names the backends that ran. cpu and wasm must run; if webgl or
 * webgpu cannot start (no GPU adapter), the report says so plainly.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import {chromium} from 'playwright-core';

import {buildBrowser, CHROMIUM, CHROMIUM_FLAGS, OUT, serve} from '../../scripts/browser_bundle';

interface BackendResult {
  backend: string; ran: boolean; reason?: string; path?: string; tol?: {rtol: number; atol: number};
  passed: number; failed: number; worst: number; worstCheck?: string;
  steps?: Array<{kind: string; d: number; kernels: number; programs: number}>;
  failures: Array<{check: string; entry: number; actual: number; expected: number}>;
  seconds?: number;
}

let passed = 0;
let failed = 0;
function report(ok: boolean, what: string): void {
  if (ok) passed++; else failed++;
  console.log(`${ok ? 'ok  ' : 'FAIL'}  ${what}`);
}

async function main(): Promise<void> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} not found: install Debian's chromium (apt-get install chromium)`);
  }
  await buildBrowser();
  const {server, url} = await serve();
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tfjs-gaussian-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS, viewport: {width: 1180, height: 640},
  });
  const errors: string[] = [];
  try {
    const page = await context.newPage();
    page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
    page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));

    // 1. Fixture checks on every backend that starts.
    await page.goto(`${url}checks.html`);
    await page.waitForFunction(() => (window as unknown as {__checks?: unknown}).__checks !== undefined, undefined, {timeout: 600_000});
    const checks = await page.evaluate(() => (window as unknown as {__checks: BackendResult[] | {error: string}}).__checks);
    if (!Array.isArray(checks)) throw new Error(`checks page failed: ${checks.error}`);
    const ran = checks.filter((c) => c.ran).map((c) => c.backend);
    for (const c of checks) {
      if (!c.ran) {
        console.log(`--    ${c.backend}: did not start here (${c.reason}); its checks did not run`);
        if (c.backend !== 'webgl' && c.backend !== 'webgpu') report(false, `${c.backend} must start in the browser`);
        continue;
      }
      report(c.failed === 0, `${c.backend} (${c.path}): ${c.passed} of ${c.passed + c.failed} fixture comparisons ` +
        `within rtol ${c.tol!.rtol}, atol ${c.tol!.atol}; worst error ${c.worst.toFixed(3)} of the tolerance (${c.worstCheck ?? "-"})` +
        (c.seconds === undefined ? '' : `; ${c.seconds.toFixed(0)} s`));
      for (const f of c.failures.slice(0, 5)) console.log(`        ${f.check}: entry ${f.entry} = ${f.actual}, expected ${f.expected}`);
      if (c.steps !== undefined) {
        // Kernels per loss+gradient step (tf.profile) and GPU programs (shader dispatches).
        const fused = c.path === 'fast kernels';
        const line = c.steps.map((s) => `${s.kind} d=${s.d}: ${s.kernels} kernels, ${s.programs} programs`).join('; ');
        if (fused) {
          report(c.steps.every((s) => s.kernels <= 12), `${c.backend} (${c.path}) per step, each at most 12 kernels: ${line}`);
        } else {
          console.log(`--    ${c.backend} (${c.path}) per step: ${line}`);
        }
      }
    }

    // 2. The demo trains on the best backend that ran.
    const demoBackend = ran.includes('webgl') ? 'webgl' : 'wasm';
    const demoStart = performance.now();
    await page.goto(`${url}index.html?backend=${demoBackend}&epochs=25`);
    await page.waitForFunction(() => {
      const d = (window as unknown as {__demo?: {done: boolean; error?: string}}).__demo;
      return d !== undefined && (d.done || d.error !== undefined);
    }, undefined, {timeout: 600_000});
    const demo = await page.evaluate(() => (window as unknown as {__demo: {backend: string; losses: number[]; error?: string}}).__demo);
    const first = demo.losses[0] ?? NaN;
    const last = demo.losses[demo.losses.length - 1] ?? NaN;
    report(demo.error === undefined && demo.backend === demoBackend && last < first - 0.3,
      `demo on ${demo.backend}: ${demo.losses.length} epochs, NLL ${first.toFixed(3)} -> ${last.toFixed(3)}; ` +
      `${((performance.now() - demoStart) / 1000).toFixed(0)} s` +
      (demo.error ? ` (error: ${demo.error})` : ''));
    const shot = path.join(OUT, 'demo.png');
    await page.screenshot({path: shot, fullPage: true});
    console.log(`--    screenshot: ${shot}`);

    report(errors.length === 0, `no errors logged to the console (${errors.length})`);
    for (const e of errors.slice(0, 10)) console.log(`        ${e}`);
    console.log(`--    backends that ran in the browser: ${ran.join(', ')}`);
  } finally {
    await context.close();
    server.close();
    fs.rmSync(userDataDir, {recursive: true, force: true});
  }
  console.log(`browser: ${passed} passed, ${failed} failed`);
  if (failed > 0) process.exitCode = 1;
}

main().catch((e) => {
  console.error(e);
  console.log(`browser: ${passed} passed, ${failed + 1} failed`);
  process.exit(1);
});
