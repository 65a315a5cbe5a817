import { checkKeys } from '../args.js';
import { ConfigError } from '../errors.js';
import { Layer, type LayerOptions } from './layer.js';
import { uniqueName } from './naming.js';

export interface InputLayerOptions {
  name?: string;
  inputShape?: readonly number[];
  /** Keras 3 name for inputShape. */
  shape?: readonly number[];
  batchSize?: number | null;
  batchInputShape?: readonly (number | null)[];
  /** Keras 3 name for batchInputShape. */
  batchShape?: readonly (number | null)[];
  dtype?: string;
  sparse?: boolean;
  ragged?: boolean;
}

/** Keras InputLayer: declares the sample shape; passes data through. */
export class InputLayer extends Layer {
  constructor(options: InputLayerOptions | readonly number[] = {}) {
    const opts: InputLayerOptions = Array.isArray(options) ? { shape: options } : (options as InputLayerOptions);
    const base: LayerOptions = {
      name: opts.name,
      dtype: opts.dtype,
      inputShape: opts.inputShape ?? opts.shape,
      batchInputShape: opts.batchInputShape ?? opts.batchShape,
    };
    // Keras 2.2.4 names inputs 'input_<n>' (K.get_uid('input')), not by the class name
    super('InputLayer', { ...base, name: base.name ?? uniqueName('Input') });
    checkKeys(opts, ['name', 'inputShape', 'shape', 'batchSize', 'batchInputShape', 'batchShape', 'dtype', 'sparse', 'ragged'], this.label);
    if (opts.sparse || opts.ragged) throw new ConfigError(`${this.label}: sparse and ragged inputs are not supported`);
    if (!this.batchInputShape) throw new ConfigError(`${this.label}: needs an input shape (inputShape, shape, batchInputShape or batchShape)`);
  }

  computeOutputShape(inputShape: readonly number[]): number[] {
    return [...inputShape];
  }

  get aliasesInput(): boolean {
    return true;
  }

  getConfig(): Record<string, unknown> {
    return { batch_input_shape: [...this.batchInputShape!], dtype: 'float32', sparse: false, ragged: false, name: this.name };
  }
}
