/**
 * The built package (npm test builds dist/ first): require() and import of
 * the package root both give the public API of src/index.ts, and tfjs-core
 * stays a peer dependency that dist/ imports by name only.
 */
import {execFileSync} from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

import * as api from '../../src/index';
import {testBackend} from '../setup/use_backend';
import {consumerDir} from './consumer';

const root = path.join(__dirname, '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const expected = Object.keys(api).sort();

// Backend-independent: run in one project only.
const onCpu = testBackend() === 'cpu' ? describe : describe.skip;

function keysFrom(code: string, type: 'commonjs' | 'module'): string[] {
  const out = execFileSync(process.execPath, [type === 'module' ? '--input-type=module' : '--input-type=commonjs', '-e', code],
    {cwd: path.join(root, 'test', 'package', 'consumer'), encoding: 'utf8'});
  return JSON.parse(out.trim().split('\n').pop()!);
}

onCpu('package exports', () => {
  beforeAll(() => consumerDir());

  it('require(\'tfjs-gaussian\') gives the whole public API', () => {
    expect(keysFrom('console.log(JSON.stringify(Object.keys(require("tfjs-gaussian")).sort()))', 'commonjs')).toEqual(expected);
  });

  it('import of \'tfjs-gaussian\' gives the whole public API', () => {
    expect(keysFrom('const m = await import("tfjs-gaussian"); console.log(JSON.stringify(Object.keys(m).sort()))', 'module')).toEqual(expected);
  });

  it('package.json declares tfjs-core as a peer dependency, never a dependency', () => {
    expect(pkg.peerDependencies['@tensorflow/tfjs-core']).toBe('>=4 <5');
    expect(pkg.peerDependencies['@tensorflow/tfjs-layers']).toBe('>=4 <5');
    expect(pkg.dependencies?.['@tensorflow/tfjs-core']).toBeUndefined();
    expect(pkg.dependencies?.['@tensorflow/tfjs']).toBeUndefined();
  });

  it('installing the package pulls in nothing: no dependencies, tfjs-node only as an optional peer', () => {
    expect(pkg.dependencies ?? {}).toEqual({});
    expect(pkg.optionalDependencies ?? {}).toEqual({});
    expect(pkg.peerDependencies['@tensorflow/tfjs-node']).toBe('^4.22.0');
    expect(pkg.peerDependenciesMeta['@tensorflow/tfjs-node']).toEqual({optional: true});
    for (const dep of ['@tensorflow/tfjs-core', '@tensorflow/tfjs-layers']) {
      expect(pkg.peerDependenciesMeta?.[dep]?.optional).not.toBe(true);
    }
  });

  it('dist/ imports tfjs only by package name, so the app\'s single copy is used', () => {
    const files: string[] = [];
    const walk = (d: string) => fs.readdirSync(d, {withFileTypes: true}).forEach((e) =>
      e.isDirectory() ? walk(path.join(d, e.name)) : e.name.endsWith('.js') && files.push(path.join(d, e.name)));
    walk(path.join(root, 'dist'));
    expect(files.length).toBeGreaterThan(10);
    const specifiers = new Set<string>();
    for (const f of files) {
      for (const m of fs.readFileSync(f, 'utf8').matchAll(/(?:from |require\()['"]([^'"]+)['"]/g)) {
        if (!m[1]!.startsWith('.')) specifiers.add(m[1]!);
      }
    }
    expect([...specifiers].sort()).toEqual(['@tensorflow/tfjs-core', '@tensorflow/tfjs-layers']);
  });
});
