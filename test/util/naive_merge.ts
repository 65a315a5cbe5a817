/**
 * Float64 oracles for the merge layers, Concatenate, PReLU and Embedding, written from
 * ../shared/conformance-functional/SEMANTICS-functional.md §3, NOT from bindings/: nothing
 * here imports the package. Broadcasting is done the way Keras's Merge.call does it: each
 * lower-rank input gets new axes at axis 1 (after the batch) until the ranks match, then
 * NumPy broadcasting of size-1 axes. Ops are rounded to float32 after each one, as TF computes.
 */
import type { Result } from './naive.js';

export interface Arr {
  shape: number[];
  data: ArrayLike<number>;
}

export type MergeKind = 'add' | 'subtract' | 'multiply' | 'average' | 'maximum' | 'minimum';

const prod = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
const f32 = Math.fround;

/** Keras's expand_dims(x, axis=1) until the rank is `rank`. */
function expandToRank(shape: readonly number[], rank: number): number[] {
  const s = [...shape];
  while (s.length < rank) s.splice(1, 0, 1);
  return s;
}

/** NumPy broadcast of same-rank shapes (throws on a mismatch). */
function broadcastShape(shapes: readonly number[][]): number[] {
  const rank = shapes[0].length;
  const out: number[] = [];
  for (let k = 0; k < rank; k++) {
    const sizes = new Set(shapes.map((s) => s[k]).filter((d) => d !== 1));
    if (sizes.size > 1) throw new Error(`naive merge: shapes ${JSON.stringify(shapes)} do not broadcast`);
    out.push(sizes.size ? [...sizes][0] : 1);
  }
  return out;
}

/** The value of `x` (of same-rank `shape`) at output multi-index `idx`, reading size-1 axes at 0. */
function at(x: Arr, shape: readonly number[], idx: readonly number[]): number {
  let i = 0;
  for (let k = 0; k < shape.length; k++) i = i * shape[k] + (shape[k] === 1 ? 0 : idx[k]);
  return x.data[i];
}

function* indices(shape: readonly number[]): Generator<number[]> {
  const idx = new Array<number>(shape.length).fill(0);
  const n = prod(shape);
  for (let c = 0; c < n; c++) {
    yield idx;
    for (let k = shape.length - 1; k >= 0; k--) {
      if (++idx[k] < shape[k]) break;
      idx[k] = 0;
    }
  }
}

function op(kind: MergeKind, a: number, b: number): number {
  switch (kind) {
    case 'add': case 'average': return f32(a + b);
    case 'subtract': return f32(a - b);
    case 'multiply': return f32(a * b);
    case 'maximum': return Math.max(a, b);
    case 'minimum': return Math.min(a, b);
  }
}

/** Keras merge of full tensors (batch axis first): left fold of the op, Average then / n. */
export function merge(kind: MergeKind, inputs: readonly Arr[]): Result {
  if (kind === 'subtract' && inputs.length !== 2) throw new Error('naive merge: subtract takes 2 inputs');
  const rank = Math.max(...inputs.map((x) => x.shape.length));
  const shapes = inputs.map((x) => expandToRank(x.shape, rank));
  const out = broadcastShape(shapes);
  const data = new Float64Array(prod(out));
  let o = 0;
  for (const idx of indices(out)) {
    let v = at(inputs[0], shapes[0], idx);
    for (let i = 1; i < inputs.length; i++) v = op(kind, v, at(inputs[i], shapes[i], idx));
    if (kind === 'average') v = f32(v / inputs.length);
    data[o++] = v;
  }
  return { shape: out, data };
}

/** relu(x) − alpha·relu(−x), alpha of the sample shape with shared axes (1-based) of size 1. */
export function prelu(x: Arr, alpha: Arr): Result {
  const aShape = [1, ...alpha.shape];
  const data = new Float64Array(x.data.length);
  let o = 0;
  for (const idx of indices(x.shape)) {
    const v = x.data[o];
    const a = at(alpha, aShape, idx);
    data[o++] = Math.max(v, 0) - f32(a * Math.max(-v, 0));
  }
  return { shape: [...x.shape], data };
}

/** Concatenate along `axis` (counting the batch axis; negative from the end). */
export function concatenate(inputs: readonly Arr[], axis: number): Result {
  const rank = inputs[0].shape.length;
  const ax = axis < 0 ? axis + rank : axis;
  const out = [...inputs[0].shape];
  out[ax] = inputs.reduce((n, x) => n + x.shape[ax], 0);
  const data = new Float64Array(prod(out));
  let o = 0;
  for (const idx of indices(out)) {
    // which input holds position idx[ax]
    let k = idx[ax];
    let i = 0;
    while (k >= inputs[i].shape[ax]) k -= inputs[i++].shape[ax];
    const src = [...idx];
    src[ax] = k;
    let lin = 0;
    for (let d = 0; d < rank; d++) lin = lin * inputs[i].shape[d] + src[d];
    data[o++] = inputs[i].data[lin];
  }
  return { shape: out, data };
}

/** Embedding: ids cast to int32 by truncation, rows of the (V, D) table; (N, ...) → (N, ..., D). */
export function embedding(ids: Arr, table: Arr): Result {
  const [V, D] = table.shape;
  const data = new Float64Array(ids.data.length * D);
  for (let k = 0; k < ids.data.length; k++) {
    const id = Math.trunc(ids.data[k]);
    if (!(id >= 0 && id < V)) throw new Error(`naive embedding: id ${ids.data[k]} outside [0, ${V})`);
    for (let d = 0; d < D; d++) data[k * D + d] = table.data[id * D + d];
  }
  return { shape: [...ids.shape, D], data };
}
