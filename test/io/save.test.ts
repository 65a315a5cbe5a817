import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, Dense, type Model, ModelFormatError, Sequential, type Tensor } from '../../bindings/index.js';
import { FileSourceError, loadModel, saveModel } from '../../bindings/io/index.js';
import { H5File } from '../../bindings/io/hdf5/file.js';
import { ZipArchive } from '../../bindings/io/zip.js';
import { inputsFor, MODELS_UNDER_TEST, sequentialModel } from './save_models.js';

const dir = mkdtempSync(join(tmpdir(), 'upconv-save-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function outputs(m: Model, x: Tensor[]): number[][] {
  const y = m.predict(x.length === 1 ? x[0] : x);
  return (Array.isArray(y) ? y : [y]).map((t) => Array.from(t.data));
}

function expectSame(loaded: Model, original: Model): void {
  expect(loaded.getWeights().map((t) => t.shape)).toEqual(original.getWeights().map((t) => t.shape));
  loaded.getWeights().forEach((t, i) => expect(Array.from(t.data), `weight ${i}`).toEqual(Array.from(original.getWeights()[i].data)));
  const x = inputsFor(original);
  expect(outputs(loaded, x)).toEqual(outputs(original, x));
  expect(loaded.layers.map((l) => [l.className, l.name])).toEqual(original.layers.map((l) => [l.className, l.name]));
}

describe('saveModel → loadModel round trip (identical weights and outputs)', () => {
  describe.each(MODELS_UNDER_TEST)('%s', (_name, make) => {
    it.each(['keras', 'h5'] as const)('as bytes, format %s', async (format) => {
      const m = make();
      const bytes = saveModel(m, { format });
      expect(bytes).toBeInstanceOf(Uint8Array);
      expectSame(await loadModel(bytes), m);
    });

    it('as tf.js artifacts (the in-memory form)', async () => {
      const m = make();
      expectSame(await loadModel(saveModel(m)), m);
    });

    it.each(['gen.keras', 'gen.h5', 'gen.hdf5', 'tfjs_folder', 'json/model.json'])('to a path: %s', async (file) => {
      const m = make();
      const sub = mkdtempSync(join(dir, 'p-'));
      if (file.startsWith('json/')) mkdirSync(join(sub, 'json')); // a model.json's folder must exist
      const path = join(sub, file);
      await saveModel(m, path);
      expectSame(await loadModel(path), m);
      // nothing but the target is left behind (no temporary files)
      const names = readdirSync(file.includes('/') ? join(sub, 'json') : sub);
      expect(names.some((n) => n.endsWith('.tmp'))).toBe(false);
    });
  });

  it('the model is unchanged by saving (weights and predictions before and after)', () => {
    const m = sequentialModel();
    const x = inputsFor(m);
    const before = outputs(m, x);
    saveModel(m, { format: 'keras' });
    saveModel(m, { format: 'h5' });
    expect(outputs(m, x)).toEqual(before);
  });
});

describe('saveModel options and targets', () => {
  it('refuses unknown formats and options with a ConfigError', async () => {
    const m = sequentialModel();
    expect(() => saveModel(m, { format: 'zip' as never })).toThrow(ConfigError);
    expect(() => saveModel(m, { format: 'h5', dtype: 'float16' } as never)).toThrow(/unknown option 'dtype'/);
    await expect(saveModel(m, join(dir, 'x.keras'), { weightsFile: 'w.bin' })).rejects.toThrow(ConfigError);
    await expect(saveModel(m, join(dir, 'x.onnx'))).rejects.toThrow(/cannot tell a format/);
    await expect(saveModel(m, join(dir, 'x.weights.h5'))).rejects.toThrow(/weights-only/);
    await expect(saveModel(m, '')).rejects.toThrow(ConfigError);
  });

  it('a missing folder is named, and nothing is written', async () => {
    const m = sequentialModel();
    await expect(saveModel(m, join(dir, 'missing', 'gen.keras'))).rejects.toThrow(FileSourceError);
    await expect(saveModel(m, join(dir, 'missing', 'deeper', 'tfjs'))).rejects.toThrow(/does not exist/);
    expect(readdirSync(dir).includes('missing')).toBe(false);
  });

  it('a FIFO, a device or a file where a folder should be: a FileSourceError, never a blocked write', async () => {
    const m = sequentialModel();
    const fifo = join(dir, 'pipe.h5');
    execFileSync('mkfifo', [fifo]);
    // written to a temporary name and renamed over it: the FIFO is replaced, nothing blocks
    await saveModel(m, fifo);
    expect(statSync(fifo).isFile()).toBe(true);
    expectSame(await loadModel(fifo), m);
    const file = join(dir, 'plain');
    writeFileSync(file, 'not a folder');
    for (const target of [file, '/dev/null']) {
      const e = await saveModel(m, target).then(() => null, (x: Error) => x);
      expect(e).toBeInstanceOf(FileSourceError);
      expect(e!.message).toMatch(/exists and is not a folder/);
    }
    expect(readFileSync(file, 'utf8')).toBe('not a folder');
  });

  it('an unbuilt model cannot be saved', () => {
    expect(() => saveModel(new Sequential([new Dense(2)]), { format: 'h5' })).toThrow(/not yet been built|input shape/);
  });

  it('activations that one Keras major cannot name are refused for that format only', async () => {
    for (const [act, refused] of [['hard_sigmoid', 'h5'], ['hard_sigmoid_keras2', 'keras']] as const) {
      const m = new Sequential([new Dense(3, { inputShape: [2], activation: act })]);
      const other = refused === 'h5' ? 'keras' : 'h5';
      expect(() => saveModel(m, { format: refused })).toThrow(ModelFormatError);
      const back = await loadModel(saveModel(m, { format: other }));
      const x = inputsFor(m);
      expect(outputs(back, x)).toEqual(outputs(m, x));
    }
  });

  it('writes a file that is what the bytes form gives', async () => {
    const m = sequentialModel();
    const path = join(dir, 'same.h5');
    await saveModel(m, path);
    expect(new Uint8Array(readFileSync(path))).toEqual(saveModel(m, { format: 'h5' }));
    writeFileSync(path, ''); // overwritten by the next save
    await saveModel(m, path);
    expect(readFileSync(path).length).toBeGreaterThan(0);
  });
});

describe('structure of the written files (read with upconv\'s HDF5 and zip readers)', () => {
  it('.h5: root and model_weights attributes, one group per layer, weight_names and datasets at those paths', () => {
    const m = sequentialModel();
    const f = new H5File(saveModel(m, { format: 'h5' }), 'gen.h5');
    expect(f.attributeNames(f.root).sort()).toEqual(['backend', 'keras_version', 'model_config']);
    expect(JSON.parse(String(f.attr(f.root, 'model_config')))).toEqual({ class_name: 'Sequential', config: (m.toJSON() as { config: unknown }).config });
    const mw = f.get('model_weights')!;
    expect(f.attr(mw, 'layer_names')).toEqual(m.layers.map((l) => l.name));
    expect([...f.links(mw).keys()].sort()).toEqual([...m.layers.map((l) => l.name), 'top_level_model_weights'].sort());
    for (const l of m.layers) {
      const g = f.get(`model_weights/${l.name}`)!;
      const names = f.attr(g, 'weight_names') as string[];
      expect(names).toEqual(l.specs.map((s) => `${l.name}/${s.name}:0`));
      names.forEach((n, i) => {
        const ds = f.get(n, g)!;
        expect(f.datasetInfo(ds).shape).toEqual(l.specs[i].shape);
        expect(Array.from(f.readFloat32(ds, n))).toEqual(Array.from(l.weightArrays()[i]));
      });
    }
  });

  it('.keras: stored zip entries metadata.json, config.json, model.weights.h5; saving_lib paths with name attributes', () => {
    const m = sequentialModel();
    const zip = new ZipArchive(saveModel(m, { format: 'keras' }), 'gen.keras');
    expect([...zip.entries.keys()]).toEqual(['metadata.json', 'config.json', 'model.weights.h5']);
    expect([...zip.entries.values()].every((e) => e.method === 0)).toBe(true);
    const meta = JSON.parse(new TextDecoder().decode(zip.read('metadata.json', 1e6)));
    expect(meta.keras_version).toMatch(/^3\.\d+\.\d+$/);
    expect(meta.date_saved).toMatch(/^\d{4}-\d\d-\d\d@\d\d:\d\d:\d\d$/);
    const config = JSON.parse(new TextDecoder().decode(zip.read('config.json', 1e6)));
    expect(config).toMatchObject({ module: 'keras', class_name: 'Sequential', registered_name: null, build_config: { input_shape: [null, 6] } });
    expect(config.config.layers[0]).toEqual({ module: 'keras.layers', class_name: 'InputLayer', registered_name: null, config: { batch_shape: [null, 6], dtype: 'float32', sparse: false, name: m.graph.inputs[0].node.layer.name } });
    const leaky = config.config.layers.find((l: { class_name: string }) => l.class_name === 'LeakyReLU');
    expect(leaky.config.negative_slope).toBeCloseTo(0.2, 6);
    expect(leaky.config.alpha).toBeUndefined();
    expect(leaky.config.dtype).toEqual({ module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' }, registered_name: null });
    const f = new H5File(zip.read('model.weights.h5', 1e8), 'model.weights.h5');
    const expected = ['dense', 'reshape', 'conv2d_transpose', 'batch_normalization', 'leaky_re_lu', 'up_sampling2d', 'conv2d'];
    expect([...f.links(f.get('layers')!).keys()].sort()).toEqual([...expected].sort());
    expect(f.attr(f.get('vars')!, 'name')).toBe('generator');
    m.layers.forEach((l, i) => {
      const vars = f.get(`layers/${expected[i]}/vars`)!;
      expect(f.attr(vars, 'name')).toBe(l.name);
      expect([...f.links(vars).keys()]).toEqual(l.specs.map((_, k) => String(k)));
      l.specs.forEach((s, k) => expect(Array.from(f.readFloat32(f.get(String(k), vars)!, s.name))).toEqual(Array.from(l.weightArrays()[k])));
    });
  });
});
