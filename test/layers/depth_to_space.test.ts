import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, Input, Model, modelFromJSON, ModelFormatError, ShapeError, TensorFlowOpLayer, type Tensor, tensor, TFOpLambda } from '../../bindings/index.js';
import { BACKENDS, itRunsOnRequestedBackend, use } from '../util/backends.js';
import { mismatch } from '../util/close.js';
import * as naive from '../util/naive_padding.js';
import { rng } from '../util/rng.js';

/**
 * DepthToSpace as TF 2 saves it (SEMANTICS-functional §3): a TensorFlowOpLayer whose node_def op
 * is DepthToSpace (block_size as the string attr "2", data_format base64 "TkhXQw==" = NHWC) and a
 * TFOpLambda 'nn.depth_to_space' whose block_size is in the node kwargs (the tf.keras 2 layout
 * writes that single-tensor call without the outer list). Against the oracle on every backend;
 * any other op or function is refused by name.
 */

const CHANNELS = [1, 2, 3, 4, 5, 8, 13, 17];

interface Case {
  name: string;
  form: 'op_layer' | 'lambda';
  b: number;
  sample: [number, number, number];
  batch: number;
  seed: number;
}

function buildTable(): Case[] {
  const cases: Case[] = [];
  let seed = 2100;
  for (const form of ['op_layer', 'lambda'] as const) for (const b of [2, 3, 4]) for (const Cp of CHANNELS) {
    const r = rng(seed);
    const c: Case = { name: '', form, b, sample: [r.int(1, 4), r.pick([1, 3, 5]), Cp * b * b], batch: r.int(1, 3), seed: seed++ };
    c.name = `${form} b=${b} (${c.sample.join(',')}) batch=${c.batch}`;
    cases.push(c);
  }
  return cases;
}
const table = buildTable();

function nodeDef(b: number | string, format = 'TkhXQw==', op = 'DepthToSpace') {
  return { name: 'DepthToSpace', op, input: ['conv2d/Identity'], attr: { block_size: { i: String(b) }, data_format: { s: format }, T: { type: 'DT_FLOAT' } } };
}

/** A tf.keras 2 functional config: input → the depth_to_space layer. */
function config(c: Pick<Case, 'form' | 'b' | 'sample'>, tweak: (layer: Record<string, unknown>) => void = () => {}) {
  const layer: Record<string, unknown> = c.form === 'op_layer'
    ? { class_name: 'TensorFlowOpLayer', name: 'tf_op_layer_DepthToSpace', config: { name: 'DepthToSpace', trainable: true, dtype: 'float32', node_def: nodeDef(c.b), constants: {} }, inbound_nodes: [[['input_1', 0, 0, {}]]] }
    : { class_name: 'TFOpLambda', name: 'tf.nn.depth_to_space', config: { name: 'tf.nn.depth_to_space', trainable: true, dtype: 'float32', function: 'nn.depth_to_space' }, inbound_nodes: [['input_1', 0, 0, { block_size: c.b, data_format: 'NHWC', name: null }]] };
  tweak(layer);
  return {
    class_name: 'Functional', keras_version: '2.15.0',
    config: {
      name: 'model', layers: [{ class_name: 'InputLayer', name: 'input_1', config: { batch_input_shape: [null, ...c.sample], dtype: 'float32', name: 'input_1' }, inbound_nodes: [] }, layer],
      input_layers: [['input_1', 0, 0]], output_layers: [[layer.name as string, 0, 0]],
    },
  };
}

beforeAll(async () => {
  await use('js');
});

describe('DepthToSpace layers: reading and errors', () => {
  it('shapes: (H, W, C) → (H·b, W·b, C/b²); Keras names the op layer tf_op_layer_<name>', () => {
    const m = modelFromJSON(config({ form: 'op_layer', b: 2, sample: [3, 4, 12] }));
    expect(m.outputShape).toEqual([null, 6, 8, 3]);
    expect(m.layers[1].name).toBe('tf_op_layer_DepthToSpace');
    expect(modelFromJSON(config({ form: 'lambda', b: 3, sample: [2, 2, 18] })).outputShape).toEqual([null, 6, 6, 2]);
  });

  it('another op or TF function is listed by name, with every other problem', () => {
    const bad = config({ form: 'op_layer', b: 2, sample: [2, 2, 4] }, (l) => { (l.config as { node_def: unknown }).node_def = nodeDef(2, 'TkhXQw==', 'AddV2'); });
    expect(() => modelFromJSON(bad)).toThrow(/TensorFlow op "AddV2" is not supported/);
    const fn = config({ form: 'lambda', b: 2, sample: [2, 2, 4] }, (l) => { (l.config as { function: string }).function = 'math.add'; });
    expect(() => modelFromJSON(fn)).toThrow(ModelFormatError);
    expect(() => modelFromJSON(fn)).toThrow(/TensorFlow function 'math.add' is not supported/);
  });

  it('NCHW, bad block sizes, channels not divisible by b², missing kwargs and constants are refused', () => {
    const op = (b: number | string, format?: string) => config({ form: 'op_layer', b: 2, sample: [2, 2, 8] }, (l) => { (l.config as { node_def: unknown }).node_def = nodeDef(b, format); });
    expect(() => modelFromJSON(op(2, 'TkNIVw=='))).toThrow(/data_format "NCHW"/);
    expect(() => modelFromJSON(op(1))).toThrow(/block_size/);
    expect(() => modelFromJSON(op('x'))).toThrow(/block_size/);
    expect(() => modelFromJSON(op(3))).toThrow(/divisible by 9/);
    const lam = (kwargs: object) => config({ form: 'lambda', b: 2, sample: [2, 2, 8] }, (l) => { l.inbound_nodes = [['input_1', 0, 0, kwargs]]; });
    expect(() => modelFromJSON(lam({}))).toThrow(/no block_size/);
    expect(() => modelFromJSON(lam({ block_size: 2, data_format: 'NCHW' }))).toThrow(/NCHW/);
    expect(() => modelFromJSON(lam({ block_size: 2, foo: 1 }))).toThrow(/unknown arguments 'foo'/);
    expect(() => new TensorFlowOpLayer({ nodeDef: nodeDef(2), constants: { 1: [2] } })).toThrow(ConfigError);
    expect(() => new TensorFlowOpLayer({ nodeDef: 'x' as never })).toThrow(ConfigError);
    const t = new TFOpLambda({ function: 'nn.depth_to_space' });
    const x = Input({ shape: [2, 2, 8] });
    t.apply(x, { kwargs: { block_size: 2 } });
    expect(() => t.apply(x, { kwargs: { block_size: 4 } })).toThrow(ShapeError);
    expect(t.blockSize).toBe(2);
    expect(() => new TFOpLambda({ function: 'nn.depth_to_space' }).apply(x)).toThrow(/no block_size/);
  });
});

for (const backend of BACKENDS) {
  describe(`DepthToSpace vs the oracle on ${backend}`, () => {
    itRunsOnRequestedBackend(backend);

    it.each(table.map((c) => [c.name, c] as const))('%s', async (_n, c) => {
      await use(backend);
      const m = modelFromJSON(config(c));
      const full = [c.batch, ...c.sample];
      const x = tensor(rng(c.seed).uniformF32(full.reduce((a, b) => a * b, 1), -2, 2), full);
      const got = m.predict(x) as Tensor;
      const want = naive.depthToSpace(x, c.b);
      expect(got.shape).toEqual(want.shape);
      expect(mismatch(got.data, want.data, 0)).toBeNull();
    });

    it('the TensorFlowOpLayer config round trips (the name without its prefix, as tf.keras writes it)', async () => {
      await use(backend);
      const c = table.find((t) => t.form === 'op_layer' && t.b === 2)!;
      const m = modelFromJSON(config(c));
      const json = m.toJSON();
      const entry = (json.config as { layers: { name: string; config: { name: string; node_def: unknown } }[] }).layers[1];
      expect(entry.name).toBe('tf_op_layer_DepthToSpace');
      expect(entry.config.name).toBe('DepthToSpace');
      expect(entry.config.node_def).toEqual(nodeDef(2));
      const back = modelFromJSON(JSON.stringify(json));
      expect(back.toJSON()).toEqual(json);
      const x = tensor(rng(1).uniformF32([1, ...c.sample].reduce((a, b) => a * b, 1)), [1, ...c.sample]);
      expect(Array.from((back.predict(x) as Tensor).data)).toEqual(Array.from((m.predict(x) as Tensor).data));
    });

    // toJSON once wrote only `training` into node kwargs: a TFOpLambda's block_size was lost
    it('the TFOpLambda config round trips with its node kwargs (block_size)', async () => {
      await use(backend);
      const m = modelFromJSON(config({ form: 'lambda', b: 2, sample: [2, 2, 8] }));
      const json = m.toJSON();
      const back = modelFromJSON(JSON.stringify(json));
      expect(back.toJSON()).toEqual(json);
      const x = tensor(rng(2).uniformF32(2 * 2 * 8), [1, 2, 2, 8]);
      const got = back.predict(x) as Tensor;
      expect(got.shape).toEqual([1, 4, 4, 2]);
      expect(Array.from(got.data)).toEqual(Array.from(naive.depthToSpace(x, 2).data));
    });
  });
}

it('the API: TFOpLambda called with block_size kwargs, then a TensorFlowOpLayer from a node_def', async () => {
  await use('js');
  const x = Input({ shape: [1, 2, 16] });
  const y = new TFOpLambda({ function: 'tf.nn.depth_to_space' }).apply(x, { kwargs: { block_size: 2 } });
  const z = new TensorFlowOpLayer({ nodeDef: nodeDef(2) }).apply(y);
  const m = new Model({ inputs: x, outputs: [y, z] });
  const xs = tensor(Float32Array.from({ length: 32 }, (_, i) => i), [1, 1, 2, 16]);
  const [gy, gz] = m.predict(xs) as Tensor[];
  const wy = naive.depthToSpace(xs, 2);
  expect(gy.shape).toEqual([1, 2, 4, 4]);
  expect(Array.from(gy.data)).toEqual(Array.from(wy.data));
  expect(gz.shape).toEqual([1, 4, 8, 1]);
  expect(Array.from(gz.data)).toEqual(Array.from(naive.depthToSpace(wy, 2).data));
});
