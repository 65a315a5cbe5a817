import { bool, finite } from '../args.js';
import { ConfigError, ShapeError } from '../errors.js';
import { type Shape, shapeString } from '../shape_rules.js';
import type { WeightSpec } from './layer.js';
import { showValue } from '../show.js';

/** What the data-normalising layers share: epsilon, center/scale, their gamma/beta specs and config. */
export interface AffineOptions {
  epsilon?: number;
  center?: boolean;
  scale?: boolean;
}

export interface Affine {
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;
}

/** Reads epsilon (≥ 0, default `eps`), center and scale (default true). */
export function affineArgs(o: AffineOptions, where: string, eps = 1e-3): Affine {
  const epsilon = finite(o.epsilon ?? eps, 'epsilon', where);
  if (epsilon < 0) throw new ConfigError(`${where}: epsilon must be ≥ 0, got ${epsilon}`);
  return {
    epsilon,
    center: o.center === undefined ? true : bool(o.center, 'center', where),
    scale: o.scale === undefined ? true : bool(o.scale, 'scale', where),
  };
}

/** gamma then beta of `shape` (the enabled ones), Keras's order. */
export function affineSpecs(a: Affine, shape: readonly number[]): WeightSpec[] {
  const specs: WeightSpec[] = [];
  if (a.scale) specs.push({ name: 'gamma', shape: [...shape], trainable: true, init: 'ones' });
  if (a.center) specs.push({ name: 'beta', shape: [...shape], trainable: true, init: 'zeros' });
  return specs;
}

/** Positions of gamma and beta in the layer's weights (null when disabled). */
export function affineAt(a: Affine): { gammaAt: number | null; betaAt: number | null } {
  return { gammaAt: a.scale ? 0 : null, betaAt: a.center ? (a.scale ? 1 : 0) : null };
}

/** The config keys after the layer-specific ones, Keras's order. */
export function affineConfig(a: Affine): Record<string, unknown> {
  return {
    epsilon: a.epsilon,
    center: a.center,
    scale: a.scale,
    beta_initializer: { class_name: 'Zeros', config: {} },
    gamma_initializer: { class_name: 'Ones', config: {} },
    beta_regularizer: null,
    gamma_regularizer: null,
    beta_constraint: null,
    gamma_constraint: null,
  };
}

/** The known size of the last sample axis (the channels). */
export function channelsOf(shape: Shape, where: string): number {
  if (!shape.length) throw new ShapeError(`${where}: needs an input of rank ≥ 2, got ${shapeString(shape)}`);
  const c = shape[shape.length - 1];
  if (c === null) throw new ShapeError(`${where}: the channel dimension of its input must be known, got ${shapeString(shape)}`);
  return c;
}

/** A Keras axis (the batch axis is 0, negatives count from the end) as a 0-based sample axis. */
export function sampleAxis(axis: number, rank: number, where: string): number {
  const full = rank + 1;
  const a = axis < 0 ? axis + full : axis;
  if (a === 0) throw new ShapeError(`${where}: axis ${axis} is the batch axis, which cannot be normalised over here`);
  if (a < 0 || a >= full) throw new ShapeError(`${where}: axis ${axis} is out of range for an input of rank ${full}`);
  return a - 1;
}

/** A Keras axis argument: an integer (|axis| ≤ 16). */
export function axisArg(value: unknown, what: string, where: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || Math.abs(value) > 16) {
    throw new ConfigError(`${where}: ${what} must be an integer, got ${showValue(value)}`);
  }
  return value;
}

/** Product of a list of dimensions. */
export function prod(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= d;
  return n;
}
