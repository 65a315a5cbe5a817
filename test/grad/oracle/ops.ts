/**
 * Float64 forward passes of the layers and their analytic gradients, written from
 * ../shared/conformance/SEMANTICS.md (forward) and ../shared/training/SEMANTICS.md (training mode).
 * The gradients are the adjoints written out independently of the forward loops: a convolution's
 * input gradient as a gather over the output positions that read each input pixel (a transposed
 * convolution of dy), a transposed convolution's as a convolution of dy, and so on. Each op
 * recomputes what its backward needs (no caches): slow and plain.
 */
import { type Elementwise, softmaxRows } from './activations.js';
import { channelSums, type OracleOp } from './op.js';
import { size, type Val } from './values.js';

export * from './conv.js';
export * from './op.js';

// ---------------------------------------------------------------------------------------------
// Dense: y = x @ W + b on the last axis (kernel (in, units)).

export function dense(units: number, useBias: boolean): OracleOp {
  return {
    name: `dense(${units})`,
    forward([x], [W, b]) {
      const K = x.shape[x.shape.length - 1];
      const rows = x.data.length / K;
      const y = new Float64Array(rows * units);
      for (let r = 0; r < rows; r++) {
        for (let n = 0; n < units; n++) {
          let s = useBias ? b[n] : 0;
          for (let k = 0; k < K; k++) s += x.data[r * K + k] * W[k * units + n];
          y[r * units + n] = s;
        }
      }
      return { data: y, shape: [...x.shape.slice(0, -1), units] };
    },
    backward([x], [W], _out, dy) {
      const K = x.shape[x.shape.length - 1];
      const rows = x.data.length / K;
      const dx = new Float64Array(x.data.length);
      const dW = new Float64Array(K * units);
      const db = new Float64Array(units);
      for (let r = 0; r < rows; r++) {
        for (let n = 0; n < units; n++) {
          const g = dy[r * units + n];
          db[n] += g;
          for (let k = 0; k < K; k++) {
            dW[k * units + n] += x.data[r * K + k] * g;
            dx[r * K + k] += g * W[k * units + n];
          }
        }
      }
      return { dInputs: [dx], dParams: useBias ? [dW, db] : [dW] };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// UpSampling2D; SEMANTICS §4.

/** One axis of the half-pixel bilinear rule: for each output j, (i0, i1, w). */
export function bilinearTaps(n: number, f: number): { i0: number; i1: number; w: number }[] {
  const taps = [];
  for (let j = 0; j < n * f; j++) {
    const src = Math.max((j + 0.5) / f - 0.5, 0);
    const i0 = Math.min(Math.floor(src), n - 1);
    const i1 = Math.min(i0 + 1, n - 1);
    taps.push({ i0, i1, w: src - i0 });
  }
  return taps;
}

export function upSampling(size2: readonly [number, number], interpolation: 'nearest' | 'bilinear'): OracleOp {
  const [fh, fw] = size2;
  /** The (input row, weight) pairs each output row reads, per axis. */
  const axis = (n: number, f: number): [number, number][][] => {
    if (interpolation === 'nearest') return Array.from({ length: n * f }, (_, j) => [[Math.floor(j / f), 1]]);
    return bilinearTaps(n, f).map(({ i0, i1, w }) => [[i0, 1 - w], [i1, w]]);
  };
  return {
    name: `upSampling(${size2}, ${interpolation})`,
    forward([x]) {
      const [B, H, W, C] = x.shape;
      const ys = axis(H, fh);
      const xs = axis(W, fw);
      const OH = H * fh;
      const OW = W * fw;
      const y = new Float64Array(B * OH * OW * C);
      for (let n = 0; n < B; n++) {
        for (let Y = 0; Y < OH; Y++) {
          for (let X = 0; X < OW; X++) {
            for (let c = 0; c < C; c++) {
              let s = 0;
              for (const [iy, wy] of ys[Y]) for (const [ix, wx] of xs[X]) s += wy * wx * x.data[((n * H + iy) * W + ix) * C + c];
              y[((n * OH + Y) * OW + X) * C + c] = s;
            }
          }
        }
      }
      return { data: y, shape: [B, OH, OW, C] };
    },
    backward([x], _p, _out, dy) {
      const [B, H, W, C] = x.shape;
      const ys = axis(H, fh);
      const xs = axis(W, fw);
      const OH = H * fh;
      const OW = W * fw;
      const dx = new Float64Array(x.data.length);
      for (let n = 0; n < B; n++) {
        for (let Y = 0; Y < OH; Y++) {
          for (let X = 0; X < OW; X++) {
            for (let c = 0; c < C; c++) {
              const g = dy[((n * OH + Y) * OW + X) * C + c];
              for (const [iy, wy] of ys[Y]) for (const [ix, wx] of xs[X]) dx[((n * H + iy) * W + ix) * C + c] += wy * wx * g;
            }
          }
        }
      }
      return { dInputs: [dx], dParams: [] };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// BatchNormalization over the last axis; training SEMANTICS §4.1.

export interface BnOptions {
  epsilon: number;
  center: boolean;
  scale: boolean;
  /** Batch statistics (training mode and trainable), else the moving ones. */
  training: boolean;
}

/** Params in Keras order: [gamma] [beta] moving_mean moving_variance. */
function bnParams(o: BnOptions, p: readonly Float64Array[], C: number) {
  let i = 0;
  const gamma = o.scale ? p[i++] : new Float64Array(C).fill(1);
  const beta = o.center ? p[i++] : new Float64Array(C);
  return { gamma, beta, mm: p[i], mv: p[i + 1] };
}

/** Batch mean and biased variance per channel. */
export function moments(x: Float64Array, C: number): { mean: Float64Array; variance: Float64Array } {
  const rows = x.length / C;
  const mean = new Float64Array(C);
  const variance = new Float64Array(C);
  for (let i = 0; i < x.length; i++) mean[i % C] += x[i] / rows;
  for (let i = 0; i < x.length; i++) variance[i % C] += (x[i] - mean[i % C]) ** 2 / rows;
  return { mean, variance };
}

export function batchNorm(o: BnOptions): OracleOp {
  return {
    name: `batchNorm(${o.training ? 'training' : 'inference'})`,
    forward([x], p) {
      const C = x.shape[x.shape.length - 1];
      const { gamma, beta, mm, mv } = bnParams(o, p, C);
      const { mean, variance } = o.training ? moments(x.data, C) : { mean: mm, variance: mv };
      const y = new Float64Array(x.data.length);
      for (let i = 0; i < y.length; i++) {
        const c = i % C;
        y[i] = ((x.data[i] - mean[c]) / Math.sqrt(variance[c] + o.epsilon)) * gamma[c] + beta[c];
      }
      return { data: y, shape: [...x.shape] };
    },
    backward([x], p, _out, dy) {
      const C = x.shape[x.shape.length - 1];
      const rows = x.data.length / C;
      const { gamma, mm, mv } = bnParams(o, p, C);
      const dx = new Float64Array(x.data.length);
      const dGamma = new Float64Array(C);
      const dBeta = channelSums(dy, C);
      if (!o.training) {
        for (let i = 0; i < dx.length; i++) dx[i] = (dy[i] * gamma[i % C]) / Math.sqrt(mv[i % C] + o.epsilon);
        void mm;
        return { dInputs: [dx], dParams: [...(o.scale ? [null] : []), ...(o.center ? [null] : []), null, null] };
      }
      // y = γ·x̂ + β, x̂ = (x − μ)/σ: dx = γ/σ · (dy − mean(dy) − x̂·mean(dy·x̂)), through μ and σ²
      const { mean, variance } = moments(x.data, C);
      const inv = Array.from(variance, (v) => 1 / Math.sqrt(v + o.epsilon));
      const xhat = (i: number) => (x.data[i] - mean[i % C]) * inv[i % C];
      const sumDyXhat = new Float64Array(C);
      for (let i = 0; i < dy.length; i++) sumDyXhat[i % C] += dy[i] * xhat(i);
      for (let i = 0; i < dy.length; i++) {
        const c = i % C;
        dx[i] = gamma[c] * inv[c] * (dy[i] - dBeta[c] / rows - (xhat(i) * sumDyXhat[c]) / rows);
      }
      dGamma.set(sumDyXhat);
      return { dInputs: [dx], dParams: [...(o.scale ? [dGamma] : []), ...(o.center ? [dBeta] : []), null, null] };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Activations, softmax, identities, Dropout with a mask.

export function activation(name: string, e: Elementwise): OracleOp {
  return {
    name,
    forward([x]) {
      return { data: x.data.map(e.f), shape: [...x.shape] };
    },
    backward([x], _p, _out, dy) {
      return { dInputs: [dy.map((g, i) => g * e.df(x.data[i]))], dParams: [] };
    },
  };
}

/** Softmax over the last axis: dx = y·(dy − Σ dy·y). */
export function softmax(): OracleOp {
  return {
    name: 'softmax',
    forward([x]) {
      const y = new Float64Array(x.data.length);
      softmaxRows(x.data, x.shape[x.shape.length - 1], y);
      return { data: y, shape: [...x.shape] };
    },
    backward(_in, _p, out, dy) {
      const C = out.shape[out.shape.length - 1];
      const dx = new Float64Array(dy.length);
      for (let r = 0; r < dy.length; r += C) {
        let dot = 0;
        for (let c = 0; c < C; c++) dot += dy[r + c] * out.data[r + c];
        for (let c = 0; c < C; c++) dx[r + c] = out.data[r + c] * (dy[r + c] - dot);
      }
      return { dInputs: [dx], dParams: [] };
    },
  };
}

/** Reshape / Flatten (row-major per sample): the data unchanged, a new sample shape. */
export function reshape(sample: readonly number[]): OracleOp {
  return {
    name: `reshape(${sample})`,
    forward([x]) {
      const per = size(x.shape.slice(1));
      const known = sample.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
      const shape = sample.map((d) => (d === -1 ? per / known : d));
      if (size(shape) !== per) throw new Error(`oracle: cannot reshape ${x.shape.slice(1)} to ${sample}`);
      return { data: x.data.slice(), shape: [x.shape[0], ...shape] };
    },
    backward(_in, _p, _out, dy) {
      return { dInputs: [dy.slice()], dParams: [] };
    },
  };
}

/** Training-mode Dropout with a given 0/1 mask: y = x·mask/(1 − rate). */
export function dropout(rate: number, mask: ArrayLike<number> | null): OracleOp {
  const m = (i: number) => (mask ? mask[i] : 1) / (1 - rate);
  return {
    name: `dropout(${rate})`,
    forward([x]) {
      return { data: x.data.map((v, i) => v * m(i)), shape: [...x.shape] };
    },
    backward(_in, _p, _out, dy) {
      return { dInputs: [dy.map((g, i) => g * m(i))], dParams: [] };
    },
  };
}

