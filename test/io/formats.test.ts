import { describe, expect, it } from 'vitest';
import { Activation, Dropout, InputLayer, type Layer, Model, Sequential, type Tensor } from '../../bindings/index.js';
import { loadModel, loadWeights, saveModel, WeightsError } from '../../bindings/io/index.js';
import { fixture, fixtureBytes, TINY_INPUT, tinyModel, tinyWeights } from './tiny.js';
import { importTfjs, itTfjs } from '../util/shared.js';

/** The layers that compute, nested models expanded (a file's nesting is kept on load). */
function leaves(m: Model): Layer[] {
  return m.layers.flatMap((l) => (l instanceof Model ? leaves(l) : l instanceof InputLayer ? [] : [l]));
}

function expectTinyWeights(m: Model): void {
  const got = m.getWeights();
  const want = tinyWeights();
  expect(got.map((t) => t.shape)).toEqual(want.map((t) => t.shape));
  got.forEach((t, i) => expect(Array.from(t.data), `weight ${i}`).toEqual(Array.from(want[i].data)));
}

function reference(): Sequential {
  const m = tinyModel();
  m.setWeights(tinyWeights());
  return m;
}

function samePrediction(m: Model): void {
  expect(Array.from((m.predict(TINY_INPUT) as Tensor).data)).toEqual(Array.from(reference().predict(TINY_INPUT).data));
}

describe('HDF5 and .keras layouts (synthetic fixtures, see fixtures/make_fixtures.py)', () => {
  it.each([
    ['keras2_v0.h5', 'h5py defaults: superblock v0, symbol tables, vlen string attributes'],
    ['keras2_latest.h5', 'superblock v3, v2 object headers, chunked gzip+shuffle+fletcher32 (fixed-array index), fixed-length strings, big-endian and float64 weights'],
    ['keras2_nested.h5', 'Functional(Input → Sequential) → Conv2D, chunked gzip with a v1 B-tree index, weights matched by name'],
    ['keras2_nested_order.h5', 'nested model whose weight names do not match: Keras 2 order (trainable, then non-trainable)'],
    ['keras3_nested.keras', 'Keras 3 .keras: Functional with a nested Sequential, layers/<class>/vars paths, DTypePolicy, batch_shape'],
  ])('%s (%s)', async (name) => {
    const m = await loadModel(fixture(name));
    expect(leaves(m).map((l) => l.className)).toEqual(['Dense', 'Reshape', 'Conv2DTranspose', 'BatchNormalization', 'LeakyReLU', 'Conv2D']);
    expect(m.inputShape).toEqual([null, 3]);
    expectTinyWeights(m);
    samePrediction(m);
  });

  it('keras2_dense.h5: dense links and attributes (fractal heaps, v2 B-trees), a 70 KB model_config (huge heap object), a userblock', async () => {
    const m = await loadModel(fixture('keras2_dense.h5'));
    expect(m.layers.filter((l) => l instanceof Dropout || l instanceof Activation)).toHaveLength(8);
    expectTinyWeights(m);
    samePrediction(m);
  });

  it('loads from bytes, a Blob and a file: URL as well as a path', async () => {
    const bytes = fixtureBytes('keras2_latest.h5');
    for (const source of [bytes, bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength), new Blob([bytes]),
      new URL(`file://${fixture('keras2_latest.h5')}`)]) {
      expectTinyWeights(await loadModel(source as never));
    }
  });
});

describe('loadWeights(model, source) onto a model built in code', () => {
  it.each([
    ['keras2_weights.h5', 'Keras 2 save_weights (layer_names at the root, fixed-length strings)'],
    ['keras3.weights.h5', 'Keras 3 .weights.h5 (layers/<class>/vars/<i>)'],
    ['keras2_v0.h5', 'the weights of a full-model .h5'],
    ['keras2_latest.h5', 'the weights of a full-model .h5 (v3 superblock)'],
  ])('%s (%s)', async (name) => {
    const m = tinyModel();
    await loadWeights(m, fixture(name));
    expectTinyWeights(m);
    samePrediction(m);
  });

  it('model.loadWeights(source), the Keras-style method, works once upconv/io is imported', async () => {
    const m = tinyModel();
    await m.loadWeights(fixture('keras3.weights.h5'));
    expectTinyWeights(m);
    samePrediction(m);
  });

  it('from tf.js artifacts: by layer name, else by order', async () => {
    const m = tinyModel();
    await loadWeights(m, saveModel(reference()));
    expectTinyWeights(m);
    // the same layers under other names: matched by order
    const renamed = tinyModel();
    renamed.layers.forEach((l, i) => { l.name = `layer_${i}`; });
    await loadWeights(renamed, saveModel(reference()));
    expectTinyWeights(renamed);
  });

  it('leaves the model unchanged when the file does not fit', async () => {
    // the tiny model minus its last Conv2D: the file has one layer with weights too many
    const wrong = new Sequential(tinyModel().layers.slice(0, 5));
    await expect(loadWeights(wrong, fixture('keras2_weights.h5'))).rejects.toThrow(/weights for 4 layers.*3 layers with weights/);
    await expect(loadWeights(wrong, fixture('keras3.weights.h5'))).resolves.toBeUndefined(); // by path: the Conv2D is not needed
    const fresh = new Sequential(tinyModel().layers.slice(0, 5));
    const kept = fresh.getWeights();
    await expect(loadWeights(fresh, fixture('keras2_nested.h5'))).rejects.toThrow(WeightsError);
    expect(fresh.getWeights().map((t) => Array.from(t.data))).toEqual(kept.map((t) => Array.from(t.data)));
  });
});

describe('saveModel', () => {
  it('writes the tf.js Layers format: model.json + one float32 little-endian file', () => {
    const { modelJSON, weightData } = saveModel(reference());
    expect(modelJSON.format).toBe('layers-model');
    expect(modelJSON.weightsManifest).toHaveLength(1);
    expect(modelJSON.weightsManifest[0].paths).toEqual(['group1-shard1of1.bin']);
    expect(modelJSON.weightsManifest[0].weights.map((w) => w.name)).toEqual([
      'dense/kernel', 'dense/bias', 'conv2d_transpose/kernel', 'conv2d_transpose/bias', 'batch_normalization/gamma',
      'batch_normalization/beta', 'batch_normalization/moving_mean', 'batch_normalization/moving_variance', 'conv2d/kernel', 'conv2d/bias',
    ]);
    expect(weightData.byteLength).toBe(tinyWeights().reduce((n, t) => n + t.size, 0) * 4);
    const first = new DataView(weightData).getFloat32(0, true);
    expect(first).toBe(tinyWeights()[0].data[0]);
  });

  it('round-trips exactly, also through JSON text', async () => {
    const art = saveModel(reference());
    const back = await loadModel({ modelJSON: JSON.stringify(art.modelJSON), weightData: art.weightData });
    expectTinyWeights(back);
    samePrediction(back);
  });

  itTfjs('its output loads in @tensorflow/tfjs and predicts the same', async () => {
    const tf = await importTfjs();
    const art = saveModel(reference());
    const model = await tf.loadLayersModel(tf.io.fromMemory({
      modelTopology: art.modelJSON.modelTopology as never,
      weightSpecs: art.modelJSON.weightsManifest[0].weights as never,
      weightData: art.weightData,
    }));
    const y = model.predict(tf.tensor2d([[0.3, -1.2, 0.8], [1.5, 0.1, -0.4]])) as { dataSync(): Float32Array };
    const ours = reference().predict(TINY_INPUT).data;
    const theirs = y.dataSync();
    for (let i = 0; i < ours.length; i++) expect(Math.abs(theirs[i] - ours[i])).toBeLessThan(1e-5);
  });
});

