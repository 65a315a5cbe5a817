import { checkKeys, optionsOf } from '../args.js';
import type { BinaryOp } from '../backend/kernels/broadcast.js';
import { ShapeError } from '../errors.js';
import { MergeOp } from '../ops/broadcast.js';
import type { Op } from '../ops/op.js';
import type { Dim, Shape } from '../shape_rules.js';
import { COMMON_OPTIONS, Layer, type LayerOptions } from './layer.js';

/** Python's str() of a sample shape without the batch: (3, 4). */
function tuple(shape: Shape): string {
  return `(${shape.map((d) => (d === null ? 'None' : String(d))).join(', ')}${shape.length === 1 ? ',' : ''})`;
}

/**
 * Keras's elementwise output shape of two sample shapes (k3 layers/merging/base_merge.py ::
 * _compute_elemwise_op_output_shape): right-aligned; 1 broadcasts; an unknown dim stays unknown.
 * Right-aligning the sample shapes is what Keras's call does by expanding lower-rank inputs at
 * axis 1 (after the batch) until the ranks match.
 */
export function elementwiseShape(s1: Shape, s2: Shape, where: string): Shape {
  if (s1.length < s2.length) return elementwiseShape(s2, s1, where);
  const out: Dim[] = s1.slice(0, s1.length - s2.length);
  const tail = s1.slice(s1.length - s2.length);
  tail.forEach((i, k) => {
    const j = s2[k];
    if (i === null || j === null) out.push(null);
    else if (i === 1) out.push(j);
    else if (j === 1) out.push(i);
    else if (i !== j) throw new ShapeError(`${where}: inputs have incompatible shapes: ${tuple(s1)} and ${tuple(s2)} (sizes ${i} and ${j} cannot broadcast)`);
    else out.push(i);
  });
  return out;
}

/**
 * The merge layers (Add, Subtract, Multiply, Average, Maximum, Minimum): called on a list of
 * tensors, they fold `op` over it left to right (Keras's `_merge_function`) with broadcasting.
 * A call on one tensor is taken as a list of one (the tf.keras 2 config layout writes both alike).
 */
export abstract class Merge extends Layer {
  /** @internal */
  protected abstract readonly op: BinaryOp;
  /** @internal Divide by the input count at the end (Average). */
  protected readonly average: boolean = false;
  /** @internal Exactly this many inputs (Subtract: 2), or null for one or more. */
  protected readonly arity: number | null = null;

  protected constructor(className: string, options?: LayerOptions) {
    const o = optionsOf<LayerOptions>(options, className);
    super(className, o);
    checkKeys(o, COMMON_OPTIONS, this.label);
  }

  /** Output sample shape for the input sample shapes (a list, one per input). */
  computeOutputShape(inputShape: Shape | readonly Shape[]): Shape {
    const list = inputShape.length && Array.isArray(inputShape[0]) ? (inputShape as readonly Shape[]) : [inputShape as Shape];
    return this.outputShapeFor(list);
  }

  /** @internal */
  outputShapeFor(inputs: readonly Shape[]): Shape {
    if (this.arity !== null && inputs.length !== this.arity) {
      throw new ShapeError(`${this.label}: should be called on exactly ${this.arity} inputs, got ${inputs.length}`);
    }
    if (!inputs.length) throw new ShapeError(`${this.label}: should be called on a list of at least 1 input`);
    let out = inputs[0];
    for (let i = 1; i < inputs.length; i++) out = elementwiseShape(out, inputs[i], this.label);
    return out;
  }

  /** @internal */
  operator(inputs: readonly number[][], output: readonly number[]): Op {
    return new MergeOp(this.name, this.op, this.average, inputs, output);
  }

  getConfig(): Record<string, unknown> {
    return this.baseConfig();
  }
}
