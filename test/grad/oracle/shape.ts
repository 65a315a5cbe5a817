/**
 * Float64 oracles of the data-movement layers (ZeroPadding2D, Cropping2D, the REFLECT /
 * SYMMETRIC paddings of tf.pad, TF's DepthToSpace), Embedding and the training-mode noise layers
 * with given noise. Each forward is written as a gather out[p] = x[src(p)] (or 0), and each
 * backward as that gather's adjoint, dx[src(p)] += dy[p]: a different formulation from the
 * package's kernels (interior copies plus border scatter-adds, strided block copies).
 */
import type { OracleOp } from './op.js';
import { size, type Val } from './values.js';

export type PadMode = 'zeros' | 'reflect' | 'symmetric';

/** tf.pad's source index of padded position i along an axis of n, or −1 (a zero). */
function source(i: number, n: number, mode: PadMode): number {
  if (i >= 0 && i < n) return i;
  if (mode === 'zeros') return -1;
  if (mode === 'reflect') return i < 0 ? -i : 2 * (n - 1) - i;
  return i < 0 ? -i - 1 : 2 * n - 1 - i;
}

/** A gather op over NHWC images: `src(n, y, x, c)` is the flat input index an output position reads, or −1. */
function gather2d(name: string, outShape: (s: readonly number[]) => number[],
                  src: (s: readonly number[], n: number, y: number, x: number, c: number) => number): OracleOp {
  const table = (s: readonly number[]) => {
    const o = outShape(s);
    const map = new Int32Array(size(o));
    let p = 0;
    for (let n = 0; n < o[0]; n++) for (let y = 0; y < o[1]; y++) for (let x = 0; x < o[2]; x++) for (let c = 0; c < o[3]; c++) map[p++] = src(s, n, y, x, c);
    return { o, map };
  };
  return {
    name,
    forward([x]) {
      const { o, map } = table(x.shape);
      return { data: Float64Array.from(map, (q) => (q < 0 ? 0 : x.data[q])), shape: o };
    },
    backward([x], _p, _out, dy) {
      const { map } = table(x.shape);
      const dx = new Float64Array(x.data.length);
      map.forEach((q, p) => { if (q >= 0) dx[q] += dy[p]; });
      return { dInputs: [dx], dParams: [] };
    },
  };
}

/** 2-D padding [top, bottom, left, right] with zeros or tf.pad's mirror modes. */
export function pad2d(pads: readonly [number, number, number, number], mode: PadMode): OracleOp {
  const [t, b, l, r] = pads;
  return gather2d(`pad2d(${pads}, ${mode})`, (s) => [s[0], s[1] + t + b, s[2] + l + r, s[3]], (s, n, y, x, c) => {
    const sy = source(y - t, s[1], mode);
    const sx = source(x - l, s[2], mode);
    return sy < 0 || sx < 0 ? -1 : ((n * s[1] + sy) * s[2] + sx) * s[3] + c;
  });
}

/** Cropping2D [top, bottom, left, right]. */
export function crop2d(crops: readonly [number, number, number, number]): OracleOp {
  const [t, b, l, r] = crops;
  return gather2d(`crop2d(${crops})`, (s) => [s[0], s[1] - t - b, s[2] - l - r, s[3]], (s, n, y, x, c) => ((n * s[1] + y + t) * s[2] + x + l) * s[3] + c);
}

/** TF DepthToSpace (NHWC): out[n, h·b + i, w·b + j, c] = x[n, h, w, (i·b + j)·C′ + c]. */
export function depthToSpace(block: number): OracleOp {
  return gather2d(`depthToSpace(${block})`, (s) => [s[0], s[1] * block, s[2] * block, s[3] / (block * block)], (s, n, y, x, c) => {
    const Cp = s[3] / (block * block);
    const h = Math.floor(y / block), i = y % block, w = Math.floor(x / block), j = x % block;
    return ((n * s[1] + h) * s[2] + w) * s[3] + (i * block + j) * Cp + c;
  });
}

/** Embedding (params [table (V, D)]): rows picked by trunc(id); the ids get no gradient. */
export function embedding(V: number, D: number): OracleOp {
  return {
    name: `embedding(${V}, ${D})`,
    forward([ids], [table]) {
      const out = new Float64Array(ids.data.length * D);
      ids.data.forEach((id, k) => {
        const row = Math.trunc(id);
        if (!(row >= 0 && row < V)) throw new Error(`oracle: id ${id} outside [0, ${V})`);
        for (let d = 0; d < D; d++) out[k * D + d] = table[row * D + d];
      });
      return { data: out, shape: [...ids.shape, D] };
    },
    backward([ids], [table], _out, dy) {
      const dTable = new Float64Array(table.length);
      ids.data.forEach((id, k) => {
        const row = Math.trunc(id);
        for (let d = 0; d < D; d++) dTable[row * D + d] += dy[k * D + d];
      });
      return { dInputs: [new Float64Array(ids.data.length)], dParams: [dTable] };
    },
  };
}

/** GaussianNoise with the given noise: x + noise; the gradient passes. */
export function addNoise(noise: ArrayLike<number>): OracleOp {
  return {
    name: 'gaussianNoise',
    forward([x]) {
      return { data: x.data.map((v, i) => v + noise[i]), shape: [...x.shape] };
    },
    backward(_x, _p, _out, dy) {
      return { dInputs: [dy.slice()], dParams: [] };
    },
  };
}

/** GaussianDropout with the given multipliers: x·m, dx = dy·m. */
export function mulNoise(m: ArrayLike<number>): OracleOp {
  return {
    name: 'gaussianDropout',
    forward([x]) {
      return { data: x.data.map((v, i) => v * m[i]), shape: [...x.shape] };
    },
    backward(_x, _p, _out, dy) {
      return { dInputs: [dy.map((g, i) => g * m[i])], dParams: [] };
    },
  };
}

/** SpatialDropout2D with the given (sample, channel) keep flags: x·keep[n, c]/(1 − rate). */
export function spatialDropout(keep: ArrayLike<number>, rate: number): OracleOp {
  const factor = (x: Val, p: number) => {
    const C = x.shape[3];
    const n = Math.floor(p / (x.shape[1] * x.shape[2] * C));
    return keep[n * C + (p % C)] / (1 - rate);
  };
  return {
    name: `spatialDropout(${rate})`,
    forward([x]) {
      return { data: x.data.map((v, p) => v * factor(x, p)), shape: [...x.shape] };
    },
    backward([x], _p, _out, dy) {
      return { dInputs: [dy.map((g, p) => g * factor(x, p))], dParams: [] };
    },
  };
}
