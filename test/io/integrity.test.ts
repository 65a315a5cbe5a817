/**
 * HDF5 integrity: the checksums libhdf5 verifies are verified here too, and the fields of
 * checksum-less structures it validates. The damage comes from fixtures/make_damaged.py, which
 * kept only the single-byte changes that make libhdf5 fail: each in a place only a checksum
 * covers (so a reader that skips the checksum reads wrong data), or in a field libhdf5 checks.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CorruptFileError, loadModel } from '../../bindings/io/index.js';
import { H5File, type H5Object } from '../../bindings/io/hdf5/file.js';
import { adler32, fletcher32, fletcher32Matches, lookup3 } from '../../bindings/io/hdf5/checksum.js';
import { fixture, fixtureBytes } from './tiny.js';

interface Described {
  path: string;
  attrs: Record<string, string | number>;
  links?: string[];
  shape?: number[];
  data?: string;
}

interface Damage {
  file: string;
  offset: number;
  xor: number;
  what: string;
  /** 'checksum': only a checksum covers the byte; 'structure': libhdf5 validates the field. */
  kind: 'checksum' | 'structure';
  unreadable: string[];
}

const described: Record<string, Described[]> = JSON.parse(readFileSync(fixture('structures.json'), 'utf8'));
const damage: { hdf5: string; cases: Damage[] } = JSON.parse(readFileSync(fixture('damage.json'), 'utf8'));
const ascii = (s: string) => new TextEncoder().encode(s);

/** Reads everything the description lists, comparing as it goes; throws what the reader throws. */
function walk(bytes: Uint8Array, objects: Described[]): void {
  const file = new H5File(bytes, 'f.h5');
  for (const o of objects) {
    const obj = o.path === '/' ? file.root : file.get(o.path);
    if (!obj) throw new Error(`${o.path} not found`);
    for (const [k, v] of Object.entries(o.attrs)) {
      const got = file.attr(obj, k);
      if (got !== v) throw new Error(`${o.path} attribute ${k}: ${String(got).slice(0, 40)} != ${String(v).slice(0, 40)}`);
    }
    if (o.links) {
      const names = [...file.links(obj).keys()].sort();
      if (names.join('\n') !== o.links.join('\n')) throw new Error(`${o.path} links ${names} != ${o.links}`);
      for (const k of o.links) if (!file.get(k, obj)) throw new Error(`${o.path}/${k} not found`);
    } else {
      readData(file, obj, o);
    }
  }
}

function readData(file: H5File, obj: H5Object, o: Described): void {
  const got = file.readFloat32(obj, `'${o.path}'`);
  const want = new Float32Array(new Uint8Array(Buffer.from(o.data!, 'base64')).buffer);
  expect(file.datasetInfo(obj).shape).toEqual(o.shape);
  if (got.length !== want.length || got.some((v, i) => !Object.is(v, want[i]))) throw new Error(`${o.path}: wrong values`);
}

describe('checksum functions', () => {
  it('lookup3 matches Bob Jenkins\' published values for hashlittle', () => {
    expect(lookup3(new Uint8Array(0), 0, 0)).toBe(0xdeadbeef);
    const s = ascii('Four score and seven years ago');
    expect(lookup3(s, 0, s.length, 0)).toBe(0x17770551);
    expect(lookup3(s, 0, s.length, 1)).toBe(0xcd628161);
  });

  it('Adler-32 matches RFC 1950 examples', () => {
    expect(adler32(ascii('Wikipedia'))).toBe(0x11e60398);
    expect(adler32(new Uint8Array(0))).toBe(1);
    // long input: the running sums are reduced in blocks
    const zeros = new Uint8Array(1 << 20).fill(0xff);
    let a = 1;
    let b = 0;
    for (const x of zeros) {
      a = (a + x) % 65521;
      b = (b + a) % 65521;
    }
    expect(adler32(zeros)).toBe(((b << 16) | a) >>> 0);
  });

  it('fletcher32 follows HDF5 (big-endian 16-bit words, odd last byte, byte-swapped legacy form accepted)', () => {
    // sum1 = 0x0102 + 0x0300 = 0x0402, sum2 = 0x0102 + 0x0402 = 0x0504
    expect(fletcher32(new Uint8Array([1, 2, 3]))).toBe(0x05040402);
    expect(fletcher32Matches(new Uint8Array([1, 2, 3]), 0x05040402)).toBe(true);
    expect(fletcher32Matches(new Uint8Array([1, 2, 3]), 0x04050204)).toBe(true);
    expect(fletcher32Matches(new Uint8Array([1, 2, 3]), 0x05040403)).toBe(false);
  });
});

describe('clean files read completely and exactly', () => {
  it.each(Object.keys(described))('%s', (name) => {
    expect(() => walk(fixtureBytes(name), described[name])).not.toThrow();
  });

  it('links named like Object.prototype members are ordinary names', () => {
    const file = new H5File(fixtureBytes('structures.h5'), 'structures.h5');
    const names = file.get('names')!;
    expect([...file.links(names).keys()].sort()).toEqual(['__proto__', 'constructor', 'hasOwnProperty', 'toString']);
    for (const n of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) expect(file.get(`names/${n}`)!.isDataset).toBe(true);
    expect(file.get('names/valueOf')).toBeNull();
    expect(file.attr(names, 'toString')).toBe('an attribute named toString');
    expect(file.attr(names, 'constructor')).toBeUndefined();
  });
});

describe('sizes from a damaged file', () => {
  it('a dataspace of 2^40 elements is a CorruptFileError before anything is allocated (was a raw RangeError)', () => {
    // found by the fuzz suite: UPCONV_FUZZ_SEED=3 UPCONV_FUZZ_ONLY='chunks_v0.h5:13'
    const bytes = fixtureBytes('chunks_v0.h5');
    const clean = new H5File(bytes, 'f.h5');
    const gzip = clean.get('gzip')!; // chunked: the output buffer is made before the chunks are read
    expect(clean.datasetInfo(gzip).shape).toEqual([40, 30]);
    // the dataspace message: version 1, rank 2, then the dimensions as 8-byte lengths
    const ds = gzip.messages.find((m) => m.type === 0x01)!;
    const dv = new DataView(bytes.buffer, bytes.byteOffset);
    expect(dv.getUint32(ds.pos + 8, true)).toBe(40);
    dv.setUint32(ds.pos + 8 + 4, 256, true); // 40 + 2^40
    const file = new H5File(bytes, 'f.h5');
    expect(() => file.readFloat32(file.get('gzip')!, "'/gzip'")).toThrow(CorruptFileError);
    expect(() => file.readFloat32(file.get('gzip')!, "'/gzip'")).toThrow(/more than the reader's limit/);
  });
});

describe(`damage libhdf5 ${damage.hdf5} refuses is a CorruptFileError naming the object`, () => {
  const structural = damage.cases.filter((c) => c.file in described);
  it.each(structural.map((c) => [`${c.file} @${c.offset}: ${c.what}`, c] as const))('%s', (_name, c) => {
    const bytes = fixtureBytes(c.file);
    bytes[c.offset] ^= c.xor;
    let error: unknown;
    try {
      walk(bytes, described[c.file]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CorruptFileError);
    const message = (error as Error).message;
    if (c.kind === 'checksum') expect(message).toMatch(/checksum|fletcher32|Adler-32/);
    const paths = c.unreadable.filter((p) => !p.startsWith('<'));
    if (c.unreadable[0] === '<open>') expect(message).toMatch(/superblock/);
    else if (paths.length) expect(paths.some((p) => message.includes(`'${p}'`)), `${message} names one of ${paths.join(', ')}`).toBe(true);
  });

  const keras = damage.cases.filter((c) => !(c.file in described));
  it.each(keras.map((c) => [`${c.file} @${c.offset}: ${c.what}`, c] as const))('loadModel, %s', async (_name, c) => {
    const bytes = fixtureBytes(c.file);
    await expect(loadModel(bytes, { name: c.file })).resolves.toBeDefined();
    bytes[c.offset] ^= c.xor;
    const e = await loadModel(bytes, { name: c.file }).then(() => null, (x: unknown) => x);
    expect(e).toBeInstanceOf(CorruptFileError);
    expect((e as Error).message).toContain(c.unreadable[0].slice(1));
    expect((e as Error).message).toMatch(/fletcher32|Adler-32/);
  });
});
