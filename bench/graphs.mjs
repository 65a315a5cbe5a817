// Graph-shaped bench models (issue #10 item 7): a pix2pix U-Net generator and an SRResNet-style
// super-resolution generator, as node lists that every implementation builds the same way
// (upconv's Functional API: upconv_graph.mjs; tf.js layers: tfjs_graph.mjs; ONNX: onnx_graph.mjs).
// Also: the work a graph does (real MACs → FLOPs), its weights (per layer, Keras get_weights()
// layout) and input, generated from a seed so that every implementation and process sees the same
// numbers, and `subgraph` (a group of nodes as a model of its own, for the per-layer profile).
//
// Node specs (Keras semantics, NHWC, per-sample shapes):
//   { name, op: 'input', shape }
//   { name, op: 'conv' | 'convT', inputs: [a], filters, kernel: [kh, kw], strides: [sh, sw], padding, useBias, activation }
//   { name, op: 'bn', inputs: [a], epsilon, gamma }   BatchNormalization at inference (moving statistics);
//                                                     gamma: the [lo, hi] range its random gamma is drawn from
//   { name, op: 'leaky', inputs: [a], alpha }         LeakyReLU
//   { name, op: 'relu' | 'tanh', inputs: [a] }        ReLU layer / Activation('tanh')
//   { name, op: 'prelu', inputs: [a], sharedAxes }    PReLU (alpha shape: sample shape with shared axes 1)
//   { name, op: 'dropout', inputs: [a], rate }        identity at inference
//   { name, op: 'concat', inputs: [a, b] }            Concatenate on the channel axis
//   { name, op: 'add', inputs: [a, b] }               Add
//   { name, op: 'd2s', inputs: [a], block }           tf.nn.depth_to_space (NHWC, TF's DCR order)
// The graph's output is its last node.
import { deconvAxis, realTaps } from './geometry.mjs';
import { normal, rng, uniform } from './util.mjs';

/** Collects nodes; each helper returns the new node's name. */
function builder(inputShape) {
  const nodes = [{ name: 'input', op: 'input', shape: inputShape }];
  const push = (name, op, inputs, attrs = {}) => {
    nodes.push({ name, op, inputs, ...attrs });
    return name;
  };
  return {
    nodes,
    conv: (name, x, filters, k, s, { useBias = true, activation = null } = {}) =>
      push(name, 'conv', [x], { filters, kernel: [k, k], strides: [s, s], padding: 'same', useBias, activation }),
    convT: (name, x, filters, k, s, { useBias = true, activation = null } = {}) =>
      push(name, 'convT', [x], { filters, kernel: [k, k], strides: [s, s], padding: 'same', useBias, activation }),
    bn: (name, x, gamma = [0.6, 1.0]) => push(name, 'bn', [x], { epsilon: 1e-3, gamma }),
    leaky: (name, x, alpha) => push(name, 'leaky', [x], { alpha }),
    relu: (name, x) => push(name, 'relu', [x]),
    prelu: (name, x) => push(name, 'prelu', [x], { sharedAxes: [1, 2] }),
    dropout: (name, x, rate) => push(name, 'dropout', [x], { rate }),
    concat: (name, a, b) => push(name, 'concat', [a, b]),
    add: (name, a, b) => push(name, 'add', [a, b]),
    d2s: (name, x, block) => push(name, 'd2s', [x], { block }),
  };
}

/**
 * pix2pix's unet_256 generator as the TensorFlow pix2pix tutorial writes it (8 levels, 256 → 1):
 * encoder Conv2D 4×4 s2 'same' (no bias) + BatchNormalization (not on the first) + LeakyReLU(0.2)
 * with 64, 128, 256, 512 × 5 filters; decoder Conv2DTranspose 4×4 s2 'same' (no bias) + BN +
 * Dropout(0.5) on the first three (identity at inference) + ReLU with 512 × 4, 256, 128, 64
 * filters, each followed by Concatenate([up, skip]); last Conv2DTranspose(3, 4, s2, tanh).
 */
function unet256() {
  const g = builder([256, 256, 3]);
  const down = [64, 128, 256, 512, 512, 512, 512, 512];
  const skips = [];
  let x = 'input';
  down.forEach((f, i) => {
    const n = `down${i + 1}`;
    x = g.conv(`${n}_conv`, x, f, 4, 2, { useBias: false });
    if (i > 0) x = g.bn(`${n}_bn`, x);
    x = g.leaky(`${n}_leaky`, x, 0.2);
    skips.push(x);
  });
  const up = [512, 512, 512, 512, 256, 128, 64];
  const from = skips.slice(0, -1).reverse();
  up.forEach((f, i) => {
    const n = `up${i + 1}`;
    x = g.convT(`${n}_convT`, x, f, 4, 2, { useBias: false });
    x = g.bn(`${n}_bn`, x);
    if (i < 3) x = g.dropout(`${n}_dropout`, x, 0.5);
    x = g.relu(`${n}_relu`, x);
    x = g.concat(`${n}_concat`, x, from[i]);
  });
  g.convT('last_convT', x, 3, 4, 2, { activation: 'tanh' });
  return g.nodes;
}

/**
 * SRResNet (SRGAN's generator; Fast-SRGAN has the same outline with 32 filters and inverted
 * residual blocks): Conv2D 9×9 64 + PReLU(shared_axes [1, 2]); `blocks` residual blocks of
 * Conv2D 3×3 64 - BN - PReLU - Conv2D 3×3 64 - BN - Add; Conv2D 3×3 64 - BN - Add (long skip to
 * the first PReLU); twice Conv2D 3×3 256 + depth_to_space(2) + PReLU; Conv2D 9×9 3 tanh.
 */
/** gamma range of the BatchNormalization that ends a residual branch (keeps the sum of 8 blocks ~1). */
const RESIDUAL_GAMMA = [0.15, 0.3];

function srresnet(blocks) {
  const g = builder([64, 64, 3]);
  const head = g.prelu('head_prelu', g.conv('head_conv', 'input', 64, 9, 1));
  let x = head;
  for (let i = 1; i <= blocks; i++) {
    const n = `res${i}`;
    let y = g.bn(`${n}_bn1`, g.conv(`${n}_conv1`, x, 64, 3, 1));
    y = g.prelu(`${n}_prelu`, y);
    y = g.bn(`${n}_bn2`, g.conv(`${n}_conv2`, y, 64, 3, 1), RESIDUAL_GAMMA);
    x = g.add(`${n}_add`, y, x);
  }
  x = g.bn('body_bn', g.conv('body_conv', x, 64, 3, 1), RESIDUAL_GAMMA);
  x = g.add('body_add', x, head);
  for (let i = 1; i <= 2; i++) {
    x = g.prelu(`up${i}_prelu`, g.d2s(`up${i}_d2s`, g.conv(`up${i}_conv`, x, 256, 3, 1), 2));
  }
  g.conv('tail_conv', x, 3, 9, 1, { activation: 'tanh' });
  return g.nodes;
}

/** The graph shapes of the bench (see shapes.mjs for the fields). */
export const GRAPH_SHAPES = [
  {
    id: 'unet-256',
    title: 'pix2pix U-Net generator (unet_256: 8 levels 256→1, 4×4 s2 convs, BN, Concatenate skips, tanh), 256×256×3, batch 1',
    batch: 1, input: [256, 256, 3], graph: unet256(),
  },
  {
    id: 'srresnet-64',
    title: 'SRResNet generator (9×9 head, 8 residual blocks of 64, long skip, 2× Conv2D 256 + DepthToSpace(2) + PReLU, 9×9 tanh), 64×64×3 → 256×256×3, batch 1',
    batch: 1, input: [64, 64, 3], graph: srresnet(8),
  },
];

for (const s of GRAPH_SHAPES) {
  // 12-13 GFLOP a call: the JS baselines would take about a minute per call; the reference of
  // the main run is upconv's scalar WebAssembly build (kernels separate from the SIMD ones), and
  // the cells are interleaved over ≥ 5 rounds so that each median has ≥ 5 samples
  Object.assign(s, {
    ref: { 'upconv-js': 'upconv-scalar' },
    timed: ['upconv-relaxed', 'upconv-simd', 'tfjs-wasm', 'ort-web'],
    minSamples: 5,
    maxCellMs: 60000,
  });
}

const size = (s) => s.reduce((a, b) => a * b, 1);

function convLength(n, k, s, padding) {
  return padding === 'same' ? Math.ceil(n / s) : Math.floor((n - k) / s) + 1;
}

/**
 * Walks a graph: per-sample output shape of every node (a Map), its Keras weight shapes, real MACs
 * (as shapes.mjs counts them: Conv2D in-bounds taps, Conv2DTranspose the input-side count) and the
 * graph's output shape. `graph` may be a subgraph (see `subgraph`).
 */
export function analyseGraph(shape) {
  const shapes = new Map();
  const params = [];
  let macs = 0;
  const layerMacs = new Map();
  for (const n of shape.graph) {
    const x = n.inputs ? shapes.get(n.inputs[0]) : null;
    if (n.inputs && n.inputs.some((i) => !shapes.has(i))) throw new Error(`graph ${shape.id}: ${n.name} reads an unknown or later node`);
    let out;
    switch (n.op) {
      case 'input':
        out = [...n.shape];
        break;
      case 'conv': {
        const [h, w, c] = x;
        const [kh, kw] = n.kernel;
        const [sh, sw] = n.strides;
        out = [convLength(h, kh, sh, n.padding), convLength(w, kw, sw, n.padding), n.filters];
        const m = realTaps(h, kh, sh, n.padding) * realTaps(w, kw, sw, n.padding) * c * n.filters;
        layerMacs.set(n.name, m);
        macs += m;
        params.push({ node: n, weights: [{ name: 'kernel', shape: [kh, kw, c, n.filters] }, ...(n.useBias ? [{ name: 'bias', shape: [n.filters] }] : [])] });
        break;
      }
      case 'convT': {
        const [h, w, c] = x;
        const [kh, kw] = n.kernel;
        const [sh, sw] = n.strides;
        out = [deconvAxis(h, kh, sh, n.padding).length, deconvAxis(w, kw, sw, n.padding).length, n.filters];
        const m = h * w * c * n.filters * kh * kw;
        layerMacs.set(n.name, m);
        macs += m;
        params.push({ node: n, weights: [{ name: 'kernel', shape: [kh, kw, n.filters, c] }, ...(n.useBias ? [{ name: 'bias', shape: [n.filters] }] : [])] });
        break;
      }
      case 'bn':
        out = [...x];
        params.push({ node: n, weights: ['gamma', 'beta', 'moving_mean', 'moving_variance'].map((name) => ({ name, shape: [x[2]] })) });
        break;
      case 'prelu':
        out = [...x];
        params.push({ node: n, weights: [{ name: 'alpha', shape: x.map((d, i) => (n.sharedAxes.includes(i + 1) ? 1 : d)) }] });
        break;
      case 'leaky':
      case 'relu':
      case 'tanh':
      case 'dropout':
        out = [...x];
        break;
      case 'add': {
        const y = shapes.get(n.inputs[1]);
        if (x.join() !== y.join()) throw new Error(`graph ${shape.id}: ${n.name} adds [${x}] and [${y}]`);
        out = [...x];
        break;
      }
      case 'concat': {
        const y = shapes.get(n.inputs[1]);
        if (x[0] !== y[0] || x[1] !== y[1]) throw new Error(`graph ${shape.id}: ${n.name} concatenates [${x}] and [${y}]`);
        out = [x[0], x[1], x[2] + y[2]];
        break;
      }
      case 'd2s':
        out = [x[0] * n.block, x[1] * n.block, x[2] / (n.block * n.block)];
        break;
      default:
        throw new Error(`graph ${shape.id}: unknown op ${n.op}`);
    }
    shapes.set(n.name, out);
  }
  const last = shape.graph[shape.graph.length - 1];
  const inputs = shape.graph.filter((n) => n.op === 'input');
  const output = shapes.get(last.name);
  return {
    output,
    shapes,
    params,
    layerMacs,
    inputs: inputs.map((n) => ({ name: n.name, shape: n.shape })),
    flops: 2 * macs * shape.batch,
    bytes: 4 * shape.batch * (inputs.reduce((a, n) => a + size(n.shape), 0) + size(output)),
    metric: 'GFLOP/s',
  };
}

function seedOf(id) {
  let h = 2166136261;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 16777619);
  return h >>> 0;
}

/**
 * Weights per parametric node (a Map name → [{ shape, data }] in Keras get_weights() order), and
 * an N(0, 1) input (NHWC). Kernels are He-uniform over the taps that reach one output (fan-in
 * c·kh·kw, divided by s² for a transposed convolution), so that activations stay of order 1 down
 * the 15–20 layers without trained statistics; BatchNormalization gets gamma in [0.6, 1.0] (the
 * ends of SRResNet's residual branches [0.15, 0.3], as a trained one keeps the sum bounded),
 * beta and moving_mean in ±0.1, moving_variance in [0.8, 1.2]; PReLU alpha in [0, 0.3]; biases ±0.1.
 * Under these weights the outputs use tanh's range without saturating (the check in suite.mjs then
 * compares numbers that depend on every layer).
 */
export function makeGraphData(shape) {
  const info = analyseGraph(shape);
  const random = rng(seedOf(shape.id));
  const weights = new Map();
  const between = (n, lo, hi) => Float32Array.from(uniform(random, n, 1), (v) => lo + ((v + 1) / 2) * (hi - lo));
  for (const p of info.params) {
    const list = [];
    for (const w of p.weights) {
      const n = size(w.shape);
      let data;
      if (w.name === 'kernel') {
        const [kh, kw, a, b] = w.shape;
        const fanIn = p.node.op === 'conv' ? kh * kw * a : (kh * kw * b) / (p.node.strides[0] * p.node.strides[1]);
        data = uniform(random, n, Math.sqrt(6 / fanIn) * (p.node.activation === 'tanh' ? 0.4 : 1));
      } else if (w.name === 'bias' || w.name === 'beta' || w.name === 'moving_mean') data = uniform(random, n, 0.1);
      else if (w.name === 'gamma') data = between(n, ...p.node.gamma);
      else if (w.name === 'moving_variance') data = between(n, 0.8, 1.2);
      else if (w.name === 'alpha') data = between(n, 0, 0.3);
      else throw new Error(`weight ${w.name}`);
      list.push({ shape: w.shape, data });
    }
    weights.set(p.node.name, list);
  }
  const inputs = info.inputs.map((i) => ({ name: i.name, shape: [shape.batch, ...i.shape], data: normal(random, shape.batch * size(i.shape)) }));
  return {
    info,
    weights,
    inputs,
    // the single-input view the suite uses
    input: inputs[0].data,
    inputShape: inputs[0].shape,
    outputShape: [shape.batch, ...info.output],
  };
}

/**
 * The nodes `names` of a graph shape as a graph shape of their own: every tensor they read from
 * outside becomes an input node of that shape (for timing parts of a graph on their own).
 */
export function subgraph(shape, names, id) {
  const info = analyseGraph(shape);
  const keep = new Set(names);
  const nodes = [];
  const added = new Set();
  for (const n of shape.graph) {
    if (!keep.has(n.name) || n.op === 'input') continue;
    for (const i of n.inputs) {
      if (!keep.has(i) && !added.has(i)) {
        added.add(i);
        nodes.push({ name: i, op: 'input', shape: info.shapes.get(i) });
      }
    }
    nodes.push(n);
  }
  // inputs first (a graph lists its inputs before the nodes that read them)
  nodes.sort((a, b) => (a.op === 'input' ? 0 : 1) - (b.op === 'input' ? 0 : 1));
  return { id, title: id, batch: shape.batch, input: nodes[0].shape, graph: nodes };
}
