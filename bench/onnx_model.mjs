// ONNX models of the layer-list shapes for the onnxruntime-web peer, written as protobuf bytes by
// onnx_proto.mjs (opset 17, IR version 8). Graph shapes (U-Net, SR generator): onnx_graph.mjs.
//
// Layout: the models are NCHW, as an ONNX exporter emits them for Conv/ConvTranspose/Resize. The
// bench converts the NHWC input to NCHW once, outside the timing, and converts ORT's output back
// once for the comparison, so no Transpose node runs inside the timed session.run. The Dense before
// the Reshape to (h, w, c) gets its columns permuted so that its output reshapes directly to
// (c, h, w): what a converter folds in, and no Transpose at run time either.
import { deconvAxis, samePads } from './geometry.mjs';
import { modelProto, node, tensorProto } from './onnx_proto.mjs';

// --- weights: Keras layout → ONNX layout ---------------------------------------------------------

/** Keras Conv2DTranspose kernel (kh, kw, out, in) → ONNX ConvTranspose W (in, out, kh, kw). */
export function convTransposeWeights(k, [kh, kw, co, ci]) {
  const w = new Float32Array(k.length);
  for (let a = 0; a < kh; a++) {
    for (let b = 0; b < kw; b++) {
      for (let o = 0; o < co; o++) {
        for (let i = 0; i < ci; i++) w[((i * co + o) * kh + a) * kw + b] = k[((a * kw + b) * co + o) * ci + i];
      }
    }
  }
  return w;
}

/** Keras Conv2D kernel (kh, kw, in, out) → ONNX Conv W (out, in, kh, kw). */
export function convWeights(k, [kh, kw, ci, co]) {
  const w = new Float32Array(k.length);
  for (let a = 0; a < kh; a++) {
    for (let b = 0; b < kw; b++) {
      for (let i = 0; i < ci; i++) {
        for (let o = 0; o < co; o++) w[((o * ci + i) * kh + a) * kw + b] = k[((a * kw + b) * ci + i) * co + o];
      }
    }
  }
  return w;
}

/** Dense kernel (in, h·w·c) with columns reordered from (h, w, c) to (c, h, w), and its bias. */
function permuteDenseColumns(kernel, bias, inDim, [h, w, c]) {
  const n = h * w * c;
  const k2 = new Float32Array(kernel.length);
  const b2 = new Float32Array(n);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let ch = 0; ch < c; ch++) {
        const from = (y * w + x) * c + ch;
        const to = (ch * h + y) * w + x;
        b2[to] = bias[from];
        for (let r = 0; r < inDim; r++) k2[r * n + to] = kernel[r * n + from];
      }
    }
  }
  return { kernel: k2, bias: b2 };
}

/** NHWC / flat per-sample shape → the ONNX (NCHW) tensor dims for a batch. */
export function onnxDims(batch, sample) {
  return sample.length === 3 ? [batch, sample[2], sample[0], sample[1]] : [batch, ...sample];
}

/**
 * Builds the ONNX model of a bench shape (see shapes.mjs) with Keras weights
 * (get_weights() order). Returns { bytes, inputDims, outputDims } (NCHW for images).
 */
export function buildOnnxModel(shape, weights) {
  const nodes = [];
  const inits = [];
  let cur = [...shape.input]; // per-sample, NHWC / flat
  let name = 'x';
  let w = 0;
  let n = 0;
  const fresh = (base) => `${base}_${n++}`;
  const init = (base, dims, data) => {
    const id = fresh(base);
    inits.push(tensorProto(id, dims, data));
    return id;
  };
  const activation = (act) => {
    if (!act || act === 'linear') return;
    const op = { sigmoid: 'Sigmoid', relu: 'Relu', tanh: 'Tanh' }[act];
    if (!op) throw new Error(`onnx: activation ${act} not supported`);
    const out = fresh(op.toLowerCase());
    nodes.push(node(op, [name], [out]));
    name = out;
  };
  const layers = shape.layers;
  for (let li = 0; li < layers.length; li++) {
    const l = layers[li];
    switch (l.kind) {
      case 'dense': {
        const inDim = cur[cur.length - 1];
        let kernel = weights[w++].data;
        let bias = weights[w++].data;
        // a Reshape to (h, w, c) later (past elementwise layers only) → emit columns in (c, h, w) order
        const next = layers.slice(li + 1).find((x) => x.kind !== 'leaky');
        if (next && next.kind === 'reshape' && next.target.length === 3) {
          ({ kernel, bias } = permuteDenseColumns(kernel, bias, inDim, next.target));
        }
        const out = fresh('gemm');
        nodes.push(node('Gemm', [name, init('W', [inDim, l.units], kernel), init('B', [l.units], bias)], [out]));
        name = out;
        cur = [l.units];
        activation(l.activation);
        break;
      }
      case 'leaky': {
        const out = fresh('leaky');
        nodes.push(node('LeakyRelu', [name], [out], { alpha: l.alpha }));
        name = out;
        break;
      }
      case 'reshape': {
        const [h, wd, c] = l.target;
        const out = fresh('reshape');
        nodes.push(node('Reshape', [name, init('shape', [4], BigInt64Array.from([shape.batch, c, h, wd].map(BigInt)))], [out]));
        name = out;
        cur = [...l.target];
        break;
      }
      case 'convT': {
        const [h, wd, c] = cur;
        const [kh, kw] = l.kernel;
        const [sh, sw] = l.strides;
        const ay = deconvAxis(h, kh, sh, l.padding);
        const ax = deconvAxis(wd, kw, sw, l.padding);
        const k = weights[w++];
        const bias = weights[w++].data;
        const out = fresh('convT');
        nodes.push(node('ConvTranspose', [name, init('W', [c, l.filters, kh, kw], convTransposeWeights(k.data, k.shape)), init('B', [l.filters], bias)], [out], {
          kernel_shape: [kh, kw],
          strides: [sh, sw],
          // Keras's crop of the full output, [top, left, bottom, right]; 'same' with an odd k - s is asymmetric
          pads: [ay.crop[0], ax.crop[0], ay.crop[1], ax.crop[1]],
        }));
        name = out;
        cur = [ay.length, ax.length, l.filters];
        activation(l.activation);
        break;
      }
      case 'conv': {
        const [h, wd, c] = cur;
        const [kh, kw] = l.kernel;
        const [sh, sw] = l.strides ?? [1, 1];
        const py = l.padding === 'same' ? samePads(h, kh, sh) : [0, 0];
        const px = l.padding === 'same' ? samePads(wd, kw, sw) : [0, 0];
        const k = weights[w++];
        const bias = weights[w++].data;
        const out = fresh('conv');
        nodes.push(node('Conv', [name, init('W', [l.filters, c, kh, kw], convWeights(k.data, k.shape)), init('B', [l.filters], bias)], [out], {
          kernel_shape: [kh, kw],
          strides: [sh, sw],
          pads: [py[0], px[0], py[1], px[1]],
        }));
        name = out;
        const len = (nn, kk, s) => (l.padding === 'same' ? Math.ceil(nn / s) : Math.floor((nn - kk) / s) + 1);
        cur = [len(h, kh, sh), len(wd, kw, sw), l.filters];
        activation(l.activation);
        break;
      }
      case 'up': {
        const out = fresh('resize');
        const scales = init('scales', [4], Float32Array.from([1, 1, l.size[0], l.size[1]]));
        // Keras: nearest = repeat (floor of out/scale); bilinear = TF half-pixel centres
        const attrs = l.interpolation === 'nearest'
          ? { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' }
          : { mode: 'linear', coordinate_transformation_mode: 'half_pixel' };
        nodes.push(node('Resize', [name, '', scales], [out], attrs));
        name = out;
        cur = [cur[0] * l.size[0], cur[1] * l.size[1], cur[2]];
        break;
      }
      default:
        throw new Error(`onnx: layer kind ${l.kind} not supported`);
    }
  }
  // the last node writes the graph output 'y' directly (no Identity node at the end)
  nodes[nodes.length - 1].outputs[0] = 'y';
  const inputDims = onnxDims(shape.batch, shape.input);
  const outputDims = onnxDims(shape.batch, cur);
  return { bytes: modelProto({ nodes, initializers: inits, input: { name: 'x', dims: inputDims }, output: { name: 'y', dims: outputDims } }), inputDims, outputDims };
}
