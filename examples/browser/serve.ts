/**
 * npm run demo: builds the browser demo and serves it on http://127.0.0.1:8080/.
 * Open that address; the selector switches between webgl, wasm and cpu.
 */
import {buildBrowser, serve} from '../../scripts/browser_bundle';

async function main(): Promise<void> {
  await buildBrowser();
  const port = Number(process.env['PORT'] ?? 8080);
  const {url} = await serve(port);
  console.log(`tfjs-gaussian demo: ${url}   (in-page fixture checks: ${url}checks.html; Ctrl-C to stop)`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
