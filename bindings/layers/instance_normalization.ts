import type { LayerOptions } from './layer.js';
import { GroupNormBase } from './group_normalization.js';
import type { AffineOptions } from './norm_args.js';

export interface InstanceNormalizationOptions extends LayerOptions, AffineOptions {
  /** The channel axis: only the last (-1) is supported. */
  axis?: number;
}

/**
 * tensorflow_addons' InstanceNormalization (class name `Addons>InstanceNormalization`): group
 * normalisation with one group per channel, i.e. per sample and channel, statistics over every
 * position, (x − mean)/sqrt(var + epsilon)·gamma[c] + beta[c]. A saved config's `groups` (the
 * channel count tfa writes at build) is ignored on load. keras_contrib's layer of the same
 * Keras name is ContribInstanceNormalization.
 */
export class InstanceNormalization extends GroupNormBase {
  constructor(options?: InstanceNormalizationOptions) {
    super('Addons>InstanceNormalization', 'InstanceNormalization', options, [], -1);
  }
}
