/**
 * Bounded reading (issue #9 item 4) for files and archives: non-regular files are refused
 * before they are opened, shards are read only up to what the manifest needs, a shard listed
 * twice is refused, and zip entries never inflate past what is declared and allowed.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync, zipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { CorruptFileError, FileSourceError, loadModel, saveModel, UnsafePathError } from '../../bindings/io/index.js';
import { InflateError, inflateExactly, inflatePrefix } from '../../bindings/io/inflate.js';
import { deflateZeros, type RawEntry, zipRaw } from './bomb.js';
import { fixtureBytes, tinyModel, tinyWeights } from './tiny.js';

const dir = mkdtempSync(join(tmpdir(), 'upconv-bounded-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function tiny() {
  const m = tinyModel();
  m.setWeights(tinyWeights());
  return saveModel(m);
}

/** A tf.js folder: model.json with `paths` as its one group's shard list, and the given files. */
function folder(name: string, paths: string[], files: Record<string, Uint8Array>): string {
  const d = join(dir, name);
  mkdirSync(d, { recursive: true });
  const art = tiny();
  const json = JSON.parse(JSON.stringify(art.modelJSON));
  json.weightsManifest[0].paths = paths;
  writeFileSync(join(d, 'model.json'), JSON.stringify(json));
  for (const [n, b] of Object.entries(files)) writeFileSync(join(d, n), b);
  return join(d, 'model.json');
}

async function rejection(p: Promise<unknown>): Promise<Error> {
  return p.then(() => { throw new Error('expected the load to fail'); }, (e: Error) => e);
}

const weights = () => new Uint8Array(tiny().weightData);

describe('paths that are not regular files', () => {
  it('/dev/zero is refused as a character device, not read forever', async () => {
    const e = await rejection(loadModel('/dev/zero'));
    expect(e).toBeInstanceOf(FileSourceError);
    expect(e.message).toMatch(/character device/);
  });

  it('a FIFO is refused before it is opened (opening one blocks until a writer comes)', async () => {
    const fifo = join(dir, 'model.fifo');
    execFileSync('mkfifo', [fifo]);
    const e = await rejection(loadModel(fifo));
    expect(e).toBeInstanceOf(FileSourceError);
    expect(e.message).toMatch(/FIFO/);
  });

  it('a FIFO or device as a shard is refused too', async () => {
    const d = join(dir, 'fifo-shard');
    mkdirSync(d);
    execFileSync('mkfifo', [join(d, 'w.bin')]);
    const json = JSON.parse(JSON.stringify(tiny().modelJSON));
    json.weightsManifest[0].paths = ['w.bin'];
    writeFileSync(join(d, 'model.json'), JSON.stringify(json));
    const e = await rejection(loadModel(join(d, 'model.json')));
    expect(e).toBeInstanceOf(FileSourceError);
    expect(e.message).toMatch(/weight shard 'w\.bin'.*FIFO/);
  });

  it.each(['.', './', 'sub/', ''])('shard path %j names no file: UnsafePathError (was a raw EISDIR)', async (path) => {
    const e = await rejection(loadModel(folder(`dot${path.length}${path.replace(/\W/g, '_')}`, [path], {})));
    expect(e).toBeInstanceOf(UnsafePathError);
  });

  it('a shard that is a folder is a FileSourceError, not a raw EISDIR', async () => {
    const p = folder('subdir', ['sub'], {});
    mkdirSync(join(dir, 'subdir', 'sub'));
    const e = await rejection(loadModel(p));
    expect(e).toBeInstanceOf(FileSourceError);
    expect(e.message).toMatch(/is a folder/);
  });
});

describe('shards are read only as far as the manifest needs', () => {
  it('a shard listed twice is refused, whatever its spelling', async () => {
    for (const paths of [['w.bin', 'w.bin'], ['w.bin', './w.bin'], Array(400).fill('w.bin')]) {
      const e = await rejection(loadModel(folder(`twice${paths.length}${paths[1]}`.replace(/\W/g, '_'), paths, { 'w.bin': weights() })));
      expect(e).toBeInstanceOf(CorruptFileError);
      expect(e.message).toMatch(/lists the shard '.*w\.bin' twice/);
    }
  });

  it('a 16 GiB shard (sparse) whose first bytes are the weights loads, reading only those', async () => {
    const p = folder('huge', ['w.bin'], { 'w.bin': weights() });
    truncateSync(join(dir, 'huge', 'w.bin'), 16 * 2 ** 30);
    const m = await loadModel(p);
    expect(Array.from(m.getWeights()[0].data)).toEqual(Array.from(tinyWeights()[0].data));
  });

  it('shards after the last needed byte are not opened', async () => {
    const w = weights();
    // the weights split over two shards, then a third that does not exist
    const p = folder('split', ['a.bin', 'b.bin', 'missing.bin'], { 'a.bin': w.subarray(0, 100), 'b.bin': w.subarray(100) });
    const m = await loadModel(p);
    expect(m.getWeights().map((t) => Array.from(t.data))).toEqual(tinyWeights().map((t) => Array.from(t.data)));
  });

  it('a manifest whose weights the model does not use is not read past them', async () => {
    const art = tiny();
    const json = JSON.parse(JSON.stringify(art.modelJSON));
    // an extra weight of 1 GiB after the model's: the shard need not hold it
    json.weightsManifest[0].weights.push({ name: 'unused/kernel', shape: [2 ** 28], dtype: 'float32' });
    const m = await loadModel({ modelJSON: json, weightData: art.weightData });
    expect(m.countParams()).toBe(tinyModel().countParams());
  });

  it('Files given as weightData are sliced to what is needed before they are read', async () => {
    const art = tiny();
    let read = 0;
    class CountingBlob extends Blob {
      override slice(...a: Parameters<Blob['slice']>) {
        const s = super.slice(...a);
        read += s.size;
        return s;
      }
    }
    const big = new CountingBlob([new Uint8Array(art.weightData), new Uint8Array(10 * 2 ** 20)]) as Blob & { name: string };
    Object.defineProperty(big, 'name', { value: 'group1-shard1of1.bin' });
    const m = await loadModel({ modelJSON: art.modelJSON, weightData: [big] });
    expect(m.countParams()).toBe(tinyModel().countParams());
    expect(read).toBe(art.weightData.byteLength);
  });
});

describe('zip entries are bounded by the declared size and by what the model needs', () => {
  const keras = fixtureBytes('keras3_nested.keras');

  /** The fixture's entries, with model.weights.h5 replaced by `weights`. */
  function withWeights(weights: Omit<RawEntry, 'name'>): Uint8Array {
    const files = unzipSync(keras);
    const stored = (name: string): RawEntry => ({ name, data: files[name], method: 0, size: files[name].length });
    return zipRaw([stored('metadata.json'), stored('config.json'), { name: 'model.weights.h5', ...weights }]);
  }

  it('a .keras declaring a 2 GiB weights file for a config of 131 weights is refused before inflating', async () => {
    const e = await rejection(loadModel(withWeights({ data: deflateZeros(2 ** 28), method: 8, size: 2 ** 31 - 16 })));
    expect(e).toBeInstanceOf(CorruptFileError);
    // 64 bytes per weight value plus 16 MiB (bindings/io/limits.ts kerasWeightsBound)
    expect(e.message).toContain(`'model.weights.h5' would inflate to 2147483632 bytes, more than the limit of ${64 * 131 + 2 ** 24}`);
  });

  it('an entry that inflates past its declared size stops there (a lying zip bomb)', async () => {
    const e = await rejection(loadModel(withWeights({ data: deflateZeros(2 ** 28), method: 8, size: 2 ** 20 })));
    expect(e).toBeInstanceOf(CorruptFileError);
    expect(e.message).toMatch(/inflates to more than the 1048576 bytes it should have/);
  });

  it('an entry name listed twice is refused', async () => {
    const files = unzipSync(keras);
    const zip = zipSync({ ...files, 'config.jsoX': files['config.json'] });
    // rename the copy in the central directory and local header to a second 'config.json'
    const s = Buffer.from(zip);
    let at = s.indexOf('config.jsoX');
    while (at >= 0) {
      s.write('config.json', at);
      at = s.indexOf('config.jsoX', at + 1);
    }
    const e = await rejection(loadModel(new Uint8Array(s)));
    expect(e).toBeInstanceOf(CorruptFileError);
    expect(e.message).toMatch(/lists 'config\.json' twice/);
  });

  it('entries named __proto__, constructor and toString are ordinary entries', async () => {
    const files = unzipSync(keras);
    const m = await loadModel(zipSync({ ...files, __proto__: new Uint8Array([1]), constructor: new Uint8Array([2]), toString: new Uint8Array([3]) } as never));
    expect(m.countParams()).toBe(tinyModel().countParams());
    // a zipped tf.js folder whose shard is called __proto__
    const art = tiny();
    const json = JSON.parse(JSON.stringify(art.modelJSON));
    json.weightsManifest[0].paths = ['__proto__'];
    const zipped = zipSync({ 'm/model.json': new TextEncoder().encode(JSON.stringify(json)), 'm/__proto__': new Uint8Array(art.weightData) });
    const t = await loadModel(zipped);
    expect(Array.from(t.getWeights()[0].data)).toEqual(Array.from(tinyWeights()[0].data));
  });

  it('a zipped tf.js shard larger than needed is inflated only as far as needed', async () => {
    const art = tiny();
    const shard = new Uint8Array(4 * 2 ** 20);
    shard.set(new Uint8Array(art.weightData));
    const zipped = zipSync({ 'model.json': new TextEncoder().encode(JSON.stringify(art.modelJSON)), 'group1-shard1of1.bin': shard }, { level: 1 });
    // a whole read would be refused: the entry is 4 MiB
    const m = await loadModel(zipped, { maxFileBytes: 2 ** 20 });
    expect(Array.from(m.getWeights()[0].data)).toEqual(Array.from(tinyWeights()[0].data));
  });

  it('deflate data that inflates to 2 GiB is cut at the bound (no allocation beyond it)', async () => {
    const bomb = deflateZeros(2 ** 31);
    expect(() => inflateExactly(bomb, 1000)).toThrow(InflateError);
    expect(inflatePrefix(bomb, 1000)).toHaveLength(1000);
  });
});
