// Builds dist/esm (ES modules) and dist/cjs (CommonJS), each with .d.ts files.
// A package.json in each folder tells Node which module system the .js files use.
import {execFileSync} from 'node:child_process';
import {rmSync, writeFileSync} from 'node:fs';

const tsc = (args) => execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json', ...args], {stdio: 'inherit'});

rmSync('dist', {recursive: true, force: true});
tsc(['--outDir', 'dist/esm', '--module', 'ES2020', '--moduleResolution', 'Bundler']);
tsc(['--outDir', 'dist/cjs', '--module', 'CommonJS', '--moduleResolution', 'Node10']);
writeFileSync('dist/esm/package.json', JSON.stringify({type: 'module'}) + '\n');
writeFileSync('dist/cjs/package.json', JSON.stringify({type: 'commonjs'}) + '\n');
console.log('built dist/esm and dist/cjs');
