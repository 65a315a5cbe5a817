/**
 * The per-group arithmetic of the channel normalisations' backward (ChannelNormOp in
 * normalization.ts, BatchNormalization in inference mode in scale_shift.ts), between the
 * `normGradReduce` and `normGradApply` kernels: O(samples · channels) work on the reduced sums.
 *
 * TF's autodiff of y = (x − μ)·r·γ + β over a group of n values, with g = dy·γ, d = x − μ:
 *   dx = r·g − r·Σg/n + b·d,  b = ∂L/∂var · 2/n = −r³·Σ(g·d)/n        (r = 1/sqrt(var + ε))
 *   keras_contrib's r = 1/(σ + ε), σ = sqrt(var):  b = −(r²/σ)·Σ(g·d)/n
 * (at σ = 0 TF's sqrt gradient gives 0·∞ = NaN; here b = 0 there: d is 0 anyway);
 *   dγ = Σ dy·d·r,  dβ = Σ dy, summed over the positions each weight scales.
 */
import type { RstdMode } from '../backend/kernels/norm.js';

/** Where a fold reads and writes: byte pointers into the memory `f32` views. */
export interface GroupFold {
  /** Samples, groups per sample, channels per group (C = G·K), values per group (rows·K). */
  readonly n: number;
  readonly G: number;
  readonly K: number;
  readonly count: number;
  readonly mode: RstdMode;
  /** gamma per channel (ones when disabled); rstd per (sample, group). */
  readonly gamma: number;
  readonly rstd: number;
  /** The reduced sums per (sample, channel): Σdy, Σdy·d, Σd². */
  readonly sumDy: number;
  readonly sumDyXc: number;
  readonly sumXc2: number;
  /** Out, per (sample, channel): the coefficients of d and the constant of normGradApply. */
  readonly coefD: number;
  readonly constant: number;
  /** Gradient accumulators of gamma and beta (-1: none) and the weight element channel c feeds. */
  readonly dGamma: number;
  readonly dBeta: number;
  readonly weightIndex: (c: number) => number;
}

/** Fills the apply coefficients per (sample, channel) and adds the gamma/beta gradients (allocates nothing). */
export function foldGroups(f32: Float32Array, p: GroupFold): void {
  const { n, G, K, count } = p;
  const C = G * K;
  const gamma = p.gamma >>> 2, rstd = p.rstd >>> 2, sumDy = p.sumDy >>> 2, sumDyXc = p.sumDyXc >>> 2;
  const sumXc2 = p.sumXc2 >>> 2, coefD = p.coefD >>> 2, constant = p.constant >>> 2;
  const dGamma = p.dGamma >= 0 ? p.dGamma >>> 2 : -1, dBeta = p.dBeta >= 0 ? p.dBeta >>> 2 : -1;
  for (let s = 0; s < n; s++) {
    for (let g = 0; g < G; g++) {
      const r = f32[rstd + s * G + g];
      let sg = 0;
      let sgd = 0;
      let sq = 0;
      for (let k = 0; k < K; k++) {
        const c = g * K + k;
        sg += f32[gamma + c] * f32[sumDy + s * C + c];
        sgd += f32[gamma + c] * f32[sumDyXc + s * C + c];
        sq += f32[sumXc2 + s * C + c];
      }
      let b: number;
      if (p.mode === 1) {
        const sigma = Math.sqrt(sq / count);
        b = sigma > 0 ? (-(r * r) / sigma) * (sgd / count) : 0;
      } else {
        b = -r * r * r * (sgd / count);
      }
      const shift = (-r * sg) / count;
      for (let k = 0; k < K; k++) {
        const at = s * C + g * K + k;
        f32[coefD + at] = b;
        f32[constant + at] = shift;
        const w = p.weightIndex(g * K + k);
        if (dGamma >= 0) f32[dGamma + w] += r * f32[sumDyXc + at];
        if (dBeta >= 0) f32[dBeta + w] += f32[sumDy + at];
      }
    }
  }
}
