// A small static file server for the playground and the browser training page: 127.0.0.1 only,
// no caching, with the cross-origin isolation headers (COOP: same-origin, COEP: require-corp) that
// SharedArrayBuffer, and so upconv's threads, need. `isolate: false` serves without them (what a
// host that cannot set headers does; the playground's service worker then adds them).
import { createReadStream, existsSync, realpathSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';

const MIME = new Map([
  ['.html', 'text/html; charset=utf-8'], ['.js', 'text/javascript; charset=utf-8'], ['.mjs', 'text/javascript; charset=utf-8'],
  ['.css', 'text/css; charset=utf-8'], ['.json', 'application/json'], ['.wasm', 'application/wasm'], ['.png', 'image/png'],
  ['.svg', 'image/svg+xml'], ['.gz', 'application/gzip'], ['.bin', 'application/octet-stream'], ['.map', 'application/json'],
  ['.ico', 'image/x-icon'], ['.txt', 'text/plain; charset=utf-8'], ['.md', 'text/plain; charset=utf-8'],
]);

/** The isolation headers (also added by the playground's service worker). */
export const ISOLATION_HEADERS = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
  'cross-origin-resource-policy': 'same-origin',
};

function inside(dir, file) {
  return file === dir || file.startsWith(dir.endsWith(sep) ? dir : dir + sep);
}

/**
 * Serves `root` on 127.0.0.1:`port` (0: a free one). `mounts` maps URL prefixes ('/x/data/') to
 * other folders. Resolves to { url, port, requests, close() }.
 */
export function serveStatic(root, { port = 0, host = '127.0.0.1', isolate = true, mounts = {}, log = null } = {}) {
  const base = realpathSync(resolve(root));
  const mountList = Object.entries(mounts).map(([prefix, dir]) => [prefix, realpathSync(resolve(dir))]);
  const requests = [];
  const sockets = new Set();
  const server = createServer((req, res) => {
    let path;
    try {
      path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    } catch {
      res.writeHead(400).end('bad request');
      return;
    }
    requests.push(path);
    const headers = { 'cache-control': 'no-store', ...(isolate ? ISOLATION_HEADERS : {}) };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, headers).end('method not allowed');
      return;
    }
    const mount = mountList.find(([prefix]) => path.startsWith(prefix));
    const dir = mount ? mount[1] : base;
    const rel = mount ? path.slice(mount[0].length) : path;
    let file = resolve(join(dir, rel));
    if (!inside(dir, file) || path.includes('\0')) {
      res.writeHead(403, headers).end('forbidden');
      return;
    }
    if (existsSync(file) && statSync(file).isDirectory()) {
      if (!path.endsWith('/')) {
        res.writeHead(301, { ...headers, location: `${path}/` }).end();
        return;
      }
      file = join(file, 'index.html');
    }
    if (!existsSync(file) || !statSync(file).isFile() || !inside(dir, realpathSync(file))) {
      res.writeHead(404, { ...headers, 'content-type': 'text/plain; charset=utf-8' }).end(`not found: ${path}`);
      log?.(`404 ${path}`);
      return;
    }
    res.writeHead(200, { ...headers, 'content-type': MIME.get(extname(file).toLowerCase()) ?? 'application/octet-stream', 'content-length': statSync(file).size });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return new Promise((res, rej) => {
    server.on('error', rej);
    server.listen(port, host, () => {
      const p = server.address().port;
      res({
        url: `http://${host}:${p}/`,
        port: p,
        requests,
        close: () => new Promise((r) => {
          for (const s of sockets) s.destroy();
          server.close(() => r());
        }),
      });
    });
  });
}
