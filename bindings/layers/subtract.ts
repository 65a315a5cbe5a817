import { BinaryOp } from '../backend/kernels/broadcast.js';
import type { LayerOptions } from './layer.js';
import { Merge } from './merge.js';

/** Keras Subtract: inputs[0] − inputs[1]; exactly two inputs (with broadcasting). */
export class Subtract extends Merge {
  /** @internal */
  protected readonly op = BinaryOp.Sub;
  /** @internal */
  protected readonly arity = 2;

  constructor(options?: LayerOptions) {
    super('Subtract', options);
  }
}
