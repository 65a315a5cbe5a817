import { BinaryOp } from '../backend/kernels/broadcast.js';
import type { LayerOptions } from './layer.js';
import { Merge } from './merge.js';

/** Keras Multiply: the elementwise product of its inputs (left to right, with broadcasting). */
export class Multiply extends Merge {
  /** @internal */
  protected readonly op = BinaryOp.Mul;

  constructor(options?: LayerOptions) {
    super('Multiply', options);
  }
}
