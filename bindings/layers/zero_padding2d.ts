import { channelsLast, checkKeys, optionsOf } from '../args.js';
import { PadMode } from '../backend/kernels/copy.js';
import { ShapeError } from '../errors.js';
import type { Op } from '../ops/op.js';
import { PadOp } from '../ops/copy.js';
import { mapDim, type Shape, shapeString } from '../shape_rules.js';
import { COMMON_OPTIONS, Layer, type LayerOptions } from './layer.js';
import { type Pads, padsConfig, readPads } from './padding_args.js';

export type Padding2D = number | readonly [number, number] | readonly [readonly [number, number], readonly [number, number]];

export interface ZeroPadding2DOptions extends LayerOptions {
  /** int (every side), [height, width] (both sides of each), or [[top, bottom], [left, right]]; default 1. */
  padding?: Padding2D;
  dataFormat?: 'channels_last' | null;
}

/** Keras ZeroPadding2D: rows of zeros above and below, columns left and right (k3 layers/reshaping/zero_padding2d.py). */
export class ZeroPadding2D extends Layer {
  /** [top, bottom, left, right]. */
  readonly pads: Pads;

  constructor(paddingOrOptions?: Padding2D | ZeroPadding2DOptions, maybeOptions?: ZeroPadding2DOptions) {
    const positional = typeof paddingOrOptions === 'number' || Array.isArray(paddingOrOptions);
    const o = optionsOf<ZeroPadding2DOptions>(positional || paddingOrOptions === undefined ? maybeOptions : paddingOrOptions, 'ZeroPadding2D');
    super('ZeroPadding2D', o);
    checkKeys(o, [...COMMON_OPTIONS, 'padding', 'dataFormat'], this.label);
    channelsLast(o.dataFormat, this.label);
    this.pads = readPads(positional ? paddingOrOptions : (o.padding ?? 1), 'padding', this.label);
  }

  computeOutputShape(inputShape: Shape): Shape {
    if (inputShape.length !== 3) throw new ShapeError(`${this.label}: expects input of rank 4 (batch, height, width, channels), got ${shapeString(inputShape)}`);
    const [t, b, l, r] = this.pads;
    return [mapDim(inputShape[0], (h) => h + t + b), mapDim(inputShape[1], (w) => w + l + r), inputShape[2]];
  }

  /** @internal */
  operator(inputs: readonly number[][]): Op {
    return new PadOp(this.name, inputs[0], this.pads, PadMode.Zeros);
  }

  getConfig(): Record<string, unknown> {
    return { ...this.baseConfig(), padding: padsConfig(this.pads), data_format: 'channels_last' };
  }
}
