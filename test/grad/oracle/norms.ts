/**
 * Float64 normalisations computed from the data, with TF's gradients (autodiff of the forward:
 * through the mean and the population variance). One generic op: per sample, statistics per
 * group of positions, y = (x − μ)·r·γ[w] + β[w], with r = 1/sqrt(var + ε) (Keras Layer/Group
 * Normalization, tfa InstanceNormalization) or 1/(sqrt(var) + ε) (keras_contrib
 * InstanceNormalization); a layout says which group and which gamma/beta element every position
 * of a sample uses. The backward is the chain rule through r(var), var(x, μ) and μ(x), written
 * step by step (the check files compare it with central differences). Plus PixelNormalization.
 */
import type { OracleOp } from './op.js';
import { size } from './values.js';

export interface NormLayout {
  /** Groups per sample, and the group of each flat position of a sample. */
  readonly groups: number;
  group(i: number): number;
  /** Which gamma/beta element a position uses. */
  weight(i: number): number;
}

export interface NormOptions {
  epsilon: number;
  /** 'var': 1/sqrt(var + ε); 'std': 1/(sqrt(var) + ε) (keras_contrib). */
  divisor: 'var' | 'std';
  center: boolean;
  scale: boolean;
}

/** Group statistics of one sample: mean, population variance and r per group. */
function stats(x: Float64Array, base: number, n: number, L: NormLayout, o: NormOptions) {
  const count = new Float64Array(L.groups);
  const mean = new Float64Array(L.groups);
  const variance = new Float64Array(L.groups);
  for (let i = 0; i < n; i++) {
    count[L.group(i)]++;
    mean[L.group(i)] += x[base + i];
  }
  for (let g = 0; g < L.groups; g++) mean[g] /= count[g];
  for (let i = 0; i < n; i++) variance[L.group(i)] += (x[base + i] - mean[L.group(i)]) ** 2;
  for (let g = 0; g < L.groups; g++) variance[g] /= count[g];
  const r = variance.map((v) => (o.divisor === 'var' ? 1 / Math.sqrt(v + o.epsilon) : 1 / (Math.sqrt(v) + o.epsilon)));
  return { count, mean, variance, r };
}

/** Params: [gamma] [beta] (the enabled ones), each as long as the layout's weight index range. */
export function groupNorm(name: string, layoutOf: (sample: readonly number[]) => NormLayout, o: NormOptions): OracleOp {
  const affine = (p: readonly Float64Array[]) => {
    let i = 0;
    const gamma = o.scale ? p[i++] : null;
    const beta = o.center ? p[i++] : null;
    return { gamma, beta };
  };
  return {
    name,
    forward([x], p) {
      const sample = x.shape.slice(1);
      const L = layoutOf(sample);
      const n = size(sample);
      const { gamma, beta } = affine(p);
      const y = new Float64Array(x.data.length);
      for (let s = 0; s < x.shape[0]; s++) {
        const base = s * n;
        const { mean, r } = stats(x.data, base, n, L, o);
        for (let i = 0; i < n; i++) {
          const g = L.group(i);
          const w = L.weight(i);
          y[base + i] = (x.data[base + i] - mean[g]) * r[g] * (gamma ? gamma[w] : 1) + (beta ? beta[w] : 0);
        }
      }
      return { data: y, shape: [...x.shape] };
    },
    backward([x], p, _out, dy) {
      const sample = x.shape.slice(1);
      const L = layoutOf(sample);
      const n = size(sample);
      const { gamma, beta } = affine(p);
      const dx = new Float64Array(x.data.length);
      const dGamma = gamma ? new Float64Array(gamma.length) : null;
      const dBeta = beta ? new Float64Array(beta.length) : null;
      for (let s = 0; s < x.shape[0]; s++) {
        const base = s * n;
        const { count, mean, variance, r } = stats(x.data, base, n, L, o);
        // dL/dx̂ = dy·γ; dL/dr = Σ dL/dx̂·(x − μ); dL/dvar = dL/dr · dr/dvar; dL/dμ = −r·Σ dL/dx̂ (+ dL/dvar · ∂var/∂μ = 0)
        const dr = new Float64Array(L.groups);
        const dMean = new Float64Array(L.groups);
        for (let i = 0; i < n; i++) {
          const g = L.group(i);
          const w = L.weight(i);
          const dxhat = dy[base + i] * (gamma ? gamma[w] : 1);
          const d = x.data[base + i] - mean[g];
          dr[g] += dxhat * d;
          dMean[g] -= r[g] * dxhat;
          if (dGamma) dGamma[w] += dy[base + i] * d * r[g];
          if (dBeta) dBeta[w] += dy[base + i];
        }
        const dVar = Array.from(dr, (v, g) => {
          const drdv = o.divisor === 'var'
            ? -0.5 * (variance[g] + o.epsilon) ** -1.5
            : (-1 / (Math.sqrt(variance[g]) + o.epsilon) ** 2) * (0.5 / Math.sqrt(variance[g]));
          return v * drdv;
        });
        for (let i = 0; i < n; i++) {
          const g = L.group(i);
          const w = L.weight(i);
          const dxhat = dy[base + i] * (gamma ? gamma[w] : 1);
          // x̂ = (x − μ)·r: direct, through μ (1/count each), through var (2(x − μ)/count)
          dx[base + i] = dxhat * r[g] + dMean[g] / count[g] + (dVar[g] * 2 * (x.data[base + i] - mean[g])) / count[g];
        }
      }
      return { dInputs: [dx], dParams: [...(dGamma ? [dGamma] : []), ...(dBeta ? [dBeta] : [])] };
    },
  };
}

/** Channels last: C = the last sample dimension, `G` contiguous channel groups, gamma per channel. */
export function channelGroups(G: number | 'instance'): (sample: readonly number[]) => NormLayout {
  return (sample) => {
    const C = sample[sample.length - 1];
    const groups = G === 'instance' ? C : G;
    const per = C / groups;
    return { groups, group: (i) => Math.floor((i % C) / per), weight: (i) => i % C };
  };
}

/**
 * LayerNormalization over the adjacent sample axes [first, last] (0-based): a group per
 * position outside them, gamma per position inside (in the sample's memory order).
 */
export function layerAxes(first: number, last: number): (sample: readonly number[]) => NormLayout {
  return (sample) => {
    const R = size(sample.slice(first, last + 1));
    const B = size(sample.slice(last + 1));
    const A = size(sample.slice(0, first));
    return {
      groups: A * B,
      group: (i) => Math.floor(i / (R * B)) * B + (i % B),
      weight: (i) => Math.floor(i / B) % R,
    };
  };
}

/** keras_contrib InstanceNormalization: axis null → one group and gamma (1,); else a group and gamma element per index along the sample axis `k`. */
export function contribAxis(k: number | null): (sample: readonly number[]) => NormLayout {
  return (sample) => {
    if (k === null) return { groups: 1, group: () => 0, weight: () => 0 };
    const inner = size(sample.slice(k + 1));
    const D = sample[k];
    const at = (i: number) => Math.floor(i / inner) % D;
    return { groups: D, group: at, weight: at };
  };
}

/** PixelNormalization: y = x / sqrt(mean(x² over the last axis) + ε). */
export function pixelNorm(epsilon: number): OracleOp {
  return {
    name: `pixelNorm(${epsilon})`,
    forward([x]) {
      const C = x.shape[x.shape.length - 1];
      const y = new Float64Array(x.data.length);
      for (let r = 0; r < y.length; r += C) {
        let sq = 0;
        for (let c = 0; c < C; c++) sq += x.data[r + c] ** 2;
        const inv = 1 / Math.sqrt(sq / C + epsilon);
        for (let c = 0; c < C; c++) y[r + c] = x.data[r + c] * inv;
      }
      return { data: y, shape: [...x.shape] };
    },
    backward([x], _p, _out, dy) {
      const C = x.shape[x.shape.length - 1];
      const dx = new Float64Array(x.data.length);
      for (let r = 0; r < dx.length; r += C) {
        let sq = 0;
        for (let c = 0; c < C; c++) sq += x.data[r + c] ** 2;
        const q = sq / C + epsilon;
        // y_c = x_c·q^(−1/2): ∂y_c/∂x_k = δ_ck q^(−1/2) − x_c·q^(−3/2)·x_k/C
        let dot = 0;
        for (let c = 0; c < C; c++) dot += dy[r + c] * x.data[r + c];
        for (let k = 0; k < C; k++) dx[r + k] = dy[r + k] / Math.sqrt(q) - (dot * x.data[r + k]) / (C * q ** 1.5);
      }
      return { dInputs: [dx], dParams: [] };
    },
  };
}
