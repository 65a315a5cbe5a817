// Named bench shapes (issue #4): the classic Keras MNIST generator and the layers of real GAN
// generators, each as a small Keras-style layer list that every implementation builds the same way.
// Also: how much work a shape is (real MACs → FLOPs, or bytes moved), and its weights and input,
// generated from a seed so that every implementation (and every process) sees the same numbers.
import { deconvAxis, realTaps, samePads } from './geometry.mjs';
import { analyseGraph, GRAPH_SHAPES, makeGraphData } from './graphs.mjs';
import { normal, rng, uniform } from './util.mjs';

export { deconvAxis, realTaps, samePads };

/**
 * Layer specs (Keras semantics, NHWC):
 *   { kind: 'dense', units, activation? }
 *   { kind: 'leaky', alpha }
 *   { kind: 'reshape', target: [h, w, c] }
 *   { kind: 'convT', filters, kernel: [kh, kw], strides: [sh, sw], padding, activation? }
 *   { kind: 'conv', filters, kernel: [kh, kw], strides?: [sh, sw], padding, activation? }
 *   { kind: 'up', size: [fh, fw], interpolation: 'nearest' | 'bilinear' }
 */
const GENERATOR = [
  { kind: 'dense', units: 128 * 7 * 7 },
  { kind: 'leaky', alpha: 0.2 },
  { kind: 'reshape', target: [7, 7, 128] },
  { kind: 'convT', filters: 128, kernel: [4, 4], strides: [2, 2], padding: 'same' },
  { kind: 'leaky', alpha: 0.2 },
  { kind: 'convT', filters: 128, kernel: [4, 4], strides: [2, 2], padding: 'same' },
  { kind: 'leaky', alpha: 0.2 },
  { kind: 'conv', filters: 1, kernel: [7, 7], padding: 'same', activation: 'sigmoid' },
];

const convT = (filters, k) => [{ kind: 'convT', filters, kernel: [k, k], strides: [2, 2], padding: 'same' }];
const up = (interpolation) => [{ kind: 'up', size: [2, 2], interpolation }];

/**
 * id, title, batch, per-sample input shape, layers; `into`: also time predictInto (reused output).
 * Graph shapes (graphs.mjs) have `graph` (a node list) instead of `layers`, and may set `ref` (the
 * reference implementation of the main run for this shape), `timed` (the implementations timed on
 * it, by id without -into/-io), `minSamples` and `maxCellMs` (see suite.mjs).
 */
export const SHAPES = [
  { id: 'generator-b1', title: 'MNIST generator (Dense→2×ConvT→Conv 7×7), batch 1', batch: 1, input: [100], layers: GENERATOR },
  { id: 'generator-b64', title: 'MNIST generator, batch 64', batch: 64, input: [100], layers: GENERATOR },
  { id: 'convT-7x7-b1', title: 'Conv2DTranspose 128→128 4×4 s2 same, 7×7, batch 1', batch: 1, input: [7, 7, 128], layers: convT(128, 4) },
  { id: 'convT-7x7-b16', title: 'Conv2DTranspose 128→128 4×4 s2 same, 7×7, batch 16', batch: 16, input: [7, 7, 128], layers: convT(128, 4) },
  { id: 'convT-14x14-b1', title: 'Conv2DTranspose 128→128 4×4 s2 same, 14×14, batch 1', batch: 1, input: [14, 14, 128], layers: convT(128, 4) },
  { id: 'convT-14x14-b16', title: 'Conv2DTranspose 128→128 4×4 s2 same, 14×14, batch 16', batch: 16, input: [14, 14, 128], layers: convT(128, 4) },
  { id: 'convT-5x5-16x16', title: 'Conv2DTranspose 128→64 5×5 s2 same, 16×16, batch 1', batch: 1, input: [16, 16, 128], layers: convT(64, 5) },
  { id: 'convT-64to3-32x32', title: 'Conv2DTranspose 64→3 4×4 s2 same, 32×32, batch 1', batch: 1, input: [32, 32, 64], layers: convT(3, 4) },
  { id: 'conv-7x7-1f', title: 'Conv2D 128→1 7×7 same, 28×28, batch 1', batch: 1, input: [28, 28, 128], layers: [{ kind: 'conv', filters: 1, kernel: [7, 7], padding: 'same' }] },
  { id: 'dense-b1', title: 'Dense 100→6272, batch 1', batch: 1, input: [100], layers: [{ kind: 'dense', units: 6272 }] },
  { id: 'dense-b64', title: 'Dense 100→6272, batch 64', batch: 64, input: [100], layers: [{ kind: 'dense', units: 6272 }] },
  { id: 'nearest-b1', title: 'UpSampling2D nearest 2×, 32×32×128, batch 1', batch: 1, input: [32, 32, 128], layers: up('nearest'), into: true },
  { id: 'nearest-b16', title: 'UpSampling2D nearest 2×, 32×32×128, batch 16', batch: 16, input: [32, 32, 128], layers: up('nearest'), into: true },
  { id: 'bilinear-b1', title: 'UpSampling2D bilinear 2×, 32×32×128, batch 1', batch: 1, input: [32, 32, 128], layers: up('bilinear'), into: true },
  { id: 'bilinear-b16', title: 'UpSampling2D bilinear 2×, 32×32×128, batch 16', batch: 16, input: [32, 32, 128], layers: up('bilinear'), into: true },
  ...GRAPH_SHAPES,
];

/**
 * Walks a shape's layers: per-sample shapes after each layer, parametric layers with their
 * Keras weight shapes, MACs (real ones: Dense in·out; Conv2D only in-bounds taps;
 * Conv2DTranspose the input-side count H·W·Cin·Cout·kh·kw) and the output shape.
 */
export function analyse(shape) {
  if (shape.graph) return analyseGraph(shape);
  let cur = [...shape.input];
  let macs = 0;
  const params = [];
  const shapes = [];
  for (const l of shape.layers) {
    switch (l.kind) {
      case 'dense': {
        const k = cur[cur.length - 1];
        params.push({ layer: l, kernel: [k, l.units], fanIn: k, fanOut: l.units });
        macs += k * l.units * (cur.length > 1 ? cur.slice(0, -1).reduce((a, b) => a * b, 1) : 1);
        cur = [...cur.slice(0, -1), l.units];
        break;
      }
      case 'leaky':
        break;
      case 'reshape':
        cur = [...l.target];
        break;
      case 'convT': {
        const [h, w, c] = cur;
        const [kh, kw] = l.kernel;
        const [sh, sw] = l.strides;
        params.push({ layer: l, kernel: [kh, kw, l.filters, c], fanIn: kh * kw * c, fanOut: kh * kw * l.filters });
        macs += h * w * c * l.filters * kh * kw;
        cur = [deconvAxis(h, kh, sh, l.padding).length, deconvAxis(w, kw, sw, l.padding).length, l.filters];
        break;
      }
      case 'conv': {
        const [h, w, c] = cur;
        const [kh, kw] = l.kernel;
        const [sh, sw] = l.strides ?? [1, 1];
        params.push({ layer: l, kernel: [kh, kw, c, l.filters], fanIn: kh * kw * c, fanOut: kh * kw * l.filters });
        macs += realTaps(h, kh, sh, l.padding) * realTaps(w, kw, sw, l.padding) * c * l.filters;
        const len = (n, k, s) => (l.padding === 'same' ? Math.ceil(n / s) : Math.floor((n - k) / s) + 1);
        cur = [len(h, kh, sh), len(w, kw, sw), l.filters];
        break;
      }
      case 'up':
        cur = [cur[0] * l.size[0], cur[1] * l.size[1], cur[2]];
        break;
      default:
        throw new Error(`unknown layer kind ${l.kind}`);
    }
    shapes.push([...cur]);
  }
  const size = (s) => s.reduce((a, b) => a * b, 1);
  const memoryBound = shape.layers.every((l) => l.kind === 'up');
  return {
    output: cur,
    shapes,
    params,
    /** FLOPs of one call (2 per real MAC, whole batch); 0 for pure upsampling. */
    flops: 2 * macs * shape.batch,
    /** Bytes read + written by one call (f32 input and output, whole batch). */
    bytes: 4 * shape.batch * (size(shape.input) + size(cur)),
    metric: memoryBound ? 'GB/s' : 'GFLOP/s',
  };
}

function seedOf(id) {
  let h = 2166136261;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 16777619);
  return h >>> 0;
}

/**
 * Weights in Keras get_weights() order and layout ([kernel, bias] per parametric layer),
 * Glorot-uniform kernels and small non-zero biases, and an N(0, 1) input (NHWC).
 */
export function makeData(shape) {
  if (shape.graph) return makeGraphData(shape);
  const info = analyse(shape);
  const random = rng(seedOf(shape.id));
  const weights = [];
  for (const p of info.params) {
    const n = p.kernel.reduce((a, b) => a * b, 1);
    const limit = Math.sqrt(6 / (p.fanIn + p.fanOut));
    weights.push({ shape: p.kernel, data: uniform(random, n, limit) });
    const units = p.layer.kind === 'dense' ? p.layer.units : p.layer.filters;
    weights.push({ shape: [units], data: uniform(random, units, 0.1) });
  }
  const inputShape = [shape.batch, ...shape.input];
  const input = normal(random, inputShape.reduce((a, b) => a * b, 1));
  return { info, weights, input, inputShape, outputShape: [shape.batch, ...info.output] };
}
