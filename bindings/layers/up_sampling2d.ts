import { channelsLast, checkKeys, oneOf, optionsOf, pair } from '../args.js';
import { ShapeError } from '../errors.js';
import type { Op } from '../ops/op.js';
import { ResampleOp, ResizeBilinearOp, ResizeNearestOp } from '../ops/resize.js';
import { TAP_INTERPOLATIONS } from '../ops/resample_taps.js';
import { mapDim, type Shape, shapeString } from '../shape_rules.js';
import { COMMON_OPTIONS, Layer, type LayerOptions } from './layer.js';

/**
 * The interpolations UpSampling2D computes: every name Keras 3 (`nearest`, `bilinear`,
 * `bicubic`, `lanczos3`, `lanczos5`, and `area` on the TensorFlow backend) or tf.keras 2.9+
 * (also `gaussian`, `mitchellcubic`) accepts, with the TensorFlow backend's numbers:
 * - `nearest`: repetition; `bilinear`: half-pixel bilinear, edge-clamped (ResizeBilinear);
 * - `bicubic`: ResizeBicubic, Keys a = −0.5 through its 1024-step coefficient table, taps outside
 *   the image dropped and the weights renormalised (Keras 3's JAX/torch backends differ);
 * - `lanczos3`, `lanczos5`, `gaussian`, `mitchellcubic`: ScaleAndTranslate, half-pixel sampling,
 *   no antialias widening when upsampling, weights renormalised over the taps inside the image;
 * - `area`: ResizeArea: repetition for an integer factor, except that TF computes the cell edges
 *   in float32, which for factors that are not powers of two drifts the weights from 1 (by up to
 *   9e-5 on 300 pixels at factor 5); reproduced, not rounded away.
 */
export type Interpolation = 'nearest' | 'bilinear' | 'bicubic' | 'area' | 'lanczos3' | 'lanczos5' | 'gaussian' | 'mitchellcubic';

export interface UpSampling2DOptions extends LayerOptions {
  size?: number | readonly [number, number];
  interpolation?: Interpolation;
  dataFormat?: 'channels_last' | null;
}

const INTERPOLATIONS: readonly Interpolation[] = ['nearest', 'bilinear', ...TAP_INTERPOLATIONS];

/** Keras UpSampling2D: resize by integer factors with any of Keras's interpolations (see `Interpolation`). */
export class UpSampling2D extends Layer {
  readonly size: [number, number];
  readonly interpolation: Interpolation;

  constructor(sizeOrOptions?: number | readonly [number, number] | UpSampling2DOptions, maybeOptions?: UpSampling2DOptions) {
    const positional = typeof sizeOrOptions === 'number' || Array.isArray(sizeOrOptions);
    const o = optionsOf<UpSampling2DOptions>(positional || sizeOrOptions === undefined ? maybeOptions : sizeOrOptions, 'UpSampling2D');
    super('UpSampling2D', o);
    checkKeys(o, [...COMMON_OPTIONS, 'size', 'interpolation', 'dataFormat'], this.label);
    channelsLast(o.dataFormat, this.label);
    this.size = pair(positional ? sizeOrOptions : (o.size ?? 2), 'size', this.label);
    this.interpolation = oneOf(o.interpolation ?? 'nearest', INTERPOLATIONS, 'interpolation', this.label);
  }

  computeOutputShape(inputShape: Shape): Shape {
    if (inputShape.length !== 3) {
      throw new ShapeError(`${this.label}: expects input of rank 4 (batch, height, width, channels), got ${shapeString(inputShape)}`);
    }
    const [h, w, c] = inputShape;
    return [mapDim(h, (n) => n * this.size[0]), mapDim(w, (n) => n * this.size[1]), c];
  }

  /** @internal */
  operator(inputs: readonly number[][]): Op {
    const [inH, inW, channels] = inputs[0];
    const p = { inH, inW, channels, size: this.size };
    if (this.interpolation === 'nearest') return new ResizeNearestOp(this.name, p);
    if (this.interpolation === 'bilinear') return new ResizeBilinearOp(this.name, p);
    return new ResampleOp(this.name, { ...p, method: this.interpolation });
  }

  getConfig(): Record<string, unknown> {
    return { ...this.baseConfig(), size: [...this.size], data_format: 'channels_last', interpolation: this.interpolation };
  }
}
