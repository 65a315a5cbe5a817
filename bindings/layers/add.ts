import { BinaryOp } from '../backend/kernels/broadcast.js';
import type { LayerOptions } from './layer.js';
import { Merge } from './merge.js';

/** Keras Add: the elementwise sum of its inputs (left to right, with broadcasting). */
export class Add extends Merge {
  /** @internal */
  protected readonly op = BinaryOp.Add;

  constructor(options?: LayerOptions) {
    super('Add', options);
  }
}
