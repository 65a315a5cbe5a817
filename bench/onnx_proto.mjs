// A tiny hand-written protobuf encoder for ONNX models: only the onnx.proto fields the bench's
// model writers (onnx_model.mjs for layer lists, onnx_graph.mjs for graphs) use; opset 17, IR
// version 8.

// --- protobuf wire format ---------------------------------------------------------------------

const enc = new TextEncoder();

/** Accumulates protobuf fields as byte chunks (weights are appended without copying twice). */
export class Message {
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
export function tensorProto(name, dims, data) {
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
const FLOAT_ATTRS = new Set(['alpha', 'beta', 'epsilon', 'momentum']);

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

export const node = (op, inputs, outputs, attrs = {}) => ({ op, inputs, outputs, attrs });

/** ValueInfoProto { name = 1, type = 2 { tensor_type = 1 { elem_type = 1, shape = 2 { dim = 1 { dim_value = 1 } } } } } */
function valueInfo(name, dims) {
  const shape = new Message();
  for (const d of dims) shape.message(1, new Message().int(1, d));
  const tensorType = new Message().int(1, FLOAT).message(2, shape);
  return new Message().string(1, name).message(2, new Message().message(1, tensorType));
}

/**
 * ModelProto { ir_version = 1, producer_name = 2, graph = 7, opset_import = 8 } with
 * GraphProto { node = 1, name = 2, initializer = 5, input = 11, output = 12 }.
 * `inputs` / `outputs`: one { name, dims } or a list of them.
 */
export function modelProto({ nodes, initializers, input, output, inputs = [input], outputs = [output] }) {
  const graph = new Message();
  for (const n of nodes) graph.message(1, nodeProto(n));
  graph.string(2, 'upconv_bench');
  for (const t of initializers) graph.message(5, t);
  for (const i of inputs) graph.message(11, valueInfo(i.name, i.dims));
  for (const o of outputs) graph.message(12, valueInfo(o.name, o.dims));
  const opset = new Message().string(1, '').int(2, 17);
  return new Message().int(1, 8).string(2, 'upconv-bench').message(7, graph).message(8, opset).finish();
}
