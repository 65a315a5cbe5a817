import { channelsLast, checkKeys, optionsOf } from '../args.js';
import { ShapeError } from '../errors.js';
import { CropOp } from '../ops/copy.js';
import type { Op } from '../ops/op.js';
import { mapDim, type Shape, shapeString } from '../shape_rules.js';
import { COMMON_OPTIONS, Layer, type LayerOptions } from './layer.js';
import { type Pads, padsConfig, readPads } from './padding_args.js';
import type { Padding2D } from './zero_padding2d.js';
import { showValue } from '../show.js';

export interface Cropping2DOptions extends LayerOptions {
  /** int (every side), [height, width] (both sides of each), or [[top, bottom], [left, right]]; default 0. */
  cropping?: Padding2D;
  dataFormat?: 'channels_last' | null;
}

/** Keras Cropping2D: keeps rows [top, H − bottom) and columns [left, W − right) (k3 layers/reshaping/cropping2d.py). */
export class Cropping2D extends Layer {
  /** [top, bottom, left, right]. */
  readonly cropping: Pads;

  constructor(croppingOrOptions?: Padding2D | Cropping2DOptions, maybeOptions?: Cropping2DOptions) {
    const positional = typeof croppingOrOptions === 'number' || Array.isArray(croppingOrOptions);
    const o = optionsOf<Cropping2DOptions>(positional || croppingOrOptions === undefined ? maybeOptions : croppingOrOptions, 'Cropping2D');
    super('Cropping2D', o);
    checkKeys(o, [...COMMON_OPTIONS, 'cropping', 'dataFormat'], this.label);
    channelsLast(o.dataFormat, this.label);
    this.cropping = readPads(positional ? croppingOrOptions : (o.cropping ?? 0), 'cropping', this.label);
  }

  computeOutputShape(inputShape: Shape): Shape {
    if (inputShape.length !== 3) throw new ShapeError(`${this.label}: expects input of rank 4 (batch, height, width, channels), got ${shapeString(inputShape)}`);
    const [t, b, l, r] = this.cropping;
    const [h, w] = inputShape;
    if ((h !== null && t + b >= h) || (w !== null && l + r >= w)) {
      throw new ShapeError(`${this.label}: cropping ${showValue(padsConfig(this.cropping))} leaves nothing of an input of shape ${shapeString(inputShape)}`);
    }
    return [mapDim(h, (n) => n - t - b), mapDim(w, (n) => n - l - r), inputShape[2]];
  }

  /** @internal */
  operator(inputs: readonly number[][]): Op {
    return new CropOp(this.name, inputs[0], this.cropping);
  }

  getConfig(): Record<string, unknown> {
    return { ...this.baseConfig(), cropping: padsConfig(this.cropping), data_format: 'channels_last' };
  }
}
