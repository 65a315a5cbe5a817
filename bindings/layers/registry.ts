import { ModelFormatError } from '../errors.js';
import { Activation } from './activation.js';
import { BatchNormalization } from './batch_normalization.js';
import { Conv2D } from './conv2d.js';
import { Conv2DTranspose } from './conv2d_transpose.js';
import { Dense } from './dense.js';
import { Dropout } from './dropout.js';
import { Flatten } from './flatten.js';
import { InputLayer } from './input_layer.js';
import type { Layer, LayerOptions } from './layer.js';
import { LeakyReLU } from './leaky_relu.js';
import { Reshape } from './reshape.js';
import { UpSampling2D } from './up_sampling2d.js';

type Config = Record<string, unknown>;

/** Keras config keys that carry no meaning at inference (initializers, regularizers, …). */
const IGNORED = new Set([
  'kernel_initializer', 'bias_initializer', 'kernel_regularizer', 'bias_regularizer', 'activity_regularizer',
  'kernel_constraint', 'bias_constraint', 'beta_initializer', 'gamma_initializer', 'moving_mean_initializer',
  'moving_variance_initializer', 'beta_regularizer', 'gamma_regularizer', 'beta_constraint', 'gamma_constraint',
  'momentum', 'seed', 'noise_shape', 'synchronized', 'fused', 'virtual_batch_size', 'adjustment', 'renorm_clipping',
  'renorm_momentum', 'lora_alpha', 'input_dtype', 'autocast', 'build_config', 'optional', 'registered_name', 'module',
]);

/** Keys whose non-default values change the numbers: rejected unless they hold the default. */
const DEFAULTS: Record<string, unknown[]> = {
  data_format: ['channels_last', null, undefined],
  groups: [1, null, undefined],
  renorm: [false, null, undefined],
  lora_rank: [null, undefined, 0],
  quantization_config: [null, undefined],
  sparse: [false, null, undefined],
  ragged: [false, null, undefined],
};

function dtypeName(dtype: unknown): string | undefined {
  if (dtype === undefined || dtype === null) return undefined;
  if (typeof dtype === 'string') return dtype;
  // Keras 3: {"class_name": "DTypePolicy", "config": {"name": "float32"}}
  const cfg = (dtype as Config).config as Config | undefined;
  return typeof cfg?.name === 'string' ? cfg.name : JSON.stringify(dtype);
}

function common(c: Config): LayerOptions {
  const o: LayerOptions = { name: c.name as string, trainable: c.trainable as boolean | undefined, dtype: dtypeName(c.dtype) };
  const bis = (c.batch_input_shape ?? c.batch_shape) as (number | null)[] | undefined;
  if (bis) return { ...o, batchInputShape: bis };
  return o;
}

const defined = <T extends object>(o: T): T =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

/** Keras class name → constructor from a snake_case config, with the keys each one reads. */
const FACTORIES: Record<string, { keys: string[]; make: (c: Config) => Layer }> = {
  InputLayer: {
    keys: ['batch_input_shape', 'batch_shape', 'batch_size', 'input_shape', 'shape'],
    make: (c) => new InputLayer(defined({
      name: c.name as string, dtype: dtypeName(c.dtype),
      batchInputShape: (c.batch_input_shape ?? c.batch_shape ?? (c.shape || c.input_shape ? [null, ...((c.shape ?? c.input_shape) as number[])] : undefined)) as (number | null)[],
    })),
  },
  Dense: {
    keys: ['units', 'activation', 'use_bias'],
    make: (c) => new Dense(c.units as number, defined({ ...common(c), activation: c.activation as string, useBias: c.use_bias as boolean })),
  },
  Reshape: { keys: ['target_shape'], make: (c) => new Reshape(c.target_shape as number[], defined(common(c))) },
  Flatten: { keys: [], make: (c) => new Flatten(defined(common(c))) },
  Dropout: { keys: ['rate'], make: (c) => new Dropout(c.rate as number, defined(common(c))) },
  Activation: { keys: ['activation'], make: (c) => new Activation(c.activation as string, defined(common(c))) },
  LeakyReLU: {
    keys: ['alpha', 'negative_slope'],
    make: (c) => new LeakyReLU(defined({ ...common(c), negativeSlope: (c.negative_slope ?? c.alpha) as number | undefined })),
  },
  UpSampling2D: {
    keys: ['size', 'interpolation'],
    make: (c) => new UpSampling2D(defined({ ...common(c), size: c.size as [number, number], interpolation: c.interpolation as 'nearest' })),
  },
  BatchNormalization: {
    keys: ['axis', 'epsilon', 'center', 'scale'],
    make: (c) => new BatchNormalization(defined({
      ...common(c), axis: c.axis as number, epsilon: c.epsilon as number, center: c.center as boolean, scale: c.scale as boolean,
    })),
  },
  Conv2D: {
    keys: ['filters', 'kernel_size', 'strides', 'padding', 'dilation_rate', 'activation', 'use_bias'],
    make: (c) => new Conv2D(c.filters as number, c.kernel_size as [number, number], defined({
      ...common(c), strides: c.strides as [number, number], padding: c.padding as 'same', dilationRate: c.dilation_rate as [number, number],
      activation: c.activation as string, useBias: c.use_bias as boolean,
    })),
  },
  Conv2DTranspose: {
    keys: ['filters', 'kernel_size', 'strides', 'padding', 'dilation_rate', 'activation', 'use_bias', 'output_padding'],
    make: (c) => new Conv2DTranspose(c.filters as number, c.kernel_size as [number, number], defined({
      ...common(c), strides: c.strides as [number, number], padding: c.padding as 'same', dilationRate: c.dilation_rate as [number, number],
      activation: c.activation as string, useBias: c.use_bias as boolean, outputPadding: c.output_padding as [number, number] | null,
    })),
  },
};

const COMMON_KEYS = ['name', 'trainable', 'dtype', 'batch_input_shape', 'batch_shape'];

/** Problems a layer entry has, without building it (so every problem can be listed at once). */
export function checkLayerEntry(entry: unknown, index: number): string[] {
  if (!entry || typeof entry !== 'object') return [`layer ${index}: not an object`];
  const { class_name: cls, config } = entry as Config;
  if (typeof cls !== 'string') return [`layer ${index}: missing class_name`];
  const f = FACTORIES[cls];
  if (!f) return [`layer ${index}: unsupported layer class '${cls}' (supported: ${Object.keys(FACTORIES).join(', ')})`];
  if (!config || typeof config !== 'object' || Array.isArray(config)) return [`layer ${index} (${cls}): missing config object`];
  const problems: string[] = [];
  const name = (config as Config).name;
  const where = `layer ${index} (${cls}${typeof name === 'string' ? ` '${name}'` : ''})`;
  for (const [key, value] of Object.entries(config as Config)) {
    if (key in DEFAULTS) {
      if (!DEFAULTS[key].includes(value as never)) problems.push(`${where}: unsupported ${key} ${JSON.stringify(value)}`);
    } else if (!COMMON_KEYS.includes(key) && !f.keys.includes(key) && !IGNORED.has(key)) {
      problems.push(`${where}: unknown config key '${key}'`);
    }
  }
  return problems;
}

/** Builds a layer from a checked Keras layer entry. */
export function layerFromEntry(entry: Config): Layer {
  const cls = entry.class_name as string;
  try {
    return FACTORIES[cls].make(entry.config as Config);
  } catch (e) {
    // layer errors already name the layer ("Conv2D 'conv2d_1': …")
    throw new ModelFormatError(`modelFromJSON: ${(e as Error).message}`);
  }
}

export const SUPPORTED_LAYERS = Object.keys(FACTORIES);
