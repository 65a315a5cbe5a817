import { BinaryOp } from '../backend/kernels/broadcast.js';
import type { LayerOptions } from './layer.js';
import { Merge } from './merge.js';

/** Keras Average: the sum of its inputs (left to right, with broadcasting) divided by their count. */
export class Average extends Merge {
  /** @internal */
  protected readonly op = BinaryOp.Add;
  /** @internal */
  protected readonly average = true;

  constructor(options?: LayerOptions) {
    super('Average', options);
  }
}
