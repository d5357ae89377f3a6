/**
 * What `npm install tfjs-gaussian` brings: the `npm pack` file list and its
 * size. The package is dist/ (ES modules, CommonJS, type declarations),
 * README.md, LICENSE and package.json; no sources, tests, fixtures, benches,
 * examples or docs build.
 */
import {spawnSync} from 'child_process';

import {testBackend} from '../setup/use_backend';
import {root} from './consumer';

// Measured when set: 198 KB packed, 1.08 MB unpacked, 373 files. The
// budget leaves room for growth, not for a stray folder (test/fixtures
// alone is 1.3 MB, src/ 0.6 MB).
const BUDGET = {packedBytes: 300_000, unpackedBytes: 1_600_000};

interface PackResult {size: number; unpackedSize: number; files: Array<{path: string}>}

// The file list does not depend on the backend: run once, in the cpu project.
const run = testBackend() === 'cpu' ? it : it.skip;

describe('npm pack', () => {
  run('ships dist/, README.md, LICENSE and package.json only, within the size budget', () => {
    const out = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {cwd: root, encoding: 'utf8'});
    expect(out.status).toBe(0);
    const pack = (JSON.parse(out.stdout) as PackResult[])[0]!;
    const paths = pack.files.map((f) => f.path);
    expect(paths.filter((p) => !/^dist\/(esm|cjs)\/.+\.(js|d\.ts|json)$/.test(p)).sort())
      .toEqual(['LICENSE', 'README.md', 'package.json']);
    for (const entry of ['dist/esm/index.js', 'dist/esm/index.d.ts', 'dist/cjs/index.js', 'dist/cjs/index.d.ts']) {
      expect(paths).toContain(entry);
    }
    expect(pack.size).toBeLessThan(BUDGET.packedBytes);
    expect(pack.unpackedSize).toBeLessThan(BUDGET.unpackedBytes);
  });
});
