/**
 * The shape of the source tree, pinned: imports point one way (public ops ->
 * kernels -> layout), "sideEffects" names exactly the registration files, a
 * bundler that honours it keeps them, and every backend that registers fused
 * kernels registers all of them.
 */
import * as fs from 'fs';
import * as path from 'path';

import * as tf from '@tensorflow/tfjs';
import {build} from 'esbuild';

import {hasFusedKernels} from '../../src/index';
import {Cholesky, CORE_PRIMITIVES, PRIMITIVES} from '../../src/kernels/kernel_names';
import {testBackend} from '../setup/use_backend';
import {consumerDir} from './consumer';

const root = path.join(__dirname, '..', '..');
const src = path.join(root, 'src');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));

function tsFiles(dir: string): string[] {
  return fs.readdirSync(dir, {withFileTypes: true}).flatMap((e) =>
    e.isDirectory() ? tsFiles(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []);
}

/** Folders under src/ that `file` imports from (its own folder included), and package names. */
function importTargets(file: string): string[] {
  const out: string[] = [];
  for (const m of fs.readFileSync(file, 'utf8').matchAll(/^import [^;]*?['"]([^'"]+)['"];/gms)) {
    const spec = m[1]!;
    out.push(spec.startsWith('.') ? path.relative(src, path.resolve(path.dirname(file), spec)) : spec);
  }
  return out;
}

// Backend-independent: run in one project only.
const onCpu = testBackend() === 'cpu' ? describe : describe.skip;

onCpu('source architecture', () => {
  it('files under src/kernels import only tfjs-core, src/layout and src/kernels', () => {
    const bad = tsFiles(path.join(src, 'kernels')).flatMap((f) => importTargets(f)
      .filter((t) => !(t === '@tensorflow/tfjs-core' || t.startsWith('layout/') || t.startsWith('kernels/')))
      .map((t) => `${path.relative(src, f)} -> ${t}`));
    expect(bad).toEqual([]);
  });

  it('files under src/kernels/<backend> import only their own folder, kernels/shared and the contracts', () => {
    const bad = tsFiles(path.join(src, 'kernels')).filter((f) => path.dirname(f) !== path.join(src, 'kernels'))
      .flatMap((f) => {
        const own = path.relative(src, path.dirname(f));
        return importTargets(f).filter((t) => !(t === '@tensorflow/tfjs-core' || t.startsWith('layout/') ||
          t.startsWith(`${own}/`) || t.startsWith('kernels/shared/') || t === 'kernels/kernel_names.js'))
          .map((t) => `${path.relative(src, f)} -> ${t}`);
      });
    expect(bad).toEqual([]);
  });

  it('files under src/layout import only tfjs-core and src/layout', () => {
    const bad = tsFiles(path.join(src, 'layout')).flatMap((f) => importTargets(f)
      .filter((t) => !(t === '@tensorflow/tfjs-core' || t.startsWith('layout/')))
      .map((t) => `${path.relative(src, f)} -> ${t}`));
    expect(bad).toEqual([]);
  });

  it('"sideEffects" names only register files, and every register file under src/', () => {
    expect(Array.isArray(pkg.sideEffects)).toBe(true);
    const patterns = (pkg.sideEffects as string[]).map((p) =>
      new RegExp(`^${p.replace(/^\.\//, '').replace(/[.]/g, '\\.').replace(/\*/g, '[^/]+')}$`));
    for (const p of pkg.sideEffects as string[]) expect(path.basename(p)).toMatch(/^register\.(js|ts)$/);
    const registers = tsFiles(src).filter((f) => path.basename(f) === 'register.ts')
      .map((f) => path.relative(root, f));
    expect(registers.length).toBeGreaterThanOrEqual(4);
    for (const r of registers) {
      expect(patterns.some((re) => re.test(r))).toBe(true);
      expect(patterns.some((re) => re.test(r.replace(/^src/, 'dist/esm').replace(/\.ts$/, '.js')))).toBe(true);
    }
  });

  it('a bundler that honours "sideEffects" keeps the kernel registrations of an app that imports one loss', async () => {
    const out = await build({
      stdin: {contents: 'import {gaussianKLLoss} from "tfjs-gaussian"; console.log(gaussianKLLoss);',
        resolveDir: consumerDir()},
      bundle: true, write: false, format: 'esm', platform: 'neutral', treeShaking: true,
      external: ['@tensorflow/tfjs-core', '@tensorflow/tfjs-layers'], mainFields: ['module', 'main'], logLevel: 'silent',
    });
    const code = out.outputFiles[0]!.text;
    for (const b of ['cpu', 'wasm']) expect(code).toContain(`backendName: "${b}"`);
    expect(code).toContain('"TfjsGaussianKL"');
    expect(code).toContain('TFJS_GAUSSIAN_FORCE_COMPOSITE');
    // The layer's serialization registration stays too: an app that only
    // loads a saved model with tf.loadLayersModel relies on it.
    expect(code).toMatch(/registerClass\(GaussianHead\)/);
  });

  it('every primitive a backend registers comes with its gradient kernel; a fused backend registers every core primitive', () => {
    for (const b of ['cpu', 'wasm', 'tensorflow', 'webgl', 'webgpu']) {
      const has = (n: string) => tf.getKernel(n, b) !== undefined;
      for (const p of PRIMITIVES) expect([b, p.name, has(p.name)]).toEqual([b, p.name, has(p.gradName)]);
      if (PRIMITIVES.some((p) => has(p.name))) {
        for (const p of CORE_PRIMITIVES) expect([b, p.name, has(p.name)]).toEqual([b, p.name, true]);
      }
    }
    // The CPU-side backends fuse everything, Cholesky included; webgl all but Cholesky.
    for (const b of ['cpu', 'wasm', 'tensorflow']) expect(PRIMITIVES.every((p) => tf.getKernel(p.name, b) !== undefined)).toBe(true);
    expect(hasFusedKernels('webgl')).toBe(true);
    expect(tf.getKernel(Cholesky.name, 'webgl')).toBeUndefined();
  });
});
