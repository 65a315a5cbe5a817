/** Keras metrics for compile({ metrics }): accuracy in its binary / categorical / sparse forms, mse, mae. */
import { ConfigError } from '../errors.js';
import type { Loss } from './losses.js';
import { showValue } from '../show.js';

export type MetricName = 'accuracy' | 'acc' | 'binary_accuracy' | 'categorical_accuracy' | 'sparse_categorical_accuracy' | 'mse' | 'mae';

export interface Metric {
  readonly name: string;
  /** The metric of one batch (predictions as probabilities). */
  compute(pred: Float32Array, y: Float32Array, lastDim: number): number;
}

const binaryAccuracy = (name: string): Metric => ({
  name,
  compute(p, y) {
    let hits = 0;
    for (let i = 0; i < p.length; i++) hits += (p[i] > 0.5 ? 1 : 0) === y[i] ? 1 : 0;
    return hits / p.length;
  },
});

const argmax = (p: Float32Array, o: number, C: number): number => {
  let best = 0;
  for (let c = 1; c < C; c++) if (p[o + c] > p[o + best]) best = c;
  return best;
};

const categoricalAccuracy = (name: string): Metric => ({
  name,
  compute(p, y, C) {
    let hits = 0;
    const rows = p.length / C;
    for (let r = 0; r < rows; r++) hits += argmax(p, r * C, C) === argmax(y, r * C, C) ? 1 : 0;
    return hits / rows;
  },
});

const sparseAccuracy = (name: string): Metric => ({
  name,
  compute(p, y, C) {
    let hits = 0;
    const rows = p.length / C;
    for (let r = 0; r < rows; r++) hits += argmax(p, r * C, C) === y[r] ? 1 : 0;
    return hits / rows;
  },
});

const meanError = (name: string, f: (d: number) => number): Metric => ({
  name,
  compute(p, y) {
    let s = 0;
    for (let i = 0; i < p.length; i++) s += f(p[i] - y[i]);
    return s / p.length;
  },
});

/** A metric by name; 'accuracy' picks the form the loss implies, as Keras does. */
export function resolveMetric(name: unknown, loss: Loss, where: string): Metric {
  switch (name) {
    case 'accuracy':
    case 'acc':
      if (loss.name === 'categorical_crossentropy') return categoricalAccuracy(name);
      if (loss.name === 'sparse_categorical_crossentropy') return sparseAccuracy(name);
      return binaryAccuracy(name);
    case 'binary_accuracy': return binaryAccuracy(name);
    case 'categorical_accuracy': return categoricalAccuracy(name);
    case 'sparse_categorical_accuracy': return sparseAccuracy(name);
    case 'mse': return meanError(name, (d) => d * d);
    case 'mae': return meanError(name, Math.abs);
    default:
      throw new ConfigError(`${where}: unknown metric ${showValue(name)} (supported: accuracy, binary_accuracy, categorical_accuracy, sparse_categorical_accuracy, mse, mae)`);
  }
}

/** sigmoid / softmax of logits, for metrics and predictions. */
export function probabilities(z: Float32Array, act: 'sigmoid' | 'softmax', C: number): Float32Array {
  const out = new Float32Array(z.length);
  if (act === 'sigmoid') {
    for (let i = 0; i < z.length; i++) out[i] = 1 / (1 + Math.exp(-z[i]));
    return out;
  }
  for (let r = 0; r < z.length; r += C) {
    let max = -Infinity;
    for (let c = 0; c < C; c++) max = Math.max(max, z[r + c]);
    let s = 0;
    for (let c = 0; c < C; c++) s += Math.exp(z[r + c] - max);
    for (let c = 0; c < C; c++) out[r + c] = Math.exp(z[r + c] - max) / s;
  }
  return out;
}
