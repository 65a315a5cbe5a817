/**
 * Float64 Keras 3 optimizers (keras/src/optimizers/{adam,sgd,rmsprop}.py :: update_step, as
 * ../shared/training/SEMANTICS.md §3 writes them): hyper-parameters as float32 values, float64
 * arithmetic, every assigned variable (weight, slot) rounded to float32 as a float32 variable is.
 */

export type OptSpec =
  | { name: 'adam'; learningRate: number; beta1: number; beta2: number; epsilon: number; amsgrad: boolean }
  | { name: 'sgd'; learningRate: number; momentum: number; nesterov: boolean }
  | { name: 'rmsprop'; learningRate: number; rho: number; momentum: number; epsilon: number; centered: boolean };

const f = Math.fround;

export class OracleOptimizer {
  iterations = 0;
  private readonly slots = new Map<unknown, Float64Array[]>();

  constructor(readonly spec: OptSpec) {}

  private slotsFor(key: unknown, n: number): Float64Array[] {
    let s = this.slots.get(key);
    if (!s) {
      s = [new Float64Array(n), new Float64Array(n), new Float64Array(n)];
      this.slots.set(key, s);
    }
    return s;
  }

  /** One apply_gradients: each weight array updated in place (float32 values), then iterations + 1. */
  apply(pairs: readonly { key: unknown; w: Float64Array; g: ArrayLike<number> }[]): void {
    const o = this.spec;
    const lr = f(o.learningRate);
    const t = this.iterations + 1;
    for (const { key, w, g } of pairs) {
      const [s0, s1, s2] = this.slotsFor(key, w.length);
      for (let i = 0; i < w.length; i++) {
        const gi = g[i];
        if (o.name === 'adam') {
          const b1 = f(o.beta1);
          const b2 = f(o.beta2);
          const alpha = (lr * Math.sqrt(1 - b2 ** t)) / (1 - b1 ** t);
          s0[i] = f(s0[i] + (gi - s0[i]) * (1 - b1));
          s1[i] = f(s1[i] + (gi * gi - s1[i]) * (1 - b2));
          let v = s1[i];
          if (o.amsgrad) {
            s2[i] = Math.max(s2[i], v);
            v = s2[i];
          }
          w[i] = f(w[i] - (s0[i] * alpha) / (Math.sqrt(v) + f(o.epsilon)));
        } else if (o.name === 'sgd') {
          const mu = f(o.momentum);
          if (mu === 0) {
            w[i] = f(w[i] - gi * lr);
            continue;
          }
          s0[i] = f(s0[i] * mu - gi * lr);
          w[i] = f(w[i] + (o.nesterov ? s0[i] * mu - gi * lr : s0[i]));
        } else {
          const rho = f(o.rho);
          s0[i] = f(rho * s0[i] + (1 - rho) * gi * gi);
          let den: number;
          if (o.centered) {
            s1[i] = f(rho * s1[i] + (1 - rho) * gi);
            den = s0[i] - s1[i] * s1[i] + f(o.epsilon);
          } else {
            den = s0[i] + f(o.epsilon);
          }
          const inc = (lr * gi) / Math.sqrt(den);
          if (o.momentum > 0) {
            s2[i] = f(f(o.momentum) * s2[i] + inc);
            w[i] = f(w[i] - s2[i]);
          } else {
            w[i] = f(w[i] - inc);
          }
        }
      }
    }
    this.iterations++;
  }
}
