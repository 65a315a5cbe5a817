// ONNX models for the onnxruntime-web peer, written as protobuf bytes by a tiny hand-written
// encoder (only the onnx.proto fields used here; opset 17, IR version 8).
//
// Layout: the models are NCHW, as an ONNX exporter emits them for Conv/ConvTranspose/Resize. The
// bench converts the NHWC input to NCHW once, outside the timing, and converts ORT's output back
// once for the comparison, so no Transpose node runs inside the timed session.run. The Dense before
// the Reshape to (h, w, c) gets its columns permuted so that its output reshapes directly to
// (c, h, w): what a converter folds in, and no Transpose at run time either.
import { deconvAxis, samePads } from './shapes.mjs';

// --- protobuf wire format ---------------------------------------------------------------------

const enc = new TextEncoder();

/** Accumulates protobuf fields as byte chunks (weights are appended without copying twice). */
class Message {
  constructor() {
    this.chunks = [];
    this.length = 0;
  }

  raw(bytes) {
    this.chunks.push(bytes);
    this.length += bytes.length;
    return this;
  }

  varint(value) {
    const out = [];
    let v = BigInt.asUintN(64, BigInt(value)); // negative int64 → 10-byte two's complement
    do {
      let b = Number(v & 0x7fn);
      v >>= 7n;
      if (v) b |= 0x80;
      out.push(b);
    } while (v);
    return this.raw(Uint8Array.from(out));
  }

  tag(field, wire) {
    return this.varint((field << 3) | wire);
  }

  /** int32 / int64 / enum field (wire type 0). */
  int(field, value) {
    return this.tag(field, 0).varint(value);
  }

  /** repeated int64, unpacked (onnx.proto is proto2, where repeated scalars default to unpacked). */
  ints(field, values) {
    for (const v of values) this.int(field, v);
    return this;
  }

  /** float field (wire type 5). */
  float(field, value) {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    return this.tag(field, 5).raw(b);
  }

  bytes(field, bytes) {
    return this.tag(field, 2).varint(bytes.length).raw(bytes);
  }

  string(field, s) {
    return this.bytes(field, enc.encode(s));
  }

  message(field, m) {
    this.tag(field, 2).varint(m.length);
    for (const c of m.chunks) this.raw(c);
    return this;
  }

  finish() {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

// --- onnx.proto messages ------------------------------------------------------------------------

const FLOAT = 1; // TensorProto.DataType
const INT64 = 7;
const ATTR = { FLOAT: 1, INT: 2, STRING: 3, INTS: 7 }; // AttributeProto.AttributeType

/** TensorProto { dims = 1, data_type = 2, name = 8, raw_data = 9 } */
function tensorProto(name, dims, data) {
  const m = new Message().ints(1, dims);
  if (data instanceof Float32Array) {
    m.int(2, FLOAT);
  } else if (data instanceof BigInt64Array) {
    m.int(2, INT64);
  } else {
    throw new Error('tensorProto: Float32Array or BigInt64Array');
  }
  // raw_data is little-endian, which typed arrays are on every engine the bench runs on
  return m.string(8, name).bytes(9, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
}

/** Attributes of the ops used here whose type is FLOAT (numbers are INT otherwise). */
const FLOAT_ATTRS = new Set(['alpha', 'beta']);

/** AttributeProto { name = 1, f = 2, i = 3, s = 4, ints = 8, type = 20 } */
function attribute(name, value) {
  const m = new Message().string(1, name);
  if (typeof value === 'string') return m.string(4, value).int(20, ATTR.STRING);
  if (Array.isArray(value)) return m.ints(8, value).int(20, ATTR.INTS);
  if (FLOAT_ATTRS.has(name)) return m.float(2, value).int(20, ATTR.FLOAT);
  return m.int(3, value).int(20, ATTR.INT);
}

/** NodeProto { input = 1, output = 2, name = 3, op_type = 4, attribute = 5 } */
function nodeProto({ op, inputs, outputs, attrs }) {
  const m = new Message();
  for (const i of inputs) m.string(1, i);
  for (const o of outputs) m.string(2, o);
  m.string(3, outputs[0]).string(4, op);
  for (const [k, v] of Object.entries(attrs)) m.message(5, attribute(k, v));
  return m;
}

const node = (op, inputs, outputs, attrs = {}) => ({ op, inputs, outputs, attrs });

/** ValueInfoProto { name = 1, type = 2 { tensor_type = 1 { elem_type = 1, shape = 2 { dim = 1 { dim_value = 1 } } } } } */
function valueInfo(name, dims) {
  const shape = new Message();
  for (const d of dims) shape.message(1, new Message().int(1, d));
  const tensorType = new Message().int(1, FLOAT).message(2, shape);
  return new Message().string(1, name).message(2, new Message().message(1, tensorType));
}

/** ModelProto { ir_version = 1, producer_name = 2, graph = 7, opset_import = 8 } with GraphProto { node = 1, name = 2, initializer = 5, input = 11, output = 12 } */
function modelProto({ nodes, initializers, input, output }) {
  const graph = new Message();
  for (const n of nodes) graph.message(1, nodeProto(n));
  graph.string(2, 'upconv_bench');
  for (const t of initializers) graph.message(5, t);
  graph.message(11, valueInfo(input.name, input.dims));
  graph.message(12, valueInfo(output.name, output.dims));
  const opset = new Message().string(1, '').int(2, 17);
  return new Message().int(1, 8).string(2, 'upconv-bench').message(7, graph).message(8, opset).finish();
}

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
