/**
 * One description of a chain of layers, built twice: as an upconv Sequential (the thing under
 * test) and as a float64 oracle graph (test/grad/oracle/, which never imports the package), with
 * the same float32 weights. Shapes are inferred with the oracle's own formulas, so a wrong weight
 * or output shape in the package fails setWeights or the comparison.
 */
import {
  Activation, BatchNormalization, Conv2D, Conv2DTranspose, Dense, Dropout, ELU, Flatten, type Layer, LeakyReLU, ReLU,
  Reshape, Sequential, Softmax, UpSampling2D, tensor,
} from '../../bindings/index.js';
import { Rng } from '../util/rng.js';
import { elementwise, reluLayer } from './oracle/activations.js';
import type { ONode, OGraph, ParamSet } from './oracle/graph.js';
import * as O from './oracle/ops.js';
import { size } from './oracle/values.js';

type Pair = readonly [number, number];
/** A layer's activation argument: a name, or a weightless activation layer (Keras 3 serializes LeakyReLU & co. so). */
export type Act = string | ActivationLayerSpec;
export type ActivationLayerSpec = Extract<LayerSpec, { kind: 'activation' | 'leakyRelu' | 'relu' | 'elu' | 'softmax' }>;

export type LayerSpec =
  | { kind: 'dense'; units: number; useBias?: boolean; activation?: Act; trainable?: boolean }
  | { kind: 'conv2d'; filters: number; kernel: Pair; strides?: Pair; padding?: 'valid' | 'same'; dilation?: Pair; useBias?: boolean; activation?: Act }
  | { kind: 'conv2dTranspose'; filters: number; kernel: Pair; strides?: Pair; padding?: 'valid' | 'same'; dilation?: Pair; outputPadding?: Pair | null; useBias?: boolean; activation?: Act }
  | { kind: 'upSampling'; size: Pair; interpolation: 'nearest' | 'bilinear' }
  | { kind: 'batchNorm'; epsilon?: number; momentum?: number; center?: boolean; scale?: boolean; trainable?: boolean }
  | { kind: 'activation'; name: string }
  | { kind: 'leakyRelu'; alpha?: number }
  | { kind: 'relu'; maxValue?: number | null; negativeSlope?: number; threshold?: number }
  | { kind: 'elu'; alpha?: number }
  | { kind: 'softmax' }
  | { kind: 'reshape'; target: number[] }
  | { kind: 'flatten' }
  | { kind: 'dropout'; rate: number };

/** A layer's weights: Keras names and shapes, and the oracle's param set (same values, float64). */
export interface Weighted {
  layerName: string;
  names: string[];
  shapes: number[][];
  set: ParamSet;
}

export interface BuiltChain {
  model: Sequential;
  layers: Layer[];
  graph: OGraph;
  weighted: Weighted[];
  /** Output sample shape by the oracle's rules. */
  outputShape: number[];
}

/** The oracle's output sample shape of one spec. */
export function specOutput(s: LayerSpec, inShape: readonly number[]): number[] {
  const last = inShape[inShape.length - 1];
  switch (s.kind) {
    case 'dense': return [...inShape.slice(0, -1), s.units];
    case 'conv2d': {
      const g = geometry(s);
      const ay = O.convAxis(inShape[0], g.kernel[0], g.strides[0], g.dilation[0], g.padding);
      const ax = O.convAxis(inShape[1], g.kernel[1], g.strides[1], g.dilation[1], g.padding);
      return [ay.out, ax.out, s.filters];
    }
    case 'conv2dTranspose': {
      const g = geometry(s);
      const op = s.outputPadding ?? null;
      const ay = O.deconvAxis(inShape[0], g.kernel[0], g.strides[0], g.dilation[0], g.padding, op ? op[0] : null);
      const ax = O.deconvAxis(inShape[1], g.kernel[1], g.strides[1], g.dilation[1], g.padding, op ? op[1] : null);
      return [ay.out, ax.out, s.filters];
    }
    case 'upSampling': return [inShape[0] * s.size[0], inShape[1] * s.size[1], last];
    case 'reshape': {
      const per = size(inShape);
      const known = s.target.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
      return s.target.map((d) => (d === -1 ? per / known : d));
    }
    case 'flatten': return [size(inShape)];
    default: return [...inShape];
  }
}

function geometry(s: { kernel: Pair; strides?: Pair; dilation?: Pair; padding?: 'valid' | 'same' }): O.ConvGeometry {
  return { kernel: s.kernel, strides: s.strides ?? [1, 1], dilation: s.dilation ?? [1, 1], padding: s.padding ?? 'valid' };
}

function activationArg(a: Act | undefined, name: string): never {
  return (typeof a === 'object' ? upconvLayer(a, `${name}_activation`, {}) : (a ?? 'linear')) as never;
}

function upconvLayer(s: LayerSpec, name: string, first: { inputShape?: number[] }): Layer {
  const o = { name, ...first };
  switch (s.kind) {
    case 'dense': return new Dense(s.units, { ...o, useBias: s.useBias ?? true, activation: activationArg(s.activation, name), trainable: s.trainable ?? true });
    case 'conv2d': return new Conv2D(s.filters, s.kernel, { ...o, strides: s.strides ?? [1, 1], padding: s.padding ?? 'valid', dilationRate: s.dilation ?? [1, 1], useBias: s.useBias ?? true, activation: activationArg(s.activation, name) });
    case 'conv2dTranspose': return new Conv2DTranspose(s.filters, s.kernel, { ...o, strides: s.strides ?? [1, 1], padding: s.padding ?? 'valid', dilationRate: s.dilation ?? [1, 1], outputPadding: s.outputPadding ?? null, useBias: s.useBias ?? true, activation: activationArg(s.activation, name) });
    case 'upSampling': return new UpSampling2D({ ...o, size: s.size, interpolation: s.interpolation });
    case 'batchNorm': return new BatchNormalization({ ...o, epsilon: s.epsilon ?? 1e-3, momentum: s.momentum ?? 0.99, center: s.center ?? true, scale: s.scale ?? true, trainable: s.trainable ?? true });
    case 'activation': return new Activation(s.name as never, o);
    case 'leakyRelu': return s.alpha === undefined ? new LeakyReLU(o) : new LeakyReLU({ ...o, alpha: s.alpha });
    case 'relu': return new ReLU({ ...o, maxValue: s.maxValue ?? null, negativeSlope: s.negativeSlope ?? 0, threshold: s.threshold ?? 0 });
    case 'elu': return s.alpha === undefined ? new ELU(o) : new ELU({ ...o, alpha: s.alpha });
    case 'softmax': return new Softmax(o);
    case 'reshape': return new Reshape(s.target, o);
    case 'flatten': return new Flatten(o);
    case 'dropout': return new Dropout(s.rate, o);
  }
}

/** The oracle node of a weightless activation layer. */
function activationLayerNode(s: ActivationLayerSpec, v: number, shape: readonly number[]): ONode {
  switch (s.kind) {
    case 'activation': return activationNode(s.name, v) ?? { op: O.reshape(shape), inputs: [v], params: null };
    case 'leakyRelu': return { op: O.activation('leaky', elementwise('leaky_relu', s.alpha ?? 0.3)), inputs: [v], params: null };
    case 'relu': return { op: O.activation('relu layer', reluLayer(s.maxValue ?? null, s.negativeSlope ?? 0, s.threshold ?? 0)), inputs: [v], params: null };
    case 'elu': return { op: O.activation('elu layer', elementwise('elu', s.alpha ?? 1)), inputs: [v], params: null };
    case 'softmax': return { op: O.softmax(), inputs: [v], params: null };
  }
}

/** The activation node an activation argument adds after its layer (none for linear); a layer object is no logits shortcut. */
function activationNode(name: Act | undefined, input: number, shape: readonly number[] = []): ONode | null {
  if (typeof name === 'object') return activationLayerNode(name, input, shape);
  if (!name || name === 'linear') return null;
  if (name === 'softmax') return { op: O.softmax(), inputs: [input], params: null, logitsOf: 'softmax' };
  return { op: O.activation(name, elementwise(name)), inputs: [input], params: null, logitsOf: name === 'sigmoid' ? 'sigmoid' : undefined };
}

export interface ChainOptions {
  /** Sample shape of the input. */
  input: number[];
  layers: LayerSpec[];
  seed: number;
  /** BN layers run with batch statistics (a training step with the layer trainable). */
  training?: boolean;
  /** Dropout masks by layer index (batch · sample floats of 0/1). */
  masks?: Map<number, Float32Array>;
  /** Layer names are prefix + index (default 'l'). */
  prefix?: string;
  /** Overrides the random weights of a layer (by index), Keras order. */
  weights?: Map<number, Float32Array[]>;
}

function randomWeights(s: LayerSpec, inShape: readonly number[], r: Rng): { names: string[]; shapes: number[][]; data: Float32Array[] } {
  const last = inShape[inShape.length - 1];
  const kernel = (shape: number[], fanIn: number) => r.uniformF32(size(shape), -1.5 / Math.sqrt(fanIn), 1.5 / Math.sqrt(fanIn));
  switch (s.kind) {
    case 'dense': {
      const shapes = [[last, s.units], ...(s.useBias ?? true ? [[s.units]] : [])];
      return { names: ['kernel', 'bias'].slice(0, shapes.length), shapes, data: [kernel(shapes[0], last), ...(shapes[1] ? [r.uniformF32(s.units, -0.5, 0.5)] : [])] };
    }
    case 'conv2d':
    case 'conv2dTranspose': {
      const [kh, kw] = s.kernel;
      const k = s.kind === 'conv2d' ? [kh, kw, last, s.filters] : [kh, kw, s.filters, last];
      const shapes = [k, ...(s.useBias ?? true ? [[s.filters]] : [])];
      return { names: ['kernel', 'bias'].slice(0, shapes.length), shapes, data: [kernel(k, kh * kw * last), ...(shapes[1] ? [r.uniformF32(s.filters, -0.5, 0.5)] : [])] };
    }
    case 'batchNorm': {
      const names = [...(s.scale ?? true ? ['gamma'] : []), ...(s.center ?? true ? ['beta'] : []), 'moving_mean', 'moving_variance'];
      const data = names.map((n) => (n === 'gamma' ? r.uniformF32(last, 0.5, 1.5) : n === 'moving_variance' ? r.uniformF32(last, 0.5, 1.5) : r.uniformF32(last, -0.5, 0.5)));
      return { names, shapes: names.map(() => [last]), data };
    }
    default: return { names: [], shapes: [], data: [] };
  }
}

/** Builds the chain in upconv and in the oracle, with the same random (or given) float32 weights. */
export function buildChain(o: ChainOptions): BuiltChain {
  const r = new Rng(o.seed);
  const model = new Sequential();
  const layers: Layer[] = [];
  const nodes: ONode[] = [];
  const weighted: Weighted[] = [];
  const tensors: Float32Array[] = [];
  let shape = [...o.input];
  let v = 0; // value id of the chain's current value (0: the input)
  o.layers.forEach((s, i) => {
    const name = `${o.prefix ?? 'l'}${i}`;
    const layer = upconvLayer(s, name, i === 0 ? { inputShape: o.input } : {});
    model.add(layer);
    layers.push(layer);
    const w = randomWeights(s, shape, r);
    const data = o.weights?.get(i) ?? w.data;
    tensors.push(...data);
    const frozen = (s.kind === 'dense' && s.trainable === false) || (s.kind === 'batchNorm' && s.trainable === false);
    const set: ParamSet | null = w.names.length
      ? { name, values: data.map((d) => Float64Array.from(d)), trainable: w.names.map((n) => !frozen && n !== 'moving_mean' && n !== 'moving_variance') }
      : null;
    if (set) weighted.push({ layerName: name, names: w.names, shapes: w.shapes, set });
    const push = (n: ONode) => {
      nodes.push(n);
      v = nodes.length; // one model input
    };
    switch (s.kind) {
      case 'dense': push({ op: O.dense(s.units, s.useBias ?? true), inputs: [v], params: set }); break;
      case 'conv2d': push({ op: O.conv2d(s.filters, geometry(s), s.useBias ?? true), inputs: [v], params: set }); break;
      case 'conv2dTranspose': push({ op: O.conv2dTranspose(s.filters, geometry(s), s.outputPadding ?? null, s.useBias ?? true), inputs: [v], params: set }); break;
      case 'upSampling': push({ op: O.upSampling(s.size, s.interpolation), inputs: [v], params: null }); break;
      case 'batchNorm':
        push({ op: O.batchNorm({ epsilon: s.epsilon ?? 1e-3, center: s.center ?? true, scale: s.scale ?? true, training: !!o.training && s.trainable !== false }), inputs: [v], params: set });
        break;
      case 'activation':
      case 'leakyRelu':
      case 'relu':
      case 'elu':
      case 'softmax': push(activationLayerNode(s, v, shape)); break;
      case 'reshape': push({ op: O.reshape(s.target), inputs: [v], params: null }); break;
      case 'flatten': push({ op: O.reshape([-1]), inputs: [v], params: null }); break;
      case 'dropout': push({ op: O.dropout(s.rate, o.masks?.get(i) ?? null), inputs: [v], params: null }); break;
    }
    if (s.kind === 'dense' || s.kind === 'conv2d' || s.kind === 'conv2dTranspose') {
      const a = activationNode(s.activation, v, specOutput(s, shape));
      if (a) push(a);
    }
    shape = specOutput(s, shape);
  });
  model.setWeights(tensors.map((d, i) => tensor(d, weighted.flatMap((w) => w.shapes)[i])));
  return { model, layers, graph: { inputs: 1, nodes, outputs: [v] }, weighted, outputShape: shape };
}
