import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as upconv from '../../bindings/index.js';
import { hasTfjs, needs, ROOT } from '../util/shared.js';
// the bench's own helpers (plain ESM, no declarations)
// @ts-expect-error untyped .mjs
import { analyseGraph, GRAPH_SHAPES, makeGraphData } from '../../bench/graphs.mjs';
// @ts-expect-error untyped .mjs
import { implById } from '../../bench/impls.mjs';
// @ts-expect-error untyped .mjs
import { buildOnnxGraph } from '../../bench/onnx_graph.mjs';
// @ts-expect-error untyped .mjs
import { buildUpconvGraph } from '../../bench/upconv_graph.mjs';
// @ts-expect-error untyped .mjs
import { compare, nchwToNhwc, nhwcToNchw, TOLERANCE } from '../../bench/util.mjs';

/**
 * The bench's graph generators (bench/graphs.mjs) are built three times, once per peer
 * (upconv_graph.mjs, tfjs_graph.mjs, onnx_graph.mjs): these tests check that the three builders
 * and the work count describe the same graph, on a small graph with every op the bench uses.
 */

const hasOrt = (() => {
  try {
    createRequire(join(ROOT, 'bench', 'package.json')).resolve('onnxruntime-web');
    return true;
  } catch {
    return false;
  }
})();
const hasDist = existsSync(join(ROOT, 'dist', 'index.js'));
const missing = [...(hasOrt && hasTfjs ? [] : ["bench/'s dependencies (npm ci --prefix bench)"]), ...(hasDist ? [] : ['dist/ (npm run build)'])];
const peers = needs(missing.length === 0, missing.join(' and '));

type Node = Record<string, unknown> & { name: string; op: string };
const conv = (name: string, x: string, filters: number, k: number, s: number, useBias = true, activation: string | null = null): Node =>
  ({ name, op: 'conv', inputs: [x], filters, kernel: [k, k], strides: [s, s], padding: 'same', useBias, activation });
const convT = (name: string, x: string, filters: number, k: number, s: number, useBias = true, activation: string | null = null): Node =>
  ({ name, op: 'convT', inputs: [x], filters, kernel: [k, k], strides: [s, s], padding: 'same', useBias, activation });
const bn = (name: string, x: string): Node => ({ name, op: 'bn', inputs: [x], epsilon: 1e-3, gamma: [0.6, 1.0] });

/** Every op of the bench graphs at a small size (odd sizes hit the 'same' pads' asymmetric side). */
const SMALL = {
  id: 'small-graph',
  batch: 2,
  input: [11, 13, 3],
  graph: [
    { name: 'input', op: 'input', shape: [11, 13, 3] },
    conv('c1', 'input', 8, 3, 1),
    { name: 'p1', op: 'prelu', inputs: ['c1'], sharedAxes: [1, 2] },
    conv('c2', 'p1', 16, 4, 2, false),
    bn('b2', 'c2'),
    { name: 'l2', op: 'leaky', inputs: ['b2'], alpha: 0.2 },
    convT('t3', 'l2', 8, 4, 2, false),
    bn('b3', 't3'),
    { name: 'd3', op: 'dropout', inputs: ['b3'], rate: 0.5 },
    { name: 'r3', op: 'relu', inputs: ['d3'] },
    // 11×13 → 6×7 → 12×14: the rest runs at 12×14
    conv('c3', 'r3', 8, 3, 1),
    { name: 'p3', op: 'prelu', inputs: ['c3'], sharedAxes: [1, 2] },
    conv('c4', 'p3', 8, 3, 1),
    bn('b4', 'c4'),
    { name: 'a4', op: 'add', inputs: ['b4', 'p3'] },
    { name: 'k4', op: 'concat', inputs: ['a4', 'r3'] },
    { name: 'd5', op: 'd2s', inputs: ['k4'], block: 2 },
    { name: 'p5', op: 'prelu', inputs: ['d5'], sharedAxes: [1, 2] },
    conv('c6', 'p5', 8, 9, 1),
    convT('t7', 'c6', 3, 4, 2, true, 'tanh'),
  ] as Node[],
};

describe('bench graphs: the work count', () => {
  it.each(GRAPH_SHAPES)('$id: upconv builds it with the shapes and parameter count analyseGraph gives', (shape) => {
    const info = analyseGraph(shape);
    const model = buildUpconvGraph(upconv, shape, { weights: new Map() });
    expect(model.outputs[0].shape).toEqual([null, ...info.output]);
    const params = info.params.reduce((a: number, p: { weights: { shape: number[] }[] }) =>
      a + p.weights.reduce((b, w) => b + w.shape.reduce((c, d) => c * d, 1), 0), 0);
    expect(model.countParams()).toBe(params);
    // the two generators map 256×256×3 images (the U-Net) and 64×64×3 → 256×256×3 (the SR one)
    expect(info.output).toEqual([256, 256, 3]);
  });

  it('analyseGraph refuses a node that reads a later one, and mismatched Add shapes', () => {
    const later = { id: 'x', batch: 1, input: [4, 4, 1], graph: [{ name: 'input', op: 'input', shape: [4, 4, 1] }, { name: 'r', op: 'relu', inputs: ['s'] }, { name: 's', op: 'relu', inputs: ['input'] }] };
    expect(() => analyseGraph(later)).toThrow(/unknown or later node/);
    const add = { id: 'y', batch: 1, input: [4, 4, 1], graph: [{ name: 'input', op: 'input', shape: [4, 4, 1] }, conv('c', 'input', 2, 3, 1), { name: 'a', op: 'add', inputs: ['c', 'input'] }] };
    expect(() => analyseGraph(add)).toThrow(/adds/);
  });
});

describe('bench graphs: the three builders agree', () => {
  const data = makeGraphData(SMALL);

  peers.it('upconv simd, tfjs-wasm and onnxruntime-web give upconv-js\'s output on a graph with every op', async () => {
    const run = async (id: string) => {
      const impl = implById(id);
      await impl.load();
      await impl.activate();
      const cell = await impl.prepare(SMALL, data);
      await (cell.isAsync ? cell.run() : Promise.resolve(cell.run()));
      const out = Float32Array.from(cell.output());
      cell.dispose();
      return out;
    };
    const ref = await run('upconv-js');
    expect(ref.length).toBe(2 * 48 * 56 * 3);
    // the weights keep the output inside tanh's range without saturating, so it depends on every layer
    const max = ref.reduce((a, v) => Math.max(a, Math.abs(v)), 0);
    const mean = ref.reduce((a, v) => a + v, 0) / ref.length;
    const sd = Math.sqrt(ref.reduce((a, v) => a + (v - mean) ** 2, 0) / ref.length);
    expect(max).toBeLessThan(0.999);
    expect(sd).toBeGreaterThan(0.02);
    for (const id of ['upconv-simd', 'tfjs-wasm', 'ort-web']) {
      const c = compare(await run(id), ref);
      expect({ id, ok: c.ok }).toEqual({ id, ok: true });
      expect(c.err).toBeLessThan(TOLERANCE);
    }
  }, 120_000);

  peers.it('the output check notices a wrong DepthToSpace order (CRD instead of TF\'s DCR)', async () => {
    const ort = (await import(createRequire(join(ROOT, 'bench', 'package.json')).resolve('onnxruntime-web'))).default;
    ort.env.wasm.numThreads = 1;
    const outputs: Float32Array[] = [];
    for (const mode of ['DCR', 'CRD']) {
      const built = buildOnnxGraph(SMALL, data.weights, { depthToSpaceMode: mode });
      const session = await ort.InferenceSession.create(built.bytes, { executionProviders: ['wasm'] });
      const x = new ort.Tensor('float32', nhwcToNchw(data.input, data.inputShape), built.inputs[0].dims);
      const r = await session.run({ [built.inputs[0].name]: x });
      outputs.push(nchwToNhwc(r.y.data, data.outputShape));
    }
    const impl = implById('upconv-js');
    await impl.load();
    await impl.activate();
    const cell = await impl.prepare(SMALL, data);
    cell.run();
    const ref = Float32Array.from(cell.output());
    expect(compare(outputs[0], ref).ok).toBe(true);
    expect(compare(outputs[1], ref).ok).toBe(false);
  }, 120_000);
});
