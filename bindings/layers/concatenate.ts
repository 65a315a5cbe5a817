import { checkKeys, intIn, optionsOf } from '../args.js';
import { ShapeError } from '../errors.js';
import { ConcatOp } from '../ops/copy.js';
import type { Op } from '../ops/op.js';
import { type Dim, type Shape, shapeString } from '../shape_rules.js';
import { COMMON_OPTIONS, Layer, type LayerOptions } from './layer.js';

export interface ConcatenateOptions extends LayerOptions {
  /** The axis, counting the batch axis (1 = height of an image, -1 = channels); default -1. */
  axis?: number;
}

/**
 * Keras Concatenate: joins a list of tensors along `axis` (k3 layers/merging/concatenate.py);
 * every other dimension must agree. The axis counts the batch axis, which cannot be the axis.
 */
export class Concatenate extends Layer {
  readonly axis: number;

  constructor(options?: ConcatenateOptions) {
    const o = optionsOf<ConcatenateOptions>(options, 'Concatenate');
    super('Concatenate', o);
    checkKeys(o, [...COMMON_OPTIONS, 'axis'], this.label);
    this.axis = intIn(o.axis ?? -1, -17, 16, 'axis', this.label);
  }

  /** Output sample shape for the input sample shapes (a list, one per input). */
  computeOutputShape(inputShape: Shape | readonly Shape[]): Shape {
    const list = inputShape.length && Array.isArray(inputShape[0]) ? (inputShape as readonly Shape[]) : [inputShape as Shape];
    return this.outputShapeFor(list);
  }

  /** The concatenation axis as an index into the sample shape (batch excluded). */
  private sampleAxis(rank: number): number {
    const full = rank + 1;
    const a = this.axis < 0 ? this.axis + full : this.axis;
    if (a < 0 || a >= full) throw new ShapeError(`${this.label}: axis ${this.axis} is out of range for inputs of rank ${full}`);
    if (a === 0) throw new ShapeError(`${this.label}: cannot concatenate along the batch axis (axis ${this.axis})`);
    return a - 1;
  }

  /** @internal */
  outputShapeFor(inputs: readonly Shape[]): Shape {
    if (!inputs.length) throw new ShapeError(`${this.label}: should be called on a list of at least 1 input`);
    const rank = inputs[0].length;
    const shown = () => inputs.map(shapeString).join(', ');
    if (inputs.some((s) => s.length !== rank)) throw new ShapeError(`${this.label}: inputs must have the same rank, got ${shown()}`);
    const axis = this.sampleAxis(rank);
    const out: Dim[] = [];
    for (let k = 0; k < rank; k++) {
      if (k === axis) {
        out.push(inputs.some((s) => s[k] === null) ? null : inputs.reduce((n, s) => n + (s[k] as number), 0));
        continue;
      }
      const known = inputs.map((s) => s[k]).filter((d): d is number => d !== null);
      if (known.some((d) => d !== known[0])) {
        throw new ShapeError(`${this.label}: a Concatenate layer requires inputs with matching shapes except for the concatenation axis ${this.axis}, got ${shown()}`);
      }
      out.push(known.length ? known[0] : null);
    }
    return out;
  }

  /** @internal */
  operator(inputs: readonly number[][], output: readonly number[]): Op {
    return new ConcatOp(this.name, inputs, this.sampleAxis(output.length), output);
  }

  getConfig(): Record<string, unknown> {
    return { ...this.baseConfig(), axis: this.axis };
  }
}
