/**
 * A consumer folder whose node_modules/tfjs-gaussian points at the package
 * root, so tests can resolve the package by name exactly as an app does.
 * Created on demand (it is git-ignored), by whichever test needs it first.
 */
import * as fs from 'fs';
import * as path from 'path';

export const root = path.join(__dirname, '..', '..');

export function consumerDir(): string {
  const dir = path.join(root, 'test', 'package', 'consumer');
  const nm = path.join(dir, 'node_modules');
  fs.mkdirSync(nm, {recursive: true});
  const link = path.join(nm, 'tfjs-gaussian');
  try {
    fs.symlinkSync(root, link, 'dir');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  return dir;
}
