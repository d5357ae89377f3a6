/**
 * Builds the browser pages into out/browser/ and serves them on 127.0.0.1.
 * The pages import tfjs-gaussian's ESM build (dist/esm) and @tensorflow/tfjs,
 * bundled by esbuild for the browser platform: a Node-only import anywhere on
 * that path fails the build. The wasm backend's .wasm files are copied next
 * to the pages.
 */
import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';

import {build} from 'esbuild';

const root = path.join(__dirname, '..');

/** Debian's Chromium (never a downloaded browser), and its flags for headless WebGL and WebGPU without a GPU. */
export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
export const CHROMIUM_FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  // WebGL without a GPU: ANGLE on SwiftShader, Chromium's software renderer.
  '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--ignore-gpu-blocklist',
  // WebGPU without a GPU: Dawn on SwiftShader. It needs a secure context,
  // which a page served from 127.0.0.1 is.
  '--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader',
];
export const OUT = path.join(root, 'out', 'browser');

export async function buildBrowser(): Promise<void> {
  if (!fs.existsSync(path.join(root, 'dist', 'esm', 'index.js'))) {
    throw new Error('dist/esm is missing: run npm run build first');
  }
  fs.mkdirSync(path.join(OUT, 'wasm'), {recursive: true});
  await build({
    entryPoints: {
      demo: path.join(root, 'examples', 'browser', 'demo.ts'),
      checks: path.join(root, 'test', 'browser', 'checks.ts'),
      bench: path.join(root, 'bench', 'browser', 'bench_page.ts'),
    },
    outdir: OUT,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    sourcemap: true,
    // The package's own ESM build, as a user's bundler would resolve it.
    alias: {'tfjs-gaussian': path.join(root, 'dist', 'esm', 'index.js')},
    logLevel: 'warning',
  });
  fs.copyFileSync(path.join(root, 'examples', 'browser', 'index.html'), path.join(OUT, 'index.html'));
  fs.copyFileSync(path.join(root, 'test', 'browser', 'checks.html'), path.join(OUT, 'checks.html'));
  fs.copyFileSync(path.join(root, 'bench', 'browser', 'bench.html'), path.join(OUT, 'bench.html'));
  const wasmDir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
  for (const f of fs.readdirSync(wasmDir).filter((n) => n.endsWith('.wasm'))) {
    fs.copyFileSync(path.join(wasmDir, f), path.join(OUT, 'wasm', f));
  }
}

const TYPES: Record<string, string> = {
  '.html': 'text/html', '.js': 'text/javascript', '.map': 'application/json', '.wasm': 'application/wasm',
  '.png': 'image/png',
};

/** A static file server for OUT on 127.0.0.1; port 0 picks a free one. */
export function serve(port = 0): Promise<{server: http.Server; url: string}> {
  const server = http.createServer((req, res) => {
    const p = path.normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    const file = path.join(OUT, p === '/' ? 'index.html' : p);
    if (!file.startsWith(OUT) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, {'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream'});
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => {
    const addr = server.address() as {port: number};
    resolve({server, url: `http://127.0.0.1:${addr.port}/`});
  }));
}
