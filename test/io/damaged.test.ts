import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync, zipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CorruptFileError, FileSourceError, loadModel, loadWeights, MemoryLimitError, ModelFormatError, saveModel, UnknownFormatError,
  UnsafePathError, UnsupportedModelError, UpconvError, WeightsError,
} from '../../bindings/io/index.js';
import { describeShared, hasShared, MODELS } from '../util/shared.js';
import { fixtureBytes, tinyModel, tinyWeights } from './tiny.js';

const WGAN = join(MODELS, 'wgan-mnist3-convtranspose', 'generator_model.h5');
const DOTKERAS = join(MODELS, 'mnist-gan-dotkeras', 'generator.keras');

function tinyArtifacts() {
  const m = tinyModel();
  m.setWeights(tinyWeights());
  return saveModel(m);
}

/** A tf.js model.json (as an object) with a patch applied to a deep copy. */
function patched(fn: (json: any) => void) {
  const art = tinyArtifacts();
  const json = JSON.parse(JSON.stringify(art.modelJSON));
  fn(json);
  return { modelJSON: json, weightData: art.weightData };
}

const layersOf = (json: any) => json.modelTopology.model_config.config.layers;

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected the load to fail');
}

describe('wrong or missing input', () => {
  it('a missing file is a FileSourceError naming the path', async () => {
    const e = await rejection(loadModel('/no/such/generator.h5'));
    expect(e).toBeInstanceOf(FileSourceError);
    expect(e.message).toContain('no such file: /no/such/generator.h5');
  });

  it('a folder: its model.json, else a hint (SavedModel folders are named as such)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'upconv-sm-'));
    try {
      await expect(loadModel(dir)).rejects.toThrow(/is a folder without a model\.json/);
      writeFileSync(join(dir, 'saved_model.pb'), 'x');
      await expect(loadModel(dir)).rejects.toThrow(/is a TensorFlow SavedModel, which upconv cannot read/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each([
    ['empty', new Uint8Array(0), /empty/],
    ['a PNG', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]), /unknown format \(starts with 89 50 4e 47/],
    ['text', new TextEncoder().encode('hello, generator'), /unknown format/],
    ['a near-miss HDF5 signature', new Uint8Array([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0b, 1, 2]), /unknown format/],
  ])('%s is an UnknownFormatError', async (_what, bytes, message) => {
    const e = await rejection(loadModel(bytes));
    expect(e).toBeInstanceOf(UnknownFormatError);
    expect(e.message).toMatch(message);
  });

  it('broken JSON is a CorruptFileError; a Keras config alone points to modelFromJSON', async () => {
    expect(await rejection(loadModel(new TextEncoder().encode('{"modelTopology": ')))).toBeInstanceOf(CorruptFileError);
    const e = await rejection(loadModel(new TextEncoder().encode('{"class_name": "Sequential", "config": {"layers": []}}')));
    expect(e).toBeInstanceOf(ModelFormatError);
    expect(e.message).toContain('modelFromJSON');
  });

  it('a weights-only file given to loadModel says to use loadWeights', async () => {
    for (const f of ['keras2_weights.h5', 'keras3.weights.h5']) {
      const e = await rejection(loadModel(fixtureBytes(f)));
      expect(e).toBeInstanceOf(ModelFormatError);
      expect(e.message).toContain('loadWeights(model, source)');
    }
  });
});

describeShared('truncated and corrupted HDF5', () => {
  const wgan = hasShared ? new Uint8Array(readFileSync(WGAN)) : new Uint8Array(2);

  it.each([8, 100, 1000, 4096, 100_000, wgan.length >> 1, wgan.length - 1])('cut to %i bytes: CorruptFileError', async (n) => {
    const e = await rejection(loadModel(wgan.slice(0, n), { name: 'cut.h5' }));
    expect(e).toBeInstanceOf(CorruptFileError);
    expect(e.message).toMatch(/^cut\.h5: /);
  });

  it('a dataset that runs past the end of the file (cut off) names the dataset', async () => {
    // find conv2d_2/kernel:0 (7·7·128 floats) by its first values, then its layout message
    // (address, size) and move the address so the data runs 1000 bytes past the end
    const model = await loadModel(wgan);
    const first = new Uint8Array(model.getWeights()[14].data.buffer, 0, 16);
    const bytes = wgan.slice();
    const dv = new DataView(bytes.buffer);
    const start = Buffer.from(bytes).indexOf(Buffer.from(first));
    expect(start).toBeGreaterThan(0);
    let patchedAt = -1;
    for (let p = 0; p + 16 < bytes.length; p += 1) {
      if (dv.getUint32(p, true) === start && dv.getUint32(p + 4, true) === 0 && dv.getUint32(p + 8, true) === 7 * 7 * 128 * 4 && dv.getUint32(p + 12, true) === 0) {
        dv.setUint32(p, bytes.length - 7 * 7 * 128 * 4 + 1000, true);
        patchedAt = p;
        break;
      }
    }
    expect(patchedAt).toBeGreaterThan(0);
    const e = await rejection(loadModel(bytes, { name: 'cut.h5' }));
    expect(e).toBeInstanceOf(CorruptFileError);
    expect(e.message).toMatch(/^cut\.h5: 'model_weights\/conv2d_2\/conv2d_2\/kernel:0' data at offset \d+ \(25088 bytes\) lies past the end of the file/);
  });

  it('a dataset whose header claims 10^12 elements fails on its shape, reading nothing', async () => {
    // the Dense kernel's dataspace [50, 6272] (8-byte dims) → [1e6, 1e6]
    const bytes = wgan.slice();
    const dv = new DataView(bytes.buffer);
    let patchedAt = -1;
    for (let p = 0; p + 16 < bytes.length; p++) {
      if (dv.getUint32(p, true) === 50 && dv.getUint32(p + 4, true) === 0 && dv.getUint32(p + 8, true) === 6272 && dv.getUint32(p + 12, true) === 0) {
        dv.setUint32(p, 1e6, true);
        dv.setUint32(p + 8, 1e6, true);
        patchedAt = p;
        break;
      }
    }
    expect(patchedAt).toBeGreaterThan(0);
    const e = await rejection(loadModel(bytes));
    expect(e).toBeInstanceOf(WeightsError);
    expect(e.message).toMatch(/kernel should be \[50, 6272\] but .* is \[1000000, 1000000\]/);
  });

  // (time and memory bounds on damaged files are the fuzz harness's job: test/fuzz/)
  it('random damage never escapes as a non-upconv error', async () => {
    let seed = 12345;
    const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    let loaded = 0;
    let failed = 0;
    for (const name of ['keras2_v0.h5', 'keras2_latest.h5', 'keras2_dense.h5', 'keras2_nested.h5', 'keras3_nested.keras']) {
      const clean = fixtureBytes(name);
      for (let round = 0; round < 150; round++) {
        const bytes = clean.slice();
        const flips = 1 + Math.floor(rand() * 4);
        for (let k = 0; k < flips; k++) bytes[Math.floor(rand() * bytes.length)] = Math.floor(rand() * 256);
        try {
          await loadModel(bytes, { name });
          loaded++;
        } catch (e) {
          if (!(e instanceof UpconvError)) throw new Error(`${name} round ${round}: escaped as ${(e as Error).name}: ${(e as Error).message}`);
          failed++;
        }
      }
    }
    expect(loaded + failed).toBe(750);
    expect(failed).toBeGreaterThan(50);
  });
});

describeShared('damaged .keras archives', () => {
  const keras = hasShared ? new Uint8Array(readFileSync(DOTKERAS)) : new Uint8Array(0);

  it('a truncated .keras is a CorruptFileError', async () => {
    for (const n of [10, keras.length >> 1, keras.length - 10]) {
      expect(await rejection(loadModel(keras.slice(0, n)))).toBeInstanceOf(CorruptFileError);
    }
  });

  it('corrupted compressed data fails inflate or its CRC-32', async () => {
    const bytes = keras.slice();
    for (let i = 2000; i < 2100; i++) bytes[i] ^= 0x5a;
    const e = await rejection(loadModel(bytes));
    expect(e).toBeInstanceOf(CorruptFileError);
    expect(e.message).toMatch(/inflate|CRC-32|damaged/);
  });

  it('an entry that declares a huge size is refused before inflating', async () => {
    const bytes = keras.slice();
    const dv = new DataView(bytes.buffer);
    // central directory entry of model.weights.h5: uncompressed size → 4 GB - 16
    for (let p = bytes.length - 22; p > 0; p--) {
      if (dv.getUint32(p, true) === 0x02014b50 && new TextDecoder().decode(bytes.subarray(p + 46, p + 46 + 16)) === 'model.weights.h5') {
        dv.setUint32(p + 24, 0xfffffff0, true);
        break;
      }
    }
    const e = await rejection(loadModel(bytes));
    expect(e).toBeInstanceOf(CorruptFileError);
    expect(e.message).toMatch(/would inflate to 4294967280 bytes/);
  });

  it('a config.json asking for a 10^12-element weight is a MemoryLimitError, before any allocation', async () => {
    const files = unzipSync(keras);
    const config = JSON.parse(new TextDecoder().decode(files['config.json']));
    config.config.layers[0].config.batch_input_shape = [null, 1_000_000];
    config.config.layers[1].config.units = 1_000_000;
    files['config.json'] = new TextEncoder().encode(JSON.stringify(config));
    const e = await rejection(loadModel(zipSync(files)));
    expect(e).toBeInstanceOf(MemoryLimitError);
    expect(e.message).toMatch(/maxWeightBytes/);
  });
});

describe('unsupported models fail at load time, listing every item', () => {
  it('unsupported layers, activations, dtypes and keys are all named in one error', async () => {
    const e = await rejection(loadModel(patched((j) => {
      const layers = layersOf(j);
      layers.splice(2, 0, { class_name: 'ConvLSTM2D', config: { name: 'lstm', filters: 2 } });
      layers[1].config.activation = 'mish';
      layers[3].config.dtype = 'float16';
      layers[3].config.frobnicate = true;
      layers.push({ class_name: 'Lambda', config: { name: 'lam', function: 'x' } });
    })));
    expect(e).toBeInstanceOf(UnsupportedModelError);
    const problems = (e as UnsupportedModelError).problems;
    expect(problems.length).toBe(5);
    expect(e.message).toMatch(/ConvLSTM2D/);
    expect(e.message).toMatch(/mish/);
    expect(e.message).toMatch(/float16/);
    expect(e.message).toMatch(/frobnicate/);
    expect(e.message).toMatch(/Lambda/);
  });

  it('functional graphs load; a broken graph is refused with the reason', async () => {
    const input = { class_name: 'InputLayer', name: 'in', inbound_nodes: [], config: { name: 'in', batch_input_shape: [null, 3] } };
    const dense = (name: string, from: string) => ({ class_name: 'Dense', name, inbound_nodes: [[[from, 0, 0, {}]]], config: { name, units: 2 } });
    const graph = (layers: unknown[], inputs: unknown, outputs: unknown) => ({
      modelJSON: {
        modelTopology: { keras_version: '2.10.0', model_config: { class_name: 'Functional', config: { name: 'g', layers, input_layers: inputs, output_layers: outputs } } },
        weightsManifest: [],
      },
      weightData: new ArrayBuffer(0),
    });
    // a branch with two outputs is a model; without weights in the manifest it is a WeightsError naming them
    const branch = await rejection(loadModel(graph([input, dense('a', 'in'), dense('b', 'in')], [['in', 0, 0]], [['a', 0, 0], ['b', 0, 0]])));
    expect(branch).toBeInstanceOf(WeightsError);
    expect(branch.message).toMatch(/'a\/kernel' of layer 'a' is not in the weightsManifest/);
    // a layer reading a tensor nothing produces, and an output that does not exist
    const dangling = await rejection(loadModel(graph([input, dense('a', 'nowhere')], [['in', 0, 0]], [['a', 0, 0]])));
    expect(dangling).toBeInstanceOf(UnsupportedModelError);
    expect(dangling.message).toMatch(/'nowhere' \[0\]\[0\], which no layer produces/);
    const cycle = await rejection(loadModel(graph([input, dense('a', 'b'), dense('b', 'a')], [['in', 0, 0]], [['b', 0, 0]])));
    expect(cycle).toBeInstanceOf(UnsupportedModelError);
    expect(cycle.message).toMatch(/a cycle/);
  });

  it('a tf.js graph model is refused', async () => {
    const e = await rejection(loadModel({ modelJSON: { format: 'graph-model', modelTopology: {}, weightsManifest: [] } as never }));
    expect(e).toBeInstanceOf(ModelFormatError);
    expect(e.message).toMatch(/graph-model/);
  });
});

describe('hostile tf.js models', () => {
  const dir = mkdtempSync(join(tmpdir(), 'upconv-io-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, json: unknown, shards: Record<string, Uint8Array> = {}) => {
    const d = join(dir, name);
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, 'model.json'), JSON.stringify(json));
    for (const [n, b] of Object.entries(shards)) writeFileSync(join(d, n), b);
    return join(d, 'model.json');
  };
  const art = tinyArtifacts();
  const data = new Uint8Array(art.weightData);
  writeFileSync(join(dir, 'secret.bin'), data);

  it.each([
    ['../secret.bin'], ['/etc/passwd'], ['https://example.com/w.bin'], ['%2e%2e/secret.bin'], ['sub/../../secret.bin'], ['C:\\secret.bin'],
  ])('a shard path %s outside the folder is an UnsafePathError', async (path) => {
    const json = JSON.parse(JSON.stringify(art.modelJSON));
    json.weightsManifest[0].paths = [path];
    const e = await rejection(loadModel(write(`unsafe${Math.random()}`, json)));
    expect(e).toBeInstanceOf(UnsafePathError);
  });

  it('a missing shard is a FileSourceError, a short one a CorruptFileError', async () => {
    const missing = await rejection(loadModel(write('missing', art.modelJSON)));
    expect(missing).toBeInstanceOf(FileSourceError);
    expect(missing.message).toMatch(/group1-shard1of1\.bin/);
    const short = await rejection(loadModel(write('short', art.modelJSON, { 'group1-shard1of1.bin': data.slice(0, 100) })));
    expect(short).toBeInstanceOf(CorruptFileError);
    expect(short.message).toMatch(/hold 100 bytes but the manifest needs/);
  });

  it('the folder path works as well as the model.json path', async () => {
    const path = write('ok', art.modelJSON, { 'group1-shard1of1.bin': data });
    const a = await loadModel(path);
    const b = await loadModel(join(dir, 'ok'));
    expect(Array.from(a.getWeights()[0].data)).toEqual(Array.from(b.getWeights()[0].data));
  });

  it('a manifest weight of 10^12 elements is refused before any shard is read', async () => {
    const e = await rejection(loadModel(patched((j) => { j.weightsManifest[0].weights[0].shape = [1_000_000, 1_000_000]; })));
    expect(e).toBeInstanceOf(ModelFormatError);
    expect(e.message).toMatch(/larger than maxFileBytes/);
  });

  it('a config asking for a 10^12-element weight is a MemoryLimitError', async () => {
    const e = await rejection(loadModel(patched((j) => {
      const layers = layersOf(j);
      layers[0].config.batch_input_shape = [null, 1_000_000];
      layers[1].config.units = 1_000_000;
    })));
    expect(e).toBeInstanceOf(MemoryLimitError);
  });

  it('a config whose layer output is absurdly large is refused too', async () => {
    const e = await rejection(loadModel(patched((j) => { layersOf(j)[2].config.target_shape = [2, 2, 3]; layersOf(j)[1].config.units = 2 ** 31; })));
    // units beyond any sensible model are a config error, reported before anything is built
    expect(e).toBeInstanceOf(UnsupportedModelError);
    expect(e.message).toMatch(/units must be an integer from 1 to 16777216/);
    const wide = await rejection(loadModel(patched((j) => { layersOf(j)[0].config.batch_input_shape = [null, 100]; layersOf(j)[2].config.target_shape = [2 ** 12, 2 ** 12, 1]; layersOf(j)[1].config.units = 2 ** 24; })));
    expect(wide).toBeInstanceOf(MemoryLimitError);
  });

  it('weights with the wrong shape or a NaN are WeightsErrors; names that do not match are listed', async () => {
    const shape = await rejection(loadModel(patched((j) => { j.weightsManifest[0].weights[1].shape = [6, 2]; })));
    expect(shape).toBeInstanceOf(WeightsError);
    const nan = patched(() => {});
    new DataView(nan.weightData).setFloat32(4, NaN, true);
    expect((await rejection(loadModel(nan))).message).toMatch(/non-finite value \(NaN\)/);
    const names = await rejection(loadModel(patched((j) => { j.weightsManifest[0].weights[0].name = 'x/kernel'; })));
    expect(names.message).toMatch(/weight 'dense\/kernel' of layer 'dense' is not in the weightsManifest/);
  });

  it('loadWeights onto a model without an input shape says so', async () => {
    const { Sequential, Dense } = await import('../../bindings/index.js');
    const m = new Sequential([new Dense(2)]);
    await expect(loadWeights(m, art)).rejects.toThrow(/not yet been built/);
  });
});
