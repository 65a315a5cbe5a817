/**
 * Chain specs (test/grad/chain.ts `custom`) for the depthwise convolutions and the normalisations
 * computed from the data: the upconv layer, its float64 oracle op (oracle/depthwise.ts,
 * oracle/norms.ts) and random weights in Keras order.
 */
import {
  ContribInstanceNormalization, DepthwiseConv2D, GroupNormalization, InstanceNormalization, LayerNormalization,
  PixelNormalization, SeparableConv2D,
} from '../../bindings/index.js';
import type { Rng } from '../util/rng.js';
import type { Act, CustomSpec } from './chain.js';
import { convAxis } from './oracle/conv.js';
import { depthwiseConv2d, separableConv2d } from './oracle/depthwise.js';
import { channelGroups, contribAxis, groupNorm, layerAxes, pixelNorm } from './oracle/norms.js';
import { size } from './oracle/values.js';

type Pair = readonly [number, number];

export interface DepthwiseOptions {
  strides?: Pair;
  padding?: 'valid' | 'same';
  dilation?: Pair;
  multiplier?: number;
  useBias?: boolean;
  activation?: Act;
}

function geometry(kernel: Pair, o: DepthwiseOptions) {
  return { kernel, strides: o.strides ?? [1, 1] as Pair, dilation: o.dilation ?? [1, 1] as Pair, padding: o.padding ?? 'valid' as const };
}

function spatial(inShape: readonly number[], kernel: Pair, o: DepthwiseOptions): [number, number] {
  const g = geometry(kernel, o);
  return [0, 1].map((i) => convAxis(inShape[i], g.kernel[i], g.strides[i], g.dilation[i], g.padding).out) as [number, number];
}

function activationArg(a: Act | undefined): never {
  if (typeof a === 'object') throw new Error('custom_layers: activation layers are not supported here');
  return (a ?? 'linear') as never;
}

const kernelInit = (r: Rng, n: number, fanIn: number) => r.uniformF32(n, -1.5 / Math.sqrt(fanIn), 1.5 / Math.sqrt(fanIn));

export function depthwise(kernel: Pair, o: DepthwiseOptions = {}): CustomSpec {
  const M = o.multiplier ?? 1;
  const useBias = o.useBias ?? true;
  const g = geometry(kernel, o);
  return {
    kind: 'custom',
    activation: o.activation,
    layer: (opts) => new DepthwiseConv2D(kernel, { ...opts, strides: g.strides, padding: g.padding, dilationRate: g.dilation, depthMultiplier: M, useBias, activation: activationArg(o.activation) }),
    op: () => depthwiseConv2d(M, g, useBias),
    output: (s) => [...spatial(s, kernel, o), s[2] * M],
    weights: (s, r) => {
      const C = s[2];
      const shapes = [[kernel[0], kernel[1], C, M], ...(useBias ? [[C * M]] : [])];
      return {
        names: ['depthwise_kernel', 'bias'].slice(0, shapes.length), shapes,
        data: [kernelInit(r, size(shapes[0]), kernel[0] * kernel[1]), ...(useBias ? [r.uniformF32(C * M, -0.5, 0.5)] : [])],
      };
    },
  };
}

export function separable(filters: number, kernel: Pair, o: DepthwiseOptions = {}): CustomSpec {
  const M = o.multiplier ?? 1;
  const useBias = o.useBias ?? true;
  const g = geometry(kernel, o);
  return {
    kind: 'custom',
    activation: o.activation,
    layer: (opts) => new SeparableConv2D(filters, kernel, { ...opts, strides: g.strides, padding: g.padding, dilationRate: g.dilation, depthMultiplier: M, useBias, activation: activationArg(o.activation) }),
    op: () => separableConv2d(filters, M, g, useBias),
    output: (s) => [...spatial(s, kernel, o), filters],
    weights: (s, r) => {
      const C = s[2];
      const shapes = [[kernel[0], kernel[1], C, M], [1, 1, C * M, filters], ...(useBias ? [[filters]] : [])];
      return {
        names: ['depthwise_kernel', 'pointwise_kernel', 'bias'].slice(0, shapes.length), shapes,
        data: [kernelInit(r, size(shapes[0]), kernel[0] * kernel[1]), kernelInit(r, size(shapes[1]), C * M), ...(useBias ? [r.uniformF32(filters, -0.5, 0.5)] : [])],
      };
    },
  };
}

export interface AffineOptions {
  epsilon?: number;
  center?: boolean;
  scale?: boolean;
}

/** gamma U(0.5, 1.5), beta U(−0.5, 0.5) of `shape`, the enabled ones. */
function affineWeights(o: AffineOptions, shape: number[], r: Rng) {
  const names: string[] = [];
  const data: Float32Array[] = [];
  if (o.scale ?? true) {
    names.push('gamma');
    data.push(r.uniformF32(size(shape), 0.5, 1.5));
  }
  if (o.center ?? true) {
    names.push('beta');
    data.push(r.uniformF32(size(shape), -0.5, 0.5));
  }
  return { names, shapes: names.map(() => [...shape]), data };
}

function affine(o: AffineOptions, eps: number) {
  return { epsilon: o.epsilon ?? eps, center: o.center ?? true, scale: o.scale ?? true };
}

/** LayerNormalization over `axis` (Keras axes, the batch is 0). */
export function layerNorm(axis: number | number[], o: AffineOptions = {}): CustomSpec {
  const a = affine(o, 1e-3);
  const axesOf = (s: readonly number[]) => (Array.isArray(axis) ? axis : [axis]).map((x) => (x < 0 ? x + s.length + 1 : x) - 1);
  return {
    kind: 'custom',
    layer: (opts) => new LayerNormalization({ ...opts, axis, ...a }),
    op: () => ({ ...groupNorm(`layerNorm(${axis})`, (s) => layerAxes(Math.min(...axesOf(s)), Math.max(...axesOf(s)))(s), { ...a, divisor: 'var' }) }),
    weights: (s, r) => affineWeights(o, axesOf(s).map((k) => s[k]), r),
  };
}

export function groupNormalization(groups: number, o: AffineOptions = {}): CustomSpec {
  const a = affine(o, 1e-3);
  return {
    kind: 'custom',
    layer: (opts) => new GroupNormalization({ ...opts, groups, ...a }),
    op: () => groupNorm(`groupNorm(${groups})`, channelGroups(groups === -1 ? 'instance' : groups), { ...a, divisor: 'var' }),
    weights: (s, r) => affineWeights(o, [s[s.length - 1]], r),
  };
}

/** tensorflow_addons InstanceNormalization (one group per channel). */
export function tfaInstanceNorm(o: AffineOptions = {}): CustomSpec {
  const a = affine(o, 1e-3);
  return {
    kind: 'custom',
    layer: (opts) => new InstanceNormalization({ ...opts, ...a }),
    op: () => groupNorm('tfaInstanceNorm', channelGroups('instance'), { ...a, divisor: 'var' }),
    weights: (s, r) => affineWeights(o, [s[s.length - 1]], r),
  };
}

/** keras_contrib InstanceNormalization: (x − mean)/(std + epsilon), axis null or a Keras axis. */
export function contribInstanceNorm(axis: number | null, o: AffineOptions = {}): CustomSpec {
  const a = affine(o, 1e-3);
  const k = (s: readonly number[]) => (axis === null ? null : (axis < 0 ? axis + s.length + 1 : axis) - 1);
  return {
    kind: 'custom',
    layer: (opts) => new ContribInstanceNormalization({ ...opts, axis, ...a }),
    op: () => groupNorm(`contribInstanceNorm(${axis})`, (s) => contribAxis(k(s))(s), { ...a, divisor: 'std' }),
    weights: (s, r) => affineWeights(o, [k(s) === null ? 1 : s[k(s)!]], r),
  };
}

export function pixelNormalization(epsilon = 1e-8): CustomSpec {
  return {
    kind: 'custom',
    layer: (opts) => new PixelNormalization({ ...opts, epsilon }),
    op: () => pixelNorm(epsilon),
  };
}
