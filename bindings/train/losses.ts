/**
 * Keras 3 losses (TensorFlow backend) with their gradients, over float32 views of a model's output
 * (keras/src/losses/losses.py, keras/src/backend/tensorflow/nn.py; ../shared/training/SEMANTICS.md
 * §2). Reduction 'sum_over_batch_size': the per-sample values (the last axis reduced by a mean, or
 * summed over classes for the crossentropies) are summed and divided by their count.
 */
import { bool, checkKeys, finite, optionsOf } from '../args.js';
import { ConfigError, ShapeError } from '../errors.js';
import { showValue } from '../show.js';

/** float32 bounds of the clip path: backend.epsilon() = 1e-7 as float32, and float32(1 − 1e-7). */
const EPS32 = Math.fround(1e-7);
const HI32 = Math.fround(1 - 1e-7);

/** What a model output ended with when the loss takes its logits (the TF backend's shortcut). */
export type OutputActivation = 'sigmoid' | 'softmax' | null;

export type LossName = 'binary_crossentropy' | 'mse' | 'mean_squared_error' | 'mae' | 'mean_absolute_error' | 'hinge' |
  'categorical_crossentropy' | 'sparse_categorical_crossentropy';

/** A Keras loss. `compute` fills `grad` with dLoss/d(prediction or logits) and returns the loss. */
export abstract class Loss {
  abstract readonly name: string;

  /** Whether the loss would take the logits of a sigmoid / softmax output (the TF backend's shortcut). */
  takesLogits(_act: OutputActivation): boolean {
    return false;
  }

  /** @internal pred: the output (or its logits when `logits` is set); y: the targets, same count. */
  abstract compute(pred: Float32Array, y: Float32Array, grad: Float32Array, shape: readonly number[], logits: OutputActivation): number;

  /** @internal The targets' shape for an output shape (sparse labels have a last axis of 1). */
  targetShape(outputShape: readonly number[]): readonly number[] {
    return outputShape;
  }

  /** Keras config, as `loss.get_config()` writes it. */
  getConfig(): Record<string, unknown> {
    return { name: this.name, reduction: 'sum_over_batch_size' };
  }
}

/** Elementwise losses whose per-sample value is the mean over the last axis: one count for all. */
abstract class ElementwiseLoss extends Loss {
  compute(pred: Float32Array, y: Float32Array, grad: Float32Array, _shape: readonly number[], logits: OutputActivation): number {
    const n = pred.length;
    let total = 0;
    for (let i = 0; i < n; i++) {
      const [l, g] = this.element(pred[i], y[i], logits);
      total += l;
      grad[i] = g / n;
    }
    return total / n;
  }

  /** The loss of one element and its derivative. */
  protected abstract element(p: number, y: number, logits: OutputActivation): [number, number];
}

class MeanSquaredError extends ElementwiseLoss {
  readonly name = 'mean_squared_error';
  protected element(p: number, y: number): [number, number] {
    const d = p - y;
    return [d * d, 2 * d];
  }
}

class MeanAbsoluteError extends ElementwiseLoss {
  readonly name = 'mean_absolute_error';
  protected element(p: number, y: number): [number, number] {
    const d = p - y;
    return [Math.abs(d), d > 0 ? 1 : d < 0 ? -1 : 0];
  }
}

class Hinge extends Loss {
  readonly name = 'hinge';
  compute(pred: Float32Array, y: Float32Array, grad: Float32Array): number {
    const n = pred.length;
    // labels in {0, 1} everywhere become {-1, 1} (convert_binary_labels_to_hinge)
    let binary = true;
    for (let i = 0; i < n && binary; i++) binary = y[i] === 0 || y[i] === 1;
    let total = 0;
    for (let i = 0; i < n; i++) {
      const t = binary ? 2 * y[i] - 1 : y[i];
      const m = 1 - t * pred[i];
      total += Math.max(m, 0);
      grad[i] = m >= 0 ? -t / n : 0; // TF's Maximum gradient goes to the first argument on a tie
    }
    return total / n;
  }
}

export interface BinaryCrossentropyOptions {
  fromLogits?: boolean;
  labelSmoothing?: number;
}

/** Keras BinaryCrossentropy: the clip path, or the logits path (from_logits, or a sigmoid output under the TF backend). */
export class BinaryCrossentropy extends Loss {
  readonly name = 'binary_crossentropy';
  readonly fromLogits: boolean;
  readonly labelSmoothing: number;

  constructor(options?: BinaryCrossentropyOptions) {
    super();
    const o = optionsOf<BinaryCrossentropyOptions>(options, 'BinaryCrossentropy');
    checkKeys(o, ['fromLogits', 'labelSmoothing'], 'BinaryCrossentropy');
    this.fromLogits = o.fromLogits === undefined ? false : bool(o.fromLogits, 'fromLogits', 'BinaryCrossentropy');
    this.labelSmoothing = finite(o.labelSmoothing ?? 0, 'labelSmoothing', 'BinaryCrossentropy');
    if (this.labelSmoothing < 0 || this.labelSmoothing > 1) throw new ConfigError(`BinaryCrossentropy: labelSmoothing must be in [0, 1], got ${this.labelSmoothing}`);
  }

  takesLogits(act: OutputActivation): boolean {
    return act === 'sigmoid';
  }

  compute(pred: Float32Array, y: Float32Array, grad: Float32Array, _shape: readonly number[], logits: OutputActivation): number {
    const n = pred.length;
    const ls = Math.fround(this.labelSmoothing);
    const useLogits = this.fromLogits || logits === 'sigmoid';
    let total = 0;
    for (let i = 0; i < n; i++) {
      const t = ls ? Math.fround(Math.fround(y[i] * Math.fround(1 - ls)) + Math.fround(0.5 * ls)) : y[i];
      if (useLogits) {
        const z = pred[i];
        total += Math.max(z, 0) - z * t + Math.log1p(Math.exp(-Math.abs(z)));
        const s = z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
        grad[i] = (s - t) / n;
      } else {
        const p = pred[i];
        const q = Math.min(Math.max(p, EPS32), HI32);
        total += -(t * Math.log(q) + (1 - t) * Math.log(1 - q));
        grad[i] = p >= EPS32 && p <= HI32 ? -(t / q - (1 - t) / (1 - q)) / n : 0;
      }
    }
    return total / n;
  }

  getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), from_logits: this.fromLogits, label_smoothing: this.labelSmoothing, axis: -1 };
  }
}

/** Keras categorical_crossentropy over the last axis (the softmax shortcut under the TF backend). */
class CategoricalCrossentropy extends Loss {
  readonly name = 'categorical_crossentropy';
  takesLogits(act: OutputActivation): boolean {
    return act === 'softmax';
  }

  compute(pred: Float32Array, y: Float32Array, grad: Float32Array, shape: readonly number[], logits: OutputActivation): number {
    const C = shape[shape.length - 1];
    const rows = pred.length / C;
    let total = 0;
    for (let r = 0; r < rows; r++) {
      const o = r * C;
      if (logits === 'softmax') {
        let max = -Infinity;
        for (let c = 0; c < C; c++) max = Math.max(max, pred[o + c]);
        let sum = 0;
        for (let c = 0; c < C; c++) sum += Math.exp(pred[o + c] - max);
        const lse = max + Math.log(sum);
        let ysum = 0;
        for (let c = 0; c < C; c++) {
          total -= y[o + c] * (pred[o + c] - lse);
          ysum += y[o + c];
        }
        for (let c = 0; c < C; c++) grad[o + c] = (Math.exp(pred[o + c] - lse) * ysum - y[o + c]) / rows;
      } else {
        let s = 0;
        for (let c = 0; c < C; c++) s += pred[o + c];
        // q = p / Σp; loss −Σ y log clip(q); gradient through the clip and the normalisation
        let dot = 0;
        const dq = new Float64Array(C);
        for (let c = 0; c < C; c++) {
          const q = pred[o + c] / s;
          const qc = Math.min(Math.max(q, EPS32), HI32);
          total -= y[o + c] * Math.log(qc);
          dq[c] = q >= EPS32 && q <= HI32 ? -y[o + c] / qc : 0;
          dot += dq[c] * q;
        }
        for (let c = 0; c < C; c++) grad[o + c] = (dq[c] - dot) / s / rows;
      }
    }
    return total / rows;
  }
}

/** Keras sparse_categorical_crossentropy: integer labels (shape (..., 1)) against the last axis. */
class SparseCategoricalCrossentropy extends Loss {
  readonly name = 'sparse_categorical_crossentropy';
  takesLogits(act: OutputActivation): boolean {
    return act === 'softmax';
  }

  targetShape(outputShape: readonly number[]): readonly number[] {
    return [...outputShape.slice(0, -1), 1];
  }

  compute(pred: Float32Array, y: Float32Array, grad: Float32Array, shape: readonly number[], logits: OutputActivation): number {
    const C = shape[shape.length - 1];
    const rows = pred.length / C;
    let total = 0;
    for (let r = 0; r < rows; r++) {
      const o = r * C;
      const label = y[r];
      if (!Number.isInteger(label) || label < 0 || label >= C) throw new ShapeError(`sparse_categorical_crossentropy: label ${label} at row ${r} is not an integer in [0, ${C})`);
      // logits z, or log(clip(p)) as Keras feeds the same op
      const z = new Float64Array(C);
      const clipped = new Uint8Array(C);
      for (let c = 0; c < C; c++) {
        if (logits === 'softmax') z[c] = pred[o + c];
        else {
          const p = pred[o + c];
          z[c] = Math.log(Math.min(Math.max(p, EPS32), HI32));
          clipped[c] = p < EPS32 || p > HI32 ? 1 : 0;
        }
      }
      let max = -Infinity;
      for (let c = 0; c < C; c++) max = Math.max(max, z[c]);
      let sum = 0;
      for (let c = 0; c < C; c++) sum += Math.exp(z[c] - max);
      const lse = max + Math.log(sum);
      total += lse - z[label];
      for (let c = 0; c < C; c++) {
        const dz = Math.exp(z[c] - lse) - (c === label ? 1 : 0);
        // through z = log(p): dz/dp = 1/p (0 where clipped)
        grad[o + c] = (logits === 'softmax' ? dz : clipped[c] ? 0 : dz / pred[o + c]) / rows;
      }
    }
    return total / rows;
  }
}

const LOSSES = new Map<string, () => Loss>([
  ['binary_crossentropy', () => new BinaryCrossentropy()],
  ['mse', () => new MeanSquaredError()],
  ['mean_squared_error', () => new MeanSquaredError()],
  ['mae', () => new MeanAbsoluteError()],
  ['mean_absolute_error', () => new MeanAbsoluteError()],
  ['hinge', () => new Hinge()],
  ['categorical_crossentropy', () => new CategoricalCrossentropy()],
  ['sparse_categorical_crossentropy', () => new SparseCategoricalCrossentropy()],
]);

/** A loss from a compile argument: a name, a Loss, or a Keras config {class_name, config}. */
export function resolveLoss(loss: unknown, where: string): Loss {
  if (loss instanceof Loss) return loss;
  if (typeof loss === 'string') {
    const make = LOSSES.get(loss);
    if (make) return make();
    throw new ConfigError(`${where}: unknown loss '${loss}' (supported: ${[...LOSSES.keys()].join(', ')})`);
  }
  if (loss && typeof loss === 'object' && (loss as { class_name?: unknown }).class_name === 'BinaryCrossentropy') {
    const c = ((loss as { config?: Record<string, unknown> }).config ?? {});
    return new BinaryCrossentropy({ fromLogits: c.from_logits as boolean | undefined ?? false, labelSmoothing: c.label_smoothing as number | undefined ?? 0 });
  }
  throw new ConfigError(`${where}: loss must be a loss name or a Loss object, got ${showValue(loss)}`);
}
