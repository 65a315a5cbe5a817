import { MirrorPadding2D, type MirrorPadding2DOptions } from './mirror_padding2d.js';
import type { Padding2D } from './zero_padding2d.js';

/**
 * `SymmetricPadding2D` as custom layers in public repositories define it: tf.pad SYMMETRIC (the
 * edge row/column is repeated). A pair is [height, width]; [[top, bottom], [left, right]] is
 * unambiguous. Default padding 1.
 */
export class SymmetricPadding2D extends MirrorPadding2D {
  constructor(paddingOrOptions?: Padding2D | MirrorPadding2DOptions, maybeOptions?: MirrorPadding2DOptions) {
    super('SymmetricPadding2D', 'symmetric', paddingOrOptions, maybeOptions);
  }
}
