/**
 * Float64 oracles for ZeroPadding2D, Cropping2D, tf.pad REFLECT / SYMMETRIC and TF's
 * DepthToSpace (NHWC), written from ../shared/conformance-functional/SEMANTICS-functional.md §3
 * and TF's documented MirrorPad behaviour, NOT from bindings/. Padding is built the way the
 * definitions read: each padded axis is the concatenation of a (mirrored) slice, the original
 * and another slice, not an index formula.
 */
import type { Result } from './naive.js';
import type { Arr } from './naive_merge.js';

export type PadMode = 'zeros' | 'reflect' | 'symmetric';

/** Source positions of one padded axis of length n: before + original + after. */
function axisSources(n: number, before: number, after: number, mode: PadMode): (number | null)[] {
  const idx = Array.from({ length: n }, (_, i) => i);
  let head: (number | null)[];
  let tail: (number | null)[];
  if (mode === 'zeros') {
    head = new Array(before).fill(null);
    tail = new Array(after).fill(null);
  } else if (mode === 'reflect') {
    // [x_before, …, x_1] + x + [x_{n-2}, …]: the edge itself is not repeated
    head = idx.slice(1, before + 1).reverse();
    tail = idx.slice(n - 1 - after, n - 1).reverse();
  } else {
    // [x_{before-1}, …, x_0] + x + [x_{n-1}, …]: the edge is repeated
    head = idx.slice(0, before).reverse();
    tail = idx.slice(n - after, n).reverse();
  }
  if (head.length !== before || tail.length !== after) throw new Error(`naive pad: ${mode} pad ${before}/${after} too large for size ${n}`);
  return [...head, ...idx, ...tail];
}

/** 2-D padding of NHWC x by [top, bottom, left, right]. */
export function pad2d(x: Arr, pads: readonly [number, number, number, number], mode: PadMode): Result {
  const [N, H, W, C] = x.shape;
  const rows = axisSources(H, pads[0], pads[1], mode);
  const cols = axisSources(W, pads[2], pads[3], mode);
  const data = new Float64Array(N * rows.length * cols.length * C);
  let o = 0;
  for (let n = 0; n < N; n++) for (const r of rows) for (const c of cols) for (let ch = 0; ch < C; ch++) {
    data[o++] = r === null || c === null ? 0 : x.data[((n * H + r) * W + c) * C + ch];
  }
  return { shape: [N, rows.length, cols.length, C], data };
}

/** Cropping2D by [top, bottom, left, right]. */
export function crop2d(x: Arr, crop: readonly [number, number, number, number]): Result {
  const [N, H, W, C] = x.shape;
  const OH = H - crop[0] - crop[1];
  const OW = W - crop[2] - crop[3];
  const data = new Float64Array(N * OH * OW * C);
  let o = 0;
  for (let n = 0; n < N; n++) for (let y = crop[0]; y < H - crop[1]; y++) for (let xx = crop[2]; xx < W - crop[3]; xx++) {
    for (let ch = 0; ch < C; ch++) data[o++] = x.data[((n * H + y) * W + xx) * C + ch];
  }
  return { shape: [N, OH, OW, C], data };
}

/** tf.nn.depth_to_space, NHWC: out[n, h·b+i, w·b+j, c] = x[n, h, w, (i·b + j)·C′ + c]. */
export function depthToSpace(x: Arr, b: number): Result {
  const [N, H, W, C] = x.shape;
  const Cp = C / (b * b);
  const OH = H * b, OW = W * b;
  const data = new Float64Array(x.data.length);
  for (let n = 0; n < N; n++) for (let y = 0; y < OH; y++) for (let xx = 0; xx < OW; xx++) for (let c = 0; c < Cp; c++) {
    const h = Math.floor(y / b), i = y % b, w = Math.floor(xx / b), j = xx % b;
    data[((n * OH + y) * OW + xx) * Cp + c] = x.data[((n * H + h) * W + w) * C + (i * b + j) * Cp + c];
  }
  return { shape: [N, OH, OW, Cp], data };
}
