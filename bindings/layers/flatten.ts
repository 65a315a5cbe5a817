import { checkKeys } from '../args.js';
import { ConfigError } from '../errors.js';
import { sizeOf } from '../tensor.js';
import { COMMON_OPTIONS, Layer, type LayerOptions } from './layer.js';

export interface FlattenOptions extends LayerOptions {
  dataFormat?: string | null;
}

/** Keras Flatten: row-major over (H, W, C). No data moves. */
export class Flatten extends Layer {
  constructor(options: FlattenOptions = {}) {
    super('Flatten', options);
    checkKeys(options, [...COMMON_OPTIONS, 'dataFormat'], this.label);
    if (options.dataFormat != null && options.dataFormat !== 'channels_last') {
      throw new ConfigError(`${this.label}: dataFormat '${options.dataFormat}' is not supported (upconv is channels_last only)`);
    }
  }

  computeOutputShape(inputShape: readonly number[]): number[] {
    return [sizeOf(inputShape)];
  }

  get aliasesInput(): boolean {
    return true;
  }

  getConfig(): Record<string, unknown> {
    return { ...this.baseConfig(), data_format: 'channels_last' };
  }
}
