/**
 * Float64 Keras 3 losses (TF backend) and their gradients, from ../shared/training/SEMANTICS.md §2:
 * per-sample values reduced over the last axis (mean, or sum over classes for the crossentropies),
 * then 'sum_over_batch_size'. Clip bounds are the float32 numbers of §2.1; TF's ClipByValue passes
 * the gradient on the closed interval and stops it outside; Maximum gives a tie to its first
 * argument; Abs' gradient is sign (0 at 0).
 */

export type LossSpec =
  | { name: 'mse' | 'mae' | 'hinge' | 'cce' | 'scce' }
  | { name: 'bce'; fromLogits?: boolean; labelSmoothing?: number };

export const EPS32 = 1.0000000116860974e-7;
export const HI32 = 0.99999988079071044921875;

const clip = (p: number) => Math.min(Math.max(p, EPS32), HI32);
const inside = (p: number) => p >= EPS32 && p <= HI32;
const softplus = (x: number) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
const sigmoid = (x: number) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));

/**
 * The loss of one output and dLoss/d(pred): `pred` is the output, or its logits when `logits`
 * (the shortcut below a sigmoid / softmax, or from_logits). C: the last axis.
 */
export function lossOf(spec: LossSpec, pred: Float64Array, y: Float64Array, C: number, logits: boolean): { loss: number; grad: Float64Array } {
  const n = pred.length;
  const grad = new Float64Array(n);
  let total = 0;
  switch (spec.name) {
    case 'mse':
      for (let i = 0; i < n; i++) {
        total += (y[i] - pred[i]) ** 2;
        grad[i] = (2 * (pred[i] - y[i])) / n;
      }
      return { loss: total / n, grad };
    case 'mae':
      for (let i = 0; i < n; i++) {
        total += Math.abs(y[i] - pred[i]);
        grad[i] = Math.sign(pred[i] - y[i]) / n;
      }
      return { loss: total / n, grad };
    case 'hinge': {
      const binary = y.every((v) => v === 0 || v === 1);
      for (let i = 0; i < n; i++) {
        const t = binary ? 2 * y[i] - 1 : y[i];
        const m = 1 - t * pred[i];
        total += Math.max(m, 0);
        grad[i] = m >= 0 ? -t / n : 0;
      }
      return { loss: total / n, grad };
    }
    case 'bce': {
      const ls = spec.labelSmoothing ?? 0;
      const fromLogits = logits || !!spec.fromLogits;
      for (let i = 0; i < n; i++) {
        const t = y[i] * (1 - ls) + 0.5 * ls;
        if (fromLogits) {
          // sigmoid_cross_entropy_with_logits = softplus(z) − z·t
          total += softplus(pred[i]) - pred[i] * t;
          grad[i] = (sigmoid(pred[i]) - t) / n;
        } else {
          const q = clip(pred[i]);
          total -= t * Math.log(q) + (1 - t) * Math.log(1 - q);
          grad[i] = inside(pred[i]) ? (-t / q + (1 - t) / (1 - q)) / n : 0;
        }
      }
      return { loss: total / n, grad };
    }
    case 'cce': {
      const rows = n / C;
      for (let r = 0; r < n; r += C) {
        if (logits) {
          // −Σ y·log_softmax(z); d/dz = softmax(z)·Σy − y
          let m = -Infinity;
          for (let c = 0; c < C; c++) m = Math.max(m, pred[r + c]);
          let s = 0;
          for (let c = 0; c < C; c++) s += Math.exp(pred[r + c] - m);
          const lse = m + Math.log(s);
          let ys = 0;
          for (let c = 0; c < C; c++) {
            total -= y[r + c] * (pred[r + c] - lse);
            ys += y[r + c];
          }
          for (let c = 0; c < C; c++) grad[r + c] = (Math.exp(pred[r + c] - lse) * ys - y[r + c]) / rows;
        } else {
          // q = p / Σp, −Σ y·log clip(q); dq_c/dp_k = (δ_ck·S − p_c) / S²
          let S = 0;
          for (let c = 0; c < C; c++) S += pred[r + c];
          const dq = new Float64Array(C);
          for (let c = 0; c < C; c++) {
            const q = pred[r + c] / S;
            total -= y[r + c] * Math.log(clip(q));
            dq[c] = inside(q) ? -y[r + c] / clip(q) : 0;
          }
          for (let k = 0; k < C; k++) {
            let g = 0;
            for (let c = 0; c < C; c++) g += dq[c] * ((c === k ? S : 0) - pred[r + c]) / (S * S);
            grad[r + k] = g / rows;
          }
        }
      }
      return { loss: total / rows, grad };
    }
    case 'scce': {
      // labels y: one per row; logits z, or log(clip(p)) fed to the same op
      const rows = n / C;
      for (let r = 0; r < rows; r++) {
        const o = r * C;
        const label = y[r];
        const z = Array.from({ length: C }, (_, c) => (logits ? pred[o + c] : Math.log(clip(pred[o + c]))));
        const m = Math.max(...z);
        const lse = m + Math.log(z.reduce((s, v) => s + Math.exp(v - m), 0));
        total += lse - z[label];
        for (let c = 0; c < C; c++) {
          const dz = Math.exp(z[c] - lse) - (c === label ? 1 : 0);
          grad[o + c] = (logits ? dz : inside(pred[o + c]) ? dz / pred[o + c] : 0) / rows;
        }
      }
      return { loss: total / rows, grad };
    }
  }
}
