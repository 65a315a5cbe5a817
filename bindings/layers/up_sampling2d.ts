import { channelsLast, checkKeys, oneOf, optionsOf, pair } from '../args.js';
import { ShapeError } from '../errors.js';
import type { Op } from '../ops/op.js';
import { ResizeBilinearOp, ResizeNearestOp } from '../ops/resize.js';
import { mapDim, type Shape, shapeString } from '../shape_rules.js';
import { COMMON_OPTIONS, Layer, type LayerOptions } from './layer.js';

/** The interpolations UpSampling2D computes. */
export type Interpolation = 'nearest' | 'bilinear';

export interface UpSampling2DOptions extends LayerOptions {
  size?: number | readonly [number, number];
  interpolation?: Interpolation;
  dataFormat?: 'channels_last' | null;
}

const INTERPOLATIONS: readonly Interpolation[] = ['nearest', 'bilinear'];

/** Keras UpSampling2D: repeat (nearest) or half-pixel bilinear resize by integer factors. */
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
    return this.interpolation === 'nearest' ? new ResizeNearestOp(this.name, p) : new ResizeBilinearOp(this.name, p);
  }

  getConfig(): Record<string, unknown> {
    return { ...this.baseConfig(), size: [...this.size], data_format: 'channels_last', interpolation: this.interpolation };
  }
}
