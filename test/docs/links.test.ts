/**
 * Every relative link in README.md and docs/guides/*.md points at a file of
 * the repository and, when it names an anchor, at a heading of that file
 * (GitHub's slugs: lower case, punctuation dropped, spaces to hyphens).
 */
import * as fs from 'fs';
import * as path from 'path';

import {testBackend} from '../setup/use_backend';

const ROOT = path.join(__dirname, '..', '..');
const files = ['README.md', ...fs.readdirSync(path.join(ROOT, 'docs', 'guides')).filter((n) => n.endsWith('.md'))
  .map((n) => path.join('docs', 'guides', n))];

function slugs(markdown: string): Set<string> {
  const out = new Set<string>();
  for (const m of markdown.matchAll(/^#{1,6} (.+)$/gm)) {
    out.add(m[1]!.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-'));
  }
  return out;
}

const onCpu = testBackend() === 'cpu' ? it : it.skip;

describe('documentation links', () => {
  onCpu.each(files)('%s: every relative link and anchor resolves', (file) => {
    const text = fs.readFileSync(path.join(ROOT, file), 'utf8').replace(/```[\s\S]*?```/g, '');
    const broken: string[] = [];
    for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = m[1]!;
      if (/^[a-z]+:/.test(target)) continue; // http:, https:, mailto:
      const [p, anchor] = target.split('#') as [string, string | undefined];
      const resolved = p === '' ? path.join(ROOT, file) : path.join(ROOT, path.dirname(file), p);
      if (!fs.existsSync(resolved)) {
        broken.push(`${target}: no file ${path.relative(ROOT, resolved)}`);
      } else if (anchor !== undefined && resolved.endsWith('.md') && !slugs(fs.readFileSync(resolved, 'utf8')).has(anchor)) {
        broken.push(`${target}: no heading #${anchor} in ${path.relative(ROOT, resolved)}`);
      }
    }
    expect(broken).toEqual([]);
  });
});
