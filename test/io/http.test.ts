import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileSourceError, loadModel } from '../../bindings/io/index.js';
import { describeShared, MODELS } from '../util/shared.js';

/** A loopback server over ../shared/models/ (what a browser or worker would fetch). */
describeShared('loading over HTTP with fetch (as in browsers and workers)', () => {
  let server: Server;
  let base = '';
  const requests: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      requests.push(req.url ?? '');
      const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
      if (path.includes('..')) {
        res.writeHead(403).end();
        return;
      }
      try {
        const body = readFileSync(join(MODELS, path));
        res.writeHead(200, { 'content-length': body.length }).end(body);
      } catch {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('a tf.js model.json URL fetches its shard next to it', async () => {
    const m = await loadModel(`${base}/fashion-gan-upsampling2d/tfjs/model.json`);
    expect(m.countParams()).toBe(136_353);
    expect(requests).toContain('/fashion-gan-upsampling2d/tfjs/group1-shard1of1.bin');
  });

  it('a .keras URL and a URL object work too', async () => {
    const m = await loadModel(new URL(`${base}/mnist-gan-dotkeras/generator.keras`));
    expect(m.countParams()).toBe(80_097);
  });

  it('HTTP 404 is a FileSourceError naming the URL', async () => {
    await expect(loadModel(`${base}/nope/model.json`)).rejects.toThrow(FileSourceError);
    await expect(loadModel(`${base}/nope/model.json`)).rejects.toThrow(/HTTP 404/);
  });

  it('a custom fetch can be passed', async () => {
    const seen: string[] = [];
    const m = await loadModel(`${base}/dcgan-fashion-convtranspose/tfjs/model.json`, {
      fetch: ((u: string) => {
        seen.push(u);
        return fetch(u);
      }) as typeof fetch,
    });
    expect(m.countParams()).toBe(966_593);
    expect(seen).toHaveLength(2);
  });
});
