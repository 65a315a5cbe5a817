/**
 * Keras class name → how to build the layer from its config (snake_case keys, as `get_config`
 * writes them), with the keys each one reads. Unknown classes, keys and non-default values are
 * problems listed all at once; `registerLayer` adds classes (custom layers a file uses).
 */
import { ConfigError, ModelFormatError } from '../errors.js';
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
import { ELU } from './elu.js';
import { ReLU } from './relu.js';
import { Reshape } from './reshape.js';
import { Softmax } from './softmax.js';
import { type Interpolation, UpSampling2D } from './up_sampling2d.js';
import { ContribInstanceNormalization } from './contrib_instance_normalization.js';
import { DepthwiseConv2D } from './depthwise_conv2d.js';
import { GroupNormalization, TfaGroupNormalization } from './group_normalization.js';
import { InstanceNormalization } from './instance_normalization.js';
import { LayerNormalization } from './layer_normalization.js';
import { PixelNormalization, PixelNormAlias } from './pixel_normalization.js';
import { SeparableConv2D } from './separable_conv2d.js';
import { ActivityRegularization } from './activity_regularization.js';
import { Add } from './add.js';
import { Average } from './average.js';
import { Concatenate } from './concatenate.js';
import { Cropping2D } from './cropping2d.js';
import { Embedding } from './embedding.js';
import { GaussianDropout } from './gaussian_dropout.js';
import { GaussianNoise } from './gaussian_noise.js';
import { Maximum } from './maximum.js';
import { Minimum } from './minimum.js';
import { MIRROR_CLASSES } from './mirror_padding2d.js';
import { Multiply } from './multiply.js';
import { PReLU } from './prelu.js';
import { ReflectionPadding2D } from './reflection_padding2d.js';
import { SpatialDropout2D } from './spatial_dropout2d.js';
import { Subtract } from './subtract.js';
import { SymmetricPadding2D } from './symmetric_padding2d.js';
import { TensorFlowOpLayer } from './tensorflow_op_layer.js';
import { TFOpLambda } from './tf_op_lambda.js';
import { ZeroPadding2D } from './zero_padding2d.js';
import { showValue } from '../show.js';

export type Config = Record<string, unknown>;

/** Builds a layer from its Keras config (snake_case keys, as `layer.get_config()` writes them). */
export type LayerFactory = (config: Record<string, unknown>) => Layer;

interface Entry {
  /** Config keys the factory reads (besides the common ones); null: any key (custom layers). */
  keys: ReadonlySet<string> | null;
  make: LayerFactory;
}

/** Keras config keys that carry no meaning at inference (initializers, regularizers, …). */
const IGNORED = new Set([
  'kernel_initializer', 'bias_initializer', 'kernel_regularizer', 'bias_regularizer', 'activity_regularizer',
  'kernel_constraint', 'bias_constraint', 'beta_initializer', 'gamma_initializer', 'moving_mean_initializer',
  'moving_variance_initializer', 'beta_regularizer', 'gamma_regularizer', 'beta_constraint', 'gamma_constraint',
  'seed', 'noise_shape', 'synchronized', 'fused', 'virtual_batch_size', 'adjustment', 'renorm_clipping',
  'renorm_momentum', 'lora_alpha', 'input_dtype', 'autocast', 'build_config', 'optional', 'registered_name', 'module',
]);

/** Keys whose non-default values change the numbers: rejected unless they hold the default. */
const DEFAULTS = new Map<string, readonly unknown[]>([
  ['data_format', ['channels_last', null, undefined]],
  ['groups', [1, null, undefined]],
  ['renorm', [false, null, undefined]],
  ['lora_rank', [null, undefined, 0]],
  ['quantization_config', [null, undefined]],
  ['sparse', [false, null, undefined]],
  ['ragged', [false, null, undefined]],
]);

const COMMON_KEYS = new Set(['name', 'trainable', 'dtype', 'batch_input_shape', 'batch_shape', 'batch_size']);

/** A Keras 3 DTypePolicy object or a string → the policy name. */
export function dtypeName(dtype: unknown): string | undefined {
  if (dtype === undefined || dtype === null) return undefined;
  if (typeof dtype === 'string') return dtype;
  // Keras 3: {"class_name": "DTypePolicy", "config": {"name": "float32"}}
  const cfg = (dtype as Config).config as Config | undefined;
  return cfg && typeof cfg === 'object' && typeof cfg.name === 'string' ? cfg.name : showValue(dtype);
}

/** The options every layer takes, from a config. */
export function common(c: Config): LayerOptions {
  const o: LayerOptions = { name: c.name as string, trainable: c.trainable as boolean | undefined, dtype: dtypeName(c.dtype) as LayerOptions['dtype'] };
  const bis = (c.batch_input_shape ?? c.batch_shape) as (number | null)[] | undefined;
  return defined(bis ? { ...o, batchInputShape: bis } : o);
}

export function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

const builtIn = new Map<string, Entry>();
const custom = new Map<string, Entry>();

function add(name: string, keys: string[], make: LayerFactory): void {
  builtIn.set(name, { keys: new Set(keys), make });
}

add('InputLayer', ['input_shape', 'shape'], (c) => new InputLayer(defined({
  name: c.name as string, dtype: dtypeName(c.dtype) as 'float32',
  batchInputShape: (c.batch_input_shape ?? c.batch_shape ?? (c.shape || c.input_shape ? [null, ...((c.shape ?? c.input_shape) as number[])] : undefined)) as (number | null)[],
  batchSize: c.batch_size as number | undefined,
})));
add('Dense', ['units', 'activation', 'use_bias'], (c) => new Dense(c.units as number, defined({ ...common(c), activation: c.activation as 'linear', useBias: c.use_bias as boolean })));
add('Reshape', ['target_shape'], (c) => new Reshape(c.target_shape as number[], common(c)));
add('Flatten', [], (c) => new Flatten(common(c)));
add('Dropout', ['rate'], (c) => new Dropout(c.rate as number, common(c)));
add('Activation', ['activation'], (c) => new Activation(c.activation as 'linear', common(c)));
add('LeakyReLU', ['alpha', 'negative_slope'], (c) => new LeakyReLU(defined({ ...common(c), negativeSlope: (c.negative_slope ?? c.alpha) as number | undefined })));
add('ReLU', ['max_value', 'negative_slope', 'threshold'], (c) => new ReLU(defined({
  ...common(c), maxValue: c.max_value as number | null, negativeSlope: c.negative_slope as number, threshold: c.threshold as number,
})));
add('ELU', ['alpha'], (c) => new ELU(defined({ ...common(c), alpha: c.alpha as number })));
add('Softmax', ['axis'], (c) => new Softmax(defined({ ...common(c), axis: c.axis as number })));
add('UpSampling2D', ['size', 'interpolation'], (c) => new UpSampling2D(defined({ ...common(c), size: c.size as [number, number], interpolation: c.interpolation as Interpolation })));
add('BatchNormalization', ['axis', 'epsilon', 'center', 'scale', 'momentum'], (c) => new BatchNormalization(defined({
  ...common(c), axis: c.axis as number, epsilon: c.epsilon as number, center: c.center as boolean, scale: c.scale as boolean,
  momentum: c.momentum as number,
})));
add('Conv2D', ['filters', 'kernel_size', 'strides', 'padding', 'dilation_rate', 'activation', 'use_bias'], (c) => new Conv2D(c.filters as number, c.kernel_size as [number, number], defined({
  ...common(c), strides: c.strides as [number, number], padding: c.padding as 'same', dilationRate: c.dilation_rate as [number, number],
  activation: c.activation as 'linear', useBias: c.use_bias as boolean,
})));
add('Conv2DTranspose', ['filters', 'kernel_size', 'strides', 'padding', 'dilation_rate', 'activation', 'use_bias', 'output_padding'], (c) => new Conv2DTranspose(c.filters as number, c.kernel_size as [number, number], defined({
  ...common(c), strides: c.strides as [number, number], padding: c.padding as 'same', dilationRate: c.dilation_rate as [number, number],
  activation: c.activation as 'linear', useBias: c.use_bias as boolean, outputPadding: c.output_padding as [number, number] | null,
})));

const DEPTHWISE_KEYS = ['kernel_size', 'strides', 'padding', 'dilation_rate', 'depth_multiplier', 'activation', 'use_bias',
  'depthwise_initializer', 'depthwise_regularizer', 'depthwise_constraint'];
const depthwiseOptions = (c: Config) => defined({
  ...common(c), strides: c.strides as [number, number], padding: c.padding as 'same', dilationRate: c.dilation_rate as [number, number],
  depthMultiplier: c.depth_multiplier as number, activation: c.activation as 'linear', useBias: c.use_bias as boolean,
});
add('DepthwiseConv2D', DEPTHWISE_KEYS, (c) => new DepthwiseConv2D(c.kernel_size as [number, number], depthwiseOptions(c)));
add('SeparableConv2D', [...DEPTHWISE_KEYS, 'filters', 'pointwise_initializer', 'pointwise_regularizer', 'pointwise_constraint'],
  (c) => new SeparableConv2D(c.filters as number, c.kernel_size as [number, number], depthwiseOptions(c)));
const affine = (c: Config) => ({ epsilon: c.epsilon as number, center: c.center as boolean, scale: c.scale as boolean });
add('LayerNormalization', ['axis', 'epsilon', 'center', 'scale', 'rms_scaling'], (c) => new LayerNormalization(defined({
  ...common(c), ...affine(c), axis: c.axis as number, rmsScaling: c.rms_scaling as boolean,
})));
const groupNorm = (c: Config) => defined({ ...common(c), ...affine(c), groups: c.groups as number, axis: c.axis as number });
add('GroupNormalization', ['groups', 'axis', 'epsilon', 'center', 'scale'], (c) => new GroupNormalization(groupNorm(c)));
add('Addons>GroupNormalization', ['groups', 'axis', 'epsilon', 'center', 'scale'], (c) => new TfaGroupNormalization(groupNorm(c)));
// tfa writes groups = C at build; InstanceNormalization forces -1, so the saved value is ignored
add('Addons>InstanceNormalization', ['groups', 'axis', 'epsilon', 'center', 'scale'], (c) => new InstanceNormalization(defined({
  ...common(c), ...affine(c), axis: c.axis as number,
})));
// keras_contrib's InstanceNormalization: axis null = the whole sample, (x - mean)/(std + eps)
add('InstanceNormalization', ['axis', 'epsilon', 'center', 'scale'], (c) => new ContribInstanceNormalization(defined({
  ...common(c), ...affine(c), axis: c.axis as number | null,
})));
// ProGAN/StyleGAN custom layers: x / sqrt(mean(x², -1) + 1e-8) under the class names repositories use
add('PixelNormalization', ['epsilon'], (c) => new PixelNormalization(defined({ ...common(c), epsilon: c.epsilon as number })));
add('PixelNorm', ['epsilon', 'channel_axis'], (c) => {
  if (c.channel_axis !== undefined && c.channel_axis !== -1) throw new ConfigError(`PixelNorm '${String(c.name)}': channel_axis ${showValue(c.channel_axis)} is not supported (channels last: -1)`);
  return new PixelNormAlias('PixelNorm', defined({ ...common(c), epsilon: c.epsilon as number }));
});
add('PixelNormLayer', ['epsilon'], (c) => new PixelNormAlias('PixelNormLayer', defined({ ...common(c), epsilon: c.epsilon as number })));
// merge layers, Concatenate, Embedding, PReLU, 2-D padding / cropping, TF-op DepthToSpace, inference identities
add('Add', [], (c) => new Add(common(c)));
add('Subtract', [], (c) => new Subtract(common(c)));
add('Multiply', [], (c) => new Multiply(common(c)));
add('Average', [], (c) => new Average(common(c)));
add('Maximum', [], (c) => new Maximum(common(c)));
add('Minimum', [], (c) => new Minimum(common(c)));
add('Concatenate', ['axis'], (c) => new Concatenate(defined({ ...common(c), axis: c.axis as number })));
add('Embedding', ['input_dim', 'output_dim', 'input_length', 'mask_zero', 'embeddings_initializer', 'embeddings_regularizer', 'embeddings_constraint'],
  (c) => new Embedding(c.input_dim as number, c.output_dim as number, defined({
    ...common(c), inputLength: c.input_length as number | null, maskZero: c.mask_zero as boolean,
  })));
add('PReLU', ['shared_axes', 'alpha_initializer', 'alpha_regularizer', 'alpha_constraint'], (c) => new PReLU(defined({ ...common(c), sharedAxes: c.shared_axes as number[] | null })));
add('ZeroPadding2D', ['padding'], (c) => new ZeroPadding2D(defined({ ...common(c), padding: c.padding as number })));
add('Cropping2D', ['cropping'], (c) => new Cropping2D(defined({ ...common(c), cropping: c.cropping as number })));
/*
 * Custom mirror-padding classes (no Keras built-in; issue #10's survey: CycleGAN / pix2pix /
 * style-transfer generators), found in public repositories and read as their code computes:
 *   ReflectionPadding2D  tf.pad REFLECT    padding int | [width, height] | [[t, b], [l, r]]
 *                        (keras-io CycleGAN and its ports: `padding_width, padding_height = self.padding`;
 *                        ZeroPadding2D subclasses of that name write [[t, b], [l, r]])
 *   ReflectPadding2D     tf.pad REFLECT    padding int | [height, width] | [[t, b], [l, r]] (padding[0] pads the rows)
 *   SymmetricPadding2D   tf.pad SYMMETRIC  padding int | [height, width] | [[t, b], [l, r]]; `output_dim` ignored
 *   SymmetricPadding     tf.pad SYMMETRIC  padding int | [width, height] | [[t, b], [l, r]]
 * REFLECT does not repeat the edge (pad < size), SYMMETRIC does (pad ≤ size). A missing padding
 * key is 1 on every side (the classes' default (1, 1)). registerLayer overrides any of them.
 */
for (const [cls, { mode }] of MIRROR_CLASSES) {
  const Mirror = mode === 'reflect' ? ReflectionPadding2D : SymmetricPadding2D;
  add(cls, cls === 'SymmetricPadding2D' ? ['padding', 'output_dim'] : ['padding'], (c) => new Mirror(defined({ ...common(c), padding: c.padding as number, fileClass: cls })));
}
// TF 2 saves tf.nn.depth_to_space as a TensorFlowOpLayer (TF 2.0-2.3) or a TFOpLambda (2.4+); other ops are refused by name
add('TensorFlowOpLayer', ['node_def', 'constants'], (c) => new TensorFlowOpLayer(defined({
  ...common(c), nodeDef: c.node_def as Record<string, unknown>, constants: c.constants as Record<string, unknown> | null,
})));
add('TFOpLambda', ['function'], (c) => new TFOpLambda(defined({ ...common(c), function: c.function as string })));
add('GaussianNoise', ['stddev'], (c) => new GaussianNoise(c.stddev as number, common(c)));
add('GaussianDropout', ['rate'], (c) => new GaussianDropout(c.rate as number, common(c)));
add('SpatialDropout2D', ['rate'], (c) => new SpatialDropout2D(c.rate as number, common(c)));
add('ActivityRegularization', ['l1', 'l2'], (c) => new ActivityRegularization(defined({ ...common(c), l1: c.l1 as number, l2: c.l2 as number })));

/**
 * Registers a layer implementation for a class name that model files use (a custom layer such
 * as `ReflectionPadding2D`, or a replacement for a built-in one). The factory gets the layer's
 * Keras config (snake_case) and returns a Layer; every config key is passed through unchecked.
 */
export function registerLayer(className: string, factory: LayerFactory): void {
  if (typeof className !== 'string' || !/^[A-Za-z_][\w>.-]{0,127}$/.test(className)) {
    throw new ConfigError(`registerLayer: the class name must be a Keras class name such as 'ReflectionPadding2D', got ${showValue(className)}`);
  }
  if (typeof factory !== 'function') throw new ConfigError(`registerLayer('${className}'): the factory must be a function (config) => Layer`);
  custom.set(className, { keys: null, make: factory });
}

function lookup(cls: string): Entry | undefined {
  return custom.get(cls) ?? builtIn.get(cls);
}

/** Every class name that can be read (built in and registered). */
export function knownClasses(): string[] {
  return [...new Set([...builtIn.keys(), ...custom.keys()])];
}

/** Problems a layer entry has, without building it (so every problem can be listed at once). */
export function checkLayerEntry(entry: unknown, where: string): string[] {
  if (!entry || typeof entry !== 'object' || Array.isArray(entry)) return [`${where}: not an object`];
  const { class_name: cls, config } = entry as Config;
  if (typeof cls !== 'string') return [`${where}: missing class_name`];
  const f = lookup(cls);
  if (!f) return [`${where}: unsupported layer class '${cls.slice(0, 128)}' (register an implementation with registerLayer('${cls.slice(0, 128)}', factory))`];
  if (!config || typeof config !== 'object' || Array.isArray(config)) return [`${where} (${cls}): missing config object`];
  if (f.keys === null) return [];
  const problems: string[] = [];
  const name = (config as Config).name;
  const at = `${where} (${cls}${typeof name === 'string' ? ` '${name.slice(0, 128)}'` : ''})`;
  for (const [key, value] of Object.entries(config as Config)) {
    const allowed = f.keys.has(key) ? undefined : DEFAULTS.get(key);
    if (allowed) {
      if (!allowed.includes(value)) problems.push(`${at}: unsupported ${key} ${showValue(value)}`);
    } else if (!COMMON_KEYS.has(key) && !f.keys.has(key) && !IGNORED.has(key)) {
      problems.push(`${at}: unknown config key '${key.slice(0, 128)}'`);
    }
  }
  return problems;
}

/** Builds a layer from a checked entry; layer errors become ModelFormatErrors naming the layer. */
export function layerFromEntry(entry: Config, where: string): Layer {
  const cls = entry.class_name as string;
  let layer: Layer;
  try {
    layer = lookup(cls)!.make(entry.config as Config);
  } catch (e) {
    // layer errors already name the layer ("Conv2D 'conv2d_1': …")
    throw new ModelFormatError(`${where}: ${(e as Error).message}`);
  }
  if (!layer || typeof layer !== 'object' || typeof (layer as Layer).outputShapeFor !== 'function') {
    throw new ModelFormatError(`${where}: the factory registered for '${cls}' did not return a Layer`);
  }
  return layer;
}
