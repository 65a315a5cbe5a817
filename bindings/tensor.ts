import { ShapeError } from './errors.js';
import { formatArray } from './format.js';
import { showValue } from './show.js';

/** Most values one tensor holds (1 GiB of float32). */
const MAX_VALUES = 2 ** 28;

type Nested = number | readonly Nested[];

/** Product of a shape's dimensions. */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

function checkShape(shape: readonly number[], what: string): void {
  if (!Array.isArray(shape)) throw new ShapeError(`${what}: shape must be an array of integers, got ${showValue(shape)}`);
  for (const d of shape) {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) throw new ShapeError(`${what}: shape ${showValue(shape)} has an invalid dimension ${showValue(d)}`);
  }
}

/** A dense float32 tensor, row-major (C order); image data is NHWC. */
export class Tensor {
  /** The dimensions (frozen: a tensor's shape and data cannot disagree). */
  readonly shape: readonly number[];
  readonly data: Float32Array;

  constructor(data: Float32Array, shape: readonly number[]) {
    checkShape(shape, 'Tensor');
    if (!(data instanceof Float32Array)) throw new ShapeError('Tensor: data must be a Float32Array (use tensor() for other inputs)');
    if (sizeOf(shape) !== data.length) {
      throw new ShapeError(`Tensor: shape [${shape.join(', ')}] holds ${sizeOf(shape)} values but data has ${data.length}`);
    }
    this.shape = Object.freeze([...shape]);
    this.data = data;
  }

  get size(): number {
    return this.data.length;
  }

  get rank(): number {
    return this.shape.length;
  }

  /** Same data, new shape (one dimension may be -1). */
  reshape(shape: readonly number[]): Tensor {
    return new Tensor(this.data, inferShape(shape, this.size, 'reshape'));
  }

  /** Nested number arrays, like numpy's `tolist()`. */
  toArray(): Nested {
    if (this.shape.length === 0) return this.data[0];
    const build = (axis: number, offset: number, stride: number): Nested[] => {
      const len = this.shape[axis];
      const inner = stride / (len || 1);
      const out: Nested[] = [];
      for (let i = 0; i < len; i++) {
        out.push(axis === this.shape.length - 1 ? this.data[offset + i] : build(axis + 1, offset + i * inner, inner));
      }
      return out;
    };
    return build(0, 0, this.size);
  }

  /** numpy-style text, e.g. `[[1. 1. 2. 2.]\n [3. 3. 4. 4.]]`. */
  toString(): string {
    return formatArray(this.data, this.shape);
  }
}

/** Resolves one -1 in `shape` so that it holds `size` values. */
export function inferShape(shape: readonly number[], size: number, what: string): number[] {
  if (!Array.isArray(shape)) throw new ShapeError(`${what}: shape must be an array of integers, got ${showValue(shape)}`);
  for (const d of shape) {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < -1) throw new ShapeError(`${what}: shape ${showValue(shape)} has an invalid dimension ${showValue(d)}`);
  }
  const out = [...shape];
  const unknown = out.indexOf(-1);
  if (unknown >= 0) {
    if (out.indexOf(-1, unknown + 1) >= 0) throw new ShapeError(`${what}: only one dimension may be -1, got [${shape.join(', ')}]`);
    const known = sizeOf(out.filter((_, i) => i !== unknown));
    if (known === 0 || size % known !== 0) {
      throw new ShapeError(`${what}: cannot reshape ${size} values into [${shape.join(', ')}]`);
    }
    out[unknown] = size / known;
  }
  checkShape(out, what);
  if (sizeOf(out) !== size) throw new ShapeError(`${what}: cannot reshape ${size} values into [${shape.join(', ')}]`);
  return out;
}

function shapeOfNested(values: Nested): number[] {
  const shape: number[] = [];
  let v: Nested = values;
  while (Array.isArray(v)) {
    shape.push(v.length);
    if (shape.length > 32) throw new ShapeError('tensor: nested arrays deeper than 32 levels');
    v = v[0];
  }
  if (sizeOf(shape) > MAX_VALUES) throw new ShapeError(`tensor: ${sizeOf(shape)} values is more than one tensor holds (${MAX_VALUES})`);
  return shape;
}

/** The values of a numeric typed array or of an array-like of numbers, checked before copying. */
function numbersOf(values: unknown): Float32Array {
  if (values instanceof BigInt64Array || values instanceof BigUint64Array) {
    throw new ShapeError(`tensor: cannot make a tensor from a ${values.constructor.name} (convert the BigInts to numbers first)`);
  }
  if (ArrayBuffer.isView(values) && !(values instanceof DataView)) {
    if ((values as unknown as ArrayLike<number>).length > MAX_VALUES) throw new ShapeError(`tensor: more values than one tensor holds (${MAX_VALUES})`);
    return Float32Array.from(values as unknown as ArrayLike<number>);
  }
  const len = (values as ArrayLike<unknown>).length;
  if (typeof len !== 'number' || !Number.isSafeInteger(len) || len < 0) throw new ShapeError(`tensor: cannot make a tensor from ${showValue(values)}`);
  if (len > MAX_VALUES) throw new ShapeError(`tensor: ${len} values is more than one tensor holds (${MAX_VALUES})`);
  const out = new Float32Array(len);
  for (let i = 0; i < len; i++) {
    const v = (values as ArrayLike<unknown>)[i];
    if (typeof v !== 'number') throw new ShapeError(`tensor: value ${i} is ${showValue(v)}, not a number`);
    out[i] = v;
  }
  return out;
}

function flattenNested(values: Nested, shape: number[], axis: number, out: number[]): void {
  if (axis === shape.length) {
    if (typeof values !== 'number') throw new ShapeError('tensor: nested arrays are ragged or hold non-numbers');
    out.push(values);
    return;
  }
  if (!Array.isArray(values) || values.length !== shape[axis]) {
    throw new ShapeError(`tensor: nested arrays are ragged at depth ${axis} (expected length ${shape[axis]})`);
  }
  for (const v of values) flattenNested(v, shape, axis + 1, out);
}

/**
 * Makes a Tensor from a Float32Array, any array-like of numbers, or nested arrays (like numpy).
 * With a shape, flat values are taken in row-major order; without, the nesting gives the shape.
 */
export function tensor(values: Float32Array | ArrayLike<number> | Nested, shape?: readonly number[]): Tensor {
  if (shape !== undefined && !Array.isArray(shape)) throw new ShapeError(`tensor: shape must be an array of integers, got ${showValue(shape)}`);
  if (typeof values === 'number') return new Tensor(Float32Array.of(values), shape ?? []);
  if (values instanceof Float32Array) {
    return new Tensor(values, shape ? inferShape(shape, values.length, 'tensor') : [values.length]);
  }
  if (Array.isArray(values) && values.some((v) => Array.isArray(v))) {
    const nestedShape = shapeOfNested(values as Nested);
    const flat: number[] = [];
    flattenNested(values as Nested, nestedShape, 0, flat);
    const data = Float32Array.from(flat);
    return new Tensor(data, shape ? inferShape(shape, data.length, 'tensor') : nestedShape);
  }
  if (values !== null && typeof values === 'object') {
    const data = numbersOf(values);
    return new Tensor(data, shape ? inferShape(shape, data.length, 'tensor') : [data.length]);
  }
  throw new ShapeError(`tensor: cannot make a tensor from ${showValue(values)}`);
}
