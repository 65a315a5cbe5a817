// `npm run playground`: serves the built playground (examples/playground/dist/) on 127.0.0.1 with
// the cross-origin isolation headers (COOP/COEP) and prints its URL. --no-isolation serves it
// without them, as a plain static host would (the service worker then adds them).
//   node examples/playground/scripts/serve.mjs [--port 5170] [--no-isolation]
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { serveStatic } from './static-server.mjs';

const site = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values: a } = parseArgs({ options: { port: { type: 'string', default: '5170' }, 'no-isolation': { type: 'boolean', default: false } } });
const dist = join(site, 'dist');
if (!existsSync(join(dist, 'index.html'))) {
  console.error('examples/playground/dist/ is not built: run `npm run build:playground` first');
  process.exit(1);
}
const isolate = !a['no-isolation'];
const server = await serveStatic(dist, { port: Number(a.port), isolate });
console.log(`upconv playground: ${server.url}  (${isolate ? 'with COOP/COEP headers' : 'without COOP/COEP headers: the service worker adds them'}; Ctrl-C stops)`);
