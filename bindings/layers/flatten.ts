import { channelsLast, checkKeys, optionsOf } from '../args.js';
import { type Shape, sizeOfShape } from '../shape_rules.js';
import { COMMON_OPTIONS, Layer, type LayerOptions } from './layer.js';

export interface FlattenOptions extends LayerOptions {
  dataFormat?: 'channels_last' | null;
}

/** Keras Flatten: row-major over (H, W, C). No data moves. */
export class Flatten extends Layer {
  constructor(options?: FlattenOptions) {
    const o = optionsOf<FlattenOptions>(options, 'Flatten');
    super('Flatten', o);
    checkKeys(o, [...COMMON_OPTIONS, 'dataFormat'], this.label);
    channelsLast(o.dataFormat, this.label);
  }

  computeOutputShape(inputShape: Shape): Shape {
    return [sizeOfShape(inputShape)];
  }

  getConfig(): Record<string, unknown> {
    return { ...this.baseConfig(), data_format: 'channels_last' };
  }
}
