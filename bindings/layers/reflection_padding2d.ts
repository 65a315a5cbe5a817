import { MirrorPadding2D, type MirrorPadding2DOptions } from './mirror_padding2d.js';
import type { Padding2D } from './zero_padding2d.js';

/**
 * `ReflectionPadding2D` as keras-io's CycleGAN (and the generators ported from it) defines it:
 * tf.pad REFLECT (the edge row/column is not repeated). A pair is [width, height], as that
 * class reads it (`padding_width, padding_height = self.padding`); [[top, bottom], [left, right]]
 * is unambiguous. Default padding 1.
 */
export class ReflectionPadding2D extends MirrorPadding2D {
  constructor(paddingOrOptions?: Padding2D | MirrorPadding2DOptions, maybeOptions?: MirrorPadding2DOptions) {
    super('ReflectionPadding2D', 'reflect', paddingOrOptions, maybeOptions);
  }
}
