import { BinaryOp } from '../backend/kernels/broadcast.js';
import type { LayerOptions } from './layer.js';
import { Merge } from './merge.js';

/** Keras Minimum: the elementwise minimum of its inputs (with broadcasting). */
export class Minimum extends Merge {
  /** @internal */
  protected readonly op = BinaryOp.Min;

  constructor(options?: LayerOptions) {
    super('Minimum', options);
  }
}
