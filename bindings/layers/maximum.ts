import { BinaryOp } from '../backend/kernels/broadcast.js';
import type { LayerOptions } from './layer.js';
import { Merge } from './merge.js';

/** Keras Maximum: the elementwise maximum of its inputs (with broadcasting). */
export class Maximum extends Merge {
  /** @internal */
  protected readonly op = BinaryOp.Max;

  constructor(options?: LayerOptions) {
    super('Maximum', options);
  }
}
