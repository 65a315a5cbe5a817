/**
 * Hostile HTTP servers on 127.0.0.1 (issue #9 items 4 and 5): redirects that leave the model's
 * folder or origin, bodies that never end, servers that stall. Two servers, so two origins.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, FileSourceError, loadModel, saveModel, UnsafePathError } from '../../bindings/io/index.js';
import { tinyModel, tinyWeights } from './tiny.js';

const m = tinyModel();
m.setWeights(tinyWeights());
const art = saveModel(m, { weightsFile: 'w.bin' });
const modelJSON = Buffer.from(JSON.stringify(art.modelJSON));
const weights = Buffer.from(art.weightData);

type Handler = (req: IncomingMessage, res: ServerResponse, hit: Stats) => void;
interface Stats {
  requests: string[];
  /** Bytes written by endless bodies before the client went away. */
  endlessBytes: number[];
}

function endless(res: ServerResponse, stats: Stats, first?: Buffer): void {
  res.writeHead(200, { 'content-type': 'application/octet-stream' }); // no length: chunked
  const zeros = Buffer.alloc(64 * 1024);
  let sent = 0;
  let stopped = false;
  const slot = stats.endlessBytes.push(0) - 1;
  res.on('close', () => { stopped = true; });
  if (first) {
    res.write(first);
    sent += first.length;
  }
  const pump = () => {
    while (!stopped && sent < 4 * 2 ** 30) {
      sent += zeros.length;
      stats.endlessBytes[slot] = sent;
      if (!res.write(zeros)) {
        res.once('drain', pump);
        return;
      }
    }
  };
  pump();
}

function serve(routes: Record<string, Handler>): Promise<{ server: Server; base: string; stats: Stats }> {
  const stats: Stats = { requests: [], endlessBytes: [] };
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    stats.requests.push(path);
    const h = routes[path];
    if (h) h(req, res, stats);
    else res.writeHead(404).end();
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    resolve({ server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, stats });
  }));
}

const file = (body: Buffer): Handler => (_req, res) => res.writeHead(200, { 'content-length': body.length }).end(body);
const redirect = (to: () => string, status = 302): Handler => (_req, res) => res.writeHead(status, { location: to() }).end();

let a: Awaited<ReturnType<typeof serve>>;
let b: Awaited<ReturnType<typeof serve>>;

beforeAll(async () => {
  b = await serve({
    '/b/model.json': file(modelJSON),
    '/b/w.bin': file(weights),
    '/m/w.bin': file(weights),
    '/c/model.json': file(modelJSON),
    '/c/w.bin': redirect(() => `${a.base}/m/w.bin`),
  });
  a = await serve({
    '/m/model.json': file(modelJSON),
    '/m/w.bin': file(weights),
    '/cross/model.json': file(modelJSON),
    '/cross/w.bin': redirect(() => `${b.base}/m/w.bin`),
    '/inside/model.json': file(modelJSON),
    '/inside/w.bin': redirect(() => '/inside/v2/w.bin', 307),
    '/inside/v2/w.bin': file(weights),
    '/sibling/model.json': file(modelJSON),
    '/sibling/w.bin': redirect(() => '/m/w.bin', 301),
    '/moved/model.json': redirect(() => `${b.base}/b/model.json`),
    '/moved-back/model.json': redirect(() => `${b.base}/c/model.json`),
    '/file-scheme/model.json': file(modelJSON),
    '/file-scheme/w.bin': redirect(() => 'file:///etc/passwd'),
    '/noloc/model.json': file(modelJSON),
    '/noloc/w.bin': (_req, res) => res.writeHead(302).end(),
    '/loop/model.json': redirect(() => '/loop/model.json'),
    '/endless/model.json': (_req, res, s) => endless(res, s),
    '/endless-shard/model.json': file(modelJSON),
    '/endless-shard/w.bin': (_req, res, s) => endless(res, s, weights),
    '/stall-headers/model.json': () => { /* never answers */ },
    '/stall-body/model.json': (_req, res) => {
      res.writeHead(200, { 'content-length': modelJSON.length });
      res.write(modelJSON.subarray(0, 10)); // then nothing
    },
    '/stall-shard/model.json': file(modelJSON),
    '/stall-shard/w.bin': (_req, res) => {
      res.writeHead(200);
      res.write(weights.subarray(0, 100));
    },
  });
});

afterAll(async () => {
  for (const s of [a, b]) {
    s.server.closeAllConnections();
    await new Promise<void>((resolve) => s.server.close(() => resolve()));
  }
});

async function rejection(p: Promise<unknown>): Promise<Error> {
  return p.then(() => { throw new Error('expected the load to fail'); }, (e: Error) => e);
}

const expectTiny = (model: Awaited<ReturnType<typeof loadModel>>) =>
  expect(model.getWeights().map((t) => Array.from(t.data))).toEqual(tinyWeights().map((t) => Array.from(t.data)));

describe('redirects: shards stay in the model.json\'s folder on its origin', () => {
  it('a plain model.json with its shard loads', async () => {
    expectTiny(await loadModel(`${a.base}/m/model.json`));
  });

  it('a shard redirected to another origin is refused, and that origin is never asked', async () => {
    const before = b.stats.requests.length;
    const e = await rejection(loadModel(`${a.base}/cross/model.json`));
    expect(e).toBeInstanceOf(UnsafePathError);
    expect(e.message).toContain(`ends at ${b.base}/m/w.bin, outside the model's folder ${a.base}/cross/`);
    expect(b.stats.requests.length).toBe(before);
  });

  it('a shard redirected to another folder of the same origin is refused', async () => {
    const e = await rejection(loadModel(`${a.base}/sibling/model.json`));
    expect(e).toBeInstanceOf(UnsafePathError);
    expect(e.message).toMatch(/outside the model's folder/);
  });

  it('a shard redirected within the folder is followed', async () => {
    expectTiny(await loadModel(`${a.base}/inside/model.json`));
    expect(a.stats.requests).toContain('/inside/v2/w.bin');
  });

  it('a redirect to a file: URL is refused', async () => {
    const e = await rejection(loadModel(`${a.base}/file-scheme/model.json`));
    expect(e).toBeInstanceOf(UnsafePathError);
    expect(e.message).toMatch(/file: URL/);
  });

  it('a moved model.json is followed; its shards are read next to where it ended', async () => {
    const before = a.stats.requests.filter((r) => r.endsWith('w.bin')).length;
    expectTiny(await loadModel(`${a.base}/moved/model.json`));
    expect(b.stats.requests).toContain('/b/w.bin');
    expect(a.stats.requests.filter((r) => r.endsWith('w.bin')).length).toBe(before);
  });

  it('after a model.json moved to another origin, a shard redirected back to the first origin is refused', async () => {
    const e = await rejection(loadModel(`${a.base}/moved-back/model.json`));
    expect(e).toBeInstanceOf(UnsafePathError);
    expect(e.message).toContain(`outside the model's folder ${b.base}/c/`);
  });

  it('a fetch that follows redirects itself is checked by the URL it ended at', async () => {
    const following = ((u: string) => fetch(u)) as typeof fetch; // drops redirect: 'manual'
    const e = await rejection(loadModel(`${a.base}/cross/model.json`, { fetch: following }));
    expect(e).toBeInstanceOf(UnsafePathError);
    expect(e.message).toContain(`ends at ${b.base}/m/w.bin`);
  });

  it('a redirect without a Location, and a redirect loop, are FileSourceErrors', async () => {
    const noloc = await rejection(loadModel(`${a.base}/noloc/model.json`));
    expect(noloc).toBeInstanceOf(FileSourceError);
    expect(noloc.message).toMatch(/HTTP 302 without a Location/);
    const loop = await rejection(loadModel(`${a.base}/loop/model.json`));
    expect(loop).toBeInstanceOf(FileSourceError);
    expect(loop.message).toMatch(/more than 10 redirects/);
  });
});

describe('bodies that never end and servers that stall', () => {
  it('an endless model.json stops at maxFileBytes, while streaming', async () => {
    const e = await rejection(loadModel(`${a.base}/endless/model.json`, { maxFileBytes: 2 ** 20 }));
    expect(e).toBeInstanceOf(FileSourceError);
    expect(e.message).toMatch(/larger than maxFileBytes \(1\.0 MiB\); stopped reading/);
    // the server writes only as fast as the client reads (backpressure): what it wrote is what was read, plus buffers
    expect(a.stats.endlessBytes.at(-1)!).toBeLessThan(64 * 2 ** 20);
  });

  it('an endless shard is read only as far as the manifest needs: the model loads', async () => {
    expectTiny(await loadModel(`${a.base}/endless-shard/model.json`));
    expect(a.stats.endlessBytes.at(-1)!).toBeLessThan(64 * 2 ** 20);
  });

  it.each(['stall-headers', 'stall-body', 'stall-shard'])('%s: a FileSourceError after timeoutMs without data', async (route) => {
    const e = await rejection(loadModel(`${a.base}/${route}/model.json`, { timeoutMs: 300 }));
    expect(e).toBeInstanceOf(FileSourceError);
    expect(e.message).toMatch(/no data for 300 ms \(timeoutMs\); the server stalled/);
    if (route === 'stall-shard') expect(e.message).toContain(`weight shard ${a.base}/stall-shard/w.bin`);
  });

  it('an AbortSignal ends a stalled load', async () => {
    const e = await rejection(loadModel(`${a.base}/stall-body/model.json`, { signal: AbortSignal.timeout(200) }));
    expect(e).toBeInstanceOf(FileSourceError);
    expect(e.message).toMatch(/aborted/);
  });

  it('a bad timeoutMs is a ConfigError', async () => {
    for (const t of [0, -1, NaN, '30' as never, Infinity]) {
      const e = await rejection(loadModel(`${a.base}/m/model.json`, { timeoutMs: t }));
      expect(e).toBeInstanceOf(ConfigError);
      expect(e.message).toMatch(/timeoutMs must be a positive number/);
    }
  });
});
