/**
 * A model file's head decides how much more of it is read (bindings/io/format.ts, issue #9 item
 * 4): junk fails after its first MiB whatever maxFileBytes allows (a sparse file, an endless
 * HTTP body, a large Blob), JSON stops at 64 MiB, and real files of every format still load.
 */
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileSourceError, loadModel, UnknownFormatError } from '../../bindings/io/index.js';
import { boundFor, MAX_JSON_BYTES, SNIFF_BYTES } from '../../bindings/io/format.js';
import { findSuperblock } from '../../bindings/io/hdf5/superblock.js';
import { fixture, fixtureBytes } from './tiny.js';

const dir = mkdtempSync(join(tmpdir(), 'upconv-sniff-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function rejection(p: Promise<unknown>): Promise<Error> {
  return p.then(() => { throw new Error('expected the load to fail'); }, (e: Error) => e);
}

/** A sparse file of `size` bytes starting with `head`. */
function sparse(name: string, size: number, head = ''): string {
  const p = join(dir, name);
  writeFileSync(p, head);
  truncateSync(p, size);
  return p;
}

const peakRss = () => process.resourceUsage().maxRSS * 1024;

describe('files', () => {
  it('a 1.5 GiB sparse file of zeros fails after its head, without reading the rest', async () => {
    const p = sparse('zeros.h5', 1.5 * 2 ** 30);
    const before = peakRss();
    const e = await rejection(loadModel(p));
    expect(e).toBeInstanceOf(UnknownFormatError);
    expect(e.message).toMatch(/unknown format \(starts with 00 00 00 00/);
    // reading it whole would have raised the peak by 1.5 GiB
    expect(peakRss() - before).toBeLessThan(256 * 2 ** 20);
  });

  it('a JSON file past 64 MiB is refused by its size, before it is read', async () => {
    const p = sparse('model.json', MAX_JSON_BYTES + 1, '{"modelTopology": {}, "weightsManifest": []');
    const e = await rejection(loadModel(p));
    expect(e).toBeInstanceOf(FileSourceError);
    expect(e.message).toMatch(/more than 64\.0 MiB, the most a JSON model file may hold/);
  });

  it('files of every format, a user block and files smaller than the head still load', async () => {
    for (const f of ['keras2_v0.h5', 'keras2_dense.h5', 'keras3_nested.keras']) await expect(loadModel(fixture(f))).resolves.toBeDefined();
    expect(findSuperblock(fixtureBytes('keras2_dense.h5'))).toBeGreaterThan(0); // (it has a user block)
  });

  it('the head covers user blocks up to 1 MiB: an HDF5 signature there keeps the whole file readable', () => {
    const sig = fixtureBytes('keras2_v0.h5').subarray(0, 8);
    for (const at of [0, 512, 2 ** 16, 2 ** 20]) {
      const head = new Uint8Array(SNIFF_BYTES);
      head.set(sig, at);
      expect(boundFor(head, false, 'x', 2 ** 31), `signature at ${at}`).toBe(2 ** 31);
    }
    expect(() => boundFor(new Uint8Array(SNIFF_BYTES), false, 'x', 2 ** 31)).toThrow(UnknownFormatError);
    // a small file is judged by its reader, which names what is wrong
    expect(boundFor(new Uint8Array(10), true, 'x', 2 ** 31)).toBe(2 ** 31);
  });
});

describe('Blobs', () => {
  it('a 64 MiB Blob of zeros fails on its head; a JSON Blob past 64 MiB on its size', async () => {
    const e = await rejection(loadModel(new Blob([new Uint8Array(64 * 2 ** 20)])));
    expect(e).toBeInstanceOf(UnknownFormatError);
    const json = await rejection(loadModel(new Blob(['{', new Uint8Array(MAX_JSON_BYTES)])));
    expect(json).toBeInstanceOf(FileSourceError);
    expect(json.message).toMatch(/the most a JSON model file may hold/);
  });
});

describe('HTTP bodies', () => {
  let server: Server;
  let base = '';
  const written = new Map<string, number>();
  beforeAll(async () => {
    server = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      res.writeHead(200, { 'content-type': 'application/octet-stream' }); // no length: chunked
      const chunk = Buffer.alloc(64 * 1024, path === '/spaces/model.json' ? 0x20 : 0);
      let sent = 0;
      let stopped = false;
      res.on('close', () => { stopped = true; });
      if (path === '/spaces/model.json') res.write('{');
      const pump = () => {
        while (!stopped && sent < 4 * 2 ** 30) {
          sent += chunk.length;
          written.set(path, sent);
          if (!res.write(chunk)) {
            res.once('drain', pump);
            return;
          }
        }
      };
      pump();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('an endless body of zeros fails after its head with the default maxFileBytes (2 GiB)', async () => {
    const e = await rejection(loadModel(`${base}/zeros/model.h5`));
    expect(e).toBeInstanceOf(UnknownFormatError);
    // what the server wrote is what was read plus socket buffers: nowhere near 2 GiB
    expect(written.get('/zeros/model.h5')!).toBeLessThan(64 * 2 ** 20);
  });

  it('an endless JSON body stops at 64 MiB', async () => {
    const e = await rejection(loadModel(`${base}/spaces/model.json`));
    expect(e).toBeInstanceOf(FileSourceError);
    expect(e.message).toMatch(/larger than 64\.0 MiB, the most a JSON model file may hold; stopped reading/);
  });
});
